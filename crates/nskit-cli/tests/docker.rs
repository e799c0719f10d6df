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

/// Whether the state file names the local image `reference` (podman calls local builds
/// `docker.io/...` or `localhost/...`, dockerd by the name given).
fn names_image(state: &str, reference: &str) -> bool {
    ["", "docker.io/", "localhost/"]
        .iter()
        .any(|p| state.contains(&format!("docker_image: {p}{reference}\n")))
}

/// Whether the state records the image's digest: its id (`sha256:...`), or for podman,
/// which gives local builds repository digests, `repository@sha256:...`.
fn records_digest(state: &str) -> bool {
    state
        .lines()
        .any(|l| l.trim_start().starts_with("digest: ") && l.contains("sha256:"))
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
    assert!(names_image(&state, &format!("{repo}:1.0.0")), "{state}");
    assert!(records_digest(&state), "{state}");

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
    assert!(names_image(&state, &format!("{repo}:1.1.0")), "{state}");
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

/// Runs nskit and returns its exit code and both outputs.
fn run(c: &mut Command) -> (Option<i32>, String, String) {
    let o = c.output().expect("runs");
    (
        o.status.code(),
        String::from_utf8_lossy(&o.stdout).into_owned(),
        String::from_utf8_lossy(&o.stderr).into_owned(),
    )
}

fn unique(prefix: &str) -> String {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.subsec_nanos())
        .unwrap_or(0);
    format!("{prefix}{}x{nanos}", std::process::id())
}

fn tar_of(files: &[(&str, &[u8], u32)]) -> Vec<u8> {
    let mut tar = tar::Builder::new(Vec::new());
    for (name, data, mode) in files {
        let mut h = tar::Header::new_gnu();
        h.set_size(data.len() as u64);
        h.set_mode(*mode);
        h.set_cksum();
        tar.append_data(&mut h, name, *data).expect("tar");
    }
    tar.into_inner().expect("tar")
}

/// A program image like the original nskit's (tests/fixtures/program-image.sh) on busybox.
fn program_image(tag: &str, recipe: &str) {
    program_image_version(tag, recipe, "1.0.0");
}

/// The same, its output marked with `version` from 1.1.0 on.
/// The busybox base image, built from the host's static busybox.
fn busybox_image() -> &'static str {
    let e = nskit_engine::DockerEngine::connect(None).expect("engine");
    let base = nskit_testkit::BUSYBOX_IMAGE;
    if !e.image_present(base).expect("inspect") {
        e.build(
            nskit_testkit::busybox_context().expect("the busybox build context"),
            base,
            &Default::default(),
            &nskit::Reporter::silent(),
        )
        .expect("busybox image");
    }
    base
}

fn program_image_version(tag: &str, recipe: &str, version: &str) {
    let e = nskit_engine::DockerEngine::connect(None).expect("engine");
    let base = busybox_image();
    let script = include_str!("../../../tests/fixtures/program-image.sh");
    let df = format!(
        "FROM {base}\nENV FIXTURE_VERSION={version}\nCOPY nskit /bin/nskit\nENTRYPOINT [\"/bin/nskit\"]\n"
    );
    let labels = [
        ("nskit.recipe", "true"),
        ("nskit.recipe.name", recipe),
        ("org.opencontainers.image.description", "original-style"),
    ]
    .iter()
    .map(|(k, v)| (k.to_string(), v.to_string()))
    .collect();
    e.build(
        tar_of(&[
            ("Dockerfile", df.as_bytes(), 0o644),
            ("nskit", script.as_bytes(), 0o755),
        ]),
        tag,
        &labels,
        &nskit::Reporter::silent(),
    )
    .expect("program image");
}

#[test]
fn the_builtin_python_package_runs_from_its_image() {
    if !engine_available() {
        return;
    }
    let home = Home::new().with_git_identity();
    let folder = concat!(env!("CARGO_MANIFEST_DIR"), "/../../recipes/python_package");
    let tag = "nskit-test/python_package:1.0.0";
    stdout_of(docker_nskit(&home).args(["recipe", "build", folder, "--tag", tag]));
    let out = home.out();
    let (code, stdout, stderr) = run(docker_nskit(&home).current_dir(&out).args([
        "--backend",
        "docker-local",
        "init",
        "--recipe",
        "python_package",
        "--version",
        "1.0.0",
        "--set",
        "name=demo-pkg",
        "--defaults",
    ]));
    assert_eq!(code, Some(0), "{stdout}{stderr}");
    let p = out.join("demo-pkg");
    let pyproject = std::fs::read_to_string(p.join("pyproject.toml")).expect("pyproject");
    assert!(pyproject.contains("name = \"demo-pkg\""), "{pyproject}");
    assert!(p.join("src/demo_pkg/__init__.py").is_file());
    let state = std::fs::read_to_string(p.join(".recipe/config.yml")).expect("state");
    assert!(names_image(&state, tag), "{state}");
    assert!(git(&p, &["log", "--oneline"]).contains("Initial commit"));
}

#[test]
fn an_original_program_image_makes_a_project_and_a_failed_one_leaves_none() {
    if !engine_available() {
        return;
    }
    let home = Home::new().with_git_identity();
    let recipe = unique("prog");
    let tag = format!("nskit-test/{recipe}:1.0.0");
    program_image(&tag, &recipe);
    let out = home.out();
    let init = |name: &str| {
        run(docker_nskit(&home).current_dir(&out).args([
            "--backend",
            "docker-local",
            "init",
            "--recipe",
            &recipe,
            "--set",
            &format!("name={name}"),
            "--set",
            "repo.owner=Ada",
            "--set",
            "repo.email=ada@example.com",
        ]))
    };
    let (code, stdout, stderr) = init("demo");
    assert_eq!(code, Some(0), "{stdout}{stderr}");
    let p = out.join("demo");
    assert_eq!(
        std::fs::read_to_string(p.join("README.md")).expect("readme"),
        "# demo\n\nby Ada\n"
    );
    // nskit's state names the real image and digest, not `<recipe>:local`.
    let state = std::fs::read_to_string(p.join(".recipe/config.yml")).expect("state");
    assert!(names_image(&state, &tag), "{state}");
    assert!(!state.contains(":local"), "{state}");
    assert!(records_digest(&state), "{state}");
    assert!(state.contains("owner: Ada"), "{state}");
    // The commit is nskit's, as the user, with every file.
    let log = git(&p, &["log", "--format=%an %s"]);
    assert!(log.starts_with("Ada Lovelace Initial commit"), "{log}");
    assert!(git(&p, &["status", "--porcelain"]).is_empty());

    // A program that fails: its output, a non-zero exit, and no folder left behind.
    let (code, stdout, stderr) = init("fail");
    assert_ne!(code, Some(0), "{stdout}{stderr}");
    assert!(stderr.contains("exited with status 3"), "{stderr}");
    assert!(stderr.contains("the recipe broke"), "{stderr}");
    assert!(!out.join("fail").exists(), "a failed run left a project");
    // One that writes nothing.
    let (code, _, stderr) = init("nothing");
    assert_ne!(code, Some(0));
    assert!(stderr.contains("without writing any file"), "{stderr}");
    assert!(!out.join("nothing").exists());
    let leftovers: Vec<_> = std::fs::read_dir(&out)
        .expect("read")
        .filter_map(|e| e.ok())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(
        leftovers,
        ["demo"],
        "no staging folders left: {leftovers:?}"
    );
}

#[test]
fn a_registry_configured_in_a_file_lists_inits_and_updates() {
    if !engine_available() {
        return;
    }
    let (Ok(registry), Ok(user), Ok(password)) = (
        std::env::var("NSKIT_TEST_REGISTRY_BASIC"),
        std::env::var("NSKIT_TEST_REGISTRY_USER"),
        std::env::var("NSKIT_TEST_REGISTRY_PASSWORD"),
    ) else {
        if std::env::var("CI").is_ok_and(|v| v == "true") {
            panic!("CI=true and no test registry (NSKIT_TEST_REGISTRY_BASIC)");
        }
        eprintln!("skipped: no test registry; scripts/test starts one");
        return;
    };
    let home = Home::new().with_git_identity();
    let src = home.path().join("src");
    let name = unique("regrecipe");
    let body = "one\ntwo\nthree\nfour\nfive\nsix\n";
    let manifest = "fields:\n  - name: project_name\n    default: regproj\n";
    let v1 = local_recipe(&src, &name, "1.0.0", manifest, &[("notes.txt", body)]);
    let v2 = local_recipe(
        &src,
        &name,
        "1.1.0",
        manifest,
        &[
            ("notes.txt", &body.replace("two\n", "TWO\n")),
            ("NEW.md", "new\n"),
        ],
    );
    let prefix = format!("{}/recipes", unique("org"));
    let e = nskit_engine::DockerEngine::connect(None).expect("engine");
    for (dir, v) in [(&v1, "1.0.0"), (&v2, "1.1.0")] {
        let reference = format!("{registry}/{prefix}/{name}:{v}");
        stdout_of(docker_nskit(&home).args([
            "recipe",
            "build",
            dir.to_str().expect("utf-8"),
            "--tag",
            &reference,
        ]));
        // Without credentials the registry refuses, and the message says what to set.
        if v == "1.0.0" {
            let (code, _, stderr) =
                run(docker_nskit(&home).args(["recipe", "publish", &reference]));
            assert_ne!(code, Some(0));
            assert!(stderr.contains("NSKIT_REGISTRY_USERNAME"), "{stderr}");
        }
        let (code, stdout, stderr) = run(docker_nskit(&home)
            .env("NSKIT_REGISTRY_USERNAME", &user)
            .env("NSKIT_REGISTRY_PASSWORD", &password)
            .args(["recipe", "publish", &reference]));
        assert_eq!(code, Some(0), "{stdout}{stderr}");
        assert!(
            stdout.contains(&format!("published {reference}")),
            "{stdout}"
        );
        assert!(stderr.contains(&format!("pushed {reference}")), "{stderr}");
        // Gone from the engine: init and update must pull.
        e.remove_image(&reference).expect("untag");
    }
    let config = home.path().join("nskit.yaml");
    std::fs::write(
        &config,
        format!(
            "backend:\n  type: docker\n  registry_url: http://{registry}\n  image_prefix: {prefix}\n  credentials:\n    username: {user}\n    password: ${{TEST_REGISTRY_PASSWORD}}\n"
        ),
    )
    .expect("config");
    let cfg = |c: &mut Command| {
        c.env("TEST_REGISTRY_PASSWORD", &password)
            .arg("--config")
            .arg(&config);
    };
    let mut c = docker_nskit(&home);
    cfg(&mut c);
    let list = stdout_of(c.args(["list", "--json"]));
    let v: serde_json::Value = serde_json::from_str(&list).expect("json");
    assert_eq!(v[0]["name"], name.as_str(), "{list}");
    assert_eq!(v[0]["versions"], serde_json::json!(["1.1.0", "1.0.0"]));

    let out = home.out();
    let mut c = docker_nskit(&home);
    cfg(&mut c);
    let (code, stdout, stderr) = run(c.current_dir(&out).args([
        "init",
        "--recipe",
        &name,
        "--version",
        "1.0.0",
        "--defaults",
    ]));
    assert_eq!(code, Some(0), "{stdout}{stderr}");
    let image1 = format!("{registry}/{prefix}/{name}:1.0.0");
    assert!(stderr.contains(&format!("pulled {image1}")), "{stderr}");
    let p = out.join("regproj");
    let state = std::fs::read_to_string(p.join(".recipe/config.yml")).expect("state");
    assert!(
        state.contains(&format!("docker_image: {image1}")),
        "{state}"
    );
    assert!(
        state.contains(&format!("digest: {registry}/{prefix}/{name}@sha256:")),
        "{state}"
    );
    assert!(!state.contains(&password), "no secret in the state file");

    std::fs::write(p.join("notes.txt"), body.replace("five\n", "FIVE (mine)\n")).expect("write");
    git(&p, &["commit", "-qam", "mine"]);
    let mut c = docker_nskit(&home);
    cfg(&mut c);
    let (code, stdout, stderr) = run(c.current_dir(&p).args(["update", "--defaults"]));
    assert_eq!(code, Some(0), "{stdout}{stderr}");
    assert_eq!(
        std::fs::read_to_string(p.join("notes.txt")).expect("read"),
        "one\nTWO\nthree\nfour\nFIVE (mine)\nsix\n",
        "the user's edit and the recipe's both survive"
    );
    assert!(p.join("NEW.md").is_file());
    let state = std::fs::read_to_string(p.join(".recipe/config.yml")).expect("state");
    assert!(
        state.contains(&format!("docker_image: {registry}/{prefix}/{name}:1.1.0")),
        "{state}"
    );
}

#[test]
fn the_base_comes_from_the_recorded_image_even_when_its_tag_was_built_again() {
    if !engine_available() {
        return;
    }
    let home = Home::new().with_git_identity();
    let src = home.path().join("src");
    let name = unique("rebuilt");
    let manifest = "fields:\n  - name: project_name\n    default: rebuiltproj\n";
    let first = "one\ntwo\nthree\n";
    let second = "one\nTWO (rebuilt)\nthree\n";
    let a = local_recipe(
        &src.join("a"),
        &name,
        "1.0.0",
        manifest,
        &[("notes.txt", first)],
    );
    let b = local_recipe(
        &src.join("b"),
        &name,
        "1.0.0",
        manifest,
        &[("notes.txt", second)],
    );
    let c = local_recipe(
        &src.join("c"),
        &name,
        "1.1.0",
        manifest,
        &[("notes.txt", second), ("NEW.md", "new\n")],
    );
    let repo = format!("nskit-test/{name}");
    let build = |dir: &std::path::Path, tag: &str| {
        stdout_of(docker_nskit(&home).args([
            "recipe",
            "build",
            dir.to_str().expect("utf-8"),
            "--tag",
            &format!("{repo}:{tag}"),
        ]));
    };
    build(&a, "1.0.0");
    let out = home.out();
    stdout_of(docker_nskit(&home).current_dir(&out).args([
        "--backend",
        "docker-local",
        "init",
        "--recipe",
        &name,
        "--defaults",
    ]));
    let p = out.join("rebuiltproj");
    assert_eq!(
        std::fs::read_to_string(p.join("notes.txt")).expect("read"),
        first
    );
    // 1.0.0 is built again with other contents, then 1.1.0 comes out.
    build(&b, "1.0.0");
    build(&c, "1.1.0");
    let (code, stdout, stderr) = run(docker_nskit(&home).current_dir(&p).args([
        "--backend",
        "docker-local",
        "update",
        "--defaults",
    ]));
    assert_eq!(code, Some(0), "{stdout}{stderr}");
    // With the rebuilt image as the base, the untouched file would look edited by the user
    // and keep its old text; from the recorded image, the recipe's change arrives.
    assert_eq!(
        std::fs::read_to_string(p.join("notes.txt")).expect("read"),
        second,
        "{stdout}{stderr}"
    );
    assert!(!stderr.contains("no longer"), "{stderr}");
}

#[test]
fn a_project_from_an_original_program_image_updates_keeping_edits() {
    if !engine_available() {
        return;
    }
    let home = Home::new().with_git_identity();
    let recipe = unique("progup");
    let repo = format!("nskit-test/{recipe}");
    program_image_version(&format!("{repo}:1.0.0"), &recipe, "1.0.0");
    let out = home.out();
    let (code, stdout, stderr) = run(docker_nskit(&home).current_dir(&out).args([
        "--backend",
        "docker-local",
        "init",
        "--recipe",
        &recipe,
        "--set",
        "name=demo",
        "--set",
        "repo.owner=Ada",
        "--set",
        "repo.email=ada@example.com",
    ]));
    assert_eq!(code, Some(0), "{stdout}{stderr}");
    let p = out.join("demo");
    std::fs::write(p.join("README.md"), "# demo\n\nby Ada\n\nMy own notes.\n").expect("edit");
    git(&p, &["commit", "-qam", "notes"]);
    program_image_version(&format!("{repo}:1.1.0"), &recipe, "1.1.0");
    let (code, stdout, stderr) = run(docker_nskit(&home).current_dir(&p).args([
        "--backend",
        "docker-local",
        "update",
        "--defaults",
    ]));
    assert_eq!(code, Some(0), "{stdout}{stderr}");
    // Base and target both come from running the images with the recorded answers.
    assert_eq!(
        std::fs::read_to_string(p.join("README.md")).expect("read"),
        "# demo (1.1.0)\n\nby Ada\n\nMy own notes.\n"
    );
    let state = std::fs::read_to_string(p.join(".recipe/config.yml")).expect("state");
    assert!(names_image(&state, &format!("{repo}:1.1.0")), "{state}");
}

#[test]
fn ctrl_c_during_a_task_leaves_no_folder_and_no_container() {
    if !engine_available() {
        return;
    }
    busybox_image();
    // Other tests run containers at the same time: this one's are known by a word in
    // their command.
    let marker = format!("nskit-ctrl-c-{}", std::process::id());
    let ours = || {
        let out = Command::new("docker")
            .args([
                "ps",
                "-a",
                "--no-trunc",
                "--filter",
                &format!("label={}", nskit_engine::CONTAINER_LABEL),
                "--format",
                "{{.Names}} {{.Command}}",
            ])
            .output()
            .expect("docker ps");
        String::from_utf8_lossy(&out.stdout)
            .lines()
            .filter(|l| l.contains(&marker))
            .map(str::to_string)
            .collect::<Vec<_>>()
    };
    let home = Home::new().with_git_identity();
    let recipes = home.path().join("recipes");
    let dir = recipes.join("slow").join("1.0.0");
    std::fs::create_dir_all(dir.join("template")).expect("mkdir");
    std::fs::write(
        dir.join("recipe.yaml"),
        format!("name: slow\nbase_image: nskit-test/busybox:1\nfields:\n  - name: project_name\n    default: slow-demo\ntasks:\n  - name: warm up\n    run: echo {marker} >/dev/null; sleep 60\n"),
    )
    .expect("write");
    std::fs::write(dir.join("template/README.md"), "# {{ project_name }}\n").expect("write");
    let out = home.path().join("out");
    std::fs::create_dir_all(&out).expect("mkdir");
    let mut child = docker_nskit(&home)
        .args([
            "--backend",
            "local",
            "init",
            "--recipe",
            "slow",
            "--defaults",
        ])
        .stdin(std::process::Stdio::null())
        .arg("--output-base-path")
        .arg(&out)
        .env("NSKIT_RECIPES_DIR", &recipes)
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("spawn");
    // Wait until the task's container runs, then press Ctrl-C.
    let stderr = child.stderr.take().expect("stderr");
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        use std::io::BufRead;
        for line in std::io::BufReader::new(stderr)
            .lines()
            .map_while(Result::ok)
        {
            let _ = tx.send(line);
        }
    });
    let mut seen = vec![];
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(60);
    while !seen
        .iter()
        .any(|l: &String| l.contains("task 1/1: warm up"))
    {
        let left = deadline.saturating_duration_since(std::time::Instant::now());
        match rx.recv_timeout(left) {
            Ok(l) => seen.push(l),
            Err(_) => panic!("the task never started: {seen:?}"),
        }
    }
    let started = std::time::Instant::now();
    while ours().is_empty() {
        assert!(started.elapsed().as_secs() < 30, "no container ran");
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    let pid = child.id().to_string();
    let status = Command::new("kill")
        .args(["-INT", &pid])
        .status()
        .expect("kill");
    assert!(status.success());
    let status = child.wait().expect("wait");
    let rest: Vec<String> = rx.try_iter().collect();
    assert_eq!(status.code(), Some(130), "{seen:?} {rest:?}");
    assert!(rest.iter().any(|l| l.contains("cancelled")), "{rest:?}");
    let left: Vec<_> = std::fs::read_dir(&out)
        .expect("read")
        .map(|e| e.expect("entry").file_name())
        .collect();
    assert!(left.is_empty(), "left behind: {left:?}");
    let left = ours();
    assert!(left.is_empty(), "a container was left: {left:?}");
}
