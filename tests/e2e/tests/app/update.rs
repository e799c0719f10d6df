//! Projects and update review, through the window.
use std::path::Path;

use anyhow::{Result, bail};
use fantoccini::Client;

use crate::support::*;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn review_and_resolve_an_update() -> Result<()> {
    if skip("review_and_resolve_an_update")? {
        return Ok(());
    }
    let home = tempfile::tempdir()?;
    let recipes = home.path().join("recipes");
    publish(
        &recipes,
        "1.0.0",
        false,
        &[
            ("notes.txt", LINES.to_string()),
            ("config.txt", LINES.to_string()),
        ],
    )?;
    // The project, made at 1.0.0 through the client layer, then edited by its owner: one
    // file merges, one conflicts in three places.
    let project = make_project(&recipes, &home.path().join("work/svc"))?;
    std::fs::write(project.join("notes.txt"), with(&[("l14", "l14 mine")]))?;
    std::fs::write(
        project.join("config.txt"),
        with(&[("l2", "l2 mine"), ("l7", "l7 mine"), ("l12", "l12 mine")]),
    )?;
    git_in(&project, &["commit", "-qam", "my edits"])?;
    // 1.1.0 changes both files and asks a new question.
    publish(
        &recipes,
        "1.1.0",
        true,
        &[
            ("notes.txt", with(&[("l2", "l2 recipe")])),
            (
                "config.txt",
                with(&[
                    ("l2", "l2 recipe"),
                    ("l7", "l7 recipe"),
                    ("l12", "l12 recipe"),
                ]),
            ),
            ("LICENSE", "{{ license }}\n".into()),
        ],
    )?;

    let (_driver, c) = start_with(home.path(), &local_backend(&recipes)).await?;
    let result = drive_update(&c, &project, &recipes).await;
    if result.is_err() {
        screenshot(&c, "update-failure").await;
    }
    let _ = c.close().await;
    result?;

    // The undo put the project back to the committed 1.1.0, exactly.
    let status = git_in(&project, &["status", "--porcelain"])?;
    if !status.is_empty() {
        bail!("after the undo the work tree is not clean:\n{status}");
    }
    let state = std::fs::read_to_string(project.join(".recipe/config.yml"))?;
    if !state.contains("1.1.0") || state.contains("1.2.0") {
        bail!("the state file is not back at 1.1.0:\n{state}");
    }
    Ok(())
}

async fn drive_update(c: &Client, project: &Path, recipes: &Path) -> Result<()> {
    // No project yet: the app opens on the catalogue; the Projects tab adds one by path.
    click(c, "[data-testid=nav-projects]").await?;
    type_into(
        c,
        "[data-testid=project-path]",
        &project.display().to_string(),
    )
    .await?;
    click(c, "[data-testid=add-project]").await?;
    wait_text(c, "[data-testid=update-badge]", "Update available: 1.1.0").await?;
    // A folder that is not a project gets a clear message.
    type_into(
        c,
        "[data-testid=project-path]",
        &recipes.display().to_string(),
    )
    .await?;
    click(c, "[data-testid=add-project]").await?;
    wait_text(c, "[data-testid=error-banner]", "not made from a recipe").await?;
    screen(c, "projects").await?;

    // The update: 1.1.0 is picked, its new question asked.
    click(c, "[data-testid=review-update]").await?;
    wait_css(c, "[data-testid=new-fields]").await?;
    type_into(c, "#field-license", "Apache-2.0").await?;
    wait_text(c, "[data-testid=target-version]", "1.1.0").await?;
    screen(c, "update-setup").await?;
    click(c, "[data-testid=start-review]").await?;
    wait_text(c, "[data-testid=count-conflicts]", "Conflicts: 1").await?;
    wait_text(c, "[data-testid=count-merged]", "Merged: 1").await?;
    wait_text(c, "[data-testid=count-added]", "Added: 1").await?;
    wait_text(
        c,
        "[data-testid=apply-summary]",
        "1 file with conflicts left",
    )
    .await?;
    screen(c, "plan").await?;

    // A merged file: side by side, yours against the result.
    click(c, "[data-testid='file-notes.txt']").await?;
    wait_text(c, "[data-testid=diff-view]", "l2 recipe").await?;
    screen(c, "diff").await?;

    // The conflict: three hunks, resolved with yours, both, and by hand.
    click(c, "[data-testid='file-config.txt']").await?;
    wait_text(c, "[data-testid=conflicts-left]", "3 conflicts left").await?;
    // From the keyboard: Alt+2 takes the recipe's lines, Ctrl+Z takes that back.
    let alt_2 = "\u{E00A}2\u{E000}";
    let ctrl_z = "\u{E009}z\u{E000}";
    wait_css(c, "[data-testid=pick-yours]")
        .await?
        .send_keys(alt_2)
        .await?;
    wait_text(c, "[data-testid=hunk-status]", "Resolved: demo 1.1.0").await?;
    wait_text(c, "[data-testid=conflicts-left]", "2 conflicts left").await?;
    wait_css(c, "[data-testid=pick-yours]")
        .await?
        .send_keys(ctrl_z)
        .await?;
    wait_text(c, "[data-testid=conflicts-left]", "3 conflicts left").await?;
    wait_text(c, "[data-testid=hunk-status]", "Open").await?;
    click(c, "[data-testid=pick-yours]").await?;
    wait_text(c, "[data-testid=conflicts-left]", "2 conflicts left").await?;
    click(c, "[data-testid=next-conflict]").await?;
    click(c, "[data-testid=pick-both-yours-first]").await?;
    wait_text(c, "[data-testid=conflicts-left]", "1 conflict left").await?;
    click(c, "[data-testid=next-conflict]").await?;
    click(c, "[data-testid=edit-hunk]").await?;
    // Typed over the selected hunk: the text, then the Enter key.
    c.active_element()
        .await?
        .send_keys("by hand\u{E007}")
        .await?;
    wait_line(c, "[data-testid=result-editor] .cm-line", "by hand").await?;
    wait_text(c, "[data-testid=conflicts-left]", "All conflicts resolved").await?;
    wait_text(c, "[data-testid=hunk-status]", "edited by hand").await?;
    screen(c, "conflict").await?;
    wait_text(c, "[data-testid=apply-summary]", "Ready to apply").await?;

    // Apply, then commit with the prefilled message.
    click(c, "[data-testid=apply]").await?;
    wait_css(c, "[data-testid=apply-result]").await?;
    wait_text(c, "[data-testid=no-conflicts]", "None").await?;
    let message = wait_css(c, "[data-testid=commit-message]")
        .await?
        .prop("value")
        .await?
        .unwrap_or_default();
    if message != "Update demo 1.0.0 → 1.1.0" {
        bail!("the commit message is prefilled as `{message}`");
    }
    screen(c, "result").await?;
    click(c, "[data-testid=commit]").await?;
    wait_text(c, "[data-testid=commit-result]", "Committed").await?;

    // The exact bytes, and the commit.
    let config = std::fs::read_to_string(project.join("config.txt"))?;
    if config != resolved_config() {
        bail!("config.txt is\n{config}\nexpected\n{}", resolved_config());
    }
    let notes = std::fs::read_to_string(project.join("notes.txt"))?;
    if notes != with(&[("l2", "l2 recipe"), ("l14", "l14 mine")]) {
        bail!("notes.txt did not merge: {notes}");
    }
    if std::fs::read_to_string(project.join("LICENSE"))? != "Apache-2.0\n" {
        bail!("the new question's answer was not used");
    }
    let subject = git_in(project, &["log", "-1", "--format=%s"])?;
    if subject.trim() != "Update demo 1.0.0 → 1.1.0" {
        bail!("the commit says `{subject}`");
    }
    if git_in(project, &["show", "HEAD:config.txt"])? != resolved_config() {
        bail!("the commit does not hold the resolved config.txt");
    }
    if !git_in(project, &["status", "--porcelain"])?.is_empty() {
        bail!("something was left out of the commit");
    }

    // Update again, to 1.2.0 (no conflict), then undo it from the result screen.
    publish(
        recipes,
        "1.2.0",
        true,
        &[
            (
                "notes.txt",
                with(&[("l2", "l2 recipe"), ("l5", "l5 recipe")]),
            ),
            (
                "config.txt",
                with(&[
                    ("l2", "l2 recipe"),
                    ("l7", "l7 recipe"),
                    ("l12", "l12 recipe"),
                ]),
            ),
            ("LICENSE", "{{ license }}\n".into()),
        ],
    )?;
    click(c, "[data-testid=back-to-projects]").await?;
    wait_text(c, "[data-testid=update-badge]", "Update available: 1.2.0").await?;
    click(c, "[data-testid=review-update]").await?;
    click(c, "[data-testid=start-review]").await?;
    wait_text(c, "[data-testid=apply-summary]", "Ready to apply").await?;
    click(c, "[data-testid=apply]").await?;
    wait_css(c, "[data-testid=apply-result]").await?;
    let notes = std::fs::read_to_string(project.join("notes.txt"))?;
    if !notes.contains("l5 recipe") {
        bail!("1.2.0 was not applied: {notes}");
    }
    click(c, "[data-testid=undo-update]").await?;
    wait_text(
        c,
        "[data-testid=undo-result]",
        "as it was before the update",
    )
    .await?;
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_input_is_shown_with_what_to_do() -> Result<()> {
    if skip("bad_input_is_shown_with_what_to_do")? {
        return Ok(());
    }
    let home = tempfile::tempdir()?;
    let recipes = home.path().join("recipes");
    publish(
        &recipes,
        "1.0.0",
        false,
        &[
            ("notes.txt", LINES.to_string()),
            ("logo.bin", "\u{0}base".into()),
            ("old.txt", "old\n".into()),
        ],
    )?;
    let project = make_project(&recipes, &home.path().join("work/svc"))?;
    let broken = make_project(&recipes, &home.path().join("work/broken"))?;
    std::fs::write(project.join("notes.txt"), with(&[("l3", "l3 mine")]))?;
    std::fs::write(project.join("logo.bin"), "\u{0}mine")?;
    std::fs::write(project.join("old.txt"), "old, but mine\n")?;
    git_in(&project, &["commit", "-qam", "mine"])?;
    std::fs::write(broken.join(".recipe/config.yml"), "metadata: [\n")?;
    publish(
        &recipes,
        "1.1.0",
        false,
        &[
            ("notes.txt", with(&[("l3", "l3 recipe")])),
            ("logo.bin", "\u{0}recipe".into()),
        ],
    )?;
    // Both projects are remembered already: the app opens on them.
    remember(home.path(), &[&project, &broken])?;
    let before = std::fs::read(project.join("notes.txt"))?;
    let (_driver, c) = start_with(home.path(), &local_backend(&recipes)).await?;
    let result = drive_bad_input(&c, &recipes).await;
    if result.is_err() {
        screenshot(&c, "bad-input-failure").await;
    }
    let _ = c.close().await;
    result?;
    if std::fs::read(project.join("notes.txt"))? != before
        || !git_in(&project, &["status", "--porcelain"])?.is_empty()
    {
        bail!("something was written though nothing was applied");
    }
    Ok(())
}

async fn drive_bad_input(c: &Client, recipes: &Path) -> Result<()> {
    // A broken state file: the project says what is wrong, and offers no update.
    wait_text(
        c,
        "[data-testid=project-broken] [data-testid=project-problem]",
        "config.yml",
    )
    .await?;
    wait_text(
        c,
        "[data-testid=project-svc] [data-testid=update-badge]",
        "1.1.0",
    )
    .await?;
    screen(c, "projects-problem").await?;

    // A binary conflict and a file the recipe removed that the user edited: each shows
    // its versions and the choices, and choosing writes nothing.
    click(c, "[data-testid=project-svc] [data-testid=review-update]").await?;
    click(c, "[data-testid=start-review]").await?;
    wait_text(c, "[data-testid=count-conflicts]", "Conflicts: 3").await?;
    click(c, "[data-testid='file-logo.bin']").await?;
    wait_text(c, "[data-testid=binary-info]", "bytes").await?;
    wait_text(c, "[data-testid=file-message]", "binary").await?;
    click(c, "[data-testid=choose-recipe]").await?;
    screen(c, "binary-conflict").await?;
    click(c, "[data-testid='file-old.txt']").await?;
    wait_text(c, "[data-testid=file-choices]", "Delete it").await?;
    wait_text(c, "[data-testid=file-message]", "removed this file").await?;
    // Applying with a conflict left asks first; keep resolving writes nothing.
    click(c, "[data-testid=apply]").await?;
    wait_css(c, "[data-testid=confirm-conflicts]").await?;
    click(c, "[data-testid=keep-resolving]").await?;
    gone_css(c, "[data-testid=confirm-conflicts]").await?;

    // The version the project was made from is gone: two-way is offered.
    click(c, "[data-testid=nav-projects]").await?;
    std::fs::remove_dir_all(recipes.join("demo/1.0.0"))?;
    click(c, "[data-testid=project-svc] [data-testid=review-update]").await?;
    click(c, "[data-testid=start-review]").await?;
    wait_text(c, "[data-testid=error-banner]", "two-way").await?;
    click(c, "[data-testid=two-way]").await?;
    wait_css(c, "[data-testid=review]").await?;
    wait_text(c, "[data-testid=count-conflicts]", "Conflicts").await?;
    screen(c, "two-way").await?;
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn conflicts_left_are_reopened_from_the_index() -> Result<()> {
    if skip("conflicts_left_are_reopened_from_the_index")? {
        return Ok(());
    }
    let home = tempfile::tempdir()?;
    let recipes = home.path().join("recipes");
    publish(
        &recipes,
        "1.0.0",
        false,
        &[("notes.txt", LINES.to_string())],
    )?;
    let project = make_project(&recipes, &home.path().join("work/svc"))?;
    std::fs::write(project.join("notes.txt"), with(&[("l3", "l3 mine")]))?;
    git_in(&project, &["commit", "-qam", "mine"])?;
    publish(
        &recipes,
        "1.1.0",
        false,
        &[("notes.txt", with(&[("l3", "l3 recipe")]))],
    )?;
    remember(home.path(), &[&project])?;
    let (_driver, c) = start_with(home.path(), &local_backend(&recipes)).await?;
    let result = drive_reopen(&c, &project).await;
    if result.is_err() {
        screenshot(&c, "reopen-failure").await;
    }
    let _ = c.close().await;
    result?;
    // Resolved from the index: nothing unmerged, the file staged as resolved.
    if !git_in(&project, &["ls-files", "-u"])?.is_empty() {
        bail!("conflicts are still recorded in the index");
    }
    let notes = std::fs::read_to_string(project.join("notes.txt"))?;
    if notes != with(&[("l3", "l3 recipe")]) {
        bail!("notes.txt is\n{notes}");
    }
    let status = git_in(&project, &["status", "--porcelain"])?;
    if !status.contains("M  notes.txt") {
        bail!("notes.txt is not staged as resolved:\n{status}");
    }
    Ok(())
}

async fn drive_reopen(c: &Client, project: &Path) -> Result<()> {
    wait_text(c, "[data-testid=update-badge]", "1.1.0").await?;
    click(c, "[data-testid=review-update]").await?;
    click(c, "[data-testid=start-review]").await?;
    wait_text(
        c,
        "[data-testid=apply-summary]",
        "1 file with conflicts left",
    )
    .await?;
    // Applying with the conflict left asks first, then writes markers.
    click(c, "[data-testid=apply]").await?;
    click(c, "[data-testid=apply-with-markers]").await?;
    wait_text(c, "[data-testid=conflicts-left-list]", "notes.txt").await?;
    let stages = git_in(project, &["ls-files", "-u"])?;
    if stages.lines().count() != 3 {
        bail!("the conflict is not recorded as stages 1, 2 and 3:\n{stages}");
    }
    let marked = std::fs::read_to_string(project.join("notes.txt"))?;
    if !marked.contains("<<<<<<< yours\nl3 mine\n") {
        bail!("notes.txt has no markers:\n{marked}");
    }
    screen(c, "result-conflicts").await?;
    // Later, from the Projects screen: the conflict is shown and reopened from the index.
    click(c, "[data-testid=back-to-projects]").await?;
    wait_text(c, "[data-testid=conflicts-badge]", "1 unresolved conflict").await?;
    click(c, "[data-testid=resolve-conflicts]").await?;
    click(c, "[data-testid='file-notes.txt']").await?;
    wait_text(c, "[data-testid=conflicts-left]", "1 conflict left").await?;
    click(c, "[data-testid=pick-recipe]").await?;
    wait_text(c, "[data-testid=conflicts-left]", "All conflicts resolved").await?;
    click(c, "[data-testid=apply]").await?;
    wait_text(c, "[data-testid=no-conflicts]", "None").await?;
    click(c, "[data-testid=back-to-projects]").await?;
    wait_css(c, "[data-testid=review-update]").await?;
    gone_css(c, "[data-testid=conflicts-badge]").await?;
    Ok(())
}
