//! Credentials, for every face: git host tokens and registry logins kept in the OS keychain
//! (never in a file or a log), checked before they are kept, listed by whether one is
//! present and for which login, and removed. `nskit auth login|status|logout`, `nskit
//! login|logout` and the app's Credentials pane all call these.
//!
//! nskit remembers which hosts it stored something for (host names and logins only, no
//! secret) in its data folder, so that a status can list them.
use std::path::{Path, PathBuf};

use nskit_vcs::Token;
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::config::{BackendConfig, Config};
use crate::error::{Error, Result};

/// The credentials nskit knows of (no secret).
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct CredentialList {
    /// Git hosts and their tokens' state.
    pub git_hosts: Vec<GitHostLogin>,
    /// Registries and their logins' state.
    pub registries: Vec<RegistryLogin>,
}

/// Every credential nskit knows of: [`git_hosts`] and [`registries`].
pub fn list(config: &Config, env: &dyn Fn(&str) -> Option<String>) -> CredentialList {
    CredentialList {
        git_hosts: git_hosts(config, env),
        registries: registries(config),
    }
}

/// Where a git host's token comes from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(tag = "kind", rename_all = "camelCase")]
#[ts(export)]
pub enum TokenSource {
    /// An environment variable, used for every GitHub host before the keychain.
    Env {
        /// The variable.
        var: String,
    },
    /// The OS keychain.
    Keychain,
    /// None.
    None,
}

/// A git host and its token's state (no secret).
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct GitHostLogin {
    /// The provider (`github`, `gitlab`, a plug-in's name).
    pub provider: String,
    /// `github.com`, `ghe.example.com`.
    pub host: String,
    /// Where the token comes from.
    pub source: TokenSource,
    /// The token's user, when known (checked at login, or by a test).
    pub login: Option<String>,
    /// The token's scopes, when checked.
    pub scopes: Vec<String>,
    /// What went wrong reading the keychain, or checking the token with its host.
    pub problem: Option<String>,
}

/// A registry and whether credentials for it are stored (no secret).
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct RegistryLogin {
    /// `ghcr.io`, `registry.example.com:5000`.
    pub host: String,
    /// Whether the keychain holds credentials for it.
    pub present: bool,
    /// The user name stored.
    pub username: Option<String>,
    /// When the keychain could not be read, why.
    pub problem: Option<String>,
}

/// What nskit remembers of a host it stored a secret for.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
struct Known {
    #[serde(default)]
    git_hosts: Vec<KnownHost>,
    #[serde(default)]
    registries: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
struct KnownHost {
    #[serde(default = "github")]
    provider: String,
    host: String,
    #[serde(default)]
    login: Option<String>,
}

fn github() -> String {
    "github".into()
}

fn known_file(data_dir: &Path) -> PathBuf {
    data_dir.join("credentials.json")
}

fn read_known(data_dir: &Path) -> Known {
    let mut k: Known = std::fs::read_to_string(known_file(data_dir))
        .ok()
        .and_then(|t| serde_json::from_str(&t).ok())
        .unwrap_or_default();
    // Hosts remembered by earlier versions, one per line.
    if let Ok(text) = std::fs::read_to_string(data_dir.join("auth-hosts")) {
        for h in text.lines().map(str::trim).filter(|l| !l.is_empty()) {
            if !k.git_hosts.iter().any(|x| x.host == h) {
                k.git_hosts.push(KnownHost {
                    provider: github(),
                    host: h.to_string(),
                    login: None,
                });
            }
        }
    }
    k
}

fn write_known(data_dir: &Path, k: &Known) -> Result<()> {
    let fail = |e: std::io::Error| Error::Io {
        path: known_file(data_dir),
        source: e,
    };
    std::fs::create_dir_all(data_dir).map_err(fail)?;
    let text = serde_json::to_string_pretty(k).map_err(|e| Error::Config(e.to_string()))?;
    std::fs::write(known_file(data_dir), text + "\n").map_err(fail)?;
    let _ = std::fs::remove_file(data_dir.join("auth-hosts"));
    Ok(())
}

/// The host part of a registry given with or without a scheme (`https://ghcr.io/` →
/// `ghcr.io`).
pub fn registry_host(registry: &str) -> &str {
    let r = registry.trim();
    r.strip_prefix("https://")
        .or_else(|| r.strip_prefix("http://"))
        .unwrap_or(r)
        .trim_end_matches('/')
}

/// The environment variable that gives every host of `provider` its token, if one is set.
pub fn env_token_var(provider: &str, env: &dyn Fn(&str) -> Option<String>) -> Option<String> {
    crate::repository::token_vars(provider)
        .into_iter()
        .find(|v| env(v).is_some_and(|t| !t.trim().is_empty()))
}

/// The API URL of a provider's host: the configured one when it is that host's, else the
/// public one (`github.com`, `gitlab.com`) or a server's own (`https://HOST/api/v3` for
/// GitHub Enterprise, `https://HOST/api/v4` for GitLab, `https://HOST` for a plug-in's).
pub fn api_url_for(config: &Config, provider: &str, host: &str) -> String {
    if let Some(v) = &config.vcs
        && v.host() == host
        && v.provider == provider
    {
        return v.api();
    }
    match (provider, host) {
        ("github", "github.com") => nskit_vcs::GITHUB_API.into(),
        ("github", _) => format!("https://{host}/api/v3"),
        ("gitlab", "gitlab.com") => nskit_vcs::GITLAB_API.into(),
        ("gitlab", _) => format!("https://{host}/api/v4"),
        _ => format!("https://{host}"),
    }
}

/// The git host a login or logout means: `host`, else the host of `api_url`, else the
/// configured git host, else the provider's public one.
pub fn git_host(
    config: &Config,
    provider: &str,
    host: Option<&str>,
    api_url: Option<&str>,
) -> String {
    host.map(str::to_string)
        .or_else(|| api_url.map(nskit_vcs::github_host))
        .or_else(|| {
            config
                .vcs
                .as_ref()
                .filter(|v| v.provider == provider)
                .map(|v| v.host())
        })
        .unwrap_or_else(|| match provider {
            "gitlab" => "gitlab.com".into(),
            _ => "github.com".into(),
        })
}

/// Refuses a provider nothing serves (before a token is asked for).
pub fn check_provider(config: &Config, provider: &str) -> Result<()> {
    config.git_providers.check(provider, None)
}

fn provider_for(
    config: &Config,
    provider: &str,
    api_url: &str,
    token: Token,
) -> Result<Box<dyn nskit_vcs::VcsProvider>> {
    let mut vcs = config
        .vcs
        .clone()
        .filter(|v| v.provider == provider)
        .unwrap_or_else(crate::config::VcsConfig::github);
    vcs.provider = provider.to_string();
    vcs.api_url = api_url.to_string();
    config.git_providers.build(&vcs, Some(token))
}

/// Checks `token` against the host's API (its user and scopes), then stores it in the
/// keychain. A token the host refuses is not stored; one that cannot be checked (the host
/// is unreachable, or answers something else) is stored, with `login: None` and the
/// problem said.
pub fn login_git_host(
    config: &Config,
    provider: &str,
    host: &str,
    api_url: &str,
    token: Token,
) -> Result<GitHostLogin> {
    check_provider(config, provider)?;
    if token.expose().trim().is_empty() {
        return Err(Error::Config("the token is empty".into()));
    }
    let p = provider_for(config, provider, api_url, token.clone())?;
    let (info, problem) = match p.whoami() {
        Ok(i) => (Some(i), None),
        Err(e @ nskit_vcs::ProviderError::Unauthorized { .. }) => {
            return Err(Error::Repository(e));
        }
        Err(e) => (
            None,
            Some(nskit_secret::redact(&e.to_string()).into_owned()),
        ),
    };
    crate::keychain::store_git_token(provider, host, &token).map_err(Error::Config)?;
    let mut known = read_known(&config.data_dir);
    known
        .git_hosts
        .retain(|k| !(k.host == host && k.provider == provider));
    known.git_hosts.push(KnownHost {
        provider: provider.to_string(),
        host: host.to_string(),
        login: info.as_ref().map(|i| i.login.clone()),
    });
    write_known(&config.data_dir, &known)?;
    Ok(GitHostLogin {
        provider: provider.to_string(),
        host: host.to_string(),
        source: TokenSource::Keychain,
        login: info.as_ref().map(|i| i.login.clone()),
        scopes: info.map(|i| i.scopes).unwrap_or_default(),
        problem,
    })
}

/// Removes the provider's token of `host` from the keychain; whether there was one.
pub fn logout_git_host(config: &Config, provider: &str, host: &str) -> Result<bool> {
    let removed = crate::keychain::forget_git_token(provider, host).map_err(Error::Config)?;
    let mut known = read_known(&config.data_dir);
    known
        .git_hosts
        .retain(|k| !(k.host == host && k.provider == provider));
    write_known(&config.data_dir, &known)?;
    Ok(removed)
}

/// Every git host nskit knows (those it stored a token for, `github.com`, the configured
/// one) and where its token comes from; nothing is asked of the hosts.
pub fn git_hosts(config: &Config, env: &dyn Fn(&str) -> Option<String>) -> Vec<GitHostLogin> {
    let known = read_known(&config.data_dir);
    let mut hosts: Vec<(String, String)> = known
        .git_hosts
        .iter()
        .map(|k| (k.provider.clone(), k.host.clone()))
        .collect();
    hosts.push(("github".into(), "github.com".into()));
    if let Some(v) = &config.vcs {
        hosts.push((v.provider.clone(), v.host()));
    }
    hosts.sort();
    hosts.dedup();
    hosts
        .into_iter()
        .map(|(provider, host)| {
            let login = known
                .git_hosts
                .iter()
                .find(|k| k.host == host && k.provider == provider)
                .and_then(|k| k.login.clone());
            let (source, problem) = match crate::keychain::git_token(&provider, &host) {
                Ok(Some(_)) => (TokenSource::Keychain, None),
                Ok(None) => (TokenSource::None, None),
                Err(e) => (TokenSource::None, Some(e)),
            };
            // A token in the environment is used whatever the keychain says.
            let (source, problem) = match env_token_var(&provider, env) {
                Some(var) => (TokenSource::Env { var }, None),
                None => (source, problem),
            };
            GitHostLogin {
                provider,
                host,
                login: if source == TokenSource::Keychain {
                    login
                } else {
                    None
                },
                source,
                scopes: vec![],
                problem,
            }
        })
        .collect()
}

/// Asks the configured git host who its token is (the environment's, else the
/// keychain's): the login and scopes, or why not.
pub fn test_git_host(
    config: &Config,
    env: &dyn Fn(&str) -> Option<String>,
) -> Result<GitHostLogin> {
    let vcs = config.vcs.clone().ok_or_else(|| {
        Error::Config("no git host is configured: add one in the preferences, or a `vcs:` section to the configuration".into())
    })?;
    check_provider(config, &vcs.provider)?;
    let host = vcs.host();
    let token = crate::repository::token_for(&vcs.provider, &host, env).ok_or_else(|| {
        Error::Config(format!(
            "no token for {host}: store one with `nskit auth login {} --host {host}` (or in the app's Credentials), or set {}",
            vcs.provider,
            crate::repository::token_vars(&vcs.provider).join(" or ")
        ))
    })?;
    let p = config.git_providers.build(&vcs, Some(token))?;
    let info = p.whoami().map_err(Error::Repository)?;
    Ok(GitHostLogin {
        provider: vcs.provider.clone(),
        host,
        source: match env_token_var(&vcs.provider, env) {
            Some(var) => TokenSource::Env { var },
            None => TokenSource::Keychain,
        },
        login: Some(info.login),
        scopes: info.scopes,
        problem: None,
    })
}

/// Stores a registry login in the keychain.
pub fn login_registry(
    config: &Config,
    registry: &str,
    username: &str,
    password: &str,
) -> Result<RegistryLogin> {
    let host = registry_host(registry).to_string();
    if host.is_empty() || username.trim().is_empty() || password.is_empty() {
        return Err(Error::Config(
            "a registry login needs the registry, a user name and a password or token".into(),
        ));
    }
    crate::keychain::store_registry(
        &host,
        &nskit_backends::RegistryCredentials::new(username.trim(), password),
    )
    .map_err(Error::Config)?;
    let mut known = read_known(&config.data_dir);
    if !known.registries.contains(&host) {
        known.registries.push(host.clone());
    }
    write_known(&config.data_dir, &known)?;
    Ok(RegistryLogin {
        host,
        present: true,
        username: Some(username.trim().to_string()),
        problem: None,
    })
}

/// Removes a registry's login from the keychain; whether there was one.
pub fn logout_registry(config: &Config, registry: &str) -> Result<bool> {
    let host = registry_host(registry).to_string();
    let removed = crate::keychain::forget_registry(&host).map_err(Error::Config)?;
    let mut known = read_known(&config.data_dir);
    known.registries.retain(|r| *r != host);
    write_known(&config.data_dir, &known)?;
    Ok(removed)
}

/// The registries nskit knows (those it stored a login for, those the configured
/// backends use) and whether a login is stored.
pub fn registries(config: &Config) -> Vec<RegistryLogin> {
    let mut hosts = read_known(&config.data_dir).registries;
    for b in &config.backends {
        if let BackendConfig::Docker(r) = &b.config {
            hosts.push(registry_host(&r.registry_url).to_string());
        }
    }
    hosts.sort();
    hosts.dedup();
    hosts
        .into_iter()
        .map(|host| match crate::keychain::registry(&host) {
            Ok(Some(c)) => RegistryLogin {
                host,
                present: true,
                username: Some(c.username.clone()),
                problem: None,
            },
            Ok(None) => RegistryLogin {
                host,
                present: false,
                username: None,
                problem: None,
            },
            Err(e) => RegistryLogin {
                host,
                present: false,
                username: None,
                problem: Some(e),
            },
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hosts_and_registries_are_named_plainly() {
        assert_eq!(registry_host("https://ghcr.io/"), "ghcr.io");
        assert_eq!(registry_host(" 127.0.0.1:5000 "), "127.0.0.1:5000");
        let config = Config::default();
        assert_eq!(
            git_host(&config, "github", None, Some("https://ghe.acme.io/api/v3")),
            "ghe.acme.io"
        );
        assert_eq!(git_host(&config, "github", None, None), "github.com");
        assert_eq!(git_host(&config, "gitlab", None, None), "gitlab.com");
        assert_eq!(
            api_url_for(&config, "github", "ghe.acme.io"),
            "https://ghe.acme.io/api/v3"
        );
        assert_eq!(
            api_url_for(&config, "github", "github.com"),
            nskit_vcs::GITHUB_API
        );
        assert_eq!(
            api_url_for(&config, "gitlab", "git.acme.io"),
            "https://git.acme.io/api/v4"
        );
        assert_eq!(
            api_url_for(&config, "gitlab", "gitlab.com"),
            nskit_vcs::GITLAB_API
        );
    }

    #[test]
    fn the_known_hosts_file_holds_no_secret_and_reads_the_old_list() {
        let dir = tempfile::tempdir().expect("tempdir");
        std::fs::write(dir.path().join("auth-hosts"), "ghe.acme.io\n").expect("write");
        let mut k = read_known(dir.path());
        assert_eq!(k.git_hosts[0].host, "ghe.acme.io");
        k.registries.push("reg.acme.io".into());
        write_known(dir.path(), &k).expect("write");
        assert!(!dir.path().join("auth-hosts").exists());
        let text = std::fs::read_to_string(known_file(dir.path())).expect("read");
        assert!(
            text.contains("reg.acme.io") && text.contains("ghe.acme.io"),
            "{text}"
        );
        assert_eq!(read_known(dir.path()), k);
    }
}
