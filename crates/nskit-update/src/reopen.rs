//! Conflicts an update left in a project, reopened from the git index: the same three
//! versions the update merged (stages 1, 2 and 3), so they resolve exactly as they would
//! have before the update was applied, in nskit or in any git tool.
use std::path::Path;

use nskit_merge::{ConflictStyle, Labels, MergeOptions, is_binary};

use crate::apply::{
    Applied, ApplyError, is_executable, meta_dir, open_project, plan_ops, written_and_removed,
};
use crate::plan::{Decision, DiffMode, FileChange, FileData, Plan, Sides};

fn data(s: &Option<nskit_vcs::Stage>) -> Option<FileData> {
    s.as_ref().map(|s| FileData {
        bytes: s.bytes.clone(),
        executable: s.executable,
    })
}

/// The labels of the first conflict markers in `text` (`<<<<<<< yours`, `||||||| demo
/// 1.0.0`, `>>>>>>> demo 1.1.0`), so that markers written again read the same.
fn marker_labels(text: &[u8], labels: &mut Labels) {
    for line in text.split(|b| *b == b'\n') {
        let line = String::from_utf8_lossy(line);
        let line = line.trim_end_matches('\r');
        let label = |prefix: &str| {
            line.strip_prefix(prefix)
                .map(|l| l.trim().to_string())
                .filter(|l| !l.is_empty())
        };
        if labels.ours.is_none() {
            labels.ours = label("<<<<<<< ");
        }
        if labels.base.is_none() {
            labels.base = label("||||||| ");
        }
        if labels.theirs.is_none() {
            labels.theirs = label(">>>>>>> ");
        }
    }
}

/// A plan over the conflicts the git index records for the project: one entry per
/// conflicted path, its sides read from stages 1 (base), 2 (yours) and 3 (the recipe's),
/// what is on disk now as its proposed result. Resolve it with [`Plan::resolve`] and write
/// it with [`apply_resolutions`]. An empty plan when nothing is in conflict.
pub fn conflicts_plan(project: &Path) -> Result<Plan, ApplyError> {
    let io = |e: std::io::Error| ApplyError::Io {
        action: "cannot read",
        path: project.to_path_buf(),
        source: e,
    };
    let Some(worktree) = nskit_vcs::Worktree::open(project) else {
        return Ok(Plan::empty(DiffMode::ThreeWay));
    };
    let conflicts = worktree
        .conflicts()
        .map_err(|e| io(std::io::Error::other(e.to_string())))?;
    let mut labels = Labels::default();
    let mut changes = Vec::with_capacity(conflicts.len());
    for c in conflicts {
        let full = project.join(&c.path);
        let on_disk = match std::fs::symlink_metadata(&full) {
            Ok(m) if m.is_file() => Some(FileData {
                bytes: std::fs::read(&full).map_err(io)?,
                executable: is_executable(&m),
            }),
            _ => None,
        };
        if let Some(d) = &on_disk {
            marker_labels(&d.bytes, &mut labels);
        }
        let sides = Sides {
            base: data(&c.base),
            ours: data(&c.ours),
            theirs: data(&c.theirs),
        };
        let binary = [&sides.base, &sides.ours, &sides.theirs]
            .iter()
            .any(|s| s.as_ref().is_some_and(|d| is_binary(&d.bytes)));
        let (decision, message) = match (&sides.base, &sides.ours, &sides.theirs) {
            (_, Some(_), Some(_)) if binary => (
                Decision::BinaryConflict,
                "a binary file you and the recipe both changed",
            ),
            (None, Some(_), Some(_)) => (
                Decision::AddedByBothConflict,
                "you and the recipe both added this file, differently",
            ),
            (_, Some(_), None) => (
                Decision::DeletedByTemplateEdited,
                "the recipe removed this file, but you changed it",
            ),
            (_, None, _) => (
                Decision::Conflict,
                "you removed this file, but the recipe changed it",
            ),
            _ => (
                Decision::Conflict,
                "you and the recipe changed the same lines",
            ),
        };
        let mut change = FileChange::new(&c.path, decision, message);
        change.sides = sides;
        change.on_disk = on_disk;
        change.stages = Some(c);
        changes.push(change);
    }
    let merge = MergeOptions {
        labels: Labels {
            ours: labels.ours.or(Some("yours".into())),
            base: labels.base.or(Some("base".into())),
            theirs: labels.theirs.or(Some("theirs".into())),
        },
        style: ConflictStyle::Diff3,
        ..MergeOptions::default()
    };
    for c in &mut changes {
        // The hunks still marked in the file; those resolved there already are not.
        c.conflicts = match c.picks_on_disk(&merge) {
            Some(picks) => picks.iter().filter(|p| p.is_none()).count(),
            None => c
                .line_merge(&merge)
                .map(|m| m.conflicts().count())
                .unwrap_or(1),
        };
    }
    let mut plan = Plan::empty(DiffMode::ThreeWay);
    plan.changes = changes;
    plan.merge = merge;
    Ok(plan)
}

/// Writes a resolved [`conflicts_plan`] as one transaction, then stages what is resolved
/// (and `mark_resolved`, as it is on disk), so git no longer sees it in conflict. Files
/// with conflicts left keep their markers and stages.
pub fn apply_resolutions(
    project: &Path,
    plan: &Plan,
    mark_resolved: &[String],
) -> Result<Applied, ApplyError> {
    let (_lock, _) = open_project(project)?;
    let ops = plan_ops(plan);
    let worktree = nskit_vcs::Worktree::open(project);
    let index = worktree.as_ref().map(|w| w.index_file());
    if !ops.is_empty() {
        let txn = nskit_recipe::txn::apply(
            project,
            &meta_dir(project),
            &ops,
            "resolving conflicts",
            index.as_deref(),
        )?;
        txn.discard()?;
    }
    let mut staged: Vec<String> = plan
        .changes
        .iter()
        .filter(|c| c.resolved)
        .map(|c| c.path.clone())
        .collect();
    for p in mark_resolved {
        if !staged.contains(p) {
            staged.push(p.clone());
        }
    }
    let mut warnings = vec![];
    if let Some(w) = &worktree
        && !staged.is_empty()
        && let Err(e) = w.stage(&staged)
    {
        warnings.push(format!(
            "{e}; the files are written, but git still sees them in conflict: `git add` them"
        ));
    }
    let (written, removed) = written_and_removed(&ops);
    Ok(Applied {
        written,
        removed,
        conflicts: plan
            .conflicts()
            .filter(|c| !mark_resolved.contains(&c.path))
            .map(|c| c.path.clone())
            .collect(),
        recorded_in_index: worktree.is_some(),
        warnings,
    })
}
