//! The GitHub provider against the stand-in API (nskit-testkit) and a real git server
//! (`git http-backend` over HTTP with Basic auth): creation in an organisation and for the
//! user, topics, the push, and every failure a user meets, each leaving the local project
//! committed and intact.
use nskit_testkit::{FakeGitHub, FakeRepo, GitHubState, GitServer};
use nskit_vcs::{
    GitHub, ProviderError, RepoSpec, Token, VcsProvider, commit_all, push_to_new_remote,
};

const TOKEN: &str = "ghp_test0123456789abcdefTOKEN";

fn servers(scopes: &[&str]) -> (tempfile::TempDir, FakeGitHub) {
    let dir = tempfile::tempdir().expect("tempdir");
    let git = GitServer::start(&dir.path().join("git"), TOKEN);
    let gh = FakeGitHub::start(
        git,
        GitHubState {
            token: TOKEN.into(),
            login: "ada".into(),
            scopes: scopes.iter().map(|s| s.to_string()).collect(),
            orgs: vec!["acme".into()],
            ..Default::default()
        },
    );
    (dir, gh)
}

fn project(dir: &std::path::Path) -> std::path::PathBuf {
    let p = dir.join("work/billing-api");
    std::fs::create_dir_all(&p).expect("mkdir");
    std::fs::write(p.join("README.md"), "# billing-api\n").expect("write");
    let c = commit_all(&p, "Initial commit").expect("commit");
    assert!(c.initialised);
    p
}

fn spec(name: &str, org: Option<&str>) -> RepoSpec {
    RepoSpec {
        name: name.into(),
        organisation: org.map(str::to_string),
        private: true,
        description: Some("Billing".into()),
        topics: vec!["service".into(), "nskit".into()],
        settings: serde_json::json!({"has_wiki": false, "delete_branch_on_merge": true})
            .as_object()
            .cloned()
            .unwrap_or_default(),
        ..RepoSpec::default()
    }
}

fn remote_head(gh: &FakeGitHub, owner: &str, name: &str) -> Option<String> {
    let bare =
        git2::Repository::open_bare(gh.git.root.join(owner).join(format!("{name}.git"))).ok()?;
    let r = bare.find_reference("refs/heads/main").ok()?;
    r.target().map(|o| o.to_string())
}

#[test]
fn creates_in_an_organisation_and_pushes_the_first_commit() {
    let (dir, gh) = servers(&["repo"]);
    let p = project(dir.path());
    let github = GitHub::new(&gh.url, Some(Token::new(TOKEN))).expect("client");
    assert_eq!(github.host(), gh.url.split('/').nth(2).expect("host"));
    assert!(!github.exists(Some("acme"), "billing-api").expect("exists"));
    let repo = github
        .create(&spec("billing-api", Some("acme")))
        .expect("create");
    assert_eq!(repo.full_name, "acme/billing-api");
    assert!(repo.private);
    assert!(!repo.clone_url.contains(TOKEN));
    {
        let st = gh.state.lock().expect("lock");
        let r = &st.repos["acme/billing-api"];
        assert_eq!(r.topics, ["service", "nskit"]);
        assert_eq!(r.description, "Billing");
        let body = st.created.last().expect("a create request");
        assert_eq!(body["has_wiki"], false);
        assert_eq!(body["delete_branch_on_merge"], true);
        assert_eq!(body["private"], true);
        assert!(
            st.authorizations
                .iter()
                .all(|a| a == &format!("Bearer {TOKEN}"))
        );
    }
    assert!(github.exists(Some("acme"), "billing-api").expect("exists"));
    let (user, token) = github.push_credentials().expect("credentials");
    let pushed = push_to_new_remote(&p, &repo.clone_url, Some((&user, &token))).expect("push");
    assert_eq!(pushed.branch, "main");
    let local = git2::Repository::open(&p).expect("open");
    let head = local
        .head()
        .expect("head")
        .target()
        .expect("oid")
        .to_string();
    assert_eq!(remote_head(&gh, "acme", "billing-api"), Some(head));
    // The remote URL and the git config hold no token.
    let config = std::fs::read_to_string(p.join(".git/config")).expect("config");
    assert!(!config.contains(TOKEN), "{config}");
    assert!(
        config.contains("merge = refs/heads/main"),
        "tracks the remote: {config}"
    );
}

#[test]
fn creates_for_the_user_when_no_organisation_is_given() {
    let (dir, gh) = servers(&["public_repo"]);
    let p = project(dir.path());
    let github = GitHub::new(&gh.url, Some(Token::new(TOKEN))).expect("client");
    let mut s = spec("billing-api", None);
    s.private = false;
    s.topics.clear();
    let repo = github.create(&s).expect("create");
    assert_eq!(repo.full_name, "ada/billing-api");
    assert!(!repo.private);
    let (user, token) = github.push_credentials().expect("credentials");
    push_to_new_remote(&p, &repo.clone_url, Some((&user, &token))).expect("push");
    assert!(remote_head(&gh, "ada", "billing-api").is_some());
}

#[test]
fn each_failure_is_clear_and_never_shows_the_token() {
    let (dir, gh) = servers(&["public_repo"]);
    let p = project(dir.path());
    let head_before = git2::Repository::open(&p)
        .expect("open")
        .head()
        .expect("head")
        .target();
    let github = GitHub::new(&gh.url, Some(Token::new(TOKEN))).expect("client");
    let no_token = |e: &ProviderError| {
        let m = e.to_string();
        assert!(!m.contains(TOKEN), "{m}");
        assert!(!format!("{e:?}").contains(TOKEN));
        m
    };

    // A private repository needs the `repo` scope.
    let e = github
        .create(&spec("billing-api", Some("acme")))
        .unwrap_err();
    let m = no_token(&e);
    assert!(matches!(e, ProviderError::Forbidden { .. }), "{m}");
    assert!(m.contains("the token needs the scope: repo"), "{m}");

    // A name that exists.
    gh.add_repo(FakeRepo {
        owner: "acme".into(),
        name: "taken".into(),
        ..Default::default()
    });
    let mut s = spec("taken", Some("acme"));
    s.private = false;
    let e = github.create(&s).unwrap_err();
    let m = no_token(&e);
    assert!(matches!(e, ProviderError::AlreadyExists { .. }), "{m}");
    assert!(m.contains("acme/taken already exists"), "{m}");
    assert!(m.contains("git remote add origin"), "{m}");

    // A token the host refuses.
    let bad = GitHub::new(&gh.url, Some(Token::new("ghp_wrong"))).expect("client");
    let e = bad.create(&spec("x", Some("acme"))).unwrap_err();
    let m = no_token(&e);
    assert!(m.contains("401 Bad credentials"), "{m}");
    assert!(m.contains("nskit auth login github"), "{m}");
    // No token at all.
    let anon = GitHub::new(&gh.url, None).expect("client");
    let m = no_token(&anon.create(&spec("x", Some("acme"))).unwrap_err());
    assert!(m.contains("no token"), "{m}");

    // An organisation that does not exist.
    let mut s = spec("x", Some("nope"));
    s.private = false;
    let m = no_token(&github.create(&s).unwrap_err());
    assert!(m.contains("organisation nope"), "{m}");

    // The rate limit.
    gh.state.lock().expect("lock").rate_limited = true;
    let e = github.exists(Some("acme"), "x").unwrap_err();
    let m = no_token(&e);
    assert!(m.contains("rate limit"), "{m}");
    assert!(m.contains("2030-01-01 00:00 UTC"), "{m}");
    gh.state.lock().expect("lock").rate_limited = false;

    // A push the server rejects (a pre-receive hook), with its words.
    let mut s = spec("rejecting", Some("acme"));
    s.private = false;
    let repo = github.create(&s).expect("create");
    gh.git
        .reject_pushes("acme", "rejecting", "pushes to this repository are frozen");
    let (user, token) = github.push_credentials().expect("credentials");
    let e = push_to_new_remote(&p, &repo.clone_url, Some((&user, &token))).unwrap_err();
    let m = no_token(&e);
    assert!(m.contains("pushes to this repository are frozen"), "{m}");
    // A push with a token the git server refuses.
    let e =
        push_to_new_remote(&p, &repo.clone_url, Some((&user, &Token::new("nope")))).unwrap_err();
    let m = no_token(&e);
    assert!(m.contains("refused the credentials"), "{m}");

    // The local project is as it was: same commit, clean tree.
    let local = git2::Repository::open(&p).expect("open");
    assert_eq!(local.head().expect("head").target(), head_before);
    assert!(local.statuses(None).expect("status").is_empty());
}

#[test]
fn lists_follow_every_page() {
    let (_dir, gh) = servers(&["repo"]);
    for i in 0..230 {
        gh.state.lock().expect("lock").repos.insert(
            format!("acme/r{i:03}"),
            FakeRepo {
                owner: "acme".into(),
                name: format!("r{i:03}"),
                ..Default::default()
            },
        );
    }
    let github = GitHub::new(&gh.url, Some(Token::new(TOKEN))).expect("client");
    let all = github
        .paginate("/orgs/acme/repos", "repositories")
        .expect("list");
    assert_eq!(all.len(), 230);
    let pages = gh
        .state
        .lock()
        .expect("lock")
        .requests
        .iter()
        .filter(|r| r.contains("/orgs/acme/repos"))
        .count();
    assert_eq!(pages, 3, "100 per page, following Link");
}

#[test]
fn a_reply_too_large_or_too_slow_is_refused_in_bounded_time() {
    use nskit_testkit::{HostileServer, Misbehaviour};
    use std::time::{Duration, Instant};
    // 300 MB, as fast as it is read.
    let huge = HostileServer::start(Misbehaviour::Huge(300 << 20));
    let gh = GitHub::new(&format!("{}/api/v3", huge.url), None).expect("client");
    let start = Instant::now();
    let err = gh
        .paginate("/orgs/acme/repos", "the repositories of acme")
        .unwrap_err()
        .to_string();
    assert!(err.contains("larger than 8 MiB"), "{err}");
    assert!(start.elapsed() < Duration::from_secs(20));
    // A byte a second: the deadline ends it.
    let slow = HostileServer::start(Misbehaviour::Trickle(Duration::from_millis(200)));
    let gh = GitHub::new(&format!("{}/api/v3", slow.url), None)
        .expect("client")
        .with_deadlines(Duration::from_secs(2), Duration::from_secs(2));
    let start = Instant::now();
    let err = gh
        .paginate("/orgs/acme/repos", "the repositories of acme")
        .unwrap_err()
        .to_string();
    assert!(err.contains("within 2 s"), "{err}");
    assert!(
        start.elapsed() < Duration::from_secs(8),
        "{:?}",
        start.elapsed()
    );
    let start = Instant::now();
    let err = gh
        .download("/repos/acme/x/tarball/v1", "the archive")
        .unwrap_err()
        .to_string();
    assert!(err.contains("within 2 s"), "{err}");
    assert!(start.elapsed() < Duration::from_secs(8));
}
