//! Acme's shared git folder as a git host provider, registered in process: repositories
//! are bare git repositories under `vcs.settings.root` (a path every developer mounts), in
//! a sub-folder per organisation.
use std::path::PathBuf;

use nskit::VcsConfig;
use nskit::vcs::{ProviderError, RemoteRepo, RepoSpec, Token, VcsProvider};

/// Bare repositories in a folder.
#[derive(Debug)]
pub struct FolderProvider {
    root: PathBuf,
}

impl FolderProvider {
    /// The provider of `vcs.settings.root`.
    pub fn from_config(vcs: &VcsConfig) -> Result<FolderProvider, String> {
        let root = vcs
            .settings
            .get("root")
            .and_then(|r| r.as_str())
            .ok_or("set the folder of the repositories as vcs.settings.root")?;
        Ok(FolderProvider {
            root: PathBuf::from(root),
        })
    }

    fn repo(&self, owner: &str, name: &str) -> RemoteRepo {
        let path = self.root.join(owner).join(format!("{name}.git"));
        RemoteRepo {
            full_name: format!("{owner}/{name}"),
            clone_url: path.display().to_string(),
            html_url: format!("file://{}", path.display()),
            private: true,
        }
    }

    fn failed(&self, message: String) -> ProviderError {
        ProviderError::Network {
            host: self.root.display().to_string(),
            message,
        }
    }
}

impl VcsProvider for FolderProvider {
    fn name(&self) -> &str {
        "Acme's git folder"
    }

    fn host(&self) -> &str {
        "localhost"
    }

    fn find(&self, owner: Option<&str>, name: &str) -> Result<Option<RemoteRepo>, ProviderError> {
        let owner = owner.unwrap_or("shared");
        let path = self.root.join(owner).join(format!("{name}.git"));
        Ok(path.is_dir().then(|| self.repo(owner, name)))
    }

    fn create(&self, spec: &RepoSpec) -> Result<RemoteRepo, ProviderError> {
        let owner = spec.organisation.as_deref().unwrap_or("shared");
        let repo = self.repo(owner, &spec.name);
        if self.find(Some(owner), &spec.name)?.is_some() {
            return Err(ProviderError::AlreadyExists {
                host: "localhost".into(),
                full_name: repo.full_name,
                clone_url: repo.clone_url,
            });
        }
        let mut opts = git2::RepositoryInitOptions::new();
        opts.bare(true).initial_head("main").mkpath(true);
        git2::Repository::init_opts(&repo.clone_url, &opts)
            .map_err(|e| self.failed(e.message().to_string()))?;
        Ok(repo)
    }

    fn push_credentials(&self) -> Option<(String, Token)> {
        None
    }

    fn list(&self, owner: Option<&str>) -> Result<Vec<RemoteRepo>, ProviderError> {
        let owner = owner.unwrap_or("shared");
        let dir = self.root.join(owner);
        let mut names: Vec<String> = match std::fs::read_dir(&dir) {
            Ok(entries) => entries
                .flatten()
                .filter_map(|e| {
                    let n = e.file_name().to_string_lossy().into_owned();
                    n.strip_suffix(".git").map(str::to_string)
                })
                .collect(),
            Err(_) => vec![],
        };
        names.sort();
        Ok(names.iter().map(|n| self.repo(owner, n)).collect())
    }
}
