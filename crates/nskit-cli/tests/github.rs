//! Publishing projects end to end through the CLI: the stand-in GitHub API
//! (nskit-testkit), a real git server (`git http-backend`, Basic auth) and, for `auth`, the
//! real keychain scripts/test starts. The repository is named after the project; failures
//! leave the project created and committed; the token shows up nowhere.
use std::path::{Path, PathBuf};
use std::process::Command;

use nskit_testkit::{FakeGitHub, FakeRepo, GitHubState, GitServer};

mod common;
use common::{Home, git, local_recipe, run_with_input};

const TOKEN: &str = "ghp_cliTEST0123456789secretTOKEN";

struct World {
    home: Home,
    gh: FakeGitHub,
    recipes: PathBuf,
    config: PathBuf,
    _dir: tempfile::TempDir,
}

fn world(scopes: &[&str], extra_vcs: &str) -> World {
    let dir = tempfile::tempdir().expect("tempdir");
    let git_server = GitServer::start(&dir.path().join("git"), TOKEN);
    let gh = FakeGitHub::start(
        git_server,
        GitHubState {
            token: TOKEN.into(),
            login: "ada".into(),
            scopes: scopes.iter().map(|s| s.to_string()).collect(),
            orgs: vec!["acme".into()],
            ..Default::default()
        },
    );
    let home = Home::new().with_git_identity();
    let recipes = home.path().join("recipes");
    local_recipe(
        &recipes,
        "service",
        "1.0.0",
        "fields:\n  - name: project_name\n    default: billing-api\n",
        &[("README.md", "# {{ project_name }}\n")],
    );
    let config = home.path().join("nskit.yaml");
    std::fs::write(
        &config,
        format!(
            "backend:\n  type: local\n  recipes_dir: {}\nvcs:\n  provider: github\n  api_url: {}\n  organisation: acme\n  topics: [service]\n{extra_vcs}",
            recipes.display(),
            gh.url
        ),
    )
    .expect("config");
    World {
        home,
        gh,
        recipes,
        config,
        _dir: dir,
    }
}

impl World {
    fn nskit(&self) -> Command {
        let mut c = self.home.nskit();
        c.arg("--config").arg(&self.config);
        c
    }

    fn with_token(&self) -> Command {
        let mut c = self.nskit();
        c.env("NSKIT_GITHUB_TOKEN", TOKEN);
        c
    }
}

fn run(c: &mut Command) -> (Option<i32>, String, String) {
    let o = c.output().expect("runs");
    (
        o.status.code(),
        String::from_utf8_lossy(&o.stdout).into_owned(),
        String::from_utf8_lossy(&o.stderr).into_owned(),
    )
}

fn remote_head(w: &World, owner: &str, name: &str) -> Option<String> {
    let bare =
        git2::Repository::open_bare(w.gh.git.root.join(owner).join(format!("{name}.git"))).ok()?;
    bare.find_reference("refs/heads/main")
        .ok()?
        .target()
        .map(|o| o.to_string())
}

/// Every file under `dir` (the home, the projects) and every printed line, searched.
fn assert_nowhere(dir: &Path, printed: &[&str]) {
    for p in printed {
        assert!(!p.contains(TOKEN), "the token was printed: {p}");
    }
    for entry in walkdir::WalkDir::new(dir).into_iter().flatten() {
        if entry.file_type().is_file() {
            let bytes = std::fs::read(entry.path()).unwrap_or_default();
            assert!(
                !bytes.windows(TOKEN.len()).any(|w| w == TOKEN.as_bytes()),
                "the token is in {}",
                entry.path().display()
            );
        }
    }
}

#[test]
fn init_creates_the_repository_named_after_the_project_and_pushes() {
    let w = world(&["repo"], "");
    let out = w.home.out();
    let (code, stdout, stderr) = run(w.with_token().current_dir(&out).args([
        "init",
        "--recipe",
        "service",
        "--set",
        "project_name=billing-api",
        "--create-repo",
    ]));
    assert_eq!(code, Some(0), "{stdout}{stderr}");
    assert!(
        stdout.contains("created the repository acme/billing-api (private) and pushed main"),
        "{stdout}"
    );
    let p = out.join("billing-api");
    let head = git(&p, &["rev-parse", "HEAD"]);
    assert_eq!(
        remote_head(&w, "acme", "billing-api").as_deref(),
        Some(head.trim())
    );
    let st = w.gh.state.lock().expect("lock");
    assert!(
        !st.repos.contains_key("acme/service"),
        "named after the recipe"
    );
    assert_eq!(st.repos["acme/billing-api"].topics, ["service"]);
    drop(st);
    assert!(git(&p, &["status", "--porcelain", "--branch"]).contains("main...origin/main"));
    assert_nowhere(w.home.path(), &[&stdout, &stderr]);

    // `repo create` for a project made without one: public, with a description.
    let (code, stdout, stderr) = run(w.with_token().current_dir(&out).args([
        "init",
        "--recipe",
        "service",
        "--set",
        "project_name=ledger",
        "--no-create-repo",
    ]));
    assert_eq!(code, Some(0), "{stdout}{stderr}");
    assert!(
        !w.gh
            .state
            .lock()
            .expect("lock")
            .repos
            .contains_key("acme/ledger")
    );
    let (code, stdout, stderr) = run(w.with_token().args([
        "repo",
        "create",
        "--project-path",
        out.join("ledger").to_str().expect("utf-8"),
        "--public",
        "--description",
        "The ledger",
    ]));
    assert_eq!(code, Some(0), "{stdout}{stderr}");
    assert!(stdout.contains("created acme/ledger (public)"), "{stdout}");
    assert_eq!(
        w.gh.state.lock().expect("lock").repos["acme/ledger"].description,
        "The ledger"
    );
    assert!(remote_head(&w, "acme", "ledger").is_some());
}

#[test]
fn failures_leave_the_project_committed_and_the_token_nowhere() {
    // The token may create public repositories only.
    let w = world(&["public_repo"], "");
    let out = w.home.out();
    let init = |name: &str, extra: &[&str]| {
        let mut c = w.with_token();
        c.current_dir(&out).args([
            "init",
            "--recipe",
            "service",
            "--set",
            &format!("project_name={name}"),
            "--create-repo",
        ]);
        c.args(extra);
        run(&mut c)
    };
    let mut printed = vec![];
    // A private repository: 403 with the scope it needs.
    let (code, stdout, stderr) = init("alpha", &[]);
    assert_eq!(code, Some(9), "{stdout}{stderr}");
    assert!(
        stderr.contains("the token needs the scope: repo"),
        "{stderr}"
    );
    assert!(stderr.contains("nskit repo create"), "{stderr}");
    printed.extend([stdout, stderr]);
    let alpha = out.join("alpha");
    assert!(git(&alpha, &["status", "--porcelain"]).is_empty());
    assert!(git(&alpha, &["log", "--oneline"]).contains("Initial commit"));

    // A name that exists.
    w.gh.add_repo(FakeRepo {
        owner: "acme".into(),
        name: "beta".into(),
        ..Default::default()
    });
    let (code, stdout, stderr) = init("beta", &["--public"]);
    assert_eq!(code, Some(9), "{stdout}{stderr}");
    assert!(stderr.contains("acme/beta already exists"), "{stderr}");
    printed.extend([stdout, stderr]);
    assert!(git(&out.join("beta"), &["log", "--oneline"]).contains("Initial commit"));

    // A push the server rejects.
    w.gh.state.lock().expect("lock").repos.clear();
    // The git server's repository exists with a hook that refuses pushes; the API then
    // creates it (git reinitialises it, keeping the hook).
    w.gh.git.create_bare("acme", "gamma");
    w.gh.git
        .reject_pushes("acme", "gamma", "pushes are frozen by policy");
    let (code, stdout, stderr) = init("gamma", &["--public"]);
    assert_eq!(code, Some(9), "{stdout}{stderr}");
    assert!(stderr.contains("pushes are frozen by policy"), "{stderr}");
    printed.extend([stdout, stderr]);
    let gamma = out.join("gamma");
    assert!(git(&gamma, &["status", "--porcelain"]).is_empty());

    // A token the host refuses.
    let (code, stdout, stderr) = run(w
        .nskit()
        .env("GITHUB_TOKEN", "ghp_revoked")
        .current_dir(&out)
        .args([
            "init",
            "--recipe",
            "service",
            "--set",
            "project_name=delta",
            "--create-repo",
        ]));
    assert_eq!(code, Some(9), "{stdout}{stderr}");
    assert!(stderr.contains("401 Bad credentials"), "{stderr}");
    printed.extend([stdout, stderr]);

    let refs: Vec<&str> = printed.iter().map(String::as_str).collect();
    assert_nowhere(w.home.path(), &refs);
    // The token went to the API only in the Authorization header, as a bearer token.
    let st = w.gh.state.lock().expect("lock");
    assert!(
        st.authorizations
            .iter()
            .all(|a| a == &format!("Bearer {TOKEN}") || a == "Bearer ghp_revoked")
    );
    assert!(st.requests.iter().all(|r| !r.contains(TOKEN)));
}

#[test]
fn names_are_checked_against_the_naming_tree_before_anything_is_created() {
    let tree = "options:\n  - tools\n  - platform:\n      - data\n      - web\n";
    let w = world(
        &["repo"],
        "  namespaces:\n    file: namespaces.yaml\n    level: strict\n",
    );
    std::fs::write(w.home.path().join("namespaces.yaml"), tree).expect("tree");
    let out = w.home.out();
    let init = |w: &World, name: &str| {
        run(w.with_token().current_dir(&out).args([
            "init",
            "--recipe",
            "service",
            "--set",
            &format!("project_name={name}"),
            "--create-repo",
        ]))
    };
    let (code, stdout, stderr) = init(&w, "platform-mobile-app");
    assert_eq!(code, Some(10), "{stdout}{stderr}");
    assert!(
        stderr.contains("`mobile` is not a valid name at `platform`"),
        "{stderr}"
    );
    assert!(
        stderr.contains("valid choices there: data, web"),
        "{stderr}"
    );
    assert!(
        !out.join("platform-mobile-app").exists(),
        "nothing was written"
    );
    assert!(
        w.gh.state.lock().expect("lock").repos.is_empty(),
        "nothing was created"
    );
    // Stopping at a namespace is refused with the choices, not a crash.
    let (code, _, stderr) = init(&w, "platform");
    assert_eq!(code, Some(10), "{stderr}");
    assert!(stderr.contains("a name must go on under it"), "{stderr}");
    let (code, stdout, stderr) = init(&w, "platform-data-etl");
    assert_eq!(code, Some(0), "{stdout}{stderr}");
    assert!(
        w.gh.state
            .lock()
            .expect("lock")
            .repos
            .contains_key("acme/platform-data-etl")
    );

    // `warn`: said, and the work goes on.
    let w2 = world(
        &["repo"],
        "  namespaces:\n    file: namespaces.yaml\n    level: warn\n",
    );
    std::fs::write(w2.home.path().join("namespaces.yaml"), tree).expect("tree");
    let out2 = w2.home.out();
    let (code, stdout, stderr) = run(w2.with_token().current_dir(&out2).args([
        "init",
        "--recipe",
        "service",
        "--set",
        "project_name=random-name",
        "--create-repo",
    ]));
    assert_eq!(code, Some(0), "{stdout}{stderr}");
    assert!(
        stderr.contains("warning: `random-name` does not follow"),
        "{stderr}"
    );

    // From the organisation's `.namespaces` repository.
    let w3 = world(&["repo"], "  namespaces:\n    repository: .namespaces\n");
    w3.gh.add_repo(FakeRepo {
        owner: "acme".into(),
        name: ".namespaces".into(),
        private: true,
        ..Default::default()
    });
    let seed = w3.home.path().join("seed");
    std::fs::create_dir_all(&seed).expect("mkdir");
    std::fs::write(seed.join("namespaces.yaml"), tree).expect("tree");
    git(&seed, &["init", "-q", "-b", "main"]);
    git(&seed, &["add", "."]);
    git(
        &seed,
        &[
            "-c",
            "user.name=t",
            "-c",
            "user.email=t@e",
            "commit",
            "-qm",
            "Initial Namespaces Commit",
        ],
    );
    let url = w3
        .gh
        .git
        .url
        .replace("http://", &format!("http://x:{TOKEN}@"));
    git(
        &seed,
        &["push", "-q", &format!("{url}/acme/.namespaces.git"), "main"],
    );
    std::fs::remove_dir_all(&seed).expect("clean");
    let out3 = w3.home.out();
    let (code, _, stderr) = run(w3.with_token().current_dir(&out3).args([
        "init",
        "--recipe",
        "service",
        "--set",
        "project_name=marketing-site",
    ]));
    assert_eq!(code, Some(10), "{stderr}");
    assert!(
        stderr.contains("valid choices there: tools, platform-…"),
        "{stderr}"
    );
    let _ = &w3.recipes;
}

#[test]
fn auth_keeps_the_token_in_the_keychain() {
    let Ok(_) = std::env::var("DBUS_SESSION_BUS_ADDRESS") else {
        if std::env::var("CI").is_ok_and(|v| v == "true") {
            panic!("CI=true and no keychain (DBUS_SESSION_BUS_ADDRESS)");
        }
        eprintln!("skipped: no keychain; scripts/test starts one");
        return;
    };
    let w = world(&["repo"], "");
    let host = w.gh.url.split('/').nth(2).expect("host").to_string();
    let login = |token: &str| {
        run_with_input(
            w.nskit()
                .args(["auth", "login", "github", "--api-url", &w.gh.url]),
            token,
        )
    };
    // A token the host refuses is not stored.
    let (code, stdout, stderr) = login("ghp_wrong");
    assert_ne!(code, Some(0), "{stdout}{stderr}");
    assert!(stderr.contains("401"), "{stderr}");
    let (_, status, _) = run(w.nskit().args(["auth", "status"]));
    assert!(
        status.contains(&format!("{host} (GitHub): no token")),
        "{status}"
    );

    let (code, stdout, stderr) = login(TOKEN);
    assert_eq!(code, Some(0), "{stdout}{stderr}");
    assert!(
        stdout.contains(&format!("stored a token for {host} (user ada)")),
        "{stdout}"
    );
    let (_, status, _) = run(w.nskit().args(["auth", "status"]));
    assert!(
        status.contains(&format!("{host} (GitHub): a token in the OS keychain")),
        "{status}"
    );
    // The keychain's token creates and pushes, with no variable set.
    let out = w.home.out();
    let (code, stdout, stderr) =
        run(w
            .nskit()
            .current_dir(&out)
            .args(["init", "--recipe", "service", "--create-repo"]));
    assert_eq!(code, Some(0), "{stdout}{stderr}");
    assert!(remote_head(&w, "acme", "billing-api").is_some());
    assert_nowhere(w.home.path(), &[&stdout, &stderr, &status]);

    let (code, stdout, _) = run(w
        .nskit()
        .args(["auth", "logout", "github", "--host", &host]));
    assert_eq!(code, Some(0));
    assert!(stdout.contains("removed"), "{stdout}");
    let (_, status, _) = run(w.nskit().args(["auth", "status"]));
    assert!(
        status.contains(&format!("{host} (GitHub): no token")),
        "{status}"
    );
}

#[test]
fn the_github_backend_lists_and_inits_from_release_archives() {
    let w = world(&["repo"], "");
    let manifest = "name: svc\ndescription: Services\nfields:\n  - name: project_name\n    default: from-github\n";
    w.gh.state.lock().expect("lock").repos.insert(
        "acme/recipe-svc".into(),
        FakeRepo {
            owner: "acme".into(),
            name: "recipe-svc".into(),
            description: "Services".into(),
            releases: ["v1.0.0", "v1.2.0"]
                .iter()
                .map(|t| nskit_testkit::FakeRelease {
                    tag: t.to_string(),
                    draft: false,
                    prerelease: false,
                    tarball: nskit_testkit::source_archive(
                        "acme",
                        "recipe-svc",
                        &[
                            ("recipe.yaml", manifest),
                            ("template/VERSION", &format!("{t}\n")),
                        ],
                    ),
                })
                .collect(),
            ..Default::default()
        },
    );
    let backend = w.home.path().join("backend-github.yml");
    std::fs::write(
        &backend,
        format!(
            "type: github\norg: acme\nrepo_pattern: recipe-{{recipe_name}}\napi_url: {}\nimage_registry: none\ntoken: ${{MY_GH}}\n",
            w.gh.url
        ),
    )
    .expect("backend file");
    let (code, stdout, stderr) = run(w.nskit().env("MY_GH", TOKEN).args([
        "--backend",
        backend.to_str().expect("utf-8"),
        "list",
        "--json",
    ]));
    assert_eq!(code, Some(0), "{stdout}{stderr}");
    let v: serde_json::Value = serde_json::from_str(&stdout).expect("json");
    assert_eq!(v[0]["name"], "svc");
    assert_eq!(v[0]["versions"], serde_json::json!(["v1.2.0", "v1.0.0"]));
    let out = w.home.out();
    let (code, stdout, stderr) = run(w.nskit().env("MY_GH", TOKEN).current_dir(&out).args([
        "--backend",
        backend.to_str().expect("utf-8"),
        "init",
        "--recipe",
        "svc",
        "--version",
        "1.0.0",
        "--defaults",
    ]));
    assert_eq!(code, Some(0), "{stdout}{stderr}");
    assert_eq!(
        std::fs::read_to_string(out.join("from-github/VERSION")).expect("read"),
        "v1.0.0\n"
    );
    let state = std::fs::read_to_string(out.join("from-github/.recipe/config.yml")).expect("state");
    assert!(state.contains("backend: github"), "{state}");
    assert_nowhere(w.home.path(), &[&stdout, &stderr]);
}

#[test]
fn an_interactive_init_asks_whether_to_create_the_repository() {
    let w = world(&["repo"], "");
    let out = w.home.out();
    let bin = assert_cmd::cargo::cargo_bin("nskit");
    let cmd = format!(
        "env -u NSKIT_BACKEND -u GITHUB_TOKEN HOME={home} XDG_CONFIG_HOME={home}/.config XDG_DATA_HOME={home}/.local/share GIT_CONFIG_NOSYSTEM=1 NSKIT_GITHUB_TOKEN={TOKEN} {bin} --config {config} init --recipe service --output-base-path {out}",
        home = w.home.path().display(),
        bin = bin.display(),
        config = w.config.display(),
        out = out.display()
    );
    let mut p = rexpect::spawn(&cmd, Some(20_000)).expect("spawn in a pty");
    p.exp_string("Create repository in GitHub?")
        .expect("asks, as the original");
    p.exp_string("[Y/n]").expect("yes by default");
    p.send_line("").expect("accept");
    p.exp_string("project_name").expect("then the questions");
    p.send_line("asked-api").expect("type");
    p.exp_string("created the repository acme/asked-api")
        .expect("created");
    p.exp_eof().expect("finishes");
    assert!(remote_head(&w, "acme", "asked-api").is_some());
}

#[test]
fn a_token_the_host_echoes_back_is_masked() {
    let w = world(&["repo"], "");
    w.gh.state.lock().expect("lock").echo_token = true;
    let revoked = "ghp_revokedButEchoed0123456789abcdef";
    let out = w.home.out();
    let (code, stdout, stderr) = run(w
        .nskit()
        .env("GITHUB_TOKEN", revoked)
        .current_dir(&out)
        .args([
            "init",
            "--recipe",
            "service",
            "--set",
            "project_name=echo",
            "--create-repo",
        ]));
    assert_eq!(code, Some(9), "{stdout}{stderr}");
    assert!(
        stderr.contains("Bad credentials: the token ******** is not valid"),
        "the host's words, with the token masked: {stderr}"
    );
    assert!(!stdout.contains(revoked) && !stderr.contains(revoked));
    let (_, stdout, stderr) = run(w
        .nskit()
        .env("GITHUB_TOKEN", revoked)
        .args(["auth", "status"]));
    assert!(
        !stdout.contains(revoked) && !stderr.contains(revoked),
        "{stdout}{stderr}"
    );
}

/// The original's repository settings: options sent with the creation, topics, the
/// default branch protected once pushed, the organisation's custom properties; from the
/// configuration file, and from `GITHUB_REPO_*` / `NSKIT_GITHUB_BRANCH_PROTECTION_*`
/// variables alone.
#[test]
fn repository_settings_protection_and_properties_from_the_file_or_the_environment() {
    let w = world(
        &["repo"],
        "  settings: {has_wiki: false, delete_branch_on_merge: true}\n  branch_protection:\n    required_approving_review_count: 2\n    require_code_owner_reviews: true\n    required_status_checks: [ci]\n  custom_properties: {team: payments, tier: 1}\n",
    );
    let out = w.home.out();
    let (code, stdout, stderr) = run(w.with_token().current_dir(&out).args([
        "init",
        "--recipe",
        "service",
        "--set",
        "project_name=billing-api",
        "--create-repo",
    ]));
    assert_eq!(code, Some(0), "{stdout}{stderr}");
    assert!(!stderr.contains("warning"), "{stderr}");
    let st = w.gh.state.lock().expect("lock");
    let created = st.created.last().expect("a creation");
    assert_eq!(created["has_wiki"], false);
    assert_eq!(created["delete_branch_on_merge"], true);
    let repo = &st.repos["acme/billing-api"];
    assert_eq!(repo.topics, ["service"]);
    let p = &repo.protection["main"];
    assert_eq!(
        p["required_pull_request_reviews"]["required_approving_review_count"],
        2
    );
    assert_eq!(
        p["required_pull_request_reviews"]["require_code_owner_reviews"],
        true
    );
    assert_eq!(
        p["required_status_checks"]["contexts"],
        serde_json::json!(["ci"])
    );
    assert_eq!(p["restrictions"], serde_json::Value::Null);
    assert_eq!(repo.custom_properties["team"], "payments");
    assert_eq!(repo.custom_properties["tier"], 1);
    // Protection is asked for after the push (GitHub refuses it on a missing branch).
    let order: Vec<&String> = st
        .requests
        .iter()
        .filter(|r| r.contains("/protection") || r.contains("POST /api/v3/orgs/acme/repos"))
        .collect();
    assert!(order[0].starts_with("POST"), "{order:?}");
    drop(st);

    // The same from the original's variables, with no settings in the file.
    let w = world(&["repo"], "");
    let (code, stdout, stderr) = run(w
        .with_token()
        .current_dir(w.home.out())
        .env("GITHUB_REPO_HAS_ISSUES", "false")
        .env("NSKIT_GITHUB_REPO_TOPICS", "[billing, rust]")
        .env("NSKIT_GITHUB_BRANCH_PROTECTION_ENABLED", "true")
        .env("GITHUB_BRANCH_PROTECTION_ALLOW_FORCE_PUSHES", "false")
        .env("GITHUB_BRANCH_PROTECTION_ENFORCE_ADMINS", "true")
        .args([
            "init",
            "--recipe",
            "service",
            "--set",
            "project_name=ledger",
            "--create-repo",
        ]));
    assert_eq!(code, Some(0), "{stdout}{stderr}");
    let st = w.gh.state.lock().expect("lock");
    assert_eq!(st.created.last().expect("created")["has_issues"], false);
    let repo = &st.repos["acme/ledger"];
    assert_eq!(repo.topics, ["billing", "rust"]);
    let p = &repo.protection["main"];
    assert_eq!(p["enforce_admins"], true);
    assert_eq!(p["allow_force_pushes"], false);
    assert_eq!(p["required_pull_request_reviews"], serde_json::Value::Null);
    drop(st);
}
