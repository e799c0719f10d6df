//! Git for generated projects, through libgit2 (git2): read the user's identity from git
//! config, initialise a repository and commit the generated files, check a project's tree
//! is clean and record update conflicts in the index; create a project's repository on a
//! git host (GitHub first) and push it.
#![deny(missing_docs)]

use std::path::{Path, PathBuf};

use git2::{IndexAddOption, Repository, RepositoryInitOptions, Signature};

mod gitlab;
mod identity;
pub mod namespaces;
pub mod plugin;
pub mod provider;
mod push;
mod worktree;
pub use gitlab::{GITLAB_API, GitLab};
pub use provider::{
    BranchProtection, GITHUB_API, GitHub, ProviderError, RemoteRepo, RepoSpec, Token, TokenInfo,
    VcsProvider, github_host,
};
pub use push::{Pushed, push_to_new_remote, read_remote_file};
/// HTTP methods, for [`GitHub::send`].
pub use reqwest::Method;
pub use worktree::{Conflict, Stage, Worktree, blob_id};

/// The author used when git config has no `user.name`/`user.email`.
pub const FALLBACK_NAME: &str = "nskit";
/// The e-mail used when git config has none.
pub const FALLBACK_EMAIL: &str = "nskit@localhost";

/// What can go wrong with git.
#[derive(Debug, thiserror::Error)]
#[error("git: {action} in {path}: {message}")]
pub struct VcsError {
    action: &'static str,
    path: PathBuf,
    message: String,
}

impl VcsError {
    fn new(action: &'static str, path: &Path, e: git2::Error) -> Self {
        VcsError {
            action,
            path: path.to_path_buf(),
            message: e.message().to_string(),
        }
    }
}

/// The user's git identity from the default git config (global, XDG and system files).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct GitIdentity {
    /// `user.name`.
    pub name: Option<String>,
    /// `user.email`.
    pub email: Option<String>,
}

/// Reads `user.name` and `user.email` from the default git config: the system, XDG and
/// global files (as git finds them, `GIT_CONFIG_*` included) read directly when they are
/// plain, else through libgit2 (for `include`s). Reading directly matters: libgit2 loads
/// the system's certificates when it starts, which costs more than creating a small
/// project, and only the identity is needed before the files are written.
pub fn git_identity() -> GitIdentity {
    let files = identity::config_files(&|k| std::env::var_os(k));
    identity::read_plain(&files).unwrap_or_else(git_identity_libgit2)
}

/// The identity through libgit2's reading of the default configuration.
fn git_identity_libgit2() -> GitIdentity {
    let Ok(cfg) = git2::Config::open_default() else {
        return GitIdentity::default();
    };
    let get = |k: &str| {
        cfg.get_string(k)
            .ok()
            .map(|s| s.trim().to_string())
            .filter(|s| !s.is_empty())
    };
    GitIdentity {
        name: get("user.name"),
        email: get("user.email"),
    }
}

/// The commit made for a generated project.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Commit {
    /// The commit id.
    pub id: String,
    /// The branch it is on.
    pub branch: String,
    /// `Name <email>` of the author.
    pub author: String,
    /// Whether the fallback author was used because git config has no identity.
    pub fallback_author: bool,
    /// Whether a new repository was created (false when `dir` already was one).
    pub initialised: bool,
}

/// `dir`'s repository, or a new one there (branch `init.defaultBranch`, else `main`);
/// whether it was created.
fn open_or_init(dir: &Path) -> Result<(Repository, bool), VcsError> {
    Ok(match Repository::open(dir) {
        Ok(r) if r.workdir().is_some_and(|w| same_dir(w, dir)) => (r, false),
        _ => {
            let branch = git2::Config::open_default()
                .ok()
                .and_then(|c| c.get_string("init.defaultBranch").ok())
                .filter(|b| !b.trim().is_empty() && !b.starts_with('-'))
                .unwrap_or_else(|| "main".to_string());
            let mut opts = RepositoryInitOptions::new();
            opts.initial_head(&branch);
            (
                Repository::init_opts(dir, &opts)
                    .map_err(|e| VcsError::new("cannot initialise a repository", dir, e))?,
                true,
            )
        }
    })
}

/// One file of a new project, for [`commit_new`]: its bytes when they are in memory (a
/// large file is read from the folder), and its executable bit.
#[derive(Debug, Clone, Copy)]
pub struct NewFile<'a> {
    /// The `/`-separated path in the project.
    pub path: &'a str,
    /// The bytes, when in memory.
    pub bytes: Option<&'a [u8]>,
    /// Whether it is executable.
    pub executable: bool,
}

/// Commits a project that nskit has just written into `dir` (exactly `files`, nothing
/// else), creating the repository: as `git init && git add -A && git commit` does, but
/// from the bytes in memory, each distinct content hashed and written once, and the index
/// built from the files' own stat data, so `git status` is clean at once. Files the
/// project's `.gitignore` (or the user's global excludes) ignore are left out.
#[cfg(unix)]
pub fn commit_new(dir: &Path, files: &[NewFile<'_>], message: &str) -> Result<Commit, VcsError> {
    use std::collections::HashSet;
    use std::os::unix::fs::MetadataExt;
    let (repo, initialised) = open_or_init(dir)?;
    let odb = repo
        .odb()
        .map_err(|e| VcsError::new("cannot open the object database", dir, e))?;
    let mut index = repo
        .index()
        .map_err(|e| VcsError::new("cannot open the index", dir, e))?;
    // Ignore rules matter only when there are some.
    let global_ignore = std::env::var_os("XDG_CONFIG_HOME")
        .map(std::path::PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| Path::new(&h).join(".config")))
        .is_some_and(|c| c.join("git/ignore").exists());
    let may_ignore = global_ignore
        || files.iter().any(|f| f.path.ends_with(".gitignore"))
        || git2::Config::open_default()
            .ok()
            .is_some_and(|c| c.get_path("core.excludesFile").is_ok());
    let mut written: HashSet<git2::Oid> = HashSet::new();
    for f in files {
        if may_ignore
            && repo
                .is_path_ignored(f.path)
                .map_err(|e| VcsError::new("cannot read the ignore rules", dir, e))?
        {
            continue;
        }
        let full = dir.join(f.path);
        let id = match f.bytes {
            Some(b) => {
                let id = git2::Oid::hash_object(git2::ObjectType::Blob, b)
                    .map_err(|e| VcsError::new("cannot hash", dir, e))?;
                if written.insert(id) {
                    odb.write(git2::ObjectType::Blob, b)
                        .map_err(|e| VcsError::new("cannot write an object", dir, e))?;
                }
                id
            }
            None => repo
                .blob_path(&full)
                .map_err(|e| VcsError::new("cannot write an object", dir, e))?,
        };
        let meta = std::fs::symlink_metadata(&full).map_err(|e| VcsError {
            action: "cannot read",
            path: full.clone(),
            message: e.to_string(),
        })?;
        let time = |s: i64, ns: i64| git2::IndexTime::new(s as i32, ns as u32);
        index
            .add(&git2::IndexEntry {
                ctime: time(meta.ctime(), meta.ctime_nsec()),
                mtime: time(meta.mtime(), meta.mtime_nsec()),
                dev: meta.dev() as u32,
                ino: meta.ino() as u32,
                mode: if f.executable { 0o100755 } else { 0o100644 },
                uid: meta.uid(),
                gid: meta.gid(),
                file_size: meta.size() as u32,
                id,
                flags: f.path.len().min(0xfff) as u16,
                flags_extended: 0,
                path: f.path.as_bytes().to_vec(),
            })
            .map_err(|e| VcsError::new("cannot add files", dir, e))?;
    }
    finish_commit(&repo, &mut index, dir, message, initialised)
}

/// Commits a project nskit has just written (see the Unix version).
#[cfg(not(unix))]
pub fn commit_new(dir: &Path, _files: &[NewFile<'_>], message: &str) -> Result<Commit, VcsError> {
    commit_all(dir, message)
}

/// Commits every file of `dir` (respecting its `.gitignore`), creating the repository
/// first if `dir` is not one. The branch of a new repository is `init.defaultBranch` from
/// git config, else `main`. The author is the git config identity, else `nskit`.
pub fn commit_all(dir: &Path, message: &str) -> Result<Commit, VcsError> {
    let (repo, initialised) = open_or_init(dir)?;
    let mut index = repo
        .index()
        .map_err(|e| VcsError::new("cannot open the index", dir, e))?;
    // nskit's own folder in a project outside git (its lock, a transaction) is not the
    // project's.
    let mut skip_own =
        |path: &Path, _: &[u8]| -> i32 { i32::from(path.starts_with(".recipe/nskit")) };
    index
        .add_all(["*"], IndexAddOption::DEFAULT, Some(&mut skip_own))
        .map_err(|e| VcsError::new("cannot add files", dir, e))?;
    finish_commit(&repo, &mut index, dir, message, initialised)
}

/// Writes the index and its tree, and commits it on HEAD.
pub(crate) fn finish_commit(
    repo: &Repository,
    index: &mut git2::Index,
    dir: &Path,
    message: &str,
    initialised: bool,
) -> Result<Commit, VcsError> {
    index
        .write()
        .map_err(|e| VcsError::new("cannot write the index", dir, e))?;
    let tree_id = index
        .write_tree()
        .map_err(|e| VcsError::new("cannot write the tree", dir, e))?;
    let tree = repo
        .find_tree(tree_id)
        .map_err(|e| VcsError::new("cannot read the tree", dir, e))?;
    let (sig, fallback_author) = match repo.signature() {
        Ok(s) => (s, false),
        Err(_) => (
            Signature::now(FALLBACK_NAME, FALLBACK_EMAIL)
                .map_err(|e| VcsError::new("cannot make a signature", dir, e))?,
            true,
        ),
    };
    let parent = repo.head().ok().and_then(|h| h.peel_to_commit().ok());
    let parents: Vec<&git2::Commit<'_>> = parent.iter().collect();
    let id = repo
        .commit(Some("HEAD"), &sig, &sig, message, &tree, &parents)
        .map_err(|e| VcsError::new("cannot commit", dir, e))?;
    let branch = repo
        .head()
        .ok()
        .and_then(|h| h.shorthand().ok().map(String::from))
        .unwrap_or_else(|| "main".to_string());
    let author = format!(
        "{} <{}>",
        sig.name().unwrap_or(FALLBACK_NAME),
        sig.email().unwrap_or(FALLBACK_EMAIL)
    );
    Ok(Commit {
        id: id.to_string(),
        branch,
        author,
        fallback_author,
        initialised,
    })
}

fn same_dir(a: &Path, b: &Path) -> bool {
    match (a.canonicalize(), b.canonicalize()) {
        (Ok(a), Ok(b)) => a == b,
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[cfg(unix)]
    #[test]
    fn a_new_project_commits_as_git_add_would() {
        use std::os::unix::fs::PermissionsExt;
        let files: Vec<(&str, &[u8], bool)> = vec![
            (".gitignore", b"*.log\nbuild/\n", false),
            ("README.md", b"same\n", false),
            ("docs/a.md", b"same\n", false),
            ("docs/deep/b.md", b"other\n", false),
            ("run.sh", b"#!/bin/sh\n", true),
            ("debug.log", b"ignored\n", false),
            ("build/out.txt", b"ignored too\n", false),
        ];
        let write = |dir: &Path| {
            for (p, b, x) in &files {
                let f = dir.join(p);
                std::fs::create_dir_all(f.parent().expect("parent")).expect("mkdir");
                std::fs::write(&f, b).expect("write");
                if *x {
                    std::fs::set_permissions(&f, std::fs::Permissions::from_mode(0o755))
                        .expect("chmod");
                }
            }
        };
        let (a, b) = (
            tempfile::tempdir().expect("tmp"),
            tempfile::tempdir().expect("tmp"),
        );
        write(a.path());
        write(b.path());
        let new: Vec<NewFile<'_>> = files
            .iter()
            .map(|(p, b, x)| NewFile {
                path: p,
                bytes: Some(b),
                executable: *x,
            })
            .collect();
        let fast = commit_new(a.path(), &new, "first").expect("commit_new");
        let slow = commit_all(b.path(), "first").expect("commit_all");
        assert!(fast.initialised);
        let tree = |dir: &Path, id: &str| {
            let repo = Repository::open(dir).expect("open");
            let c = repo
                .find_commit(git2::Oid::from_str(id).expect("oid"))
                .expect("commit");
            c.tree_id()
        };
        assert_eq!(
            tree(a.path(), &fast.id),
            tree(b.path(), &slow.id),
            "the same tree as add_all"
        );
        // The index has the files' stat data: git sees a clean tree.
        let out = std::process::Command::new("git")
            .args(["status", "--porcelain"])
            .current_dir(a.path())
            .output()
            .expect("git");
        assert_eq!(String::from_utf8_lossy(&out.stdout), "");
        let out = std::process::Command::new("git")
            .args(["diff-files", "--quiet"])
            .current_dir(a.path())
            .status()
            .expect("git");
        assert!(out.success(), "no file needs re-reading");
    }

    #[test]
    fn commits_files_and_respects_gitignore() {
        let dir = tempfile::tempdir().expect("tempdir");
        std::fs::write(dir.path().join("a.txt"), "a").expect("write");
        std::fs::write(dir.path().join(".gitignore"), "ignored.txt\n").expect("write");
        std::fs::write(dir.path().join("ignored.txt"), "x").expect("write");
        let c = commit_all(dir.path(), "first").expect("commit");
        assert!(c.initialised);
        let repo = Repository::open(dir.path()).expect("open");
        let head = repo.head().expect("head").peel_to_commit().expect("commit");
        assert_eq!(head.message().ok(), Some("first"));
        let tree = head.tree().expect("tree");
        assert!(tree.get_name("a.txt").is_some());
        assert!(tree.get_name("ignored.txt").is_none());
        // A second commit in the same repository has the first as parent.
        std::fs::write(dir.path().join("b.txt"), "b").expect("write");
        let c2 = commit_all(dir.path(), "second").expect("commit");
        assert!(!c2.initialised);
        let head = repo.head().expect("head").peel_to_commit().expect("commit");
        assert_eq!(head.parent_id(0).expect("parent").to_string(), c.id);
    }
}
