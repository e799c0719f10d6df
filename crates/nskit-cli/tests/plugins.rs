//! Plug-in backends through the stock `nskit` binary: a `type:` nothing built in knows is
//! served by `nskit-backend-<type>` on PATH. The S3 plug-in written in Python
//! (examples/s3-backend-python) against a real S3-compatible server (moto, started by
//! scripts/test as NSKIT_TEST_S3, with the plug-in's Python in NSKIT_TEST_PYTHON_BIN):
//! list, versions, init and update. And plug-ins that are missing, crash, print something
//! else, speak another version or hang: each a clear error naming the plug-in, never a
//! panic. Without the S3 server the S3 test says why and passes, except under CI=true.
use std::path::{Path, PathBuf};
use std::process::Command;

mod common;
use common::{Home, copy_dir, git, run, stdout_of};

/// The S3 server's URL and the Python tools' bin folder, when scripts/test started them.
fn s3() -> Option<(String, PathBuf)> {
    match (
        std::env::var("NSKIT_TEST_S3"),
        std::env::var("NSKIT_TEST_PYTHON_BIN"),
    ) {
        (Ok(url), Ok(bin)) => Some((url, PathBuf::from(bin))),
        _ => {
            if std::env::var("CI").is_ok_and(|v| v == "true") {
                panic!("CI=true and no S3 server (NSKIT_TEST_S3, NSKIT_TEST_PYTHON_BIN)");
            }
            eprintln!("skipped: no S3 server; scripts/test starts one (moto)");
            None
        }
    }
}

fn plugin_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples/s3-backend-python")
}

/// PATH with `dirs` in front.
fn path_with(dirs: &[&Path]) -> std::ffi::OsString {
    let mut all: Vec<PathBuf> = dirs.iter().map(|d| d.to_path_buf()).collect();
    all.extend(std::env::split_paths(
        &std::env::var_os("PATH").unwrap_or_default(),
    ));
    std::env::join_paths(all).expect("PATH")
}

/// An S3 bucket of its own for each test, on the test server.
fn bucket(url: &str, python: &Path, name: &str) {
    let status = Command::new(python.join("python3"))
        .args([
            "-c",
            "import sys, boto3; boto3.client('s3', endpoint_url=sys.argv[1], region_name='us-east-1').create_bucket(Bucket=sys.argv[2])",
            url,
            name,
        ])
        .envs(aws())
        .status()
        .expect("python");
    assert!(status.success(), "cannot create the bucket {name}");
}

fn aws() -> [(&'static str, &'static str); 2] {
    [
        ("AWS_ACCESS_KEY_ID", "nskit-test"),
        ("AWS_SECRET_ACCESS_KEY", "nskit-test-secret"),
    ]
}

/// `nskit-backend-s3 publish`: the plug-in's own way to upload a version.
fn publish(url: &str, python: &Path, bucket: &str, folder: &Path, version: &str) {
    let out = Command::new(python.join("python3"))
        .arg(plugin_dir().join("nskit-backend-s3"))
        .args(["publish", &folder.display().to_string()])
        .args(["--bucket", bucket, "--prefix", "recipes/v1"])
        .args(["--endpoint-url", url, "--name", "service"])
        .args(["--version", version])
        .args(["--description", "An HTTP service", "--tags", "rust,web"])
        .envs(aws())
        .output()
        .expect("publish");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

fn edit(path: &Path, from: &str, to: &str) {
    let text = std::fs::read_to_string(path).expect("read");
    assert!(text.contains(from), "{} lacks {from:?}", path.display());
    std::fs::write(path, text.replacen(from, to, 1)).expect("write");
}

#[test]
fn an_s3_plugin_in_python_serves_list_versions_init_and_update() {
    let Some((url, python)) = s3() else { return };
    let home = Home::new().with_git_identity();
    let name = format!("nskit-plugin-{}", std::process::id());
    bucket(&url, &python, &name);

    // Two versions of a recipe; 1.1.0 rewords the README's first heading.
    let builtin = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../recipes/rust_cli");
    let v1 = home.path().join("src/1.0.0");
    copy_dir(&builtin, &v1);
    edit(&v1.join("recipe.yaml"), "name: rust_cli", "name: service");
    publish(&url, &python, &name, &v1, "1.0.0");

    let config = home.path().join(".config/nskit/config.yaml");
    std::fs::create_dir_all(config.parent().expect("dir")).expect("mkdir");
    std::fs::write(
        &config,
        format!(
            "backends:\n  acme:\n    type: s3\n    bucket: {name}\n    prefix: recipes/v1\n    endpoint_url: ${{NSKIT_TEST_S3}}\n"
        ),
    )
    .expect("config");
    let nskit = |dir: &Path| {
        let mut c = home.nskit();
        c.env("PATH", path_with(&[&python, &plugin_dir()]))
            .env("NSKIT_TEST_S3", &url)
            .envs(aws())
            .current_dir(dir);
        c
    };

    // The plug-in describes its type: `config types` (and the app's form) show its fields.
    let types = stdout_of(nskit(home.path()).args(["config", "types"]));
    let line = types
        .lines()
        .find(|l| l.trim_start().starts_with("s3 "))
        .unwrap_or_else(|| panic!("no s3 type: {types}"));
    assert!(line.contains("plug-in nskit-backend-s3"), "{line}");
    assert!(
        line.contains("bucket") && line.contains("endpoint_url"),
        "{line}"
    );
    let json = stdout_of(nskit(home.path()).args(["config", "types", "--json"]));
    let types: serde_json::Value = serde_json::from_str(&json).expect("json");
    let s3 = types
        .as_array()
        .and_then(|a| a.iter().find(|t| t["name"] == "s3"))
        .expect("s3");
    assert_eq!(s3["label"], "Amazon S3");
    assert_eq!(
        s3["schema"]["properties"]["secret_access_key"]["x-secret"],
        true
    );

    let out = stdout_of(nskit(home.path()).arg("list"));
    assert!(out.contains("service"), "{out}");
    assert!(out.contains("An HTTP service"), "{out}");
    let json = stdout_of(nskit(home.path()).args(["list", "--json"]));
    let listed: serde_json::Value = serde_json::from_str(&json).expect("json");
    assert_eq!(listed[0]["name"], "service");
    assert_eq!(listed[0]["tags"], serde_json::json!(["rust", "web"]));

    let projects = home.out();
    stdout_of(nskit(&projects).args([
        "init",
        "--recipe",
        "service",
        "--defaults",
        "--set",
        "project_name=orders",
    ]));
    let p = projects.join("orders");
    assert!(p.join("Cargo.toml").is_file());
    let state = std::fs::read_to_string(p.join(".recipe/config.yml")).expect("state");
    assert!(state.contains("recipe_version: \"1.0.0\""), "{state}");
    assert!(state.contains("backend: s3"), "{state}");

    // The user's edit, then 1.1.0 is published: the update keeps the edit.
    edit(
        &p.join("Cargo.toml"),
        "description = ",
        "# ours\ndescription = ",
    );
    git(&p, &["commit", "-qam", "ours"]);
    let v2 = home.path().join("src/1.1.0");
    copy_dir(&v1, &v2);
    edit(&v2.join("recipe.yaml"), "version: 1.0.0", "version: 1.1.0");
    edit(&v2.join("template/README.md"), "## Use\n", "## Usage\n");
    publish(&url, &python, &name, &v2, "1.1.0");

    let out = stdout_of(nskit(home.path()).args(["versions", "--recipe", "service"]));
    let first = out.find("1.1.0").expect("1.1.0 listed");
    assert!(first < out.find("1.0.0").expect("1.0.0 listed"), "{out}");

    let (code, stdout, stderr) = run(nskit(&p).args(["update", "--defaults"]));
    assert_eq!(code, 0, "{stdout}{stderr}");
    let readme = std::fs::read_to_string(p.join("README.md")).expect("readme");
    assert!(readme.contains("## Usage"), "{readme}");
    let cargo = std::fs::read_to_string(p.join("Cargo.toml")).expect("cargo");
    assert!(cargo.contains("# ours\n"), "{cargo}");
    let state = std::fs::read_to_string(p.join(".recipe/config.yml")).expect("state");
    assert!(state.contains("recipe_version: \"1.1.0\""), "{state}");

    // A recipe the bucket does not have: the plug-in's not-found, with what there is.
    let (code, _, stderr) = run(nskit(home.path()).args(["versions", "--recipe", "nope"]));
    assert_eq!(code, 4, "{stderr}");
    assert!(stderr.contains("service"), "{stderr}");
}

/// A plug-in written as a shell script into `dir`.
fn shell_plugin(dir: &Path, name: &str, body: &str) {
    let path = dir.join(format!("nskit-backend-{name}"));
    std::fs::write(&path, format!("#!/bin/sh\n{body}\n")).expect("write");
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755)).expect("chmod");
}

#[test]
fn plugin_failures_are_clear_errors_naming_the_plugin() {
    let home = Home::new();
    let bin = home.path().join("bin");
    std::fs::create_dir_all(&bin).expect("mkdir");
    shell_plugin(
        &bin,
        "crashes",
        "cat >/dev/null; echo 'bucket?' >&2; kill -SEGV $$",
    );
    shell_plugin(&bin, "chatty", "cat >/dev/null; echo 'Listing recipes...'");
    shell_plugin(
        &bin,
        "newer",
        r#"cat >/dev/null; echo '{"protocol": 2, "result": {"recipes": []}}'"#,
    );
    shell_plugin(&bin, "hangs", "sleep 300");
    shell_plugin(
        &bin,
        "refuses",
        r#"cat >/dev/null; echo '{"protocol": 1, "error": {"code": "config", "message": "`bucket` is required"}}'; exit 1"#,
    );
    shell_plugin(
        &bin,
        "shapeless",
        r#"cat >/dev/null; echo '{"protocol": 1, "result": {"recipes": "none"}}'"#,
    );
    let config = home.path().join(".config/nskit/config.yaml");
    std::fs::create_dir_all(config.parent().expect("dir")).expect("mkdir");
    std::fs::write(
        &config,
        "backends:\n  missing: {type: nothere}\n  crashes: {type: crashes}\n  chatty: {type: chatty}\n  newer: {type: newer}\n  hangs: {type: hangs, timeout_secs: 1}\n  refuses: {type: refuses}\n  shapeless: {type: shapeless}\n",
    )
    .expect("config");
    for (backend, wanted) in [
        ("missing", "no plug-in `nskit-backend-nothere` on PATH"),
        ("crashes", "killed by signal 11"),
        ("chatty", "not nskit's plug-in protocol"),
        ("newer", "speaks protocol version 2"),
        ("hangs", "did not answer `list` within 1 s"),
        ("refuses", "`bucket` is required"),
        ("shapeless", "does not have the protocol's shape"),
    ] {
        let (code, stdout, stderr) =
            run(home
                .nskit()
                .env("PATH", path_with(&[&bin]))
                .args(["--backend", backend, "list"]));
        assert_eq!(code, 1, "{backend}: {stdout}{stderr}");
        assert!(stderr.contains(wanted), "{backend}: {stderr}");
        if backend != "missing" {
            assert!(
                stderr.contains(&format!("nskit-backend-{backend}")),
                "{backend} not named: {stderr}"
            );
        }
        assert!(!stderr.contains("panicked"), "{backend}: {stderr}");
    }
    // The crash's last words are quoted.
    let (_, _, stderr) =
        run(home
            .nskit()
            .env("PATH", path_with(&[&bin]))
            .args(["--backend", "crashes", "list"]));
    assert!(stderr.contains("bucket?"), "{stderr}");

    // A type that is not a plain word is refused when the file is read.
    std::fs::write(&config, "backends:\n  odd: {type: ../../bin/sh}\n").expect("config");
    let (code, _, stderr) = run(home.nskit().arg("list"));
    assert_eq!(code, 2, "{stderr}");
    assert!(stderr.contains("is not a backend type"), "{stderr}");
}
