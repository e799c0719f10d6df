//! Update review through the client layer, on a real local recipe and a real git
//! repository: plan a session, read its files, resolve hunk by hunk, apply, commit; apply
//! with conflicts left and find them in the index; undo; reopen them; the projects list.
use std::path::{Path, PathBuf};
use std::process::Command;

use nskit::review::HunkKind;
use nskit::{
    ApplyRequest, Decision, ErrorCode, HunkPick, InitRequest, Output, ProjectList, RecipeClient,
    Resolution, Reviews, UpdateRequest,
};
use nskit::{Event, Reporter, Step, StepState};

fn git(dir: &Path, args: &[&str]) -> String {
    let out = Command::new("git")
        .args(["-c", "user.name=Test", "-c", "user.email=test@example.com"])
        .args(args)
        .current_dir(dir)
        .output()
        .expect("git runs");
    assert!(
        out.status.success(),
        "git {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

const LINES: &str = "one\ntwo\nthree\nfour\nfive\nsix\nseven\neight\nnine\nten\n";

fn with(replacements: &[(&str, &str)]) -> String {
    let mut s = LINES.to_string();
    for (a, b) in replacements {
        s = s.replace(&format!("{a}\n"), &format!("{b}\n"));
    }
    s
}

/// `demo` at 1.0.0, 1.1.0 and 1.2.0, as folders of a local backend.
fn recipes(root: &Path) {
    let version = |v: &str, fields: &str, files: &[(&str, &[u8])]| {
        let dir = root.join("demo").join(v);
        std::fs::create_dir_all(dir.join("template")).expect("mkdir");
        std::fs::write(
            dir.join("recipe.yaml"),
            format!(
                "name: demo\nversion: {v}\ndescription: a recipe for tests\nfields:\n  - name: project_name\n    prompt: Name\n{fields}"
            ),
        )
        .expect("write");
        for (p, bytes) in files {
            std::fs::write(dir.join("template").join(p), bytes).expect("write");
        }
    };
    version(
        "1.0.0",
        "",
        &[
            ("notes.txt", LINES.as_bytes()),
            ("config.txt", LINES.as_bytes()),
            ("logo.bin", b"\x89PNG\0one"),
            ("old.txt", b"old\n"),
        ],
    );
    let license = "  - name: license\n    prompt: License\n    default: MIT\n";
    version(
        "1.1.0",
        license,
        &[
            ("notes.txt", with(&[("two", "TWO")]).as_bytes()),
            (
                "config.txt",
                with(&[("two", "two (recipe)"), ("eight", "eight (recipe)")]).as_bytes(),
            ),
            ("logo.bin", b"\x89PNG\0two"),
            ("license.txt", b"{{ license }}\n"),
        ],
    );
    version(
        "1.2.0",
        license,
        &[
            (
                "notes.txt",
                with(&[("two", "TWO"), ("five", "FIVE")]).as_bytes(),
            ),
            (
                "config.txt",
                with(&[("two", "two (recipe)"), ("eight", "eight (recipe)")]).as_bytes(),
            ),
            ("logo.bin", b"\x89PNG\0two"),
            ("license.txt", b"{{ license }}\n"),
        ],
    );
}

fn client(root: &Path) -> RecipeClient {
    RecipeClient::new(Box::new(nskit_backends::LocalBackend::new(root)))
}

fn init(client: &RecipeClient, out: &Path) -> PathBuf {
    let mut answers = serde_json::Map::new();
    answers.insert("project_name".into(), "proj".into());
    let r = client.initialize_recipe(&InitRequest {
        recipe: "demo".into(),
        version: Some("1.0.0".into()),
        answers,
        output: Output::Base(out.to_path_buf()),
        git: true,
        ..InitRequest::default()
    });
    assert!(r.success, "{:?}", r.errors);
    r.project_path
}

/// An update of `project` to `version`.
fn to(project: &Path, version: &str) -> UpdateRequest {
    UpdateRequest {
        project: project.to_path_buf(),
        target_version: Some(version.into()),
        ..UpdateRequest::default()
    }
}

fn read(p: &Path) -> String {
    std::fs::read_to_string(p).expect("read")
}

#[test]
fn review_resolve_apply_commit_then_conflicts_left_undo_and_reopen() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let home = tmp.path();
    let root = home.join("recipes");
    recipes(&root);
    let client = client(&root);
    let project = init(&client, &home.join("out"));
    std::fs::write(project.join("notes.txt"), with(&[("nine", "nine (mine)")])).expect("edit");
    std::fs::write(
        project.join("config.txt"),
        with(&[("two", "two (mine)"), ("eight", "eight (mine)")]),
    )
    .expect("edit");
    std::fs::write(project.join("logo.bin"), b"\x89PNG\0mine").expect("edit");
    std::fs::write(project.join("old.txt"), b"old, edited\n").expect("edit");
    git(&project, &["add", "-A"]);
    git(&project, &["commit", "-qm", "my edits"]);

    let reviews = Reviews::new();
    let review = reviews
        .start_update(&client, &to(&project, "1.1.0"), &Reporter::silent())
        .expect("plan");
    assert_eq!(review.from_version.as_deref(), Some("1.0.0"));
    assert_eq!(review.to_version.as_deref(), Some("1.1.0"));
    assert_eq!(review.new_fields, ["license"]);
    assert_eq!(review.labels.yours, "your project");
    assert_eq!(review.labels.recipe, "demo 1.1.0");
    assert_eq!(review.labels.base, "base demo 1.0.0");
    assert_eq!(review.counts.get(&Decision::Conflict), Some(&1));
    assert_eq!(review.counts.get(&Decision::Merged), Some(&1));
    assert_eq!(review.counts.get(&Decision::BinaryConflict), Some(&1));
    assert_eq!(
        review.counts.get(&Decision::DeletedByTemplateEdited),
        Some(&1)
    );
    assert_eq!(review.counts.get(&Decision::Added), Some(&1));
    assert_eq!(review.conflicts, 3);

    // A text conflict: three versions, the result with markers, regions covering all.
    let config = reviews.file(&review.id, "config.txt").expect("file");
    assert_eq!(
        config.yours.as_ref().and_then(|c| c.text.as_deref()),
        Some(with(&[("two", "two (mine)"), ("eight", "eight (mine)")]).as_str())
    );
    assert_eq!(
        config.base.as_ref().and_then(|c| c.text.as_deref()),
        Some(LINES)
    );
    let result = config
        .result
        .as_ref()
        .and_then(|c| c.text.clone())
        .expect("text");
    assert!(result.contains("<<<<<<< yours\ntwo (mine)\n||||||| demo 1.0.0\ntwo\n=======\ntwo (recipe)\n>>>>>>> demo 1.1.0\n"), "{result}");
    let conflicts: Vec<_> = config
        .regions
        .iter()
        .filter(|r| r.kind == HunkKind::Conflict)
        .collect();
    assert_eq!(conflicts.len(), 2);
    assert_eq!((conflicts[0].yours.start, conflicts[0].yours.end), (1, 2));
    assert_eq!(
        config.regions.last().map(|r| r.yours.end),
        Some(10),
        "{:?}",
        config.regions
    );
    assert_eq!(config.picks, vec![None, None]);
    // A binary one: described, not inlined.
    let logo = reviews.file(&review.id, "logo.bin").expect("file");
    let yours = logo.yours.expect("yours");
    assert!(yours.binary && yours.text.is_none());
    assert_eq!(yours.size, 9);
    assert_eq!(yours.hash, nskit::vcs::blob_id(b"\x89PNG\0mine"));
    assert!(logo.regions.is_empty());

    // A preview writes nothing.
    let hunks = Resolution::Hunks {
        hunks: vec![Some(HunkPick::Yours), Some(HunkPick::YoursThenRecipe)],
    };
    let preview = reviews
        .preview(&review.id, "config.txt", &hunks)
        .expect("preview")
        .and_then(|c| c.text)
        .expect("text");
    let resolved_config = with(&[
        ("two", "two (mine)"),
        ("eight", "eight (mine)\neight (recipe)"),
    ]);
    assert_eq!(preview, resolved_config);
    assert_eq!(
        read(&project.join("config.txt")),
        with(&[("two", "two (mine)"), ("eight", "eight (mine)")])
    );

    // Conflicts left are refused unless asked for, naming them.
    let mut req = ApplyRequest::default();
    req.resolutions.insert("config.txt".into(), hunks);
    let refused = reviews
        .apply(&client, &review.id, &req, &Reporter::silent())
        .expect_err("conflicts left");
    assert_eq!(refused.code(), ErrorCode::ConflictsLeft);
    assert!(refused.to_string().contains("logo.bin"), "{refused}");
    assert!(refused.to_string().contains("old.txt"), "{refused}");

    req.resolutions
        .insert("logo.bin".into(), Resolution::Recipe);
    req.resolutions.insert("old.txt".into(), Resolution::Yours);
    let steps: std::sync::Arc<std::sync::Mutex<Vec<Event>>> = Default::default();
    let sink = steps.clone();
    let reporter = Reporter::new(move |e| sink.lock().expect("lock").push(e.clone()));
    let outcome = reviews
        .apply(&client, &review.id, &req, &reporter)
        .expect("apply");
    let steps = steps.lock().expect("lock").clone();
    assert!(
        matches!(&steps[0], Event::Step { step: Step::Apply, state: StepState::Started, detail: Some(d) } if d == "demo 1.0.0 → 1.1.0"),
        "{steps:?}"
    );
    assert!(
        matches!(
            steps.last(),
            Some(Event::Step {
                step: Step::Apply,
                state: StepState::Finished,
                ..
            })
        ),
        "{steps:?}"
    );
    assert!(outcome.conflicts.is_empty());
    assert_eq!(outcome.commit_message, "Update demo 1.0.0 → 1.1.0");
    assert!(outcome.in_git && outcome.undoable);
    assert_eq!(read(&project.join("config.txt")), resolved_config);
    assert_eq!(
        read(&project.join("notes.txt")),
        with(&[("two", "TWO"), ("nine", "nine (mine)")])
    );
    assert_eq!(
        std::fs::read(project.join("logo.bin")).expect("logo"),
        b"\x89PNG\0two"
    );
    assert_eq!(read(&project.join("old.txt")), "old, edited\n");
    assert_eq!(read(&project.join("license.txt")), "MIT\n");
    // The session ended with the apply.
    assert_eq!(
        reviews.review(&review.id).expect_err("gone").code(),
        ErrorCode::SessionGone
    );

    // Commit from the client: exactly the update's paths and the state file.
    std::fs::write(project.join("scratch.txt"), "not part of the update\n").expect("write");
    let mut paths = outcome.written.clone();
    paths.extend(outcome.removed.clone());
    let commit = client
        .updates()
        .commit(&project, &paths, &outcome.commit_message)
        .expect("commit");
    assert_eq!(git(&project, &["rev-parse", "HEAD"]).trim(), commit.id);
    assert_eq!(
        git(&project, &["log", "-1", "--format=%s"]).trim(),
        "Update demo 1.0.0 → 1.1.0"
    );
    assert_eq!(
        git(&project, &["status", "--porcelain"]),
        "?? scratch.txt\n"
    );
    assert_eq!(git(&project, &["show", "HEAD:config.txt"]), resolved_config);
    std::fs::remove_file(project.join("scratch.txt")).expect("rm");

    // 1.2.0 changes line five; so did the user: applied with the conflict left, it is
    // in the file and in the index.
    std::fs::write(
        project.join("notes.txt"),
        with(&[
            ("two", "TWO"),
            ("five", "five (mine)"),
            ("nine", "nine (mine)"),
        ]),
    )
    .expect("edit");
    git(&project, &["commit", "-qam", "five"]);
    let plan = |reviews: &Reviews| {
        reviews
            .start_update(&client, &to(&project, "1.2.0"), &Reporter::silent())
            .expect("plan")
    };
    let second = plan(&reviews);
    assert_eq!(second.conflicts, 1);
    let outcome = reviews
        .apply(
            &client,
            &second.id,
            &ApplyRequest {
                allow_conflicts: true,
                ..ApplyRequest::default()
            },
            &Reporter::silent(),
        )
        .expect("apply with markers");
    assert_eq!(outcome.conflicts, ["notes.txt"]);
    assert!(outcome.recorded_in_index);
    let stages: Vec<String> = git(&project, &["ls-files", "-u"])
        .lines()
        .map(|l| l.split_whitespace().nth(2).unwrap_or("").to_string())
        .collect();
    assert_eq!(stages, ["1", "2", "3"]);
    assert!(read(&project.join("notes.txt")).contains("<<<<<<< yours\nfive (mine)\n"));
    let refused = client
        .updates()
        .commit(&project, &outcome.written, "no")
        .expect_err("conflicts left");
    assert!(
        refused.to_string().contains("conflicts are left"),
        "{refused}"
    );

    // The projects list sees the conflict.
    let list = ProjectList::at(home.join("data/projects.json"));
    let status = list.add(&project).expect("add");
    assert_eq!(status.recipe.as_deref(), Some("demo"));
    assert_eq!(status.version.as_deref(), Some("1.2.0"));
    assert_eq!(status.conflicts, ["notes.txt"]);

    // Undo puts files and index back.
    client.updates().undo(&project, false).expect("undo");
    assert!(git(&project, &["ls-files", "-u"]).is_empty());
    assert_eq!(git(&project, &["status", "--porcelain"]), "");

    // Again, then reopened from the index: the same conflict, resolved there.
    let third = plan(&reviews);
    reviews
        .apply(
            &client,
            &third.id,
            &ApplyRequest {
                allow_conflicts: true,
                ..ApplyRequest::default()
            },
            &Reporter::silent(),
        )
        .expect("apply with markers");
    let reopened = reviews.start_conflicts(&project).expect("reopen");
    assert_eq!(reopened.files.len(), 1);
    assert_eq!(reopened.labels.recipe, "demo 1.2.0");
    assert_eq!(reopened.labels.base, "base demo 1.1.0");
    let notes = reviews.file(&reopened.id, "notes.txt").expect("file");
    assert_eq!(notes.picks, vec![None]);
    let mut req = ApplyRequest::default();
    req.resolutions.insert(
        "notes.txt".into(),
        Resolution::Hunks {
            hunks: vec![Some(HunkPick::RecipeThenYours)],
        },
    );
    let done = reviews
        .apply(&client, &reopened.id, &req, &Reporter::silent())
        .expect("resolve");
    assert!(done.conflicts.is_empty());
    assert_eq!(
        read(&project.join("notes.txt")),
        with(&[
            ("two", "TWO"),
            ("five", "FIVE\nfive (mine)"),
            ("nine", "nine (mine)")
        ])
    );
    assert!(git(&project, &["ls-files", "-u"]).is_empty());
    assert!(git(&project, &["status", "--porcelain"]).contains("M  notes.txt"));
}

#[test]
fn the_projects_list_remembers_checks_and_never_touches_the_disk() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let home = tmp.path();
    let root = home.join("recipes");
    recipes(&root);
    let client = client(&root);
    let project = init(&client, &home.join("out"));
    let list = ProjectList::at(home.join("data/projects.json"));

    // A folder that is not a project is refused, with what it is not.
    let plain = home.join("plain");
    std::fs::create_dir_all(&plain).expect("mkdir");
    let e = list.add(&plain).expect_err("not a project");
    assert_eq!(e.code(), ErrorCode::NotAProject);
    assert!(e.to_string().contains("not made from a recipe"), "{e}");

    let status = list.add(&project).expect("add");
    assert_eq!(status.version.as_deref(), Some("1.0.0"));
    assert!(
        status
            .backend
            .as_deref()
            .is_some_and(|b| b.starts_with("local"))
    );
    assert_eq!(status.latest, None);
    assert!(status.in_git && status.dirty.is_empty());
    // Adding twice keeps one entry.
    list.add(&project).expect("again");
    assert_eq!(list.paths().expect("paths").len(), 1);

    // The check asks the backend and caches the answer.
    let checked = list.check(&client, &project).expect("check");
    assert_eq!(checked.latest.as_deref(), Some("1.2.0"));
    assert!(checked.update_available);
    assert!(checked.offline.is_none());
    // Offline: the cached answer stays, with why the check failed.
    std::fs::rename(&root, home.join("recipes-away")).expect("mv");
    let offline = list.check(&client, &project).expect("check");
    assert_eq!(offline.latest.as_deref(), Some("1.2.0"));
    assert!(offline.offline.is_some());
    // A second list over the same file sees the same.
    let again = ProjectList::at(home.join("data/projects.json"));
    let statuses = again.statuses().expect("statuses");
    assert_eq!(statuses.len(), 1);
    assert_eq!(statuses[0].latest.as_deref(), Some("1.2.0"));

    // Dirty and broken projects are shown for what they are.
    std::fs::write(project.join("notes.txt"), "changed\n").expect("edit");
    let dirty = list
        .status(&project.canonicalize().expect("canon"))
        .expect("status");
    assert_eq!(dirty.dirty, ["notes.txt"]);
    std::fs::write(
        project.join(".recipe/config.yml"),
        "metadata: [not, a, map\n",
    )
    .expect("corrupt");
    let broken = list.statuses().expect("statuses");
    assert!(broken[0].problem.is_some());
    assert!(broken[0].recipe.is_none());

    // Removing forgets the folder, and only that.
    assert!(
        list.remove(&project.canonicalize().expect("canon"))
            .expect("remove")
    );
    assert!(list.paths().expect("paths").is_empty());
    assert!(project.join("notes.txt").is_file());
}

#[test]
fn bad_sessions_and_resolutions_are_clear_errors() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let home = tmp.path();
    let root = home.join("recipes");
    recipes(&root);
    let client = client(&root);
    let project = init(&client, &home.join("out"));
    let reviews = Reviews::new();
    assert_eq!(
        reviews.file("r0-nope", "x").expect_err("gone").code(),
        ErrorCode::SessionGone
    );
    let review = reviews
        .start_update(&client, &to(&project, "1.1.0"), &Reporter::silent())
        .expect("plan");
    let mut req = ApplyRequest::default();
    req.resolutions.insert(
        "logo.bin".into(),
        Resolution::Hunks {
            hunks: vec![Some(HunkPick::Yours)],
        },
    );
    let e = reviews
        .apply(&client, &review.id, &req, &Reporter::silent())
        .expect_err("binary has no hunks");
    assert_eq!(e.code(), ErrorCode::InvalidResolution);
    assert!(e.to_string().contains("binary"), "{e}");
    let mut req = ApplyRequest::default();
    req.resolutions.insert("nope.txt".into(), Resolution::Yours);
    let e = reviews
        .apply(&client, &review.id, &req, &Reporter::silent())
        .expect_err("unknown path");
    assert!(e.to_string().contains("nope.txt"), "{e}");
    // Nothing was written by the refusals, and the session is still open.
    assert_eq!(git(&project, &["status", "--porcelain"]), "");
    assert!(reviews.review(&review.id).is_ok());
}

#[test]
fn a_lost_base_is_offered_two_way_and_a_lost_recipe_is_named() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let home = tmp.path();
    let root = home.join("recipes");
    recipes(&root);
    let client = client(&root);
    let project = init(&client, &home.join("out"));
    std::fs::write(project.join("notes.txt"), with(&[("nine", "nine (mine)")])).expect("edit");
    git(&project, &["commit", "-qam", "mine"]);
    // The version the project was made from is gone: no base to merge with.
    std::fs::remove_dir_all(root.join("demo/1.0.0")).expect("rm");
    let reviews = Reviews::new();
    let req = to(&project, "1.1.0");
    let e = reviews
        .start_update(&client, &req, &Reporter::silent())
        .expect_err("no base");
    assert_eq!(e.code(), ErrorCode::BaseUnavailable);
    assert!(e.to_string().contains("two-way"), "{e}");
    // Two-way: every difference is a conflict, nothing is deleted, nothing written yet.
    let review = reviews
        .start_update(
            &client,
            &UpdateRequest {
                mode: nskit::DiffMode::TwoWay,
                ..req.clone()
            },
            &Reporter::silent(),
        )
        .expect("two-way");
    assert_eq!(review.mode, nskit::DiffMode::TwoWay);
    assert!(review.conflicts >= 2, "{:?}", review.files);
    assert!(
        !review
            .files
            .iter()
            .any(|f| f.decision == Decision::DeletedByTemplate)
    );
    let notes = reviews.file(&review.id, "notes.txt").expect("file");
    assert!(notes.base.is_none());
    assert!(!notes.regions.is_empty());
    assert_eq!(git(&project, &["status", "--porcelain"]), "");

    // The recipe is gone altogether: said, with what there is.
    std::fs::remove_dir_all(root.join("demo")).expect("rm");
    let e = reviews
        .start_update(&client, &req, &Reporter::silent())
        .expect_err("no recipe");
    assert_eq!(e.code(), ErrorCode::RecipeNotFound);
    assert!(e.to_string().contains("demo"), "{e}");
    // A broken state file is named, with what is wrong.
    std::fs::write(project.join(".recipe/config.yml"), "metadata: [\n").expect("corrupt");
    let e = reviews
        .start_update(&client, &req, &Reporter::silent())
        .expect_err("broken state");
    assert!(e.to_string().contains("config.yml"), "{e}");
}

#[test]
fn a_dirty_tree_is_listed_then_committed_first_or_updated_anyway() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let home = tmp.path();
    let root = home.join("recipes");
    recipes(&root);
    let client = client(&root);
    let project = init(&client, &home.join("out"));
    std::fs::write(project.join("notes.txt"), "work in progress\n").expect("edit");
    std::fs::write(project.join("scratch.txt"), "new\n").expect("write");
    let reviews = Reviews::new();
    let req = to(&project, "1.1.0");
    let e = reviews
        .start_update(&client, &req, &Reporter::silent())
        .expect_err("dirty");
    assert_eq!(e.code(), ErrorCode::DirtyTree);
    let paths = e.details()["paths"].clone();
    assert_eq!(paths, serde_json::json!(["notes.txt", "scratch.txt"]));
    // "Update anyway" plans over the edits.
    let anyway = reviews
        .start_update(
            &client,
            &UpdateRequest {
                allow_dirty: true,
                ..req.clone()
            },
            &Reporter::silent(),
        )
        .expect("anyway");
    assert!(anyway.files.iter().any(|f| f.path == "notes.txt"));
    // "Commit first" commits everything, then the update plans.
    let commit = client
        .updates()
        .commit_all(&project, "Work in progress")
        .expect("commit");
    assert_eq!(git(&project, &["rev-parse", "HEAD"]).trim(), commit.id);
    assert_eq!(git(&project, &["status", "--porcelain"]), "");
    assert_eq!(git(&project, &["show", "HEAD:scratch.txt"]), "new\n");
    reviews
        .start_update(&client, &req, &Reporter::silent())
        .expect("clean now");
}

#[test]
fn a_conflict_edited_outside_its_hunks_is_offered_whole_and_kept() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let home = tmp.path();
    let root = home.join("recipes");
    recipes(&root);
    let client = client(&root);
    let project = init(&client, &home.join("out"));
    std::fs::write(project.join("notes.txt"), with(&[("two", "two (mine)")])).expect("edit");
    git(&project, &["commit", "-qam", "mine"]);
    let reviews = Reviews::new();
    let review = reviews
        .start_update(&client, &to(&project, "1.1.0"), &Reporter::silent())
        .expect("plan");
    let done = reviews
        .apply(
            &client,
            &review.id,
            &ApplyRequest {
                allow_conflicts: true,
                ..ApplyRequest::default()
            },
            &Reporter::silent(),
        )
        .expect("apply");
    assert_eq!(done.conflicts, ["notes.txt"]);
    // The user edits the file in an editor, outside the conflict, and keeps the markers.
    let edited = read(&project.join("notes.txt")).replace("ten\n", "ten (edited outside)\n");
    std::fs::write(project.join("notes.txt"), &edited).expect("edit");
    let reopened = reviews.start_conflicts(&project).expect("reopen");
    let view = reviews.file(&reopened.id, "notes.txt").expect("file");
    assert!(view.regions.is_empty() && view.picks.is_empty());
    assert!(
        view.change
            .message
            .contains("changed outside its conflicts"),
        "{}",
        view.change.message
    );
    // Marked resolved as it is: staged, the edit kept byte for byte.
    let done = reviews
        .apply(
            &client,
            &reopened.id,
            &ApplyRequest {
                mark_resolved: vec!["notes.txt".into()],
                ..ApplyRequest::default()
            },
            &Reporter::silent(),
        )
        .expect("mark resolved");
    assert!(done.conflicts.is_empty());
    assert_eq!(read(&project.join("notes.txt")), edited);
    assert!(git(&project, &["ls-files", "-u"]).is_empty());
    assert_eq!(git(&project, &["show", ":notes.txt"]), edited);
}
