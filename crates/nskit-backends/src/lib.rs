//! Where recipes are found. Every source of recipes implements [`RecipeBackend`]: list the
//! recipes, list a recipe's versions (semver-ordered, newest first), and load one version
//! into memory. This crate has the backends that need no network: `builtin` (recipes
//! compiled into the binary), `local` (`<dir>/<recipe>/<version>/`) and `installed`
//! (recipes installed for an entry-point group under the user data folder).
#![deny(missing_docs)]

mod builtin;
mod docker_local;
mod github;
mod installed;
mod local;
pub mod plugin;
mod registry;
pub mod registry_http;

use std::path::PathBuf;

pub use builtin::BuiltinBackend;
pub use docker_local::DockerLocalBackend;
pub use github::{GitHubBackend, GitHubSettings, unpack_archive, unpack_source_archive};
pub use installed::{DEFAULT_GROUP, InstalledBackend, install_recipe};
pub use local::LocalBackend;
pub use nskit_engine::RegistryCredentials;
pub use nskit_engine::recipe::{FORMAT_LABEL, NAME_LABEL, RECIPE_LABEL};
use nskit_progress::Reporter;
pub use nskit_recipe::RecipeSource;
use nskit_recipe::{Recipe, RecipeError, RecipeVersion};
pub use plugin::{PluginBackend, PluginDescription, PluginSettings};
pub use registry::{CredentialSource, RegistryBackend, RegistrySettings};
use serde::Serialize;
use ts_rs::TS;

/// The result type of this crate.
pub type Result<T, E = BackendError> = std::result::Result<T, E>;

/// What can go wrong while finding or loading a recipe.
#[derive(Debug, thiserror::Error)]
pub enum BackendError {
    /// No recipe of that name.
    #[error("no recipe named `{name}` in {backend}{}", list_hint(.available))]
    RecipeNotFound {
        /// The name asked for.
        name: String,
        /// The backend, described.
        backend: String,
        /// The names that do exist.
        available: Vec<String>,
    },
    /// The recipe exists but not in that version.
    #[error("recipe `{name}` has no version `{version}`{}", list_hint(.available))]
    VersionNotFound {
        /// The recipe.
        name: String,
        /// The version asked for.
        version: String,
        /// The versions that exist, newest first.
        available: Vec<String>,
    },
    /// The recipe itself is broken.
    #[error(transparent)]
    Recipe(#[from] RecipeError),
    /// A folder could not be read or written.
    #[error("{action} {path}: {source}")]
    Io {
        /// What was being done.
        action: &'static str,
        /// Where.
        path: PathBuf,
        /// The underlying error.
        source: std::io::Error,
    },
    /// Installing a recipe failed.
    #[error("cannot install: {0}")]
    Install(String),
    /// The Docker engine failed or is not there.
    #[error("{0}")]
    Engine(String),
    /// A registry could not be reached, refused, or answered nonsense.
    #[error("{0}")]
    Registry(String),
    /// A plug-in backend failed, or answered outside the protocol.
    #[error("{message}")]
    Plugin {
        /// The plug-in program.
        plugin: String,
        /// What happened (naming the plug-in) and how to fix it.
        message: String,
    },
    /// The operation was cancelled through its reporter.
    #[error("cancelled")]
    Cancelled,
    /// Anything else a backend reports (a custom backend's store failing): the message
    /// says what and how to fix it.
    #[error("{0}")]
    Other(String),
    /// A registry or host refused the credentials it was given, or wants some.
    #[error("{message}")]
    Unauthorized {
        /// The host to give credentials for.
        host: String,
        /// What happened and how to fix it.
        message: String,
    },
}

impl From<nskit_engine::EngineError> for BackendError {
    fn from(e: nskit_engine::EngineError) -> Self {
        match e {
            nskit_engine::EngineError::Cancelled => BackendError::Cancelled,
            e => BackendError::Engine(e.to_string()),
        }
    }
}

impl From<nskit_engine::recipe::LoadError> for BackendError {
    fn from(e: nskit_engine::recipe::LoadError) -> Self {
        match e {
            nskit_engine::recipe::LoadError::Engine(e) => e.into(),
            nskit_engine::recipe::LoadError::Recipe(e) => e.into(),
        }
    }
}

fn list_hint(available: &[String]) -> String {
    if available.is_empty() {
        String::new()
    } else {
        format!(" (available: {})", available.join(", "))
    }
}

/// A recipe as listed in a catalogue.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct RecipeInfo {
    /// The name to ask for.
    pub name: String,
    /// What it makes.
    pub description: String,
    /// Words to filter by.
    pub tags: Vec<String>,
    /// Its versions, newest first (semver, then other tags).
    pub versions: Vec<String>,
    /// The version used when none is asked for.
    pub latest: Option<String>,
}

/// A source of recipes.
pub trait RecipeBackend: Send + Sync {
    /// The kind of backend (`builtin`, `local`, ...).
    fn kind(&self) -> &'static str;

    /// A short description for messages ("the local folder ./recipes").
    fn describe(&self) -> String;

    /// Every recipe, sorted by name.
    fn list(&self) -> Result<Vec<RecipeInfo>>;

    /// A recipe's versions, newest first.
    fn versions(&self, name: &str) -> Result<Vec<RecipeVersion>>;

    /// Loads one version of a recipe into memory, reporting what takes time (a pull, a
    /// download) to `reporter` and stopping when it is cancelled.
    fn load(&self, name: &str, version: &RecipeVersion, reporter: &Reporter) -> Result<Recipe>;

    /// Where recipes of this backend come from, for the state file.
    fn source(&self) -> RecipeSource;

    /// Where one version came from (with the exact image and digest for image backends).
    fn source_of(&self, name: &str, version: &RecipeVersion) -> Result<RecipeSource> {
        let _ = (name, version);
        Ok(self.source())
    }

    /// Loads the version a project recorded: for image backends, the exact image of
    /// `source.digest` when it can still be had (a tag may have been pushed again since),
    /// else the version's current image with a warning saying so.
    fn load_recorded(
        &self,
        name: &str,
        version: &RecipeVersion,
        source: Option<&RecipeSource>,
        reporter: &Reporter,
    ) -> Result<(Recipe, Option<String>)> {
        let _ = source;
        Ok((self.load(name, version, reporter)?, None))
    }

    /// Things the user should know about the last listing (such as a catalogue served
    /// from the cache because the registry cannot be reached).
    fn notices(&self) -> Vec<String> {
        vec![]
    }

    /// Resolves a version: the one asked for (`1.2.0` matches `v1.2.0`), else the latest.
    fn resolve_version(&self, name: &str, wanted: Option<&str>) -> Result<RecipeVersion> {
        let versions = self.versions(name)?;
        let available = || versions.iter().map(|v| v.to_string()).collect();
        match wanted {
            Some(w) => versions
                .iter()
                .find(|v| v.matches(w))
                .cloned()
                .ok_or_else(|| BackendError::VersionNotFound {
                    name: name.to_string(),
                    version: w.to_string(),
                    available: available(),
                }),
            None => RecipeVersion::latest(&versions).cloned().ok_or_else(|| {
                BackendError::VersionNotFound {
                    name: name.to_string(),
                    version: "latest".into(),
                    available: vec![],
                }
            }),
        }
    }
}

/// Builds a catalogue entry from a manifest and versions (newest first).
pub(crate) fn info(
    name: &str,
    manifest: Option<&nskit_recipe::Manifest>,
    versions: &[RecipeVersion],
) -> RecipeInfo {
    RecipeInfo {
        name: name.to_string(),
        description: manifest
            .map(|m| m.description.trim().to_string())
            .unwrap_or_default(),
        tags: manifest.map(|m| m.tags.clone()).unwrap_or_default(),
        versions: versions.iter().map(|v| v.to_string()).collect(),
        latest: RecipeVersion::latest(versions).map(|v| v.to_string()),
    }
}
