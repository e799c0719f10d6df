//! Configuration: flags > `NSKIT_*` environment > config file > defaults (the builtin
//! backend), with where each value came from. The file's schema is in [`file`]; the raw
//! document that the preferences pane and `nskit config set` edit is [`ConfigDocument`];
//! building backends from their settings is in [`backends`].

mod backends;
mod document;
mod env;
mod file;
mod types;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use nskit_backends::{DEFAULT_GROUP, InstalledBackend, RecipeBackend};
use serde::Serialize;
use serde_json::Value;
use ts_rs::TS;

#[cfg(test)]
use backends::from_config_or_env;
pub use backends::registry_credentials;
pub use document::{ConfigDocument, KNOWN_KEYS, check_backend_name, is_secret_key};
pub use env::{Environment, ProcessEnv, VarsEnv};
pub use file::{
    BUILT_IN_TYPES, BackendConfig, BackendType, ConfigFile, CredentialsConfig, DockerLocalConfig,
    GitHubConfig, InstalledConfig, LocalConfig, NamespacesConfig, OtherBackendConfig,
    RegistryConfig, ServeConfig, Theme, VcsConfig, backend_types,
};
pub use types::{BackendContext, BackendTypes, PLUGIN_KEYS, plugin_types};

use crate::env_vars;
use crate::error::{Error, Result};

/// Where a setting's value comes from, strongest first.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(tag = "kind", rename_all = "camelCase")]
#[ts(export)]
pub enum Source {
    /// A command-line flag (`--backend`).
    Flag {
        /// The flag.
        flag: String,
    },
    /// An environment variable.
    Env {
        /// The variable.
        var: String,
    },
    /// The configuration file.
    File {
        /// Its path.
        path: String,
    },
    /// The defaults of the program (a branded CLI's own).
    Program,
    /// nskit's default.
    Default,
}

impl Source {
    /// Whether the value can be changed in the configuration file (flags and the
    /// environment win over it).
    pub fn editable(&self) -> bool {
        !matches!(self, Source::Flag { .. } | Source::Env { .. })
    }

    /// For people: `flag --backend`, `environment NSKIT_BACKEND`, `file PATH`, `default`.
    pub fn describe(&self) -> String {
        match self {
            Source::Flag { flag } => format!("flag {flag}"),
            Source::Env { var } => format!("environment {var}"),
            Source::File { path } => format!("file {path}"),
            Source::Program => "program default".into(),
            Source::Default => "default".into(),
        }
    }
}

/// One effective setting: its dotted key, value (secrets masked) and source.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct Setting {
    /// `default_backend`, `backends.team.registry_url`, `vcs.organisation`.
    pub key: String,
    /// The value as used (`${VAR}` expanded; a secret shows as `••••`).
    #[ts(type = "unknown")]
    pub value: Value,
    /// Where it comes from.
    pub source: Source,
    /// Whether it is a secret (shown masked, never written to the file).
    pub secret: bool,
}

/// A configured backend and its name.
#[derive(Debug, Clone, PartialEq)]
pub struct NamedBackend {
    /// The name (`default` for the original's single `backend:`).
    pub name: String,
    /// Its settings.
    pub config: BackendConfig,
    /// Where it is defined.
    pub source: Source,
}

/// Settings given on the command line (or by a program); they win over everything.
#[derive(Debug, Clone, Default)]
pub struct Overrides {
    /// `--backend`: a configured backend's name, `builtin`, `local`, `installed`,
    /// `docker-local`, `docker`, `github`, or a backend config file.
    pub backend: Option<String>,
    /// `--config`: the config file.
    pub config_file: Option<PathBuf>,
    /// The entry-point group.
    pub entrypoint_group: Option<String>,
    /// The backend types the program registered beyond the built-in ones.
    pub backend_types: BackendTypes,
    /// The git host providers the program registered beyond the built-in ones.
    pub git_providers: crate::repository::GitProviders,
}

/// The resolved configuration: flags > `NSKIT_*` environment > config file > defaults.
#[derive(Debug, Clone, PartialEq)]
pub struct Config {
    /// The backend in use (the default one, unless a flag or the environment chose).
    pub backend: BackendConfig,
    /// The configured backends, in the file's order (the builtin one when none is).
    pub backends: Vec<NamedBackend>,
    /// The name of the default backend.
    pub default_backend: String,
    /// The entry-point group of installed recipes.
    pub entrypoint_group: String,
    /// The nskit data folder.
    pub data_dir: PathBuf,
    /// The config file in use, if any (it may not exist yet: the default path is kept, so
    /// that the preferences can create it).
    pub file: Option<PathBuf>,
    /// Where projects' repositories are created, when configured.
    pub vcs: Option<VcsConfig>,
    /// The Docker engine, when one is named.
    pub docker_host: Option<String>,
    /// The folder new projects go in by default.
    pub output_dir: Option<PathBuf>,
    /// The app's colour scheme.
    pub theme: Theme,
    /// `nskit serve`'s settings.
    pub serve: ServeConfig,
    /// Where each value came from, by dotted key.
    pub sources: BTreeMap<String, Source>,
    /// Things to tell the user (keys nskit does not know).
    pub warnings: Vec<String>,
    /// The backend types the program registered (every other type is a plug-in's).
    pub backend_types: BackendTypes,
    /// The git host providers the program registered (every other is a plug-in's).
    pub git_providers: crate::repository::GitProviders,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            backend: BackendConfig::Builtin,
            backends: vec![NamedBackend {
                name: "builtin".into(),
                config: BackendConfig::Builtin,
                source: Source::Default,
            }],
            default_backend: "builtin".into(),
            entrypoint_group: DEFAULT_GROUP.into(),
            data_dir: default_data_dir(),
            file: None,
            vcs: None,
            docker_host: None,
            output_dir: None,
            theme: Theme::System,
            serve: ServeConfig::default(),
            sources: BTreeMap::new(),
            warnings: vec![],
            backend_types: BackendTypes::default(),
            git_providers: crate::repository::GitProviders::default(),
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

    /// The named backends the file defines: `backends:`, and the original's `backend:` as
    /// `default` (unless `backends:` has one of that name).
    pub fn named_backends(&self) -> Vec<(String, BackendConfig)> {
        let mut out: Vec<(String, BackendConfig)> = self
            .backends
            .iter()
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect();
        if let Some(b) = &self.backend
            && !self.backends.contains_key("default")
        {
            out.insert(0, ("default".into(), b.clone()));
        }
        out
    }
}

impl Config {
    /// Resolves the configuration from the real environment.
    pub fn load(overrides: &Overrides) -> Result<Config> {
        Self::load_with(overrides, &ProcessEnv)
    }

    /// Resolves the configuration with `env` standing for the environment.
    pub fn load_with(overrides: &Overrides, env: &dyn Environment) -> Result<Config> {
        Self::load_layered(&ConfigFile::default(), overrides, env)
    }

    /// The config file nskit reads: `--config`, else `NSKIT_CONFIG`, else the default path
    /// (which may not exist yet).
    pub fn file_path(
        overrides: &Overrides,
        env: &dyn Fn(&str) -> Option<String>,
    ) -> Option<PathBuf> {
        overrides
            .config_file
            .clone()
            .or_else(|| env(env_vars::NSKIT_CONFIG).map(PathBuf::from))
            .or_else(default_config_path)
    }

    /// Resolves the configuration over `defaults` (a branded CLI's own defaults, which the
    /// config file, the environment and flags all override).
    pub fn load_layered(
        defaults: &ConfigFile,
        overrides: &Overrides,
        environment: &dyn Environment,
    ) -> Result<Config> {
        let env = &|k: &str| environment.var(k);
        let (from_env, env_warnings) = env::collect(environment);
        let mut c = Config {
            backend_types: overrides.backend_types.clone(),
            git_providers: overrides.git_providers.clone(),
            ..Config::default()
        };
        let set = |c: &mut Config, key: &str, source: Source| {
            c.sources.insert(key.to_string(), source);
        };
        match env(env_vars::NSKIT_DATA_DIR) {
            Some(d) => {
                c.data_dir = PathBuf::from(d);
                set(&mut c, "data_dir", env_source(env_vars::NSKIT_DATA_DIR));
            }
            None => set(&mut c, "data_dir", Source::Default),
        }
        set(&mut c, "entrypoint_group", Source::Default);
        set(&mut c, "theme", Source::Default);
        c.apply_file(defaults, Source::Program, None);

        // The config file: --config, else NSKIT_CONFIG, else the default path if it exists.
        let explicit = overrides.config_file.is_some() || env(env_vars::NSKIT_CONFIG).is_some();
        let path = Self::file_path(overrides, env);
        let mut file_read = false;
        if let Some(path) = &path {
            if explicit && !path.exists() {
                c.warnings.push(format!(
                    "the configuration file {} does not exist yet (`nskit config set` or the app's preferences create it)",
                    path.display()
                ));
            } else if explicit || path.is_file() {
                let file: ConfigFile = read_yaml(path, env)?;
                let source = Source::File {
                    path: path.display().to_string(),
                };
                let base = path.parent().unwrap_or(Path::new(".")).to_path_buf();
                if from_env.is_empty() {
                    c.apply_file(&file, source, Some(&base));
                } else {
                    // The file's document with each variable laid over its key.
                    let raw: Value = read_yaml(path, env)?;
                    c.apply_env(&raw, &from_env, source, Some(&base))?;
                }
                for key in file.unknown.keys() {
                    c.warnings.push(format!(
                        "{}: `{key}` is not a setting nskit knows; it is kept and ignored",
                        path.display()
                    ));
                }
                file_read = true;
            }
            c.file = Some(path.clone());
        }
        if !file_read && !from_env.is_empty() {
            let source = env_source(&from_env[0].var);
            c.apply_env(&Value::Object(Default::default()), &from_env, source, None)?;
        }
        c.warnings.extend(env_warnings);

        // The environment (the original's GITHUB_URL and GITHUB_ORGANISATION too).
        let api = first_env(env, &[env_vars::NSKIT_GITHUB_API_URL, "GITHUB_URL"]);
        let org = first_env(
            env,
            &[env_vars::NSKIT_GITHUB_ORGANISATION, "GITHUB_ORGANISATION"],
        );
        if api.is_some() || org.is_some() {
            let v = c.vcs.get_or_insert_with(VcsConfig::github);
            if let Some((var, a)) = api {
                v.api_url = a;
                c.sources.insert("vcs.api_url".into(), env_source(var));
            }
            if let Some((var, o)) = org {
                v.organisation = Some(o);
                c.sources.insert("vcs.organisation".into(), env_source(var));
            }
        }
        if let Some(h) = env("DOCKER_HOST").filter(|h| !h.is_empty()) {
            c.docker_host = Some(h);
            set(&mut c, "docker_host", env_source("DOCKER_HOST"));
        }
        // Registered types check their settings now, as the built-in ones were when read.
        for b in &c.backends {
            if let BackendConfig::Other(o) = &b.config {
                c.backend_types.check(o).map_err(|e| {
                    Error::Config(format!(
                        "{}: backend `{}` (type {}): {e}",
                        b.source.describe(),
                        b.name,
                        o.type_name
                    ))
                })?;
            }
        }
        if !c.backends.iter().any(|b| b.name == c.default_backend) {
            c.warnings.push(format!(
                "default_backend is `{}`, which is not configured ({}): the built-in recipes are used",
                c.default_backend,
                c.backends
                    .iter()
                    .map(|b| b.name.as_str())
                    .collect::<Vec<_>>()
                    .join(", ")
            ));
        }
        c.backend = c.default_config();
        if let Some(b) = env(env_vars::NSKIT_BACKEND) {
            c.backend = c.backend_from_word(&b, env)?;
            set(&mut c, "backend", env_source(env_vars::NSKIT_BACKEND));
        } else if let (Some(dir), BackendConfig::Local(l)) =
            (env(env_vars::NSKIT_RECIPES_DIR), &mut c.backend)
        {
            l.recipes_dir = dir.into();
            set(&mut c, "backend", env_source(env_vars::NSKIT_RECIPES_DIR));
        }
        // Flags.
        if let Some(g) = &overrides.entrypoint_group {
            c.entrypoint_group = g.clone();
            set(
                &mut c,
                "entrypoint_group",
                Source::Flag {
                    flag: "--entrypoint-group".into(),
                },
            );
        }
        if let Some(b) = &overrides.backend {
            c.backend = c.backend_from_word(b, env)?;
            set(
                &mut c,
                "backend",
                Source::Flag {
                    flag: "--backend".into(),
                },
            );
        }
        Ok(c)
    }

    /// Takes what `file` says, relative paths resolved against `base`.
    fn apply_file(&mut self, file: &ConfigFile, source: Source, base: Option<&Path>) {
        let named = file.named_backends();
        if !named.is_empty() {
            self.backends = named
                .into_iter()
                .map(|(name, config)| NamedBackend {
                    name,
                    config: match base {
                        Some(b) => backends::relative_to(config, b),
                        None => config,
                    },
                    source: source.clone(),
                })
                .collect();
            self.sources.insert("backends".into(), source.clone());
            // The first one, unless the file names another.
            self.default_backend = self.backends[0].name.clone();
            self.sources
                .insert("default_backend".into(), source.clone());
        }
        if let Some(d) = &file.default_backend {
            self.default_backend = d.clone();
            self.sources
                .insert("default_backend".into(), source.clone());
        }
        if let Some(g) = &file.entrypoint_group {
            self.entrypoint_group = g.clone();
            self.sources
                .insert("entrypoint_group".into(), source.clone());
        }
        if let Some(v) = &file.vcs {
            let mut v = v.clone();
            if let (Some(base), Some(n)) = (base, v.namespaces.as_mut())
                && let Some(f) = n.file.as_mut()
                && f.is_relative()
            {
                *f = base.join(&*f);
            }
            self.vcs = Some(v);
            self.sources.insert("vcs".into(), source.clone());
        }
        if let Some(h) = &file.docker_host {
            self.docker_host = Some(h.clone());
            self.sources.insert("docker_host".into(), source.clone());
        }
        if let Some(d) = &file.output_dir {
            self.output_dir = Some(match base {
                Some(b) if d.is_relative() => b.join(d),
                _ => d.clone(),
            });
            self.sources.insert("output_dir".into(), source.clone());
        }
        if let Some(t) = file.theme {
            self.theme = t;
            self.sources.insert("theme".into(), source.clone());
        }
        if let Some(serve) = &file.serve {
            let mut serve = serve.clone();
            if let (Some(base), Some(w)) = (base, serve.workspace.as_mut())
                && w.is_relative()
            {
                *w = base.join(&*w);
            }
            self.serve = serve;
            self.sources.insert("serve".into(), source);
        }
    }

    /// Takes the document `raw` (the file's, or none) with the environment's settings laid
    /// over it; each value a variable set is recorded as coming from that variable, and
    /// its relative paths are relative to the current folder, not the file's.
    fn apply_env(
        &mut self,
        raw: &Value,
        settings: &[env::EnvSetting],
        source: Source,
        base: Option<&Path>,
    ) -> Result<()> {
        let text = env::overlay(raw, settings);
        let file: ConfigFile = nskit_recipe::yaml::from_str(&text).map_err(|e| {
            // Name the variables whose keys the error is about (else all of them); the
            // document is one line made here, so its line number says nothing.
            let message = e.to_string().replacen("line 1: ", "", 1);
            let about = |s: &&env::EnvSetting| {
                (1..=s.path.len()).any(|i| message.contains(&format!("{}:", s.path[..i].join("."))))
            };
            let mut vars: Vec<&str> = settings
                .iter()
                .filter(about)
                .map(|s| s.var.as_str())
                .collect();
            if vars.is_empty() {
                vars = settings.iter().map(|s| s.var.as_str()).collect();
            }
            Error::Config(format!("{}: {message}", vars.join(", ")))
        })?;
        self.apply_file(&file, source, base);
        let in_file = |name: &str| {
            raw.get("backends").and_then(|b| b.get(name)).is_some()
                || (name == "default" && raw.get("backend").is_some())
        };
        for s in settings {
            let var = env_source(&s.var);
            self.sources.insert(s.key(), var.clone());
            match s.path.as_slice() {
                [top] if top == "output_dir" => self.output_dir = Some(PathBuf::from(&s.raw)),
                [top, name, ..] if top == "backends" || top == "backend" => {
                    let name = if top == "backend" { "default" } else { name };
                    let file_has_it = in_file(name);
                    if let Some(b) = self.backends.iter_mut().find(|b| b.name == name) {
                        if !file_has_it {
                            b.source = var.clone();
                        }
                        if let (BackendConfig::Local(l), [.., key]) =
                            (&mut b.config, s.path.as_slice())
                            && key == "recipes_dir"
                        {
                            l.recipes_dir = PathBuf::from(&s.raw);
                        }
                    }
                }
                _ => {}
            }
        }
        Ok(())
    }

    /// The default backend's settings (the builtin one if the name matches none).
    fn default_config(&self) -> BackendConfig {
        self.named(&self.default_backend)
            .map(|b| b.config.clone())
            .unwrap_or(BackendConfig::Builtin)
    }

    /// The configured backend called `name`.
    pub fn named(&self, name: &str) -> Option<&NamedBackend> {
        self.backends.iter().find(|b| b.name == name)
    }

    /// A configured backend's name; `builtin`, `local` (the folder from
    /// `NSKIT_RECIPES_DIR`, else the current folder, as in the original), `installed`,
    /// `docker-local`, `docker`, `github`; or the path of a backend config file (`type:
    /// local`, `recipes_dir: ...`, as the original's).
    fn backend_from_word(
        &self,
        word: &str,
        env: &dyn Fn(&str) -> Option<String>,
    ) -> Result<BackendConfig> {
        if let Some(b) = self.named(word) {
            return Ok(b.config.clone());
        }
        match word {
            "builtin" => Ok(BackendConfig::Builtin),
            "local" => Ok(BackendConfig::Local(LocalConfig {
                recipes_dir: env(env_vars::NSKIT_RECIPES_DIR)
                    .unwrap_or_else(|| ".".into())
                    .into(),
            })),
            "installed" => Ok(BackendConfig::Installed(InstalledConfig::default())),
            "docker-local" => Ok(BackendConfig::DockerLocal(DockerLocalConfig::default())),
            "docker" => Ok(BackendConfig::Docker(Box::new(RegistryConfig {
                registry_url: env(env_vars::NSKIT_REGISTRY_URL)
                    .unwrap_or_else(file::default_registry),
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
                repo_pattern: file::default_repo_pattern(),
                topic: None,
                prereleases: false,
                api_url: env(env_vars::NSKIT_GITHUB_API_URL)
                    .or_else(|| env("GITHUB_URL"))
                    .unwrap_or_else(file::default_api_url),
                image_registry: file::default_image_registry(),
                token: None,
                entrypoint: None,
            }))),
            registered if self.backend_types.registered(registered) => {
                let config = OtherBackendConfig {
                    type_name: registered.into(),
                    settings: serde_json::Map::new(),
                };
                self.backend_types
                    .check(&config)
                    .map_err(|e| Error::Config(format!("--backend {registered}: {e}")))?;
                Ok(BackendConfig::Other(config))
            }
            path if Path::new(path).is_file() => {
                let p = Path::new(path);
                let b: BackendConfig = read_yaml(p, env)?;
                Ok(backends::relative_to(b, p.parent().unwrap_or(Path::new("."))))
            }
            other => {
                let names: Vec<&str> = self.backends.iter().map(|b| b.name.as_str()).collect();
                let registered: Vec<String> = self
                    .backend_types
                    .registered_types()
                    .into_iter()
                    .map(|t| t.name)
                    .collect();
                let registered = if registered.is_empty() {
                    String::new()
                } else {
                    format!("{}, ", registered.join(", "))
                };
                Err(Error::Config(format!(
                    "unknown backend `{other}`: use a configured backend ({}), builtin, local, installed, docker-local, docker, github, {registered}or the path of a backend config file",
                    names.join(", ")
                )))
            }
        }
    }

    fn build_context(&self) -> backends::BuildContext<'_> {
        backends::BuildContext {
            data_dir: &self.data_dir,
            entrypoint_group: &self.entrypoint_group,
            docker_host: self.docker_host.as_deref(),
            types: &self.backend_types,
        }
    }

    /// Builds the backend in use.
    pub fn backend(&self) -> Result<Box<dyn RecipeBackend>> {
        backends::build(&self.backend, &self.build_context())
    }

    /// Builds the configured backend called `name`.
    pub fn named_backend(&self, name: &str) -> Result<Box<dyn RecipeBackend>> {
        let b = self.named(name).ok_or_else(|| {
            Error::Config(format!(
                "no backend named `{name}` is configured (configured: {})",
                self.backends
                    .iter()
                    .map(|b| b.name.as_str())
                    .collect::<Vec<_>>()
                    .join(", ")
            ))
        })?;
        backends::build(&b.config, &self.build_context())
            .map_err(|e| Error::Config(format!("backend `{name}`: {e}")))
    }

    /// Builds a backend from settings not (yet) in the configuration: a preferences
    /// pane's "test" before saving.
    pub fn build_backend(&self, config: &BackendConfig) -> Result<Box<dyn RecipeBackend>> {
        backends::build(config, &self.build_context())
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
            BackendConfig::Installed(InstalledConfig { group: Some(g) }) => g.clone(),
            _ => self.entrypoint_group.clone(),
        };
        InstalledBackend::new(&self.data_dir, group)
    }

    /// Every effective setting with its source, secrets masked, in a stable order.
    pub fn settings(&self) -> Vec<Setting> {
        let source = |key: &str| {
            // The most specific key recorded, else its parents', else the default.
            let mut k = key.to_string();
            loop {
                if let Some(s) = self.sources.get(&k) {
                    return s.clone();
                }
                match k.rfind('.') {
                    Some(i) => k.truncate(i),
                    None => return Source::Default,
                }
            }
        };
        let mut out = vec![];
        let mut push = |key: String, value: Value| {
            let secret = is_secret_key(&key);
            let value = if secret && !value.is_null() {
                Value::String("••••".into())
            } else {
                value
            };
            let source = source(&key);
            out.push(Setting {
                key,
                value,
                source,
                secret,
            });
        };
        if let Some(s) = self.sources.get("backend") {
            // A flag or the environment chose the backend in use.
            let _ = s;
            flatten(
                "backend",
                &serde_json::to_value(&self.backend).unwrap_or(Value::Null),
                &mut |k, v| push(k, v),
            );
        }
        push(
            "default_backend".into(),
            Value::String(self.default_backend.clone()),
        );
        for b in &self.backends {
            flatten(
                &format!("backends.{}", b.name),
                &serde_json::to_value(&b.config).unwrap_or(Value::Null),
                &mut |k, v| push(k, v),
            );
        }
        push(
            "entrypoint_group".into(),
            Value::String(self.entrypoint_group.clone()),
        );
        if let Some(v) = &self.vcs {
            flatten(
                "vcs",
                &serde_json::to_value(v).unwrap_or(Value::Null),
                &mut |k, v| push(k, v),
            );
        }
        push(
            "docker_host".into(),
            self.docker_host
                .clone()
                .map(Value::String)
                .unwrap_or(Value::Null),
        );
        push(
            "output_dir".into(),
            self.output_dir
                .as_ref()
                .map(|p| Value::String(p.display().to_string()))
                .unwrap_or(Value::Null),
        );
        push(
            "theme".into(),
            serde_json::to_value(self.theme).unwrap_or(Value::Null),
        );
        push(
            "data_dir".into(),
            Value::String(self.data_dir.display().to_string()),
        );
        out
    }
}

fn env_source(var: &str) -> Source {
    Source::Env { var: var.into() }
}

fn first_env(
    env: &dyn Fn(&str) -> Option<String>,
    vars: &[&'static str],
) -> Option<(&'static str, String)> {
    vars.iter().find_map(|v| env(v).map(|x| (*v, x)))
}

/// Calls `out` with each leaf of `v` under `prefix` (dotted keys; lists are leaves).
fn flatten(prefix: &str, v: &Value, out: &mut dyn FnMut(String, Value)) {
    match v {
        Value::Object(m) if !m.is_empty() => {
            for (k, x) in m {
                flatten(&format!("{prefix}.{k}"), x, out);
            }
        }
        Value::Null => {}
        other => out(prefix.to_string(), other.clone()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn vars(pairs: &[(&str, &str)]) -> impl Fn(&str) -> Option<String> + use<> {
        let env = env_of(pairs);
        move |k: &str| env.var(k)
    }

    fn env_of(pairs: &[(&str, &str)]) -> VarsEnv {
        VarsEnv(
            pairs
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect(),
        )
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
            BackendConfig::Local(LocalConfig {
                recipes_dir: "/r".into()
            })
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
        assert_eq!(
            c.backend,
            BackendConfig::Installed(InstalledConfig::default())
        );
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
            BackendConfig::Local(LocalConfig {
                recipes_dir: dir.path().join("recipes")
            })
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
            from_config_or_env(None, r.auth_token.as_deref(), &vars(&[])).expect("the token");
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
            from_config_or_env(Some(&cred), None, &vars(&[("REG_PW", "pw")])).expect("creds");
        assert_eq!(
            (creds.username.as_str(), creds.password.as_str()),
            ("me", "pw")
        );
        // Else the environment, else nothing.
        let creds = from_config_or_env(
            None,
            None,
            &vars(&[
                ("NSKIT_REGISTRY_USERNAME", "u"),
                ("NSKIT_REGISTRY_PASSWORD", "p"),
            ]),
        )
        .expect("env");
        assert_eq!(creds.username, "u");
        assert!(from_config_or_env(None, None, &vars(&[])).is_none());
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

    #[test]
    fn named_backends_a_default_and_where_each_value_comes_from() {
        let dir = tempfile::tempdir().expect("tempdir");
        let file = dir.path().join("config.yaml");
        std::fs::write(
            &file,
            "backends:\n  team:\n    type: docker\n    registry_url: reg.example.com\n    auth_token: ${TEAM_TOKEN}\n  mine:\n    type: local\n    recipes_dir: recipes\ndefault_backend: mine\nvcs:\n  organisation: acme\nnext_year: true\n",
        )
        .expect("write");
        let path = file.to_str().expect("utf8").to_string();
        let env = env_of(&[
            ("NSKIT_CONFIG", &path),
            ("TEAM_TOKEN", "s3cr3t"),
            ("NSKIT_GITHUB_ORGANISATION", "from-env"),
        ]);
        let c = Config::load_with(&Overrides::default(), &env).expect("loads");
        assert_eq!(
            c.backends
                .iter()
                .map(|b| b.name.as_str())
                .collect::<Vec<_>>(),
            ["team", "mine"]
        );
        assert_eq!(c.default_backend, "mine");
        assert_eq!(
            c.backend,
            BackendConfig::Local(LocalConfig {
                recipes_dir: dir.path().join("recipes")
            })
        );
        assert!(
            c.warnings.iter().any(|w| w.contains("`next_year`")),
            "{:?}",
            c.warnings
        );
        let settings = c.settings();
        let find = |k: &str| {
            settings
                .iter()
                .find(|s| s.key == k)
                .unwrap_or_else(|| panic!("no {k} in {settings:?}"))
        };
        let file_source = Source::File { path: path.clone() };
        assert_eq!(find("default_backend").source, file_source);
        assert_eq!(
            find("backends.team.registry_url").value,
            Value::String("reg.example.com".into())
        );
        let token = find("backends.team.auth_token");
        assert!(token.secret);
        assert_eq!(token.value, Value::String("••••".into()));
        assert_eq!(
            find("vcs.organisation").source,
            Source::Env {
                var: "NSKIT_GITHUB_ORGANISATION".into()
            }
        );
        assert!(!find("vcs.organisation").source.editable());
        assert_eq!(find("vcs.api_url").source, file_source);
        assert_eq!(find("theme").source, Source::Default);
        // A configured backend's name works as --backend.
        let flags = Overrides {
            backend: Some("team".into()),
            ..Default::default()
        };
        let c = Config::load_with(&flags, &env).expect("loads");
        assert_eq!(c.backend.type_name(), "docker");
        assert_eq!(
            c.sources.get("backend"),
            Some(&Source::Flag {
                flag: "--backend".into()
            })
        );
        let e = Config::load_with(
            &Overrides {
                backend: Some("nope".into()),
                ..Default::default()
            },
            &env,
        )
        .unwrap_err()
        .to_string();
        assert!(e.contains("configured backend (team, mine)"), "{e}");
    }

    #[test]
    fn the_original_single_backend_is_named_default() {
        let dir = tempfile::tempdir().expect("tempdir");
        let file = dir.path().join("config.yaml");
        std::fs::write(
            &file,
            "backend:\n  type: installed\n  group: acme.recipes\n",
        )
        .expect("write");
        let env = env_of(&[("NSKIT_CONFIG", file.to_str().expect("utf8"))]);
        let c = Config::load_with(&Overrides::default(), &env).expect("loads");
        assert_eq!(c.default_backend, "default");
        assert_eq!(c.backends.len(), 1);
        assert_eq!(
            c.backend,
            BackendConfig::Installed(InstalledConfig {
                group: Some("acme.recipes".into())
            })
        );
        // Without a file: the builtin recipes.
        let c = Config::load_with(&Overrides::default(), &env_of(&[])).expect("loads");
        assert_eq!(c.default_backend, "builtin");
        assert_eq!(c.backend, BackendConfig::Builtin);
    }
}
