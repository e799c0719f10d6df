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
            .prefix(&format!(".{name}.nskit-{}-", std::process::id()))
            .tempdir_in(&parent)
            .map_err(|e| RecipeError::write(&parent, e))?;
        // The folders first, each once; then the files, spread over the cores.
        let mut folders = std::collections::BTreeSet::new();
        for file in &tree.files {
            crate::paths::check_relative(&file.path)?;
            let mut p = Path::new(&file.path).parent();
            while let Some(d) = p.filter(|d| !d.as_os_str().is_empty()) {
                if !folders.insert(d) {
                    break;
                }
                p = d.parent();
            }
        }
        for d in &folders {
            fs::create_dir(dir.path().join(d))
                .map_err(|e| RecipeError::write(target.join(d), e))?;
        }
        let written = crate::par::map(&tree.files, |file| {
            let dest = dir.path().join(&file.path);
            file.contents
                .write_to(&dest)
                .and_then(|_| set_mode(&dest, file.executable))
                .map_err(|e| RecipeError::write(target.join(&file.path), e))
        });
        written.into_iter().collect::<Result<Vec<()>>>()?;
        crate::txn::checkpoint();
        Ok(Staged {
            dir,
            target: target.to_path_buf(),
            mode,
        })
    }

    /// Removes the staging folders of `target` that killed commands left beside it: those
    /// whose process is provably gone (no `/proc/<pid>`, on Linux). Elsewhere, or when the
    /// process may be alive, they stay.
    pub fn remove_stale_staging(target: &Path) {
        let (Some(parent), Some(name)) = (target.parent(), target.file_name()) else {
            return;
        };
        let parent = if parent.as_os_str().is_empty() {
            Path::new(".")
        } else {
            parent
        };
        let prefix = format!(".{}.nskit-", name.to_string_lossy());
        let Ok(entries) = fs::read_dir(parent) else {
            return;
        };
        if !Path::new("/proc/self").exists() {
            return;
        }
        for e in entries.flatten() {
            let file_name = e.file_name().to_string_lossy().into_owned();
            let Some(pid) = file_name
                .strip_prefix(&prefix)
                .and_then(|rest| rest.split('-').next())
                .and_then(|p| p.parse::<u32>().ok())
            else {
                continue;
            };
            if pid != std::process::id()
                && !Path::new(&format!("/proc/{pid}")).exists()
                && e.file_type().is_ok_and(|t| t.is_dir())
            {
                let _ = fs::remove_dir_all(e.path());
            }
        }
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

    /// Puts the staged tree in place. On failure the target is as it was before. `meta`
    /// is the target's nskit folder, where an overwrite runs as a transaction (see
    /// [`crate::txn`]); the caller holds the target's lock and has recovered it.
    pub fn into_place(self, meta: &Path) -> Result<()> {
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
            WriteMode::Overwrite => self.overwrite(meta),
        }
    }

    /// Moves every staged file into the target as one transaction: a kill at any moment
    /// leaves the folder as it was (the next command rolls back) or as generated, and a
    /// replaced file waits in the target's own nskit folder, never only beside it.
    fn overwrite(self, meta: &Path) -> Result<()> {
        let staging = self.dir.path().to_path_buf();
        crate::paths::ProjectRoot::new(&self.target)?.check_git_entry()?;
        let mut ops = Vec::new();
        for entry in walkdir::WalkDir::new(&staging).sort_by_file_name() {
            let entry = entry.map_err(|e| {
                RecipeError::write(
                    &staging,
                    e.into_io_error()
                        .unwrap_or_else(|| std::io::Error::other("walk failed")),
                )
            })?;
            if !entry.file_type().is_file() {
                continue;
            }
            let rel = entry
                .path()
                .strip_prefix(&staging)
                .unwrap_or(entry.path())
                .to_string_lossy()
                .replace('\\', "/");
            #[cfg(unix)]
            let executable = {
                use std::os::unix::fs::PermissionsExt;
                entry
                    .metadata()
                    .is_ok_and(|m| m.permissions().mode() & 0o111 != 0)
            };
            #[cfg(not(unix))]
            let executable = false;
            ops.push(crate::txn::TxnOp {
                path: rel,
                new: Some(crate::txn::NewFile {
                    source: crate::txn::Source::Moved(entry.path().to_path_buf()),
                    executable,
                }),
            });
        }
        let description = format!("writing into {}", self.target.display());
        crate::txn::apply(&self.target, meta, &ops, &description, None)?.discard()
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
