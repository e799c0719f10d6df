use std::path::Path;
use std::process::ExitCode;

use nskit::{Decision, DiffMode, PreparedUpdate, RecipeClient, UpdateRequest};

use crate::args::{DiffModeArg, UpdateArgs};
use crate::exit::{EXIT_CONFLICTS, EXIT_UPDATE_AVAILABLE};
use crate::prompt::{TerminalPrompter, should_prompt};

/// A one-letter status, as `git status --short` has them.
fn mark(d: Decision) -> &'static str {
    match d {
        Decision::Unchanged | Decision::UserOnly | Decision::AddedByBoth => " ",
        Decision::TemplateOnly | Decision::Merged | Decision::ModeChanged => "M",
        Decision::Added => "A",
        Decision::DeletedByTemplate => "D",
        Decision::DeletedByUser | Decision::DeletedByUserChanged => "-",
        Decision::Renamed => "R",
        Decision::Conflict
        | Decision::AddedByBothConflict
        | Decision::DeletedByTemplateEdited
        | Decision::BinaryConflict => "C",
    }
}

fn quiet(d: Decision) -> bool {
    matches!(
        d,
        Decision::Unchanged | Decision::UserOnly | Decision::AddedByBoth | Decision::DeletedByUser
    )
}

fn print_plan(p: &PreparedUpdate) {
    outln!(
        "{} {} → {} in {}{}",
        p.recipe,
        p.from_version.as_deref().unwrap_or("(unknown)"),
        p.to_version,
        p.project_path.display(),
        if p.plan.mode == DiffMode::TwoWay {
            " (two-way)"
        } else {
            ""
        }
    );
    let width = p
        .plan
        .changes
        .iter()
        .filter(|c| !quiet(c.decision))
        .map(|c| c.path.chars().count())
        .max()
        .unwrap_or(0);
    for c in p.plan.changes.iter().filter(|c| !quiet(c.decision)) {
        let path = match &c.renamed_from {
            Some(from) => format!("{} (from {from})", c.path),
            None => c.path.clone(),
        };
        outln!(
            "  {} {path:width$}  {}{}",
            mark(c.decision),
            c.message,
            if c.structured { " (merged by key)" } else { "" }
        );
    }
    let kept = p.plan.changes.iter().filter(|c| quiet(c.decision)).count();
    if kept > 0 {
        outln!("  ({kept} more files: unchanged, or only yours changed)");
    }
}

pub(crate) fn run(client: &RecipeClient, a: UpdateArgs) -> anyhow::Result<ExitCode> {
    let updates = client.updates();
    // The project is this command's until it ends; a half-done earlier one is rolled back.
    let (_lock, note) = updates.open(&a.project_path)?;
    if let Some(n) = note {
        errln!("note: {n}");
    }
    if a.undo {
        let out = updates.undo(&a.project_path, a.force)?;
        if a.json {
            outln!("{}", serde_json::to_string_pretty(&out)?);
        } else {
            outln!(
                "undid {}: {} files restored, {} removed",
                out.description,
                out.restored.len(),
                out.removed.len()
            );
        }
        return Ok(ExitCode::SUCCESS);
    }
    let req = UpdateRequest {
        project: a.project_path.clone(),
        target_version: a.target_version.clone(),
        answers: super::init::given_answers(a.input_yaml_path.as_deref(), &a.set)?,
        mode: match a.diff_mode {
            DiffModeArg::ThreeWay => DiffMode::ThreeWay,
            DiffModeArg::TwoWay => DiffMode::TwoWay,
        },
        allow_dirty: a.allow_dirty,
    };
    let mut prompter = TerminalPrompter;
    let prompter: Option<&mut dyn nskit::Prompter> = if should_prompt(a.defaults, a.json) {
        Some(&mut prompter)
    } else {
        None
    };
    let prepared = updates.plan(&req, prompter, &crate::progress::terminal())?;
    for w in &prepared.warnings {
        errln!("warning: {w}");
    }
    if prepared.up_to_date {
        if a.json {
            outln!("{}", serde_json::to_string_pretty(&prepared)?);
        } else {
            outln!(
                "Project is up to date ({} {})",
                prepared.recipe,
                prepared.to_version
            );
        }
        return Ok(ExitCode::SUCCESS);
    }
    if a.dry_run {
        if a.json {
            outln!("{}", serde_json::to_string_pretty(&prepared)?);
        } else {
            print_plan(&prepared);
            outln!("dry run: nothing was written");
        }
        return Ok(ExitCode::SUCCESS);
    }
    let result = updates.apply(&prepared, &crate::progress::terminal())?;
    for w in &result.applied.warnings {
        errln!("warning: {w}");
    }
    let conflicts = result.applied.conflicts.len();
    if a.json {
        outln!("{}", serde_json::to_string_pretty(&result)?);
    } else {
        print_plan(&prepared);
        outln!(
            "updated to {} {}: {} files written, {} removed; nothing committed, review with `git diff`",
            result.recipe,
            result.to_version,
            result.applied.written.len(),
            result.applied.removed.len()
        );
        if conflicts > 0 {
            outln!(
                "{conflicts} file{} in conflict: {}",
                if conflicts == 1 { "" } else { "s" },
                result.applied.conflicts.join(", ")
            );
            outln!(
                "resolve the markers (or use `git mergetool`), then `git add` the files; `nskit update --undo` puts everything back"
            );
        } else {
            outln!("`nskit update --undo` puts everything back");
        }
    }
    Ok(if conflicts > 0 {
        ExitCode::from(EXIT_CONFLICTS)
    } else {
        ExitCode::SUCCESS
    })
}

pub(crate) fn check(client: &RecipeClient, project: &Path, json: bool) -> anyhow::Result<ExitCode> {
    let (_lock, note) = client.updates().open(project)?;
    if let Some(n) = note {
        errln!("note: {n}");
    }
    let c = client.updates().check(project)?;
    if json {
        outln!("{}", serde_json::to_string_pretty(&c)?);
    } else if c.update_available {
        outln!(
            "Update available: {} {} → {}",
            c.recipe,
            c.current_version.as_deref().unwrap_or("(unknown)"),
            c.latest_version
        );
    } else {
        outln!("Project is up to date ({} {})", c.recipe, c.latest_version);
    }
    Ok(if c.update_available {
        ExitCode::from(EXIT_UPDATE_AVAILABLE)
    } else {
        ExitCode::SUCCESS
    })
}
