//! Changing a project's files as one transaction that survives a kill at any moment.
//!
//! A transaction's data lives in the project's nskit folder (`meta`, inside `.git` for a
//! git project, so nothing appears in the working tree):
//!
//! 1. the new contents are staged in `meta/txn.tmp/new/`, with a journal of every path to
//!    write or remove and the folders to create; `txn.tmp` is then renamed `txn`: from this
//!    moment the transaction exists, and nothing has moved yet;
//! 2. each old file is moved aside into `txn/old/`, and each new one moved in (renames on
//!    one file system);
//! 3. the caller finishes (records conflicts in the git index, writes an undo record into
//!    the transaction folder) and commits: the folder is kept as the undo record, or
//!    removed.
//!
//! [`recover`] runs before any command touches the project: a `txn` folder left by a
//! killed command is rolled back file by file (the state of every path is known from which
//! of `new/i` and `old/i` still exist), so the project is exactly as it was before.
use std::path::{Path, PathBuf};
use std::sync::OnceLock;
use std::sync::atomic::{AtomicU64, Ordering};

use serde::{Deserialize, Serialize};

use crate::error::{RecipeError, Result};
use crate::paths::ProjectRoot;

/// The folder of the transaction in progress.
pub const TXN_DIR: &str = "txn";
/// The last update's undo record (a committed transaction folder).
pub const UNDO_DIR: &str = "undo";
const JOURNAL: &str = "journal.json";
const INDEX_TOUCHED: &str = "index-touched";

/// For the kill tests: `NSKIT_TEST_CRASH_AT=N` aborts the process at the N-th step of a
/// transaction, as a kill would (no destructor runs).
pub const CRASH_AT_VAR: &str = "NSKIT_TEST_CRASH_AT";

pub(crate) fn checkpoint() {
    static AT: OnceLock<Option<u64>> = OnceLock::new();
    static STEP: AtomicU64 = AtomicU64::new(0);
    if let Some(at) = *AT.get_or_init(|| {
        std::env::var(CRASH_AT_VAR)
            .ok()
            .and_then(|v| v.parse().ok())
    }) && STEP.fetch_add(1, Ordering::SeqCst) == at
    {
        std::process::abort();
    }
}

thread_local! {
    static FAIL_BEFORE: std::cell::Cell<Option<usize>> = const { std::cell::Cell::new(None) };
}

/// For tests: the next [`apply`] on this thread fails just before moving op `at`.
#[doc(hidden)]
pub fn inject_failure_before(at: Option<usize>) {
    FAIL_BEFORE.with(|f| f.set(at));
}

/// One path a transaction writes (`new` is `Some`) or removes.
#[derive(Debug, Clone)]
pub struct TxnOp {
    /// The project-relative `/`-separated path.
    pub path: String,
    /// What it becomes, or `None` to remove it.
    pub new: Option<NewFile>,
}

/// A new file's contents: bytes in memory, or a file to copy (large files are not read
/// into memory).
#[derive(Debug, Clone)]
pub struct NewFile {
    /// Where the bytes come from.
    pub source: Source,
    /// Whether it is executable.
    pub executable: bool,
}

/// Bytes, or a file holding them.
#[derive(Debug, Clone)]
pub enum Source {
    /// In memory.
    Bytes(Vec<u8>),
    /// A file on disk, copied.
    File(PathBuf),
    /// A file on disk that is nskit's own scratch copy: moved rather than copied (copied
    /// when it is on another file system).
    Moved(PathBuf),
}

#[derive(Debug, Clone, Serialize, Deserialize)]
struct Journal {
    description: String,
    ops: Vec<JournalOp>,
    /// Folders the transaction creates, outermost first.
    created_dirs: Vec<String>,
    /// Whether `index` holds a copy of the git index taken before anything moved.
    index_copy: bool,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
struct JournalOp {
    path: String,
    new: bool,
    /// Whether a file was there before (it is moved to `old/i`).
    had_old: bool,
}

/// What a rollback found and did, for the user.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Recovered {
    /// The interrupted operation (`demo 1.0.0 → 1.1.0`).
    pub description: String,
    /// How many paths were put back.
    pub restored: usize,
}

impl std::fmt::Display for Recovered {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "an interrupted operation ({}) was rolled back: {} path{} put back as they were before it",
            self.description,
            self.restored,
            if self.restored == 1 { "" } else { "s" }
        )
    }
}

fn io(action: &str, path: &Path) -> impl FnOnce(std::io::Error) -> RecipeError {
    let action = action.to_string();
    let path = path.to_path_buf();
    move |e| {
        RecipeError::write(
            path,
            std::io::Error::new(e.kind(), format!("{action}: {e}")),
        )
    }
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

fn is_file(p: &Path) -> bool {
    std::fs::symlink_metadata(p).is_ok_and(|m| m.is_file())
}

/// A transaction whose files are all in place, not yet committed.
#[derive(Debug)]
pub struct Applied {
    dir: PathBuf,
    meta: PathBuf,
    project: PathBuf,
    index: Option<PathBuf>,
}

impl Applied {
    /// The transaction's folder (`old/i` holds what path `i` had before), for an undo
    /// record written before [`Applied::keep_as_undo`].
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// Marks that the git index is about to change, so a rollback restores the copy.
    pub fn index_touched(&self) {
        let _ = std::fs::write(self.dir.join(INDEX_TOUCHED), b"");
        checkpoint();
    }

    /// Commits, keeping the transaction folder as the undo record (replacing the previous
    /// one).
    pub fn keep_as_undo(self) -> Result<()> {
        let undo = self.meta.join(UNDO_DIR);
        let prev = self.meta.join(format!("{UNDO_DIR}.prev"));
        let _ = std::fs::remove_dir_all(&prev);
        if undo.exists() {
            std::fs::rename(&undo, &prev).map_err(io("cannot move the old undo record", &undo))?;
        }
        checkpoint();
        // The commit point: from here on, the transaction is the undo record.
        std::fs::rename(&self.dir, &undo).map_err(io("cannot keep the undo record", &undo))?;
        checkpoint();
        let _ = std::fs::remove_file(undo.join(JOURNAL));
        let _ = std::fs::remove_dir_all(&prev);
        Ok(())
    }

    /// Commits, throwing the old files away.
    pub fn discard(self) -> Result<()> {
        let done = self.meta.join(format!("{TXN_DIR}.done"));
        let _ = std::fs::remove_dir_all(&done);
        // The commit point.
        std::fs::rename(&self.dir, &done).map_err(io("cannot finish", &self.dir))?;
        checkpoint();
        let _ = std::fs::remove_dir_all(&done);
        Ok(())
    }

    /// Puts everything back (for a failure after the files moved).
    pub fn roll_back(self) -> Result<Option<Recovered>> {
        recover(&self.meta, &self.project, self.index.as_deref())
    }
}

/// Runs `ops` on the project as one transaction (see the module's documentation). Every
/// path is checked first with [`ProjectRoot::target`]. `index` is the git index file, copied
/// so a rollback can restore it. On error nothing has changed.
pub fn apply(
    project: &Path,
    meta: &Path,
    ops: &[TxnOp],
    description: &str,
    index: Option<&Path>,
) -> Result<Applied> {
    let root = ProjectRoot::new(project)?;
    let targets: Vec<PathBuf> = ops
        .iter()
        .map(|op| root.target(&op.path))
        .collect::<Result<_>>()?;
    std::fs::create_dir_all(meta).map_err(io("cannot create", meta))?;
    let tmp = meta.join(format!("{TXN_DIR}.tmp"));
    let _ = std::fs::remove_dir_all(&tmp);
    std::fs::create_dir_all(tmp.join("new")).map_err(io("cannot create", &tmp))?;
    std::fs::create_dir_all(tmp.join("old")).map_err(io("cannot create", &tmp))?;
    let cleanup = |e: RecipeError| {
        let _ = std::fs::remove_dir_all(&tmp);
        e
    };
    // Stage every new file first: a full disk fails here, before anything moved.
    let mut created_dirs: Vec<String> = vec![];
    let mut journal_ops = Vec::with_capacity(ops.len());
    for (i, (op, target)) in ops.iter().zip(&targets).enumerate() {
        if let Some(n) = &op.new {
            let f = tmp.join("new").join(i.to_string());
            match &n.source {
                Source::Bytes(b) => std::fs::write(&f, b).map(|_| ()),
                Source::File(src) => std::fs::copy(src, &f).map(|_| ()),
                Source::Moved(src) => {
                    std::fs::rename(src, &f).or_else(|_| std::fs::copy(src, &f).map(|_| ()))
                }
            }
            .and_then(|_| set_executable(&f, n.executable))
            .map_err(io("cannot stage", &f))
            .map_err(cleanup)?;
            // Folders to create, outermost first, each once.
            let mut missing = vec![];
            let mut cur = Path::new(&op.path).parent();
            while let Some(p) = cur.filter(|p| !p.as_os_str().is_empty()) {
                if project.join(p).exists() {
                    break;
                }
                missing.push(p.to_string_lossy().replace('\\', "/"));
                cur = p.parent();
            }
            for d in missing.into_iter().rev() {
                if !created_dirs.contains(&d) {
                    created_dirs.push(d);
                }
            }
        }
        journal_ops.push(JournalOp {
            path: op.path.clone(),
            new: op.new.is_some(),
            had_old: is_file(target),
        });
    }
    let index_copy = match index {
        Some(f) if f.exists() => {
            std::fs::copy(f, tmp.join("index"))
                .map_err(io("cannot copy the git index", f))
                .map_err(cleanup)?;
            true
        }
        _ => false,
    };
    let journal = Journal {
        description: description.to_string(),
        ops: journal_ops,
        created_dirs,
        index_copy,
    };
    let json = serde_json::to_vec_pretty(&journal).unwrap_or_default();
    std::fs::write(tmp.join(JOURNAL), json)
        .map_err(io("cannot write the journal", &tmp))
        .map_err(cleanup)?;
    checkpoint();
    let dir = meta.join(TXN_DIR);
    if dir.exists() {
        let _ = std::fs::remove_dir_all(&tmp);
        return Err(RecipeError::Run(format!(
            "{} holds an unfinished transaction; run the command again to roll it back first",
            dir.display()
        )));
    }
    std::fs::rename(&tmp, &dir)
        .map_err(io("cannot start the transaction", &dir))
        .map_err(cleanup)?;
    checkpoint();

    for d in &journal.created_dirs {
        let p = project.join(d);
        if let Err(e) = std::fs::create_dir(&p)
            && e.kind() != std::io::ErrorKind::AlreadyExists
        {
            let err = io("cannot create", &p)(e);
            let _ = recover(meta, project, None);
            return Err(err);
        }
    }
    let fail_before = FAIL_BEFORE.with(|f| f.take());
    for (i, (op, target)) in journal.ops.iter().zip(&targets).enumerate() {
        let step = (|| -> std::io::Result<()> {
            if fail_before == Some(i) {
                return Err(std::io::Error::other("injected failure"));
            }
            if op.had_old {
                std::fs::rename(target, dir.join("old").join(i.to_string()))?;
                checkpoint();
            }
            if op.new {
                std::fs::rename(dir.join("new").join(i.to_string()), target)?;
                checkpoint();
            }
            Ok(())
        })();
        if let Err(e) = step {
            let err = io("cannot move", target)(e);
            let _ = recover(meta, project, None);
            return Err(err);
        }
    }
    Ok(Applied {
        dir,
        meta: meta.to_path_buf(),
        project: project.to_path_buf(),
        index: index.map(Path::to_path_buf),
    })
}

/// Rolls back a transaction a killed command left in `meta`, and finishes a commit that
/// was cut short. `index` is where a saved git index copy is put back. Returns what was
/// rolled back, if anything was.
pub fn recover(meta: &Path, project: &Path, index: Option<&Path>) -> Result<Option<Recovered>> {
    let _ = std::fs::remove_dir_all(meta.join(format!("{TXN_DIR}.tmp")));
    let _ = std::fs::remove_dir_all(meta.join(format!("{TXN_DIR}.done")));
    let dir = meta.join(TXN_DIR);
    let undo = meta.join(UNDO_DIR);
    let prev = meta.join(format!("{UNDO_DIR}.prev"));
    if !dir.exists() {
        // A commit cut short after the new record was in place.
        if prev.exists() {
            if undo.exists() {
                let _ = std::fs::remove_dir_all(&prev);
            } else {
                let _ = std::fs::rename(&prev, &undo);
            }
        }
        let _ = std::fs::remove_file(undo.join(JOURNAL));
        return Ok(None);
    }
    let text = std::fs::read(dir.join(JOURNAL)).map_err(io("cannot read the journal", &dir))?;
    let journal: Journal = serde_json::from_slice(&text).map_err(|e| {
        RecipeError::Run(format!(
            "the journal in {} is damaged ({e}); the files it names may be half moved: compare with `git status` and remove the folder",
            dir.display()
        ))
    })?;
    let mut restored = 0;
    for (i, op) in journal.ops.iter().enumerate().rev() {
        let target = project.join(&op.path);
        let staged = dir.join("new").join(i.to_string());
        let old = dir.join("old").join(i.to_string());
        let mut touched = false;
        if op.new && !staged.exists() && is_file(&target) {
            std::fs::remove_file(&target).map_err(io("cannot remove", &target))?;
            touched = true;
        }
        if old.exists() {
            if is_file(&target) {
                std::fs::remove_file(&target).map_err(io("cannot remove", &target))?;
            }
            std::fs::rename(&old, &target).map_err(io("cannot put back", &target))?;
            touched = true;
        }
        restored += usize::from(touched);
    }
    for d in journal.created_dirs.iter().rev() {
        let _ = std::fs::remove_dir(project.join(d));
    }
    if journal.index_copy
        && dir.join(INDEX_TOUCHED).exists()
        && let Some(index) = index
    {
        std::fs::copy(dir.join("index"), index)
            .map_err(io("cannot restore the git index", index))?;
    }
    std::fs::remove_dir_all(&dir).map_err(io("cannot remove", &dir))?;
    if prev.exists() && !undo.exists() {
        let _ = std::fs::rename(&prev, &undo);
    }
    Ok(Some(Recovered {
        description: journal.description,
        restored,
    }))
}
