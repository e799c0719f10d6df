//! Update review, for faces that show an update before it is applied (the desktop app, a
//! web API): an update, or the conflicts an earlier update left in a project, held as a
//! session by id. The plan comes whole, with counts; each file's three versions and the
//! proposed result are read on demand (text inlined, large or binary files by size and
//! hash); the user's resolutions go back as choices, and the bytes are made in
//! `nskit-update`, in one place.
use nskit_progress::{Reporter, Step};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use nskit_merge::RegionKind;
use nskit_update::{
    Decision, DiffMode, FileChange, FileData, HunkPick, Plan, ProjectState, Resolution,
};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::client::RecipeClient;
use crate::error::{Error, Result};
use crate::update::{PreparedUpdate, UpdateRequest};

/// Files larger than this are described by size and hash, not sent as text.
pub const MAX_INLINE: usize = 1024 * 1024;
/// Sessions kept at once; starting one more drops the oldest.
pub const MAX_SESSIONS: usize = 8;

/// What a review is of.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub enum ReviewKind {
    /// An update to a new recipe version, not applied yet.
    Update,
    /// The conflicts an applied update left, read from the git index.
    Conflicts,
}

/// What the three versions are called, for people: never "ours" and "theirs".
#[derive(Debug, Clone, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct SideLabels {
    /// The project's files: "your project".
    pub yours: String,
    /// The recipe's new version: "python_package 1.1.0".
    pub recipe: String,
    /// The recorded version: "base python_package 1.0.0".
    pub base: String,
}

/// A review: the plan of an update (or the conflicts left by one), by id.
#[derive(Debug, Clone, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct Review {
    /// The session's id, for [`Reviews::file`], [`Reviews::apply`] and the rest.
    pub id: String,
    /// An update, or conflicts left.
    pub kind: ReviewKind,
    /// The project folder.
    #[ts(type = "string")]
    pub project_path: PathBuf,
    /// The recipe.
    pub recipe: String,
    /// The version the project is at.
    pub from_version: Option<String>,
    /// The version the update moves to.
    pub to_version: Option<String>,
    /// Whether the project is already at that version.
    pub up_to_date: bool,
    /// Three-way or two-way.
    pub mode: DiffMode,
    /// Fields the new version asks that the project had no answer for.
    pub new_fields: Vec<String>,
    /// One entry per path, sorted by path.
    pub files: Vec<FileChange>,
    /// How many paths have each decision.
    pub counts: BTreeMap<Decision, usize>,
    /// Paths left in conflict.
    pub conflicts: usize,
    /// What the versions are called.
    pub labels: SideLabels,
    /// Things the user should know.
    pub warnings: Vec<String>,
}

/// One version of a file, for showing.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct Content {
    /// The text, when the file is UTF-8 text of at most [`MAX_INLINE`] bytes.
    pub text: Option<String>,
    /// The size in bytes.
    #[ts(type = "number")]
    pub size: u64,
    /// Git's blob id of the bytes.
    pub hash: String,
    /// Whether the bytes look binary (a NUL byte near the start).
    pub binary: bool,
    /// Whether the file is executable.
    pub executable: bool,
}

impl Content {
    fn of(d: &FileData) -> Content {
        let binary = nskit_merge::is_binary(&d.bytes);
        Content {
            text: (!binary && d.bytes.len() <= MAX_INLINE)
                .then(|| String::from_utf8(d.bytes.clone()).ok())
                .flatten(),
            size: d.bytes.len() as u64,
            hash: nskit_vcs::blob_id(&d.bytes),
            binary,
            executable: d.executable,
        }
    }
}

/// Lines `start..end` (from 0) of one version.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
pub struct LineRange {
    /// The first line.
    pub start: u32,
    /// One past the last line.
    pub end: u32,
}

impl From<std::ops::Range<usize>> for LineRange {
    fn from(r: std::ops::Range<usize>) -> Self {
        LineRange {
            start: r.start as u32,
            end: r.end as u32,
        }
    }
}

/// What a stretch of a merged file is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub enum HunkKind {
    /// Nobody changed it.
    Unchanged,
    /// Only you changed it.
    Yours,
    /// Only the recipe changed it.
    Recipe,
    /// You both made the same change.
    Both,
    /// You changed it differently: a conflict.
    Conflict,
}

/// A stretch of a merged file, in the lines of each version. Together the regions cover
/// every line of the three versions, in order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct MergeRegion {
    /// What it is.
    pub kind: HunkKind,
    /// Its lines in the base.
    pub base: LineRange,
    /// Its lines in your file.
    pub yours: LineRange,
    /// Its lines in the recipe's new file.
    pub recipe: LineRange,
}

/// One file of a review, whole.
#[derive(Debug, Clone, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct FileView {
    /// The plan's entry.
    pub change: FileChange,
    /// The recorded version's file.
    pub base: Option<Content>,
    /// The project's file.
    pub yours: Option<Content>,
    /// The recipe's new file.
    pub recipe: Option<Content>,
    /// What the file will be when the plan is applied as it is.
    pub result: Option<Content>,
    /// The line merge, for a text file in conflict; empty otherwise.
    pub regions: Vec<MergeRegion>,
    /// Per conflict region: the pick that is in the file now (conflicts reopened after
    /// an update, resolved there by hand), or none.
    pub picks: Vec<Option<HunkPick>>,
}

/// What to apply.
#[derive(Debug, Clone, Default, Deserialize, TS)]
#[serde(rename_all = "camelCase", default)]
#[ts(export)]
pub struct ApplyRequest {
    /// The user's resolutions, by path; the rest keep the plan's result.
    pub resolutions: BTreeMap<String, Resolution>,
    /// Apply even with conflicts left: they are written with markers and recorded in the
    /// git index. Without it, conflicts left are an error naming them.
    pub allow_conflicts: bool,
    /// Paths to mark resolved as they are on disk (conflicts reopened after an update).
    pub mark_resolved: Vec<String>,
}

/// What applying a review did.
#[derive(Debug, Clone, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct ReviewOutcome {
    /// An update, or conflicts left.
    pub kind: ReviewKind,
    /// The project folder.
    #[ts(type = "string")]
    pub project_path: PathBuf,
    /// The recipe.
    pub recipe: String,
    /// The version the project was at.
    pub from_version: Option<String>,
    /// The version it is at now.
    pub to_version: Option<String>,
    /// Paths written.
    pub written: Vec<String>,
    /// Paths removed.
    pub removed: Vec<String>,
    /// Paths left in conflict.
    pub conflicts: Vec<String>,
    /// Whether the conflicts are recorded in the git index.
    pub recorded_in_index: bool,
    /// Things the user should know.
    pub warnings: Vec<String>,
    /// The commit message to offer: "Update RECIPE OLD → NEW".
    pub commit_message: String,
    /// Whether the project is in a git work tree (so it can be committed).
    pub in_git: bool,
    /// Whether `nskit update --undo` can undo it.
    pub undoable: bool,
}

enum Kind {
    Update(Box<PreparedUpdate>),
    Conflicts(Plan),
}

struct Session {
    id: String,
    project: PathBuf,
    recipe: String,
    kind: Kind,
}

impl Session {
    fn plan(&self) -> &Plan {
        match &self.kind {
            Kind::Update(p) => &p.plan,
            Kind::Conflicts(p) => p,
        }
    }

    fn labels(&self) -> SideLabels {
        let (from, to) = match &self.kind {
            Kind::Update(p) => (p.from_version.clone(), Some(p.to_version.clone())),
            Kind::Conflicts(p) => {
                let l = &p.merge_options().labels;
                let strip = |s: &Option<String>| {
                    s.as_deref()
                        .and_then(|s| s.strip_prefix(&self.recipe))
                        .map(|v| v.trim().to_string())
                };
                (strip(&l.base), strip(&l.theirs))
            }
        };
        let name = |v: Option<String>| match v {
            Some(v) if !v.is_empty() => format!("{} {v}", self.recipe),
            _ => self.recipe.clone(),
        };
        SideLabels {
            yours: "your project".into(),
            recipe: name(to),
            base: format!("base {}", name(from)),
        }
    }

    fn review(&self) -> Review {
        let plan = self.plan();
        let mut counts = BTreeMap::new();
        for c in &plan.changes {
            *counts.entry(c.decision).or_insert(0) += 1;
        }
        let (from, to, up_to_date, new_fields, warnings, kind) = match &self.kind {
            Kind::Update(p) => (
                p.from_version.clone(),
                Some(p.to_version.clone()),
                p.up_to_date,
                p.new_fields.clone(),
                p.warnings.clone(),
                ReviewKind::Update,
            ),
            Kind::Conflicts(_) => (None, None, false, vec![], vec![], ReviewKind::Conflicts),
        };
        Review {
            id: self.id.clone(),
            kind,
            project_path: self.project.clone(),
            recipe: self.recipe.clone(),
            from_version: from,
            to_version: to,
            up_to_date,
            mode: plan.mode,
            new_fields,
            files: plan.changes.clone(),
            counts,
            conflicts: plan.conflicts().count(),
            labels: self.labels(),
            warnings,
        }
    }
}

/// Update sessions by id: the state a face keeps between showing a plan and applying it.
/// One per app or server; cheap to share (`Arc`), safe to use from several threads.
#[derive(Default)]
pub struct Reviews {
    sessions: Mutex<Vec<Arc<Session>>>,
    next: AtomicU64,
}

impl std::fmt::Debug for Reviews {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Reviews").finish_non_exhaustive()
    }
}

fn gone(id: &str) -> Error {
    Error::SessionNotFound(id.to_string())
}

impl Reviews {
    /// No sessions yet.
    pub fn new() -> Self {
        Reviews::default()
    }

    fn insert(&self, project: &Path, recipe: String, kind: Kind) -> Arc<Session> {
        let n = self.next.fetch_add(1, Ordering::Relaxed) + 1;
        let stamp = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.subsec_nanos())
            .unwrap_or(0);
        let session = Arc::new(Session {
            id: format!("r{n}-{stamp:08x}"),
            project: project.to_path_buf(),
            recipe,
            kind,
        });
        let mut all = self.sessions.lock().unwrap_or_else(|e| e.into_inner());
        // One session per project: a new plan replaces the old one.
        all.retain(|s| s.project != session.project);
        if all.len() >= MAX_SESSIONS {
            all.remove(0);
        }
        all.push(session.clone());
        session
    }

    fn get(&self, id: &str) -> Result<Arc<Session>> {
        self.sessions
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .iter()
            .find(|s| s.id == id)
            .cloned()
            .ok_or_else(|| gone(id))
    }

    /// Plans an update (see [`crate::UpdateClient::plan`]; new fields come from
    /// `req.answers`, nothing is asked) and keeps it as a session.
    pub fn start_update(
        &self,
        client: &RecipeClient,
        req: &UpdateRequest,
        reporter: &Reporter,
    ) -> Result<Review> {
        let prepared = client.updates().plan(req, None, reporter)?;
        let recipe = prepared.recipe.clone();
        let s = self.insert(&req.project, recipe, Kind::Update(Box::new(prepared)));
        Ok(s.review())
    }

    /// Reopens the conflicts the git index records for the project (left by an update
    /// applied with conflicts) as a session. Its files are empty when nothing is in
    /// conflict.
    pub fn start_conflicts(&self, project: &Path) -> Result<Review> {
        let state = ProjectState::load(project)?;
        let plan = nskit_update::conflicts_plan(project)?;
        let s = self.insert(project, state.metadata.recipe_name, Kind::Conflicts(plan));
        Ok(s.review())
    }

    /// The review of a session.
    pub fn review(&self, id: &str) -> Result<Review> {
        Ok(self.get(id)?.review())
    }

    /// One file of a session: its versions, the proposed result and, for a text
    /// conflict, the regions of its merge.
    pub fn file(&self, id: &str, path: &str) -> Result<FileView> {
        let s = self.get(id)?;
        let plan = s.plan();
        let change = plan
            .change(path)
            .ok_or_else(|| Error::Resolve(nskit_update::ResolveError::UnknownPath(path.into())))?;
        let sides = change.sides();
        let (regions, picks) = if change.decision.is_conflict() {
            match change.line_merge(plan.merge_options()) {
                Ok(m) => {
                    let regions: Vec<MergeRegion> = m
                        .regions()
                        .iter()
                        .map(|r| MergeRegion {
                            kind: match r.kind {
                                RegionKind::Unchanged => HunkKind::Unchanged,
                                RegionKind::Ours => HunkKind::Yours,
                                RegionKind::Theirs => HunkKind::Recipe,
                                RegionKind::Both => HunkKind::Both,
                                RegionKind::Conflict => HunkKind::Conflict,
                            },
                            base: r.base.clone().into(),
                            yours: r.ours.clone().into(),
                            recipe: r.theirs.clone().into(),
                        })
                        .collect();
                    let n = m.conflicts().count();
                    match &s.kind {
                        Kind::Conflicts(_) => match change.picks_on_disk(plan.merge_options()) {
                            Some(picks) => (regions, picks),
                            // Edited outside its conflicts since: hunk picks would drop
                            // those edits, so the file is offered whole, not by hunk.
                            None => (vec![], vec![]),
                        },
                        Kind::Update(_) => (regions, vec![None; n]),
                    }
                }
                Err(_) => (vec![], vec![]),
            }
        } else {
            (vec![], vec![])
        };
        let result = change.result().map(Content::of);
        let mut change = change.clone();
        if matches!(s.kind, Kind::Conflicts(_))
            && change.decision.is_conflict()
            && regions.is_empty()
        {
            change.message = format!(
                "{}; the file was changed outside its conflicts since, so it is shown whole: resolve it in your editor and mark it resolved, or take a side",
                change.message
            );
        }
        Ok(FileView {
            change,
            base: sides.base.as_ref().map(Content::of),
            yours: sides.ours.as_ref().map(Content::of),
            recipe: sides.theirs.as_ref().map(Content::of),
            result,
            regions,
            picks,
        })
    }

    /// What a file would be with this resolution (nothing is written).
    pub fn preview(
        &self,
        id: &str,
        path: &str,
        resolution: &Resolution,
    ) -> Result<Option<Content>> {
        let s = self.get(id)?;
        let mut one = BTreeMap::new();
        one.insert(path.to_string(), resolution.clone());
        let plan = s.plan().resolve(&one).map_err(Error::Resolve)?;
        Ok(plan
            .change(path)
            .and_then(FileChange::result)
            .map(Content::of))
    }

    /// Applies a session with the user's resolutions, as one transaction: an update
    /// moves the project to the new version (undoable with `nskit update --undo`);
    /// reopened conflicts are written and what is resolved is staged. Conflicts left are
    /// an error ([`Error::ConflictsLeft`]) unless `req.allow_conflicts`. The session ends
    /// once applied. The write is one step on `reporter`; cancelling before it starts
    /// writes nothing.
    pub fn apply(
        &self,
        client: &RecipeClient,
        id: &str,
        req: &ApplyRequest,
        reporter: &Reporter,
    ) -> Result<ReviewOutcome> {
        let s = self.get(id)?;
        let plan = s.plan().resolve(&req.resolutions).map_err(Error::Resolve)?;
        let left: Vec<String> = plan
            .conflicts()
            .filter(|c| !req.mark_resolved.contains(&c.path))
            .map(|c| c.path.clone())
            .collect();
        if !left.is_empty() && !req.allow_conflicts {
            return Err(Error::ConflictsLeft { paths: left });
        }
        let in_git = nskit_vcs::Worktree::open(&s.project).is_some();
        let outcome = match &s.kind {
            Kind::Update(prepared) => {
                let mut prepared = (**prepared).clone();
                prepared.plan = plan;
                let done = client.updates().apply(&prepared, reporter)?;
                ReviewOutcome {
                    kind: ReviewKind::Update,
                    project_path: s.project.clone(),
                    recipe: s.recipe.clone(),
                    commit_message: format!(
                        "Update {} {} → {}",
                        s.recipe,
                        done.from_version.as_deref().unwrap_or("?"),
                        done.to_version
                    ),
                    from_version: done.from_version,
                    to_version: Some(done.to_version),
                    written: done.applied.written,
                    removed: done.applied.removed,
                    conflicts: done.applied.conflicts,
                    recorded_in_index: done.applied.recorded_in_index,
                    warnings: done.applied.warnings,
                    in_git,
                    undoable: true,
                }
            }
            Kind::Conflicts(_) => {
                // Takes the project's lock and rolls back what a killed command left.
                reporter.check()?;
                let step = reporter.step(Step::Apply, Some(s.project.display().to_string()));
                let done = nskit_update::apply_resolutions(&s.project, &plan, &req.mark_resolved)?;
                step.finish();
                let labels = s.labels();
                ReviewOutcome {
                    kind: ReviewKind::Conflicts,
                    project_path: s.project.clone(),
                    recipe: s.recipe.clone(),
                    from_version: None,
                    to_version: None,
                    commit_message: format!(
                        "Resolve the conflicts of the update to {}",
                        labels.recipe
                    ),
                    written: done.written,
                    removed: done.removed,
                    conflicts: done.conflicts,
                    recorded_in_index: done.recorded_in_index,
                    warnings: done.warnings,
                    in_git,
                    undoable: false,
                }
            }
        };
        self.close(id);
        Ok(outcome)
    }

    /// Ends a session (nothing is written).
    pub fn close(&self, id: &str) {
        self.sessions
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .retain(|s| s.id != id);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn data(bytes: Vec<u8>) -> FileData {
        FileData {
            bytes,
            executable: false,
        }
    }

    #[test]
    fn large_binary_and_non_utf8_files_are_described_not_inlined() {
        let small = Content::of(&data(b"hello\n".to_vec()));
        assert_eq!(small.text.as_deref(), Some("hello\n"));
        assert_eq!(small.size, 6);
        assert_eq!(small.hash, nskit_vcs::blob_id(b"hello\n"));

        let large = Content::of(&data(vec![b'a'; MAX_INLINE + 1]));
        assert!(large.text.is_none() && !large.binary);
        assert_eq!(large.size, MAX_INLINE as u64 + 1);

        let binary = Content::of(&data(b"\x89PNG\0\x01".to_vec()));
        assert!(binary.text.is_none() && binary.binary);

        let latin1 = Content::of(&data(b"caf\xe9\n".to_vec()));
        assert!(latin1.text.is_none() && !latin1.binary);
    }
}
