use nskit_progress::Reporter;
use std::path::{Path, PathBuf};

use nskit_recipe::{Manifest, Recipe, RecipeVersion};

use crate::{BackendError, RecipeBackend, RecipeInfo, RecipeSource, Result, info};

/// Recipes in a folder laid out as `<dir>/<recipe>/<version>/recipe.yaml`.
#[derive(Debug, Clone)]
pub struct LocalBackend {
    root: PathBuf,
}

fn visible_dirs(dir: &Path) -> Result<Vec<(String, PathBuf)>> {
    let entries = std::fs::read_dir(dir).map_err(|source| BackendError::Io {
        action: "cannot read the recipes folder",
        path: dir.to_path_buf(),
        source,
    })?;
    let mut out: Vec<(String, PathBuf)> = entries
        .flatten()
        .filter(|e| e.file_type().is_ok_and(|t| t.is_dir()) || e.path().is_dir())
        .filter_map(|e| {
            let name = e.file_name().to_string_lossy().into_owned();
            (!name.starts_with('.')).then(|| (name, e.path()))
        })
        .collect();
    out.sort();
    Ok(out)
}

impl LocalBackend {
    /// A backend over `root`.
    pub fn new(root: impl Into<PathBuf>) -> LocalBackend {
        LocalBackend { root: root.into() }
    }

    /// The recipes folder.
    pub fn root(&self) -> &Path {
        &self.root
    }

    fn version_dirs(&self, name: &str) -> Result<Vec<(RecipeVersion, PathBuf)>> {
        let dir = self.root.join(name);
        if name.contains(['/', '\\']) || name.starts_with('.') || !dir.is_dir() {
            let available = self.list_names()?;
            return Err(BackendError::RecipeNotFound {
                name: name.into(),
                backend: self.describe(),
                available,
            });
        }
        let mut out: Vec<(RecipeVersion, PathBuf)> = visible_dirs(&dir)?
            .into_iter()
            .filter(|(_, p)| Manifest::path_in(p).is_file())
            .map(|(v, p)| (RecipeVersion::new(v), p))
            .collect();
        out.sort_by(|a, b| b.0.cmp(&a.0));
        Ok(out)
    }

    fn list_names(&self) -> Result<Vec<String>> {
        Ok(visible_dirs(&self.root)?
            .into_iter()
            .filter(|(_, p)| {
                visible_dirs(p)
                    .is_ok_and(|vs| vs.iter().any(|(_, v)| Manifest::path_in(v).is_file()))
            })
            .map(|(n, _)| n)
            .collect())
    }
}

impl RecipeBackend for LocalBackend {
    fn kind(&self) -> &'static str {
        "local"
    }

    fn describe(&self) -> String {
        format!("the local folder {}", self.root.display())
    }

    fn list(&self) -> Result<Vec<RecipeInfo>> {
        let mut out = Vec::new();
        for name in self.list_names()? {
            let versions = self.version_dirs(&name)?;
            let tags: Vec<RecipeVersion> = versions.iter().map(|(v, _)| v.clone()).collect();
            // Describe the recipe by its latest version's manifest; a broken manifest still lists.
            let latest = RecipeVersion::latest(&tags).cloned();
            let manifest = latest
                .and_then(|l| {
                    versions
                        .iter()
                        .find(|(v, _)| *v == l)
                        .map(|(_, p)| p.clone())
                })
                .and_then(|p| Manifest::from_file(&Manifest::path_in(&p)).ok());
            out.push(info(&name, manifest.as_ref(), &tags));
        }
        Ok(out)
    }

    fn versions(&self, name: &str) -> Result<Vec<RecipeVersion>> {
        Ok(self
            .version_dirs(name)?
            .into_iter()
            .map(|(v, _)| v)
            .collect())
    }

    fn load(&self, name: &str, version: &RecipeVersion, reporter: &Reporter) -> Result<Recipe> {
        reporter.check().map_err(|_| BackendError::Cancelled)?;
        let versions = self.version_dirs(name)?;
        let (_, dir) = versions
            .iter()
            .find(|(v, _)| v.matches(version.as_str()))
            .ok_or_else(|| BackendError::VersionNotFound {
                name: name.into(),
                version: version.to_string(),
                available: versions.iter().map(|(v, _)| v.to_string()).collect(),
            })?;
        Ok(Recipe::from_dir(dir)?)
    }

    fn source(&self) -> RecipeSource {
        RecipeSource {
            backend: "local".into(),
            location: Some(self.root.display().to_string()),
            image: None,
            digest: None,
        }
    }
}
