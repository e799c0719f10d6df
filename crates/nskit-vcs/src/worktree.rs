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

impl Worktree {
    /// The conflicts the index records for the project: each path's unmerged entries
    /// (stages 1 to 3) with their bytes, as `git ls-files -u` lists them.
    pub fn conflicts(&self) -> Result<Vec<Conflict>, VcsError> {
        let index = self
            .repo
            .index()
            .map_err(|e| self.err("cannot open the index", e))?;
        let mut out: Vec<Conflict> = Vec::new();
        for e in index.iter() {
            let stage = (e.flags >> 12) & 3;
            if stage == 0 {
                continue;
            }
            let full = String::from_utf8_lossy(&e.path).into_owned();
            let Some(path) = full.strip_prefix(&self.prefix) else {
                continue;
            };
            let blob = self
                .repo
                .find_blob(e.id)
                .map_err(|err| self.err("cannot read a conflict's blob", err))?;
            let side = Some(Stage {
                bytes: blob.content().to_vec(),
                executable: e.mode & 0o111 != 0,
            });
            if out.last().is_none_or(|c| c.path != path) {
                out.push(Conflict {
                    path: path.to_string(),
                    base: None,
                    ours: None,
                    theirs: None,
                });
            }
            if let Some(c) = out.last_mut() {
                match stage {
                    1 => c.base = side,
                    2 => c.ours = side,
                    _ => c.theirs = side,
                }
            }
        }
        Ok(out)
    }

    /// Stages the project's `paths` as they are in the folder (as `git add`, or `git rm`
    /// for a path that is gone), which also marks a conflicted path resolved.
    pub fn stage(&self, paths: &[String]) -> Result<(), VcsError> {
        let mut index = self
            .repo
            .index()
            .map_err(|e| self.err("cannot open the index", e))?;
        self.stage_into(&mut index, paths)?;
        index
            .write()
            .map_err(|e| self.err("cannot write the index", e))
    }

    fn stage_into(&self, index: &mut git2::Index, paths: &[String]) -> Result<(), VcsError> {
        let root = self
            .repo
            .workdir()
            .map(Path::to_path_buf)
            .unwrap_or_default();
        for p in paths {
            let rel = format!("{}{p}", self.prefix);
            let _ = index.conflict_remove(Path::new(&rel));
            if root.join(&rel).symlink_metadata().is_ok() {
                index
                    .add_path(Path::new(&rel))
                    .map_err(|e| self.err("cannot stage a file", e))?;
            } else {
                index
                    .remove_path(Path::new(&rel))
                    .map_err(|e| self.err("cannot stage a removal", e))?;
            }
        }
        Ok(())
    }

    /// Commits the project's `paths` as they are in the folder, with what the index
    /// already holds; refused while the index records a conflict (as git refuses).
    pub fn commit_paths(&self, paths: &[String], message: &str) -> Result<crate::Commit, VcsError> {
        let mut index = self
            .repo
            .index()
            .map_err(|e| self.err("cannot open the index", e))?;
        let unmerged: Vec<String> = index
            .iter()
            .filter(|e| (e.flags >> 12) & 3 != 0)
            .map(|e| String::from_utf8_lossy(&e.path).into_owned())
            .collect();
        if let Some(p) = unmerged.first() {
            return Err(VcsError {
                action: "cannot commit: conflicts are left in",
                path: PathBuf::from(p),
                message: "resolve them (and mark them resolved) first".into(),
            });
        }
        self.stage_into(&mut index, paths)?;
        let workdir = self
            .repo
            .workdir()
            .map(Path::to_path_buf)
            .unwrap_or_default();
        crate::finish_commit(&self.repo, &mut index, &workdir, message, false)
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

        // Read back from the index, as recorded.
        let read = wt.conflicts().expect("conflicts");
        assert_eq!(read.len(), 1);
        assert_eq!(read[0].path, "a.txt");
        assert_eq!(read[0].base, side("a\n"));
        assert_eq!(read[0].ours, side("b\n"));
        assert_eq!(read[0].theirs, side("c\n"));
        // A commit while it is unresolved is refused; resolved and staged, it goes in.
        let refused = wt
            .commit_paths(&["a.txt".into()], "x")
            .expect_err("refused");
        assert!(
            refused.to_string().contains("conflicts are left"),
            "{refused}"
        );
        std::fs::write(project.join("a.txt"), "resolved\n").expect("write");
        wt.stage(&["a.txt".into()]).expect("stage");
        assert!(wt.conflicts().expect("conflicts").is_empty());
        std::fs::write(project.join("b.txt"), "not this one\n").expect("write");
        let c = wt
            .commit_paths(&["a.txt".into()], "resolve a")
            .expect("commit");
        assert!(!c.id.is_empty());
        let out = std::process::Command::new("git")
            .args(["status", "--porcelain"])
            .current_dir(&project)
            .output()
            .expect("git runs");
        assert_eq!(String::from_utf8_lossy(&out.stdout), "?? sub/b.txt\n");
        let shown = std::process::Command::new("git")
            .args(["show", "HEAD:sub/a.txt"])
            .current_dir(&project)
            .output()
            .expect("git runs");
        assert_eq!(shown.stdout, b"resolved\n");
    }
}
