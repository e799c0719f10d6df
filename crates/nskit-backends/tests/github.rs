//! The `github` backend against the stand-in GitHub API (nskit-testkit): repositories
//! matching the pattern over several pages, topics, release tags (drafts never,
//! prereleases on request), names from image labels in a real registry, source archives
//! unpacked safely, and the API's refusals.
use nskit_backends::{GitHubBackend, GitHubSettings, RecipeBackend};
use nskit_progress::Reporter;
use nskit_recipe::RecipeVersion;
use nskit_testkit::{FakeGitHub, FakeRelease, FakeRepo, GitHubState, GitServer};
use nskit_vcs::Token;

mod support;

const TOKEN: &str = "ghp_backendTEST";

/// A GitHub-style source archive of a recipe at `version`.
fn tarball(repo: &str, version: &str) -> Vec<u8> {
    let manifest = format!(
        "name: {repo}\ndescription: from {version}\nfields:\n  - name: project_name\n    default: demo\n"
    );
    let readme = format!("# {{{{ project_name }}}} ({version})\n");
    nskit_testkit::source_archive(
        "acme",
        repo,
        &[("recipe.yaml", &manifest), ("template/README.md", &readme)],
    )
}

fn release(tag: &str, repo: &str) -> FakeRelease {
    FakeRelease {
        tag: tag.into(),
        draft: false,
        prerelease: false,
        tarball: tarball(repo, tag),
    }
}

fn github() -> (tempfile::TempDir, FakeGitHub) {
    let dir = tempfile::tempdir().expect("tempdir");
    let git = GitServer::start(&dir.path().join("git"), TOKEN);
    let gh = FakeGitHub::start(
        git,
        GitHubState {
            token: TOKEN.into(),
            login: "ada".into(),
            scopes: vec!["repo".into()],
            orgs: vec!["acme".into()],
            ..Default::default()
        },
    );
    let mut st = gh.state.lock().expect("lock");
    // 150 other repositories, so that the recipes are spread over two pages.
    for i in 0..150 {
        let name = format!("service-{i:03}");
        st.repos.insert(
            format!("acme/{name}"),
            FakeRepo {
                owner: "acme".into(),
                name,
                releases: vec![release("v1.0.0", "x")],
                ..Default::default()
            },
        );
    }
    let mut python = FakeRepo {
        owner: "acme".into(),
        name: "recipe-python".into(),
        description: "Python packages".into(),
        topics: vec!["nskit-recipe".into(), "python".into()],
        ..Default::default()
    };
    // 105 old releases (two pages of releases), then the ones that matter.
    for i in 0..105 {
        python
            .releases
            .push(release(&format!("v0.{i}.0"), "recipe-python"));
    }
    python.releases.push(release("v1.0.0", "recipe-python"));
    python.releases.push(release("v1.1.0", "recipe-python"));
    python.releases.push(FakeRelease {
        prerelease: true,
        ..release("v2.0.0-rc.1", "recipe-python")
    });
    python.releases.push(FakeRelease {
        draft: true,
        ..release("v3.0.0", "recipe-python")
    });
    st.repos.insert("acme/recipe-python".into(), python);
    st.repos.insert(
        "acme/recipe-rust".into(),
        FakeRepo {
            owner: "acme".into(),
            name: "recipe-rust".into(),
            releases: vec![release("1.0.0", "recipe-rust")],
            ..Default::default()
        },
    );
    st.repos.insert(
        "acme/recipe-norelease".into(),
        FakeRepo {
            owner: "acme".into(),
            name: "recipe-norelease".into(),
            topics: vec!["nskit-recipe".into()],
            ..Default::default()
        },
    );
    drop(st);
    (dir, gh)
}

fn settings(gh: &FakeGitHub) -> GitHubSettings {
    let mut s = GitHubSettings::new("acme");
    s.api_url = gh.url.clone();
    s.repo_pattern = "recipe-{recipe_name}".into();
    s.token = Some(Token::new(TOKEN));
    s.image_registry = None;
    s
}

#[test]
fn lists_matching_repositories_over_every_page_with_their_release_tags() {
    let (_dir, gh) = github();
    let b = GitHubBackend::new(settings(&gh));
    let list = b.list().expect("list");
    let names: Vec<_> = list.iter().map(|r| r.name.as_str()).collect();
    assert_eq!(
        names,
        ["python", "rust"],
        "matching the pattern, with releases"
    );
    let py = &list[0];
    assert_eq!(
        py.versions.len(),
        107,
        "every page of releases, no draft, no prerelease"
    );
    assert_eq!(&py.versions[..3], ["v1.1.0", "v1.0.0", "v0.104.0"]);
    assert_eq!(py.latest.as_deref(), Some("v1.1.0"));
    assert_eq!(py.description, "Python packages");
    assert_eq!(py.tags, ["nskit-recipe", "python"]);
    let pages = gh
        .state
        .lock()
        .expect("lock")
        .requests
        .iter()
        .filter(|r| r.starts_with("GET /api/v3/orgs/acme/repos"))
        .count();
    assert_eq!(pages, 2, "153 repositories in pages of 100");

    // Prereleases on request; a topic filter.
    let mut s = settings(&gh);
    s.prereleases = true;
    s.topic = Some("python".into());
    let b = GitHubBackend::new(s);
    let list = b.list().expect("list");
    assert_eq!(list.len(), 1);
    assert_eq!(list[0].versions[0], "v2.0.0-rc.1");
    assert!(
        !list[0].versions.contains(&"v3.0.0".to_string()),
        "never drafts"
    );
}

#[test]
fn loads_a_version_from_its_source_archive_without_docker() {
    let (_dir, gh) = github();
    let b = GitHubBackend::new(settings(&gh));
    let r = b
        .load("python", &RecipeVersion::new("1.0.0"), &Reporter::silent())
        .expect("load");
    assert_eq!(r.manifest.description, "from v1.0.0");
    assert!(r.files.iter().any(|f| f.path == "README.md"));
    let src = b
        .source_of("python", &RecipeVersion::new("v1.0.0"))
        .expect("source");
    assert!(
        src.location
            .as_deref()
            .is_some_and(|l| l.ends_with("acme/recipe-python@v1.0.0")),
        "{src:?}"
    );

    // A release whose archive tries to escape is refused, and nothing lands outside.
    let mut evil = tar::Header::new_gnu();
    let payload = b"pwned\n";
    evil.set_size(payload.len() as u64);
    evil.set_mode(0o644);
    let name = b"top/../../../evil.txt";
    evil.as_old_mut().name[..name.len()].copy_from_slice(name);
    evil.set_cksum();
    let mut builder = tar::Builder::new(flate2::write::GzEncoder::new(
        Vec::new(),
        flate2::Compression::fast(),
    ));
    builder.append(&evil, &payload[..]).expect("append");
    let bytes = builder.into_inner().expect("tar").finish().expect("gz");
    gh.state
        .lock()
        .expect("lock")
        .repos
        .get_mut("acme/recipe-rust")
        .expect("repo")
        .releases[0]
        .tarball = bytes;
    let err = b
        .load("rust", &RecipeVersion::new("1.0.0"), &Reporter::silent())
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("unsafe") && err.contains("leaves the folder"),
        "{err}"
    );
}

#[test]
fn names_come_from_the_image_label_when_an_image_exists() {
    let Some(registry) = support::service("NSKIT_TEST_REGISTRY") else {
        return;
    };
    let (_dir, gh) = github();
    // An image for recipe-python's latest release, labelled with the recipe's real name.
    use oci_client::client::{ClientConfig, ClientProtocol, Config, ImageLayer};
    let client = oci_client::Client::new(ClientConfig {
        protocol: ClientProtocol::Http,
        ..Default::default()
    });
    let config = Config::new(
        serde_json::to_vec(&serde_json::json!({
            "architecture": "amd64", "os": "linux",
            "config": { "Labels": { "nskit.recipe": "true", "nskit.recipe.name": "python_package" } },
            "rootfs": { "type": "layers", "diff_ids": [] }
        }))
        .expect("json"),
        oci_client::manifest::IMAGE_CONFIG_MEDIA_TYPE.into(),
        None,
    );
    let layer = ImageLayer::new(
        b"layer".to_vec(),
        oci_client::manifest::IMAGE_LAYER_GZIP_MEDIA_TYPE.into(),
        None,
    );
    let org = support::unique("ghorg").to_lowercase();
    let reference = oci_client::Reference::with_tag(
        registry.clone(),
        format!("{org}/recipe-python"),
        "v1.1.0".into(),
    );
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime");
    rt.block_on(client.push(
        &reference,
        std::slice::from_ref(&layer),
        config,
        &oci_client::secrets::RegistryAuth::Anonymous,
        None,
    ))
    .expect("push");
    // The same organisation name on the fake GitHub.
    {
        let mut st = gh.state.lock().expect("lock");
        st.orgs.push(org.clone());
        let mut repos = std::mem::take(&mut st.repos);
        for (_, mut r) in std::mem::take(&mut repos) {
            if r.name.starts_with("recipe-") {
                r.owner = org.clone();
                st.repos.insert(format!("{org}/{}", r.name), r);
            }
        }
    }
    let mut s = settings(&gh);
    s.org = org;
    s.image_registry = Some(format!("http://{registry}"));
    let list = GitHubBackend::new(s).list().expect("list");
    let names: Vec<_> = list.iter().map(|r| r.name.as_str()).collect();
    assert_eq!(
        names,
        ["python_package", "rust"],
        "the label where an image exists"
    );
}

#[test]
fn refusals_are_clear() {
    let (_dir, gh) = github();
    let mut s = settings(&gh);
    s.token = Some(Token::new("ghp_bad"));
    let err = GitHubBackend::new(s).list().unwrap_err().to_string();
    assert!(err.contains("401 Bad credentials"), "{err}");
    assert!(!err.contains("ghp_bad"), "{err}");
    gh.state.lock().expect("lock").rate_limited = true;
    let err = GitHubBackend::new(settings(&gh))
        .list()
        .unwrap_err()
        .to_string();
    assert!(err.contains("rate limit"), "{err}");
    gh.state.lock().expect("lock").rate_limited = false;
    let mut s = settings(&gh);
    s.org = "nobody".into();
    let err = GitHubBackend::new(s).list().unwrap_err().to_string();
    assert!(err.contains("404"), "{err}");
}
