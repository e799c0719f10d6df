//! A reader of the Registry HTTP API v2: the catalogue, tags, manifests (Docker v2 and OCI,
//! multi-arch indexes resolved to this machine's platform) and config blobs, with the
//! authentication registries use (anonymous, Basic, and Bearer tokens fetched per scope from
//! the realm a `WWW-Authenticate` challenge names, cached).
//!
//! A registry is a server nskit does not control: every reply is read up to
//! [`MAX_REPLY`] bytes and refused beyond, and every request (with its token exchange) has
//! an overall deadline, [`DEADLINE`], so neither a huge body nor one trickled a byte at a
//! time can hold nskit.
use std::collections::HashMap;
use std::sync::Mutex;
use std::time::Duration;

use nskit_engine::RegistryCredentials;
use serde::Deserialize;
use serde_json::Value;

/// The largest reply read from a registry (a page of the catalogue or of tags, a manifest,
/// a config blob): far above any real one.
pub const MAX_REPLY: usize = 8 << 20;
/// How long one request may take, start to end, token exchange included (the default of
/// `RegistrySettings::request_deadline`).
pub const DEADLINE: Duration = Duration::from_secs(30);

/// The manifest media types asked for (a registry answers 404 for a type not asked).
const MANIFEST_TYPES: &str = "application/vnd.oci.image.manifest.v1+json, application/vnd.oci.image.index.v1+json, application/vnd.docker.distribution.manifest.v2+json, application/vnd.docker.distribution.manifest.list.v2+json";

/// What went wrong, before it is put in words for the user.
#[derive(Debug)]
pub(crate) enum HttpError {
    /// The registry could not be reached, or did not answer in time.
    Unreachable(String),
    /// 401, with or after credentials.
    Unauthorized,
    /// 404, with the registry's error codes and messages.
    NotFound(String),
    /// Another failure status.
    Status(u16, String),
    /// The reply was larger than [`MAX_REPLY`].
    TooLarge,
    /// The reply is not what the Registry API sends.
    NotTheApi(String),
}

impl HttpError {
    /// Whether the registry could not be reached (the cache may stand in).
    pub(crate) fn is_transport(&self) -> bool {
        matches!(self, HttpError::Unreachable(_))
    }

    /// The error in words: `url` is the registry, `host` what `nskit login` takes, `what`
    /// the thing asked for.
    pub(crate) fn describe(&self, url: &str, host: &str, what: &str) -> String {
        match self {
            HttpError::Unreachable(why) => format!(
                "cannot reach the registry at {url} ({why}): is it running, and is `registry_url` right?"
            ),
            HttpError::Unauthorized => format!(
                "the registry at {url} refused access to {what} (401 Unauthorized): give credentials with `nskit login {host}`, the backend's `credentials` setting, or NSKIT_REGISTRY_USERNAME and NSKIT_REGISTRY_PASSWORD"
            ),
            HttpError::NotFound(codes) => format!(
                "the registry at {url} has no {what} (404{}); check `image_prefix` and `repositories`",
                if codes.is_empty() {
                    String::new()
                } else {
                    format!(": {codes}")
                }
            ),
            HttpError::Status(code, body) => {
                format!("the registry at {url} failed on {what} (HTTP {code}){body}")
            }
            HttpError::TooLarge => format!(
                "the registry at {url} answered {what} with more than {} MiB, which no registry sends; is `registry_url` a registry?",
                MAX_REPLY >> 20
            ),
            HttpError::NotTheApi(why) => format!(
                "the registry at {url} answered {what} with something that is not the Registry API's ({why}); is `registry_url` a registry?"
            ),
        }
    }
}

fn innermost(e: &(dyn std::error::Error + 'static)) -> String {
    let mut cur = e;
    while let Some(next) = cur.source() {
        cur = next;
    }
    cur.to_string()
}

fn transport(e: reqwest::Error) -> HttpError {
    HttpError::Unreachable(innermost(&e))
}

/// A `WWW-Authenticate` challenge.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum Challenge {
    /// `Basic realm="..."`.
    Basic,
    /// `Bearer realm="...",service="..."`.
    Bearer {
        realm: String,
        service: Option<String>,
    },
}

/// Reads a `WWW-Authenticate` header.
pub(crate) fn parse_challenge(header: &str) -> Option<Challenge> {
    let (scheme, params) = header.trim().split_once(' ').unwrap_or((header.trim(), ""));
    if scheme.eq_ignore_ascii_case("basic") {
        return Some(Challenge::Basic);
    }
    if !scheme.eq_ignore_ascii_case("bearer") {
        return None;
    }
    let mut realm = None;
    let mut service = None;
    let re = regex::Regex::new(r#"([A-Za-z]+)="([^"]*)""#).expect("constant regex");
    for c in re.captures_iter(params) {
        match &c[1] {
            "realm" => realm = Some(c[2].to_string()),
            "service" => service = Some(c[2].to_string()),
            _ => {}
        }
    }
    Some(Challenge::Bearer {
        realm: realm?,
        service,
    })
}

#[derive(Deserialize)]
struct TokenAnswer {
    token: Option<String>,
    access_token: Option<String>,
}

#[derive(Deserialize)]
struct ErrorEnvelope {
    errors: Vec<RegistryErrorEntry>,
}

#[derive(Deserialize)]
struct RegistryErrorEntry {
    code: String,
    #[serde(default)]
    message: String,
}

/// The Registry API v2 of one registry.
pub(crate) struct RegistryHttp {
    base: String,
    deadline: Duration,
    http: reqwest::Client,
    credentials: Option<RegistryCredentials>,
    /// Bearer tokens by scope.
    tokens: Mutex<HashMap<String, String>>,
}

impl RegistryHttp {
    /// A transport failure; the client's own timeout is this reader's deadline.
    fn net(&self, e: reqwest::Error) -> HttpError {
        if e.is_timeout() {
            self.late()
        } else {
            transport(e)
        }
    }

    fn late(&self) -> HttpError {
        HttpError::Unreachable(format!(
            "no whole answer within {} s",
            self.deadline.as_secs_f32()
        ))
    }

    /// Reads a reply's body, refusing more than [`MAX_REPLY`] bytes.
    async fn body(&self, mut res: reqwest::Response) -> Result<Vec<u8>, HttpError> {
        if res.content_length().is_some_and(|n| n > MAX_REPLY as u64) {
            return Err(HttpError::TooLarge);
        }
        let mut out = Vec::new();
        while let Some(chunk) = res.chunk().await.map_err(|e| self.net(e))? {
            if out.len() + chunk.len() > MAX_REPLY {
                return Err(HttpError::TooLarge);
            }
            out.extend_from_slice(&chunk);
        }
        Ok(out)
    }

    /// The API at `base` (`http://127.0.0.1:5000`, `https://ghcr.io`).
    pub(crate) fn new(
        base: String,
        credentials: Option<RegistryCredentials>,
        deadline: Duration,
    ) -> Result<RegistryHttp, String> {
        let http = reqwest::Client::builder()
            .connect_timeout(Duration::from_secs(5))
            .timeout(deadline)
            .build()
            .map_err(|e| format!("cannot start the HTTP client: {e}"))?;
        Ok(RegistryHttp {
            base,
            deadline,
            http,
            credentials,
            tokens: Mutex::new(HashMap::new()),
        })
    }

    /// `GET path` with the scope's credentials, within [`DEADLINE`]: the headers and body.
    pub(crate) async fn get(
        &self,
        path: &str,
        scope: &str,
        accept: Option<&str>,
    ) -> Result<(reqwest::header::HeaderMap, Vec<u8>), HttpError> {
        match tokio::time::timeout(self.deadline, self.get_inner(path, scope, accept)).await {
            Ok(r) => r,
            Err(_) => Err(self.late()),
        }
    }

    async fn get_inner(
        &self,
        path: &str,
        scope: &str,
        accept: Option<&str>,
    ) -> Result<(reqwest::header::HeaderMap, Vec<u8>), HttpError> {
        let url = format!("{}{path}", self.base);
        let request = |auth: Option<&Auth>| {
            let mut r = self.http.get(&url);
            if let Some(a) = accept {
                r = r.header(reqwest::header::ACCEPT, a);
            }
            match auth {
                Some(Auth::Bearer(t)) => r.bearer_auth(t),
                Some(Auth::Basic(c)) => r.basic_auth(&c.username, Some(&c.password)),
                None => r,
            }
        };
        let cached = self
            .tokens
            .lock()
            .ok()
            .and_then(|t| t.get(scope).cloned())
            .map(Auth::Bearer);
        let mut res = request(cached.as_ref())
            .send()
            .await
            .map_err(|e| self.net(e))?;
        if res.status() == reqwest::StatusCode::UNAUTHORIZED {
            let challenge = res
                .headers()
                .get(reqwest::header::WWW_AUTHENTICATE)
                .and_then(|h| h.to_str().ok())
                .and_then(parse_challenge);
            let auth = match challenge {
                Some(Challenge::Bearer { realm, service }) => {
                    let token = self.token(&realm, service.as_deref(), scope).await?;
                    if let Ok(mut t) = self.tokens.lock() {
                        t.insert(scope.to_string(), token.clone());
                    }
                    Auth::Bearer(token)
                }
                Some(Challenge::Basic) => match &self.credentials {
                    Some(c) => Auth::Basic(c.clone()),
                    None => return Err(HttpError::Unauthorized),
                },
                None => return Err(HttpError::Unauthorized),
            };
            res = request(Some(&auth)).send().await.map_err(|e| self.net(e))?;
        }
        let status = res.status();
        if status.is_success() {
            let headers = res.headers().clone();
            return Ok((headers, self.body(res).await?));
        }
        if status == reqwest::StatusCode::UNAUTHORIZED || status == reqwest::StatusCode::FORBIDDEN {
            return Err(HttpError::Unauthorized);
        }
        let text = self.body(res).await.unwrap_or_default();
        let codes = serde_json::from_slice::<ErrorEnvelope>(&text)
            .map(|e| {
                e.errors
                    .iter()
                    .map(|e| format!("{} {}", e.code, e.message).trim().to_string())
                    .collect::<Vec<_>>()
                    .join("; ")
            })
            .unwrap_or_default();
        if status == reqwest::StatusCode::NOT_FOUND {
            return Err(HttpError::NotFound(codes));
        }
        let detail = if codes.is_empty() {
            String::from_utf8_lossy(&text[..text.len().min(200)])
                .trim()
                .to_string()
        } else {
            codes
        };
        Err(HttpError::Status(
            status.as_u16(),
            if detail.is_empty() {
                String::new()
            } else {
                format!(": {detail}")
            },
        ))
    }

    /// A bearer token for `scope` from the realm, with the credentials when there are some.
    async fn token(
        &self,
        realm: &str,
        service: Option<&str>,
        scope: &str,
    ) -> Result<String, HttpError> {
        let mut req = self.http.get(realm).query(&[("scope", scope)]);
        if let Some(s) = service {
            req = req.query(&[("service", s)]);
        }
        if let Some(c) = &self.credentials {
            req = req.basic_auth(&c.username, Some(&c.password));
        }
        let res = req.send().await.map_err(|e| self.net(e))?;
        if !res.status().is_success() {
            return Err(HttpError::Unauthorized);
        }
        let bytes = self.body(res).await?;
        let answer: TokenAnswer = serde_json::from_slice(&bytes).map_err(|e| {
            HttpError::NotTheApi(format!("the token server {realm} sent no token: {e}"))
        })?;
        answer
            .token
            .or(answer.access_token)
            .ok_or(HttpError::Unauthorized)
    }

    /// `GET path` as JSON.
    pub(crate) async fn json(&self, path: &str, scope: &str) -> Result<Value, HttpError> {
        let (_, bytes) = self.get(path, scope, Some("application/json")).await?;
        serde_json::from_slice(&bytes).map_err(|e| HttpError::NotTheApi(e.to_string()))
    }

    /// One page of the catalogue.
    pub(crate) async fn catalog(
        &self,
        n: usize,
        last: Option<&str>,
    ) -> Result<Vec<String>, HttpError> {
        let mut path = format!("/v2/_catalog?n={n}");
        if let Some(l) = last {
            path.push_str(&format!("&last={}", urlencode(l)));
        }
        let v = self.json(&path, "registry:catalog:*").await?;
        strings(&v, "repositories")
    }

    /// One page of a repository's tags.
    pub(crate) async fn tags(
        &self,
        repository: &str,
        n: usize,
        last: Option<&str>,
    ) -> Result<Vec<String>, HttpError> {
        let mut path = format!("/v2/{repository}/tags/list?n={n}");
        if let Some(l) = last {
            path.push_str(&format!("&last={}", urlencode(l)));
        }
        let v = self
            .json(&path, &format!("repository:{repository}:pull"))
            .await?;
        match v.get("tags") {
            Some(Value::Null) | None => Ok(vec![]),
            _ => strings(&v, "tags"),
        }
    }

    /// The config blob of `repository:reference`, through an index to this machine's
    /// platform when the reference names one.
    pub(crate) async fn config(
        &self,
        repository: &str,
        reference: &str,
    ) -> Result<Value, HttpError> {
        let scope = format!("repository:{repository}:pull");
        let manifest = |r: String| {
            let scope = scope.clone();
            async move {
                let (_, bytes) = self
                    .get(
                        &format!("/v2/{repository}/manifests/{r}"),
                        &scope,
                        Some(MANIFEST_TYPES),
                    )
                    .await?;
                serde_json::from_slice::<Value>(&bytes)
                    .map_err(|e| HttpError::NotTheApi(format!("a manifest that is not JSON: {e}")))
            }
        };
        let mut m = manifest(reference.to_string()).await?;
        if let Some(pick) = pick_manifest(&m) {
            m = manifest(pick?).await?;
        }
        let digest = m
            .pointer("/config/digest")
            .and_then(Value::as_str)
            .ok_or_else(|| HttpError::NotTheApi("a manifest without a config".into()))?;
        let (_, bytes) = self
            .get(&format!("/v2/{repository}/blobs/{digest}"), &scope, None)
            .await?;
        serde_json::from_slice(&bytes)
            .map_err(|e| HttpError::NotTheApi(format!("an image config that is not JSON: {e}")))
    }
}

/// For the fuzz target: every parser this module runs on a registry's reply (catalogue,
/// tags, token answer, error envelope, index selection, config labels), on `bytes`.
#[doc(hidden)]
pub fn fuzz_reply(bytes: &[u8]) {
    let _ = serde_json::from_slice::<TokenAnswer>(bytes);
    let _ = serde_json::from_slice::<ErrorEnvelope>(bytes);
    if let Ok(v) = serde_json::from_slice::<Value>(bytes) {
        let _ = strings(&v, "repositories");
        let _ = strings(&v, "tags");
        let _ = pick_manifest(&v);
        let _ = v.pointer("/config/digest").and_then(Value::as_str);
        let _ = crate::registry::config_labels(&v);
    }
    if let Ok(text) = std::str::from_utf8(bytes) {
        let _ = parse_challenge(text);
    }
}

/// The digest of the image for this machine's platform in an index (else the first), or
/// `None` when `m` is not an index.
fn pick_manifest(m: &Value) -> Option<Result<String, HttpError>> {
    let list = m.get("manifests").and_then(Value::as_array)?;
    let (os, arch) = platform();
    Some(
        list.iter()
            .find(|e| {
                e.pointer("/platform/os").and_then(Value::as_str) == Some(os)
                    && e.pointer("/platform/architecture").and_then(Value::as_str) == Some(arch)
            })
            .or_else(|| list.first())
            .and_then(|e| e.get("digest").and_then(Value::as_str))
            .map(String::from)
            .ok_or_else(|| HttpError::NotTheApi("an index without images".into())),
    )
}

enum Auth {
    Bearer(String),
    Basic(RegistryCredentials),
}

/// This machine's platform as image indexes name it.
fn platform() -> (&'static str, &'static str) {
    let arch = match std::env::consts::ARCH {
        "x86_64" => "amd64",
        "aarch64" => "arm64",
        "x86" => "386",
        "powerpc64" => "ppc64le",
        other => other,
    };
    ("linux", arch)
}

fn urlencode(s: &str) -> String {
    s.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b"-._~/".contains(&b) {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

fn strings(v: &Value, key: &str) -> Result<Vec<String>, HttpError> {
    v.get(key)
        .and_then(Value::as_array)
        .map(|a| {
            a.iter()
                .filter_map(Value::as_str)
                .map(String::from)
                .collect()
        })
        .ok_or_else(|| HttpError::NotTheApi(format!("no `{key}` list")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn challenges_are_read() {
        assert_eq!(
            parse_challenge(
                r#"Bearer realm="https://ghcr.io/token",service="ghcr.io",scope="repository:a/b:pull""#
            ),
            Some(Challenge::Bearer {
                realm: "https://ghcr.io/token".into(),
                service: Some("ghcr.io".into())
            })
        );
        assert_eq!(
            parse_challenge(r#"Basic realm="nskit-test""#),
            Some(Challenge::Basic)
        );
        assert_eq!(parse_challenge("Negotiate"), None);
        assert_eq!(parse_challenge(r#"Bearer service="x""#), None);
    }
}
