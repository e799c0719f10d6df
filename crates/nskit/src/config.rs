//! Configuration: flags > `NSKIT_*` environment > config file > defaults (the builtin backend).

use std::path::{Path, PathBuf};

use nskit_backends::{
    BuiltinBackend, DEFAULT_GROUP, DockerLocalBackend, GitHubBackend, GitHubSettings,
    InstalledBackend, LocalBackend, RecipeBackend, RegistryBackend, RegistryCredentials,
    RegistrySettings,
};
use serde::{Deserialize, Serialize};

use crate::env_vars;
use crate::error::{Error, Result};

/// Which backend lists and loads recipes.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "kebab-case", deny_unknown_fields)]
pub enum BackendConfig {
    /// The recipes compiled into nskit (the default).
    Builtin,
    /// `<recipes_dir>/<recipe>/<version>/`.
    Local {
        /// The folder (`path` is accepted too).
        #[serde(alias = "path")]
        recipes_dir: PathBuf,
    },
    /// Recipes installed for an entry-point group.
    Installed {
        /// The group; the configured `entrypoint_group` when absent.
        #[serde(default, alias = "entrypoint")]
        group: Option<String>,
    },
    /// Images of the local Docker engine labelled `nskit.recipe=true`.
    DockerLocal {
        /// The engine's socket (`unix:///...`, `tcp://...`); else `DOCKER_HOST`, else the
        /// default socket.
        #[serde(default)]
        docker_host: Option<String>,
    },
    /// A container registry (Registry HTTP API v2): repositories under `image_prefix`, one
    /// version per tag.
    Docker(Box<RegistryConfig>),
    /// An organisation's GitHub repositories matching `repo_pattern`, one version per
    /// release.
    Github(Box<GitHubConfig>),
}

/// The `github` backend's settings (the original's keys, and more).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GitHubConfig {
    /// The organisation (or user).
    pub org: String,
    /// Which repositories are recipes; `{recipe_name}` stands for the name.
    #[serde(default = "default_repo_pattern")]
    pub repo_pattern: String,
    /// Only repositories with this topic.
    #[serde(default)]
    pub topic: Option<String>,
    /// Prereleases are versions too.
    #[serde(default)]
    pub prereleases: bool,
    /// The API (GitHub Enterprise: `https://HOST/api/v3`).
    #[serde(default = "default_api_url")]
    pub api_url: String,
    /// The registry of the recipes' images, whose labels name them (`ghcr.io`; `none` to
    /// skip).
    #[serde(default = "default_image_registry")]
    pub image_registry: String,
    /// The original's key: a token (write `${VAR}`); else NSKIT_GITHUB_TOKEN, GITHUB_TOKEN,
    /// the keychain.
    #[serde(default)]
    pub token: Option<String>,
    /// The original's entry-point group (accepted, unused).
    #[serde(default)]
    pub entrypoint: Option<String>,
}

fn default_repo_pattern() -> String {
    "{recipe_name}".into()
}

fn default_image_registry() -> String {
    "ghcr.io".into()
}

/// The `docker` backend's settings.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RegistryConfig {
    /// `ghcr.io`, `registry.example.com`, `http://127.0.0.1:5000`.
    #[serde(default = "default_registry")]
    pub registry_url: String,
    /// The repositories under this path are recipes (`acme/recipes`).
    #[serde(default)]
    pub image_prefix: String,
    /// The repositories to read, relative to the prefix, for registries without a
    /// catalogue (GHCR, Docker Hub); by default the catalogue is read.
    #[serde(default)]
    pub repositories: Vec<String>,
    /// How to sign in; else NSKIT_REGISTRY_USERNAME / NSKIT_REGISTRY_PASSWORD (or
    /// NSKIT_REGISTRY_TOKEN), else anonymously.
    #[serde(default)]
    pub credentials: Option<CredentialsConfig>,
    /// The original nskit's key: a token, sent with the user name `token`.
    #[serde(default)]
    pub auth_token: Option<String>,
    /// The Docker engine that pulls and runs the images.
    #[serde(default)]
    pub docker_host: Option<String>,
    /// How long a listing is reused before the registry is asked again (600).
    #[serde(default)]
    pub cache_ttl_secs: Option<u64>,
    /// The original nskit's time-outs (accepted; nskit's own limits apply).
    #[serde(default)]
    pub timeouts: Option<serde_json::Value>,
    /// The original nskit's entry-point group (accepted, unused: images carry their recipe).
    #[serde(default)]
    pub entrypoint: Option<String>,
}

impl Default for RegistryConfig {
    fn default() -> Self {
        RegistryConfig {
            registry_url: default_registry(),
            image_prefix: String::new(),
            repositories: vec![],
            credentials: None,
            auth_token: None,
            docker_host: None,
            cache_ttl_secs: None,
            timeouts: None,
            entrypoint: None,
        }
    }
}

/// Registry credentials in a config file. Write the secret as `${VARIABLE}` so that it
/// stays out of the file: nskit expands it from the environment.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CredentialsConfig {
    /// The user name.
    pub username: String,
    /// The password or token (`${REGISTRY_TOKEN}`).
    #[serde(default)]
    pub password: Option<String>,
    /// The environment variable holding the password.
    #[serde(default)]
    pub password_env: Option<String>,
}

fn default_registry() -> String {
    "ghcr.io".into()
}

/// The configuration file, `$XDG_CONFIG_HOME/nskit/config.yaml`. `${VAR}` is expanded.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ConfigFile {
    /// The backend.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub backend: Option<BackendConfig>,
    /// The entry-point group of installed recipes (`mycompany.recipes`).
    #[serde(default, skip_serializing_if = "Option::is_none", alias = "entrypoint")]
    pub entrypoint_group: Option<String>,
    /// Where projects' repositories are created.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub vcs: Option<VcsConfig>,
}

/// The git host projects are published to, and its conventions.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct VcsConfig {
    /// The provider: `github` (GitHub and GitHub Enterprise).
    #[serde(default = "default_provider")]
    pub provider: String,
    /// The API: `https://api.github.com`, or an Enterprise server's `https://HOST/api/v3`.
    #[serde(default = "default_api_url")]
    pub api_url: String,
    /// The organisation repositories are created in; the token's user when absent.
    #[serde(default, alias = "organization")]
    pub organisation: Option<String>,
    /// New repositories are private unless this is `false`.
    #[serde(default = "default_true")]
    pub private: bool,
    /// Topics given to new repositories.
    #[serde(default)]
    pub topics: Vec<String>,
    /// The naming conventions project names are checked against.
    #[serde(default)]
    pub namespaces: Option<NamespacesConfig>,
    /// More repository settings for the host's API, as they are (`has_wiki: false`,
    /// `delete_branch_on_merge: true`).
    #[serde(default)]
    pub settings: serde_json::Map<String, serde_json::Value>,
}

/// Where the naming tree comes from and how strictly it applies.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NamespacesConfig {
    /// A YAML file (the original's `namespaces.yaml`).
    #[serde(default)]
    pub file: Option<PathBuf>,
    /// A repository of the organisation holding `namespaces.yaml` (the original's
    /// `.namespaces`).
    #[serde(default)]
    pub repository: Option<String>,
    /// `strict` (refuse), `warn` (say so and go on) or `none`.
    #[serde(default)]
    pub level: nskit_vcs::namespaces::Level,
}

fn default_provider() -> String {
    "github".into()
}

fn default_api_url() -> String {
    nskit_vcs::GITHUB_API.into()
}

fn default_true() -> bool {
    true
}

impl VcsConfig {
    /// The host tokens are stored for (`github.com`).
    pub fn host(&self) -> String {
        nskit_vcs::github_host(&self.api_url)
    }
}

/// Settings given on the command line (or by a program); they win over everything.
#[derive(Debug, Clone, Default)]
pub struct Overrides {
    /// `--backend`: `builtin`, `local`, `installed`, or a backend config file.
    pub backend: Option<String>,
    /// `--config`: the config file.
    pub config_file: Option<PathBuf>,
    /// The entry-point group.
    pub entrypoint_group: Option<String>,
}

/// The resolved configuration: flags > `NSKIT_*` environment > config file > defaults.
#[derive(Debug, Clone, PartialEq)]
pub struct Config {
    /// The backend to use.
    pub backend: BackendConfig,
    /// The entry-point group of installed recipes.
    pub entrypoint_group: String,
    /// The nskit data folder.
    pub data_dir: PathBuf,
    /// The config file that was read, if any.
    pub file: Option<PathBuf>,
    /// Where projects' repositories are created, when configured.
    pub vcs: Option<VcsConfig>,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            backend: BackendConfig::Builtin,
            entrypoint_group: DEFAULT_GROUP.into(),
            data_dir: default_data_dir(),
            file: None,
            vcs: None,
        }
    }
}

fn default_data_dir() -> PathBuf {
    dirs::data_dir()
        .unwrap_or_else(std::env::temp_dir)
        .join("nskit")
}

/// The default config file path.
pub fn default_config_path() -> Option<PathBuf> {
    dirs::config_dir().map(|d| d.join("nskit").join("config.yaml"))
}

/// Expands `${VAR}` from `env`; an unset variable is an error naming it.
pub fn expand_vars(
    text: &str,
    env: &dyn Fn(&str) -> Option<String>,
) -> std::result::Result<String, String> {
    let re = regex::Regex::new(r"\$\{([A-Za-z_][A-Za-z0-9_]*)\}").expect("constant regex");
    let mut missing = None;
    let out = re.replace_all(text, |c: &regex::Captures<'_>| match env(&c[1]) {
        Some(v) => v,
        None => {
            missing.get_or_insert_with(|| c[1].to_string());
            String::new()
        }
    });
    match missing {
        Some(name) => Err(format!(
            "${{{name}}} is used but the environment variable {name} is not set"
        )),
        None => Ok(out.into_owned()),
    }
}

fn read_yaml<T: serde::de::DeserializeOwned>(
    path: &Path,
    env: &dyn Fn(&str) -> Option<String>,
) -> Result<T> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| Error::Config(format!("cannot read {}: {e}", path.display())))?;
    parse_yaml(&text, &path.display().to_string(), env)
}

/// Parses a configuration document (`${VAR}` expanded from `env`); `origin` names it in
/// errors, with the line and key that went wrong.
fn parse_yaml<T: serde::de::DeserializeOwned>(
    text: &str,
    origin: &str,
    env: &dyn Fn(&str) -> Option<String>,
) -> Result<T> {
    let text = expand_vars(text, env).map_err(|m| Error::Config(format!("{origin}: {m}")))?;
    let text = if text.trim().is_empty() {
        "{}".into()
    } else {
        text
    };
    nskit_recipe::yaml::from_str(&text).map_err(|e| Error::Config(format!("{origin}: {e}")))
}

impl ConfigFile {
    /// Parses a configuration file's text, `${VAR}` expanded from `env`; `origin` (the
    /// file's path) names it in errors.
    pub fn parse(
        text: &str,
        origin: &str,
        env: &dyn Fn(&str) -> Option<String>,
    ) -> Result<ConfigFile> {
        parse_yaml(text, origin, env)
    }
}

impl Config {
    /// Resolves the configuration from the real environment.
    pub fn load(overrides: &Overrides) -> Result<Config> {
        Self::load_with(overrides, &|k| std::env::var(k).ok())
    }

    /// Resolves the configuration with `env` standing for the environment.
    pub fn load_with(
        overrides: &Overrides,
        env: &dyn Fn(&str) -> Option<String>,
    ) -> Result<Config> {
        Self::load_layered(&ConfigFile::default(), overrides, env)
    }

    /// Resolves the configuration over `defaults` (a branded CLI's own defaults, which the
    /// config file, the environment and flags all override).
    pub fn load_layered(
        defaults: &ConfigFile,
        overrides: &Overrides,
        env: &dyn Fn(&str) -> Option<String>,
    ) -> Result<Config> {
        let mut config = Config {
            data_dir: env(env_vars::NSKIT_DATA_DIR)
                .map(PathBuf::from)
                .unwrap_or_else(default_data_dir),
            ..Config::default()
        };
        if let Some(b) = &defaults.backend {
            config.backend = b.clone();
        }
        if let Some(g) = &defaults.entrypoint_group {
            config.entrypoint_group = g.clone();
        }
        if let Some(v) = &defaults.vcs {
            config.vcs = Some(v.clone());
        }
        // The config file: --config, else NSKIT_CONFIG, else the default path if it exists.
        let explicit = overrides
            .config_file
            .clone()
            .or_else(|| env(env_vars::NSKIT_CONFIG).map(PathBuf::from));
        let path = match explicit {
            Some(p) => Some(p),
            None => default_config_path().filter(|p| p.is_file()),
        };
        if let Some(path) = &path {
            let file: ConfigFile = read_yaml(path, env)?;
            let base = path.parent().unwrap_or(Path::new("."));
            if let Some(b) = file.backend {
                config.backend = relative_to(b, base);
            }
            if let Some(g) = file.entrypoint_group {
                config.entrypoint_group = g;
            }
            if let Some(mut v) = file.vcs {
                if let Some(n) = v.namespaces.as_mut()
                    && let Some(f) = n.file.as_mut()
                    && f.is_relative()
                {
                    *f = base.join(&*f);
                }
                config.vcs = Some(v);
            }
            config.file = Some(path.clone());
        }
        // The environment (the original's GITHUB_URL and GITHUB_ORGANISATION too).
        let api = env(env_vars::NSKIT_GITHUB_API_URL).or_else(|| env("GITHUB_URL"));
        let org = env(env_vars::NSKIT_GITHUB_ORGANISATION).or_else(|| env("GITHUB_ORGANISATION"));
        if api.is_some() || org.is_some() {
            let v = config.vcs.get_or_insert_with(|| VcsConfig {
                provider: default_provider(),
                api_url: default_api_url(),
                organisation: None,
                private: true,
                topics: vec![],
                namespaces: None,
                settings: serde_json::Map::new(),
            });
            if let Some(a) = api {
                v.api_url = a;
            }
            if org.is_some() {
                v.organisation = org;
            }
        }
        if let Some(g) = env(env_vars::NSKIT_ENTRYPOINT_GROUP) {
            config.entrypoint_group = g;
        }
        if let Some(b) = env(env_vars::NSKIT_BACKEND) {
            config.backend = Self::backend_from_word(&b, env)?;
        } else if let (Some(dir), BackendConfig::Local { .. }) =
            (env(env_vars::NSKIT_RECIPES_DIR), &config.backend)
        {
            config.backend = BackendConfig::Local {
                recipes_dir: dir.into(),
            };
        }
        // Flags.
        if let Some(g) = &overrides.entrypoint_group {
            config.entrypoint_group = g.clone();
        }
        if let Some(b) = &overrides.backend {
            config.backend = Self::backend_from_word(b, env)?;
        }
        Ok(config)
    }

    /// `builtin`, `local` (the folder from `NSKIT_RECIPES_DIR`, else the current folder, as
    /// in the original), `installed`, or the path of a backend config file (`type: local`,
    /// `recipes_dir: ...`, as the original's).
    fn backend_from_word(
        word: &str,
        env: &dyn Fn(&str) -> Option<String>,
    ) -> Result<BackendConfig> {
        match word {
            "builtin" => Ok(BackendConfig::Builtin),
            "local" => Ok(BackendConfig::Local {
                recipes_dir: env(env_vars::NSKIT_RECIPES_DIR)
                    .unwrap_or_else(|| ".".into())
                    .into(),
            }),
            "installed" => Ok(BackendConfig::Installed { group: None }),
            "docker-local" => Ok(BackendConfig::DockerLocal { docker_host: None }),
            "docker" => Ok(BackendConfig::Docker(Box::new(RegistryConfig {
                registry_url: env(env_vars::NSKIT_REGISTRY_URL).unwrap_or_else(default_registry),
                image_prefix: env(env_vars::NSKIT_IMAGE_PREFIX).unwrap_or_default(),
                ..RegistryConfig::default()
            }))),
            "github" => Ok(BackendConfig::Github(Box::new(GitHubConfig {
                org: env(env_vars::NSKIT_GITHUB_ORGANISATION)
                    .or_else(|| env("GITHUB_ORGANISATION"))
                    .ok_or_else(|| {
                        Error::Config(
                            "--backend github needs the organisation: set NSKIT_GITHUB_ORGANISATION, or use a backend file (type: github, org: ...)".into(),
                        )
                    })?,
                repo_pattern: default_repo_pattern(),
                topic: None,
                prereleases: false,
                api_url: env(env_vars::NSKIT_GITHUB_API_URL)
                    .or_else(|| env("GITHUB_URL"))
                    .unwrap_or_else(default_api_url),
                image_registry: default_image_registry(),
                token: None,
                entrypoint: None,
            }))),
            path if Path::new(path).is_file() => {
                let p = Path::new(path);
                let b: BackendConfig = read_yaml(p, env)?;
                Ok(relative_to(b, p.parent().unwrap_or(Path::new("."))))
            }
            other => Err(Error::Config(format!(
                "unknown backend `{other}`: use builtin, local, installed, docker-local, docker, github, or the path of a backend config file"
            ))),
        }
    }

    /// Builds the configured backend.
    pub fn backend(&self) -> Box<dyn RecipeBackend> {
        match &self.backend {
            BackendConfig::Builtin => Box::new(BuiltinBackend),
            BackendConfig::Local { recipes_dir } => {
                Box::new(LocalBackend::new(recipes_dir.clone()))
            }
            BackendConfig::Installed { group } => Box::new(InstalledBackend::new(
                &self.data_dir,
                group
                    .clone()
                    .unwrap_or_else(|| self.entrypoint_group.clone()),
            )),
            BackendConfig::DockerLocal { docker_host } => {
                Box::new(DockerLocalBackend::new(docker_host.clone()))
            }
            BackendConfig::Docker(r) => {
                let mut s = RegistrySettings::new(r.registry_url.clone());
                s.image_prefix = r.image_prefix.clone();
                s.repositories = r.repositories.clone();
                s.docker_host = r.docker_host.clone();
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
        }
    }

    /// Installs a recipe folder for the configured group (see [`nskit_backends::install_recipe`]).
    /// Returns the recipe's name, the version and where it was installed.
    pub fn install(
        &self,
        folder: &Path,
        version: Option<&str>,
        force: bool,
    ) -> Result<(String, String, PathBuf)> {
        let (name, version, path) =
            nskit_backends::install_recipe(&self.installed_backend(), folder, version, force)?;
        Ok((name, version.to_string(), path))
    }

    /// The installed-recipes backend for the configured group (where `install` puts recipes).
    pub fn installed_backend(&self) -> InstalledBackend {
        let group = match &self.backend {
            BackendConfig::Installed { group: Some(g) } => g.clone(),
            _ => self.entrypoint_group.clone(),
        };
        InstalledBackend::new(&self.data_dir, group)
    }
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

fn from_config_or_env(
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
fn relative_to(b: BackendConfig, base: &Path) -> BackendConfig {
    match b {
        BackendConfig::Local { recipes_dir } if recipes_dir.is_relative() => BackendConfig::Local {
            recipes_dir: base.join(recipes_dir),
        },
        other => other,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn env_of(pairs: &[(&str, &str)]) -> impl Fn(&str) -> Option<String> + use<> {
        let map: HashMap<String, String> = pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        move |k| map.get(k).cloned()
    }

    #[test]
    fn precedence_flags_env_file_default() {
        let dir = tempfile::tempdir().expect("tempdir");
        let file = dir.path().join("config.yaml");
        std::fs::write(
            &file,
            "backend:\n  type: local\n  recipes_dir: ${RECIPES}\nentrypoint_group: file.recipes\n",
        )
        .expect("write");
        let env = env_of(&[
            ("NSKIT_CONFIG", file.to_str().expect("utf8")),
            ("RECIPES", "/r"),
            ("NSKIT_DATA_DIR", "/data"),
        ]);
        let c = Config::load_with(&Overrides::default(), &env).expect("loads");
        assert_eq!(
            c.backend,
            BackendConfig::Local {
                recipes_dir: "/r".into()
            }
        );
        assert_eq!(c.entrypoint_group, "file.recipes");
        assert_eq!(c.data_dir, PathBuf::from("/data"));

        let env = env_of(&[
            ("NSKIT_CONFIG", file.to_str().expect("utf8")),
            ("RECIPES", "/r"),
            ("NSKIT_BACKEND", "installed"),
            ("NSKIT_ENTRYPOINT_GROUP", "env.recipes"),
        ]);
        let c = Config::load_with(&Overrides::default(), &env).expect("loads");
        assert_eq!(c.backend, BackendConfig::Installed { group: None });
        assert_eq!(c.entrypoint_group, "env.recipes");

        let flags = Overrides {
            backend: Some("builtin".into()),
            entrypoint_group: Some("flag.recipes".into()),
            ..Default::default()
        };
        let c = Config::load_with(&flags, &env).expect("loads");
        assert_eq!(c.backend, BackendConfig::Builtin);
        assert_eq!(c.entrypoint_group, "flag.recipes");
    }

    #[test]
    fn unset_variable_and_unknown_backend_are_errors() {
        let dir = tempfile::tempdir().expect("tempdir");
        let file = dir.path().join("c.yaml");
        std::fs::write(&file, "backend: {type: local, recipes_dir: '${NOPE}'}\n").expect("write");
        let e = Config::load_with(
            &Overrides {
                config_file: Some(file),
                ..Default::default()
            },
            &env_of(&[]),
        )
        .unwrap_err()
        .to_string();
        assert!(e.contains("NOPE is not set"), "{e}");
        let e = Config::load_with(
            &Overrides {
                backend: Some("s3".into()),
                ..Default::default()
            },
            &env_of(&[]),
        )
        .unwrap_err()
        .to_string();
        assert!(e.contains("unknown backend `s3`"), "{e}");
    }

    #[test]
    fn original_backend_file_with_relative_dir() {
        let dir = tempfile::tempdir().expect("tempdir");
        let file = dir.path().join("backend-local.yml");
        std::fs::write(&file, "type: local\nrecipes_dir: recipes\n").expect("write");
        let flags = Overrides {
            backend: Some(file.to_string_lossy().into_owned()),
            ..Default::default()
        };
        let c = Config::load_with(&flags, &env_of(&[])).expect("loads");
        assert_eq!(
            c.backend,
            BackendConfig::Local {
                recipes_dir: dir.path().join("recipes")
            }
        );
    }

    #[test]
    fn a_registry_backend_file_in_the_original_form_and_in_ours() {
        let dir = tempfile::tempdir().expect("tempdir");
        // The original's keys, including its `timeouts` table and `auth_token`.
        let original = dir.path().join("backend-docker.yml");
        std::fs::write(
            &original,
            "type: docker\nregistry_url: ghcr.io\nimage_prefix: acme\nauth_token: ${GH_TOKEN}\ntimeouts: {pull: 600, cmd: 30}\n",
        )
        .expect("write");
        let flags = Overrides {
            backend: Some(original.to_string_lossy().into_owned()),
            ..Default::default()
        };
        let c = Config::load_with(&flags, &env_of(&[("GH_TOKEN", "t0k")])).expect("loads");
        let BackendConfig::Docker(r) = &c.backend else {
            panic!("{:?}", c.backend)
        };
        assert_eq!(
            (r.registry_url.as_str(), r.image_prefix.as_str()),
            ("ghcr.io", "acme")
        );
        let creds =
            from_config_or_env(None, r.auth_token.as_deref(), &env_of(&[])).expect("the token");
        assert_eq!(
            (creds.username.as_str(), creds.password.as_str()),
            ("token", "t0k")
        );

        // Ours: credentials with the secret from the environment; unknown keys refused.
        let cred = CredentialsConfig {
            username: "me".into(),
            password: None,
            password_env: Some("REG_PW".into()),
        };
        let creds =
            from_config_or_env(Some(&cred), None, &env_of(&[("REG_PW", "pw")])).expect("creds");
        assert_eq!(
            (creds.username.as_str(), creds.password.as_str()),
            ("me", "pw")
        );
        // Else the environment, else nothing.
        let creds = from_config_or_env(
            None,
            None,
            &env_of(&[
                ("NSKIT_REGISTRY_USERNAME", "u"),
                ("NSKIT_REGISTRY_PASSWORD", "p"),
            ]),
        )
        .expect("env");
        assert_eq!(creds.username, "u");
        assert!(from_config_or_env(None, None, &env_of(&[])).is_none());
        let bad = dir.path().join("bad.yml");
        std::fs::write(&bad, "type: docker\nregistry: ghcr.io\n").expect("write");
        let flags = Overrides {
            backend: Some(bad.to_string_lossy().into_owned()),
            ..Default::default()
        };
        let err = Config::load_with(&flags, &env_of(&[]))
            .unwrap_err()
            .to_string();
        assert!(err.contains("unknown field `registry`"), "{err}");
    }
}
