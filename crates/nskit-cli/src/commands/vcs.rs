//! `repo create` and `auth login/status/logout`: repositories on the configured git host,
//! and tokens kept in the OS keychain (never printed, never written to a file).
use std::process::ExitCode;

use nskit::Config;
use nskit::credentials::{self, TokenSource};
use nskit::repository::{Publisher, RepoOptions};

use crate::args::{AuthCommand, RepoCommand};

fn publisher(config: &Config) -> anyhow::Result<Publisher> {
    let Some(vcs) = &config.vcs else {
        return Err(nskit::Error::Config(
            "no git host is configured: add a `vcs:` section (provider, api_url, organisation) to the configuration, or set GITHUB_ORGANISATION".into(),
        )
        .into());
    };
    Ok(Publisher::new(vcs, &config.git_providers)?)
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
        RepoCommand::List { json } => {
            let repos = publisher(config)?.list()?;
            if json {
                let items: Vec<serde_json::Value> = repos
                    .iter()
                    .map(|r| {
                        serde_json::json!({
                            "fullName": r.full_name,
                            "cloneUrl": r.clone_url,
                            "htmlUrl": r.html_url,
                            "private": r.private,
                        })
                    })
                    .collect();
                outln!("{}", serde_json::to_string_pretty(&items)?);
            } else {
                for r in &repos {
                    outln!(
                        "{}\t{}\t{}",
                        r.full_name,
                        if r.private { "private" } else { "public" },
                        r.html_url
                    );
                }
            }
            Ok(ExitCode::SUCCESS)
        }
    }
}

pub(crate) fn auth(config: &Config, c: AuthCommand) -> anyhow::Result<ExitCode> {
    let env = |k: &str| std::env::var(k).ok();
    match c {
        AuthCommand::Login {
            provider,
            host,
            api_url,
        } => {
            credentials::check_provider(config, &provider)?;
            let host =
                credentials::git_host(config, &provider, host.as_deref(), api_url.as_deref());
            let api = api_url.unwrap_or_else(|| credentials::api_url_for(config, &provider, &host));
            let token = crate::prompt::read_secret(&format!("Token for {host}"), false)?;
            let login = credentials::login_git_host(
                config,
                &provider,
                &host,
                &api,
                nskit::vcs::Token::new(token.trim()),
            )?;
            match &login.login {
                Some(user) => {
                    outln!("stored a token for {host} (user {user}) in the OS keychain");
                    if !login.scopes.is_empty() {
                        outln!("its scopes: {}", login.scopes.join(", "));
                    }
                }
                None => {
                    errln!(
                        "warning: the token could not be checked at {api} ({}); it is stored anyway",
                        login.problem.as_deref().unwrap_or("no answer")
                    );
                    outln!("stored a token for {host} in the OS keychain");
                }
            }
            Ok(ExitCode::SUCCESS)
        }
        AuthCommand::Status => {
            for provider in ["github", "gitlab"] {
                if let Some(var) = credentials::env_token_var(provider, &env) {
                    outln!(
                        "{var} is set: it is used for every {} host, before the keychain",
                        nskit::repository::provider_label(provider)
                    );
                }
            }
            for h in credentials::git_hosts(config, &env) {
                let state = match (&h.problem, &h.source, &h.login) {
                    (Some(p), _, _) => format!("unknown ({p})"),
                    (None, TokenSource::Env { var }, _) => format!("the token in {var}"),
                    (None, TokenSource::Keychain, Some(user)) => {
                        format!("a token in the OS keychain (user {user})")
                    }
                    (None, TokenSource::Keychain, None) => "a token in the OS keychain".into(),
                    (None, TokenSource::None, _) => "no token".into(),
                };
                outln!(
                    "{} ({}): {state}",
                    h.host,
                    nskit::repository::provider_label(&h.provider)
                );
            }
            for r in credentials::registries(config) {
                let state = match (&r.problem, &r.username) {
                    (Some(p), _) => format!("unknown ({p})"),
                    (None, Some(u)) if r.present => {
                        format!("a login in the OS keychain (user {u})")
                    }
                    _ => "no login".into(),
                };
                outln!("{} (registry): {state}", r.host);
            }
            Ok(ExitCode::SUCCESS)
        }
        AuthCommand::Logout { provider, host } => {
            credentials::check_provider(config, &provider)?;
            let host = credentials::git_host(config, &provider, host.as_deref(), None);
            if credentials::logout_git_host(config, &provider, &host)? {
                outln!("removed the token for {host} from the OS keychain");
            } else {
                outln!("no token for {host} in the OS keychain");
            }
            Ok(ExitCode::SUCCESS)
        }
    }
}
