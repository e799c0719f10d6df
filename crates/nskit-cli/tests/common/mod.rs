//! Helpers shared by the CLI's end-to-end tests.
#![allow(dead_code)]
use std::path::{Path, PathBuf};
use std::process::Command;

use assert_cmd::prelude::*;

/// An isolated home: no config file, no git identity unless written, no NSKIT_* variables.
pub struct Home {
    dir: tempfile::TempDir,
}

impl Home {
    pub fn new() -> Home {
        Home {
            dir: tempfile::tempdir().expect("tempdir"),
        }
    }

    pub fn path(&self) -> &Path {
        self.dir.path()
    }

    pub fn with_git_identity(self) -> Home {
        std::fs::write(
            self.path().join(".gitconfig"),
            "[user]\n\tname = Ada Lovelace\n\temail = ada@example.com\n",
        )
        .expect("gitconfig");
        self
    }

    pub fn nskit(&self) -> Command {
        let mut c = Command::cargo_bin("nskit").expect("the nskit binary");
        for (k, _) in std::env::vars() {
            if k.starts_with("NSKIT_") || k.starts_with("RECIPE_") || k.starts_with("GIT_") {
                c.env_remove(k);
            }
        }
        c.env("HOME", self.path())
            .env("XDG_CONFIG_HOME", self.path().join(".config"))
            .env("XDG_DATA_HOME", self.path().join(".local/share"))
            .env("XDG_CACHE_HOME", self.path().join(".cache"))
            .env("GIT_CONFIG_NOSYSTEM", "1")
            .current_dir(self.path());
        c
    }

    pub fn out(&self) -> PathBuf {
        let p = self.path().join("out");
        std::fs::create_dir_all(&p).expect("mkdir");
        p
    }
}

/// Writes a recipe at `<root>/<name>/<version>/`.
pub fn local_recipe(
    root: &Path,
    name: &str,
    version: &str,
    manifest_rest: &str,
    files: &[(&str, &str)],
) -> PathBuf {
    let dir = root.join(name).join(version);
    std::fs::create_dir_all(dir.join("template")).expect("mkdir");
    std::fs::write(
        dir.join("recipe.yaml"),
        format!("name: {name}\ndescription: {name} for tests\n{manifest_rest}"),
    )
    .expect("write");
    for (p, text) in files {
        let f = dir.join("template").join(p);
        std::fs::create_dir_all(f.parent().expect("parent")).expect("mkdir");
        std::fs::write(f, text).expect("write");
    }
    dir
}

pub fn stdout_of(c: &mut Command) -> String {
    let out = c.output().expect("runs");
    assert!(
        out.status.success(),
        "failed: {}\n{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).expect("utf8")
}

/// Runs git in `dir`; it must succeed.
pub fn git(dir: &Path, args: &[&str]) -> String {
    let out = Command::new("git")
        .args(args)
        .current_dir(dir)
        .output()
        .expect("git");
    assert!(
        out.status.success(),
        "git {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// The value of the first `key:` line of a YAML text, unquoted (`recipe_version`).
pub fn yaml_scalar(text: &str, key: &str) -> Option<String> {
    text.lines()
        .find_map(|l| l.trim_start().strip_prefix(&format!("{key}:")))
        .map(|v| v.trim().trim_matches('"').trim_matches('\'').to_string())
}

/// Runs a command: its exit status (-1 when killed), stdout and stderr.
pub fn run(c: &mut Command) -> (i32, String, String) {
    let out = c.output().expect("runs");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// Runs a command with `input` (and a line break) on its stdin: its exit status, stdout
/// and stderr.
pub fn run_with_input(c: &mut Command, input: &str) -> (Option<i32>, String, String) {
    use std::io::Write;
    use std::process::Stdio;
    c.stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let mut child = c.spawn().expect("spawn");
    {
        let mut stdin = child.stdin.take().expect("stdin");
        writeln!(stdin, "{input}").expect("write");
    }
    let o = child.wait_with_output().expect("wait");
    (
        o.status.code(),
        String::from_utf8_lossy(&o.stdout).into_owned(),
        String::from_utf8_lossy(&o.stderr).into_owned(),
    )
}

/// Copies a folder (a project with its `.git`, a recipe).
pub fn copy_dir(from: &Path, to: &Path) {
    for e in walkdir::WalkDir::new(from) {
        let e = e.expect("walk");
        let dest = to.join(e.path().strip_prefix(from).expect("inside"));
        if e.file_type().is_dir() {
            std::fs::create_dir_all(&dest).expect("mkdir");
        } else {
            std::fs::copy(e.path(), &dest).expect("copy");
        }
    }
}
