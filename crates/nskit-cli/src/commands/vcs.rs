//! `repo create` and `auth login/status/logout`: repositories on the configured git host,
//! and tokens kept in the OS keychain (never printed, never written to a file).
use std::path::PathBuf;
use std::process::ExitCode;

use nskit::Config;
use nskit::repository::{Publisher, RepoOptions};

use crate::args::{AuthCommand, RepoCommand};

fn publisher(config: &Config) -> anyhow::Result<Publisher> {
    let Some(vcs) = &config.vcs else {
        return Err(nskit::Error::Config(
            "no git host is configured: add a `vcs:` section (provider, api_url, organisation) to the configuration, or set GITHUB_ORGANISATION".into(),
        )
        .into());
    };
    Ok(Publisher::from_config(vcs)?)
}

pub(crate) fn repo(config: &Config, c: RepoCommand) -> anyhow::Result<ExitCode> {
    match c {
        RepoCommand::Create {
            project_path,
            private,
            public,
            description,
        } => {
            let project = project_path
                .canonicalize()
                .map_err(|e| anyhow::anyhow!("{}: {e}", project_path.display()))?;
            let name = project
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default();
            let p = publisher(config)?;
            let (_, warning) = p.check_name(&name)?;
            if let Some(w) = warning {
                errln!("warning: {w}");
            }
            let opts = RepoOptions {
                private: if public {
                    Some(false)
                } else if private {
                    Some(true)
                } else {
                    None
                },
                description,
            };
            let r = p.publish(&project, &name, &opts, &crate::progress::terminal())?;
            outln!(
                "created {} ({}) and pushed {}: {}",
                r.full_name,
                if r.private { "private" } else { "public" },
                r.branch,
                r.html_url
            );
            Ok(ExitCode::SUCCESS)
        }
    }
}

/// The host and API URL a provider word and options mean.
fn host_and_api(
    config: &Config,
    host: Option<String>,
    api_url: Option<String>,
) -> (String, String) {
    let configured = config.vcs.as_ref().map(|v| (v.host(), v.api_url.clone()));
    let host = host
        .or_else(|| api_url.as_deref().map(nskit::vcs::github_host))
        .or_else(|| configured.as_ref().map(|(h, _)| h.clone()))
        .unwrap_or_else(|| "github.com".into());
    let api = api_url
        .or_else(|| {
            configured
                .as_ref()
                .filter(|(h, _)| *h == host)
                .map(|(_, a)| a.clone())
        })
        .unwrap_or_else(|| {
            if host == "github.com" {
                nskit::vcs::GITHUB_API.into()
            } else {
                format!("https://{host}/api/v3")
            }
        });
    (host, api)
}

/// The hosts `auth login` stored a token for (host names only, no secret).
fn hosts_file(config: &Config) -> PathBuf {
    config.data_dir.join("auth-hosts")
}

fn known_hosts(config: &Config) -> Vec<String> {
    let mut hosts: Vec<String> = std::fs::read_to_string(hosts_file(config))
        .unwrap_or_default()
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .map(str::to_string)
        .collect();
    hosts.push("github.com".into());
    if let Some(v) = &config.vcs {
        hosts.push(v.host());
    }
    hosts.sort();
    hosts.dedup();
    hosts
}

fn remember_host(config: &Config, host: &str, keep: bool) -> std::io::Result<()> {
    let mut hosts: Vec<String> = std::fs::read_to_string(hosts_file(config))
        .unwrap_or_default()
        .lines()
        .map(str::to_string)
        .filter(|h| !h.trim().is_empty() && h != host)
        .collect();
    if keep {
        hosts.push(host.to_string());
    }
    if let Some(dir) = hosts_file(config).parent() {
        std::fs::create_dir_all(dir)?;
    }
    std::fs::write(hosts_file(config), hosts.join("\n") + "\n")
}

fn check_provider(provider: &str) -> anyhow::Result<()> {
    if provider != "github" {
        anyhow::bail!(
            "unknown provider `{provider}`: nskit supports `github` (GitHub and GitHub Enterprise)"
        );
    }
    Ok(())
}

pub(crate) fn auth(config: &Config, c: AuthCommand) -> anyhow::Result<ExitCode> {
    match c {
        AuthCommand::Login {
            provider,
            host,
            api_url,
        } => {
            check_provider(&provider)?;
            let (host, api) = host_and_api(config, host, api_url);
            let token = crate::prompt::read_secret(&format!("Token for {host}"), false)?;
            let token = nskit::vcs::Token::new(token.trim());
            // Check it before keeping it: a refused token is not stored.
            let gh = nskit::vcs::GitHub::new(&api, Some(token.clone()))
                .map_err(nskit::Error::Repository)?;
            let who = match gh.send(reqwest_get(), "/user", None, "the token's user") {
                Ok((_, v)) => v["login"].as_str().map(str::to_string),
                Err(e @ nskit::vcs::ProviderError::Unauthorized { .. }) => {
                    return Err(nskit::Error::Repository(e).into());
                }
                Err(e) => {
                    errln!("warning: the token could not be checked ({e}); it is stored anyway");
                    None
                }
            };
            nskit::keychain::store_github_token(&host, &token).map_err(nskit::Error::Config)?;
            remember_host(config, &host, true)?;
            match who {
                Some(login) => {
                    outln!("stored a token for {host} (user {login}) in the OS keychain")
                }
                None => outln!("stored a token for {host} in the OS keychain"),
            }
            Ok(ExitCode::SUCCESS)
        }
        AuthCommand::Status => {
            let env = |k: &str| std::env::var(k).ok().filter(|v| !v.trim().is_empty());
            if let Some(var) = [
                nskit::env_vars::NSKIT_GITHUB_TOKEN,
                nskit::env_vars::GITHUB_TOKEN,
            ]
            .into_iter()
            .find(|v| env(v).is_some())
            {
                outln!("{var} is set: it is used for every GitHub host, before the keychain");
            }
            for host in known_hosts(config) {
                let state = match nskit::keychain::github_token(&host) {
                    Ok(Some(_)) => "a token in the OS keychain".to_string(),
                    Ok(None) => "no token".to_string(),
                    Err(e) => format!("unknown ({e})"),
                };
                outln!("{host}: {state}");
            }
            Ok(ExitCode::SUCCESS)
        }
        AuthCommand::Logout { provider, host } => {
            check_provider(&provider)?;
            let (host, _) = host_and_api(config, host, None);
            let removed =
                nskit::keychain::forget_github_token(&host).map_err(nskit::Error::Config)?;
            remember_host(config, &host, false)?;
            if removed {
                outln!("removed the token for {host} from the OS keychain");
            } else {
                outln!("no token for {host} in the OS keychain");
            }
            Ok(ExitCode::SUCCESS)
        }
    }
}

fn reqwest_get() -> nskit::vcs::Method {
    nskit::vcs::Method::GET
}
