//! Applying a plan as one transaction, and undoing it.
//!
//! Every new file is first written to a staging folder inside the project (so moving it in
//! is a rename on the same file system); the files being replaced or removed are moved
//! aside into the same folder. Should any step fail, what was done is put back in reverse
//! order and the project is as it was. The state file is the last file moved in, so it
//! names the new version only when everything else is in place.
//!
//! Before anything changes, the bytes of every path the update touches (and a copy of the
//! git index) are kept in an undo record: in the git folder (`.git/nskit-undo`) when the
//! project is in a git work tree, else in `.recipe/undo`.
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::plan::{FileData, Plan};
use crate::state::{STATE_DIR, STATE_FILE};

/// The undo record's folder name (inside `.git`, or `.recipe`).
pub const UNDO_DIR: &str = "nskit-undo";

/// What can go wrong applying or undoing.
#[derive(Debug, thiserror::Error)]
pub enum ApplyError {
    /// A file operation failed; nothing was changed.
    #[error("{action} {path}: {source}; nothing was changed")]
    Io {
        /// What was being done.
        action: &'static str,
        /// The path.
        path: PathBuf,
        /// Why it failed.
        source: std::io::Error,
    },
    /// Undo found files changed since the update.
    #[error(
        "these files changed since the update, and undo would lose that: {}; commit or move them away first, or undo with --force",
        .0.join(", ")
    )]
    ChangedSinceUpdate(Vec<String>),
    /// A path the update would write is not nskit's to write (in git's folder, or
    /// through a link leading out of the project).
    #[error(transparent)]
    Refused(#[from] nskit_recipe::RecipeError),
    /// There is nothing to undo.
    #[error("no update to undo in {0}")]
    NothingToUndo(PathBuf),
    /// The undo record cannot be read.
    #[error("the undo record {path} is damaged: {message}")]
    BadRecord {
        /// The record.
        path: PathBuf,
        /// What is wrong.
        message: String,
    },
}

fn io(action: &'static str, path: &Path) -> impl FnOnce(std::io::Error) -> ApplyError {
    let path = path.to_path_buf();
    move |source| ApplyError::Io {
        action,
        path,
        source,
    }
}

/// Options of [`apply`].
#[derive(Debug, Clone, Default)]
pub struct ApplyOptions {
    /// The state file's new text (`.recipe/config.yml`), written last.
    pub state: Vec<u8>,
    /// A description kept in the undo record (`python_package 1.0.0 → 1.1.0`).
    pub description: String,
    /// For tests: fail just before the n-th file is moved in.
    #[doc(hidden)]
    pub fail_before: Option<usize>,
}

/// What [`apply`] did.
#[derive(Debug, Clone, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct Applied {
    /// Paths written (including the state file).
    pub written: Vec<String>,
    /// Paths removed.
    pub removed: Vec<String>,
    /// Paths left in conflict.
    pub conflicts: Vec<String>,
    /// Whether the conflicts were also recorded in the git index.
    pub recorded_in_index: bool,
    /// Things the user should know.
    pub warnings: Vec<String>,
}

/// What [`undo`] did.
#[derive(Debug, Clone, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct UndoOutcome {
    /// The update that was undone.
    pub description: String,
    /// Paths put back as they were.
    pub restored: Vec<String>,
    /// Paths the update had created, removed again.
    pub removed: Vec<String>,
}

#[derive(Debug, Serialize, Deserialize)]
struct Record {
    description: String,
    entries: Vec<RecordEntry>,
    /// Whether `index` holds a copy of the git index.
    index: bool,
}

#[derive(Debug, Serialize, Deserialize)]
struct RecordEntry {
    path: String,
    /// The file in `files/` that holds the old bytes; `None` when the path did not exist.
    before: Option<String>,
    before_executable: bool,
    /// The git blob id of what the update wrote; `None` when it removed the path.
    after: Option<String>,
}

/// Where the undo record of `project` lives.
fn undo_dir(project: &Path, worktree: Option<&nskit_vcs::Worktree>) -> PathBuf {
    match worktree {
        Some(w) => w.git_dir().join(UNDO_DIR),
        None => project.join(STATE_DIR).join("undo"),
    }
}

struct Op {
    path: String,
    new: Option<FileData>,
}

#[cfg(unix)]
fn set_executable(path: &Path, executable: bool) -> std::io::Result<()> {
    use std::os::unix::fs::PermissionsExt;
    let mut perm = std::fs::metadata(path)?.permissions();
    let mode = perm.mode();
    perm.set_mode(if executable {
        mode | ((mode & 0o444) >> 2)
    } else {
        mode & !0o111
    });
    std::fs::set_permissions(path, perm)
}

#[cfg(not(unix))]
fn set_executable(_: &Path, _: bool) -> std::io::Result<()> {
    Ok(())
}

fn read_existing(path: &Path) -> std::io::Result<Option<FileData>> {
    match std::fs::symlink_metadata(path) {
        Ok(m) if m.is_file() => {
            #[cfg(unix)]
            let executable = {
                use std::os::unix::fs::PermissionsExt;
                m.permissions().mode() & 0o111 != 0
            };
            #[cfg(not(unix))]
            let executable = false;
            Ok(Some(FileData {
                bytes: std::fs::read(path)?,
                executable,
            }))
        }
        Ok(_) => Ok(None),
        Err(e)
            if e.kind() == std::io::ErrorKind::NotFound
                || e.kind() == std::io::ErrorKind::NotADirectory =>
        {
            Ok(None)
        }
        Err(e) => Err(e),
    }
}

/// Writes the undo record into `<dir>.new`, then swaps it in place of the previous one.
fn write_record(
    dir: &Path,
    ops: &[Op],
    description: &str,
    project: &Path,
    index_file: Option<PathBuf>,
) -> Result<(), ApplyError> {
    let tmp = dir.with_extension("new");
    let _ = std::fs::remove_dir_all(&tmp);
    std::fs::create_dir_all(tmp.join("files")).map_err(io("cannot create", &tmp))?;
    let mut entries = Vec::with_capacity(ops.len());
    for (i, op) in ops.iter().enumerate() {
        let full = project.join(&op.path);
        let old = read_existing(&full).map_err(io("cannot read", &full))?;
        let before = match &old {
            Some(d) => {
                let name = format!("{i:06}");
                let f = tmp.join("files").join(&name);
                std::fs::write(&f, &d.bytes).map_err(io("cannot write", &f))?;
                Some(name)
            }
            None => None,
        };
        entries.push(RecordEntry {
            path: op.path.clone(),
            before,
            before_executable: old.is_some_and(|d| d.executable),
            after: op.new.as_ref().map(|d| nskit_vcs::blob_id(&d.bytes)),
        });
    }
    let index = match index_file {
        Some(f) if f.exists() => {
            let to = tmp.join("index");
            std::fs::copy(&f, &to).map_err(io("cannot copy the git index to", &to))?;
            true
        }
        _ => false,
    };
    let record = Record {
        description: description.to_string(),
        entries,
        index,
    };
    let json = serde_json::to_vec_pretty(&record).unwrap_or_default();
    let f = tmp.join("record.json");
    std::fs::write(&f, json).map_err(io("cannot write", &f))?;
    Ok(())
}

fn swap_record(dir: &Path) -> Result<(), ApplyError> {
    let tmp = dir.with_extension("new");
    let _ = std::fs::remove_dir_all(dir);
    std::fs::rename(&tmp, dir).map_err(io("cannot keep the undo record in", dir))
}

/// Creates the missing parents of `path` below `root`, returning those it created
/// (outermost first).
fn create_parents(root: &Path, path: &Path) -> std::io::Result<Vec<PathBuf>> {
    let mut missing = vec![];
    let mut cur = path.parent();
    while let Some(p) = cur {
        if p == root || p.exists() {
            break;
        }
        missing.push(p.to_path_buf());
        cur = p.parent();
    }
    missing.reverse();
    for d in &missing {
        std::fs::create_dir(d)?;
    }
    Ok(missing)
}

/// Removes `path`'s parent folders up to `root` while they are empty.
fn prune_empty_parents(root: &Path, path: &Path) {
    let mut cur = path.parent();
    while let Some(p) = cur {
        if p == root || std::fs::remove_dir(p).is_err() {
            break;
        }
        cur = p.parent();
    }
}

/// What was done to one path, to put it back.
struct Done {
    target: PathBuf,
    /// Where the old file was moved aside to.
    aside: Option<PathBuf>,
    /// Whether a new file was moved in.
    placed: bool,
    created_dirs: Vec<PathBuf>,
}

fn rollback(done: Vec<Done>) {
    for d in done.into_iter().rev() {
        if d.placed {
            let _ = std::fs::remove_file(&d.target);
        }
        if let Some(a) = &d.aside {
            let _ = std::fs::rename(a, &d.target);
        }
        for dir in d.created_dirs.iter().rev() {
            let _ = std::fs::remove_dir(dir);
        }
    }
}

/// Applies the plan to the project as one transaction, then records conflicts in the git
/// index when the project is in a git work tree. On error nothing has changed.
pub fn apply(project: &Path, plan: &Plan, opts: &ApplyOptions) -> Result<Applied, ApplyError> {
    let mut ops: Vec<Op> = vec![];
    for c in &plan.changes {
        for (p, d) in &c.writes {
            ops.push(Op {
                path: p.clone(),
                new: Some(d.clone()),
            });
        }
        for p in &c.removes {
            ops.push(Op {
                path: p.clone(),
                new: None,
            });
        }
    }
    ops.push(Op {
        path: format!("{STATE_DIR}/{STATE_FILE}"),
        new: Some(FileData {
            bytes: opts.state.clone(),
            executable: false,
        }),
    });

    // Every path is checked before anything is written.
    let root = nskit_recipe::paths::ProjectRoot::new(project)?;
    let targets: Vec<PathBuf> = ops
        .iter()
        .map(|op| root.target(&op.path))
        .collect::<Result<_, _>>()?;

    let worktree = nskit_vcs::Worktree::open(project);
    let record_dir = undo_dir(project, worktree.as_ref());
    write_record(
        &record_dir,
        &ops,
        &opts.description,
        project,
        worktree.as_ref().map(|w| w.index_file()),
    )?;

    let staging = tempfile::Builder::new()
        .prefix(".nskit-update-")
        .tempdir_in(project)
        .map_err(io("cannot create a staging folder in", project))?;
    let fail = |e: ApplyError| {
        let _ = std::fs::remove_dir_all(record_dir.with_extension("new"));
        e
    };
    // Stage every new file first: a full disk fails here, before anything moved.
    for (i, op) in ops.iter().enumerate() {
        if let Some(d) = &op.new {
            let f = staging.path().join(format!("new-{i}"));
            std::fs::write(&f, &d.bytes)
                .and_then(|_| set_executable(&f, d.executable))
                .map_err(io("cannot stage", &f))
                .map_err(fail)?;
        }
    }
    let mut done: Vec<Done> = Vec::with_capacity(ops.len());
    let mut result = Ok(());
    for (i, op) in ops.iter().enumerate() {
        if opts.fail_before == Some(i) {
            result = Err(ApplyError::Io {
                action: "cannot move in",
                path: project.join(&op.path),
                source: std::io::Error::other("injected failure"),
            });
            break;
        }
        let target = targets[i].clone();
        let mut d = Done {
            target: target.clone(),
            aside: None,
            placed: false,
            created_dirs: vec![],
        };
        let step = (|| -> Result<(), ApplyError> {
            if std::fs::symlink_metadata(&target).is_ok_and(|m| m.is_file()) {
                let aside = staging.path().join(format!("old-{i}"));
                std::fs::rename(&target, &aside).map_err(io("cannot move aside", &target))?;
                d.aside = Some(aside);
            }
            if op.new.is_some() {
                d.created_dirs = create_parents(project, &target)
                    .map_err(io("cannot create the folder of", &target))?;
                std::fs::rename(staging.path().join(format!("new-{i}")), &target)
                    .map_err(io("cannot write", &target))?;
                d.placed = true;
            }
            Ok(())
        })();
        done.push(d);
        if let Err(e) = step {
            result = Err(e);
            break;
        }
    }
    if let Err(e) = result {
        rollback(done);
        return Err(fail(e));
    }
    let mut warnings = vec![];
    if let Err(e) = swap_record(&record_dir) {
        warnings.push(format!(
            "{e}; `nskit update --undo` will not be able to undo this update"
        ));
    }
    let removed: Vec<String> = ops
        .iter()
        .filter(|o| o.new.is_none())
        .map(|o| o.path.clone())
        .collect();
    for r in &removed {
        prune_empty_parents(project, &project.join(r));
    }
    let conflicts: Vec<String> = plan.conflicts().map(|c| c.path.clone()).collect();
    let stages: Vec<nskit_vcs::Conflict> = plan
        .changes
        .iter()
        .filter_map(|c| c.stages.clone())
        .collect();
    let mut recorded_in_index = false;
    if let Some(w) = &worktree {
        match w.record_conflicts(&stages) {
            Ok(()) => recorded_in_index = !stages.is_empty(),
            Err(e) => warnings.push(format!(
                "{e}; the conflicts are marked in the files but not in the git index"
            )),
        }
    }
    Ok(Applied {
        written: ops
            .iter()
            .filter(|o| o.new.is_some())
            .map(|o| o.path.clone())
            .collect(),
        removed,
        conflicts,
        recorded_in_index,
        warnings,
    })
}

/// Puts the project back as it was before the last update (files and git index), unless a
/// file the update wrote has changed since (then nothing is done, unless `force`).
pub fn undo(project: &Path, force: bool) -> Result<UndoOutcome, ApplyError> {
    let worktree = nskit_vcs::Worktree::open(project);
    let dir = undo_dir(project, worktree.as_ref());
    let record_file = dir.join("record.json");
    let text = match std::fs::read(&record_file) {
        Ok(t) => t,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            return Err(ApplyError::NothingToUndo(project.to_path_buf()));
        }
        Err(e) => return Err(io("cannot read", &record_file)(e)),
    };
    let record: Record = serde_json::from_slice(&text).map_err(|e| ApplyError::BadRecord {
        path: record_file.clone(),
        message: e.to_string(),
    })?;
    if !force {
        let mut changed = vec![];
        for e in &record.entries {
            let full = project.join(&e.path);
            let now = read_existing(&full).map_err(io("cannot read", &full))?;
            let now_id = now.map(|d| nskit_vcs::blob_id(&d.bytes));
            if now_id != e.after {
                changed.push(e.path.clone());
            }
        }
        if !changed.is_empty() {
            return Err(ApplyError::ChangedSinceUpdate(changed));
        }
    }
    let root = nskit_recipe::paths::ProjectRoot::new(project)?;
    let targets: Vec<PathBuf> = record
        .entries
        .iter()
        .map(|e| root.target(&e.path))
        .collect::<Result<_, _>>()?;
    let mut restored = vec![];
    let mut removed = vec![];
    for (e, full) in record.entries.iter().zip(targets) {
        match &e.before {
            Some(name) => {
                let src = dir.join("files").join(name);
                let bytes = std::fs::read(&src).map_err(|err| ApplyError::BadRecord {
                    path: src.clone(),
                    message: err.to_string(),
                })?;
                create_parents(project, &full).map_err(io("cannot create the folder of", &full))?;
                let tmp = full.with_file_name(format!(
                    ".nskit-undo-{}",
                    full.file_name()
                        .map(|n| n.to_string_lossy())
                        .unwrap_or_default()
                ));
                std::fs::write(&tmp, &bytes)
                    .and_then(|_| set_executable(&tmp, e.before_executable))
                    .and_then(|_| std::fs::rename(&tmp, &full))
                    .map_err(io("cannot restore", &full))?;
                restored.push(e.path.clone());
            }
            None => {
                if std::fs::symlink_metadata(&full).is_ok_and(|m| m.is_file()) {
                    std::fs::remove_file(&full).map_err(io("cannot remove", &full))?;
                    prune_empty_parents(project, &full);
                }
                removed.push(e.path.clone());
            }
        }
    }
    if record.index
        && let Some(w) = &worktree
    {
        let to = w.index_file();
        std::fs::copy(dir.join("index"), &to).map_err(io("cannot restore the git index", &to))?;
    }
    let _ = std::fs::remove_dir_all(&dir);
    Ok(UndoOutcome {
        description: record.description,
        restored,
        removed,
    })
}
