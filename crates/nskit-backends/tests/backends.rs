//! The builtin, local and installed backends on real folders.
use nskit_progress::Reporter;
use std::path::Path;

use nskit_backends::{
    BackendError, BuiltinBackend, InstalledBackend, LocalBackend, RecipeBackend, install_recipe,
};
use nskit_recipe::RecipeVersion;

fn write_recipe(dir: &Path, name: &str, version: Option<&str>, description: &str) {
    std::fs::create_dir_all(dir.join("template")).expect("mkdir");
    let v = version
        .map(|v| format!("version: {v}\n"))
        .unwrap_or_default();
    std::fs::write(
        dir.join("recipe.yaml"),
        format!("name: {name}\n{v}description: {description}\ntags: [t]\n"),
    )
    .expect("write");
    std::fs::write(dir.join("template/README.md"), "# {{ 1 + 1 }}\n").expect("write");
}

#[test]
fn builtin_lists_at_least_three_useful_recipes() {
    let b = BuiltinBackend;
    let names: Vec<String> = b
        .list()
        .expect("lists")
        .into_iter()
        .map(|r| r.name)
        .collect();
    for want in ["python_package", "recipe", "rust_cli"] {
        assert!(
            names.iter().any(|n| n == want),
            "{want} missing from {names:?}"
        );
    }
    let v = b.resolve_version("rust_cli", None).expect("latest");
    let r = b.load("rust_cli", &v, &Reporter::silent()).expect("loads");
    assert!(r.files.iter().any(|f| f.path == "Cargo.toml"));
    let e = b.load("nope", &v, &Reporter::silent()).unwrap_err();
    assert!(
        matches!(&e, BackendError::RecipeNotFound { available, .. } if available.contains(&"rust_cli".to_string())),
        "{e}"
    );
}

#[test]
fn local_versions_are_semver_ordered_with_other_tags_after() {
    let root = tempfile::tempdir().expect("tempdir");
    for v in ["v1.9.0", "v1.10.0", "1.2.0", "main", "2.0.0-rc.1"] {
        write_recipe(
            &root.path().join("svc").join(v),
            "svc",
            None,
            &format!("svc at {v}"),
        );
    }
    std::fs::create_dir_all(root.path().join("svc/not-a-version")).expect("mkdir"); // no recipe.yaml: ignored
    std::fs::create_dir_all(root.path().join(".hidden/1.0.0")).expect("mkdir");
    let b = LocalBackend::new(root.path());
    let versions: Vec<String> = b
        .versions("svc")
        .expect("versions")
        .iter()
        .map(|v| v.to_string())
        .collect();
    assert_eq!(
        versions,
        ["2.0.0-rc.1", "v1.10.0", "v1.9.0", "1.2.0", "main"]
    );
    assert_eq!(
        b.resolve_version("svc", None).expect("latest").as_str(),
        "v1.10.0",
        "latest is the highest stable"
    );
    assert_eq!(
        b.resolve_version("svc", Some("1.10.0"))
            .expect("v prefix optional")
            .as_str(),
        "v1.10.0"
    );
    assert_eq!(
        b.resolve_version("svc", Some("main"))
            .expect("non-semver usable")
            .as_str(),
        "main"
    );
    let list = b.list().expect("lists");
    assert_eq!(list.len(), 1);
    assert_eq!(
        list[0].description, "svc at v1.10.0",
        "described by the latest version"
    );
    assert_eq!(list[0].latest.as_deref(), Some("v1.10.0"));
    let e = b
        .resolve_version("svc", Some("3.0.0"))
        .unwrap_err()
        .to_string();
    assert!(
        e.contains("no version `3.0.0`") && e.contains("v1.10.0"),
        "{e}"
    );
    let r = b
        .load("svc", &RecipeVersion::new("main"), &Reporter::silent())
        .expect("loads");
    assert_eq!(r.manifest.description, "svc at main");
}

#[test]
fn local_refuses_names_that_leave_the_folder() {
    let root = tempfile::tempdir().expect("tempdir");
    let b = LocalBackend::new(root.path().join("recipes"));
    std::fs::create_dir_all(root.path().join("recipes")).expect("mkdir");
    write_recipe(&root.path().join("outside/1.0.0"), "outside", None, "x");
    assert!(matches!(
        b.versions("../outside"),
        Err(BackendError::RecipeNotFound { .. })
    ));
}

#[test]
fn a_missing_local_folder_is_a_clear_error() {
    let b = LocalBackend::new("/nonexistent/recipes");
    let e = b.list().unwrap_err().to_string();
    assert!(
        e.contains("cannot read the recipes folder /nonexistent/recipes"),
        "{e}"
    );
}

#[test]
fn install_then_list_for_a_custom_group() {
    let data = tempfile::tempdir().expect("tempdir");
    let src = tempfile::tempdir().expect("tempdir");
    write_recipe(src.path(), "svc", Some("1.0.0"), "installed svc");
    let b = InstalledBackend::new(data.path(), "mycompany.recipes");
    assert!(b.list().expect("empty list").is_empty());
    let (name, version, dest) = install_recipe(&b, src.path(), None, false).expect("installs");
    assert_eq!((name.as_str(), version.as_str()), ("svc", "1.0.0"));
    assert!(dest.starts_with(data.path().join("recipes/mycompany.recipes/svc")));
    // A second version, given on the command line.
    install_recipe(&b, src.path(), Some("1.1.0"), false).expect("installs");
    assert_eq!(
        b.versions("svc")
            .expect("versions")
            .iter()
            .map(|v| v.to_string())
            .collect::<Vec<_>>(),
        ["1.1.0", "1.0.0"]
    );
    let e = install_recipe(&b, src.path(), None, false)
        .unwrap_err()
        .to_string();
    assert!(
        e.contains("already installed") && e.contains("--force"),
        "{e}"
    );
    install_recipe(&b, src.path(), None, true).expect("force replaces");
    // Another group does not see it.
    assert!(
        InstalledBackend::new(data.path(), "nskit.recipes")
            .list()
            .expect("lists")
            .is_empty()
    );
}

#[test]
fn install_refuses_a_broken_or_unversioned_recipe() {
    let data = tempfile::tempdir().expect("tempdir");
    let b = InstalledBackend::new(data.path(), "g");
    let src = tempfile::tempdir().expect("tempdir");
    write_recipe(src.path(), "svc", None, "x");
    let e = install_recipe(&b, src.path(), None, false)
        .unwrap_err()
        .to_string();
    assert!(e.contains("no `version`"), "{e}");
    std::fs::write(src.path().join("recipe.yaml"), "name: svc\nfields: {oops\n").expect("write");
    assert!(matches!(
        install_recipe(&b, src.path(), Some("1.0.0"), false),
        Err(BackendError::Recipe(_))
    ));
    assert!(!data.path().join("recipes/g/svc/1.0.0").exists());
}

#[test]
fn a_registry_reply_too_large_or_too_slow_is_refused_in_bounded_time() {
    use nskit_backends::{RegistryBackend, RegistrySettings};
    use nskit_testkit::{HostileServer, Misbehaviour};
    use std::time::{Duration, Instant};
    let cache = tempfile::tempdir().expect("tempdir");
    let settings = |url: &str| {
        let mut s = RegistrySettings::new(url);
        s.cache_dir = Some(cache.path().to_path_buf());
        s.request_deadline = Duration::from_secs(2);
        s
    };
    // A catalogue of 300 MB is not read into memory.
    let huge = HostileServer::start(Misbehaviour::Huge(300 << 20));
    let start = Instant::now();
    let err = RegistryBackend::new(settings(&huge.url))
        .list()
        .unwrap_err()
        .to_string();
    assert!(err.contains("more than 8 MiB"), "{err}");
    assert!(start.elapsed() < Duration::from_secs(10));
    // A catalogue trickled byte by byte ends at the deadline.
    let slow = HostileServer::start(Misbehaviour::Trickle(Duration::from_millis(200)));
    let start = Instant::now();
    let err = RegistryBackend::new(settings(&slow.url))
        .list()
        .unwrap_err()
        .to_string();
    assert!(err.contains("within 2 s"), "{err}");
    assert!(
        start.elapsed() < Duration::from_secs(8),
        "{:?}",
        start.elapsed()
    );
}
