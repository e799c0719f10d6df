use nskit_progress::Reporter;
use std::path::{Path, PathBuf};

use nskit_recipe::{Manifest, Recipe, RecipeVersion};

use crate::{BackendError, LocalBackend, RecipeBackend, RecipeInfo, RecipeSource, Result};

/// The entry-point group recipes are installed for unless another is configured.
pub const DEFAULT_GROUP: &str = "nskit.recipes";

/// Recipes installed for an entry-point group (`nskit.recipes`, `mycompany.recipes`) under
/// the user data folder: `<data>/nskit/recipes/<group>/<recipe>/<version>/`.
#[derive(Debug, Clone)]
pub struct InstalledBackend {
    group: String,
    folder: LocalBackend,
}

impl InstalledBackend {
    /// The recipes installed for `group` under `data_dir` (the `nskit` data folder).
    pub fn new(data_dir: &Path, group: impl Into<String>) -> InstalledBackend {
        let group = group.into();
        let folder = LocalBackend::new(data_dir.join("recipes").join(&group));
        InstalledBackend { group, folder }
    }

    /// The group.
    pub fn group(&self) -> &str {
        &self.group
    }

    /// The folder the group's recipes are installed in.
    pub fn root(&self) -> &Path {
        self.folder.root()
    }
}

impl RecipeBackend for InstalledBackend {
    fn kind(&self) -> &'static str {
        "installed"
    }

    fn describe(&self) -> String {
        format!(
            "the recipes installed for `{}` ({})",
            self.group,
            self.folder.root().display()
        )
    }

    fn list(&self) -> Result<Vec<RecipeInfo>> {
        if !self.folder.root().exists() {
            return Ok(vec![]);
        }
        self.folder.list()
    }

    fn versions(&self, name: &str) -> Result<Vec<RecipeVersion>> {
        self.folder.versions(name).map_err(|e| match e {
            BackendError::RecipeNotFound {
                name, available, ..
            } => BackendError::RecipeNotFound {
                name,
                backend: self.describe(),
                available,
            },
            e => e,
        })
    }

    fn load(&self, name: &str, version: &RecipeVersion, reporter: &Reporter) -> Result<Recipe> {
        self.folder.load(name, version, reporter)
    }

    fn source(&self) -> RecipeSource {
        RecipeSource {
            backend: "installed".into(),
            location: Some(self.group.clone()),
            image: None,
            digest: None,
        }
    }
}

/// Installs the recipe folder `src` (with `recipe.yaml`) for `backend`'s group, as
/// `<name>/<version>/`. The version comes from `version`, else the manifest. The recipe is
/// loaded first, so a broken one is refused; the copy is put in place in one rename.
pub fn install_recipe(
    backend: &InstalledBackend,
    src: &Path,
    version: Option<&str>,
    force: bool,
) -> Result<(String, RecipeVersion, PathBuf)> {
    let recipe = Recipe::from_dir(src)?;
    let version = match version
        .map(String::from)
        .or_else(|| recipe.manifest.version.clone())
    {
        Some(v) => RecipeVersion::new(v),
        None => {
            return Err(BackendError::Install(format!(
                "{} has no `version`; add one to recipe.yaml or pass --version",
                Manifest::path_in(src).display()
            )));
        }
    };
    let name = recipe.manifest.name.clone();
    let parent = backend.root().join(&name);
    let dest = parent.join(version.as_str());
    if dest.exists() && !force {
        return Err(BackendError::Install(format!(
            "{name} {version} is already installed at {}; pass --force to replace it",
            dest.display()
        )));
    }
    std::fs::create_dir_all(&parent).map_err(|source| BackendError::Io {
        action: "cannot create",
        path: parent.clone(),
        source,
    })?;
    let staging = tempfile::Builder::new()
        .prefix(".install-")
        .tempdir_in(&parent)
        .map_err(|source| BackendError::Io {
            action: "cannot create a folder in",
            path: parent.clone(),
            source,
        })?;
    copy_tree(src, staging.path())?;
    if dest.exists() {
        std::fs::remove_dir_all(&dest).map_err(|source| BackendError::Io {
            action: "cannot replace",
            path: dest.clone(),
            source,
        })?;
    }
    std::fs::rename(staging.path(), &dest).map_err(|source| BackendError::Io {
        action: "cannot move into",
        path: dest.clone(),
        source,
    })?;
    let _ = staging.keep();
    Ok((name, version, dest))
}

fn copy_tree(src: &Path, dest: &Path) -> Result<()> {
    for entry in walkdir::WalkDir::new(src).follow_links(false) {
        let entry = entry.map_err(|e| BackendError::Io {
            action: "cannot read",
            path: e
                .path()
                .map(Path::to_path_buf)
                .unwrap_or_else(|| src.to_path_buf()),
            source: e
                .into_io_error()
                .unwrap_or_else(|| std::io::Error::other("file-system loop")),
        })?;
        let rel = entry.path().strip_prefix(src).unwrap_or(entry.path());
        if rel.components().any(|c| c.as_os_str() == ".git") {
            continue;
        }
        let to = dest.join(rel);
        if entry.file_type().is_dir() {
            std::fs::create_dir_all(&to).map_err(|source| BackendError::Io {
                action: "cannot create",
                path: to.clone(),
                source,
            })?;
        } else if entry.file_type().is_file() {
            std::fs::copy(entry.path(), &to).map_err(|source| BackendError::Io {
                action: "cannot copy to",
                path: to.clone(),
                source,
            })?;
        }
    }
    Ok(())
}
