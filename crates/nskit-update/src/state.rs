//! The state file.

use std::path::{Path, PathBuf};

use chrono::{DateTime, Utc};
use nskit_recipe::RecipeSource;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

/// The folder and file of the state, relative to the project root.
pub const STATE_DIR: &str = ".recipe";
/// The state file's name inside [`STATE_DIR`].
pub const STATE_FILE: &str = "config.yml";

/// What can go wrong with the state file.
#[derive(Debug, thiserror::Error)]
pub enum StateError {
    /// The project has no state file.
    #[error("{0} was not made from a recipe (no .recipe/config.yml)")]
    NotARecipeProject(PathBuf),
    /// The file is not valid.
    #[error("{path}: {message}")]
    Invalid {
        /// The file.
        path: PathBuf,
        /// What is wrong.
        message: String,
    },
    /// Reading or writing failed.
    #[error("{path}: {source}")]
    Io {
        /// The file.
        path: PathBuf,
        /// The underlying error.
        source: std::io::Error,
    },
}

/// The contents of `.recipe/config.yml`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ProjectState {
    /// The answers, nested, without secrets.
    #[serde(default)]
    pub input: Map<String, Value>,
    /// Which recipe made the project.
    pub metadata: Metadata,
    /// Keys this version does not know, kept as they were.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// The `metadata` section.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Metadata {
    /// The recipe's name.
    pub recipe_name: String,
    /// The recipe image, for recipes run in Docker (`ghcr.io/org/recipe:v1.0.0`).
    #[serde(default)]
    pub docker_image: Option<String>,
    /// The remote repository, once one is created.
    #[serde(default)]
    pub github_repo: Option<String>,
    /// When the project was generated.
    #[serde(default)]
    pub created_at: Option<DateTime<Utc>>,
    /// When it was last generated or updated.
    #[serde(default)]
    pub updated_at: Option<DateTime<Utc>>,
    /// The exact recipe version (files of the original nskit carry it in `docker_image`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub recipe_version: Option<String>,
    /// The backend the recipe came from.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<RecipeSource>,
    /// The nskit version that wrote the file.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub nskit_version: Option<String>,
    /// Keys this version does not know, kept as they were.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

impl Metadata {
    /// The recipe version: `recipe_version`, else the tag of `docker_image` as the original
    /// nskit records it.
    pub fn version(&self) -> Option<String> {
        self.recipe_version.clone().or_else(|| {
            let image = self.docker_image.as_deref()?;
            let (_, tag) = image.rsplit_once(':')?;
            (!tag.contains('/')).then(|| tag.to_string())
        })
    }
}

impl ProjectState {
    /// The path of the state file in a project.
    pub fn path_in(project: &Path) -> PathBuf {
        project.join(STATE_DIR).join(STATE_FILE)
    }

    /// The state file as YAML text.
    pub fn to_yaml(&self) -> String {
        nskit_recipe::yaml::to_string(self).unwrap_or_default()
    }

    /// Reads a project's state file.
    pub fn load(project: &Path) -> Result<ProjectState, StateError> {
        let path = Self::path_in(project);
        let text = match std::fs::read_to_string(&path) {
            Ok(t) => t,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                return Err(StateError::NotARecipeProject(project.to_path_buf()));
            }
            Err(source) => return Err(StateError::Io { path, source }),
        };
        Self::parse(&text, &path)
    }

    /// Parses state text; `path` is for messages.
    pub fn parse(text: &str, path: &Path) -> Result<ProjectState, StateError> {
        nskit_recipe::yaml::from_str(text).map_err(|e| StateError::Invalid {
            path: path.to_path_buf(),
            message: e.to_string(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_a_file_of_the_original_nskit() {
        let text = "input:\n  name: demo\n  repo: {owner: ada}\nrendered: {}\nmetadata:\n  recipe_name: python_package\n  docker_image: ghcr.io/org/python_package:v1.2.0\n  github_repo: null\n  created_at: '2026-01-02T03:04:05.123456Z'\n  updated_at: null\n";
        let s = ProjectState::parse(text, Path::new("config.yml")).expect("parses");
        assert_eq!(s.metadata.recipe_name, "python_package");
        assert_eq!(s.metadata.version().as_deref(), Some("v1.2.0"));
        assert_eq!(s.input["repo"]["owner"], "ada");
        let again = ProjectState::parse(&s.to_yaml(), Path::new("x")).expect("round trip");
        assert_eq!(
            again, s,
            "unknown keys such as `rendered` survive a rewrite"
        );
        assert!(s.to_yaml().contains("rendered: {}"));
    }

    #[test]
    fn image_without_tag_has_no_version() {
        let m = Metadata {
            recipe_name: "x".into(),
            docker_image: Some("localhost:5000/x".into()),
            github_repo: None,
            created_at: None,
            updated_at: None,
            recipe_version: None,
            source: None,
            nskit_version: None,
            extra: Map::new(),
        };
        assert_eq!(m.version(), None);
    }

    #[test]
    fn missing_file_is_a_clear_error() {
        let dir = tempfile::tempdir().expect("tempdir");
        let e = ProjectState::load(dir.path()).unwrap_err();
        assert!(e.to_string().contains("not made from a recipe"), "{e}");
    }
}
