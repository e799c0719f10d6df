//! Updating a generated project to a new recipe version, without losing a line.
//!
//! - [`ProjectState`]: the project's `.recipe/config.yml`, the file the original nskit
//!   writes (keys `input`, `metadata.recipe_name`, `metadata.docker_image`, timestamps),
//!   extended with the exact recipe version, where it came from and the nskit version. Keys
//!   this version does not know are kept when the file is rewritten.
//! - [`plan_update`]: one [`Decision`] per path from three trees: base (the recorded
//!   version rendered again), theirs (the target version) and ours (the working tree).
//!   Nothing is written.
//! - [`Plan::resolve`]: the user's resolutions (a side, given bytes, or a pick per conflict
//!   hunk) turned into the bytes each file gets, in one place.
//! - [`conflicts_plan`]: the conflicts an applied update left, reopened from the git
//!   index, resolved the same way and written by [`apply_resolutions`], which stages them.
//! - [`apply`]: the plan as one transaction (all files change or none do), with a record
//!   that [`undo`] uses to put the tree back as it was.
#![deny(missing_docs)]

mod apply;
mod plan;
mod reopen;
mod resolve;
mod state;

pub use apply::{
    Applied, ApplyError, ApplyOptions, UNDO_DIR, UndoOutcome, apply, meta_dir, open_project, undo,
};
pub use plan::{
    Decision, DiffMode, FileChange, FileData, Plan, PlanOptions, Sides, Tree, plan_update,
};
pub use reopen::{apply_resolutions, conflicts_plan};
pub use resolve::{HunkPick, Resolution, ResolveError};
pub use state::{Metadata, ProjectState, STATE_DIR, STATE_FILE, StateError};
