//! Git for generated projects, through libgit2 (git2): read the user's identity from git
//! config, initialise a repository and commit the generated files, check a project's tree
//! is clean and record update conflicts in the index; create a project's repository on a
//! git host (GitHub first) and push it.
#![deny(missing_docs)]

use std::path::{Path, PathBuf};

use git2::{IndexAddOption, Repository, RepositoryInitOptions, Signature};

pub mod namespaces;
pub mod provider;
mod push;
mod worktree;
pub use provider::{
    GITHUB_API, GitHub, ProviderError, RemoteRepo, RepoSpec, Token, VcsProvider, github_host,
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

/// Reads `user.name` and `user.email` from the default git config.
pub fn git_identity() -> GitIdentity {
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

/// Commits every file of `dir` (respecting its `.gitignore`), creating the repository
/// first if `dir` is not one. The branch of a new repository is `init.defaultBranch` from
/// git config, else `main`. The author is the git config identity, else `nskit`.
pub fn commit_all(dir: &Path, message: &str) -> Result<Commit, VcsError> {
    let (repo, initialised) = match Repository::open(dir) {
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
    };
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
