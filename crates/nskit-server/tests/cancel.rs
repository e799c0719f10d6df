//! A streamed creation whose caller goes away is cancelled: the recipe's task, sleeping in
//! its busybox container on the real engine (DOCKER_HOST, as scripts/test starts one), is
//! stopped and removed, and the workspace holds no folder. Without an engine the test says
//! why and passes, except under CI=true.
use std::time::{Duration, Instant};

use futures_util::StreamExt;
use serde_json::json;

mod common;
use common::{TOKEN, serve};

const BUSYBOX: &str = "nskit-test/busybox:1";

fn engine() -> Option<nskit_engine::DockerEngine> {
    let e = match nskit_engine::DockerEngine::connect(None) {
        Ok(e) => e,
        Err(err) if std::env::var("CI").is_ok_and(|v| v == "true") => {
            panic!("CI=true and no Docker engine: {err}")
        }
        Err(err) => {
            eprintln!("skipped: no Docker engine ({err}); scripts/test starts one");
            return None;
        }
    };
    if !e.image_present(BUSYBOX).expect("inspect") {
        e.build(
            nskit_testkit::busybox_context().expect("the busybox build context"),
            BUSYBOX,
            &Default::default(),
            &nskit::Reporter::silent(),
        )
        .expect("build busybox");
    }
    Some(e)
}

/// The containers of this test: nskit's label and a word of their command.
fn ours(marker: &str) -> Vec<String> {
    let out = std::process::Command::new("docker")
        .args(["ps", "-a", "--no-trunc", "--filter"])
        .arg(format!("label={}", nskit_engine::CONTAINER_LABEL))
        .args(["--format", "{{.Names}} {{.Command}}"])
        .output()
        .expect("docker ps");
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .filter(|l| l.contains(marker))
        .map(str::to_string)
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_caller_that_goes_away_cancels_its_creation() {
    let Some(_engine) = tokio::task::spawn_blocking(engine).await.expect("engine") else {
        return;
    };
    let dir = tempfile::tempdir().expect("tempdir");
    let marker = format!("nskit-serve-cancel-{}", std::process::id());
    let recipe = dir.path().join("recipes/slow/1.0.0");
    std::fs::create_dir_all(recipe.join("template")).expect("mkdir");
    std::fs::write(
        recipe.join("recipe.yaml"),
        format!(
            "name: slow\nbase_image: {BUSYBOX}\nfields:\n  - name: project_name\n    default: slow-demo\ntasks:\n  - name: warm up\n    run: echo started {marker}; sleep 60\n"
        ),
    )
    .expect("write");
    std::fs::write(recipe.join("template/README.md"), "# {{ project_name }}\n").expect("write");
    let config = format!(
        "backends:\n  team:\n    type: local\n    recipes_dir: {}\n",
        dir.path().join("recipes").display()
    );
    let s = serve(dir, &config, Default::default(), 1 << 20).await;
    let workspace = s.workspace.clone();

    let response = reqwest::Client::new()
        .post(format!("{}/projects", s.url))
        .bearer_auth(TOKEN)
        .header("accept", "text/event-stream")
        .json(&json!({"recipe": "slow", "answers": {"project_name": "slow-demo"}}))
        .send()
        .await
        .expect("post");
    assert_eq!(response.status().as_u16(), 200);
    // Read until the task says it started in its container, then hang up.
    let mut stream = response.bytes_stream();
    let mut seen = String::new();
    let deadline = Instant::now() + Duration::from_secs(120);
    while !seen.contains(&format!("started {marker}")) {
        assert!(Instant::now() < deadline, "the task never started: {seen}");
        match tokio::time::timeout(Duration::from_secs(60), stream.next()).await {
            Ok(Some(Ok(chunk))) => seen.push_str(&String::from_utf8_lossy(&chunk)),
            other => panic!("the stream ended first ({other:?}): {seen}"),
        }
    }
    assert!(!ours(&marker).is_empty(), "the task's container runs");
    drop(stream);

    // Cancelled: the container stopped and removed, nothing in the workspace.
    let deadline = Instant::now() + Duration::from_secs(45);
    loop {
        let left = ours(&marker);
        let folders: Vec<_> = std::fs::read_dir(&workspace)
            .expect("read")
            .flatten()
            .map(|e| e.file_name())
            .collect();
        if left.is_empty() && folders.is_empty() {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "left after the caller went away: containers {left:?}, folders {folders:?}"
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}
