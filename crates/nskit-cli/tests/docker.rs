//! Recipes in Docker images, end to end through the CLI against a real engine
//! (DOCKER_HOST, as scripts/test starts one): `nskit recipe build` two versions of a recipe,
//! `--backend docker-local` lists them, `init` renders from the image and records it,
//! `update` moves to the new tag keeping the user's edits. Without an engine the tests say
//! why and pass, except under CI=true.
use std::process::Command;

mod common;
use common::{Home, git, local_recipe, stdout_of};

fn engine_available() -> bool {
    match nskit_engine::DockerEngine::connect(None) {
        Ok(_) => true,
        Err(e) => {
            if std::env::var("CI").is_ok_and(|v| v == "true") {
                panic!("CI=true and no Docker engine: {e}");
            }
            eprintln!("skipped: no Docker engine ({e}); scripts/test starts one");
            false
        }
    }
}

fn docker_nskit(home: &Home) -> Command {
    let mut c = home.nskit();
    if let Ok(h) = std::env::var("DOCKER_HOST") {
        c.env("DOCKER_HOST", h);
    }
    c
}

#[test]
fn build_list_init_and_update_through_docker_local() {
    if !engine_available() {
        return;
    }
    let home = Home::new().with_git_identity();
    let src = home.path().join("src");
    let body = "one\ntwo\nthree\nfour\nfive\nsix\n";
    let manifest = "fields:\n  - name: project_name\n    default: tiny\ntags: [demo]\n";
    let v1 = local_recipe(
        &src,
        "tiny",
        "1.0.0",
        manifest,
        &[("notes.txt", body), ("README.md", "# {{ project_name }}\n")],
    );
    let v2 = local_recipe(
        &src,
        "tiny",
        "1.1.0",
        manifest,
        &[
            ("notes.txt", &body.replace("two\n", "TWO\n")),
            ("README.md", "# {{ project_name }}\n"),
            ("NEW.md", "new\n"),
        ],
    );
    // Building again retags the same repository, so runs do not pile up versions.
    let repo = "nskit-test/tiny";
    for (dir, tag) in [(&v1, "1.0.0"), (&v2, "1.1.0")] {
        let out = stdout_of(docker_nskit(&home).args([
            "recipe",
            "build",
            dir.to_str().expect("utf-8"),
            "--tag",
            &format!("{repo}:{tag}"),
        ]));
        assert!(out.contains("built"), "{out}");
    }

    let list = stdout_of(docker_nskit(&home).args(["--backend", "docker-local", "list", "--json"]));
    let v: serde_json::Value = serde_json::from_str(&list).expect("json");
    let tiny = v
        .as_array()
        .expect("array")
        .iter()
        .find(|r| r["name"] == "tiny")
        .unwrap_or_else(|| panic!("tiny not listed: {list}"))
        .clone();
    let versions: Vec<&str> = tiny["versions"]
        .as_array()
        .expect("versions")
        .iter()
        .filter_map(|x| x.as_str())
        .collect();
    assert!(versions.starts_with(&["1.1.0", "1.0.0"]), "{versions:?}");
    assert_eq!(tiny["tags"], serde_json::json!(["demo"]));

    let out = home.out();
    stdout_of(docker_nskit(&home).current_dir(&out).args([
        "--backend",
        "docker-local",
        "init",
        "--recipe",
        "tiny",
        "--version",
        "1.0.0",
        "--defaults",
    ]));
    let p = out.join("tiny");
    let state = std::fs::read_to_string(p.join(".recipe/config.yml")).expect("state");
    assert!(
        state.contains(&format!("docker_image: {repo}:1.0.0")),
        "{state}"
    );
    assert!(state.contains("digest: sha256:"), "{state}");

    std::fs::write(p.join("notes.txt"), body.replace("five\n", "FIVE (mine)\n")).expect("write");
    git(&p, &["commit", "-qam", "mine"]);
    let (code, stdout) = {
        let o = docker_nskit(&home)
            .current_dir(&p)
            .args(["--backend", "docker-local", "update", "--defaults"])
            .output()
            .expect("runs");
        (
            o.status.code(),
            String::from_utf8_lossy(&o.stdout).into_owned() + &String::from_utf8_lossy(&o.stderr),
        )
    };
    assert_eq!(code, Some(0), "{stdout}");
    assert_eq!(
        std::fs::read_to_string(p.join("notes.txt")).expect("read"),
        "one\nTWO\nthree\nfour\nFIVE (mine)\nsix\n"
    );
    assert!(p.join("NEW.md").is_file());
    let state = std::fs::read_to_string(p.join(".recipe/config.yml")).expect("state");
    assert!(
        state.contains(&format!("docker_image: {repo}:1.1.0")),
        "{state}"
    );
}

#[test]
fn a_missing_engine_is_a_clear_error() {
    let home = Home::new();
    let out = home
        .nskit()
        .env("DOCKER_HOST", "unix:///nonexistent/docker.sock")
        .args(["--backend", "docker-local", "list"])
        .output()
        .expect("runs");
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("no Docker engine answers at unix:///nonexistent/docker.sock"),
        "{err}"
    );
}
