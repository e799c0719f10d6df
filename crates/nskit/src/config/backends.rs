//! Building backends from their configuration, and the credentials they sign in with.
use std::path::Path;

use nskit_backends::{
    BuiltinBackend, DockerLocalBackend, GitHubBackend, GitHubSettings, InstalledBackend,
    LocalBackend, RecipeBackend, RegistryBackend, RegistryCredentials, RegistrySettings,
};

use super::file::{BackendConfig, CredentialsConfig};
use crate::env_vars;

/// What building a backend needs beyond its own settings.
pub(crate) struct BuildContext<'a> {
    /// Where installed recipes live.
    pub data_dir: &'a Path,
    /// The entry-point group of `installed` backends without their own.
    pub entrypoint_group: &'a str,
    /// The Docker engine of image backends without their own.
    pub docker_host: Option<&'a str>,
    /// The types the program registered.
    pub types: &'a super::BackendTypes,
}

/// Builds the backend `config` describes.
pub(crate) fn build(
    config: &BackendConfig,
    cx: &BuildContext<'_>,
) -> crate::Result<Box<dyn RecipeBackend>> {
    let docker_host = |own: &Option<String>| own.clone().or(cx.docker_host.map(str::to_string));
    Ok(match config {
        BackendConfig::Other(o) => {
            let context = super::BackendContext {
                data_dir: cx.data_dir.to_path_buf(),
                entrypoint_group: cx.entrypoint_group.to_string(),
                docker_host: cx.docker_host.map(str::to_string),
            };
            return cx.types.build(o, &context).map_err(crate::Error::Config);
        }
        BackendConfig::Builtin => Box::new(BuiltinBackend),
        BackendConfig::Local(l) => Box::new(LocalBackend::new(l.recipes_dir.clone())),
        BackendConfig::Installed(i) => Box::new(InstalledBackend::new(
            cx.data_dir,
            i.group
                .clone()
                .unwrap_or_else(|| cx.entrypoint_group.to_string()),
        )),
        BackendConfig::DockerLocal(d) => {
            Box::new(DockerLocalBackend::new(docker_host(&d.docker_host)))
        }
        BackendConfig::Docker(r) => {
            let mut s = RegistrySettings::new(r.registry_url.clone());
            s.image_prefix = r.image_prefix.clone();
            s.repositories = r.repositories.clone();
            s.docker_host = docker_host(&r.docker_host);
            if let Some(t) = r.cache_ttl_secs {
                s.cache_ttl = std::time::Duration::from_secs(t);
            }
            s.credentials =
                from_config_or_env(r.credentials.as_ref(), r.auth_token.as_deref(), &|k| {
                    std::env::var(k).ok()
                });
            // The keychain is asked only when the registry is (never for a cached
            // listing), and at most once.
            let host = s.host();
            s.fallback_credentials = Some(nskit_backends::CredentialSource::new(move || {
                crate::keychain::registry(&host).ok().flatten()
            }));
            Box::new(RegistryBackend::new(s))
        }
        BackendConfig::Github(g) => {
            let mut s = GitHubSettings::new(g.org.clone());
            s.api_url = g.api_url.clone();
            s.repo_pattern = g.repo_pattern.clone();
            s.topic = g.topic.clone();
            s.prereleases = g.prereleases;
            s.image_registry = Some(g.image_registry.clone()).filter(|r| r != "none");
            s.token = g
                .token
                .clone()
                .filter(|t| !t.is_empty())
                .map(nskit_vcs::Token::new)
                .or_else(|| {
                    crate::repository::github_token(&nskit_vcs::github_host(&g.api_url), &|k| {
                        std::env::var(k).ok()
                    })
                });
            Box::new(GitHubBackend::new(s))
        }
    })
}

/// The credentials for the registry at `host`: the config's, else the environment's, else
/// the OS keychain's (`nskit login HOST`), else none.
pub fn registry_credentials(
    host: &str,
    config: Option<&CredentialsConfig>,
    auth_token: Option<&str>,
    env: &dyn Fn(&str) -> Option<String>,
) -> Option<RegistryCredentials> {
    from_config_or_env(config, auth_token, env).or_else(|| {
        // A keychain that cannot be reached means no stored credentials; the registry's
        // 401, if it wants some, says how to give them.
        crate::keychain::registry(host).ok().flatten()
    })
}

pub(crate) fn from_config_or_env(
    config: Option<&CredentialsConfig>,
    auth_token: Option<&str>,
    env: &dyn Fn(&str) -> Option<String>,
) -> Option<RegistryCredentials> {
    if let Some(c) = config {
        let password = c
            .password
            .clone()
            .or_else(|| c.password_env.as_deref().and_then(env))
            .unwrap_or_default();
        return Some(RegistryCredentials::new(c.username.clone(), password));
    }
    if let Some(t) = auth_token.filter(|t| !t.is_empty()) {
        return Some(RegistryCredentials::new("token", t));
    }
    if let Some(p) = env(env_vars::NSKIT_REGISTRY_PASSWORD) {
        return Some(RegistryCredentials::new(
            env(env_vars::NSKIT_REGISTRY_USERNAME).unwrap_or_else(|| "token".into()),
            p,
        ));
    }
    env(env_vars::NSKIT_REGISTRY_TOKEN).map(|t| RegistryCredentials::new("token", t))
}

/// A relative `recipes_dir` in a file is relative to that file's folder.
pub(crate) fn relative_to(b: BackendConfig, base: &Path) -> BackendConfig {
    match b {
        BackendConfig::Local(mut l) if l.recipes_dir.is_relative() => {
            l.recipes_dir = base.join(&l.recipes_dir);
            BackendConfig::Local(l)
        }
        other => other,
    }
}
