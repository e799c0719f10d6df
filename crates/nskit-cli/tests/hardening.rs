//! What a hostile recipe, a kill or a second process cannot do to a project, end to end
//! through the `nskit` binary: a recipe never writes git's folder or nskit's state folder,
//! no writer follows a link out of the project, and new users get the error that fits.
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

mod common;
use common::{Home, git, local_recipe, stdout_of};

fn run(c: &mut Command) -> (i32, String, String) {
    let Output {
        status,
        stdout,
        stderr,
    } = c.output().expect("runs");
    (
        status.code().unwrap_or(-1),
        String::from_utf8_lossy(&stdout).into_owned(),
        String::from_utf8_lossy(&stderr).into_owned(),
    )
}

fn local(home: &Home, recipes: &Path) -> Command {
    let mut c = home.nskit();
    c.env("NSKIT_RECIPES_DIR", recipes)
        .args(["--backend", "local"]);
    c
}

/// Every file under `dir`, with its bytes, `.git` included.
fn snapshot(dir: &Path) -> Vec<(PathBuf, Vec<u8>)> {
    let mut out: Vec<(PathBuf, Vec<u8>)> = walkdir::WalkDir::new(dir)
        .follow_links(false)
        .into_iter()
        .filter_map(Result::ok)
        .filter(|e| e.file_type().is_file())
        .map(|e| {
            (
                e.path().strip_prefix(dir).expect("inside").to_path_buf(),
                std::fs::read(e.path()).expect("read"),
            )
        })
        .collect();
    out.sort();
    out
}

const HOOK: &str = "#!/bin/sh\ntouch \"$HOME/pwned\"\n";

#[test]
fn a_template_never_writes_git_or_state_files() {
    let home = Home::new().with_git_identity();
    let recipes = home.path().join("recipes");
    let other = home.path().join("other-repo");
    std::fs::create_dir_all(&other).expect("mkdir");
    git(&other, &["init", "-q"]);
    let cases: [(&str, &str, &str); 6] = [
        (
            "config",
            ".git/config",
            "[core]\n\tfsmonitor = touch $HOME/pwned\n",
        ),
        ("hook", ".git/hooks/post-commit", HOOK),
        ("gitdir", ".git", "gitdir: OTHER/.git\n"),
        ("upper", "src/.GIT/config", "[core]\n"),
        ("dotted", ".git./config", "[core]\n"),
        ("state", ".recipe/config.yml", "input: {}\n"),
    ];
    for (name, path, text) in cases {
        let text = text.replace("OTHER", &other.display().to_string());
        local_recipe(
            &recipes,
            name,
            "1.0.0",
            "",
            &[("README.md", "hello\n"), (path, &text)],
        );
        let out = home.path().join(format!("out-{name}"));
        let (code, _, err) = run(local(&home, &recipes).args([
            "init",
            "--recipe",
            name,
            "--output-override-path",
            &out.display().to_string(),
        ]));
        assert_ne!(code, 0, "{name}: accepted");
        assert!(
            err.contains(path),
            "{name}: the error names the file: {err}"
        );
        assert!(!out.exists(), "{name}: nothing written");
    }
    assert!(!home.path().join("pwned").exists());
    assert_eq!(
        git(&other, &["rev-list", "--all", "--count"]).trim(),
        "0",
        "nothing was committed into the other repository"
    );
}

#[cfg(unix)]
#[test]
fn force_into_a_folder_whose_git_is_a_link_or_a_file_is_refused() {
    let home = Home::new().with_git_identity();
    let recipes = home.path().join("recipes");
    local_recipe(&recipes, "demo", "1.0.0", "", &[("README.md", "hello\n")]);
    let elsewhere = home.path().join("elsewhere");
    std::fs::create_dir_all(&elsewhere).expect("mkdir");
    git(&elsewhere, &["init", "-q"]);
    std::fs::write(elsewhere.join("secret.txt"), "not for the project\n").expect("write");
    for kind in ["link", "file"] {
        let target = home.path().join(format!("proj-{kind}"));
        std::fs::create_dir_all(&target).expect("mkdir");
        std::fs::write(target.join("mine.txt"), "mine\n").expect("write");
        match kind {
            "link" => std::os::unix::fs::symlink(elsewhere.join(".git"), target.join(".git"))
                .expect("link"),
            _ => std::fs::write(
                target.join(".git"),
                format!("gitdir: {}\n", elsewhere.join(".git").display()),
            )
            .expect("write"),
        }
        let before = snapshot(&elsewhere);
        let (code, _, err) = run(local(&home, &recipes).args([
            "init",
            "--recipe",
            "demo",
            "--force",
            "--output-override-path",
            &target.display().to_string(),
        ]));
        assert_ne!(code, 0, "{kind}: accepted");
        assert!(err.contains(".git"), "{kind}: {err}");
        assert!(
            !target.join("README.md").exists(),
            "{kind}: nothing written"
        );
        assert_eq!(snapshot(&elsewhere), before, "{kind}: the other repository");
    }
}

/// A local recipe `demo` 1.0.0 (README.md, docs/guide.md) and 1.1.0 (both changed and
/// `extra`'s files added), and a project made from 1.0.0 and committed.
fn project_with_update(home: &Home, extra: &[(&str, &str)]) -> (PathBuf, PathBuf) {
    let recipes = home.path().join("recipes");
    local_recipe(
        &recipes,
        "demo",
        "1.0.0",
        "",
        &[("README.md", "one\n"), ("docs/guide.md", "guide one\n")],
    );
    let mut files = vec![("README.md", "two\n"), ("docs/guide.md", "guide two\n")];
    files.extend_from_slice(extra);
    local_recipe(&recipes, "demo", "1.1.0", "", &files);
    let project = home.path().join("proj");
    stdout_of(local(home, &recipes).args([
        "init",
        "--recipe",
        "demo",
        "--version",
        "1.0.0",
        "--output-override-path",
        &project.display().to_string(),
    ]));
    (recipes, project)
}

#[test]
fn an_update_that_would_write_git_files_is_refused() {
    let home = Home::new().with_git_identity();
    let (recipes, project) = project_with_update(
        &home,
        &[
            (".git/config", "[core]\n\tfsmonitor = touch $HOME/pwned\n"),
            (".git/hooks/pre-commit", HOOK),
        ],
    );
    let before = snapshot(&project);
    let (code, _, err) = run(local(&home, &recipes)
        .args(["update", "--project-path"])
        .arg(&project));
    assert_ne!(code, 0, "accepted:\n{err}");
    assert!(err.contains(".git/config"), "{err}");
    assert_eq!(snapshot(&project), before, "nothing changed, .git included");
    git(&project, &["status", "--porcelain"]);
    assert!(!home.path().join("pwned").exists());
}

#[cfg(unix)]
#[test]
fn an_update_never_writes_through_a_link_out_of_the_project() {
    let home = Home::new().with_git_identity();
    let (recipes, project) = project_with_update(&home, &[("docs/new.md", "new\n")]);
    // docs/ becomes a link to a folder outside the project (committed as such).
    let outside = home.path().join("outside");
    std::fs::create_dir_all(&outside).expect("mkdir");
    std::fs::rename(project.join("docs/guide.md"), outside.join("guide.md")).expect("mv");
    std::fs::remove_dir(project.join("docs")).expect("rmdir");
    std::os::unix::fs::symlink(&outside, project.join("docs")).expect("link");
    git(&project, &["add", "-A"]);
    git(&project, &["commit", "-qm", "docs elsewhere"]);
    let outside_before = snapshot(&outside);
    let project_before = snapshot(&project);
    let (code, _, err) = run(local(&home, &recipes)
        .args(["update", "--project-path"])
        .arg(&project));
    assert_ne!(code, 0, "accepted:\n{err}");
    assert!(err.contains("symbolic link"), "{err}");
    assert_eq!(
        snapshot(&outside),
        outside_before,
        "nothing written outside"
    );
    assert_eq!(snapshot(&project), project_before, "nothing changed inside");
}

#[test]
fn defaults_without_a_name_or_terminal_list_every_missing_answer() {
    let home = Home::new().with_git_identity();
    let out = home.out();
    let (code, _, err) = run(home.nskit().current_dir(&out).args([
        "init",
        "--recipe",
        "python_package",
        "--defaults",
    ]));
    assert_eq!(code, 3, "{err}");
    assert!(err.contains("missing answers for: name"), "{err}");
    assert!(
        !err.contains("undefined"),
        "not blamed on the recipe: {err}"
    );
    assert_eq!(std::fs::read_dir(&out).expect("ls").count(), 0);
}

#[test]
fn a_name_with_a_slash_is_an_invalid_name() {
    let home = Home::new().with_git_identity();
    let recipes = home.path().join("recipes");
    local_recipe(
        &recipes,
        "demo",
        "1.0.0",
        "fields:\n  - name: project_name\n",
        &[("README.md", "{{ project_name }}\n")],
    );
    let out = home.out();
    let (code, _, err) = run(local(&home, &recipes).current_dir(&out).args([
        "init",
        "--recipe",
        "demo",
        "--set",
        "project_name=team/tool",
    ]));
    assert_eq!(code, 3, "{err}");
    assert!(
        err.contains("`team/tool` is not a valid project name") && !err.contains("leaves"),
        "{err}"
    );
}

#[test]
fn check_says_when_the_recorded_version_is_not_a_version() {
    let home = Home::new().with_git_identity();
    let recipes = home.path().join("recipes");
    local_recipe(&recipes, "demo", "1.0.0", "", &[("README.md", "one\n")]);
    local_recipe(&recipes, "demo", "1.1.0", "", &[("README.md", "two\n")]);
    let project = home.path().join("proj");
    stdout_of(local(&home, &recipes).args([
        "init",
        "--recipe",
        "demo",
        "--version",
        "1.0.0",
        "--output-override-path",
        &project.display().to_string(),
    ]));
    let state = project.join(".recipe/config.yml");
    let text = std::fs::read_to_string(&state).expect("read");
    std::fs::write(
        &state,
        text.replace("recipe_version: 1.0.0", "recipe_version: banana"),
    )
    .expect("write");
    let (code, out, err) = run(local(&home, &recipes)
        .args(["check", "--project-path"])
        .arg(&project));
    assert_eq!(code, 1, "{out}{err}");
    assert!(!out.contains("Update available"), "{out}");
    assert!(
        err.contains("`banana`") && err.contains("not a version"),
        "{err}"
    );
}

/// A recipe with a secret, and a hidden field computed from it.
const SECRET_FIELDS: &str = "fields:\n  - name: project_name\n    default: proj\n  - name: token\n    type: secret\n  - name: auth_header\n    hidden: true\n    default: \"Bearer {{ token }}\"\n";

#[test]
fn an_update_without_a_new_secret_lists_it_as_missing() {
    let home = Home::new().with_git_identity();
    let recipes = home.path().join("recipes");
    let files = [("client.cfg", "header = {{ auth_header }}\n")];
    local_recipe(&recipes, "demo", "1.0.0", SECRET_FIELDS, &files);
    local_recipe(
        &recipes,
        "demo",
        "1.1.0",
        SECRET_FIELDS,
        &[("client.cfg", "# v2\nheader = {{ auth_header }}\n")],
    );
    let project = home.path().join("proj");
    stdout_of(local(&home, &recipes).args([
        "init",
        "--recipe",
        "demo",
        "--version",
        "1.0.0",
        "--set",
        "token=s3cr3t-t0ken-value",
        "--output-override-path",
        &project.display().to_string(),
    ]));
    let (code, _, err) = run(local(&home, &recipes)
        .args(["update", "--defaults", "--project-path"])
        .arg(&project));
    assert_eq!(code, 3, "{err}");
    assert!(err.contains("missing answers for: token"), "{err}");
    assert!(!err.contains("undefined"), "{err}");
}

#[test]
fn merge_file_marker_sizes_follow_git() {
    let home = Home::new();
    let d = home.path();
    std::fs::write(d.join("base"), "a\nb\n").expect("write");
    std::fs::write(d.join("ours"), "a\nc\n").expect("write");
    std::fs::write(d.join("theirs"), "a\nd\n").expect("write");
    for size in ["0", "-1", "3", "12"] {
        let flag = format!("--marker-size={size}");
        let args = ["merge-file", "-p", flag.as_str(), "ours", "base", "theirs"];
        let git = Command::new("git")
            .args(args)
            .current_dir(d)
            .output()
            .expect("git");
        let ours = home.nskit().args(args).output().expect("nskit");
        assert_eq!(
            String::from_utf8_lossy(&ours.stdout),
            String::from_utf8_lossy(&git.stdout),
            "{size}"
        );
        assert_eq!(ours.status.code(), git.status.code(), "{size}");
    }
    // git dies of "out of memory" here; nskit says what is wrong.
    for size in ["2147483647", "99999999999", "abc"] {
        let (code, out, err) = run(home.nskit().args([
            "merge-file",
            "-p",
            &format!("--marker-size={size}"),
            "ours",
            "base",
            "theirs",
        ]));
        assert_eq!(code, 255, "{size}: {out}{err}");
        assert!(
            err.contains("marker-size") || err.contains("marker size"),
            "{err}"
        );
        assert!(out.is_empty());
    }
}
