//! Publishing a project: its name checked against the organisation's naming conventions
//! before anything is created, then its repository created on the configured git host
//! (GitHub first) and its first commit pushed. Tokens come from `NSKIT_GITHUB_TOKEN`, else
//! `GITHUB_TOKEN`, else the OS keychain (`nskit auth login github`); they are never
//! written anywhere.
use std::path::Path;

use std::sync::Arc;

use nskit_vcs::namespaces::{Level, Namespaces};
use nskit_vcs::{GitHub, GitLab, RepoSpec, Token, VcsProvider};
use serde::Serialize;
use ts_rs::TS;

use crate::config::VcsConfig;
use crate::env_vars;
use crate::error::{Error, Result};

/// How to create a repository (what the configuration does not say).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RepoOptions {
    /// Private or public; the configuration's (private by default) when `None`.
    pub private: Option<bool>,
    /// The description.
    pub description: Option<String>,
}

/// A created and pushed repository.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct RepositoryInfo {
    /// `owner/name`.
    pub full_name: String,
    /// Its page.
    pub html_url: String,
    /// Where it is cloned from.
    pub clone_url: String,
    /// The branch pushed.
    pub branch: String,
    /// Whether it is private.
    pub private: bool,
    /// What the host could not apply (branch protection, custom properties).
    pub warnings: Vec<String>,
}

/// The token for `host`: `NSKIT_GITHUB_TOKEN`, else `GITHUB_TOKEN`, else the keychain.
pub fn github_token(host: &str, env: &dyn Fn(&str) -> Option<String>) -> Option<Token> {
    token_for("github", host, env)
}

/// The providers built in.
pub const BUILT_IN_PROVIDERS: [&str; 2] = ["github", "gitlab"];

/// The environment variables a provider's token is read from, in order: `NSKIT_<NAME>_TOKEN`,
/// then the one its own tools set (`GITHUB_TOKEN`, `GITLAB_TOKEN`).
pub fn token_vars(provider: &str) -> Vec<String> {
    let own = format!(
        "NSKIT_{}_TOKEN",
        provider.to_ascii_uppercase().replace('-', "_")
    );
    match provider {
        "github" => vec![own, env_vars::GITHUB_TOKEN.into()],
        "gitlab" => vec![own, "GITLAB_TOKEN".into()],
        _ => vec![own],
    }
}

/// A provider's token for `host`: its variables, else the OS keychain.
pub fn token_for(
    provider: &str,
    host: &str,
    env: &dyn Fn(&str) -> Option<String>,
) -> Option<Token> {
    token_vars(provider)
        .iter()
        .find_map(|v| env(v).filter(|t| !t.trim().is_empty()))
        .map(|t| Token::new(t.trim()))
        .or_else(|| crate::keychain::git_token(provider, host).ok().flatten())
}

/// Builds a provider a program registered, from the git host's settings and its token.
pub type ProviderFactory = dyn Fn(&VcsConfig, Option<Token>) -> std::result::Result<Box<dyn VcsProvider>, String>
    + Send
    + Sync;

/// The git host providers a program registers beyond the built-in ones (`github`,
/// `gitlab`); every other `provider:` is served by the plug-in `nskit-vcs-<name>`.
#[derive(Clone, Default)]
pub struct GitProviders {
    registered: Vec<(String, Arc<ProviderFactory>)>,
}

impl std::fmt::Debug for GitProviders {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_list()
            .entries(self.registered.iter().map(|(n, _)| n))
            .finish()
    }
}

impl PartialEq for GitProviders {
    fn eq(&self, other: &Self) -> bool {
        self.names() == other.names()
    }
}

impl GitProviders {
    /// Only the built-in providers (and plug-ins).
    pub fn new() -> GitProviders {
        GitProviders::default()
    }

    /// Registers the provider `name`, built by `build` from the git host's settings and
    /// its token (`NSKIT_<NAME>_TOKEN`, else the keychain's for the host).
    ///
    /// # Panics
    /// When `name` is built in or not a lower-case word: a mistake in the program.
    pub fn register<F>(&mut self, name: &str, build: F)
    where
        F: Fn(&VcsConfig, Option<Token>) -> std::result::Result<Box<dyn VcsProvider>, String>
            + Send
            + Sync
            + 'static,
    {
        assert!(
            nskit_plugin::valid_name(name) && !BUILT_IN_PROVIDERS.contains(&name),
            "`{name}` cannot be registered as a git host provider (built in, or not a lower-case word)"
        );
        self.registered.retain(|(n, _)| n != name);
        self.registered.push((name.to_string(), Arc::new(build)));
    }

    /// [`register`](Self::register), as a builder.
    pub fn with<F>(mut self, name: &str, build: F) -> GitProviders
    where
        F: Fn(&VcsConfig, Option<Token>) -> std::result::Result<Box<dyn VcsProvider>, String>
            + Send
            + Sync
            + 'static,
    {
        self.register(name, build);
        self
    }

    /// The registered providers' names.
    pub fn names(&self) -> Vec<String> {
        self.registered.iter().map(|(n, _)| n.clone()).collect()
    }

    /// Adds every provider of `other` (replacing those of the same names).
    pub fn extend(&mut self, other: GitProviders) {
        for (n, f) in other.registered {
            self.registered.retain(|(x, _)| *x != n);
            self.registered.push((n, f));
        }
    }

    /// Refuses a provider nothing serves: not built in, not registered, no plug-in.
    pub fn check(&self, provider: &str, command: Option<&Path>) -> Result<()> {
        if BUILT_IN_PROVIDERS.contains(&provider)
            || self.registered.iter().any(|(n, _)| n == provider)
            || command.is_some()
        {
            return Ok(());
        }
        match nskit_plugin::Plugin::find(nskit_vcs::plugin::PREFIX, provider) {
            Ok(_) => Ok(()),
            Err(_) => {
                let mut known: Vec<String> =
                    BUILT_IN_PROVIDERS.iter().map(|s| s.to_string()).collect();
                known.extend(self.names());
                Err(Error::Config(format!(
                    "unknown git host provider `{provider}`: nskit knows {} (GitHub and GitHub Enterprise, GitLab), and no plug-in `{}{provider}` is on PATH",
                    known.join(", "),
                    nskit_vcs::plugin::PREFIX
                )))
            }
        }
    }

    /// Builds the provider of `vcs` with `token`.
    pub fn build(&self, vcs: &VcsConfig, token: Option<Token>) -> Result<Box<dyn VcsProvider>> {
        let api = vcs.api();
        match vcs.provider.as_str() {
            "github" => Ok(Box::new(
                GitHub::new(&api, token).map_err(Error::Repository)?,
            )),
            "gitlab" => Ok(Box::new(
                GitLab::new(&api, token).map_err(Error::Repository)?,
            )),
            name => {
                if let Some((_, f)) = self.registered.iter().find(|(n, _)| n == name) {
                    return f(vcs, token).map_err(Error::Config);
                }
                let mut settings = match serde_json::to_value(vcs) {
                    Ok(serde_json::Value::Object(m)) => m,
                    _ => serde_json::Map::new(),
                };
                settings.remove("command");
                Ok(Box::new(nskit_vcs::plugin::PluginProvider::new(
                    name,
                    vcs.command.clone(),
                    settings,
                    &vcs.host(),
                    token,
                )))
            }
        }
    }
}

/// Creates repositories on the configured host, checking names first. The provider (and
/// with it the token, which may come from the keychain) is made only when the host is
/// first needed: checking a name against a namespaces file asks for neither.
pub struct Publisher {
    config: VcsConfig,
    providers: GitProviders,
    provider: std::sync::OnceLock<std::result::Result<Box<dyn VcsProvider>, String>>,
    namespaces: std::sync::OnceLock<std::result::Result<Option<Namespaces>, String>>,
}

impl std::fmt::Debug for Publisher {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Publisher")
            .field("provider", &self.provider_name())
            .field("host", &self.config.host())
            .finish()
    }
}

/// The name people know a provider by (`github` → `GitHub`).
pub fn provider_label(provider: &str) -> String {
    match provider {
        "github" => "GitHub".into(),
        "gitlab" => "GitLab".into(),
        other => other.to_string(),
    }
}

impl Publisher {
    /// A publisher for `config`; the token is looked up (environment, then keychain) when
    /// the host is first used.
    pub fn from_config(config: &VcsConfig) -> Result<Publisher> {
        Self::new(config, &GitProviders::default())
    }

    /// A publisher for `config`, with the providers a program registered.
    pub fn new(config: &VcsConfig, providers: &GitProviders) -> Result<Publisher> {
        providers.check(&config.provider, config.command.as_deref())?;
        Ok(Publisher {
            config: config.clone(),
            providers: providers.clone(),
            provider: std::sync::OnceLock::new(),
            namespaces: std::sync::OnceLock::new(),
        })
    }

    /// A publisher over any provider.
    pub fn with_provider(config: &VcsConfig, provider: Box<dyn VcsProvider>) -> Publisher {
        Publisher {
            config: config.clone(),
            providers: GitProviders::default(),
            provider: std::sync::OnceLock::from(Ok(provider)),
            namespaces: std::sync::OnceLock::new(),
        }
    }

    /// The provider's name (`GitHub`).
    pub fn provider_name(&self) -> String {
        provider_label(&self.config.provider)
    }

    /// The repositories of the configured organisation (or the token's user).
    pub fn list(&self) -> Result<Vec<nskit_vcs::RemoteRepo>> {
        self.provider()?
            .list(self.config.organisation.as_deref())
            .map_err(Error::Repository)
    }

    fn provider(&self) -> Result<&dyn VcsProvider> {
        self.provider
            .get_or_init(|| {
                let token = token_for(&self.config.provider, &self.config.host(), &|k| {
                    std::env::var(k).ok()
                });
                self.providers
                    .build(&self.config, token)
                    .map_err(|e| e.to_string())
            })
            .as_ref()
            .map(|p| p.as_ref())
            .map_err(|e| Error::Config(e.clone()))
    }

    fn namespaces(&self) -> Result<Option<&Namespaces>> {
        let loaded = self.namespaces.get_or_init(|| {
            let Some(n) = &self.config.namespaces else {
                return Ok(None);
            };
            if n.level == Level::None {
                return Ok(None);
            }
            let text = if let Some(f) = &n.file {
                std::fs::read_to_string(f)
                    .map_err(|e| format!("cannot read the namespaces file {}: {e}", f.display()))?
            } else if let Some(r) = &n.repository {
                let (owner, name) = match r.split_once('/') {
                    Some((o, n)) => (Some(o), n),
                    None => (self.config.organisation.as_deref(), r.as_str()),
                };
                let provider = self.provider().map_err(|e| e.to_string())?;
                let repo = provider
                    .find(owner, name)
                    .map_err(|e| e.to_string())?
                    .ok_or_else(|| format!("the namespaces repository {r} does not exist"))?;
                let creds = provider.push_credentials();
                nskit_vcs::read_remote_file(
                    &repo.clone_url,
                    creds.as_ref().map(|(u, t)| (u.as_str(), t)),
                    "namespaces.yaml",
                )
                .map_err(|e| e.to_string())?
            } else {
                return Err("`namespaces` needs a `file` or a `repository`".into());
            };
            Namespaces::from_yaml(&text)
                .map(Some)
                .map_err(|e| format!("namespaces.yaml: {e}"))
        });
        loaded
            .as_ref()
            .map(|n| n.as_ref())
            .map_err(|e| Error::Config(e.clone()))
    }

    /// Checks a project name against the naming conventions. A valid name comes back as
    /// its repository name; under `warn` a broken one comes back unchanged with a warning;
    /// under `strict` it is an error listing the valid choices.
    pub fn check_name(&self, name: &str) -> Result<(String, Option<String>)> {
        let Some(ns) = self.namespaces()? else {
            return Ok((name.to_string(), None));
        };
        let level = self
            .config
            .namespaces
            .as_ref()
            .map(|n| n.level)
            .unwrap_or_default();
        match ns.validate(name) {
            Ok(repo_name) => Ok((repo_name, None)),
            Err(e) if level == Level::Warn => Ok((name.to_string(), Some(e.to_string()))),
            Err(e) => Err(Error::Namespace(e)),
        }
    }

    /// Creates the repository `name` and pushes the project's current branch to it. The
    /// local project is left as it is whatever happens.
    pub fn publish(
        &self,
        project: &Path,
        name: &str,
        opts: &RepoOptions,
        reporter: &nskit_progress::Reporter,
    ) -> Result<RepositoryInfo> {
        let (repo_name, _) = self.check_name(name)?;
        let spec = RepoSpec {
            name: repo_name,
            organisation: self.config.organisation.clone(),
            private: opts.private.unwrap_or(self.config.private),
            description: opts.description.clone(),
            topics: self.config.topics.clone(),
            settings: self.config.settings.clone(),
            branch_protection: self.config.branch_protection.clone(),
            custom_properties: self.config.custom_properties.clone(),
        };
        let provider = self.provider()?;
        let step = reporter.step(
            nskit_progress::Step::CreateRepository,
            Some(match &spec.organisation {
                Some(o) => format!("{o}/{}", spec.name),
                None => spec.name.clone(),
            }),
        );
        let remote = provider.create(&spec).map_err(Error::Repository)?;
        step.finish();
        // Once it exists, the repository gets its push: an empty one left on the host
        // would be worse than a push that was not stopped.
        let step = reporter.step(nskit_progress::Step::Push, Some(remote.html_url.clone()));
        let creds = provider.push_credentials();
        let pushed = nskit_vcs::push_to_new_remote(
            project,
            &remote.clone_url,
            creds.as_ref().map(|(u, t)| (u.as_str(), t)),
        )
        .map_err(Error::Repository)?;
        step.finish();
        // Protection and properties come after the push (the branch must exist); the
        // repository is there and pushed whatever they do, so a failure is a warning.
        let warnings = match provider.configure(&remote, &pushed.branch, &spec) {
            Ok(w) => w,
            Err(e) => vec![format!(
                "{} was created and pushed, but its settings were not all applied: {e}",
                remote.full_name
            )],
        };
        for w in &warnings {
            reporter.warn(w.clone());
        }
        Ok(RepositoryInfo {
            full_name: remote.full_name,
            html_url: remote.html_url,
            clone_url: remote.clone_url,
            branch: pushed.branch,
            private: remote.private,
            warnings,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use nskit_vcs::{ProviderError, RemoteRepo};

    /// A provider a program registers: repositories are bare repositories in a folder.
    struct Folder {
        root: std::path::PathBuf,
    }

    impl VcsProvider for Folder {
        fn name(&self) -> &str {
            "Folder"
        }
        fn host(&self) -> &str {
            "localhost"
        }
        fn find(
            &self,
            owner: Option<&str>,
            name: &str,
        ) -> std::result::Result<Option<RemoteRepo>, ProviderError> {
            let p = self
                .root
                .join(owner.unwrap_or("me"))
                .join(format!("{name}.git"));
            Ok(p.is_dir().then(|| RemoteRepo {
                full_name: format!("{}/{name}", owner.unwrap_or("me")),
                clone_url: p.display().to_string(),
                html_url: p.display().to_string(),
                private: true,
            }))
        }
        fn create(&self, spec: &RepoSpec) -> std::result::Result<RemoteRepo, ProviderError> {
            let owner = spec.organisation.as_deref().unwrap_or("me");
            let p = self.root.join(owner).join(format!("{}.git", spec.name));
            git2::Repository::init_bare(&p).map_err(|e| ProviderError::Network {
                host: "localhost".into(),
                message: e.to_string(),
            })?;
            Ok(RemoteRepo {
                full_name: format!("{owner}/{}", spec.name),
                clone_url: p.display().to_string(),
                html_url: p.display().to_string(),
                private: spec.private,
            })
        }
        fn push_credentials(&self) -> Option<(String, Token)> {
            None
        }
    }

    #[test]
    fn a_registered_provider_creates_and_pushes_and_says_what_it_cannot_apply() {
        let dir = tempfile::tempdir().expect("tempdir");
        let root = dir.path().join("repos");
        let seen = Arc::new(std::sync::Mutex::new(None));
        let seen_by_factory = seen.clone();
        let providers = GitProviders::new().with("folder", move |vcs, token| {
            *seen_by_factory.lock().expect("lock") = Some((vcs.organisation.clone(), token));
            Ok(Box::new(Folder {
                root: dir.path().join("repos"),
            }) as Box<dyn VcsProvider>)
        });
        let mut vcs = VcsConfig::github();
        vcs.provider = "folder".into();
        vcs.organisation = Some("team".into());
        vcs.branch_protection = Some(nskit_vcs::BranchProtection {
            enabled: true,
            required_approving_review_count: None,
            require_code_owner_reviews: false,
            dismiss_stale_reviews: false,
            require_conversation_resolution: false,
            enforce_admins: true,
            required_status_checks: vec![],
            allow_force_pushes: false,
            allow_deletions: false,
        });
        let project = tempfile::tempdir().expect("tempdir");
        std::fs::write(project.path().join("README.md"), "hi\n").expect("write");
        nskit_vcs::commit_all(project.path(), "first").expect("commit");

        let publisher = Publisher::new(&vcs, &providers).expect("known");
        let info = publisher
            .publish(
                project.path(),
                "svc",
                &RepoOptions::default(),
                &nskit_progress::Reporter::silent(),
            )
            .expect("published");
        assert_eq!(info.full_name, "team/svc");
        assert_eq!(info.branch, "main");
        let bare = git2::Repository::open_bare(root.join("team/svc.git")).expect("bare");
        assert!(bare.find_reference("refs/heads/main").is_ok());
        // The trait's default: protection it cannot apply is a warning, not a failure.
        assert_eq!(info.warnings.len(), 1, "{:?}", info.warnings);
        assert!(info.warnings[0].contains("Folder has no branch protection"));
        let (org, _) = seen.lock().expect("lock").clone().expect("built");
        assert_eq!(org.as_deref(), Some("team"));

        // Not registered, not built in, no plug-in: refused by name.
        vcs.provider = "nothere".into();
        let e = Publisher::new(&vcs, &providers)
            .expect_err("unknown")
            .to_string();
        assert!(e.contains("nskit knows github, gitlab, folder"), "{e}");
    }
}
