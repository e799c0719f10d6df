//! The `docker` backend against real registries (Distribution, started by scripts/test on
//! 127.0.0.1): anonymous, basic auth, and bearer tokens from a token server; Docker v2 and
//! OCI manifests and a multi-arch index; pagination; the cache and offline use; and the
//! failures a user meets (down, 401, 404, not a registry). Images are pushed through the
//! real engine. Without the services the tests say why and pass, except under CI=true.
use std::sync::{Arc, Mutex};
use std::time::Duration;

use nskit_backends::{RecipeBackend, RegistryBackend, RegistryCredentials, RegistrySettings};
use nskit_engine::DockerEngine;
use nskit_progress::{Event, Reporter, Step, StepState};
use nskit_recipe::RecipeVersion;

mod support;
use support::{engine, service, template_image, unique};

fn creds() -> RegistryCredentials {
    RegistryCredentials {
        username: std::env::var("NSKIT_TEST_REGISTRY_USER").expect("user"),
        password: std::env::var("NSKIT_TEST_REGISTRY_PASSWORD").expect("password"),
    }
}

/// Builds and pushes `name` at each version to `registry/prefix/repo`, then drops the local
/// copies, so that anything the backend knows came from the registry.
fn publish(
    e: &DockerEngine,
    registry: &str,
    repository: &str,
    name: &str,
    versions: &[&str],
    creds: Option<&RegistryCredentials>,
) {
    for v in versions {
        let reference = format!("{registry}/{repository}:{v}");
        template_image(
            e,
            &reference,
            name,
            v,
            "fields:\n  - name: project_name\n    default: demo\n",
            &[("README.md", &format!("# {{{{ project_name }}}} from {v}\n"))],
        );
        e.push(&reference, creds, &Reporter::silent())
            .expect("push");
        e.remove_image(&reference).expect("untag");
    }
}

fn settings(registry: &str, prefix: &str, cache: &tempfile::TempDir) -> RegistrySettings {
    let mut s = RegistrySettings::new(format!("http://{registry}"));
    s.image_prefix = prefix.to_string();
    s.cache_dir = Some(cache.path().to_path_buf());
    s
}

#[test]
fn lists_from_labels_without_pulling_then_pulls_with_progress_to_load() {
    let (Some(e), Some(registry)) = (engine(), service("NSKIT_TEST_REGISTRY")) else {
        return;
    };
    let prefix = unique("nskit-test/list");
    let name = unique("regdemo");
    let repo = format!("{prefix}/{name}-image");
    publish(
        &e,
        &registry,
        &repo,
        &name,
        &["1.0.0", "1.1.0", "v1.2.0-rc.1"],
        None,
    );
    // An image in the same prefix without the recipe label is not a recipe.
    let other = format!("{registry}/{prefix}/not-a-recipe:1.0.0");
    e.tag(support::BUSYBOX, &other).expect("tag");
    e.push(&other, None, &Reporter::silent()).expect("push");
    e.remove_image(&other).expect("untag");

    let cache = tempfile::tempdir().expect("tempdir");
    let backend = RegistryBackend::new(settings(&registry, &prefix, &cache));
    let events: Arc<Mutex<Vec<Event>>> = Arc::default();
    let sink = events.clone();
    let reporter = Reporter::new(move |e| sink.lock().expect("lock").push(e.clone()));
    let list = backend.list().expect("list");
    assert_eq!(list.len(), 1, "{list:?}");
    let r = &list[0];
    assert_eq!(
        r.name, name,
        "the name comes from the label, not the repository"
    );
    assert_eq!(r.versions, ["v1.2.0-rc.1", "1.1.0", "1.0.0"]);
    assert_eq!(r.latest.as_deref(), Some("1.1.0"));
    assert_eq!(r.description, format!("The {name} recipe"));
    assert_eq!(r.tags, ["demo", "test"]);
    let image = format!("{registry}/{repo}:1.1.0");
    assert!(
        !e.image_present(&image).expect("inspect"),
        "listing read the labels without pulling"
    );

    let v = RecipeVersion::new("1.1.0");
    let recipe = backend.load(&name, &v, &reporter).expect("load");
    assert_eq!(recipe.manifest.name, name);
    assert!(e.image_present(&image).expect("inspect"), "load pulled it");
    let seen = events.lock().expect("lock").clone();
    let steps: Vec<_> = seen
        .iter()
        .filter_map(|e| match e {
            Event::Step { step, state, .. } => Some((*step, *state)),
            _ => None,
        })
        .collect();
    assert_eq!(
        steps,
        [
            (Step::Pull, StepState::Started),
            (Step::Pull, StepState::Finished)
        ]
    );
    let Some(Event::Transfer {
        layers_done,
        layers_total,
        bytes_total,
        done,
        image: pulled,
        ..
    }) = seen
        .iter()
        .rev()
        .find(|e| matches!(e, Event::Transfer { .. }))
    else {
        panic!("no transfer events: {seen:?}")
    };
    assert!(*done);
    assert_eq!(pulled, &image);
    assert!(*layers_total >= 1, "{seen:?}");
    assert_eq!(layers_done, layers_total, "{seen:?}");
    // dockerd reports the bytes of each layer; podman's compatible API only the layers.
    if !e.version().to_lowercase().contains("podman") {
        assert!(*bytes_total > 0, "{seen:?}");
    }
    let source = backend.source_of(&name, &v).expect("source");
    assert_eq!(source.image.as_deref(), Some(image.as_str()));
    let digest = source.digest.expect("digest");
    assert!(
        digest.starts_with(&format!("{registry}/{repo}@sha256:")),
        "{digest}"
    );
    // Present now: no second pull, so no progress.
    let before = events.lock().expect("lock").len();
    backend.load(&name, &v, &reporter).expect("load");
    assert_eq!(events.lock().expect("lock").len(), before, "pulled again");
    // Another version is pulled.
    backend
        .load(&name, &RecipeVersion::new("1.0.0"), &reporter)
        .expect("load");
    assert!(events.lock().expect("lock").len() > before);
}

#[test]
fn tags_and_the_catalogue_are_read_page_by_page() {
    let (Some(e), Some(registry)) = (engine(), service("NSKIT_TEST_REGISTRY")) else {
        return;
    };
    let prefix = unique("nskit-test/pages");
    let names: Vec<String> = (0..3).map(|i| format!("paged{i}")).collect();
    for n in &names {
        let repo = format!("{prefix}/{n}");
        let reference = format!("{registry}/{repo}:1.0.0");
        template_image(&e, &reference, n, "1.0.0", "", &[("a.txt", "a\n")]);
        e.push(&reference, None, &Reporter::silent()).expect("push");
        for v in ["1.0.1", "1.0.2", "1.1.0", "2.0.0"] {
            let r = format!("{registry}/{repo}:{v}");
            e.tag(&reference, &r).expect("tag");
            e.push(&r, None, &Reporter::silent()).expect("push");
            e.remove_image(&r).expect("untag");
        }
        e.remove_image(&reference).expect("untag");
    }
    let cache = tempfile::tempdir().expect("tempdir");
    let mut s = settings(&registry, &prefix, &cache);
    s.page_size = 2;
    let list = RegistryBackend::new(s).list().expect("list");
    let got: Vec<_> = list
        .iter()
        .map(|r| (r.name.clone(), r.versions.len()))
        .collect();
    assert_eq!(
        got,
        names.iter().map(|n| (n.clone(), 5)).collect::<Vec<_>>(),
        "every repository and every tag, two per page"
    );
}

#[test]
fn repositories_claiming_one_name_are_all_listed_and_reported() {
    let (Some(e), Some(registry)) = (engine(), service("NSKIT_TEST_REGISTRY")) else {
        return;
    };
    let prefix = unique("nskit-test/twins");
    let name = unique("twin");
    publish(
        &e,
        &registry,
        &format!("{prefix}/team-a/py"),
        &name,
        &["1.0.0", "1.1.0"],
        None,
    );
    publish(
        &e,
        &registry,
        &format!("{prefix}/team-b/py"),
        &name,
        &["2.0.0"],
        None,
    );
    publish(
        &e,
        &registry,
        &format!("{prefix}/solo"),
        &unique("solo"),
        &["1.0.0"],
        None,
    );
    let cache = tempfile::tempdir().expect("tempdir");
    let backend = RegistryBackend::new(settings(&registry, &prefix, &cache));
    let list = backend.list().expect("list");
    let got: Vec<(&str, &[String])> = list
        .iter()
        .map(|r| (r.name.as_str(), r.versions.as_slice()))
        .collect();
    assert_eq!(got.len(), 3, "{got:?}");
    assert!(
        got.contains(&("team-a/py", &["1.1.0".to_string(), "1.0.0".to_string()][..])),
        "neither hides the other's versions: {got:?}"
    );
    assert!(
        got.contains(&("team-b/py", &["2.0.0".to_string()][..])),
        "{got:?}"
    );
    let notices = backend.notices();
    assert_eq!(notices.len(), 1, "{notices:?}");
    assert!(
        notices[0].contains(&format!("`{name}`"))
            && notices[0].contains("team-a/py")
            && notices[0].contains("team-b/py"),
        "{notices:?}"
    );
    let err = backend.versions(&name).unwrap_err().to_string();
    assert!(
        err.contains("team-a/py") && err.contains("team-b/py"),
        "{err}"
    );
    let v = backend.versions("team-b/py").expect("by repository path");
    assert_eq!(v, [RecipeVersion::new("2.0.0")]);
}

#[test]
fn oci_manifests_and_multi_arch_indexes_are_read() {
    let Some(registry) = service("NSKIT_TEST_REGISTRY") else {
        return;
    };
    use oci_client::client::{ClientConfig, ClientProtocol, Config, ImageLayer};
    use oci_client::manifest::{OciImageIndex, OciImageManifest, OciManifest};
    use oci_client::secrets::RegistryAuth;
    let prefix = unique("nskit-test/oci");
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime");
    let client = oci_client::Client::new(ClientConfig {
        protocol: ClientProtocol::Http,
        ..Default::default()
    });
    let auth = RegistryAuth::Anonymous;
    let config_of = |arch: &str, description: &str| {
        let json = serde_json::json!({
            "architecture": arch, "os": "linux",
            "config": { "Labels": {
                "nskit.recipe": "true",
                "nskit.recipe.name": "ocidemo",
                "nskit.recipe.format": "template",
                "org.opencontainers.image.description": description,
            }},
            "rootfs": { "type": "layers", "diff_ids": [] }
        });
        Config::new(
            serde_json::to_vec(&json).expect("json"),
            oci_client::manifest::IMAGE_CONFIG_MEDIA_TYPE.into(),
            None,
        )
    };
    let layer = ImageLayer::new(
        b"not a real layer".to_vec(),
        oci_client::manifest::IMAGE_LAYER_GZIP_MEDIA_TYPE.into(),
        None,
    );
    rt.block_on(async {
        // A plain OCI image manifest.
        let single = oci_client::Reference::with_tag(
            registry.clone(),
            format!("{prefix}/single"),
            "1.0.0".into(),
        );
        let c = config_of("amd64", "single OCI manifest");
        let m = OciImageManifest::build(std::slice::from_ref(&layer), &c, None);
        client
            .push(&single, std::slice::from_ref(&layer), c, &auth, Some(m))
            .await
            .expect("push OCI manifest");
        // An index over two platforms.
        let mut entries = vec![];
        for arch in ["arm64", "amd64"] {
            let r = oci_client::Reference::with_tag(
                registry.clone(),
                format!("{prefix}/multi"),
                format!("only-{arch}"),
            );
            let c = config_of(arch, &format!("{arch} variant"));
            let m = OciImageManifest::build(std::slice::from_ref(&layer), &c, None);
            client
                .push(&r, std::slice::from_ref(&layer), c, &auth, Some(m))
                .await
                .expect("push");
            let (bytes, digest) = client
                .pull_manifest_raw(&r, &auth, &[oci_client::manifest::OCI_IMAGE_MEDIA_TYPE])
                .await
                .expect("manifest");
            entries.push(serde_json::json!({
                "mediaType": oci_client::manifest::OCI_IMAGE_MEDIA_TYPE,
                "digest": digest,
                "size": bytes.len(),
                "platform": { "architecture": arch, "os": "linux" }
            }));
        }
        let index: OciImageIndex = serde_json::from_value(serde_json::json!({
            "schemaVersion": 2,
            "mediaType": oci_client::manifest::OCI_IMAGE_INDEX_MEDIA_TYPE,
            "manifests": entries,
        }))
        .expect("index");
        let r = oci_client::Reference::with_tag(
            registry.clone(),
            format!("{prefix}/multi"),
            "2.0.0".into(),
        );
        client
            .push_manifest(&r, &OciManifest::ImageIndex(index))
            .await
            .expect("push index");
    });
    let cache = tempfile::tempdir().expect("tempdir");
    let mut s = settings(&registry, &prefix, &cache);
    s.repositories = vec!["single".into(), "multi".into()];
    let list = RegistryBackend::new(s).list().expect("list");
    // Both are named `ocidemo`: each is listed under its repository, neither hidden.
    let got: Vec<_> = list
        .iter()
        .map(|r| (r.name.as_str(), r.description.as_str()))
        .collect();
    assert_eq!(
        got,
        [
            ("multi", "amd64 variant"),
            ("single", "single OCI manifest")
        ],
        "{list:?}"
    );
    // Each on its own: the index resolves to this machine's platform.
    for (repo, want) in [
        ("multi", "amd64 variant"),
        ("single", "single OCI manifest"),
    ] {
        let mut s = settings(&registry, &prefix, &cache);
        s.cache_dir = Some(tempfile::tempdir().expect("tempdir").keep());
        s.repositories = vec![repo.into()];
        let list = RegistryBackend::new(s).list().expect("list");
        assert_eq!(list[0].description, want);
        if repo == "multi" {
            let mut v = list[0].versions.clone();
            v.sort();
            assert_eq!(v, ["2.0.0", "only-amd64", "only-arm64"]);
            assert_eq!(list[0].latest.as_deref(), Some("2.0.0"));
        }
    }
}

#[test]
fn the_basic_auth_registry_needs_the_credentials() {
    let (Some(e), Some(registry)) = (engine(), service("NSKIT_TEST_REGISTRY_BASIC")) else {
        return;
    };
    let prefix = unique("nskit-test/basic");
    let name = unique("basicdemo");
    let c = creds();
    publish(
        &e,
        &registry,
        &format!("{prefix}/{name}"),
        &name,
        &["1.0.0"],
        Some(&c),
    );
    let cache = tempfile::tempdir().expect("tempdir");
    let err = RegistryBackend::new(settings(&registry, &prefix, &cache))
        .list()
        .unwrap_err()
        .to_string();
    assert!(err.contains("401"), "{err}");
    assert!(err.contains("credentials"), "says how to fix it: {err}");
    let mut wrong = settings(&registry, &prefix, &cache);
    wrong.credentials = Some(RegistryCredentials {
        username: c.username.clone(),
        password: "wrong".into(),
    });
    let err = RegistryBackend::new(wrong).list().unwrap_err().to_string();
    assert!(err.contains("401"), "{err}");
    assert!(!err.contains(&c.password), "no secret in messages: {err}");

    let mut s = settings(&registry, &prefix, &cache);
    s.credentials = Some(c.clone());
    let backend = RegistryBackend::new(s);
    let list = backend.list().expect("list");
    assert_eq!(list.len(), 1);
    assert_eq!(list[0].versions, ["1.0.0"]);
    backend
        .load(&name, &RecipeVersion::new("1.0.0"), &Reporter::silent())
        .expect("the engine pulls with the credentials");
}

#[test]
fn the_bearer_token_registry_exchanges_credentials_for_tokens() {
    let (Some(e), Some(registry)) = (engine(), service("NSKIT_TEST_REGISTRY_TOKEN")) else {
        return;
    };
    let Some(()) = support::token::start() else {
        return;
    };
    let prefix = unique("nskit-test/token");
    let name = unique("tokendemo");
    let c = creds();
    publish(
        &e,
        &registry,
        &format!("{prefix}/{name}"),
        &name,
        &["1.0.0", "1.1.0"],
        Some(&c),
    );
    let issued = support::token::ISSUED.load(std::sync::atomic::Ordering::SeqCst);
    assert!(
        issued > 0,
        "the engine's push went through the token server"
    );

    let cache = tempfile::tempdir().expect("tempdir");
    // Anonymous: the token server refuses, and the message says what to do.
    let err = RegistryBackend::new(settings(&registry, &prefix, &cache))
        .list()
        .unwrap_err()
        .to_string();
    assert!(err.contains("401"), "{err}");
    assert!(err.contains("credentials"), "{err}");

    // With credentials: the catalogue (scope registry:catalog:*), the tags and the config
    // blobs (scope repository:...:pull) are read with tokens.
    let mut s = settings(&registry, &prefix, &cache);
    s.credentials = Some(c);
    let backend = RegistryBackend::new(s);
    let list = backend.list().expect("list");
    assert_eq!(list.len(), 1, "{list:?}");
    assert_eq!(list[0].versions, ["1.1.0", "1.0.0"]);
    backend
        .load(&name, &RecipeVersion::new("1.0.0"), &Reporter::silent())
        .expect("pull through the token registry");
    assert!(
        support::token::ISSUED.load(std::sync::atomic::Ordering::SeqCst) > issued,
        "listing asked the token server"
    );
}

#[test]
fn registry_failures_are_clear_errors() {
    let Some(registry) = service("NSKIT_TEST_REGISTRY") else {
        return;
    };
    let cache = tempfile::tempdir().expect("tempdir");
    // Down: nothing listens there.
    let down = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let addr = down.local_addr().expect("addr").to_string();
    drop(down);
    let err = RegistryBackend::new(settings(&addr, "", &cache))
        .list()
        .unwrap_err()
        .to_string();
    assert!(err.contains("cannot reach the registry"), "{err}");
    assert!(err.contains("is it running"), "{err}");

    // 404: a configured repository that does not exist.
    let mut s = settings(&registry, &unique("nskit-test/missing"), &cache);
    s.repositories = vec!["nope".into()];
    let err = RegistryBackend::new(s).list().unwrap_err().to_string();
    assert!(err.contains("nope"), "{err}");
    assert!(err.contains("NAME_UNKNOWN") || err.contains("404"), "{err}");

    // Not a registry: a server that answers with something that is not its JSON.
    let fake = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let fake_addr = fake.local_addr().expect("addr").to_string();
    std::thread::spawn(move || {
        use std::io::{Read, Write};
        for mut s in fake.incoming().flatten() {
            let mut buf = [0u8; 4096];
            let _ = s.read(&mut buf);
            let body = "<html>this is not a registry</html>";
            let _ = write!(
                s,
                "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
                body.len()
            );
        }
    });
    let err = RegistryBackend::new(settings(&fake_addr, "", &cache))
        .list()
        .unwrap_err()
        .to_string();
    assert!(err.contains("not the Registry API"), "{err}");
}

#[test]
fn the_listing_is_cached_and_used_offline_with_a_notice() {
    let Some(e) = engine() else { return };
    // A registry of our own, so it can be stopped.
    let dir = tempfile::tempdir().expect("tempdir");
    // The spare address scripts/test keeps free (and that podman knows as plain HTTP).
    let addr = std::env::var("NSKIT_TEST_REGISTRY_SPARE").unwrap_or_else(|_| {
        let l = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
        l.local_addr().expect("addr").to_string()
    });
    let config = dir.path().join("config.yml");
    std::fs::write(
        &config,
        format!(
            "version: 0.1\nlog: {{level: warn}}\nstorage: {{filesystem: {{rootdirectory: {}}}}}\nhttp: {{addr: {addr}}}\n",
            dir.path().join("data").display()
        ),
    )
    .expect("config");
    /// Stops the registry however the test ends.
    struct Stop(std::process::Child);
    impl Drop for Stop {
        fn drop(&mut self) {
            let _ = self.0.kill();
            let _ = self.0.wait();
        }
    }
    let child = match std::process::Command::new("docker-registry")
        .arg("serve")
        .arg(&config)
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
    {
        Ok(c) => Stop(c),
        Err(err) => {
            support::skip(&format!("docker-registry cannot start ({err})"));
            return;
        }
    };
    for _ in 0..100 {
        if std::net::TcpStream::connect(&addr).is_ok() {
            break;
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    let name = unique("cached");
    publish(
        &e,
        &addr,
        &format!("recipes/{name}"),
        &name,
        &["1.0.0"],
        None,
    );

    let cache = tempfile::tempdir().expect("tempdir");
    let cold = RegistryBackend::new(settings(&addr, "recipes", &cache));
    assert_eq!(cold.list().expect("list")[0].name, name);
    assert!(cold.notices().is_empty());
    drop(child);

    // Fresh cache: served without asking, no notice.
    let warm = RegistryBackend::new(settings(&addr, "recipes", &cache));
    assert_eq!(warm.list().expect("cached list")[0].name, name);
    assert!(warm.notices().is_empty(), "{:?}", warm.notices());

    // Stale cache and the registry down: the cache, with a notice.
    let mut s = settings(&addr, "recipes", &cache);
    s.cache_ttl = Duration::ZERO;
    let offline = RegistryBackend::new(s);
    assert_eq!(offline.list().expect("offline list")[0].name, name);
    let notices = offline.notices();
    assert_eq!(notices.len(), 1, "{notices:?}");
    assert!(notices[0].starts_with("offline:"), "{notices:?}");
    assert!(notices[0].contains("cached"), "{notices:?}");

    // No cache at all: the error.
    let empty = tempfile::tempdir().expect("tempdir");
    let err = RegistryBackend::new(settings(&addr, "recipes", &empty))
        .list()
        .unwrap_err()
        .to_string();
    assert!(err.contains("cannot reach"), "{err}");
}

#[test]
fn a_cancelled_pull_stops_and_leaves_no_image() {
    let (Some(e), Some(registry)) = (engine(), service("NSKIT_TEST_REGISTRY")) else {
        return;
    };
    let prefix = unique("nskit-test/cancel");
    let name = unique("bigrecipe");
    let reference = format!("{registry}/{prefix}/{name}:1.0.0");
    // A layer large enough that the pull is still going when it is cancelled.
    let mut noise = vec![0u8; 48 << 20];
    let mut x: u64 = 0x9e37_79b9_7f4a_7c15;
    for chunk in noise.chunks_mut(8) {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        chunk.copy_from_slice(&x.to_le_bytes()[..chunk.len()]);
    }
    let ctx = support::context(
        &format!(
            "FROM {}\nCOPY recipe /recipe\nCOPY noise /noise\n",
            support::BUSYBOX
        ),
        &[
            (
                "recipe/recipe.yaml",
                format!("name: {name}\n").as_bytes(),
                0o644,
            ),
            ("recipe/template/README.md", b"# big\n", 0o644),
            ("noise", &noise, 0o644),
        ],
    );
    support::build(
        &e,
        ctx,
        &reference,
        &support::labels(&[
            ("nskit.recipe", "true"),
            ("nskit.recipe.name", &name),
            ("nskit.recipe.format", "template"),
        ]),
    );
    e.push(&reference, None, &Reporter::silent()).expect("push");
    e.remove_image(&reference).expect("untag");

    let cache = tempfile::tempdir().expect("tempdir");
    let backend = RegistryBackend::new(settings(&registry, &prefix, &cache));
    let token = nskit_progress::CancellationToken::new();
    let cancel = token.clone();
    let events: Arc<Mutex<Vec<Event>>> = Arc::default();
    let sink = events.clone();
    // dockerd reports bytes as they come: cancel in the middle. Podman's compatible API
    // reports none before the end: cancel as the pull starts.
    let podman = e.version().to_lowercase().contains("podman");
    let reporter = Reporter::new(move |ev| {
        let now = match ev {
            Event::Transfer { bytes_done, .. } => *bytes_done > 0,
            Event::Step {
                step: Step::Pull,
                state: StepState::Started,
                ..
            } => podman,
            _ => false,
        };
        if now {
            cancel.cancel();
        }
        sink.lock().expect("lock").push(ev.clone());
    })
    .with_cancel(token);
    let err = backend
        .load(&name, &RecipeVersion::new("1.0.0"), &reporter)
        .unwrap_err();
    assert!(
        matches!(err, nskit_backends::BackendError::Cancelled),
        "{err}"
    );
    let seen = events.lock().expect("lock").clone();
    assert!(
        seen.contains(&Event::Step {
            step: Step::Pull,
            state: StepState::Cancelled,
            detail: None
        }),
        "{seen:?}"
    );
    assert!(
        !seen
            .iter()
            .any(|e| matches!(e, Event::Transfer { done: true, .. })),
        "the pull ran to its end: {seen:?}"
    );
    // The engine dropped the pull: the image never arrives.
    std::thread::sleep(Duration::from_secs(2));
    assert!(
        !e.image_present(&reference).expect("inspect"),
        "the cancelled pull left the image"
    );
}
