use std::sync::{Arc, Mutex};

use super::*;
use nskit_progress::Event;
use serde_json::json;

/// A plug-in written as a shell script in a fresh folder.
fn script(body: &str) -> (tempfile::TempDir, Plugin) {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("nskit-backend-test");
    std::fs::write(&path, format!("#!/bin/sh\n{body}\n")).expect("write");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755)).expect("chmod");
    }
    (dir, Plugin::new(path))
}

fn call(p: &Plugin, timeout: Duration) -> Result<Value, PluginError> {
    p.call(
        "list",
        &json!({"bucket": "b"}),
        &json!({}),
        timeout,
        &Reporter::silent(),
    )
}

const SECOND: Duration = Duration::from_secs(1);

#[test]
fn a_reply_is_read_and_the_request_is_what_the_protocol_says() {
    // The plug-in echoes the request back inside its result.
    let (_d, p) = script(r#"read req; printf '{"protocol": 1, "result": %s}\n' "$req""#);
    let got = call(&p, 10 * SECOND).expect("answers");
    assert_eq!(
        got,
        json!({"protocol": 1, "method": "list", "config": {"bucket": "b"}, "params": {}})
    );
}

#[test]
fn stderr_is_the_log_with_secrets_masked() {
    nskit_secret::register("s3cr3t-value-123");
    let (_d, p) = script(
        r#"cat >/dev/null; echo "listing with s3cr3t-value-123" >&2; echo '{"protocol":1,"result":[]}'"#,
    );
    let lines = Arc::new(Mutex::new(Vec::new()));
    let seen = lines.clone();
    let reporter = Reporter::new(move |e| {
        if let Event::Log { line } = e {
            seen.lock().expect("lock").push(line.clone());
        }
    });
    p.call("list", &json!({}), &json!({}), 10 * SECOND, &reporter)
        .expect("answers");
    let lines = lines.lock().expect("lock").clone();
    assert_eq!(lines.len(), 1, "{lines:?}");
    assert!(lines[0].starts_with("listing with "), "{lines:?}");
    assert!(!lines[0].contains("s3cr3t-value-123"), "{lines:?}");
}

#[test]
fn a_missing_program_is_named_with_the_fix() {
    let e = Plugin::find("nskit-backend-", "no-such-type-here").expect_err("missing");
    let m = e.to_string();
    assert!(m.contains("nskit-backend-no-such-type-here"), "{m}");
    assert!(m.contains("command:"), "{m}");
    let e = Plugin::new("/nonexistent/nskit-backend-x")
        .call("list", &json!({}), &json!({}), SECOND, &Reporter::silent())
        .expect_err("missing");
    assert!(matches!(e, PluginError::NotFound { .. }), "{e}");
}

#[test]
fn a_name_with_a_path_is_refused() {
    for bad in ["../sh", "a/b", "", "S3", "-x"] {
        let e = Plugin::find("nskit-backend-", bad).expect_err("refused");
        assert!(matches!(e, PluginError::BadName { .. }), "{bad}: {e}");
    }
}

#[test]
fn a_crash_is_reported_with_its_last_output() {
    let (_d, p) = script("echo 'about to fail' >&2; kill -SEGV $$");
    let e = call(&p, 10 * SECOND).expect_err("crashes");
    let m = e.to_string();
    assert!(m.contains("nskit-backend-test"), "{m}");
    assert!(m.contains("killed by signal 11"), "{m}");
    assert!(m.contains("about to fail"), "{m}");

    let (_d, p) = script("echo 'no bucket' >&2; exit 3");
    let m = call(&p, 10 * SECOND).expect_err("fails").to_string();
    assert!(m.contains("exited with status 3"), "{m}");
    assert!(m.contains("no bucket"), "{m}");
}

#[test]
fn output_that_is_not_the_protocol_is_refused() {
    for (body, problem) in [
        ("echo 'Listing recipes...'", "not one JSON object"),
        ("true", "printed nothing"),
        (r#"echo '{"result": []}'"#, "no numeric `protocol`"),
        (r#"echo '{"protocol": 1}'"#, "neither `result` nor `error`"),
        (
            r#"echo '{"protocol": 1, "result": []}'; echo 'done'"#,
            "not one JSON object",
        ),
    ] {
        let (_d, p) = script(body);
        let e = call(&p, 10 * SECOND).expect_err(body);
        assert!(matches!(e, PluginError::NotProtocol { .. }), "{body}: {e}");
        let m = e.to_string();
        assert!(m.contains(problem), "{body}: {m}");
        assert!(m.contains("nskit-backend-test"), "{m}");
    }
}

#[test]
fn another_protocol_version_is_refused_saying_both() {
    let (_d, p) = script(
        r#"echo '{"protocol": 2, "error": {"code": "unsupported_protocol", "message": "speaks 2"}}'"#,
    );
    let e = call(&p, 10 * SECOND).expect_err("version");
    assert!(matches!(e, PluginError::Version { theirs: 2, .. }), "{e}");
    let m = e.to_string();
    assert!(m.contains("version 2") && m.contains("version 1"), "{m}");
}

#[test]
fn the_plugins_own_error_comes_through() {
    let (_d, p) = script(
        r#"echo '{"protocol": 1, "error": {"code": "not_found", "message": "no recipe named `x`", "details": {"available": ["a"]}}}'; exit 1"#,
    );
    match call(&p, 10 * SECOND).expect_err("refused") {
        PluginError::Refused(r) => {
            assert_eq!(r.code, "not_found");
            assert_eq!(r.message, "no recipe named `x`");
            assert_eq!(r.details["available"], json!(["a"]));
        }
        e => panic!("{e}"),
    }
}

#[test]
fn a_plugin_that_hangs_is_stopped_with_what_it_started() {
    let dir = tempfile::tempdir().expect("tempdir");
    let marker = dir.path().join("child-pid");
    // It starts a child that would hold the pipes open, then hangs.
    let (_d, p) = script(&format!(
        "sleep 300 & echo $! > {}; sleep 300",
        marker.display()
    ));
    let started = Instant::now();
    let e = call(&p, SECOND).expect_err("hangs");
    assert!(matches!(e, PluginError::TimedOut { secs: 1, .. }), "{e}");
    assert!(e.to_string().contains("timeout_secs"), "{e}");
    assert!(started.elapsed() < Duration::from_secs(20));
    let pid = std::fs::read_to_string(&marker).expect("pid");
    std::thread::sleep(Duration::from_millis(200));
    let alive = Path::new(&format!("/proc/{}", pid.trim())).exists()
        && !std::fs::read_to_string(format!("/proc/{}/stat", pid.trim()))
            .unwrap_or_default()
            .contains(") Z ");
    assert!(!alive, "the plug-in's child {pid} is still running");
}

#[test]
fn a_cancelled_call_stops_the_plugin() {
    let (_d, p) = script("sleep 300");
    let reporter = Reporter::silent();
    let token = reporter.cancel_token().clone();
    std::thread::spawn(move || {
        std::thread::sleep(Duration::from_millis(300));
        token.cancel();
    });
    let started = Instant::now();
    let e = p
        .call("list", &json!({}), &json!({}), 60 * SECOND, &reporter)
        .expect_err("cancelled");
    assert!(matches!(e, PluginError::Cancelled), "{e}");
    assert!(started.elapsed() < Duration::from_secs(30));
}

#[test]
fn plugins_on_path_are_found_by_prefix() {
    let (first, _p) = script("true");
    std::fs::write(first.path().join("nskit-backend-notexec"), "x").expect("write");
    let (second, _q) = script("false");
    let dirs = [first.path().to_path_buf(), second.path().to_path_buf()];
    let found = in_dirs("nskit-backend-", &dirs);
    let names: Vec<&str> = found.iter().map(|(n, _)| n.as_str()).collect();
    assert_eq!(names, ["test"], "not executable, or found twice: {found:?}");
    // The first folder wins, as in a shell.
    assert_eq!(
        found[0].1.program(),
        first.path().join("nskit-backend-test")
    );
    let p = Plugin::find_in("nskit-backend-", "test", &dirs).expect("found");
    assert_eq!(p.label(), "nskit-backend-test");
    assert!(matches!(
        Plugin::find_in("nskit-backend-", "notexec", &dirs),
        Err(PluginError::NotFound { .. })
    ));
}
