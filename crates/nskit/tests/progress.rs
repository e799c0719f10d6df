//! Progress and cancel through the client layer: the steps of creating a project reach the
//! reporter in order, and a cancelled creation leaves nothing behind (no project folder,
//! no staging folder, no container), whether it is cancelled while resolving, rendering,
//! writing, or while a recipe task runs in a container of the real Docker engine.
use std::path::Path;
use std::sync::{Arc, Mutex};

use nskit::{ErrorCode, Event, InitRequest, Output, RecipeClient, Reporter, Step, StepState};

type Seen = Arc<Mutex<Vec<Event>>>;

/// A reporter that records every event and cancels when `cancel_on` says so.
fn reporter(cancel_on: impl Fn(&Event) -> bool + Send + Sync + 'static) -> (Reporter, Seen) {
    let seen: Seen = Arc::default();
    let sink = seen.clone();
    let token = nskit::CancellationToken::new();
    let cancel = token.clone();
    let r = Reporter::new(move |e| {
        sink.lock().expect("lock").push(e.clone());
        if cancel_on(e) {
            cancel.cancel();
        }
    })
    .with_cancel(token);
    (r, seen)
}

fn steps(seen: &Seen) -> Vec<(Step, StepState)> {
    seen.lock()
        .expect("lock")
        .iter()
        .filter_map(|e| match e {
            Event::Step { step, state, .. } => Some((*step, *state)),
            _ => None,
        })
        .collect()
}

fn request(out: &Path) -> InitRequest {
    let mut answers = serde_json::Map::new();
    answers.insert("project_name".into(), "progress-demo".into());
    InitRequest {
        recipe: "rust_cli".into(),
        answers,
        output: Output::Base(out.to_path_buf()),
        ..InitRequest::default()
    }
}

/// Nothing at all in `dir`: no project, no staging folder beside it.
fn assert_empty(dir: &Path) {
    let left: Vec<_> = std::fs::read_dir(dir)
        .expect("read")
        .map(|e| e.expect("entry").file_name())
        .collect();
    assert!(left.is_empty(), "left behind: {left:?}");
}

#[test]
fn creating_a_project_reports_each_step_in_order() {
    let out = tempfile::tempdir().expect("tempdir");
    let (r, seen) = reporter(|_| false);
    let result = RecipeClient::builtin()
        .init(&request(out.path()), None, &r)
        .expect("created");
    assert!(result.project_path.join("Cargo.toml").is_file());
    use StepState::{Finished, Started};
    assert_eq!(
        steps(&seen),
        [
            (Step::Resolve, Started),
            (Step::Resolve, Finished),
            (Step::Render, Started),
            (Step::Render, Finished),
            (Step::Write, Started),
            (Step::Write, Finished),
            (Step::Commit, Started),
            (Step::Commit, Finished),
        ]
    );
    let files = seen
        .lock()
        .expect("lock")
        .iter()
        .rev()
        .find_map(|e| match e {
            Event::Files { done, total } => Some((*done, *total)),
            _ => None,
        });
    let (done, total) = files.expect("a files event");
    assert_eq!(done, total);
    assert!(total > 3, "{total}");
}

#[test]
fn a_creation_cancelled_at_any_step_before_the_files_are_in_place_leaves_nothing() {
    for at in [Step::Resolve, Step::Render, Step::Write, Step::Commit] {
        let out = tempfile::tempdir().expect("tempdir");
        let (r, seen) = reporter(
            move |e| matches!(e, Event::Step { step, state: StepState::Started, .. } if *step == at),
        );
        let err = RecipeClient::builtin()
            .init(&request(out.path()), None, &r)
            .expect_err("cancelled");
        assert_eq!(err.code(), ErrorCode::Cancelled, "{at:?}: {err}");
        assert_empty(out.path());
        // The step under way ends as cancelled, and nothing starts after it.
        let s = steps(&seen);
        assert_eq!(s.last(), Some(&(at, StepState::Cancelled)), "{at:?}: {s:?}");
    }
}

fn ci() -> bool {
    std::env::var("CI").is_ok_and(|v| v == "true")
}

const BUSYBOX: &str = "nskit-test/busybox:1";

/// The engine `scripts/test` starts, with a busybox image; `None` (said) without one.
fn engine() -> Option<nskit_engine::DockerEngine> {
    let e = match nskit_engine::DockerEngine::connect(None) {
        Ok(e) => e,
        Err(err) if ci() => panic!("CI=true and no Docker engine: {err}"),
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
            &Reporter::silent(),
        )
        .expect("build busybox");
    }
    Some(e)
}

#[test]
fn a_task_cancelled_in_its_container_leaves_no_folder_and_no_container() {
    let Some(engine) = engine() else { return };
    let recipes = tempfile::tempdir().expect("tempdir");
    let dir = recipes.path().join("slow").join("1.0.0");
    std::fs::create_dir_all(dir.join("template")).expect("mkdir");
    std::fs::write(
        dir.join("recipe.yaml"),
        format!(
            "name: slow\nbase_image: {BUSYBOX}\nfields:\n  - name: project_name\n    default: slow-demo\ntasks:\n  - name: warm up\n    run: echo started; sleep 60; echo never\n"
        ),
    )
    .expect("write");
    std::fs::write(dir.join("template/README.md"), "# {{ project_name }}\n").expect("write");
    let client = RecipeClient::new(Box::new(nskit_backends::LocalBackend::new(
        recipes.path().to_path_buf(),
    )));
    let out = tempfile::tempdir().expect("tempdir");
    let (r, seen) = reporter(|e| matches!(e, Event::Log { line } if line == "started"));
    let started = std::time::Instant::now();
    let err = client
        .init(
            &InitRequest {
                recipe: "slow".into(),
                output: Output::Base(out.path().to_path_buf()),
                ..InitRequest::default()
            },
            None,
            &r,
        )
        .expect_err("cancelled");
    assert_eq!(err.code(), ErrorCode::Cancelled, "{err}");
    assert!(
        started.elapsed() < std::time::Duration::from_secs(40),
        "the container ran on"
    );
    assert_empty(out.path());
    let left = engine
        .containers_labelled(nskit_engine::CONTAINER_LABEL)
        .expect("list");
    assert!(left.is_empty(), "containers left: {left:?}");
    let seen = seen.lock().expect("lock").clone();
    assert!(
        seen.contains(&Event::Task {
            name: "warm up".into(),
            index: 1,
            total: 1
        }),
        "{seen:?}"
    );
    assert!(
        seen.contains(&Event::Step {
            step: Step::Tasks,
            state: StepState::Cancelled,
            detail: None
        }),
        "{seen:?}"
    );
}
