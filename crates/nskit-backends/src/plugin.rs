//! Backends served by another program: a `type:` nothing built in knows is served by
//! `nskit-backend-<type>` on PATH (or the configuration's `command:`), over the plug-in
//! protocol (`nskit-plugin`). Methods: `describe` (what the type is and its settings'
//! JSON Schema), `list`, `versions`, `fetch` (a version's files into a folder, or the image
//! holding it).
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use nskit_engine::{Limits, SharedEngine, recipe::load_from_image};
use nskit_plugin::{Plugin, PluginError};
use nskit_progress::Reporter;
use nskit_recipe::{Recipe, RecipeSource, RecipeVersion};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use crate::{BackendError, RecipeBackend, RecipeInfo, Result};

/// The program name's prefix of backend plug-ins.
pub const PREFIX: &str = "nskit-backend-";

/// How to reach a plug-in backend and what to tell it.
#[derive(Debug, Clone)]
pub struct PluginSettings {
    /// The `type` it serves.
    pub type_name: String,
    /// The program; `nskit-backend-<type>` on PATH when absent.
    pub command: Option<PathBuf>,
    /// Its own settings (the configuration's keys but `type`, `command` and
    /// `timeout_secs`), `${VAR}` already expanded.
    pub config: serde_json::Map<String, Value>,
    /// The time limit of `describe`, `list` and `versions`.
    pub timeout: Duration,
    /// The time limit of `fetch` (it may download a lot).
    pub fetch_timeout: Duration,
    /// The engine that pulls and reads a version's image, when the plug-in names one.
    pub docker_host: Option<String>,
}

impl PluginSettings {
    /// A plug-in of `type_name` with the default limits (30 s; 10 min to fetch).
    pub fn new(type_name: impl Into<String>) -> PluginSettings {
        PluginSettings {
            type_name: type_name.into(),
            command: None,
            config: serde_json::Map::new(),
            timeout: Duration::from_secs(30),
            fetch_timeout: Duration::from_secs(600),
            docker_host: None,
        }
    }
}

/// What a plug-in says about its type (`describe`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PluginDescription {
    /// A name for people ("Amazon S3").
    #[serde(default)]
    pub label: String,
    /// What it lists.
    #[serde(default)]
    pub description: String,
    /// The JSON Schema of its settings.
    #[serde(default = "empty_schema")]
    pub schema: Value,
}

fn empty_schema() -> Value {
    json!({"type": "object", "properties": {}})
}

#[derive(Deserialize)]
struct Listed {
    recipes: Vec<ListedRecipe>,
}

#[derive(Deserialize)]
struct ListedRecipe {
    name: String,
    #[serde(default)]
    description: String,
    #[serde(default)]
    tags: Vec<String>,
    #[serde(default)]
    versions: Vec<String>,
}

#[derive(Deserialize)]
struct Versions {
    versions: Vec<String>,
}

#[derive(Deserialize)]
struct Fetched {
    #[serde(default)]
    image: Option<String>,
    #[serde(default)]
    location: Option<String>,
}

/// A backend served by a plug-in program.
pub struct PluginBackend {
    settings: PluginSettings,
    config: Value,
    engine: Arc<SharedEngine>,
    limits: Limits,
}

impl std::fmt::Debug for PluginBackend {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // The settings may hold secrets: only the type is shown.
        f.debug_struct("PluginBackend")
            .field("type", &self.settings.type_name)
            .finish_non_exhaustive()
    }
}

/// Whether a settings key holds a secret, by its name.
fn secret_key(key: &str) -> bool {
    let k = key.to_ascii_lowercase();
    [
        "token",
        "password",
        "secret",
        "private_key",
        "access_key",
        "credentials",
    ]
    .iter()
    .any(|s| k.contains(s))
}

fn register_secrets(v: &Value, secret: bool) {
    match v {
        Value::String(s) if secret => nskit_secret::register(s),
        Value::Object(m) => {
            for (k, v) in m {
                register_secrets(v, secret || secret_key(k));
            }
        }
        Value::Array(a) => a.iter().for_each(|v| register_secrets(v, secret)),
        _ => {}
    }
}

impl PluginBackend {
    /// A backend served by the plug-in `settings` name.
    pub fn new(settings: PluginSettings) -> PluginBackend {
        let config = Value::Object(settings.config.clone());
        // Its log and its errors must not show what it was given to sign in with.
        register_secrets(&config, false);
        PluginBackend {
            engine: SharedEngine::new(settings.docker_host.clone()),
            settings,
            config,
            limits: Limits::default(),
        }
    }

    /// The `type` served.
    pub fn type_name(&self) -> &str {
        &self.settings.type_name
    }

    fn plugin(&self) -> Result<Plugin> {
        match &self.settings.command {
            Some(c) => Ok(Plugin::new(c)),
            None => Plugin::find(PREFIX, &self.settings.type_name).map_err(|e| self.error(e)),
        }
    }

    fn call(&self, method: &str, params: Value, reporter: &Reporter) -> Result<Value> {
        let timeout = if method == "fetch" {
            self.settings.fetch_timeout
        } else {
            self.settings.timeout
        };
        self.plugin()?
            .call(method, &self.config, &params, timeout, reporter)
            .map_err(|e| self.error(e))
    }

    fn parse<T: serde::de::DeserializeOwned>(&self, method: &str, v: Value) -> Result<T> {
        serde_json::from_value(v).map_err(|e| BackendError::Plugin {
            plugin: self.label(),
            message: format!(
                "{}: its answer to `{method}` does not have the protocol's shape ({e}); see docs/plugin-protocol.md",
                self.label()
            ),
        })
    }

    fn label(&self) -> String {
        match &self.settings.command {
            Some(c) => c.display().to_string(),
            None => format!("{PREFIX}{}", self.settings.type_name),
        }
    }

    fn error(&self, e: PluginError) -> BackendError {
        match e {
            PluginError::Cancelled => BackendError::Cancelled,
            PluginError::Refused(r) => {
                let nskit_plugin::Refusal {
                    code,
                    message,
                    details,
                    method,
                    ..
                } = *r;
                let strings = |k: &str| -> Vec<String> {
                    details[k]
                        .as_array()
                        .map(|a| {
                            a.iter()
                                .filter_map(|v| v.as_str().map(str::to_string))
                                .collect()
                        })
                        .unwrap_or_default()
                };
                match code.as_str() {
                    "unauthorized" => BackendError::Unauthorized {
                        host: details["host"].as_str().unwrap_or_default().to_string(),
                        message: format!("{}: {message}", self.label()),
                    },
                    "not_found" if method == "versions" || details["version"].is_string() => {
                        BackendError::VersionNotFound {
                            name: details["recipe"].as_str().unwrap_or_default().to_string(),
                            version: details["version"].as_str().unwrap_or_default().to_string(),
                            available: strings("available"),
                        }
                    }
                    "not_found" => BackendError::RecipeNotFound {
                        name: details["recipe"].as_str().unwrap_or_default().to_string(),
                        backend: self.describe(),
                        available: strings("available"),
                    },
                    _ => BackendError::Plugin {
                        plugin: self.label(),
                        message: format!("{}: {message}", self.label()),
                    },
                }
            }
            other => BackendError::Plugin {
                plugin: self.label(),
                message: other.to_string(),
            },
        }
    }

    /// What the plug-in says about its type: a name, a description, its settings' schema.
    pub fn describe_type(&self) -> Result<PluginDescription> {
        let v = self.call("describe", json!({}), &Reporter::silent())?;
        self.parse("describe", v)
    }
}

impl RecipeBackend for PluginBackend {
    fn kind(&self) -> &'static str {
        "plugin"
    }

    fn describe(&self) -> String {
        format!(
            "the `{}` backend ({})",
            self.settings.type_name,
            self.label()
        )
    }

    fn list(&self) -> Result<Vec<RecipeInfo>> {
        let v = self.call("list", json!({}), &Reporter::silent())?;
        let listed: Listed = self.parse("list", v)?;
        let mut out: Vec<RecipeInfo> = listed
            .recipes
            .into_iter()
            .map(|r| {
                let mut versions: Vec<RecipeVersion> =
                    r.versions.iter().map(RecipeVersion::new).collect();
                RecipeVersion::sort_newest_first(&mut versions);
                RecipeInfo {
                    name: r.name,
                    description: r.description.trim().to_string(),
                    tags: r.tags,
                    latest: RecipeVersion::latest(&versions).map(|v| v.to_string()),
                    versions: versions.iter().map(|v| v.to_string()).collect(),
                }
            })
            .collect();
        out.sort_by(|a, b| a.name.cmp(&b.name));
        Ok(out)
    }

    fn versions(&self, name: &str) -> Result<Vec<RecipeVersion>> {
        let v = self.call("versions", json!({"recipe": name}), &Reporter::silent())?;
        let got: Versions = self.parse("versions", v)?;
        let mut versions: Vec<RecipeVersion> =
            got.versions.iter().map(RecipeVersion::new).collect();
        RecipeVersion::sort_newest_first(&mut versions);
        Ok(versions)
    }

    fn load(&self, name: &str, version: &RecipeVersion, reporter: &Reporter) -> Result<Recipe> {
        let dir = tempfile::tempdir().map_err(|source| BackendError::Io {
            action: "cannot create a temporary folder in",
            path: std::env::temp_dir(),
            source,
        })?;
        let v = self.call(
            "fetch",
            json!({
                "recipe": name,
                "version": version.as_str(),
                "destination": dir.path(),
            }),
            reporter,
        )?;
        let fetched: Fetched = self.parse("fetch", v)?;
        if let Some(image) = fetched.image.filter(|i| !i.is_empty()) {
            let engine = self.engine.get()?;
            engine.pull(&image, None, reporter)?;
            let details = engine.inspect(&image)?.ok_or_else(|| {
                BackendError::Engine(format!("{image} is not on the engine after its pull"))
            })?;
            return Ok(load_from_image(
                &self.engine,
                &image,
                name,
                &details.labels,
                &self.limits,
                reporter,
            )?);
        }
        // Large files stay in the folder, which lives as long as the recipe.
        Recipe::from_temp_dir(dir, std::path::Path::new("")).map_err(|e| BackendError::Plugin {
            plugin: self.label(),
            message: format!(
                "{}: `fetch` of {name} {version}{} did not leave a recipe in the folder it was given: {e}",
                self.label(),
                fetched
                    .location
                    .map(|l| format!(" (from {l})"))
                    .unwrap_or_default()
            ),
        })
    }

    fn source(&self) -> RecipeSource {
        RecipeSource {
            backend: self.settings.type_name.clone(),
            location: None,
            image: None,
            digest: None,
        }
    }
}
