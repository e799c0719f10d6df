//! Recipes in images on a real engine (DOCKER_HOST, as scripts/test starts one): program
//! images run with the original nskit's protocol, template images copied out with their
//! tasks run in a container. Without an engine the tests say why and pass, except under
//! CI=true.
use nskit_progress::Reporter;
use std::time::Duration;

use nskit_backends::{DockerLocalBackend, RecipeBackend};
use nskit_engine::Limits;
use nskit_recipe::{Answers, Context, RecipeKind, RecipeVersion, render};
use serde_json::json;

mod support;
use support::{engine, program_image, template_image, unique};

fn answers(pairs: &[(&str, serde_json::Value)]) -> Answers {
    pairs
        .iter()
        .map(|(k, v)| (k.to_string(), v.clone()))
        .collect()
}

fn ctx() -> Context {
    Context::new(
        Some("Dev".into()),
        Some("dev@example.com".into()),
        chrono::NaiveDate::from_ymd_opt(2026, 1, 2).expect("date"),
        vec![],
    )
}

#[test]
fn a_program_image_runs_with_the_original_protocol() {
    let Some(e) = engine() else { return };
    let recipe = unique("prog");
    let tag = format!("nskit-test/{recipe}:1.0.0");
    program_image(&e, &tag, &recipe);
    let backend = DockerLocalBackend::new(None).with_limits(Limits {
        timeout: Duration::from_secs(3),
        ..Limits::default()
    });
    let v = RecipeVersion::new("1.0.0");
    let r = backend
        .load(&recipe, &v, &Reporter::silent())
        .expect("load");
    assert_eq!(r.kind, RecipeKind::Program);
    let names: Vec<_> = r.manifest.fields.iter().map(|f| f.name.as_str()).collect();
    assert_eq!(names, ["name", "repo.owner", "repo.email"]);

    let base = |name: &str| {
        answers(&[
            ("name", json!(name)),
            ("repo.owner", json!("Ada")),
            ("repo.email", json!("ada@example.com")),
        ])
    };
    let tree = render(&r, &base("demo"), &ctx()).expect("render");
    let paths: Vec<_> = tree.files.iter().map(|f| f.path.as_str()).collect();
    // The container's own state file (naming `<recipe>:local`) and its .git are dropped:
    // nskit writes its own.
    assert_eq!(
        paths,
        ["README.md", "rootfs", "src/demo/__init__.py", "uid"],
        "{paths:?}"
    );
    let text = |p: &str| {
        String::from_utf8_lossy(&tree.get(p).expect(p).contents.read().expect("read")).into_owned()
    };
    assert_eq!(text("README.md"), "# demo\n\nby Ada\n");
    assert_eq!(text("rootfs"), "read-only\n");
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        let uid = std::fs::metadata("/proc/self").expect("proc").uid();
        assert_eq!(
            text("uid").trim(),
            uid.to_string(),
            "runs as the calling user"
        );
    }

    // Writing nothing is an error with the container's last lines.
    let err = render(&r, &base("nothing"), &ctx())
        .unwrap_err()
        .to_string();
    assert!(err.contains("without writing any file"), "{err}");
    assert!(
        err.contains("generating"),
        "the logs are in the error: {err}"
    );
    // A failing program.
    let err = render(&r, &base("fail"), &ctx()).unwrap_err().to_string();
    assert!(err.contains("exited with status 3"), "{err}");
    assert!(err.contains("the recipe broke"), "{err}");
    // One that runs too long.
    let err = render(&r, &base("slow"), &ctx()).unwrap_err().to_string();
    assert!(err.contains("timed out after 3 s"), "{err}");
    // The network is off.
    let tree = render(&r, &base("network"), &ctx()).expect("render");
    assert_eq!(tree.get("net").expect("net").contents, b"offline\n");
}

#[test]
fn template_images_render_here_and_run_their_tasks_in_the_image() {
    let Some(e) = engine() else { return };
    let recipe = unique("tasks");
    let tag = format!("nskit-test/{recipe}:1.0.0");
    template_image(
        &e,
        &tag,
        &recipe,
        "1.0.0",
        "fields:\n  - name: project_name\n    default: demo\ntasks:\n  - name: stamp\n    run: \"echo made {{ project_name }} > STAMP && chmod +x run.sh && (wget -T 2 -q -O- http://1.1.1.1/ >/dev/null 2>&1 && echo online || echo offline) > NET\"\n  - run: [\"rm\", \"drop.txt\"]\n  - run: \"echo never > NEVER\"\n    when: \"project_name == 'other'\"\n",
        &[
            ("README.md", "# {{ project_name }}\n"),
            ("run.sh", "#!/bin/sh\necho run\n"),
            ("drop.txt", "dropped by a task\n"),
        ],
    );
    let backend = DockerLocalBackend::new(None);
    let r = backend
        .load(&recipe, &RecipeVersion::new("1.0.0"), &Reporter::silent())
        .expect("load");
    assert_eq!(r.kind, RecipeKind::Template);
    assert_eq!(r.manifest.tasks.len(), 3);
    let tree = render(&r, &answers(&[("project_name", json!("demo"))]), &ctx()).expect("render");
    let paths: Vec<_> = tree.files.iter().map(|f| f.path.as_str()).collect();
    assert_eq!(paths, ["NET", "README.md", "STAMP", "run.sh"], "{paths:?}");
    assert_eq!(tree.get("STAMP").expect("stamp").contents, b"made demo\n");
    assert_eq!(tree.get("NET").expect("net").contents, b"offline\n");
    assert!(tree.get("run.sh").expect("run.sh").executable);

    // A failing task names itself and carries its output.
    let recipe2 = unique("badtask");
    let tag2 = format!("nskit-test/{recipe2}:1.0.0");
    template_image(
        &e,
        &tag2,
        &recipe2,
        "1.0.0",
        "tasks:\n  - name: lint\n    run: \"echo lint found 3 problems; exit 4\"\n",
        &[("a.txt", "a\n")],
    );
    let r2 = backend
        .load(&recipe2, &RecipeVersion::new("1.0.0"), &Reporter::silent())
        .expect("load");
    let err = render(&r2, &Answers::new(), &ctx())
        .unwrap_err()
        .to_string();
    assert!(err.contains("the task `lint`"), "{err}");
    assert!(err.contains("exited with status 4"), "{err}");
    assert!(err.contains("lint found 3 problems"), "{err}");
}
