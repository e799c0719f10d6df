//! `nskit update` and `nskit check` end to end: a builtin recipe copied as versions 1.0.0,
//! 1.1.0 and 1.2.0 of a local recipe; init → edit → update → resolve → update → undo.
use std::path::{Path, PathBuf};
use std::process::Command;

mod common;
use common::{Home, copy_dir, git, run, stdout_of};

fn edit(path: &Path, from: &str, to: &str) {
    let text = std::fs::read_to_string(path).expect("read");
    assert!(
        text.contains(from),
        "{} has no {from:?}:\n{text}",
        path.display()
    );
    std::fs::write(path, text.replacen(from, to, 1)).expect("write");
}

/// Versions of the builtin rust_cli recipe, as a local recipe `demo`:
/// 1.1.0 adds a field (`msrv`) used in Cargo.toml, a CONTRIBUTING.md, renames tests/cli.rs
/// and rewords a README line; 1.2.0 rewords another README line.
fn recipes(home: &Home) -> PathBuf {
    let builtin = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../recipes/rust_cli");
    let root = home.path().join("recipes");
    let v = |ver: &str| root.join("demo").join(ver);
    copy_dir(&builtin, &v("1.0.0"));
    edit(
        &v("1.0.0").join("recipe.yaml"),
        "name: rust_cli",
        "name: demo",
    );
    copy_dir(&v("1.0.0"), &v("1.1.0"));
    edit(
        &v("1.1.0").join("recipe.yaml"),
        "version: 1.0.0",
        "version: 1.1.0",
    );
    edit(
        &v("1.1.0").join("recipe.yaml"),
        "fields:\n",
        "fields:\n  - name: msrv\n    prompt: Minimum Rust version\n    default: \"1.80\"\n",
    );
    let t = v("1.1.0").join("template");
    edit(
        &t.join("Cargo.toml"),
        "edition = \"{{ edition }}\"\n",
        "edition = \"{{ edition }}\"\nrust-version = \"{{ msrv }}\"\n",
    );
    std::fs::write(t.join("CONTRIBUTING.md"), "Contributions welcome.\n").expect("write");
    std::fs::rename(t.join("tests/cli.rs"), t.join("tests/command_line.rs")).expect("mv");
    edit(&t.join("README.md"), "## Use\n", "## Usage\n");
    copy_dir(&v("1.1.0"), &v("1.2.0"));
    edit(
        &v("1.2.0").join("recipe.yaml"),
        "version: 1.1.0",
        "version: 1.2.0",
    );
    edit(
        &v("1.2.0").join("template/README.md"),
        "## Develop\n",
        "## Development\n",
    );
    root
}

fn nskit(home: &Home, recipes: &Path, project: &Path) -> Command {
    let mut c = home.nskit();
    c.env("NSKIT_RECIPES_DIR", recipes)
        .args(["--backend", "local"])
        .current_dir(project);
    c
}

fn read(p: &Path) -> String {
    std::fs::read_to_string(p).expect("read")
}

#[test]
fn init_edit_update_resolve_update_undo() {
    let home = Home::new().with_git_identity();
    let recipes = recipes(&home);
    let out = home.out();
    stdout_of(nskit(&home, &recipes, &out).args([
        "init",
        "--recipe",
        "demo",
        "--version",
        "1.0.0",
        "--defaults",
        "--set",
        "project_name=hello",
    ]));
    let p = out.join("hello");

    // check: 1.2.0 is out.
    let (code, stdout, _) = run(nskit(&home, &recipes, &p).arg("check"));
    assert_eq!(code, 8, "{stdout}");
    assert!(
        stdout.contains("Update available: demo 1.0.0 → 1.2.0"),
        "{stdout}"
    );
    let (_, json, _) = run(nskit(&home, &recipes, &p).args(["check", "--json"]));
    let v: serde_json::Value = serde_json::from_str(&json).expect("json");
    assert_eq!(v["updateAvailable"], true);
    assert_eq!(v["latestVersion"], "1.2.0");

    // The user's edits, committed.
    edit(
        &p.join("Cargo.toml"),
        "description = ",
        "description = \"mine\"\n# was: ",
    );
    edit(&p.join("README.md"), "## Use\n", "## How to use\n");
    let tests_rs = read(&p.join("tests/cli.rs"));
    std::fs::write(
        p.join("tests/cli.rs"),
        format!("{tests_rs}// my own test notes\n"),
    )
    .expect("write");
    git(&p, &["commit", "-qam", "my edits"]);

    // A dirty tree is refused, and nothing changes.
    std::fs::write(p.join("scratch.txt"), "wip\n").expect("write");
    let (code, _, stderr) =
        run(nskit(&home, &recipes, &p).args(["update", "--target-version", "1.1.0", "--defaults"]));
    assert_eq!(code, 1, "{stderr}");
    assert!(
        stderr.contains("uncommitted changes (scratch.txt)"),
        "{stderr}"
    );
    assert!(stderr.contains("--allow-dirty"), "{stderr}");
    std::fs::remove_file(p.join("scratch.txt")).expect("rm");

    // Dry run: the plan as JSON, nothing written.
    let (code, json, stderr) = run(nskit(&home, &recipes, &p).args([
        "update",
        "--target-version",
        "1.1.0",
        "--defaults",
        "--dry-run",
        "--json",
    ]));
    assert_eq!(code, 0, "{stderr}");
    let plan: serde_json::Value = serde_json::from_str(&json).expect("json");
    let decision = |path: &str| {
        plan["plan"]["changes"]
            .as_array()
            .expect("changes")
            .iter()
            .find(|c| c["path"] == path)
            .map(|c| c["decision"].as_str().unwrap_or_default().to_string())
            .unwrap_or_else(|| panic!("{path} not in {json}"))
    };
    assert_eq!(decision("README.md"), "conflict");
    assert_eq!(decision("Cargo.toml"), "merged");
    assert_eq!(decision("CONTRIBUTING.md"), "added");
    assert_eq!(decision("tests/command_line.rs"), "renamed");
    assert_eq!(decision("src/main.rs"), "unchanged");
    assert_eq!(plan["newFields"], serde_json::json!(["msrv"]));
    assert_eq!(
        git(&p, &["status", "--porcelain"]),
        "",
        "dry run wrote nothing"
    );

    // The update: applied, one conflict left, exit 7.
    let (code, stdout, stderr) =
        run(nskit(&home, &recipes, &p).args(["update", "--target-version", "1.1.0", "--defaults"]));
    assert_eq!(code, 7, "{stdout}{stderr}");
    assert!(stdout.contains("1 file in conflict: README.md"), "{stdout}");
    let readme = read(&p.join("README.md"));
    assert!(
        readme.contains("<<<<<<< yours\n## How to use\n||||||| demo 1.0.0\n## Use\n=======\n## Usage\n>>>>>>> demo 1.1.0\n"),
        "{readme}"
    );
    let cargo = read(&p.join("Cargo.toml"));
    assert!(cargo.contains("description = \"mine\""), "{cargo}");
    assert!(cargo.contains("rust-version = \"1.80\""), "{cargo}");
    assert!(read(&p.join("tests/command_line.rs")).ends_with("// my own test notes\n"));
    assert!(!p.join("tests/cli.rs").exists());
    let state = read(&p.join(".recipe/config.yml"));
    assert_eq!(
        common::yaml_scalar(&state, "recipe_version").as_deref(),
        Some("1.1.0"),
        "{state}"
    );
    assert!(
        state.contains("msrv: '1.80'") || state.contains("msrv: \"1.80\""),
        "{state}"
    );
    let status = git(&p, &["status", "--porcelain"]);
    assert!(status.contains("UU README.md"), "{status}");

    // Resolve: keep the user's heading; commit.
    let resolved = readme.replace(
        "<<<<<<< yours\n## How to use\n||||||| demo 1.0.0\n## Use\n=======\n## Usage\n>>>>>>> demo 1.1.0\n",
        "## How to use\n",
    );
    std::fs::write(p.join("README.md"), resolved).expect("write");
    git(&p, &["add", "-A"]);
    git(&p, &["commit", "-qm", "update to 1.1.0"]);

    // The next update starts from 1.1.0: the resolved heading is the user's, clean.
    let (code, stdout, stderr) = run(nskit(&home, &recipes, &p).args(["update", "--defaults"]));
    assert_eq!(code, 0, "{stdout}{stderr}");
    let readme = read(&p.join("README.md"));
    assert!(
        readme.contains("## How to use\n") && readme.contains("## Development\n"),
        "{readme}"
    );
    assert!(!readme.contains("<<<<<<<"));
    let (code, stdout, _) = run(nskit(&home, &recipes, &p).arg("check"));
    assert_eq!(code, 0);
    assert!(stdout.contains("Project is up to date"), "{stdout}");
    let (code, stdout, _) = run(nskit(&home, &recipes, &p).args(["update", "--defaults"]));
    assert_eq!(code, 0);
    assert!(stdout.contains("Project is up to date"), "{stdout}");

    // Undo the last update: back at 1.1.0 as committed.
    let (code, stdout, stderr) = run(nskit(&home, &recipes, &p).args(["update", "--undo"]));
    assert_eq!(code, 0, "{stdout}{stderr}");
    assert!(stdout.contains("undid demo 1.1.0 → 1.2.0"), "{stdout}");
    assert_eq!(git(&p, &["status", "--porcelain"]), "");
}

#[test]
fn new_required_fields_need_an_answer_and_a_lost_base_is_an_error() {
    let home = Home::new().with_git_identity();
    let recipes = recipes(&home);
    // 1.1.0's new field loses its default: it must be answered.
    edit(
        &recipes.join("demo/1.1.0/recipe.yaml"),
        "    default: \"1.80\"\n",
        "",
    );
    let out = home.out();
    stdout_of(nskit(&home, &recipes, &out).args([
        "init",
        "--recipe",
        "demo",
        "--version",
        "1.0.0",
        "--defaults",
        "--set",
        "project_name=hello",
    ]));
    let p = out.join("hello");
    let (code, _, stderr) =
        run(nskit(&home, &recipes, &p).args(["update", "--target-version", "1.1.0", "--defaults"]));
    assert_eq!(code, 3, "{stderr}");
    assert!(stderr.contains("msrv"), "{stderr}");
    let (code, _, stderr) = run(nskit(&home, &recipes, &p).args([
        "update",
        "--target-version",
        "1.1.0",
        "--set",
        "msrv=1.85",
    ]));
    assert_eq!(code, 0, "{stderr}");
    assert!(read(&p.join("Cargo.toml")).contains("rust-version = \"1.85\""));
    git(&p, &["add", "-A"]);
    git(&p, &["commit", "-qm", "1.1.0"]);

    // The recorded version disappears: a clear error, never an empty base.
    std::fs::remove_dir_all(recipes.join("demo/1.1.0")).expect("rm");
    let (code, _, stderr) = run(nskit(&home, &recipes, &p).args(["update", "--defaults"]));
    assert_eq!(code, 1, "{stderr}");
    assert!(stderr.contains("cannot render demo 1.1.0"), "{stderr}");
    assert!(stderr.contains("has no version `1.1.0`"), "{stderr}");
    assert!(stderr.contains("--diff-mode two-way"), "{stderr}");
    assert_eq!(git(&p, &["status", "--porcelain"]), "");
    // Two-way works without it, and keeps every line of the user's files.
    let (code, stdout, stderr) =
        run(nskit(&home, &recipes, &p).args(["update", "--defaults", "--diff-mode", "two-way"]));
    assert!(code == 0 || code == 7, "{stdout}{stderr}");
    assert!(read(&p.join("Cargo.toml")).contains("rust-version = \"1.85\""));
}

#[test]
fn a_project_of_the_original_nskit_is_read() {
    // The original records the version only as the tag of `docker_image`.
    let home = Home::new().with_git_identity();
    let recipes = recipes(&home);
    let out = home.out();
    stdout_of(nskit(&home, &recipes, &out).args([
        "init",
        "--recipe",
        "demo",
        "--version",
        "1.0.0",
        "--defaults",
        "--set",
        "project_name=hello",
    ]));
    let p = out.join("hello");
    let state = read(&p.join(".recipe/config.yml"));
    let original: String = state
        .lines()
        .filter(|l| !l.contains("recipe_version") && !l.contains("nskit_version"))
        .map(|l| {
            if l.trim_start().starts_with("docker_image") {
                "  docker_image: ghcr.io/acme/demo:1.0.0\n".to_string()
            } else {
                format!("{l}\n")
            }
        })
        .collect();
    assert!(!original.contains("source:") || original.contains("docker_image"));
    std::fs::write(p.join(".recipe/config.yml"), &original).expect("write");
    git(&p, &["commit", "-qam", "as the original writes it"]);
    let (code, stdout, _) = run(nskit(&home, &recipes, &p).arg("check"));
    assert_eq!(code, 8, "{stdout}");
    assert!(stdout.contains("demo 1.0.0 → 1.2.0"), "{stdout}");
    let (code, stdout, stderr) = run(nskit(&home, &recipes, &p).args(["update", "--defaults"]));
    assert_eq!(code, 0, "{stdout}{stderr}");
    let state = read(&p.join(".recipe/config.yml"));
    assert!(
        state.contains("docker_image: ghcr.io/acme/demo:1.2.0"),
        "{state}"
    );
    assert_eq!(
        common::yaml_scalar(&state, "recipe_version").as_deref(),
        Some("1.2.0"),
        "{state}"
    );
}
