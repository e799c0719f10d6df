//! A small token server for the bearer-token registry `scripts/test` starts: it answers
//! `GET /token?service=...&scope=...` with a JWT signed by the key the registry trusts
//! (ES256, the certificate in `x5c`), granting the scopes asked, to the test user only
//! (Basic auth), as Docker Hub's and GHCR's token endpoints do. It runs in the test process,
//! on NSKIT_TEST_TOKEN_REALM, once per test binary.
use std::io::{BufRead, BufReader, Write};
use std::net::TcpListener;
use std::sync::OnceLock;

use serde_json::json;

static STARTED: OnceLock<Result<(), String>> = OnceLock::new();

/// How many token requests were refused (wrong or missing credentials).
pub static REFUSED: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
/// How many tokens were issued.
pub static ISSUED: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);

/// Starts the server (once); `None` when the services are not there.
pub fn start() -> Option<()> {
    let realm = super::service("NSKIT_TEST_TOKEN_REALM")?;
    let key = std::fs::read(super::service("NSKIT_TEST_TOKEN_KEY")?).expect("token key");
    let cert = std::fs::read_to_string(super::service("NSKIT_TEST_TOKEN_CERT")?).expect("cert");
    let user = super::service("NSKIT_TEST_REGISTRY_USER")?;
    let password = super::service("NSKIT_TEST_REGISTRY_PASSWORD")?;
    STARTED
        .get_or_init(|| {
            let listener = TcpListener::bind(&realm).map_err(|e| format!("bind {realm}: {e}"))?;
            // The certificate's DER, base64: the PEM body without its armour.
            let der: String = cert.lines().filter(|l| !l.starts_with("-----")).collect();
            let expected = format!(
                "Basic {}",
                base64_encode(format!("{user}:{password}").as_bytes())
            );
            std::thread::spawn(move || {
                for stream in listener.incoming().flatten() {
                    let _ = answer(stream, &key, &der, &expected);
                }
            });
            Ok(())
        })
        .clone()
        .expect("token server");
    Some(())
}

fn answer(
    mut stream: std::net::TcpStream,
    key: &[u8],
    der: &str,
    expected_auth: &str,
) -> std::io::Result<()> {
    let mut reader = BufReader::new(stream.try_clone()?);
    let mut request_line = String::new();
    reader.read_line(&mut request_line)?;
    let mut authorization = None;
    loop {
        let mut line = String::new();
        if reader.read_line(&mut line)? == 0 || line == "\r\n" || line == "\n" {
            break;
        }
        if let Some((k, v)) = line.split_once(':')
            && k.eq_ignore_ascii_case("authorization")
        {
            authorization = Some(v.trim().to_string());
        }
    }
    let target = request_line.split_whitespace().nth(1).unwrap_or("/");
    let url = url::Url::parse(&format!("http://token{target}")).expect("url");
    let mut service = String::new();
    let mut access = vec![];
    for (k, v) in url.query_pairs() {
        match &*k {
            "service" => service = v.into_owned(),
            "scope" => {
                for scope in v.split(' ') {
                    let mut parts = scope.splitn(2, ':');
                    let kind = parts.next().unwrap_or("");
                    let rest = parts.next().unwrap_or("");
                    if let Some((name, actions)) = rest.rsplit_once(':') {
                        access.push(json!({
                            "type": kind,
                            "name": name,
                            "actions": actions.split(',').collect::<Vec<_>>(),
                        }));
                    }
                }
            }
            _ => {}
        }
    }
    if authorization.as_deref() != Some(expected_auth) {
        REFUSED.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
        let body = r#"{"details":"wrong user name or password"}"#;
        return write!(
            stream,
            "HTTP/1.1 401 Unauthorized\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
            body.len()
        );
    }
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .expect("time")
        .as_secs();
    let claims = json!({
        "iss": "nskit-test-token-server",
        "sub": "nskit",
        "aud": service,
        "exp": now + 300,
        "nbf": now - 10,
        "iat": now,
        "jti": format!("{now}-{}", ISSUED.load(std::sync::atomic::Ordering::SeqCst)),
        "access": access,
    });
    let mut header = jsonwebtoken::Header::new(jsonwebtoken::Algorithm::ES256);
    header.x5c = Some(vec![der.to_string()]);
    let token = jsonwebtoken::encode(
        &header,
        &claims,
        &jsonwebtoken::EncodingKey::from_ec_pem(key).expect("EC key"),
    )
    .expect("sign");
    ISSUED.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
    let body = json!({ "token": token, "access_token": token, "expires_in": 300 }).to_string();
    write!(
        stream,
        "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    )
}

fn base64_encode(bytes: &[u8]) -> String {
    use base64::Engine;
    base64::engine::general_purpose::STANDARD.encode(bytes)
}
