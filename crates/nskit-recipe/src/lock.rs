//! One nskit at a time per project: an advisory lock on a file in the project's nskit
//! folder (see [`crate::txn`]). The holder writes who it is into the file, so a second
//! command can say which process holds the project. The operating system releases the lock
//! when the holder dies, so a killed command never leaves the project locked.
//!
//! Within one process the lock is re-entrant (a command that holds it calls functions that
//! take it again).
use std::collections::HashMap;
use std::fs::{File, OpenOptions};
use std::io::{Read, Seek, Write};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, OnceLock};
use std::time::{Duration, Instant};

use crate::error::{RecipeError, Result};

/// How long a second command waits for the first before refusing.
pub const LOCK_WAIT: Duration = Duration::from_secs(3);

/// The locks this process holds: the open lock file and how many guards share it.
type Held = Mutex<HashMap<PathBuf, (Arc<File>, usize)>>;

fn held() -> &'static Held {
    static HELD: OnceLock<Held> = OnceLock::new();
    HELD.get_or_init(|| Mutex::new(HashMap::new()))
}

/// A held project lock; dropping it releases the lock (the last guard of this process).
#[derive(Debug)]
pub struct ProjectLock {
    file: PathBuf,
}

impl ProjectLock {
    /// Takes the lock of the project whose nskit folder is `meta` (created if missing),
    /// waiting up to [`LOCK_WAIT`]; then refuses, naming the process that holds it.
    pub fn acquire(meta: &Path, project: &Path) -> Result<ProjectLock> {
        std::fs::create_dir_all(meta).map_err(|e| RecipeError::write(meta, e))?;
        let path = meta.join("lock");
        let key = meta.canonicalize().unwrap_or_else(|_| meta.to_path_buf());
        let mut map = held()
            .lock()
            .map_err(|_| RecipeError::Run("the lock table is poisoned".into()))?;
        if let Some((_, n)) = map.get_mut(&key) {
            *n += 1;
            return Ok(ProjectLock { file: key });
        }
        let mut file = OpenOptions::new()
            .read(true)
            .write(true)
            .create(true)
            .truncate(false)
            .open(&path)
            .map_err(|e| RecipeError::write(&path, e))?;
        let start = Instant::now();
        loop {
            match file.try_lock() {
                Ok(()) => break,
                Err(std::fs::TryLockError::WouldBlock) if start.elapsed() < LOCK_WAIT => {
                    std::thread::sleep(Duration::from_millis(50));
                }
                Err(std::fs::TryLockError::WouldBlock) => {
                    let mut who = String::new();
                    let _ = file.read_to_string(&mut who);
                    let who = who.trim();
                    return Err(RecipeError::Busy {
                        project: project.to_path_buf(),
                        holder: if who.is_empty() {
                            "another nskit".into()
                        } else {
                            who.to_string()
                        },
                    });
                }
                Err(std::fs::TryLockError::Error(e)) => return Err(RecipeError::write(&path, e)),
            }
        }
        let me = format!(
            "process {} ({}), since {}",
            std::process::id(),
            std::env::args().collect::<Vec<_>>().join(" "),
            chrono::Local::now().format("%H:%M:%S")
        );
        let _ = file.set_len(0);
        let _ = file.rewind();
        let _ = file.write_all(me.as_bytes());
        map.insert(key.clone(), (Arc::new(file), 1));
        Ok(ProjectLock { file: key })
    }
}

impl Drop for ProjectLock {
    fn drop(&mut self) {
        if let Ok(mut map) = held().lock()
            && let Some((file, n)) = map.get_mut(&self.file)
        {
            *n -= 1;
            if *n == 0 {
                let _ = file.set_len(0);
                let _ = file.unlock();
                map.remove(&self.file);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reentrant_in_a_process_and_released_on_drop() {
        let dir = tempfile::tempdir().expect("tempdir");
        let meta = dir.path().join("meta");
        let a = ProjectLock::acquire(&meta, dir.path()).expect("first");
        let b = ProjectLock::acquire(&meta, dir.path()).expect("again, same process");
        drop(a);
        // Still held by `b`: another open file description cannot take it.
        let f = File::open(meta.join("lock")).expect("open");
        assert!(f.try_lock().is_err());
        let who = std::fs::read_to_string(meta.join("lock")).expect("read");
        assert!(who.contains(&std::process::id().to_string()), "{who}");
        drop(b);
        f.try_lock().expect("released");
    }
}
