//! Pushing a project's branch to its new remote over HTTPS, the token handed to git through
//! the credentials callback (never written into the remote URL or the git config).
use std::cell::RefCell;
use std::path::Path;

use git2::{PushOptions, RemoteCallbacks, Repository};

use crate::provider::{ProviderError, Token};

/// What a push did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Pushed {
    /// The branch pushed (`main`).
    pub branch: String,
    /// The remote's name (`origin`).
    pub remote: String,
}

/// Callbacks that answer git's credential request once with the user name and token
/// (counting the asks in `tried`: a second ask means the answer was refused, and is
/// declined rather than looped on).
fn with_credentials<'a>(
    credentials: Option<(&'a str, &'a Token)>,
    tried: &'a std::cell::Cell<usize>,
) -> RemoteCallbacks<'a> {
    let mut callbacks = RemoteCallbacks::new();
    callbacks.credentials(move |_url, _user, allowed| {
        tried.set(tried.get() + 1);
        match credentials {
            Some((user, token))
                if tried.get() == 1
                    && allowed.contains(git2::CredentialType::USER_PASS_PLAINTEXT) =>
            {
                git2::Cred::userpass_plaintext(user, token.expose())
            }
            _ => Err(git2::Error::from_str("the server refused the credentials")),
        }
    });
    callbacks
}

/// Adds `clone_url` as `origin` (or points `origin` at it) and pushes the current branch,
/// setting it to track the remote one. A rejection carries the server's own words.
pub fn push_to_new_remote(
    project: &Path,
    clone_url: &str,
    credentials: Option<(&str, &Token)>,
) -> Result<Pushed, ProviderError> {
    let fail = |message: String| ProviderError::Push {
        url: clone_url.to_string(),
        message,
    };
    let repo = Repository::open(project).map_err(|e| {
        fail(format!(
            "{} is not a git repository: {}",
            project.display(),
            e.message()
        ))
    })?;
    let head = repo.head().map_err(|e| {
        fail(format!(
            "the project has no commit to push: {}",
            e.message()
        ))
    })?;
    let branch = head
        .shorthand()
        .ok()
        .map(str::to_string)
        .unwrap_or_else(|| "main".into());
    let mut remote = match repo.find_remote("origin") {
        Ok(r) if r.url().ok() == Some(clone_url) => r,
        Ok(_) => {
            repo.remote_set_url("origin", clone_url)
                .map_err(|e| fail(e.message().to_string()))?;
            repo.find_remote("origin")
                .map_err(|e| fail(e.message().to_string()))?
        }
        Err(_) => repo
            .remote("origin", clone_url)
            .map_err(|e| fail(e.message().to_string()))?,
    };
    let rejected: RefCell<Vec<String>> = RefCell::new(vec![]);
    let remote_says: RefCell<String> = RefCell::new(String::new());
    let tried = std::cell::Cell::new(0);
    let mut callbacks = with_credentials(credentials, &tried);
    callbacks.sideband_progress(|data| {
        remote_says
            .borrow_mut()
            .push_str(&String::from_utf8_lossy(data));
        true
    });
    callbacks.push_update_reference(|refname, status| {
        if let Some(s) = status {
            rejected.borrow_mut().push(format!("{refname}: {s}"));
        }
        Ok(())
    });
    let mut opts = PushOptions::new();
    opts.remote_callbacks(callbacks);
    let refspec = format!("refs/heads/{branch}:refs/heads/{branch}");
    let pushed = remote.push(&[refspec.as_str()], Some(&mut opts));
    drop(opts);
    let says = remote_says.borrow().trim().to_string();
    let with_remote = |m: String| {
        if says.is_empty() {
            m
        } else {
            format!("{m}; the server said: {says}")
        }
    };
    if let Err(e) = pushed {
        let msg = if tried.get() > 1 {
            "the server refused the credentials (is the token valid for this host, with the `repo` scope?)".to_string()
        } else {
            e.message().to_string()
        };
        return Err(fail(with_remote(msg)));
    }
    let rejected = rejected.into_inner();
    if !rejected.is_empty() {
        return Err(fail(with_remote(format!(
            "rejected {}",
            rejected.join(", ")
        ))));
    }
    // Track the remote branch, as `git push -u` does.
    if let (Ok(mut b), Some(oid)) = (
        repo.find_branch(&branch, git2::BranchType::Local),
        head.target(),
    ) {
        let _ = repo.reference(&format!("refs/remotes/origin/{branch}"), oid, true, "push");
        let _ = b.set_upstream(Some(&format!("origin/{branch}")));
    }
    Ok(Pushed {
        branch,
        remote: "origin".into(),
    })
}

/// Reads one file from the default branch of a remote repository (a shallow clone into a
/// temporary folder, the token through the credentials callback).
pub fn read_remote_file(
    clone_url: &str,
    credentials: Option<(&str, &Token)>,
    path: &str,
) -> Result<String, ProviderError> {
    let fail = |message: String| ProviderError::Push {
        url: clone_url.to_string(),
        message,
    };
    let dir = tempfile::tempdir().map_err(|e| fail(e.to_string()))?;
    let tried = std::cell::Cell::new(0);
    let callbacks = with_credentials(credentials, &tried);
    let mut fetch = git2::FetchOptions::new();
    fetch.remote_callbacks(callbacks).depth(1);
    git2::build::RepoBuilder::new()
        .fetch_options(fetch)
        .clone(clone_url, dir.path())
        .map_err(|e| fail(format!("cannot clone: {}", e.message())))?;
    std::fs::read_to_string(dir.path().join(path))
        .map_err(|e| fail(format!("cannot read {path} in it: {e}")))
}
