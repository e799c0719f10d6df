//! The GitLab provider against the stand-in of GitLab's REST API v4 (nskit-testkit) and a
//! real git server (`git http-backend`, Basic auth): a project created in a subgroup and
//! pushed with the token, its default branch protected, the token's user and scopes,
//! lists followed across pages, and the failures a user meets.
use nskit_testkit::{FakeGitLab, FakeProject, GitLabState, GitServer};
use nskit_vcs::{
    BranchProtection, GitLab, ProviderError, RepoSpec, Token, VcsProvider, commit_all,
    push_to_new_remote,
};

const TOKEN: &str = "glpat-test0123456789abcdef";

fn servers(scopes: &[&str]) -> (tempfile::TempDir, FakeGitLab) {
    let dir = tempfile::tempdir().expect("tempdir");
    let git = GitServer::start(&dir.path().join("git"), TOKEN);
    let gl = FakeGitLab::start(
        git,
        GitLabState {
            token: TOKEN.into(),
            username: "ada".into(),
            scopes: scopes.iter().map(|s| s.to_string()).collect(),
            groups: vec!["acme".into(), "acme/platform".into()],
            ..Default::default()
        },
    );
    (dir, gl)
}

fn client(gl: &FakeGitLab, token: &str) -> GitLab {
    GitLab::new(&gl.url, Some(Token::new(token))).expect("client")
}

fn project(dir: &std::path::Path) -> std::path::PathBuf {
    let p = dir.join("work/billing-api");
    std::fs::create_dir_all(&p).expect("mkdir");
    std::fs::write(p.join("README.md"), "# billing-api\n").expect("write");
    commit_all(&p, "Initial commit").expect("commit");
    p
}

fn spec(name: &str, group: Option<&str>) -> RepoSpec {
    RepoSpec {
        name: name.into(),
        organisation: group.map(str::to_string),
        private: true,
        description: Some("Billing".into()),
        topics: vec!["service".into()],
        ..RepoSpec::default()
    }
}

#[test]
fn creates_in_a_subgroup_pushes_and_protects_the_default_branch() {
    let (dir, gl) = servers(&["api"]);
    let gitlab = client(&gl, TOKEN);
    let who = VcsProvider::whoami(&gitlab).expect("whoami");
    assert_eq!(who.login, "ada");
    assert_eq!(who.scopes, ["api"]);

    let repo = gitlab
        .create(&spec("billing-api", Some("acme/platform")))
        .expect("created");
    assert_eq!(repo.full_name, "acme/platform/billing-api");
    assert!(repo.private);
    assert_eq!(
        repo.clone_url,
        format!("{}/acme/platform/billing-api.git", gl.git.url)
    );
    let st = gl.state.lock().expect("lock");
    let body = st.created.last().expect("created").clone();
    assert_eq!(body["visibility"], "private");
    assert_eq!(body["topics"], serde_json::json!(["service"]));
    assert_eq!(body["namespace_id"], 11, "the subgroup's id: {body}");
    drop(st);

    // Pushed with the token as `oauth2`'s password.
    let p = project(dir.path());
    let (user, token) = gitlab.push_credentials().expect("credentials");
    assert_eq!(user, "oauth2");
    let pushed = push_to_new_remote(&p, &repo.clone_url, Some((&user, &token))).expect("push");
    assert_eq!(pushed.branch, "main");
    assert!(gl.git.has_branch("acme/platform", "billing-api", "main"));

    // Protection: the branch rules, the merge checks GitLab keeps on the project, and a
    // warning for what GitLab has no branch setting for.
    let mut s = spec("billing-api", Some("acme/platform"));
    s.branch_protection = Some(BranchProtection {
        enabled: true,
        required_approving_review_count: Some(2),
        require_code_owner_reviews: true,
        dismiss_stale_reviews: false,
        require_conversation_resolution: true,
        enforce_admins: false,
        required_status_checks: vec!["ci".into()],
        allow_force_pushes: false,
        allow_deletions: false,
    });
    let warnings = gitlab.configure(&repo, "main", &s).expect("configured");
    assert_eq!(warnings.len(), 1, "{warnings:?}");
    assert!(
        warnings[0].contains("required_approving_review_count"),
        "{warnings:?}"
    );
    let st = gl.state.lock().expect("lock");
    let rule = &st.protected["acme/platform/billing-api"][0];
    assert_eq!(rule["name"], "main");
    assert_eq!(rule["push_access_level"], 40);
    assert_eq!(rule["code_owner_approval_required"], true);
    let settings = &st.settings["acme/platform/billing-api"];
    assert_eq!(settings["only_allow_merge_if_pipeline_succeeds"], true);
    assert_eq!(
        settings["only_allow_merge_if_all_discussions_are_resolved"],
        true
    );
    drop(st);
    // Protected already (GitLab protects the default branch on the first push): changed.
    s.branch_protection
        .as_mut()
        .expect("set")
        .allow_force_pushes = true;
    gitlab
        .configure(&repo, "main", &s)
        .expect("configured again");
    let st = gl.state.lock().expect("lock");
    let rules = &st.protected["acme/platform/billing-api"];
    assert_eq!(rules.len(), 1);
    assert_eq!(rules[0]["allow_force_push"], true);
    drop(st);

    // Found again; a project that is not there is `None`.
    let found = gitlab
        .find(Some("acme/platform"), "billing-api")
        .expect("find")
        .expect("found");
    assert_eq!(found, repo);
    assert!(gitlab.find(Some("acme"), "nope").expect("find").is_none());
}

#[test]
fn a_user_project_and_the_failures_a_user_meets() {
    let (_dir, gl) = servers(&["api"]);
    let gitlab = client(&gl, TOKEN);
    let mine = gitlab.create(&spec("notes", None)).expect("created");
    assert_eq!(mine.full_name, "ada/notes");

    match gitlab.create(&spec("notes", None)) {
        Err(ProviderError::AlreadyExists {
            full_name,
            clone_url,
            ..
        }) => {
            assert_eq!(full_name, "ada/notes");
            assert!(clone_url.ends_with("/ada/notes.git"), "{clone_url}");
        }
        other => panic!("{other:?}"),
    }
    match gitlab.create(&spec("x", Some("acme/nope"))) {
        Err(e @ ProviderError::NotFound { .. }) => {
            assert!(e.to_string().contains("group acme/nope"), "{e}")
        }
        other => panic!("{other:?}"),
    }
    let e = client(&gl, "glpat-wrong")
        .create(&spec("x", Some("acme")))
        .expect_err("refused");
    assert!(matches!(e, ProviderError::Unauthorized { .. }), "{e}");
    assert!(e.to_string().contains("nskit auth login gitlab"), "{e}");
    assert!(!e.to_string().contains("glpat-wrong"), "{e}");
    let none = GitLab::new(&gl.url, None).expect("client");
    assert!(matches!(
        none.create(&spec("x", Some("acme"))),
        Err(ProviderError::Unauthorized { .. })
    ));

    let (_dir, gl) = servers(&["read_api"]);
    match client(&gl, TOKEN).create(&spec("x", Some("acme"))) {
        Err(e @ ProviderError::Forbidden { .. }) => {
            assert!(
                e.to_string().contains("the token needs the scope: api"),
                "{e}"
            )
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn a_group_list_follows_every_page_and_every_subgroup() {
    let (_dir, gl) = servers(&["api"]);
    gl.state.lock().expect("lock").max_per_page = 2;
    for (ns, path) in [
        ("acme", "a"),
        ("acme", "b"),
        ("acme/platform", "c"),
        ("acme/platform", "d"),
        ("acme/platform", "e"),
        ("ada", "mine"),
    ] {
        gl.add_project(FakeProject {
            namespace: ns.into(),
            path: path.into(),
            visibility: "private".into(),
            ..FakeProject::default()
        });
    }
    let gitlab = client(&gl, TOKEN);
    let names: Vec<String> = gitlab
        .list(Some("acme"))
        .expect("list")
        .into_iter()
        .map(|r| r.full_name)
        .collect();
    assert_eq!(
        names,
        [
            "acme/a",
            "acme/b",
            "acme/platform/c",
            "acme/platform/d",
            "acme/platform/e"
        ]
    );
    let pages = gl
        .state
        .lock()
        .expect("lock")
        .requests
        .iter()
        .filter(|r| r.contains("/groups/acme/projects"))
        .count();
    assert_eq!(pages, 3, "five projects two to a page");
    let mine: Vec<String> = gitlab
        .list(None)
        .expect("list")
        .into_iter()
        .map(|r| r.full_name)
        .collect();
    assert_eq!(mine, ["ada/mine"]);
}
