//! The user's resolutions of an update, turned into the bytes each file gets.
//!
//! Every face (the CLI, the desktop app, the web API) sends choices, never assembled text:
//! a whole side for a file, given bytes, or a pick per conflict hunk. The bytes are made
//! here, from the same line merge that wrote the plan's conflict markers, so a hunk's
//! number means the same conflict everywhere.
use std::collections::BTreeMap;

use nskit_merge::{LineMerge, MergeOptions, Pick, is_binary};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::plan::{Decision, FileChange, FileData, Plan};

/// How the user resolves one file of an update.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(tag = "take", rename_all = "camelCase")]
#[ts(export)]
pub enum Resolution {
    /// The plan's result, conflict markers and all.
    Proposed,
    /// The project's file as it is (a file you have stays, one you removed stays removed).
    Yours,
    /// The recipe's new version (a file it removed is removed).
    Recipe,
    /// This text.
    Text {
        /// The file's new contents.
        text: String,
    },
    /// These bytes.
    Bytes {
        /// The file's new contents.
        bytes: Vec<u8>,
    },
    /// A pick per conflict hunk, in the order of the file; a hunk without a pick (or past
    /// the end of the list) keeps its markers.
    Hunks {
        /// The picks.
        hunks: Vec<Option<HunkPick>>,
    },
}

/// How one conflict hunk is resolved.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(tag = "take", rename_all = "camelCase")]
#[ts(export)]
pub enum HunkPick {
    /// The project's lines.
    Yours,
    /// The recipe's new lines.
    Recipe,
    /// The project's lines, then the recipe's.
    YoursThenRecipe,
    /// The recipe's lines, then the project's.
    RecipeThenYours,
    /// The lines of the recorded version: neither change.
    Base,
    /// Lines written by hand.
    Text {
        /// The hunk's lines.
        text: String,
    },
}

impl From<Pick> for HunkPick {
    fn from(p: Pick) -> HunkPick {
        match p {
            Pick::Ours => HunkPick::Yours,
            Pick::Theirs => HunkPick::Recipe,
            Pick::OursThenTheirs => HunkPick::YoursThenRecipe,
            Pick::TheirsThenOurs => HunkPick::RecipeThenYours,
            Pick::Base => HunkPick::Base,
            Pick::Text(t) => HunkPick::Text {
                text: String::from_utf8_lossy(&t).into_owned(),
            },
        }
    }
}

impl From<&HunkPick> for Pick {
    fn from(p: &HunkPick) -> Pick {
        match p {
            HunkPick::Yours => Pick::Ours,
            HunkPick::Recipe => Pick::Theirs,
            HunkPick::YoursThenRecipe => Pick::OursThenTheirs,
            HunkPick::RecipeThenYours => Pick::TheirsThenOurs,
            HunkPick::Base => Pick::Base,
            HunkPick::Text { text } => Pick::Text(text.as_bytes().to_vec()),
        }
    }
}

/// A resolution that does not fit the plan.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ResolveError {
    /// The path is not in the plan.
    #[error("{0} is not part of this update")]
    UnknownPath(String),
    /// Hunk picks for a file that has no text merge.
    #[error(
        "{path} is {why}: it has no conflict hunks to pick from; take yours, the recipe's or give its contents"
    )]
    NotText {
        /// The path.
        path: String,
        /// Why (binary, missing on a side).
        why: &'static str,
    },
    /// More picks than the file has conflicts.
    #[error("{path} has {conflicts} conflict hunk(s), but {given} picks were given")]
    TooManyPicks {
        /// The path.
        path: String,
        /// Picks given.
        given: usize,
        /// Conflicts the file has.
        conflicts: usize,
    },
}

impl FileChange {
    /// The line merge of this path's three versions, as the plan made it: its conflict
    /// regions are the hunks [`Resolution::Hunks`] picks for, in order. An error when the
    /// path has no text on both sides.
    pub fn line_merge<'a>(&'a self, opts: &MergeOptions) -> Result<LineMerge<'a>, ResolveError> {
        let not_text = |why| ResolveError::NotText {
            path: self.path.clone(),
            why,
        };
        let s = &self.sides;
        let ours = s
            .ours
            .as_ref()
            .ok_or_else(|| not_text("not in your project"))?;
        let theirs = s
            .theirs
            .as_ref()
            .ok_or_else(|| not_text("not in the recipe's new version"))?;
        // A file both added, and every file in two-way mode, merges from nothing.
        let base: &[u8] = match (&s.base, self.decision) {
            (_, Decision::AddedByBothConflict) | (None, _) => b"",
            (Some(b), _) => &b.bytes,
        };
        if is_binary(base) || is_binary(&ours.bytes) || is_binary(&theirs.bytes) {
            return Err(not_text("binary"));
        }
        Ok(LineMerge::new(base, &ours.bytes, &theirs.bytes, opts))
    }

    /// The picks that give the file as it is in the folder now, one per conflict hunk
    /// (`None`: still marked); `None` when the file was changed outside its conflicts or
    /// has no line merge. For conflicts reopened after an update.
    pub fn picks_on_disk(&self, opts: &MergeOptions) -> Option<Vec<Option<HunkPick>>> {
        let m = self.line_merge(opts).ok()?;
        let disk = self.on_disk.as_ref()?;
        let picks = m.picks_from(&disk.bytes)?;
        Some(picks.into_iter().map(|p| p.map(HunkPick::from)).collect())
    }

    /// The executable bit given contents get: the plan's, else the file's.
    fn executable_for_new_contents(&self) -> bool {
        self.new_contents()
            .map(|d| d.executable)
            .or(self.sides.ours.as_ref().map(|d| d.executable))
            .or(self.sides.theirs.as_ref().map(|d| d.executable))
            .unwrap_or(false)
    }

    fn resolve(&mut self, r: &Resolution, opts: &MergeOptions) -> Result<(), ResolveError> {
        let given = |bytes: Vec<u8>, c: &FileChange| FileData {
            bytes,
            executable: c.executable_for_new_contents(),
        };
        let (target, left, how) = match r {
            Resolution::Proposed => return Ok(()),
            Resolution::Yours => (self.sides.ours.clone(), 0, "your version kept".to_string()),
            Resolution::Recipe => (
                self.sides.theirs.clone(),
                0,
                if self.sides.theirs.is_some() {
                    "the recipe's version taken".to_string()
                } else {
                    "removed, as the recipe did".to_string()
                },
            ),
            Resolution::Text { text } => (
                Some(given(text.as_bytes().to_vec(), self)),
                0,
                "edited by you".to_string(),
            ),
            Resolution::Bytes { bytes } => (
                Some(given(bytes.clone(), self)),
                0,
                "edited by you".to_string(),
            ),
            Resolution::Hunks { hunks } => {
                let (bytes, left, total) = {
                    let m = self.line_merge(opts)?;
                    let total = m.conflicts().count();
                    if hunks.len() > total {
                        return Err(ResolveError::TooManyPicks {
                            path: self.path.clone(),
                            given: hunks.len(),
                            conflicts: total,
                        });
                    }
                    let picks: Vec<Option<Pick>> =
                        hunks.iter().map(|h| h.as_ref().map(Pick::from)).collect();
                    let out = m.resolve(&picks);
                    (out.bytes, out.conflicts, total)
                };
                let how = if left == 0 {
                    format!("{total} conflict hunk(s) resolved")
                } else {
                    format!(
                        "{} of {total} conflict hunk(s) resolved, {left} left marked",
                        total - left
                    )
                };
                (Some(given(bytes, self)), left, how)
            }
        };
        let path = self.path.clone();
        // The path's writes and removal are decided anew; a rename's removal of the old
        // path stays.
        let side_file = self.theirs_path.take();
        self.writes
            .retain(|(p, _)| *p != path && Some(p) != side_file.as_ref());
        self.removes.retain(|p| *p != path);
        let now = self.on_disk.clone();
        match &target {
            Some(d) if now.as_ref() != Some(d) => self.writes.push((path.clone(), d.clone())),
            None if now.is_some() => self.removes.push(path.clone()),
            _ => {}
        }
        self.executable = target
            .as_ref()
            .map(|d| d.executable)
            .filter(|x| Some(*x) != now.as_ref().map(|d| d.executable));
        self.conflicts = left;
        if left == 0 {
            self.stages = None;
        }
        self.resolved = self.decision.is_conflict() && left == 0;
        self.message = how;
        Ok(())
    }
}

impl Plan {
    /// The plan with the user's resolutions, by path: each file gets the bytes its
    /// resolution makes (see [`Resolution`]); conflicts resolved are no longer recorded in
    /// the git index; those left keep their markers and stages. Paths without a resolution
    /// keep the plan's result.
    pub fn resolve(
        &self,
        resolutions: &BTreeMap<String, Resolution>,
    ) -> Result<Plan, ResolveError> {
        let mut plan = self.clone();
        let opts = self.merge.clone();
        for (path, r) in resolutions {
            let c = plan
                .changes
                .iter_mut()
                .find(|c| c.path == *path)
                .ok_or_else(|| ResolveError::UnknownPath(path.clone()))?;
            c.resolve(r, &opts)?;
        }
        Ok(plan)
    }
}
