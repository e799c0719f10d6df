//! The configuration file's schema: what `config.yaml` may say, each backend type's keys
//! with their JSON Schema (the preferences pane draws its forms from it), the git host and
//! its conventions, and the app's own settings.
use std::path::PathBuf;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use ts_rs::TS;

/// Which backend lists and loads recipes, by `type`.
#[derive(Debug, Clone, PartialEq)]
pub enum BackendConfig {
    /// The recipes compiled into nskit (the default).
    Builtin,
    /// `<recipes_dir>/<recipe>/<version>/`.
    Local(LocalConfig),
    /// Recipes installed for an entry-point group.
    Installed(InstalledConfig),
    /// Images of the local Docker engine labelled `nskit.recipe=true`.
    DockerLocal(DockerLocalConfig),
    /// A container registry (Registry HTTP API v2): repositories under `image_prefix`, one
    /// version per tag.
    Docker(Box<RegistryConfig>),
    /// An organisation's GitHub repositories matching `repo_pattern`, one version per
    /// release.
    Github(Box<GitHubConfig>),
    /// A type nskit does not build in: one the program registered
    /// ([`BackendTypes::register`](super::BackendTypes::register)), else one served by the
    /// plug-in `nskit-backend-<type>`.
    Other(OtherBackendConfig),
}

/// The settings of a backend type nskit does not build in, as written (but `type`).
#[derive(Debug, Clone, PartialEq)]
pub struct OtherBackendConfig {
    /// The `type` word.
    pub type_name: String,
    /// Every other key.
    pub settings: serde_json::Map<String, serde_json::Value>,
}

/// The types nskit builds in.
pub const BUILT_IN_TYPES: [&str; 6] = [
    "builtin",
    "local",
    "installed",
    "docker-local",
    "docker",
    "github",
];

impl BackendConfig {
    /// The `type` word.
    pub fn type_name(&self) -> &str {
        match self {
            BackendConfig::Builtin => "builtin",
            BackendConfig::Local(_) => "local",
            BackendConfig::Installed(_) => "installed",
            BackendConfig::DockerLocal(_) => "docker-local",
            BackendConfig::Docker(_) => "docker",
            BackendConfig::Github(_) => "github",
            BackendConfig::Other(o) => &o.type_name,
        }
    }

    /// Reads a backend from its `type` and its other keys.
    pub fn from_parts(
        type_name: &str,
        settings: serde_json::Map<String, serde_json::Value>,
    ) -> std::result::Result<BackendConfig, String> {
        fn parse<T: serde::de::DeserializeOwned>(
            settings: serde_json::Map<String, serde_json::Value>,
        ) -> std::result::Result<T, String> {
            serde_json::from_value(serde_json::Value::Object(settings)).map_err(|e| e.to_string())
        }
        Ok(match type_name {
            "builtin" => match settings.keys().next() {
                Some(k) => {
                    return Err(format!(
                        "unknown field `{k}`: the builtin backend has no settings"
                    ));
                }
                None => BackendConfig::Builtin,
            },
            "local" => BackendConfig::Local(parse(settings)?),
            "installed" => BackendConfig::Installed(parse(settings)?),
            "docker-local" => BackendConfig::DockerLocal(parse(settings)?),
            "docker" => BackendConfig::Docker(Box::new(parse(settings)?)),
            "github" => BackendConfig::Github(Box::new(parse(settings)?)),
            other => {
                if !nskit_plugin::valid_name(other) {
                    return Err(format!(
                        "`{other}` is not a backend type: built in are {}; other types are \
                         lower-case words served by a plug-in (`nskit-backend-<type>`)",
                        BUILT_IN_TYPES.join(", ")
                    ));
                }
                BackendConfig::Other(OtherBackendConfig {
                    type_name: other.to_string(),
                    settings,
                })
            }
        })
    }

    /// Its keys but `type`, as JSON.
    pub fn settings(&self) -> serde_json::Map<String, serde_json::Value> {
        fn to<T: Serialize>(t: &T) -> serde_json::Map<String, serde_json::Value> {
            match serde_json::to_value(t) {
                Ok(serde_json::Value::Object(m)) => m,
                _ => serde_json::Map::new(),
            }
        }
        match self {
            BackendConfig::Builtin => serde_json::Map::new(),
            BackendConfig::Local(c) => to(c),
            BackendConfig::Installed(c) => to(c),
            BackendConfig::DockerLocal(c) => to(c),
            BackendConfig::Docker(c) => to(c),
            BackendConfig::Github(c) => to(c),
            BackendConfig::Other(o) => o.settings.clone(),
        }
    }
}

impl Serialize for BackendConfig {
    fn serialize<S: serde::Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        let mut map = serde_json::Map::new();
        map.insert("type".into(), self.type_name().into());
        map.extend(self.settings());
        map.serialize(s)
    }
}

impl<'de> Deserialize<'de> for BackendConfig {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
        use serde::de::Error as _;
        let mut map = serde_json::Map::<String, serde_json::Value>::deserialize(d)?;
        let type_name = match map.remove("type") {
            Some(serde_json::Value::String(t)) => t,
            Some(other) => {
                return Err(D::Error::custom(format!(
                    "`type` must be a word, not {other}"
                )));
            }
            None => return Err(D::Error::missing_field("type")),
        };
        BackendConfig::from_parts(&type_name, map).map_err(D::Error::custom)
    }
}

/// The `local` backend's settings.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct LocalConfig {
    /// The folder holding `<recipe>/<version>/` (relative to the configuration file).
    #[serde(alias = "path")]
    #[schemars(title = "Recipes folder", extend("format" = "path"))]
    pub recipes_dir: PathBuf,
}

/// The `installed` backend's settings.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct InstalledConfig {
    /// The entry-point group (`mycompany.recipes`); the configured `entrypoint_group` when
    /// absent.
    #[serde(default, alias = "entrypoint", skip_serializing_if = "Option::is_none")]
    #[schemars(title = "Entry-point group")]
    pub group: Option<String>,
}

/// The `docker-local` backend's settings.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct DockerLocalConfig {
    /// The engine's socket (`unix:///...`, `tcp://...`); else `DOCKER_HOST`, else the
    /// top-level `docker_host`, else the default socket.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(title = "Docker engine")]
    pub docker_host: Option<String>,
}

/// The `github` backend's settings (the original's keys, and more).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct GitHubConfig {
    /// The organisation (or user) whose repositories are recipes.
    #[schemars(title = "Organisation")]
    pub org: String,
    /// Which repositories are recipes; `{recipe_name}` stands for the name.
    #[serde(default = "default_repo_pattern")]
    #[schemars(title = "Repository pattern")]
    pub repo_pattern: String,
    /// Only repositories with this topic.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(title = "Topic")]
    pub topic: Option<String>,
    /// Prereleases are versions too.
    #[serde(default)]
    #[schemars(title = "Include prereleases")]
    pub prereleases: bool,
    /// The API (GitHub Enterprise: `https://HOST/api/v3`).
    #[serde(default = "default_api_url")]
    #[schemars(title = "API URL", extend("format" = "uri"))]
    pub api_url: String,
    /// The registry of the recipes' images, whose labels name them (`ghcr.io`; `none` to
    /// skip).
    #[serde(default = "default_image_registry")]
    #[schemars(title = "Image registry")]
    pub image_registry: String,
    /// The original's key: a token, written as `${VAR}`; else NSKIT_GITHUB_TOKEN,
    /// GITHUB_TOKEN, the keychain.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(title = "Token", extend("x-secret" = true))]
    pub token: Option<String>,
    /// The original's entry-point group (accepted, unused).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(skip)]
    pub entrypoint: Option<String>,
}

pub(crate) fn default_repo_pattern() -> String {
    "{recipe_name}".into()
}

pub(crate) fn default_image_registry() -> String {
    "ghcr.io".into()
}

/// The `docker` backend's settings.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RegistryConfig {
    /// `ghcr.io`, `registry.example.com`, `http://127.0.0.1:5000`.
    #[serde(default = "default_registry")]
    #[schemars(title = "Registry")]
    pub registry_url: String,
    /// The repositories under this path are recipes (`acme/recipes`).
    #[serde(default)]
    #[schemars(title = "Image prefix")]
    pub image_prefix: String,
    /// The repositories to read, relative to the prefix, for registries without a
    /// catalogue (GHCR, Docker Hub); by default the catalogue is read.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    #[schemars(title = "Repositories")]
    pub repositories: Vec<String>,
    /// How to sign in; else NSKIT_REGISTRY_USERNAME / NSKIT_REGISTRY_PASSWORD (or
    /// NSKIT_REGISTRY_TOKEN), else the keychain (`nskit login`), else anonymously.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(skip)]
    pub credentials: Option<CredentialsConfig>,
    /// The original nskit's key: a token (written as `${VAR}`), sent with the user name
    /// `token`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(skip)]
    pub auth_token: Option<String>,
    /// The Docker engine that pulls and runs the images; else `DOCKER_HOST`, else the
    /// top-level `docker_host`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(title = "Docker engine")]
    pub docker_host: Option<String>,
    /// How long a listing is reused before the registry is asked again, in seconds (600).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(title = "Cache time (seconds)", range(min = 0))]
    pub cache_ttl_secs: Option<u64>,
    /// The original nskit's time-outs (accepted; nskit's own limits apply).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(skip)]
    pub timeouts: Option<serde_json::Value>,
    /// The original nskit's entry-point group (accepted, unused: images carry their recipe).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(skip)]
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
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct CredentialsConfig {
    /// The user name.
    pub username: String,
    /// The password or token (`${REGISTRY_TOKEN}`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub password: Option<String>,
    /// The environment variable holding the password.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub password_env: Option<String>,
}

pub(crate) fn default_registry() -> String {
    "ghcr.io".into()
}

/// The app's colour scheme.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema, TS)]
#[serde(rename_all = "lowercase")]
#[ts(export)]
pub enum Theme {
    /// As the system says.
    #[default]
    System,
    /// Light.
    Light,
    /// Dark.
    Dark,
}

/// The configuration file, `$XDG_CONFIG_HOME/nskit/config.yaml`. `${VAR}` is expanded.
/// Keys nskit does not know are kept in the file and reported, not refused (a newer
/// nskit, or a plug-in, may know them).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ConfigFile {
    /// The backend, in the original's single-backend form (named `default`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub backend: Option<BackendConfig>,
    /// Named backends; the app's catalogue switches between them.
    #[serde(default, skip_serializing_if = "indexmap::IndexMap::is_empty")]
    pub backends: indexmap::IndexMap<String, BackendConfig>,
    /// The name of the backend used when none is asked for.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub default_backend: Option<String>,
    /// The entry-point group of installed recipes (`mycompany.recipes`).
    #[serde(default, skip_serializing_if = "Option::is_none", alias = "entrypoint")]
    pub entrypoint_group: Option<String>,
    /// Where projects' repositories are created.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub vcs: Option<VcsConfig>,
    /// The Docker engine recipes run on (`unix:///...`, `tcp://...`); `DOCKER_HOST` wins
    /// over it, as the environment does over the file.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub docker_host: Option<String>,
    /// The folder new projects are created in, unless another is picked.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub output_dir: Option<PathBuf>,
    /// The desktop app's colour scheme.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub theme: Option<Theme>,
    /// `nskit serve`: the web API's address, workspace, token and limits.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub serve: Option<ServeConfig>,
    /// Keys nskit does not know, kept as written.
    #[serde(flatten)]
    pub unknown: serde_json::Map<String, serde_json::Value>,
}

/// `nskit serve`'s settings.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ServeConfig {
    /// The address to listen on (`127.0.0.1:8350`; another interface only when asked).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bind: Option<String>,
    /// The folder projects are created in and updated from.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub workspace: Option<PathBuf>,
    /// The bearer token mutating calls need, written as `${VARIABLE}`; else
    /// NSKIT_SERVE__TOKEN, else the OS keychain (`nskit serve --store-token`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub token: Option<String>,
    /// The largest request body, in bytes (1 MiB).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_body_bytes: Option<usize>,
    /// How many creations and updates run at once; the others wait (4).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_operations: Option<usize>,
}

/// The git host projects are published to, and its conventions.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct VcsConfig {
    /// The provider: `github` (GitHub and GitHub Enterprise), `gitlab`, one the program
    /// registered, or a plug-in's (`nskit-vcs-<provider>` on PATH).
    #[serde(default = "default_provider")]
    #[schemars(title = "Provider")]
    pub provider: String,
    /// The API: `https://api.github.com`, an Enterprise server's `https://HOST/api/v3`,
    /// GitLab's `https://HOST/api/v4` (gitlab.com's when the provider is `gitlab` and this
    /// is left as it is).
    #[serde(default = "default_api_url")]
    #[schemars(title = "API URL")]
    pub api_url: String,
    /// The organisation repositories are created in; the token's user when absent.
    #[serde(
        default,
        alias = "organization",
        skip_serializing_if = "Option::is_none"
    )]
    #[schemars(title = "Organisation")]
    pub organisation: Option<String>,
    /// New repositories are private unless this is `false`.
    #[serde(default = "default_true")]
    #[schemars(title = "Private repositories")]
    pub private: bool,
    /// Topics given to new repositories.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    #[schemars(title = "Topics")]
    pub topics: Vec<String>,
    /// The naming conventions project names are checked against.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(title = "Naming conventions")]
    pub namespaces: Option<NamespacesConfig>,
    /// More repository settings for the host's API, as they are (`has_wiki: false`,
    /// `delete_branch_on_merge: true`).
    #[serde(default, skip_serializing_if = "serde_json::Map::is_empty")]
    #[schemars(skip)]
    pub settings: serde_json::Map<String, serde_json::Value>,
    /// Protection of the default branch, set after the first push.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(skip)]
    pub branch_protection: Option<nskit_vcs::BranchProtection>,
    /// The organisation's custom properties given to each new repository (GitHub).
    #[serde(default, skip_serializing_if = "serde_json::Map::is_empty")]
    #[schemars(skip)]
    pub custom_properties: serde_json::Map<String, serde_json::Value>,
    /// A plug-in provider's program (else `nskit-vcs-<provider>` on PATH).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(skip)]
    pub command: Option<PathBuf>,
}

/// Where the naming tree comes from and how strictly it applies.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct NamespacesConfig {
    /// A YAML file (the original's `namespaces.yaml`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(title = "File", extend("format" = "path"))]
    pub file: Option<PathBuf>,
    /// A repository of the organisation holding `namespaces.yaml` (the original's
    /// `.namespaces`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(title = "Repository")]
    pub repository: Option<String>,
    /// `strict` (refuse), `warn` (say so and go on) or `none`.
    #[serde(default)]
    #[schemars(title = "Level", with = "String")]
    pub level: nskit_vcs::namespaces::Level,
}

pub(crate) fn default_provider() -> String {
    "github".into()
}

pub(crate) fn default_api_url() -> String {
    nskit_vcs::GITHUB_API.into()
}

fn default_true() -> bool {
    true
}

impl VcsConfig {
    /// A git host on `github.com` with the defaults.
    pub fn github() -> VcsConfig {
        VcsConfig {
            provider: default_provider(),
            api_url: default_api_url(),
            organisation: None,
            private: true,
            topics: vec![],
            namespaces: None,
            settings: serde_json::Map::new(),
            branch_protection: None,
            custom_properties: serde_json::Map::new(),
            command: None,
        }
    }

    /// The API: the one configured, else the provider's public one (`gitlab.com`'s for
    /// GitLab).
    pub fn api(&self) -> String {
        if self.provider == "gitlab" && self.api_url == default_api_url() {
            nskit_vcs::GITLAB_API.into()
        } else {
            self.api_url.clone()
        }
    }

    /// The host tokens are stored for (`github.com`).
    pub fn host(&self) -> String {
        nskit_vcs::github_host(&self.api())
    }
}

/// A kind of backend, for a form: its `type`, a name and description for people, and the
/// JSON Schema of its settings (each property with a `title`; `format: path` for folders;
/// `x-secret` for a secret, which is kept in the keychain, not in the file).
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct BackendType {
    /// The `type` word.
    pub name: String,
    /// For people.
    pub label: String,
    /// What it lists.
    pub description: String,
    /// The JSON Schema of its settings.
    #[ts(type = "Record<string, unknown>")]
    pub schema: serde_json::Value,
}

fn schema_of<T: JsonSchema>() -> serde_json::Value {
    serde_json::to_value(schemars::schema_for!(T)).unwrap_or_default()
}

/// The backend types nskit builds, with the schema of each one's settings.
pub fn backend_types() -> Vec<BackendType> {
    let t = |name: &str, label: &str, description: &str, schema: serde_json::Value| BackendType {
        name: name.into(),
        label: label.into(),
        description: description.into(),
        schema,
    };
    vec![
        t(
            "builtin",
            "Built-in recipes",
            "The recipes that come with nskit.",
            serde_json::json!({"type": "object", "properties": {}}),
        ),
        t(
            "local",
            "Local folder",
            "Recipes in a folder, one sub-folder per recipe and version: RECIPE/VERSION/.",
            schema_of::<LocalConfig>(),
        ),
        t(
            "installed",
            "Installed recipes",
            "Recipes installed for an entry-point group (nskit install).",
            schema_of::<InstalledConfig>(),
        ),
        t(
            "docker-local",
            "Local Docker images",
            "Images on the Docker engine labelled nskit.recipe=true; one version per tag.",
            schema_of::<DockerLocalConfig>(),
        ),
        t(
            "docker",
            "Container registry",
            "Recipe images in a registry (GHCR, Docker Hub, Harbor, Distribution); one version per tag.",
            schema_of::<RegistryConfig>(),
        ),
        t(
            "github",
            "GitHub organisation",
            "An organisation's repositories, one version per release.",
            schema_of::<GitHubConfig>(),
        ),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_backend_type_publishes_the_schema_of_its_settings() {
        let types = backend_types();
        let names: Vec<&str> = types.iter().map(|t| t.name.as_str()).collect();
        assert_eq!(
            names,
            [
                "builtin",
                "local",
                "installed",
                "docker-local",
                "docker",
                "github"
            ]
        );
        let docker = &types[4].schema;
        let props = docker["properties"].as_object().expect("properties");
        assert_eq!(props["registry_url"]["title"], "Registry");
        assert_eq!(props["image_prefix"]["type"], "string");
        assert!(props.contains_key("cache_ttl_secs"));
        // Secrets and the original's unused keys are not form fields.
        assert!(!props.contains_key("auth_token"), "{props:?}");
        assert!(!props.contains_key("credentials"));
        let local = &types[1].schema;
        assert_eq!(local["properties"]["recipes_dir"]["format"], "path");
        assert_eq!(local["required"], serde_json::json!(["recipes_dir"]));
        let github = &types[5].schema;
        assert_eq!(github["properties"]["token"]["x-secret"], true);
        // Every type's name is what `type:` says in a file.
        for t in &types {
            let raw = serde_json::json!({"type": t.name, "recipes_dir": "x", "org": "o"});
            let parsed: Result<BackendConfig, _> = serde_json::from_value(raw);
            if let Ok(b) = parsed {
                assert_eq!(b.type_name(), t.name);
            }
        }
    }
}
