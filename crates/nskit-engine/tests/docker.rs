//! The engine against a real Docker engine (DOCKER_HOST, as `scripts/test` starts one).
//! Without an engine the tests say why and pass, except under `CI=true`, where a missing
//! engine is a failure.
use std::collections::HashMap;
use std::time::{Duration, Instant};

use nskit_engine::{DockerEngine, EngineError, Mount, RunSpec};
use nskit_progress::{Event, Reporter};

const IMAGE: &str = "nskit-test/busybox:1";

/// The engine, with a busybox image built from the host's static busybox.
fn engine() -> Option<DockerEngine> {
    let e = match DockerEngine::connect(None) {
        Ok(e) => e,
        Err(err) => {
            if std::env::var("CI").is_ok_and(|v| v == "true") {
                panic!("CI=true and no Docker engine: {err}");
            }
            eprintln!("skipped: no Docker engine ({err}); scripts/test starts one");
            return None;
        }
    };
    if !e.image_present(IMAGE).expect("inspect") {
        let ctx = nskit_testkit::busybox_context().expect("the busybox build context");
        e.build(ctx, IMAGE, &HashMap::new(), &Reporter::silent())
            .expect("build the test image");
    }
    Some(e)
}

fn sh(script: &str) -> RunSpec {
    RunSpec::new(IMAGE, vec!["sh".into(), "-c".into(), script.into()])
}

#[test]
fn connects_and_names_the_engine() {
    let Some(e) = engine() else { return };
    assert!(e.version().contains("API"), "{}", e.version());
}

#[test]
fn a_missing_engine_says_so_and_how_to_fix_it() {
    let err = DockerEngine::connect(Some("unix:///nonexistent/docker.sock")).unwrap_err();
    let msg = err.to_string();
    assert!(
        msg.contains("no Docker engine answers at unix:///nonexistent/docker.sock"),
        "{msg}"
    );
    assert!(msg.contains("DOCKER_HOST"), "{msg}");
}

#[test]
fn writes_only_the_output_folder_as_the_calling_user() {
    let Some(e) = engine() else { return };
    let out = tempfile::tempdir().expect("tempdir");
    let input = tempfile::tempdir().expect("tempdir");
    std::fs::write(input.path().join("input.yml"), "name: demo\n").expect("write");
    let mut spec = sh(
        "cat /app/input.yml > /app/output/copy.yml && echo $HOME > /app/output/home \
         && (touch /etc/x 2>/dev/null && echo rootfs-writable || echo rootfs-readonly) > /app/output/rootfs \
         && (touch /app/input.yml 2>/dev/null && echo input-writable || echo input-readonly) > /app/output/input",
    );
    spec.mounts = vec![
        Mount {
            host: out.path().to_path_buf(),
            container: "/app/output".into(),
            read_only: false,
        },
        Mount {
            host: input.path().join("input.yml"),
            container: "/app/input.yml".into(),
            read_only: true,
        },
    ];
    e.run(&spec, &Reporter::silent()).expect("runs");
    let read = |f: &str| std::fs::read_to_string(out.path().join(f)).expect("read");
    assert_eq!(read("copy.yml"), "name: demo\n");
    assert_eq!(read("home"), "/tmp\n");
    assert_eq!(read("rootfs"), "rootfs-readonly\n");
    assert_eq!(read("input"), "input-readonly\n");
    use std::os::unix::fs::MetadataExt;
    let me = std::fs::metadata("/proc/self").expect("self").uid();
    let owner = std::fs::metadata(out.path().join("copy.yml"))
        .expect("meta")
        .uid();
    assert_eq!(owner, me, "files belong to the calling user, not root");
}

#[test]
fn a_failing_container_is_an_error_with_its_last_lines() {
    let Some(e) = engine() else { return };
    let err = e
        .run(
            &sh("echo starting; echo 'field name is invalid' >&2; exit 3"),
            &Reporter::silent(),
        )
        .unwrap_err();
    match &err {
        EngineError::RunFailed { what, logs } => {
            assert_eq!(what, "exited with status 3");
            assert!(logs.contains("field name is invalid"), "{logs}");
        }
        other => panic!("{other}"),
    }
}

#[test]
fn a_container_that_runs_too_long_is_stopped() {
    let Some(e) = engine() else { return };
    let mut spec = sh("echo working; sleep 60");
    spec.timeout = Duration::from_secs(2);
    let t = Instant::now();
    let err = e.run(&spec, &Reporter::silent()).unwrap_err();
    assert!(t.elapsed() < Duration::from_secs(30));
    let msg = err.to_string();
    assert!(msg.contains("timed out after 2 s"), "{msg}");
    assert!(msg.contains("working"), "{msg}");
}

#[test]
fn the_network_is_off_unless_asked_for() {
    let Some(e) = engine() else { return };
    let out = e
        .run(&sh("ls /sys/class/net"), &Reporter::silent())
        .expect("runs");
    assert_eq!(out.logs.split_whitespace().collect::<Vec<_>>(), ["lo"]);
    let err = e
        .run(
            &sh("wget -T 2 -q -O- http://1.1.1.1/ || { echo no-network; exit 7; }"),
            &Reporter::silent(),
        )
        .unwrap_err();
    assert!(err.to_string().contains("no-network"), "{err}");
}

#[test]
fn a_missing_image_is_named() {
    let Some(e) = engine() else { return };
    let err = e
        .run(
            &RunSpec::new("nskit-test/absent:0", vec!["true".into()]),
            &Reporter::silent(),
        )
        .unwrap_err();
    assert!(
        matches!(err, EngineError::ImageMissing(ref i) if i == "nskit-test/absent:0"),
        "{err}"
    );
}

/// A build context: a Dockerfile and files.
fn context(dockerfile: &str, files: &[(&str, &[u8])]) -> Vec<u8> {
    let mut tar = tar::Builder::new(Vec::new());
    let mut all = vec![("Dockerfile", dockerfile.as_bytes())];
    all.extend_from_slice(files);
    for (name, data) in all {
        let mut h = tar::Header::new_gnu();
        h.set_size(data.len() as u64);
        h.set_mode(0o644);
        h.set_cksum();
        tar.append_data(&mut h, name, data).expect("tar");
    }
    tar.into_inner().expect("tar")
}

#[test]
fn copies_a_folder_out_of_an_image_without_running_it() {
    let Some(e) = engine() else { return };
    let mut labels = HashMap::new();
    labels.insert("nskit.recipe".to_string(), "true".to_string());
    labels.insert("nskit.recipe.format".to_string(), "template".to_string());
    e.build(
        context(
            &format!("FROM {IMAGE}\nCOPY recipe /recipe\n"),
            &[
                ("recipe/recipe.yaml", b"name: demo\n"),
                ("recipe/template/README.md", b"# {{ name }}\n"),
            ],
        ),
        "nskit-test/copy-out:1.0.0",
        &labels,
        &Reporter::silent(),
    )
    .expect("build");
    let details = e
        .inspect("nskit-test/copy-out:1.0.0")
        .expect("inspect")
        .expect("present");
    assert_eq!(
        details
            .labels
            .get("nskit.recipe.format")
            .map(String::as_str),
        Some("template")
    );
    assert!(details.id.starts_with("sha256:"), "{}", details.id);
    let dest = tempfile::tempdir().expect("tempdir");
    e.copy_out("nskit-test/copy-out:1.0.0", "/recipe", dest.path())
        .expect("copy");
    assert_eq!(
        std::fs::read_to_string(dest.path().join("recipe/template/README.md")).expect("read"),
        "# {{ name }}\n"
    );
    let err = e
        .copy_out("nskit-test/copy-out:1.0.0", "/nothing-here", dest.path())
        .unwrap_err();
    assert!(err.to_string().contains("has no /nothing-here"), "{err}");
    assert!(e.inspect("nskit-test/absent:0").expect("inspect").is_none());
}

/// A reporter that records every event.
fn recording() -> (Reporter, std::sync::Arc<std::sync::Mutex<Vec<Event>>>) {
    let seen: std::sync::Arc<std::sync::Mutex<Vec<Event>>> = Default::default();
    let sink = seen.clone();
    let r = Reporter::new(move |e| sink.lock().expect("lock").push(e.clone()));
    (r, seen)
}

fn log_lines(seen: &std::sync::Mutex<Vec<Event>>) -> Vec<String> {
    seen.lock()
        .expect("lock")
        .iter()
        .filter_map(|e| match e {
            Event::Log { line } => Some(line.clone()),
            _ => None,
        })
        .collect()
}

#[test]
fn a_containers_lines_reach_the_reporter_as_they_come_with_secrets_masked() {
    let Some(e) = engine() else { return };
    nskit_secret::register("hunter2-engine-secret");
    let (r, seen) = recording();
    let out = e
        .run(
            &sh("echo one; sleep 0.2; echo two >&2; sleep 0.2; echo 'token hunter2-engine-secret'; printf 'no newline'"),
            &r,
        )
        .expect("runs");
    let lines = log_lines(&seen);
    assert_eq!(lines.len(), 4, "{lines:?}");
    assert_eq!(
        (&lines[0][..], &lines[1][..], &lines[3][..]),
        ("one", "two", "no newline")
    );
    assert!(
        lines[2].starts_with("token ") && !lines[2].contains("hunter2"),
        "{lines:?}"
    );
    // The outcome keeps the output as printed, for the caller to parse.
    assert!(out.logs.contains("hunter2-engine-secret"), "{}", out.logs);
}

#[test]
fn a_cancelled_run_stops_and_removes_its_container() {
    let Some(e) = engine() else { return };
    let mark = format!("nskit.test=cancel-{}", std::process::id());
    let seen: std::sync::Arc<std::sync::Mutex<Vec<Event>>> = Default::default();
    let sink = seen.clone();
    let token = nskit_progress::CancellationToken::new();
    let cancel = token.clone();
    // The sink cancels as soon as the container says it started.
    let r = Reporter::new(move |ev| {
        if matches!(ev, Event::Log { line } if line == "started") {
            cancel.cancel();
        }
        sink.lock().expect("lock").push(ev.clone());
    })
    .with_cancel(token);
    let t = Instant::now();
    let mut spec = sh("echo started; sleep 60; echo never");
    spec.labels.insert(
        "nskit.test".into(),
        format!("cancel-{}", std::process::id()),
    );
    let err = e.run(&spec, &r).unwrap_err();
    assert!(matches!(err, EngineError::Cancelled), "{err}");
    assert!(t.elapsed() < Duration::from_secs(30), "{:?}", t.elapsed());
    assert_eq!(log_lines(&seen), ["started"]);
    let left = e.containers_labelled(&mark).expect("list");
    assert!(left.is_empty(), "containers left behind: {left:?}");
    // A reporter cancelled before the call runs nothing at all.
    let err = e.run(&sh("true"), &r).unwrap_err();
    assert!(matches!(err, EngineError::Cancelled), "{err}");
}

#[tokio::test]
async fn an_async_caller_can_use_the_engine_without_a_panic() {
    // The engine blocks on its own runtime; from a thread that drives another one (an
    // async server, a test) it moves that work to a thread of its own.
    let e = match DockerEngine::connect(None) {
        Ok(e) => e,
        Err(err) => {
            if std::env::var("CI").is_ok_and(|v| v == "true") {
                panic!("CI=true and no Docker engine: {err}");
            }
            eprintln!("skipped: no Docker engine ({err}); scripts/test starts one");
            return;
        }
    };
    assert!(e.version().contains("API"));
    let missing = e
        .image_present("nskit-test/never-built:0")
        .expect("inspect");
    assert!(!missing);
}
