//! The `nskit` binary end to end: real processes, real folders, real git repositories, and
//! the generated projects' own test suites.
use std::path::Path;
use std::process::Command;

use assert_cmd::prelude::*;
use predicates::prelude::*;

mod common;
use common::{Home, local_recipe, run, stdout_of};

#[test]
fn version_and_help() {
    let h = Home::new();
    h.nskit()
        .arg("--version")
        .assert()
        .success()
        .stdout(predicate::str::contains(env!("CARGO_PKG_VERSION")));
    h.nskit()
        .arg("--help")
        .assert()
        .success()
        .stdout(predicate::str::contains("Exit status"));
    h.nskit().arg("frobnicate").assert().code(2);
}

#[test]
fn list_shows_the_builtin_recipes_with_no_configuration() {
    let h = Home::new();
    let text = stdout_of(h.nskit().arg("list"));
    for name in ["python_package", "recipe", "rust_cli"] {
        assert!(text.contains(name), "{text}");
    }
    let json: serde_json::Value =
        serde_json::from_str(&stdout_of(h.nskit().args(["list", "--json"]))).expect("json");
    let names: Vec<&str> = json
        .as_array()
        .expect("array")
        .iter()
        .filter_map(|r| r["name"].as_str())
        .collect();
    assert_eq!(names, ["python_package", "recipe", "rust_cli"]);
    assert_eq!(json[2]["latest"], "1.0.0");
}

#[test]
fn init_commits_the_project_with_the_state_file() {
    let h = Home::new().with_git_identity();
    let out = h.out();
    h.nskit()
        .args([
            "init",
            "--recipe",
            "rust_cli",
            "--set",
            "project_name=my-tool",
            "--output-base-path",
        ])
        .arg(&out)
        .assert()
        .success()
        .stdout(predicate::str::contains("created").and(predicate::str::contains("my-tool")));
    let p = out.join("my-tool");
    let state = std::fs::read_to_string(p.join(".recipe/config.yml")).expect("state file");
    for key in [
        "input:",
        "project_name: my-tool",
        "metadata:",
        "recipe_name: rust_cli",
        "docker_image:",
        "created_at:",
        "updated_at:",
        "backend: builtin",
        "nskit_version:",
    ] {
        assert!(state.contains(key), "{key} missing from\n{state}");
    }
    assert_eq!(
        common::yaml_scalar(&state, "recipe_version").as_deref(),
        Some("1.0.0")
    );
    let repo = git2::Repository::open(&p).expect("a git repository");
    let head = repo.head().expect("head").peel_to_commit().expect("commit");
    assert_eq!(head.author().name().ok(), Some("Ada Lovelace"));
    assert_eq!(head.author().email().ok(), Some("ada@example.com"));
    assert!(
        repo.statuses(None).expect("status").is_empty(),
        "everything is committed"
    );
    assert!(
        head.tree()
            .expect("tree")
            .get_path(Path::new(".recipe/config.yml"))
            .is_ok()
    );
}

#[test]
fn without_a_git_identity_the_fallback_author_is_used_and_said() {
    let h = Home::new();
    let out = h.out();
    h.nskit()
        .args([
            "init",
            "--recipe",
            "rust_cli",
            "--set",
            "project_name=t",
            "--output-base-path",
        ])
        .arg(&out)
        .assert()
        .success()
        .stderr(predicate::str::contains("git has no user.name"));
    let repo = git2::Repository::open(out.join("t")).expect("repo");
    assert_eq!(
        repo.head()
            .expect("head")
            .peel_to_commit()
            .expect("commit")
            .author()
            .name()
            .ok(),
        Some("nskit")
    );
}

#[test]
fn missing_answers_are_all_listed_without_a_terminal() {
    let h = Home::new();
    let root = h.path().join("recipes");
    local_recipe(
        &root,
        "two",
        "1.0.0",
        "fields:\n  - name: a\n  - name: b.c\n  - name: d\n    default: x\n",
        &[("f.txt", "{{ a }}")],
    );
    h.nskit()
        .args(["--backend", "local", "init", "--recipe", "two"])
        .env("NSKIT_RECIPES_DIR", &root)
        .assert()
        .code(3)
        .stderr(predicate::str::contains("missing answers for: a, b.c"));
    assert!(!h.path().join("two").exists() && !h.path().join("a").exists());
}

#[test]
fn invalid_answers_exit_3_with_the_recipes_message() {
    let h = Home::new();
    h.nskit()
        .args([
            "init",
            "--recipe",
            "rust_cli",
            "--set",
            "project_name=Bad Name",
        ])
        .assert()
        .code(3)
        .stderr(predicate::str::contains(
            "project_name: use lower-case letters",
        ));
}

#[test]
fn dry_run_prints_the_tree_and_writes_nothing() {
    let h = Home::new();
    let out = h.out();
    let text = stdout_of(
        h.nskit()
            .args([
                "init",
                "--recipe",
                "python_package",
                "--set",
                "name=dry",
                "--dry-run",
                "--output-base-path",
            ])
            .arg(&out),
    );
    assert!(
        text.contains("pyproject.toml") && text.contains("└── "),
        "{text}"
    );
    assert_eq!(std::fs::read_dir(&out).expect("read").count(), 0);
}

#[test]
fn a_non_empty_target_needs_force() {
    let h = Home::new();
    let target = h.path().join("busy");
    std::fs::create_dir_all(&target).expect("mkdir");
    std::fs::write(target.join("notes.txt"), "mine").expect("write");
    let init = |force: bool| {
        let mut c = h.nskit();
        c.args([
            "init",
            "--recipe",
            "rust_cli",
            "--set",
            "project_name=busy",
            "--output-override-path",
        ])
        .arg(&target);
        if force {
            c.arg("--force");
        }
        c
    };
    init(false)
        .assert()
        .code(6)
        .stderr(predicate::str::contains("not empty").and(predicate::str::contains("--force")));
    assert!(!target.join("Cargo.toml").exists());
    init(true).assert().success();
    assert!(target.join("Cargo.toml").exists());
    assert_eq!(
        std::fs::read_to_string(target.join("notes.txt")).expect("read"),
        "mine"
    );
}

#[test]
fn answers_from_yaml_and_set_and_environment() {
    let h = Home::new();
    let out = h.out();
    let answers = h.path().join("answers.yml");
    std::fs::write(
        &answers,
        "name: from-yaml\nrepo:\n  owner: Yaml Owner\ncli: true\n",
    )
    .expect("write");
    h.nskit()
        .args(["init", "--recipe", "python_package", "--input-yaml-path"])
        .arg(&answers)
        .args([
            "--set",
            "name=from-set",
            "--set",
            "repo.url=https://example.com/x",
            "--output-base-path",
        ])
        .arg(&out)
        .env("RECIPE_DESCRIPTION", "described by the environment")
        .assert()
        .success();
    let py = std::fs::read_to_string(out.join("from-set/pyproject.toml")).expect("pyproject");
    assert!(
        py.contains("name = \"from-set\""),
        "--set wins over the file: {py}"
    );
    assert!(py.contains("Yaml Owner"), "{py}");
    assert!(
        py.contains("description = \"described by the environment\""),
        "{py}"
    );
    assert!(py.contains("from-set = \"from_set.cli:main\""), "{py}");
    assert!(out.join("from-set/src/from_set/cli.py").is_file());
}

#[test]
fn secrets_are_used_but_never_recorded() {
    let h = Home::new();
    let root = h.path().join("recipes");
    local_recipe(
        &root,
        "sec",
        "1.0.0",
        "fields:\n  - name: name\n  - name: token\n    type: secret\n",
        &[(".env", "TOKEN={{ token }}\n")],
    );
    let out = h.out();
    h.nskit()
        .args([
            "--backend",
            "local",
            "init",
            "--recipe",
            "sec",
            "--set",
            "name=s",
            "--set",
            "token=s3cr3t-value",
            "--output-base-path",
        ])
        .arg(&out)
        .env("NSKIT_RECIPES_DIR", &root)
        .assert()
        .success()
        .stdout(predicate::str::contains("s3cr3t").not());
    assert_eq!(
        std::fs::read_to_string(out.join("s/.env")).expect("env"),
        "TOKEN=s3cr3t-value\n"
    );
    let state = std::fs::read_to_string(out.join("s/.recipe/config.yml")).expect("state");
    assert!(
        !state.contains("s3cr3t") && !state.contains("token"),
        "{state}"
    );
}

#[test]
fn fields_json_schema_and_the_originals_required_fields() {
    let h = Home::new();
    let schema: serde_json::Value = serde_json::from_str(&stdout_of(h.nskit().args([
        "fields",
        "--recipe",
        "python_package",
        "--json",
    ])))
    .expect("json");
    assert_eq!(
        schema["properties"]["repo"]["properties"]["url"]["type"],
        "string"
    );
    assert_eq!(schema["properties"]["cli_name"]["x-nskit"]["when"], "cli");
    let text = stdout_of(h.nskit().args(["fields", "--recipe", "python_package"]));
    assert!(
        text.contains("python_version") && text.contains("choice"),
        "{text}"
    );
    let req: serde_json::Value = serde_json::from_str(&stdout_of(h.nskit().args([
        "get-required-fields",
        "--recipe",
        "python_package",
    ])))
    .expect("json");
    assert_eq!(req, serde_json::json!({"name": "str"}));
}

#[test]
fn discover_searches_names_descriptions_and_tags() {
    let h = Home::new();
    let text = stdout_of(h.nskit().args(["discover", "--search", "RUST"]));
    assert!(
        text.contains("rust_cli") && !text.contains("python_package"),
        "{text}"
    );
    let text = stdout_of(h.nskit().args(["discover", "--search", "library"]));
    assert!(text.contains("python_package"), "tags are searched: {text}");
}

#[test]
fn unknown_recipe_and_version_exit_4() {
    let h = Home::new();
    h.nskit()
        .args(["init", "--recipe", "nope", "--defaults"])
        .assert()
        .code(4)
        .stderr(predicate::str::contains(
            "available: python_package, recipe, rust_cli",
        ));
    h.nskit()
        .args(["versions", "--recipe", "rust_cli"])
        .assert()
        .success()
        .stdout("1.0.0\n");
    h.nskit()
        .args([
            "init",
            "--recipe",
            "rust_cli",
            "--version",
            "9.9.9",
            "--set",
            "project_name=x",
        ])
        .assert()
        .code(4)
        .stderr(predicate::str::contains("no version `9.9.9`"));
}

#[test]
fn a_broken_recipe_exits_5_naming_the_file() {
    let h = Home::new();
    let root = h.path().join("recipes");
    local_recipe(
        &root,
        "broken",
        "1.0.0",
        "",
        &[("ok.txt", "fine"), ("bad.txt", "line\n{% for %}\n")],
    );
    local_recipe(
        &root,
        "typo",
        "1.0.0",
        "fields:\n  - name: project_name\n",
        &[("a.txt", "{{ project_nmae }}")],
    );
    local_recipe(
        &root,
        "badyaml",
        "1.0.0",
        "fields:\n  - name: a\n    type: colour\n",
        &[],
    );
    let run = |recipe: &str| {
        let mut c = h.nskit();
        c.args([
            "--backend",
            "local",
            "init",
            "--recipe",
            recipe,
            "--set",
            "project_name=p",
        ])
        .env("NSKIT_RECIPES_DIR", &root);
        c
    };
    run("broken")
        .assert()
        .code(5)
        .stderr(predicate::str::contains("bad.txt:2: template syntax error"));
    run("typo")
        .assert()
        .code(5)
        .stderr(predicate::str::contains(
            "a.txt:1: undefined variable `project_nmae`",
        ));
    run("badyaml")
        .assert()
        .code(5)
        .stderr(predicate::str::contains(
            "recipe.yaml:5: fields[0].type: unknown variant `colour`",
        ));
    assert!(!h.path().join("p").exists(), "nothing is written");
}

#[test]
fn local_backend_in_the_current_folder_and_from_a_backend_file() {
    let h = Home::new();
    let root = h.path().join("recipes");
    local_recipe(&root, "svc", "v1.9.0", "", &[("a.txt", "old")]);
    local_recipe(&root, "svc", "v1.10.0", "", &[("a.txt", "new")]);
    // `--backend local` reads the current folder, as the original does.
    let text = stdout_of(
        h.nskit()
            .args(["--backend", "local", "list"])
            .current_dir(&root),
    );
    assert!(text.contains("v1.10.0, v1.9.0"), "{text}");
    // A backend file in the original's format, with a relative folder.
    std::fs::write(
        h.path().join("backend.yml"),
        "type: local\nrecipes_dir: recipes\n",
    )
    .expect("write");
    let out = h.out();
    h.nskit()
        .args([
            "--backend",
            "backend.yml",
            "init",
            "--recipe",
            "svc",
            "--output-override-path",
        ])
        .arg(out.join("svc"))
        .assert()
        .success();
    assert_eq!(
        std::fs::read_to_string(out.join("svc/a.txt")).expect("read"),
        "new",
        "latest = highest semver"
    );
    // The config file.
    std::fs::create_dir_all(h.path().join(".config/nskit")).expect("mkdir");
    std::fs::write(
        h.path().join(".config/nskit/config.yaml"),
        "backend:\n  type: local\n  recipes_dir: ${HOME}/recipes\n",
    )
    .expect("write");
    assert!(stdout_of(h.nskit().arg("list")).contains("svc"));
    h.nskit()
        .args(["--backend", "nonsense", "list"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("unknown backend"));
}

#[test]
fn install_for_a_custom_entry_point_group() {
    let h = Home::new();
    let root = h.path().join("src");
    let dir = local_recipe(
        &root,
        "acme_svc",
        "1.2.0",
        "version: 1.2.0\n",
        &[("x.txt", "x")],
    );
    h.nskit()
        .args(["--entrypoint-group", "acme.recipes", "install"])
        .arg(&dir)
        .assert()
        .success()
        .stdout(predicate::str::contains("acme.recipes"));
    let text = stdout_of(
        h.nskit()
            .args(["--backend", "installed", "list"])
            .env("NSKIT_ENTRYPOINT_GROUP", "acme.recipes"),
    );
    assert!(
        text.contains("acme_svc") && text.contains("1.2.0"),
        "{text}"
    );
    let text = stdout_of(h.nskit().args(["--backend", "installed", "list"]));
    assert!(
        !text.contains("acme_svc"),
        "the default group does not list it: {text}"
    );
}

#[test]
fn interactive_prompts_validate_at_entry() {
    let h = Home::new();
    let out = h.out();
    let bin = assert_cmd::cargo::cargo_bin("nskit");
    let cmd = format!(
        "env -u NSKIT_BACKEND HOME={home} XDG_CONFIG_HOME={home}/.config GIT_CONFIG_NOSYSTEM=1 {bin} init --recipe rust_cli --output-base-path {out}",
        home = h.path().display(),
        bin = bin.display(),
        out = out.display()
    );
    let mut p = rexpect::spawn(&cmd, Some(20_000)).expect("spawn in a pty");
    p.exp_string("Crate name").expect("asks for the crate name");
    p.send_line("Bad Name").expect("type");
    p.exp_string("use lower-case letters")
        .expect("validated at entry");
    // Erase the bad input and type a good one.
    for _ in 0.."Bad Name".len() {
        p.send("\x08").expect("backspace");
    }
    p.send_line("good-name").expect("type");
    p.exp_string("One-line description").expect("next question");
    p.send_line("").expect("accept default");
    p.exp_string("Rust edition").expect("choice");
    p.send_line("").expect("accept default");
    p.exp_string("Author name").expect("optional");
    p.send_line("").expect("accept default");
    p.exp_string("Author e-mail").expect("optional");
    p.send_line("").expect("accept default");
    p.exp_string("license").expect("choice");
    p.send_line("").expect("accept default");
    p.exp_string("GitHub Actions").expect("boolean");
    p.send_line("n").expect("no");
    p.exp_eof().expect("finishes");
    let cargo = std::fs::read_to_string(out.join("good-name/Cargo.toml")).expect("created");
    assert!(cargo.contains("name = \"good-name\""));
    assert!(!out.join("good-name/.github").exists());
}

/// The generated Rust CLI builds and its tests pass (`cargo test`, offline: the crates it
/// needs are those nskit itself is built with).
#[test]
fn generated_rust_cli_passes_its_own_tests() {
    let h = Home::new();
    let out = h.out();
    h.nskit()
        .args([
            "init",
            "--recipe",
            "rust_cli",
            "--set",
            "project_name=gen-cli",
            "--defaults",
            "--output-base-path",
        ])
        .arg(&out)
        .assert()
        .success();
    let target = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../target/generated-projects");
    let run = Command::new(env!("CARGO"))
        .args(["test", "--offline"])
        .current_dir(out.join("gen-cli"))
        .env("CARGO_TARGET_DIR", target)
        .output()
        .expect("cargo runs");
    let log = String::from_utf8_lossy(&run.stdout);
    assert!(
        run.status.success(),
        "cargo test failed in the generated project:\n{log}\n{}",
        String::from_utf8_lossy(&run.stderr)
    );
    assert!(
        log.contains("greets_by_name_loudly ... ok") && log.contains("shouts ... ok"),
        "{log}"
    );
}

/// The generated Python package's tests pass with the standard library's unittest.
#[test]
fn generated_python_package_passes_its_own_tests() {
    let h = Home::new();
    let out = h.out();
    h.nskit()
        .args([
            "init",
            "--recipe",
            "python_package",
            "--set",
            "name=gen-pkg",
            "--set",
            "cli=true",
            "--defaults",
            "--output-base-path",
        ])
        .arg(&out)
        .assert()
        .success();
    let p = out.join("gen-pkg");
    let run = Command::new("python3")
        .args(["-m", "unittest", "discover", "-s", "tests", "-v"])
        .current_dir(&p)
        .env("PYTHONPATH", p.join("src"))
        .output()
        .expect("python3 runs");
    let log = String::from_utf8_lossy(&run.stderr);
    assert!(run.status.success(), "{log}");
    assert!(
        log.contains("Ran 3 tests"),
        "the CLI test is included: {log}"
    );
}

/// The recipe for writing recipes makes a recipe that nskit can list and run.
#[test]
fn generated_recipe_is_itself_a_working_recipe() {
    let h = Home::new();
    let out = h.out();
    h.nskit()
        .args([
            "init",
            "--recipe",
            "recipe",
            "--set",
            "recipe_name=team-svc",
            "--defaults",
            "--output-base-path",
        ])
        .arg(&out)
        .assert()
        .success();
    let made = out.join("team-svc");
    let docker = std::fs::read_to_string(made.join("Dockerfile")).expect("Dockerfile");
    for label in [
        "nskit.recipe=\"true\"",
        "nskit.recipe.name=\"team-svc\"",
        "nskit.recipe.format=\"template\"",
    ] {
        assert!(docker.contains(label), "{label} missing:\n{docker}");
    }
    assert!(made.join("README.md").is_file());
    // Install it and create a project from it.
    h.nskit().arg("install").arg(&made).assert().success();
    let projects = h.path().join("projects");
    h.nskit()
        .args([
            "--backend",
            "installed",
            "init",
            "--recipe",
            "team-svc",
            "--set",
            "project_name=demo",
            "--set",
            "with_docs=true",
            "--output-base-path",
        ])
        .arg(&projects)
        .assert()
        .success();
    assert_eq!(
        std::fs::read_to_string(projects.join("demo/README.md")).expect("readme"),
        "# demo\n\ndemo: made with team-svc\n"
    );
    assert!(projects.join("demo/docs/index.md").is_file());
}

/// `nskit merge-file` takes git's arguments and gives git's output and exit status.
#[test]
fn merge_file_matches_git_merge_file() {
    let h = Home::new();
    let d = h.path();
    let cases: [(&str, &str, &str); 4] = [
        (
            "a\nb\nc\nd\ne\nf\n",
            "A\nb\nc\nd\ne\nf\n",
            "a\nb\nc\nd\ne\nF\n",
        ),
        ("x\na\ny\n", "x\nb\ny\n", "x\nc\ny\n"),
        (
            "1\n2\n3\n4\n5\n6\n7\n8\n",
            "1\nX\n3\n4\n5\n6\nY\n8\n",
            "1\nZ\n3\n4\n5\n6\nW\n8\n",
        ),
        ("k: 1\r\nv: 2\r\n", "k: 1\r\nv: 3\r\n", "k: 1\r\nv: 4\r\n"),
    ];
    for (i, (base, ours, theirs)) in cases.iter().enumerate() {
        for diff3 in [false, true] {
            std::fs::write(d.join("base"), base).expect("write");
            std::fs::write(d.join("ours"), ours).expect("write");
            std::fs::write(d.join("theirs"), theirs).expect("write");
            let mut flags = vec!["merge-file", "-p", "-L", "mine", "-L", "old", "-L", "yours"];
            if diff3 {
                flags.push("--diff3");
            }
            let git = Command::new("git")
                .args(&flags)
                .args(["ours", "base", "theirs"])
                .current_dir(d)
                .output()
                .expect("git");
            let ours_out = h
                .nskit()
                .args(&flags)
                .args(["ours", "base", "theirs"])
                .output()
                .expect("nskit");
            assert_eq!(
                String::from_utf8_lossy(&ours_out.stdout),
                String::from_utf8_lossy(&git.stdout),
                "case {i}, diff3 {diff3}"
            );
            assert_eq!(
                ours_out.status.code(),
                git.status.code(),
                "case {i}, diff3 {diff3}: exit status = conflicts"
            );
        }
    }
    // Without -p the result is written to the current file.
    std::fs::write(d.join("ours"), "x\nb\ny\n").expect("write");
    std::fs::write(d.join("base"), "x\na\ny\n").expect("write");
    std::fs::write(d.join("theirs"), "x\na\nz\n").expect("write");
    h.nskit()
        .args(["merge-file", "ours", "base", "theirs"])
        .assert()
        .code(1);
    let written = std::fs::read_to_string(d.join("ours")).expect("read");
    assert!(
        written.starts_with("x\n<<<<<<< ours\nb\ny\n=======\na\nz\n>>>>>>> theirs\n"),
        "{written}"
    );
    // Binary files are refused, as git does.
    std::fs::write(d.join("ours"), b"\0bin").expect("write");
    h.nskit()
        .args(["merge-file", "-p", "ours", "base", "theirs"])
        .assert()
        .code(255)
        .stderr(predicate::str::contains("binary"));
}

#[test]
fn config_show_says_where_each_value_comes_from_and_set_edits_the_file() {
    let home = Home::new();
    let recipes = home.path().join("recipes");
    local_recipe(
        &recipes,
        "svc",
        "1.0.0",
        "fields: []\n",
        &[("README.md", "svc\n")],
    );
    let file = home.path().join(".config/nskit/config.yaml");
    std::fs::create_dir_all(file.parent().expect("parent")).expect("mkdir");
    // A file with a key nskit does not know and a reference to a variable.
    std::fs::write(
        &file,
        "# team settings\nfuture_key: [1, 2]\nvcs:\n  organisation: ${ORG}\n",
    )
    .expect("write");
    let set = |args: &[&str]| {
        run(home
            .nskit()
            .env("ORG", "acme")
            .args(["config", "set"])
            .args(args))
    };
    let (code, out, err) = set(&[
        "backends.team",
        &format!("{{type: local, recipes_dir: {}}}", recipes.display()),
    ]);
    assert_eq!(code, 0, "{out}{err}");
    let (code, _, err) = set(&["default_backend", "team"]);
    assert_eq!(code, 0, "{err}");
    // A secret is refused; a half-made backend too; an unknown key too.
    let (code, _, err) = set(&["backends.team.auth_token", "hunter2"]);
    assert_eq!(code, 2);
    assert!(err.contains("is a secret and is never written"), "{err}");
    let (code, _, err) = set(&["backends.other.type", "docker-local-typo"]);
    assert_eq!(code, 2, "{err}");
    assert!(
        err.contains("no backend type `docker-local-typo`")
            && err.contains("no plug-in `nskit-backend-docker-local-typo` is on PATH"),
        "{err}"
    );
    let (code, _, err) = set(&["colour", "blue"]);
    assert_eq!(code, 2);
    assert!(err.contains("`colour` is not a setting"), "{err}");
    let text = std::fs::read_to_string(&file).expect("read");
    assert!(text.contains("organisation: ${ORG}"), "{text}");
    assert!(text.contains("future_key"), "{text}");
    assert!(
        !text.contains("hunter2") && !text.contains("docker-local-typo"),
        "{text}"
    );

    // The next command uses what was saved.
    let out = stdout_of(home.nskit().env("ORG", "acme").args(["list"]));
    assert!(out.contains("svc"), "{out}");

    // Each value with its source; the environment wins over the file and says so.
    let (code, out, err) = run(home
        .nskit()
        .env("ORG", "acme")
        .env("NSKIT_GITHUB_ORGANISATION", "from-env")
        .args(["config", "show", "--json"]));
    assert_eq!(code, 0, "{err}");
    assert!(
        err.contains("`future_key` is not a setting nskit knows"),
        "{err}"
    );
    let settings: serde_json::Value = serde_json::from_str(&out).expect("json");
    let find = |k: &str| {
        settings
            .as_array()
            .expect("list")
            .iter()
            .find(|s| s["key"] == k)
            .cloned()
            .unwrap_or_else(|| panic!("no {k}: {settings}"))
    };
    assert_eq!(find("default_backend")["value"], "team");
    assert_eq!(find("default_backend")["source"]["kind"], "file");
    assert_eq!(find("vcs.organisation")["value"], "from-env");
    assert_eq!(
        find("vcs.organisation")["source"],
        serde_json::json!({"kind": "env", "var": "NSKIT_GITHUB_ORGANISATION"})
    );
    assert_eq!(find("theme")["source"]["kind"], "default");
    let (code, out, _) = run(home.nskit().env("ORG", "acme").args(["config", "show"]));
    assert_eq!(code, 0);
    assert!(out.contains("backends.team.type"), "{out}");

    let (code, out, _) =
        run(home
            .nskit()
            .env("ORG", "acme")
            .args(["config", "unset", "default_backend"]));
    assert_eq!(code, 0, "{out}");
    let text = std::fs::read_to_string(&file).expect("read");
    assert!(!text.contains("default_backend"), "{text}");
    let (_, out, _) = run(home.nskit().args(["config", "path"]));
    assert_eq!(out.trim(), file.display().to_string());
}

/// Every key by one naming rule, for a container or a CI job with no file: a backend made
/// of variables alone, one key of a file's backend replaced by a variable, the git host's
/// repository settings by the original's names; `config show` names each variable.
#[test]
fn configuration_by_environment_alone_says_which_variable_set_each_value() {
    let home = Home::new();
    let recipes = home.path().join("recipes");
    local_recipe(
        &recipes,
        "svc",
        "1.0.0",
        "fields: []\n",
        &[("README.md", "svc\n")],
    );
    let other = home.path().join("other");
    local_recipe(
        &other,
        "other-svc",
        "1.0.0",
        "fields: []\n",
        &[("README.md", "o\n")],
    );
    let with_env = |c: &mut std::process::Command| {
        c.env("NSKIT_BACKENDS__TEAM__TYPE", "local")
            .env("NSKIT_BACKENDS__TEAM__RECIPES_DIR", &recipes)
            .env("NSKIT_DEFAULT_BACKEND", "team")
            .env("NSKIT_VCS__ORGANISATION", "1234")
            .env(
                "NSKIT_VCS__BRANCH_PROTECTION__REQUIRED_STATUS_CHECKS",
                "[ci, lint]",
            )
            .env("GITHUB_REPO_HAS_WIKI", "false")
            .env("NSKIT_COLOUR__X", "blue");
    };
    let mut list = home.nskit();
    with_env(&mut list);
    let (code, out, err) = run(list.arg("list"));
    assert_eq!(code, 0, "{out}{err}");
    assert!(out.contains("svc"), "{out}");
    assert!(
        err.contains("NSKIT_COLOUR__X is not a setting"),
        "the stray variable is said: {err}"
    );

    let mut show = home.nskit();
    with_env(&mut show);
    let (code, out, err) = run(show.args(["config", "show", "--json"]));
    assert_eq!(code, 0, "{err}");
    let settings: Vec<serde_json::Value> = serde_json::from_str(&out).expect("json");
    let find = |key: &str| {
        settings
            .iter()
            .find(|s| s["key"] == key)
            .unwrap_or_else(|| panic!("{key} not shown: {out}"))
            .clone()
    };
    let s = find("backends.team.type");
    assert_eq!(s["value"], "local");
    assert_eq!(s["source"]["var"], "NSKIT_BACKENDS__TEAM__TYPE");
    assert_eq!(
        find("default_backend")["source"]["var"],
        "NSKIT_DEFAULT_BACKEND"
    );
    // Text where the schema wants text, a list where it wants a list.
    assert_eq!(find("vcs.organisation")["value"], "1234");
    assert_eq!(
        find("vcs.branch_protection.required_status_checks")["value"],
        serde_json::json!(["ci", "lint"])
    );
    let wiki = find("vcs.settings.has_wiki");
    assert_eq!(wiki["value"], false);
    assert_eq!(wiki["source"]["var"], "GITHUB_REPO_HAS_WIKI");

    // A file's backend with one key replaced by a variable: the rest stays the file's.
    let file = home.path().join(".config/nskit/config.yaml");
    std::fs::create_dir_all(file.parent().expect("parent")).expect("mkdir");
    std::fs::write(
        &file,
        format!(
            "backends:\n  team:\n    type: local\n    recipes_dir: {}\n",
            recipes.display()
        ),
    )
    .expect("write");
    let (code, out, err) = run(home
        .nskit()
        .env("NSKIT_BACKENDS__TEAM__RECIPES_DIR", &other)
        .arg("list"));
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("other-svc") && !out.contains("\nsvc"), "{out}");
    let (_, out, _) = run(home
        .nskit()
        .env("NSKIT_BACKENDS__TEAM__RECIPES_DIR", &other)
        .args(["config", "show"]));
    let line = |key: &str| {
        out.lines()
            .find(|l| l.trim_start().starts_with(key))
            .unwrap_or_default()
            .to_string()
    };
    assert!(
        line("backends.team.recipes_dir").contains("environment NSKIT_BACKENDS__TEAM__RECIPES_DIR"),
        "{out}"
    );
    assert!(line("backends.team.type").contains("file "), "{out}");

    // A value the schema refuses names the variable.
    let (code, _, err) = run(home.nskit().env("NSKIT_THEME", "purple").arg("list"));
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("NSKIT_THEME"), "{err}");
}
