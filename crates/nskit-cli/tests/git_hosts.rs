//! Git host providers beyond GitHub, through the CLI: GitLab (the stand-in of its REST API
//! and a real git server) creating a project in a subgroup, pushing it, protecting its
//! branch, listing the group page by page, and a token checked and kept in the keychain;
//! a provider served by a plug-in on PATH (`nskit-vcs-bare`, in Python, keeping bare
//! repositories in a folder); a provider nothing serves, refused before anything happens.
use std::path::{Path, PathBuf};
use std::process::Command;

use nskit_testkit::{FakeGitLab, GitLabState, GitServer};

mod common;
use common::{Home, git, local_recipe, run, run_with_input};

const TOKEN: &str = "glpat-cliTEST0123456789secret";

fn recipes(home: &Home) -> PathBuf {
    let recipes = home.path().join("recipes");
    local_recipe(
        &recipes,
        "service",
        "1.0.0",
        "fields:\n  - name: project_name\n    default: billing-api\n",
        &[("README.md", "# {{ project_name }}\n")],
    );
    recipes
}

fn config(home: &Home, recipes: &Path, vcs: &str) -> PathBuf {
    let file = home.path().join("nskit.yaml");
    std::fs::write(
        &file,
        format!(
            "backend:\n  type: local\n  recipes_dir: {}\nvcs:\n{vcs}",
            recipes.display()
        ),
    )
    .expect("config");
    file
}

fn gitlab(dir: &Path) -> FakeGitLab {
    FakeGitLab::start(
        GitServer::start(&dir.join("git"), TOKEN),
        GitLabState {
            token: TOKEN.into(),
            username: "ada".into(),
            groups: vec!["acme".into(), "acme/platform".into()],
            ..Default::default()
        },
    )
}

#[test]
fn gitlab_creates_in_a_subgroup_pushes_protects_and_lists() {
    let dir = tempfile::tempdir().expect("tempdir");
    let gl = gitlab(dir.path());
    let home = Home::new().with_git_identity();
    let recipes = recipes(&home);
    let file = config(
        &home,
        &recipes,
        &format!(
            "  provider: gitlab\n  api_url: {}\n  organisation: acme/platform\n  topics: [service]\n  branch_protection: {{allow_force_pushes: false, required_status_checks: [ci]}}\n",
            gl.url
        ),
    );
    let nskit = || {
        let mut c = home.nskit();
        c.arg("--config")
            .arg(&file)
            .env("NSKIT_GITLAB_TOKEN", TOKEN);
        c
    };
    let out = home.out();
    let (code, stdout, stderr) =
        run(nskit()
            .current_dir(&out)
            .args(["init", "--recipe", "service", "--create-repo"]));
    assert_eq!(code, 0, "{stdout}{stderr}");
    assert!(
        stdout
            .contains("created the repository acme/platform/billing-api (private) and pushed main"),
        "{stdout}"
    );
    let head = git(&out.join("billing-api"), &["rev-parse", "HEAD"]);
    let bare = gl.git.root.join("acme/platform/billing-api.git");
    let remote = Command::new("git")
        .arg("--git-dir")
        .arg(&bare)
        .args(["rev-parse", "main"])
        .output()
        .expect("git");
    assert_eq!(String::from_utf8_lossy(&remote.stdout).trim(), head.trim());
    {
        let st = gl.state.lock().expect("lock");
        assert_eq!(st.projects["acme/platform/billing-api"].topics, ["service"]);
        assert_eq!(
            st.protected["acme/platform/billing-api"][0]["allow_force_push"],
            false
        );
        assert_eq!(
            st.settings["acme/platform/billing-api"]["only_allow_merge_if_pipeline_succeeds"],
            true
        );
    }
    assert!(!stdout.contains(TOKEN) && !stderr.contains(TOKEN));

    // The group's projects, every page.
    gl.state.lock().expect("lock").max_per_page = 1;
    for name in ["ledger", "audit"] {
        let (code, stdout, stderr) = run(nskit().current_dir(&out).args([
            "init",
            "--recipe",
            "service",
            "--set",
            &format!("project_name={name}"),
            "--create-repo",
        ]));
        assert_eq!(code, 0, "{stdout}{stderr}");
    }
    let (code, stdout, stderr) = run(nskit().args(["repo", "list", "--json"]));
    assert_eq!(code, 0, "{stderr}");
    let listed: Vec<serde_json::Value> = serde_json::from_str(&stdout).expect("json");
    let names: Vec<&str> = listed
        .iter()
        .filter_map(|r| r["fullName"].as_str())
        .collect();
    assert_eq!(
        names,
        [
            "acme/platform/audit",
            "acme/platform/billing-api",
            "acme/platform/ledger"
        ]
    );

    // Where the token comes from, by provider.
    let (_, status, _) = run(nskit().args(["auth", "status"]));
    let host = gl.url.split('/').nth(2).expect("host");
    assert!(
        status.contains(&format!("{host} (GitLab): the token in NSKIT_GITLAB_TOKEN")),
        "{status}"
    );
}

#[test]
fn a_gitlab_token_is_checked_and_kept_in_the_keychain() {
    let Ok(_) = std::env::var("DBUS_SESSION_BUS_ADDRESS") else {
        if std::env::var("CI").is_ok_and(|v| v == "true") {
            panic!("CI=true and no keychain (DBUS_SESSION_BUS_ADDRESS)");
        }
        eprintln!("skipped: no keychain; scripts/test starts one");
        return;
    };
    let dir = tempfile::tempdir().expect("tempdir");
    let gl = gitlab(dir.path());
    let home = Home::new().with_git_identity();
    let recipes = recipes(&home);
    let file = config(
        &home,
        &recipes,
        &format!(
            "  provider: gitlab\n  api_url: {}\n  organisation: acme\n",
            gl.url
        ),
    );
    let host = gl.url.split('/').nth(2).expect("host").to_string();
    let login = |token: &str| {
        run_with_input(
            home.nskit()
                .arg("--config")
                .arg(&file)
                .args(["auth", "login", "gitlab"]),
            token,
        )
    };
    let (code, _, stderr) = login("glpat-wrong");
    assert_ne!(code, Some(0));
    assert!(stderr.contains("401"), "{stderr}");
    let (code, stdout, stderr) = login(TOKEN);
    assert_eq!(code, Some(0), "{stdout}{stderr}");
    assert!(
        stdout.contains(&format!("stored a token for {host} (user ada)")),
        "{stdout}"
    );
    assert!(stdout.contains("its scopes: api"), "{stdout}");
    // The keychain's token creates and pushes, with no variable set.
    let out = home.out();
    let (code, stdout, stderr) = run(home
        .nskit()
        .arg("--config")
        .arg(&file)
        .current_dir(&out)
        .args(["init", "--recipe", "service", "--create-repo"]));
    assert_eq!(code, 0, "{stdout}{stderr}");
    assert!(gl.git.has_branch("acme", "billing-api", "main"));
    let (code, stdout, _) = run(home
        .nskit()
        .arg("--config")
        .arg(&file)
        .args(["auth", "logout", "gitlab"]));
    assert_eq!(code, 0);
    assert!(
        stdout.contains(&format!("removed the token for {host}")),
        "{stdout}"
    );
}

fn plugin_path() -> std::ffi::OsString {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples/vcs-plugin-python");
    let mut all = vec![dir];
    all.extend(std::env::split_paths(
        &std::env::var_os("PATH").unwrap_or_default(),
    ));
    std::env::join_paths(all).expect("PATH")
}

#[test]
fn a_provider_served_by_a_plugin_creates_pushes_and_lists() {
    let home = Home::new().with_git_identity();
    let recipes = recipes(&home);
    let root = home.path().join("srv-git");
    std::fs::create_dir_all(&root).expect("mkdir");
    let file = config(
        &home,
        &recipes,
        &format!(
            "  provider: bare\n  organisation: team\n  settings: {{root: {}}}\n  branch_protection: {{allow_force_pushes: false}}\n",
            root.display()
        ),
    );
    let nskit = || {
        let mut c = home.nskit();
        c.arg("--config").arg(&file).env("PATH", plugin_path());
        c
    };
    let out = home.out();
    let (code, stdout, stderr) =
        run(nskit()
            .current_dir(&out)
            .args(["init", "--recipe", "service", "--create-repo"]));
    assert_eq!(code, 0, "{stdout}{stderr}");
    assert!(
        stdout.contains("created the repository team/billing-api"),
        "{stdout}"
    );
    let bare = root.join("team/billing-api.git");
    let head = git(&out.join("billing-api"), &["rev-parse", "HEAD"]);
    let remote = Command::new("git")
        .arg("--git-dir")
        .arg(&bare)
        .args(["rev-parse", "main"])
        .output()
        .expect("git");
    assert_eq!(String::from_utf8_lossy(&remote.stdout).trim(), head.trim());
    // The plug-in's branch protection: git's own receive settings.
    let deny = Command::new("git")
        .arg("--git-dir")
        .arg(&bare)
        .args(["config", "receive.denyNonFastForwards"])
        .output()
        .expect("git");
    assert_eq!(String::from_utf8_lossy(&deny.stdout).trim(), "true");
    let (code, stdout, stderr) = run(nskit().args(["repo", "list"]));
    assert_eq!(code, 0, "{stderr}");
    assert!(stdout.contains("team/billing-api"), "{stdout}");

    // A second project of the same name: the plug-in's `already_exists`.
    let again = home.path().join("again");
    std::fs::create_dir_all(&again).expect("mkdir");
    let (code, stdout, stderr) =
        run(nskit()
            .current_dir(&again)
            .args(["init", "--recipe", "service", "--create-repo"]));
    assert_eq!(code, 9, "{stdout}{stderr}");
    assert!(
        stderr.contains("a repository named team/billing-api already exists"),
        "{stderr}"
    );
}

#[test]
fn a_provider_nothing_serves_is_refused_before_anything_is_made() {
    let home = Home::new().with_git_identity();
    let recipes = recipes(&home);
    let file = config(&home, &recipes, "  provider: forgejo\n");
    let out = home.out();
    let (code, stdout, stderr) = run(home
        .nskit()
        .arg("--config")
        .arg(&file)
        .current_dir(&out)
        .args(["repo", "list"]));
    assert_ne!(code, 0, "{stdout}");
    assert!(
        stderr.contains("unknown git host provider `forgejo`")
            && stderr.contains("no plug-in `nskit-vcs-forgejo` is on PATH"),
        "{stderr}"
    );
    let (code, _, stderr) = run(home
        .nskit()
        .arg("--config")
        .arg(&file)
        .args(["auth", "login", "forgejo"]));
    assert_ne!(code, 0);
    assert!(stderr.contains("nskit-vcs-forgejo"), "{stderr}");
}
