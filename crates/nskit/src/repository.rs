//! Publishing a project: its name checked against the organisation's naming conventions
//! before anything is created, then its repository created on the configured git host
//! (GitHub first) and its first commit pushed. Tokens come from `NSKIT_GITHUB_TOKEN`, else
//! `GITHUB_TOKEN`, else the OS keychain (`nskit auth login github`); they are never
//! written anywhere.
use std::path::Path;

use nskit_vcs::namespaces::{Level, Namespaces};
use nskit_vcs::{GitHub, RepoSpec, Token, VcsProvider};
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
    env(env_vars::NSKIT_GITHUB_TOKEN)
        .or_else(|| env(env_vars::GITHUB_TOKEN))
        .filter(|t| !t.trim().is_empty())
        .map(|t| Token::new(t.trim()))
        .or_else(|| crate::keychain::github_token(host).ok().flatten())
}

/// Creates repositories on the configured host, checking names first. The provider (and
/// with it the token, which may come from the keychain) is made only when the host is
/// first needed: checking a name against a namespaces file asks for neither.
pub struct Publisher {
    config: VcsConfig,
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
        other => other.to_string(),
    }
}

impl Publisher {
    /// A publisher for `config`; the token is looked up (environment, then keychain) when
    /// the host is first used.
    pub fn from_config(config: &VcsConfig) -> Result<Publisher> {
        if config.provider != "github" {
            return Err(Error::Config(format!(
                "unknown VCS provider `{}`: nskit supports `github` (GitHub and GitHub Enterprise)",
                config.provider
            )));
        }
        Ok(Publisher {
            config: config.clone(),
            provider: std::sync::OnceLock::new(),
            namespaces: std::sync::OnceLock::new(),
        })
    }

    /// A publisher over any provider.
    pub fn with_provider(config: &VcsConfig, provider: Box<dyn VcsProvider>) -> Publisher {
        Publisher {
            config: config.clone(),
            provider: std::sync::OnceLock::from(Ok(provider)),
            namespaces: std::sync::OnceLock::new(),
        }
    }

    /// The provider's name (`GitHub`).
    pub fn provider_name(&self) -> String {
        provider_label(&self.config.provider)
    }

    fn provider(&self) -> Result<&dyn VcsProvider> {
        self.provider
            .get_or_init(|| {
                let token = github_token(&self.config.host(), &|k| std::env::var(k).ok());
                GitHub::new(&self.config.api_url, token)
                    .map(|g| Box::new(g) as Box<dyn VcsProvider>)
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
