//! The branded CLI, built and run: `acme-recipes list`, `init` and `update` read Acme's
//! recipes from S3 through the `s3` type it registers in process, against a real
//! S3-compatible server (moto, NSKIT_TEST_S3, started by scripts/test; the bucket is filled
//! with the Python plug-in's `publish`, so both read the same layout). The same commands
//! mounted as `acme recipes ...`. Wrong settings of the registered type are refused when
//! the file is read. Without the S3 server the S3 tests say why and pass, except under
//! CI=true.
use std::path::{Path, PathBuf};
use std::process::Command;

use assert_cmd::prelude::*;

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

const AWS: [(&str, &str); 2] = [
    ("AWS_ACCESS_KEY_ID", "acme-test"),
    ("AWS_SECRET_ACCESS_KEY", "acme-test-secret"),
];

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn python(bin: &Path, args: &[&str]) {
    let out = Command::new(bin.join("python3"))
        .args(args)
        .envs(AWS)
        .output()
        .expect("python");
    assert!(
        out.status.success(),
        "{args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

fn publish(url: &str, bin: &Path, bucket: &str, folder: &Path, version: &str) {
    let plugin = repo().join("examples/s3-backend-python/nskit-backend-s3");
    python(
        bin,
        &[
            &plugin.display().to_string(),
            "publish",
            &folder.display().to_string(),
            "--bucket",
            bucket,
            "--prefix",
            "recipes",
            "--endpoint-url",
            url,
            "--name",
            "service",
            "--version",
            version,
            "--description",
            "Acme's HTTP service",
        ],
    );
}

fn copy_dir(from: &Path, to: &Path) {
    for e in walkdir(from) {
        let rel = e.strip_prefix(from).expect("inside");
        let target = to.join(rel);
        if e.is_dir() {
            std::fs::create_dir_all(&target).expect("mkdir");
        } else {
            std::fs::create_dir_all(target.parent().expect("parent")).expect("mkdir");
            std::fs::copy(&e, &target).expect("copy");
        }
    }
}

fn walkdir(dir: &Path) -> Vec<PathBuf> {
    let mut out = vec![dir.to_path_buf()];
    let mut i = 0;
    while i < out.len() {
        if out[i].is_dir() {
            let mut children: Vec<PathBuf> = std::fs::read_dir(&out[i])
                .expect("read")
                .flatten()
                .map(|e| e.path())
                .collect();
            children.sort();
            out.extend(children);
        }
        i += 1;
    }
    out
}

fn edit(path: &Path, from: &str, to: &str) {
    let text = std::fs::read_to_string(path).expect("read");
    assert!(text.contains(from), "{} lacks {from:?}", path.display());
    std::fs::write(path, text.replacen(from, to, 1)).expect("write");
}

/// A command of this crate's binaries in an isolated home.
fn bin(name: &str, home: &Path, dir: &Path) -> Command {
    let mut c = Command::cargo_bin(name).expect("binary");
    for (k, _) in std::env::vars() {
        if k.starts_with("NSKIT_") || k.starts_with("GIT_") || k.starts_with("AWS_") {
            c.env_remove(k);
        }
    }
    c.env("HOME", home)
        .env("XDG_CONFIG_HOME", home.join(".config"))
        .env("XDG_DATA_HOME", home.join(".local/share"))
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .current_dir(dir);
    c
}

fn run(c: &mut Command) -> (i32, String, String) {
    let out = c.output().expect("runs");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

fn ok(c: &mut Command) -> String {
    let (code, out, err) = run(c);
    assert_eq!(code, 0, "{out}{err}");
    out
}

fn config(home: &Path, text: &str) {
    let f = home.join(".config/nskit/config.yaml");
    std::fs::create_dir_all(f.parent().expect("dir")).expect("mkdir");
    std::fs::write(f, text).expect("config");
}

#[test]
fn the_branded_cli_lists_inits_and_updates_from_s3() {
    let Some((url, py)) = s3() else { return };
    let home = tempfile::tempdir().expect("tempdir");
    let home = home.path();
    std::fs::write(
        home.join(".gitconfig"),
        "[user]\n\tname = Ada Lovelace\n\temail = ada@example.com\n",
    )
    .expect("gitconfig");
    let bucket = format!("acme-{}", std::process::id());
    python(
        &py,
        &[
            "-c",
            "import sys, boto3; boto3.client('s3', endpoint_url=sys.argv[1], region_name='us-east-1').create_bucket(Bucket=sys.argv[2])",
            &url,
            &bucket,
        ],
    );
    let v1 = home.join("src/1.0.0");
    copy_dir(&repo().join("recipes/rust_cli"), &v1);
    edit(&v1.join("recipe.yaml"), "name: rust_cli", "name: service");
    publish(&url, &py, &bucket, &v1, "1.0.0");

    // The program's default backend is Acme's bucket; the file only points it at the
    // test server (a registered type's settings merge like any backend's).
    config(
        home,
        &format!(
            "backends:\n  acme:\n    type: s3\n    bucket: {bucket}\n    prefix: recipes\n    endpoint_url: {url}\n"
        ),
    );
    let acme = |dir: &Path| {
        let mut c = bin("acme-recipes", home, dir);
        c.envs(AWS);
        c
    };

    let out = ok(acme(home).arg("list"));
    assert!(out.contains("service"), "{out}");
    assert!(out.contains("Acme's HTTP service"), "{out}");
    let types = ok(acme(home).args(["config", "types"]));
    let line = types
        .lines()
        .find(|l| l.trim_start().starts_with("s3 "))
        .unwrap_or_else(|| panic!("no s3 type: {types}"));
    assert!(
        line.contains("acme-recipes") && line.contains("bucket"),
        "{line}"
    );
    let help = ok(acme(home).arg("--help"));
    assert!(help.contains("Acme's project recipes"), "{help}");
    assert!(help.contains("Usage: acme-recipes"), "{help}");

    let projects = home.join("projects");
    std::fs::create_dir_all(&projects).expect("mkdir");
    ok(acme(&projects).args([
        "init",
        "--recipe",
        "service",
        "--defaults",
        "--set",
        "project_name=billing",
    ]));
    let p = projects.join("billing");
    let state = std::fs::read_to_string(p.join(".recipe/config.yml")).expect("state");
    assert!(state.contains("backend: s3"), "{state}");
    assert!(
        state.contains(&format!("location: s3://{bucket}/recipes")),
        "{state}"
    );

    edit(
        &p.join("Cargo.toml"),
        "description = ",
        "# ours\ndescription = ",
    );
    let git = |args: &[&str]| {
        let out = Command::new("git")
            .args(args)
            .current_dir(&p)
            .env("HOME", home)
            .output()
            .expect("git");
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
    };
    git(&["commit", "-qam", "ours"]);
    let v2 = home.join("src/1.1.0");
    copy_dir(&v1, &v2);
    edit(&v2.join("recipe.yaml"), "version: 1.0.0", "version: 1.1.0");
    edit(&v2.join("template/README.md"), "## Use\n", "## Usage\n");
    publish(&url, &py, &bucket, &v2, "1.1.0");

    let out = ok(acme(&p).args(["update", "--defaults"]));
    assert!(out.contains("1.1.0"), "{out}");
    let readme = std::fs::read_to_string(p.join("README.md")).expect("readme");
    assert!(readme.contains("## Usage"), "{readme}");
    let cargo = std::fs::read_to_string(p.join("Cargo.toml")).expect("cargo");
    assert!(cargo.contains("# ours\n"), "{cargo}");

    // The same commands, mounted in Acme's existing tool.
    let out = ok(bin("acme", home, home).envs(AWS).args(["recipes", "list"]));
    assert!(out.contains("service"), "{out}");
    let out = ok(bin("acme", home, home).args(["hello"]));
    assert_eq!(out.trim(), "hello from acme");
    let help = ok(bin("acme", home, home).args(["recipes", "--help"]));
    assert!(help.contains("Usage: acme recipes"), "{help}");
}

#[test]
fn a_registered_types_settings_are_checked_when_the_file_is_read() {
    let home = tempfile::tempdir().expect("tempdir");
    let home = home.path();
    config(home, "backends:\n  acme:\n    type: s3\n    bukket: acme\n");
    let (code, _, stderr) = run(bin("acme-recipes", home, home).arg("list"));
    assert_eq!(code, 2, "{stderr}");
    assert!(stderr.contains("backend `acme` (type s3)"), "{stderr}");
    assert!(stderr.contains("unknown field `bukket`"), "{stderr}");
}

#[test]
fn the_provider_it_registers_creates_and_pushes_repositories() {
    let home = tempfile::tempdir().expect("tempdir");
    let home = home.path();
    std::fs::write(
        home.join(".gitconfig"),
        "[user]\n\tname = Ada Lovelace\n\temail = ada@example.com\n",
    )
    .expect("gitconfig");
    let root = home.join("srv-git");
    config(
        home,
        &format!(
            "vcs:\n  provider: folder\n  organisation: team\n  settings: {{root: {}}}\n",
            root.display()
        ),
    );
    let projects = home.join("projects");
    std::fs::create_dir_all(&projects).expect("mkdir");
    let out = ok(bin("acme-recipes", home, &projects).args([
        "--backend",
        "builtin",
        "init",
        "--recipe",
        "rust_cli",
        "--defaults",
        "--set",
        "project_name=ledger",
        "--create-repo",
    ]));
    assert!(out.contains("created the repository team/ledger"), "{out}");
    let bare = git2::Repository::open_bare(root.join("team/ledger.git")).expect("bare");
    let pushed = bare.find_reference("refs/heads/main").expect("main pushed");
    let local = git2::Repository::open(projects.join("ledger")).expect("project");
    assert_eq!(pushed.target(), local.head().expect("head").target());
    let list = ok(bin("acme-recipes", home, home).args(["repo", "list"]));
    assert!(list.contains("team/ledger"), "{list}");
}
