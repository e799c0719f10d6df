//! Where nskit may write inside a project: the one policy every writer shares (init, init
//! `--force`, update, undo), and the stricter one for what a recipe renders.
//!
//! - No path leaves the project: no `..`, no absolute path, and no folder on the way that
//!   is a symbolic link to somewhere outside the project (or into its git folder).
//! - Nothing is written in git's own folder: a `.git` component in any letter case, or in
//!   the spellings Windows and macOS file systems treat as `.git` (`.GIT.`, `git~1`,
//!   `.g\u{200c}it`), would let a recipe add hooks or `core.fsmonitor` to the user's
//!   repository, or point the project at another repository with a `gitdir:` file.
//! - A recipe does not write nskit's state folder (`.recipe/`): nskit writes it.
use std::path::{Component, Path, PathBuf};

use crate::error::{RecipeError, Result};

/// nskit's state folder at the top of a project (as `nskit_update::STATE_DIR`).
const STATE_DIR: &str = ".recipe";

/// Characters macOS's HFS+ ignores in names, so `.g\u{200c}it` opens `.git`.
fn hfs_ignorable(c: char) -> bool {
    matches!(c, '\u{200c}'..='\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{206a}'..='\u{206f}' | '\u{feff}')
}

/// The name as a case-insensitive file system that drops trailing dots and spaces, and
/// alternate data streams (`name::$DATA`), would see it.
fn folded(name: &str) -> String {
    let name: String = name.chars().filter(|c| !hfs_ignorable(*c)).collect();
    let name = name.split(':').next().unwrap_or_default();
    name.trim_end_matches(['.', ' ']).to_lowercase()
}

/// Whether a path component names git's folder on some file system.
pub fn is_git_name(component: &str) -> bool {
    matches!(folded(component).as_str(), ".git" | "git~1")
}

fn reserved_git(path: &str) -> Option<RecipeError> {
    path.split(['/', '\\'])
        .find(|c| is_git_name(c))
        .map(|c| RecipeError::ReservedPath {
            path: path.to_string(),
            reason: format!(
                "`{c}` is git's own folder: nskit never writes git's files for a recipe (a hook or a `core.fsmonitor` setting there would run commands on the next `git status`); remove it from the template"
            ),
        })
}

/// Checks a path a recipe produced (rendered from a template, written by a program or a
/// task): inside the project, not in git's folder, not in nskit's state folder.
pub fn check_recipe_path(path: &str) -> Result<()> {
    if let Some(e) = reserved_git(path) {
        return Err(e);
    }
    if path
        .split(['/', '\\'])
        .next()
        .is_some_and(|first| folded(first) == STATE_DIR)
    {
        return Err(RecipeError::ReservedPath {
            path: path.to_string(),
            reason: format!(
                "`{STATE_DIR}/` is nskit's state folder, which nskit writes itself; a recipe may not write there"
            ),
        });
    }
    Ok(())
}

/// Checks the words of a project-relative `/`-separated path, without looking at the disk:
/// relative, no `.` or `..`, no backslash or NUL, not in git's folder.
pub fn check_relative(rel: &str) -> Result<()> {
    if let Some(e) = reserved_git(rel) {
        return Err(e);
    }
    if rel.is_empty()
        || rel.starts_with('/')
        || rel.contains('\\')
        || rel.contains('\0')
        || rel
            .split('/')
            .any(|p| p.is_empty() || p == "." || p == "..")
        || Path::new(rel)
            .components()
            .any(|c| !matches!(c, Component::Normal(_)))
    {
        return Err(RecipeError::PathEscapes {
            template_path: rel.to_string(),
            rendered: rel.to_string(),
        });
    }
    Ok(())
}

/// A project folder that files are written into, with every write checked against the
/// policy of this module.
#[derive(Debug, Clone)]
pub struct ProjectRoot {
    root: PathBuf,
    canonical: PathBuf,
}

impl ProjectRoot {
    /// The project at `root`, which must exist.
    pub fn new(root: &Path) -> Result<ProjectRoot> {
        let canonical = root
            .canonicalize()
            .map_err(|e| RecipeError::write(root, e))?;
        Ok(ProjectRoot {
            root: root.to_path_buf(),
            canonical,
        })
    }

    /// The project folder.
    pub fn path(&self) -> &Path {
        &self.root
    }

    /// Where the project-relative `/`-separated `rel` is written, after checking that the
    /// path stays inside the project, out of git's folder, and that no folder on the way
    /// is a link leading out (a folder that does not exist yet is fine: it is created
    /// inside). The last component may not be a symbolic link.
    pub fn target(&self, rel: &str) -> Result<PathBuf> {
        check_relative(rel)?;
        let escapes = |how: String| RecipeError::PathEscapes {
            template_path: rel.to_string(),
            rendered: how,
        };
        let parts: Vec<&str> = rel.split('/').collect();
        let mut cur = self.root.clone();
        for (i, part) in parts.iter().enumerate() {
            cur.push(part);
            let last = i + 1 == parts.len();
            let meta = match std::fs::symlink_metadata(&cur) {
                Ok(m) => m,
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => break,
                Err(e) => return Err(RecipeError::write(&cur, e)),
            };
            if meta.file_type().is_symlink() {
                if last {
                    return Err(escapes(format!("{rel} (a symbolic link is in the way)")));
                }
                let real = cur
                    .canonicalize()
                    .map_err(|e| RecipeError::write(&cur, e))?;
                let inside = real.strip_prefix(&self.canonical).ok().filter(|r| {
                    !r.components().any(|c| match c {
                        Component::Normal(n) => is_git_name(&n.to_string_lossy()),
                        _ => false,
                    })
                });
                if inside.is_none() {
                    return Err(escapes(format!(
                        "{rel} (through the symbolic link {}, which leads to {})",
                        cur.display(),
                        real.display()
                    )));
                }
            } else if !last && !meta.is_dir() {
                return Err(RecipeError::write(
                    &cur,
                    std::io::Error::new(
                        std::io::ErrorKind::AlreadyExists,
                        "a file is in the way of a folder",
                    ),
                ));
            }
        }
        Ok(self.root.join(rel))
    }

    /// Refuses a project whose `.git` is a symbolic link or a file (`gitdir: …`): a commit
    /// there would land in another repository.
    pub fn check_git_entry(&self) -> Result<()> {
        let git = self.root.join(".git");
        match std::fs::symlink_metadata(&git) {
            Ok(m) if m.file_type().is_symlink() || !m.is_dir() => Err(RecipeError::ReservedPath {
                path: git.display().to_string(),
                reason: format!(
                    "it is a {} rather than the project's own git folder, so nskit would write into another repository; remove it, or choose another folder",
                    if m.file_type().is_symlink() {
                        "symbolic link"
                    } else {
                        "file"
                    }
                ),
            }),
            _ => Ok(()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn git_names_in_every_spelling() {
        for name in [
            ".git",
            ".GIT",
            ".Git",
            ".git.",
            ".git ",
            ".git. . ",
            "git~1",
            "GIT~1",
            ".g\u{200c}it",
            ".git::$INDEX_ALLOCATION",
        ] {
            assert!(is_git_name(name), "{name:?}");
        }
        for name in [".gitignore", ".github", "git", ".gitkeep", "x.git", ".git2"] {
            assert!(!is_git_name(name), "{name:?}");
        }
    }

    #[test]
    fn recipe_paths_stay_out_of_git_and_state() {
        for bad in [
            ".git/config",
            ".git",
            "sub/.GIT/hooks/post-commit",
            ".recipe/config.yml",
            ".Recipe/x",
        ] {
            let e = check_recipe_path(bad).unwrap_err();
            assert!(matches!(e, RecipeError::ReservedPath { .. }), "{bad}: {e}");
            assert!(e.to_string().contains(bad), "{e}");
        }
        for ok in [".gitignore", ".github/workflows/ci.yml", "docs/.recipe/x"] {
            check_recipe_path(ok).expect(ok);
        }
    }

    #[cfg(unix)]
    #[test]
    fn targets_do_not_leave_through_links() {
        let outside = tempfile::tempdir().expect("tempdir");
        let dir = tempfile::tempdir().expect("tempdir");
        let root = dir.path();
        std::fs::create_dir_all(root.join("real")).expect("mkdir");
        std::fs::create_dir_all(root.join(".git")).expect("mkdir");
        std::os::unix::fs::symlink(outside.path(), root.join("out")).expect("link");
        std::os::unix::fs::symlink(root.join("real"), root.join("in")).expect("link");
        std::os::unix::fs::symlink(root.join(".git"), root.join("docs")).expect("link");
        std::os::unix::fs::symlink("/etc/passwd", root.join("leaf")).expect("link");
        let p = ProjectRoot::new(root).expect("root");
        assert_eq!(p.target("real/a.txt").expect("ok"), root.join("real/a.txt"));
        assert_eq!(p.target("in/a.txt").expect("ok"), root.join("in/a.txt"));
        assert!(p.target("new/deep/a.txt").is_ok());
        for bad in [
            "out/a.txt",
            "docs/config",
            "leaf",
            ".git/hooks/x",
            "../x",
            "a/../../x",
            "/etc/x",
        ] {
            let e = p.target(bad).unwrap_err();
            assert!(
                matches!(
                    e,
                    RecipeError::PathEscapes { .. } | RecipeError::ReservedPath { .. }
                ),
                "{bad}: {e}"
            );
        }
    }

    #[cfg(unix)]
    #[test]
    fn a_git_link_or_file_is_refused() {
        let other = tempfile::tempdir().expect("tempdir");
        let dir = tempfile::tempdir().expect("tempdir");
        let p = ProjectRoot::new(dir.path()).expect("root");
        p.check_git_entry().expect("no .git is fine");
        std::os::unix::fs::symlink(other.path(), dir.path().join(".git")).expect("link");
        assert!(p.check_git_entry().is_err());
        std::fs::remove_file(dir.path().join(".git")).expect("rm");
        std::fs::write(dir.path().join(".git"), "gitdir: /elsewhere\n").expect("write");
        let e = p.check_git_entry().unwrap_err();
        assert!(e.to_string().contains("is a file"), "{e}");
        std::fs::remove_file(dir.path().join(".git")).expect("rm");
        std::fs::create_dir(dir.path().join(".git")).expect("mkdir");
        p.check_git_entry().expect("a real folder is fine");
    }
}
