//! `nskit serve` as a process: it refuses to start without a token or a workspace, says
//! where it listens, runs the guide's curl session (docs/examples/serve-session.sh) against
//! the built-in recipes, logs one line per request with no answer and no token in it, and
//! stops on SIGTERM. The token can be kept in the keychain (`--store-token`).
use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

mod common;
use common::{Home, run, run_with_input};

const TOKEN: &str = "serve-cli-token-0123456789abcdef";

/// Starts the server; returns it and its URL, read from its first line.
fn start(home: &Home, workspace: &Path, extra: &[(&str, &str)]) -> (Child, String) {
    let mut c = home.nskit();
    c.args(["serve", "--bind", "127.0.0.1:0", "--workspace"])
        .arg(workspace)
        .stdout(Stdio::null())
        .stderr(Stdio::piped());
    for (k, v) in extra {
        c.env(k, v);
    }
    let mut child = c.spawn().expect("serve");
    let stderr = child.stderr.take().expect("stderr");
    let mut lines = BufReader::new(stderr).lines();
    let first = lines.next().and_then(Result::ok).unwrap_or_default();
    let url = first
        .split_whitespace()
        .find(|w| w.starts_with("http://"))
        .unwrap_or_else(|| panic!("no address in {first:?}"))
        .to_string();
    // The rest of its log, for the checks below.
    let log = home.path().join("serve.log");
    std::thread::spawn(move || {
        let mut all = String::new();
        for l in lines.map_while(Result::ok) {
            all.push_str(&l);
            all.push('\n');
            let _ = std::fs::write(&log, &all);
        }
    });
    (child, url)
}

fn stop(mut child: Child) -> std::process::ExitStatus {
    let _ = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status();
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        if let Ok(Some(s)) = child.try_wait() {
            return s;
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            panic!("nskit serve did not stop on SIGTERM");
        }
        std::thread::sleep(Duration::from_millis(50));
    }
}

#[test]
fn without_a_token_or_a_workspace_it_does_not_start() {
    let home = Home::new();
    let ws = home.path().join("ws");
    std::fs::create_dir_all(&ws).expect("mkdir");
    let (code, _, stderr) = run(home
        .nskit()
        .env("DBUS_SESSION_BUS_ADDRESS", "unix:path=/nonexistent")
        .args(["serve", "--workspace"])
        .arg(&ws));
    assert_eq!(code, 2, "{stderr}");
    assert!(
        stderr.contains("no token") || stderr.contains("keychain"),
        "{stderr}"
    );
    let (code, _, stderr) = run(home.nskit().env("NSKIT_SERVE__TOKEN", TOKEN).arg("serve"));
    assert_eq!(code, 2, "{stderr}");
    assert!(stderr.contains("no workspace"), "{stderr}");
    let (code, _, stderr) = run(home
        .nskit()
        .env("NSKIT_SERVE__TOKEN", TOKEN)
        .args(["serve", "--bind", "localhost-ish", "--workspace"])
        .arg(&ws));
    assert_eq!(code, 2, "{stderr}");
    assert!(stderr.contains("not an address"), "{stderr}");
}

#[test]
fn the_guides_curl_session_runs_against_it() {
    let home = Home::new().with_git_identity();
    let ws = home.path().join("ws");
    std::fs::create_dir_all(&ws).expect("mkdir");
    let (child, url) = start(&home, &ws, &[("NSKIT_SERVE__TOKEN", TOKEN)]);
    assert!(url.starts_with("http://127.0.0.1:"), "{url}");
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../docs/examples/serve-session.sh");
    let out = Command::new("bash")
        .arg(&script)
        .env("NSKIT_URL", &url)
        .env("NSKIT_TOKEN", TOKEN)
        .output()
        .expect("bash");
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    let status = stop(child);
    assert!(out.status.success(), "{stdout}{stderr}");
    assert!(status.success(), "stopped cleanly on SIGTERM: {status:?}");
    assert!(stdout.contains("\"name\":\"rust_cli\""), "{stdout}");
    assert!(stdout.contains("\"valid\":false"), "{stdout}");
    assert!(stdout.contains("\"name\":\"hello-api\""), "{stdout}");
    assert!(stdout.contains("event: result"), "{stdout}");
    assert!(stdout.contains("\"code\":\"unauthorized\""), "{stdout}");
    assert!(ws.join("hello-api/Cargo.toml").is_file());
    assert!(ws.join("hello-lib/pyproject.toml").is_file());

    // One line per request; no answer and no token in the log.
    std::thread::sleep(Duration::from_millis(200));
    let log = std::fs::read_to_string(home.path().join("serve.log")).unwrap_or_default();
    assert!(log.contains("POST /projects 201"), "{log}");
    assert!(log.contains("POST /projects 401"), "{log}");
    for secret in [TOKEN, "hello-api\"", "Hello API"] {
        assert!(!log.contains(secret), "{secret} in the log: {log}");
    }
}

#[test]
fn the_token_can_live_in_the_keychain() {
    let Ok(_) = std::env::var("DBUS_SESSION_BUS_ADDRESS") else {
        if std::env::var("CI").is_ok_and(|v| v == "true") {
            panic!("CI=true and no keychain (DBUS_SESSION_BUS_ADDRESS)");
        }
        eprintln!("skipped: no keychain; scripts/test starts one");
        return;
    };
    let home = Home::new().with_git_identity();
    let (code, _, stderr) = run_with_input(home.nskit().args(["serve", "--store-token"]), TOKEN);
    assert_eq!(code, Some(0), "{stderr}");
    let ws = home.path().join("ws");
    std::fs::create_dir_all(&ws).expect("mkdir");
    let (child, url) = start(&home, &ws, &[]);
    let out = Command::new("curl")
        .args(["-s", "-o", "/dev/null", "-w", "%{http_code}", "-X", "POST"])
        .arg(format!("{url}/projects"))
        .args(["-H", &format!("Authorization: Bearer {TOKEN}")])
        .args(["-H", "Content-Type: application/json"])
        .args([
            "-d",
            r#"{"recipe": "rust_cli", "answers": {"project_name": "kept"}}"#,
        ])
        .output()
        .expect("curl");
    stop(child);
    assert_eq!(String::from_utf8_lossy(&out.stdout), "201");
    assert!(ws.join("kept/Cargo.toml").is_file());
}
