use std::fs;
use std::path::{Path, PathBuf};

use crate::error::{RecipeError, Result};
use crate::render::RenderedTree;

/// How the staged tree reaches its target.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WriteMode {
    /// The target is absent or an empty folder: the staging folder is renamed into place.
    Fresh,
    /// The target has files (allowed by `--force`): files are moved in one by one, and put
    /// back as they were if any move fails.
    Overwrite,
}

/// A rendered tree written to a staging folder beside its target, not yet in place.
///
/// Dropping a `Staged` without calling [`Staged::into_place`] removes the staging folder, so
/// a failure at any step leaves nothing behind.
#[derive(Debug)]
pub struct Staged {
    dir: tempfile::TempDir,
    target: PathBuf,
    mode: WriteMode,
}

fn is_empty_dir(path: &Path) -> std::io::Result<bool> {
    Ok(fs::read_dir(path)?.next().is_none())
}

impl Staged {
    /// Checks the target and writes `tree` into a new staging folder beside it. A target
    /// with files in it is refused unless `force`.
    pub fn write(tree: &RenderedTree, target: &Path, force: bool) -> Result<Staged> {
        let mode = Self::check_target(target, force)?;
        let parent = match target.parent() {
            Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
            _ => PathBuf::from("."),
        };
        fs::create_dir_all(&parent).map_err(|e| RecipeError::write(&parent, e))?;
        let name = target
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_else(|| "project".into());
        let dir = tempfile::Builder::new()
            .prefix(&format!(".{name}.nskit-"))
            .tempdir_in(&parent)
            .map_err(|e| RecipeError::write(&parent, e))?;
        for file in &tree.files {
            crate::paths::check_relative(&file.path)?;
            let dest = dir.path().join(&file.path);
            if let Some(p) = dest.parent() {
                fs::create_dir_all(p)
                    .map_err(|e| RecipeError::write(target.join(&file.path), e))?;
            }
            fs::write(&dest, &file.contents)
                .map_err(|e| RecipeError::write(target.join(&file.path), e))?;
            set_mode(&dest, file.executable)
                .map_err(|e| RecipeError::write(target.join(&file.path), e))?;
        }
        Ok(Staged {
            dir,
            target: target.to_path_buf(),
            mode,
        })
    }

    /// Refuses a target that is a file, or a folder with files in it (unless `force`).
    pub fn check_target(target: &Path, force: bool) -> Result<WriteMode> {
        match fs::symlink_metadata(target) {
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(WriteMode::Fresh),
            Err(e) => Err(RecipeError::write(target, e)),
            Ok(m) if !m.is_dir() => Err(RecipeError::write(
                target,
                std::io::Error::new(
                    std::io::ErrorKind::AlreadyExists,
                    "it exists and is not a folder",
                ),
            )),
            Ok(_) => match is_empty_dir(target) {
                Ok(true) => Ok(WriteMode::Fresh),
                Ok(false) if force => {
                    crate::paths::ProjectRoot::new(target)?.check_git_entry()?;
                    Ok(WriteMode::Overwrite)
                }
                Ok(false) => Err(RecipeError::TargetNotEmpty(target.to_path_buf())),
                Err(e) => Err(RecipeError::write(target, e)),
            },
        }
    }

    /// The staging folder: further files (a state file, a git repository) may be added
    /// here before the tree is put in place.
    pub fn root(&self) -> &Path {
        self.dir.path()
    }

    /// How the tree will reach its target.
    pub fn mode(&self) -> WriteMode {
        self.mode
    }

    /// The target folder.
    pub fn target(&self) -> &Path {
        &self.target
    }

    /// Puts the staged tree in place. On failure the target is as it was before.
    pub fn into_place(self) -> Result<()> {
        match self.mode {
            WriteMode::Fresh => {
                if self.target.exists() {
                    fs::remove_dir(&self.target)
                        .map_err(|e| RecipeError::write(&self.target, e))?;
                }
                fs::rename(self.dir.path(), &self.target)
                    .map_err(|e| RecipeError::write(&self.target, e))?;
                let _ = self.dir.keep();
                Ok(())
            }
            WriteMode::Overwrite => self.overwrite(),
        }
    }

    fn overwrite(self) -> Result<()> {
        let staging = self.dir.path().to_path_buf();
        let backup = tempfile::Builder::new()
            .prefix(".nskit-backup-")
            .tempdir_in(
                self.target
                    .parent()
                    .filter(|p| !p.as_os_str().is_empty())
                    .unwrap_or(Path::new(".")),
            )
            .map_err(|e| RecipeError::write(&self.target, e))?;
        let root = crate::paths::ProjectRoot::new(&self.target)?;
        root.check_git_entry()?;
        let mut rels = Vec::new();
        for entry in walkdir::WalkDir::new(&staging).sort_by_file_name() {
            let entry = entry.map_err(|e| {
                RecipeError::write(
                    &staging,
                    e.into_io_error()
                        .unwrap_or_else(|| std::io::Error::other("walk failed")),
                )
            })?;
            if entry.file_type().is_file() {
                rels.push(
                    entry
                        .path()
                        .strip_prefix(&staging)
                        .unwrap_or(entry.path())
                        .to_path_buf(),
                );
            }
        }
        // Every move is recorded so that a failure can put things back.
        enum Done {
            Dir(PathBuf),
            Moved {
                dest: PathBuf,
                saved: Option<PathBuf>,
            },
        }
        let mut done: Vec<Done> = Vec::new();
        let result = (|| -> Result<()> {
            for rel in &rels {
                let rel_str = rel.to_string_lossy().replace('\\', "/");
                let dest = root.target(&rel_str)?;
                // Create missing folders (every existing one was checked to stay inside).
                let mut cur = self.target.clone();
                for comp in rel.parent().into_iter().flat_map(|p| p.components()) {
                    cur.push(comp);
                    if fs::symlink_metadata(&cur).is_err() {
                        fs::create_dir(&cur).map_err(|e| RecipeError::write(&cur, e))?;
                        done.push(Done::Dir(cur.clone()));
                    }
                }
                let saved = if dest.exists() {
                    let keep = backup.path().join(rel);
                    if let Some(p) = keep.parent() {
                        fs::create_dir_all(p).map_err(|e| RecipeError::write(p, e))?;
                    }
                    fs::rename(&dest, &keep).map_err(|e| RecipeError::write(&dest, e))?;
                    Some(keep)
                } else {
                    None
                };
                let moved = fs::rename(staging.join(rel), &dest);
                done.push(Done::Moved {
                    dest: dest.clone(),
                    saved,
                });
                moved.map_err(|e| RecipeError::write(&dest, e))?;
            }
            Ok(())
        })();
        if result.is_err() {
            for step in done.into_iter().rev() {
                match step {
                    Done::Dir(d) => {
                        let _ = fs::remove_dir(d);
                    }
                    Done::Moved { dest, saved } => {
                        let _ = fs::remove_file(&dest);
                        if let Some(saved) = saved {
                            let _ = fs::rename(saved, &dest);
                        }
                    }
                }
            }
        }
        result
    }
}

#[cfg(unix)]
fn set_mode(path: &Path, executable: bool) -> std::io::Result<()> {
    use std::os::unix::fs::PermissionsExt;
    if executable {
        fs::set_permissions(path, fs::Permissions::from_mode(0o755))?;
    }
    Ok(())
}

#[cfg(not(unix))]
fn set_mode(_path: &Path, _executable: bool) -> std::io::Result<()> {
    Ok(())
}
