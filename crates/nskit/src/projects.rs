//! The projects a person works on, remembered between runs in the user's data folder
//! (`projects.json` in `NSKIT_DATA_DIR`, else the platform's data folder under `nskit`),
//! each with its status: recipe, version, backend, the newest version seen (checked in the
//! background and cached, so the list draws at once and offline), and whether its git
//! tree is dirty or has conflicts. The list only names folders: removing one from it never
//! touches the disk.
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use chrono::{DateTime, Utc};
use nskit_update::ProjectState;
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::client::RecipeClient;
use crate::error::{Error, ErrorInfo, Result};

/// How many changed paths a status lists (it also says how many there are).
const LISTED_PATHS: usize = 50;

/// A project's status, for the Projects screen.
#[derive(Debug, Clone, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct ProjectStatus {
    /// The project folder.
    #[ts(type = "string")]
    pub path: PathBuf,
    /// The folder's name.
    pub name: String,
    /// The recipe it was made from.
    pub recipe: Option<String>,
    /// The recipe version it is at.
    pub version: Option<String>,
    /// Where the recipe came from (`local /srv/recipes`, `registry ghcr.io/acme`).
    pub backend: Option<String>,
    /// The newest version the backend had when last checked.
    pub latest: Option<String>,
    /// When that was.
    #[ts(type = "string | null")]
    pub checked_at: Option<DateTime<Utc>>,
    /// Whether `latest` is newer than `version`.
    pub update_available: bool,
    /// Why the last check failed (offline, backend unreachable), when it did: `latest`
    /// is then the cached value.
    pub offline: Option<String>,
    /// Whether the project is in a git work tree.
    pub in_git: bool,
    /// Changed paths in its work tree (at most 50 listed).
    pub dirty: Vec<String>,
    /// How many paths are changed.
    pub dirty_count: usize,
    /// Paths git records as in conflict.
    pub conflicts: Vec<String>,
    /// What is wrong with the project, if anything: the folder is gone, it is not a
    /// project made from a recipe, or its state file is broken.
    pub problem: Option<ErrorInfo>,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
struct Stored {
    #[serde(default)]
    projects: Vec<StoredProject>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
struct StoredProject {
    path: PathBuf,
    added_at: DateTime<Utc>,
    #[serde(default)]
    latest: Option<String>,
    #[serde(default)]
    checked_at: Option<DateTime<Utc>>,
    #[serde(default)]
    offline: Option<String>,
}

/// The remembered projects: a small JSON file, read and written whole.
#[derive(Debug)]
pub struct ProjectList {
    file: PathBuf,
    guard: Mutex<()>,
}

impl ProjectList {
    /// The list kept in `file`.
    pub fn at(file: impl Into<PathBuf>) -> ProjectList {
        ProjectList {
            file: file.into(),
            guard: Mutex::new(()),
        }
    }

    /// The list in the user's data folder: `$NSKIT_DATA_DIR/projects.json`, else
    /// `<data folder>/nskit/projects.json`.
    pub fn default_location() -> Option<PathBuf> {
        std::env::var_os("NSKIT_DATA_DIR")
            .filter(|d| !d.is_empty())
            .map(PathBuf::from)
            .or_else(|| dirs::data_dir().map(|d| d.join("nskit")))
            .map(|d| d.join("projects.json"))
    }

    /// The file the list is kept in.
    pub fn file(&self) -> &Path {
        &self.file
    }

    fn load(&self) -> Result<Stored> {
        match std::fs::read(&self.file) {
            Ok(bytes) => serde_json::from_slice(&bytes).map_err(|e| {
                Error::Config(format!(
                    "{} is not a list of projects ({e}); move it away and add the projects again",
                    self.file.display()
                ))
            }),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(Stored::default()),
            Err(source) => Err(Error::Io {
                path: self.file.clone(),
                source,
            }),
        }
    }

    fn save(&self, stored: &Stored) -> Result<()> {
        let io = |source| Error::Io {
            path: self.file.clone(),
            source,
        };
        if let Some(dir) = self.file.parent() {
            std::fs::create_dir_all(dir).map_err(io)?;
        }
        let tmp = self.file.with_extension("json.tmp");
        let json = serde_json::to_vec_pretty(stored).unwrap_or_default();
        std::fs::write(&tmp, json).map_err(io)?;
        std::fs::rename(&tmp, &self.file).map_err(io)
    }

    fn edit<T>(&self, f: impl FnOnce(&mut Stored) -> T) -> Result<T> {
        let _g = self.guard.lock().unwrap_or_else(|e| e.into_inner());
        let mut stored = self.load()?;
        let out = f(&mut stored);
        self.save(&stored)?;
        Ok(out)
    }

    /// The remembered folders, in the order they were added.
    pub fn paths(&self) -> Result<Vec<PathBuf>> {
        let _g = self.guard.lock().unwrap_or_else(|e| e.into_inner());
        Ok(self.load()?.projects.into_iter().map(|p| p.path).collect())
    }

    /// Adds a folder opened from disk: it must be a project made from a recipe (its
    /// `.recipe/config.yml` readable), else the error says what it is not.
    pub fn add(&self, path: &Path) -> Result<ProjectStatus> {
        let path = path.canonicalize().map_err(|source| Error::Io {
            path: path.to_path_buf(),
            source,
        })?;
        ProjectState::load(&path)?;
        self.remember(&path)?;
        self.status(&path)
    }

    /// Remembers a folder without looking at it (a project just created).
    pub fn remember(&self, path: &Path) -> Result<()> {
        let path = path.canonicalize().unwrap_or_else(|_| path.to_path_buf());
        self.edit(|s| {
            if !s.projects.iter().any(|p| p.path == path) {
                s.projects.push(StoredProject {
                    path,
                    added_at: Utc::now(),
                    latest: None,
                    checked_at: None,
                    offline: None,
                });
            }
        })
    }

    /// Forgets a folder; the folder itself is left alone.
    pub fn remove(&self, path: &Path) -> Result<bool> {
        self.edit(|s| {
            let before = s.projects.len();
            s.projects.retain(|p| p.path != path);
            before != s.projects.len()
        })
    }

    /// Every remembered project's status, from the disk and the cached checks (no
    /// network).
    pub fn statuses(&self) -> Result<Vec<ProjectStatus>> {
        let stored = {
            let _g = self.guard.lock().unwrap_or_else(|e| e.into_inner());
            self.load()?
        };
        Ok(stored.projects.iter().map(status_of).collect())
    }

    /// One remembered project's status (see [`ProjectList::statuses`]).
    pub fn status(&self, path: &Path) -> Result<ProjectStatus> {
        let stored = {
            let _g = self.guard.lock().unwrap_or_else(|e| e.into_inner());
            self.load()?
        };
        Ok(match stored.projects.iter().find(|p| p.path == path) {
            Some(p) => status_of(p),
            None => status_of(&StoredProject {
                path: path.to_path_buf(),
                added_at: Utc::now(),
                latest: None,
                checked_at: None,
                offline: None,
            }),
        })
    }

    /// Asks the backend for the project's newest version, remembers the answer (or, when
    /// the backend cannot be reached, why, keeping the last answer), and returns the
    /// status.
    pub fn check(&self, client: &RecipeClient, path: &Path) -> Result<ProjectStatus> {
        let checked = client.updates().check(path);
        self.edit(|s| {
            if let Some(p) = s.projects.iter_mut().find(|p| p.path == path) {
                match &checked {
                    Ok(c) => {
                        p.latest = Some(c.latest_version.clone());
                        p.checked_at = Some(Utc::now());
                        p.offline = None;
                    }
                    Err(e) => p.offline = Some(e.info().message),
                }
            }
        })?;
        self.status(path)
    }
}

/// A project's status from its folder and the cached check.
fn status_of(p: &StoredProject) -> ProjectStatus {
    let name = p
        .path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| p.path.display().to_string());
    let mut s = ProjectStatus {
        path: p.path.clone(),
        name,
        recipe: None,
        version: None,
        backend: None,
        latest: p.latest.clone(),
        checked_at: p.checked_at,
        update_available: false,
        offline: p.offline.clone(),
        in_git: false,
        dirty: vec![],
        dirty_count: 0,
        conflicts: vec![],
        problem: None,
    };
    if !p.path.is_dir() {
        s.problem = Some(
            Error::Config(format!(
                "{} is gone (moved or deleted); remove it from the list, or open it where it is now",
                p.path.display()
            ))
            .info(),
        );
        return s;
    }
    match ProjectState::load(&p.path) {
        Ok(state) => {
            s.version = state.metadata.version();
            s.backend = state
                .metadata
                .source
                .as_ref()
                .map(|src| match &src.location {
                    Some(l) => format!("{} {l}", src.backend),
                    None => src.backend.clone(),
                });
            s.recipe = Some(state.metadata.recipe_name);
        }
        Err(e) => {
            let hint = match &e {
                nskit_update::StateError::NotARecipeProject(_) => {
                    "; if it moved, remove it from the list and open it where it is now"
                }
                _ if s.in_git || nskit_vcs::Worktree::open(&p.path).is_some() => {
                    "; fix the file, or put it back with `git checkout -- .recipe/config.yml`"
                }
                _ => "; fix the file (it is YAML)",
            };
            let mut info = Error::State(e).info();
            info.message.push_str(hint);
            s.problem = Some(info);
        }
    }
    if let (Some(latest), Some(current)) = (&s.latest, &s.version) {
        let l = nskit_recipe::RecipeVersion::new(latest.as_str());
        s.update_available =
            !l.matches(current) && l > nskit_recipe::RecipeVersion::new(current.as_str());
    }
    if let Some(w) = nskit_vcs::Worktree::open(&p.path) {
        s.in_git = true;
        if let Ok(mut dirty) = w.dirty_paths() {
            s.dirty_count = dirty.len();
            dirty.truncate(LISTED_PATHS);
            s.dirty = dirty;
        }
        s.conflicts = w.conflicted_paths().unwrap_or_default();
    }
    s
}
