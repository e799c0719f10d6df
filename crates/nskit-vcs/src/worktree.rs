//! The git side of an update: is the project's tree clean, and record conflicted files as
//! unmerged index entries (stages 1 to 3) so `git status`, `git mergetool` and editors see
//! them as conflicts.
use std::path::{Path, PathBuf};

use git2::{IndexEntry, IndexTime, Oid, Repository, StatusOptions};

use crate::VcsError;

/// A project inside a git work tree (the project may be a folder of a larger repository).
pub struct Worktree {
    repo: Repository,
    /// The project's path relative to the work tree's root, `""` or ending in `/`.
    prefix: String,
}

impl std::fmt::Debug for Worktree {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Worktree")
            .field("git_dir", &self.repo.path())
            .field("prefix", &self.prefix)
            .finish()
    }
}

/// One side of a conflicted file: its bytes and whether it is executable.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Stage {
    /// The contents.
    pub bytes: Vec<u8>,
    /// The executable bit.
    pub executable: bool,
}

/// A conflicted file: base (stage 1), ours (stage 2), theirs (stage 3); a missing side is
/// a file that side does not have (added by both, deleted by one).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Conflict {
    /// The path, relative to the project.
    pub path: String,
    /// The common ancestor.
    pub base: Option<Stage>,
    /// The user's version.
    pub ours: Option<Stage>,
    /// The template's version.
    pub theirs: Option<Stage>,
}

/// Git's blob id of some bytes (hex).
pub fn blob_id(bytes: &[u8]) -> String {
    Oid::hash_object(git2::ObjectType::Blob, bytes)
        .map(|o| o.to_string())
        .unwrap_or_default()
}

impl Worktree {
    /// The work tree `dir` is in, or `None` when it is not in one (or in a bare one).
    pub fn open(dir: &Path) -> Option<Worktree> {
        let repo = Repository::discover(dir).ok()?;
        let root = repo.workdir()?.canonicalize().ok()?;
        let dir = dir.canonicalize().ok()?;
        let rel = dir.strip_prefix(&root).ok()?;
        let mut prefix = rel.to_string_lossy().replace('\\', "/");
        if !prefix.is_empty() {
            prefix.push('/');
        }
        Some(Worktree { repo, prefix })
    }

    /// The project's path relative to the work tree's root: `""`, or ending in `/`.
    pub fn prefix(&self) -> &str {
        &self.prefix
    }

    /// The repository's git folder (`.git`).
    pub fn git_dir(&self) -> PathBuf {
        self.repo.path().to_path_buf()
    }

    /// The index file.
    pub fn index_file(&self) -> PathBuf {
        self.repo.path().join("index")
    }

    fn err(&self, action: &'static str, e: git2::Error) -> VcsError {
        VcsError::new(action, self.repo.path(), e)
    }

    /// Paths of the project (relative to it) that are modified, staged, untracked or
    /// conflicted; ignored files do not count.
    pub fn dirty_paths(&self) -> Result<Vec<String>, VcsError> {
        let mut opts = StatusOptions::new();
        opts.include_untracked(true)
            .recurse_untracked_dirs(true)
            .include_ignored(false);
        if !self.prefix.is_empty() {
            opts.pathspec(&self.prefix);
        }
        let statuses = self
            .repo
            .statuses(Some(&mut opts))
            .map_err(|e| self.err("cannot read the status", e))?;
        Ok(statuses
            .iter()
            .filter_map(|s| {
                let p = String::from_utf8_lossy(s.path_bytes()).into_owned();
                p.strip_prefix(&self.prefix).map(str::to_string)
            })
            .collect())
    }

    /// Writes the conflicts into the index as unmerged entries (replacing the path's
    /// stage 0 entry), storing each side's bytes as a blob.
    pub fn record_conflicts(&self, conflicts: &[Conflict]) -> Result<(), VcsError> {
        if conflicts.is_empty() {
            return Ok(());
        }
        let mut index = self
            .repo
            .index()
            .map_err(|e| self.err("cannot open the index", e))?;
        for c in conflicts {
            let path = format!("{}{}", self.prefix, c.path);
            index
                .remove_path(Path::new(&path))
                .map_err(|e| self.err("cannot update the index", e))?;
            for (stage, side) in [(1u16, &c.base), (2, &c.ours), (3, &c.theirs)] {
                let Some(side) = side else { continue };
                let id = self
                    .repo
                    .blob(&side.bytes)
                    .map_err(|e| self.err("cannot store a blob", e))?;
                let entry = IndexEntry {
                    ctime: IndexTime::new(0, 0),
                    mtime: IndexTime::new(0, 0),
                    dev: 0,
                    ino: 0,
                    mode: if side.executable { 0o100755 } else { 0o100644 },
                    uid: 0,
                    gid: 0,
                    file_size: u32::try_from(side.bytes.len()).unwrap_or(u32::MAX),
                    id,
                    flags: (stage << 12) | (path.len().min(0xFFF) as u16),
                    flags_extended: 0,
                    path: path.clone().into_bytes(),
                };
                index
                    .add(&entry)
                    .map_err(|e| self.err("cannot add a conflict to the index", e))?;
            }
        }
        index
            .write()
            .map_err(|e| self.err("cannot write the index", e))
    }

    /// Paths of the project with unmerged index entries.
    pub fn conflicted_paths(&self) -> Result<Vec<String>, VcsError> {
        let index = self
            .repo
            .index()
            .map_err(|e| self.err("cannot open the index", e))?;
        let mut out: Vec<String> = index
            .iter()
            .filter(|e| (e.flags >> 12) & 3 != 0)
            .filter_map(|e| {
                String::from_utf8_lossy(&e.path)
                    .strip_prefix(&self.prefix)
                    .map(str::to_string)
            })
            .collect();
        out.dedup();
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn conflicts_show_as_unmerged_and_dirty() {
        let dir = tempfile::tempdir().expect("tempdir");
        let project = dir.path().join("sub");
        std::fs::create_dir(&project).expect("mkdir");
        std::fs::write(project.join("a.txt"), "a\n").expect("write");
        crate::commit_all(dir.path(), "first").expect("commit");
        let wt = Worktree::open(&project).expect("in a work tree");
        assert_eq!(wt.dirty_paths().expect("status"), Vec::<String>::new());
        std::fs::write(project.join("a.txt"), "<<<<<<<\n").expect("write");
        let side = |s: &str| {
            Some(Stage {
                bytes: s.as_bytes().to_vec(),
                executable: false,
            })
        };
        wt.record_conflicts(&[Conflict {
            path: "a.txt".into(),
            base: side("a\n"),
            ours: side("b\n"),
            theirs: side("c\n"),
        }])
        .expect("record");
        assert_eq!(wt.conflicted_paths().expect("index"), vec!["a.txt"]);
        assert_eq!(wt.dirty_paths().expect("status"), vec!["a.txt"]);
        let out = std::process::Command::new("git")
            .args(["status", "--porcelain"])
            .current_dir(&project)
            .output()
            .expect("git runs");
        assert_eq!(String::from_utf8_lossy(&out.stdout), "UU sub/a.txt\n");
    }
}
