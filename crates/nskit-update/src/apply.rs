//! Applying a plan as one transaction, and undoing it.
//!
//! Both run as a [`nskit_recipe::txn`] transaction in the project's nskit folder
//! ([`meta_dir`]: inside the git folder for a git project, else `.recipe/nskit`), under the
//! project's lock: the new files are staged and a journal written before anything moves,
//! so a kill at any moment leaves the project as it was (the next command rolls the rest
//! back) or wholly updated. The state file is moved in last. The committed transaction
//! folder (the old files, a copy of the git index, `record.json`) is the undo record.
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use ts_rs::TS;

use nskit_recipe::txn::{NewFile, Source, TxnOp};

use crate::plan::Plan;
use crate::state::{STATE_DIR, STATE_FILE};

/// The undo record's folder, inside the project's nskit folder.
pub use nskit_recipe::txn::UNDO_DIR;

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
    /// through a link leading out of the project), the project is busy, or a file
    /// operation of the transaction failed (then nothing was changed).
    #[error("{0}; nothing was changed")]
    Refused(#[from] nskit_recipe::RecipeError),
    /// The project changed since the plan was made.
    #[error("{0} changed since this update was planned (another update?); plan it again")]
    Stale(PathBuf),
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

/// The project's nskit folder: `nskit` in the git folder of the work tree the project is in
/// (`nskit/projects/<path>` for a project in a sub-folder of a larger repository), else
/// `.recipe/nskit` in the project. Transactions, the undo record and the lock live there.
pub fn meta_dir(project: &Path) -> PathBuf {
    match nskit_vcs::Worktree::open(project) {
        Some(w) if w.prefix().is_empty() => w.git_dir().join("nskit"),
        Some(w) => w
            .git_dir()
            .join("nskit/projects")
            .join(w.prefix().trim_end_matches('/').replace('/', "%")),
        None => project.join(STATE_DIR).join("nskit"),
    }
}

/// Takes the project's lock (see [`nskit_recipe::lock`]), then rolls back whatever a
/// killed command left half done. Every command that changes or reads a project for an
/// update starts here; the note says what was rolled back, for the user.
pub fn open_project(
    project: &Path,
) -> Result<(nskit_recipe::lock::ProjectLock, Option<String>), ApplyError> {
    let meta = meta_dir(project);
    let lock = nskit_recipe::lock::ProjectLock::acquire(&meta, project)?;
    let index = nskit_vcs::Worktree::open(project).map(|w| w.index_file());
    let note = nskit_recipe::txn::recover(&meta, project, index.as_deref())?;
    Ok((lock, note.map(|r| r.to_string())))
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

#[cfg(unix)]
pub(crate) fn is_executable(m: &std::fs::Metadata) -> bool {
    use std::os::unix::fs::PermissionsExt;
    m.permissions().mode() & 0o111 != 0
}

#[cfg(not(unix))]
pub(crate) fn is_executable(_: &std::fs::Metadata) -> bool {
    false
}

/// The git blob id of a project file, `None` when it is not a file.
fn file_id(path: &Path) -> std::io::Result<Option<String>> {
    match std::fs::symlink_metadata(path) {
        Ok(m) if m.is_file() => Ok(Some(nskit_vcs::blob_id(&std::fs::read(path)?))),
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

/// The plan's writes and removals, as transaction operations.
pub(crate) fn plan_ops(plan: &Plan) -> Vec<TxnOp> {
    let mut ops: Vec<TxnOp> = vec![];
    for c in &plan.changes {
        for (p, d) in &c.writes {
            ops.push(TxnOp {
                path: p.clone(),
                new: Some(NewFile {
                    source: Source::Bytes(d.bytes.clone()),
                    executable: d.executable,
                }),
            });
        }
        for p in &c.removes {
            ops.push(TxnOp {
                path: p.clone(),
                new: None,
            });
        }
    }
    ops
}

/// The paths operations write, and those they remove.
pub(crate) fn written_and_removed(ops: &[TxnOp]) -> (Vec<String>, Vec<String>) {
    let (written, removed): (Vec<&TxnOp>, Vec<&TxnOp>) = ops.iter().partition(|o| o.new.is_some());
    (
        written.into_iter().map(|o| o.path.clone()).collect(),
        removed.into_iter().map(|o| o.path.clone()).collect(),
    )
}

/// Applies the plan to the project as one transaction, then records conflicts in the git
/// index when the project is in a git work tree. On error nothing has changed. Takes the
/// project's lock (re-entrant: a caller may hold it already).
pub fn apply(project: &Path, plan: &Plan, opts: &ApplyOptions) -> Result<Applied, ApplyError> {
    let (_lock, _) = open_project(project)?;
    let mut ops = plan_ops(plan);
    ops.push(TxnOp {
        path: format!("{STATE_DIR}/{STATE_FILE}"),
        new: Some(NewFile {
            source: Source::Bytes(opts.state.clone()),
            executable: false,
        }),
    });
    let after: Vec<Option<String>> = ops
        .iter()
        .map(|op| match &op.new {
            Some(NewFile {
                source: Source::Bytes(b),
                ..
            }) => Some(nskit_vcs::blob_id(b)),
            _ => None,
        })
        .collect();

    let meta = meta_dir(project);
    let worktree = nskit_vcs::Worktree::open(project);
    let index = worktree.as_ref().map(|w| w.index_file());
    nskit_recipe::txn::inject_failure_before(opts.fail_before);
    let txn = nskit_recipe::txn::apply(project, &meta, &ops, &opts.description, index.as_deref())?;

    let mut warnings = vec![];
    let conflicts: Vec<String> = plan.conflicts().map(|c| c.path.clone()).collect();
    let stages: Vec<nskit_vcs::Conflict> = plan
        .changes
        .iter()
        .filter_map(|c| c.stages.clone())
        .collect();
    let mut recorded_in_index = false;
    if let Some(w) = &worktree
        && !stages.is_empty()
    {
        txn.index_touched();
        match w.record_conflicts(&stages) {
            Ok(()) => recorded_in_index = true,
            Err(e) => warnings.push(format!(
                "{e}; the conflicts are marked in the files but not in the git index"
            )),
        }
    }
    // The undo record: what each path had (`old/i`, kept by the transaction) and the id
    // of what the update wrote.
    let dir = txn.dir().to_path_buf();
    let entries: Vec<RecordEntry> = ops
        .iter()
        .enumerate()
        .map(|(i, op)| {
            let old = dir.join("old").join(i.to_string());
            let meta = std::fs::symlink_metadata(&old).ok();
            RecordEntry {
                path: op.path.clone(),
                before: meta.as_ref().map(|_| format!("old/{i}")),
                before_executable: meta.as_ref().is_some_and(is_executable),
                after: after[i].clone(),
            }
        })
        .collect();
    let record = Record {
        description: opts.description.clone(),
        entries,
        index: dir.join("index").exists(),
    };
    let json = serde_json::to_vec_pretty(&record).unwrap_or_default();
    let kept = std::fs::write(dir.join("record.json"), json)
        .map_err(io("cannot write the undo record in", &dir))
        .and_then(|_| txn.keep_as_undo().map_err(ApplyError::from));
    if let Err(e) = kept {
        warnings.push(format!(
            "{e}; `nskit update --undo` will not be able to undo this update"
        ));
    }
    let (written, removed) = written_and_removed(&ops);
    for r in &removed {
        prune_empty_parents(project, &project.join(r));
    }
    Ok(Applied {
        written,
        removed,
        conflicts,
        recorded_in_index,
        warnings,
    })
}

/// Puts the project back as it was before the last update (files and git index), unless a
/// file the update wrote has changed since (then nothing is done, unless `force`). Runs as
/// a transaction under the project's lock, as [`apply`] does.
pub fn undo(project: &Path, force: bool) -> Result<UndoOutcome, ApplyError> {
    let (_lock, _) = open_project(project)?;
    let meta = meta_dir(project);
    let dir = meta.join(UNDO_DIR);
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
            if file_id(&full).map_err(io("cannot read", &full))? != e.after {
                changed.push(e.path.clone());
            }
        }
        if !changed.is_empty() {
            return Err(ApplyError::ChangedSinceUpdate(changed));
        }
    }
    let mut ops = Vec::with_capacity(record.entries.len());
    for e in &record.entries {
        let new = match &e.before {
            Some(name) => {
                let src = dir.join(name);
                if !src.starts_with(&dir) || name.contains("..") || !src.is_file() {
                    return Err(ApplyError::BadRecord {
                        path: record_file.clone(),
                        message: format!("{name} is missing from the record"),
                    });
                }
                Some(NewFile {
                    source: Source::File(src),
                    executable: e.before_executable,
                })
            }
            None => None,
        };
        ops.push(TxnOp {
            path: e.path.clone(),
            new,
        });
    }
    let worktree = nskit_vcs::Worktree::open(project);
    let index = worktree.as_ref().map(|w| w.index_file());
    let description = format!("the undo of {}", record.description);
    let txn = nskit_recipe::txn::apply(project, &meta, &ops, &description, index.as_deref())?;
    if record.index
        && let Some(to) = &index
    {
        txn.index_touched();
        if let Err(e) = std::fs::copy(dir.join("index"), to) {
            let _ = txn.roll_back();
            return Err(io("cannot restore the git index", to)(e));
        }
    }
    txn.discard()?;
    let _ = std::fs::remove_dir_all(&dir);
    for e in &record.entries {
        if e.before.is_none() {
            prune_empty_parents(project, &project.join(&e.path));
        }
    }
    Ok(UndoOutcome {
        description: record.description,
        restored: record
            .entries
            .iter()
            .filter(|e| e.before.is_some())
            .map(|e| e.path.clone())
            .collect(),
        removed: record
            .entries
            .iter()
            .filter(|e| e.before.is_none())
            .map(|e| e.path.clone())
            .collect(),
    })
}
