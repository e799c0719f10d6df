use crate::content::Content;
use std::path::Path;

use crate::error::{RecipeError, Result};
use crate::manifest::Manifest;
use crate::runner::{RecipeKind, RecipeRunner};
use std::sync::Arc;

/// One file of a recipe's template tree, held in memory.
#[derive(Debug, Clone)]
pub struct TemplateFile {
    /// The path inside the template folder, `/`-separated.
    pub path: String,
    /// The bytes (large files stay on disk).
    pub contents: Content,
    /// Whether the file is executable.
    pub executable: bool,
}

/// A loaded recipe: its manifest and its template tree, and for recipes in images, what
/// runs their programs and tasks.
#[derive(Debug, Clone)]
pub struct Recipe {
    /// The parsed `recipe.yaml` (for a program image, one made from its labels and fields).
    pub manifest: Manifest,
    /// The template files, sorted by path.
    pub files: Vec<TemplateFile>,
    /// Templates rendered here, or a program that writes the project.
    pub kind: RecipeKind,
    /// Runs the program and the tasks (a container of the recipe's image).
    pub runner: Option<Arc<dyn RecipeRunner>>,
}

impl Recipe {
    /// Builds a recipe from parts (files are sorted by path).
    pub fn from_parts(manifest: Manifest, mut files: Vec<TemplateFile>) -> Recipe {
        files.sort_by(|a, b| a.path.cmp(&b.path));
        Recipe {
            manifest,
            files,
            kind: RecipeKind::Template,
            runner: None,
        }
    }

    /// A program recipe: `runner` writes the whole project.
    pub fn program(manifest: Manifest, runner: Arc<dyn RecipeRunner>) -> Recipe {
        Recipe {
            manifest,
            files: vec![],
            kind: RecipeKind::Program,
            runner: Some(runner),
        }
    }

    /// The same recipe, its programs and tasks run by `runner`.
    pub fn with_runner(mut self, runner: Arc<dyn RecipeRunner>) -> Recipe {
        self.runner = Some(runner);
        self
    }

    /// Reads a recipe folder: `recipe.yaml` and the template folder it names. The files'
    /// bytes are read when the recipe is rendered (in parallel), and files copied as they
    /// are go from the folder to the project: keep the folder while the recipe and what it
    /// renders are in use (see [`Recipe::from_temp_dir`] for a temporary one).
    pub fn from_dir(dir: &Path) -> Result<Recipe> {
        let manifest = Manifest::from_file(&Manifest::path_in(dir))?;
        let root = dir.join(&manifest.template);
        if !root.is_dir() {
            return Err(RecipeError::Manifest {
                file: Manifest::path_in(dir),
                line: None,
                key: "template".into(),
                message: format!("the template folder {} does not exist", root.display()),
            });
        }
        let files = read_tree(&root, None)?;
        Ok(Recipe::from_parts(manifest, files))
    }

    /// Reads a recipe folder inside a temporary folder, which is kept as long as the
    /// recipe's large files (left on disk) are in use.
    pub fn from_temp_dir(temp: tempfile::TempDir, sub: &Path) -> Result<Recipe> {
        let temp = Arc::new(temp);
        let dir = temp.path().join(sub);
        let manifest = Manifest::from_file(&Manifest::path_in(&dir))?;
        let root = dir.join(&manifest.template);
        if !root.is_dir() {
            return Err(RecipeError::Manifest {
                file: Manifest::path_in(&dir),
                line: None,
                key: "template".into(),
                message: format!("the template folder {} does not exist", root.display()),
            });
        }
        let files = read_tree(&root, Some(&temp))?;
        Ok(Recipe::from_parts(manifest, files))
    }

    /// The recipe's name.
    pub fn name(&self) -> &str {
        &self.manifest.name
    }
}

fn read_tree(root: &Path, keep: Option<&Arc<tempfile::TempDir>>) -> Result<Vec<TemplateFile>> {
    let mut found = Vec::new();
    for entry in walkdir::WalkDir::new(root)
        .follow_links(false)
        .sort_by_file_name()
    {
        let entry = entry.map_err(|e| RecipeError::Read {
            path: e
                .path()
                .map(Path::to_path_buf)
                .unwrap_or_else(|| root.to_path_buf()),
            source: e
                .into_io_error()
                .unwrap_or_else(|| std::io::Error::other("file-system loop")),
        })?;
        let rel = entry.path().strip_prefix(root).unwrap_or(entry.path());
        let rel_str = rel
            .components()
            .map(|c| c.as_os_str().to_string_lossy())
            .collect::<Vec<_>>()
            .join("/");
        if entry.file_type().is_symlink() {
            return Err(RecipeError::Template {
                file: rel_str,
                line: None,
                message: "symbolic links are not allowed in a template (they could point outside the project); copy the file instead".into(),
            });
        }
        if !entry.file_type().is_file() {
            continue;
        }
        // One look at the file's metadata: its size and mode.
        let meta = entry.metadata().map_err(|e| RecipeError::Read {
            path: entry.path().to_path_buf(),
            source: e
                .into_io_error()
                .unwrap_or_else(|| std::io::Error::other("file-system loop")),
        })?;
        found.push((entry.path().to_path_buf(), rel_str, meta));
    }
    // The bytes are read when the recipe is rendered.
    let files = found
        .into_iter()
        .map(|(path, rel, meta)| TemplateFile {
            path: rel,
            contents: Content::on_disk(&path, meta.len(), keep),
            executable: is_executable(&meta),
        })
        .collect();
    Ok(files)
}

#[cfg(unix)]
fn is_executable(meta: &std::fs::Metadata) -> bool {
    use std::os::unix::fs::PermissionsExt;
    meta.permissions().mode() & 0o111 != 0
}

#[cfg(not(unix))]
fn is_executable(_meta: &std::fs::Metadata) -> bool {
    false
}
