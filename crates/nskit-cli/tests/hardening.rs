//! What a hostile recipe, a kill or a second process cannot do to a project, end to end
//! through the `nskit` binary: a recipe never writes git's folder or nskit's state folder,
//! no writer follows a link out of the project, and new users get the error that fits.
use std::path::{Path, PathBuf};
use std::process::Command;

mod common;
use common::{Home, copy_dir, git, local_recipe, run, stdout_of};

fn local(home: &Home, recipes: &Path) -> Command {
    let mut c = home.nskit();
    c.env("NSKIT_RECIPES_DIR", recipes)
        .args(["--backend", "local"]);
    c
}

/// Every file under `dir` with its git blob id, `.git` included (but for nskit's own
/// folder in it: the lock).
fn snapshot(dir: &Path) -> Vec<(PathBuf, String)> {
    let mut out: Vec<(PathBuf, String)> = walkdir::WalkDir::new(dir)
        .follow_links(false)
        .into_iter()
        .filter_map(Result::ok)
        .filter(|e| e.file_type().is_file())
        .map(|e| {
            let bytes = std::fs::read(e.path()).expect("read");
            (
                e.path().strip_prefix(dir).expect("inside").to_path_buf(),
                git2::Oid::hash_object(git2::ObjectType::Blob, &bytes)
                    .expect("hash")
                    .to_string(),
            )
        })
        .filter(|(p, _)| !p.starts_with(".git/nskit"))
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
    assert!(err.contains("--set NAME=VALUE"), "the CLI says how: {err}");
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
        text.replace("recipe_version: \"1.0.0\"", "recipe_version: banana")
            .replace("recipe_version: 1.0.0", "recipe_version: banana"),
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

#[test]
fn values_computed_from_a_secret_are_never_recorded() {
    let home = Home::new().with_git_identity();
    let recipes = home.path().join("recipes");
    let secret = "s3cr3t-t0ken-value";
    local_recipe(
        &recipes,
        "demo",
        "1.0.0",
        SECRET_FIELDS,
        &[("client.cfg", "header = {{ auth_header }}\n")],
    );
    let project = home.path().join("proj");
    let (code, out, err) = run(local(&home, &recipes).args([
        "init",
        "--recipe",
        "demo",
        "--set",
        &format!("token={secret}"),
        "--output-override-path",
        &project.display().to_string(),
    ]));
    assert_eq!(code, 0, "{err}");
    assert!(!out.contains(secret) && !err.contains(secret));
    let state = std::fs::read_to_string(project.join(".recipe/config.yml")).expect("state");
    assert!(
        !state.contains(secret) && !state.contains("auth_header") && !state.contains("Bearer"),
        "{state}"
    );
    assert!(state.contains("project_name: proj"), "{state}");
    // The secret was used.
    assert_eq!(
        std::fs::read_to_string(project.join("client.cfg")).expect("cfg"),
        format!("header = Bearer {secret}\n")
    );
}

/// The project's files (not `.git`) with their ids, the state file reduced to its version,
/// and `git status`: what "as before" and "as updated" are compared on.
fn project_view(dir: &Path) -> (Vec<(PathBuf, String)>, String) {
    let files = snapshot(dir)
        .into_iter()
        .filter(|(p, _)| !p.starts_with(".git"))
        .map(|(p, id)| {
            if p == Path::new(".recipe/config.yml") {
                let state = std::fs::read_to_string(dir.join(&p)).expect("state");
                let v = state
                    .lines()
                    .find(|l| l.trim_start().starts_with("recipe_version:"))
                    .unwrap_or_default()
                    .trim()
                    .to_string();
                (p, v)
            } else {
                (p, id)
            }
        })
        .collect();
    (files, git(dir, &["status", "--porcelain"]))
}

/// A project of 1.0.0 with 12 files, one edited by the user (committed) where 1.1.0 also
/// changes it (a conflict), and 1.1.0 changing, adding and removing files.
fn kill_scenario(home: &Home) -> (PathBuf, PathBuf) {
    let recipes = home.path().join("recipes");
    let v1: Vec<(String, String)> = (0..12)
        .map(|i| {
            (
                format!("src/f{i}.txt"),
                format!("line one\nfile {i}\nline three\n"),
            )
        })
        .chain([("gone.txt".to_string(), "bye\n".to_string())])
        .collect();
    let v2: Vec<(String, String)> = (0..12)
        .map(|i| {
            (
                format!("src/f{i}.txt"),
                format!("line one\nfile {i} v2\nline three\n"),
            )
        })
        .chain((0..4).map(|i| (format!("new/n{i}.txt"), format!("new {i}\n"))))
        .collect();
    let as_refs = |v: &[(String, String)]| -> Vec<(String, String)> { v.to_vec() };
    for (version, files) in [("1.0.0", as_refs(&v1)), ("1.1.0", as_refs(&v2))] {
        let refs: Vec<(&str, &str)> = files
            .iter()
            .map(|(a, b)| (a.as_str(), b.as_str()))
            .collect();
        local_recipe(&recipes, "demo", version, "", &refs);
    }
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
    std::fs::write(
        project.join("src/f3.txt"),
        "line one\nfile 3 mine\nline three\n",
    )
    .expect("edit");
    git(&project, &["commit", "-qam", "mine"]);
    (recipes, project)
}

#[test]
fn an_update_killed_at_any_step_leaves_the_project_as_before_or_as_updated() {
    let home = Home::new().with_git_identity();
    let (recipes, pristine) = kill_scenario(&home);
    let before = project_view(&pristine);
    // What a whole update gives.
    let done = home.path().join("done");
    copy_dir(&pristine, &done);
    let (code, _, err) = run(local(&home, &recipes)
        .args(["update", "--defaults", "--project-path"])
        .arg(&done));
    assert_eq!(code, 7, "one conflict: {err}");
    let after = project_view(&done);
    assert_ne!(before, after);

    let mut crashed = 0;
    for at in 0..400 {
        let p = home.path().join(format!("run-{at}"));
        copy_dir(&pristine, &p);
        let out = local(&home, &recipes)
            .args(["update", "--defaults", "--project-path"])
            .arg(&p)
            .env("NSKIT_TEST_CRASH_AT", at.to_string())
            .output()
            .expect("runs");
        if out.status.code().is_some() {
            // Past the last step: the update ran whole.
            assert_eq!(
                out.status.code(),
                Some(7),
                "{}",
                String::from_utf8_lossy(&out.stderr)
            );
            assert_eq!(project_view(&p), after);
            break;
        }
        crashed += 1;
        // The next command rolls back what was half done, and says so.
        let (code, _, err) = run(local(&home, &recipes)
            .args(["check", "--project-path"])
            .arg(&p));
        assert!(
            code == 0 || code == 8,
            "check after a kill at step {at}: {err}"
        );
        let view = project_view(&p);
        assert!(
            view == before || view == after,
            "step {at}: neither as before nor as updated: {view:?}"
        );
        if view == before {
            assert!(
                !p.join(".git/nskit/txn").exists(),
                "step {at}: the transaction is gone"
            );
            // And the update then runs whole.
            let (code, _, err) = run(local(&home, &recipes)
                .args(["update", "--defaults", "--project-path"])
                .arg(&p));
            assert_eq!(code, 7, "step {at}: {err}");
            assert_eq!(project_view(&p), after, "step {at}");
        }
        // Either way, undo takes it back to before.
        let (code, _, err) = run(local(&home, &recipes)
            .args(["update", "--undo", "--project-path"])
            .arg(&p));
        assert_eq!(code, 0, "step {at}: {err}");
        assert_eq!(project_view(&p), before, "step {at}: undo");
        std::fs::remove_dir_all(&p).expect("clean");
    }
    assert!(
        crashed > 20,
        "the hook stopped the update at {crashed} steps"
    );

    // Real kills at varied moments.
    for (i, delay_ms) in [0u64, 2, 5, 9, 14, 20, 30].into_iter().enumerate() {
        let p = home.path().join(format!("kill-{i}"));
        copy_dir(&pristine, &p);
        let mut child = local(&home, &recipes)
            .args(["update", "--defaults", "--project-path"])
            .arg(&p)
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .expect("spawn");
        std::thread::sleep(std::time::Duration::from_millis(delay_ms));
        let _ = child.kill();
        let _ = child.wait();
        let (code, _, err) = run(local(&home, &recipes)
            .args(["check", "--project-path"])
            .arg(&p));
        assert!(code == 0 || code == 8, "{err}");
        let view = project_view(&p);
        assert!(
            view == before || view == after,
            "kill after {delay_ms} ms: {view:?}"
        );
    }
}

#[test]
fn init_force_killed_at_any_step_loses_no_file_and_the_next_init_finishes() {
    let home = Home::new().with_git_identity();
    let recipes = home.path().join("recipes");
    local_recipe(
        &recipes,
        "demo",
        "1.0.0",
        "",
        &[
            ("README.md", "generated\n"),
            ("src/a.txt", "a\n"),
            ("src/b.txt", "b\n"),
        ],
    );
    let mine = |p: &Path| {
        std::fs::create_dir_all(p.join("src")).expect("mkdir");
        std::fs::write(p.join("README.md"), "my readme\n").expect("write");
        std::fs::write(p.join("notes.txt"), "my notes\n").expect("write");
    };
    let init = |p: &Path, crash: Option<u32>| {
        let mut c = local(&home, &recipes);
        c.args([
            "init",
            "--recipe",
            "demo",
            "--force",
            "--output-override-path",
        ])
        .arg(p);
        if let Some(at) = crash {
            c.env("NSKIT_TEST_CRASH_AT", at.to_string());
        }
        c.output().expect("runs")
    };
    let mut crashed = 0;
    for at in 0..200 {
        let p = home.path().join(format!("force-{at}"));
        mine(&p);
        let out = init(&p, Some(at));
        if out.status.code().is_some() {
            assert!(
                out.status.success(),
                "{}",
                String::from_utf8_lossy(&out.stderr)
            );
            break;
        }
        crashed += 1;
        // The user's files are in the folder or in its own nskit folder, never only beside.
        let beside: Vec<_> = std::fs::read_dir(home.path())
            .expect("ls")
            .flatten()
            .map(|e| e.file_name().to_string_lossy().into_owned())
            .filter(|n| n.contains("backup"))
            .collect();
        assert!(beside.is_empty(), "{beside:?}");
        let out = init(&p, None);
        assert!(
            out.status.success(),
            "step {at}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        assert_eq!(
            std::fs::read_to_string(p.join("README.md")).expect("read"),
            "generated\n"
        );
        assert_eq!(
            std::fs::read_to_string(p.join("notes.txt")).expect("read"),
            "my notes\n"
        );
        assert_eq!(
            std::fs::read_to_string(p.join("src/b.txt")).expect("read"),
            "b\n"
        );
        assert!(!p.join(".recipe/nskit/txn").exists());
        let staging: Vec<_> = std::fs::read_dir(home.path())
            .expect("ls")
            .flatten()
            .map(|e| e.file_name().to_string_lossy().into_owned())
            .filter(|n| n.starts_with(&format!(".force-{at}.nskit-")))
            .collect();
        assert!(
            staging.is_empty(),
            "step {at}: stale staging left: {staging:?}"
        );
    }
    assert!(crashed >= 5, "{crashed}");
}

#[test]
fn a_second_command_on_a_busy_project_waits_then_names_the_holder() {
    let home = Home::new().with_git_identity();
    let (recipes, project) = kill_scenario(&home);
    // Hold the project's lock as another nskit would.
    let meta = project.join(".git/nskit");
    std::fs::create_dir_all(&meta).expect("mkdir");
    let lock = std::fs::OpenOptions::new()
        .read(true)
        .write(true)
        .create(true)
        .truncate(true)
        .open(meta.join("lock"))
        .expect("open");
    lock.lock().expect("lock");
    std::fs::write(
        meta.join("lock"),
        "process 4242 (nskit update), since 10:00:00",
    )
    .expect("write");
    let before = project_view(&project);
    let started = std::time::Instant::now();
    let (code, _, err) = run(local(&home, &recipes)
        .args(["update", "--defaults", "--project-path"])
        .arg(&project));
    assert_ne!(code, 0);
    assert!(
        started.elapsed() >= std::time::Duration::from_secs(2),
        "it waited"
    );
    assert!(err.contains("process 4242 (nskit update)"), "{err}");
    assert_eq!(project_view(&project), before);
    drop(lock);
    let (code, _, err) = run(local(&home, &recipes)
        .args(["update", "--defaults", "--project-path"])
        .arg(&project));
    assert_eq!(code, 7, "{err}");
}
