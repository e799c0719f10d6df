//! Every plan decision, applied to real files in real git repositories; the transaction
//! under an injected failure; undo.
use std::collections::BTreeMap;
use std::path::Path;
use std::process::Command;

use nskit_merge::Labels;
use nskit_update::{
    ApplyOptions, Decision, DiffMode, FileData, HunkPick, Plan, PlanOptions, Resolution,
    ResolveError, Tree, apply, apply_resolutions, conflicts_plan, plan_update, undo,
};

fn file(s: &[u8]) -> FileData {
    FileData {
        bytes: s.to_vec(),
        executable: false,
    }
}

fn tree(files: &[(&str, &[u8])]) -> Tree {
    Tree {
        files: files
            .iter()
            .map(|(p, c)| (p.to_string(), file(c)))
            .collect(),
    }
}

fn git(dir: &Path, args: &[&str]) -> String {
    let out = Command::new("git")
        .args(args)
        .current_dir(dir)
        .env("GIT_AUTHOR_NAME", "t")
        .env("GIT_AUTHOR_EMAIL", "t@example.com")
        .env("GIT_COMMITTER_NAME", "t")
        .env("GIT_COMMITTER_EMAIL", "t@example.com")
        .output()
        .expect("git runs");
    assert!(
        out.status.success(),
        "git {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// A project generated from `base` (plus a state file), committed.
fn project(base: &Tree) -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("tempdir");
    for (p, d) in &base.files {
        write(dir.path(), p, &d.bytes);
        set_exec(dir.path(), p, d.executable);
    }
    write(
        dir.path(),
        ".recipe/config.yml",
        b"input: {}\nmetadata:\n  recipe_name: demo\n  recipe_version: 1.0.0\n",
    );
    git(dir.path(), &["init", "-q", "-b", "main"]);
    git(dir.path(), &["add", "-A"]);
    git(dir.path(), &["commit", "-qm", "init"]);
    dir
}

fn write(root: &Path, p: &str, bytes: &[u8]) {
    let f = root.join(p);
    std::fs::create_dir_all(f.parent().expect("parent")).expect("mkdir");
    std::fs::write(f, bytes).expect("write");
}

fn set_exec(root: &Path, p: &str, exec: bool) {
    use std::os::unix::fs::PermissionsExt;
    let f = root.join(p);
    let mut perm = std::fs::metadata(&f).expect("meta").permissions();
    perm.set_mode(if exec { 0o755 } else { 0o644 });
    std::fs::set_permissions(f, perm).expect("chmod");
}

fn is_exec(root: &Path, p: &str) -> bool {
    use std::os::unix::fs::PermissionsExt;
    std::fs::metadata(root.join(p))
        .expect("meta")
        .permissions()
        .mode()
        & 0o111
        != 0
}

/// Every file under `root` but `.git`, with its executable bit.
fn snapshot(root: &Path) -> BTreeMap<String, (Vec<u8>, bool)> {
    let mut out = BTreeMap::new();
    for e in walkdir::WalkDir::new(root)
        .into_iter()
        .filter_entry(|e| e.file_name() != ".git")
    {
        let e = e.expect("walk");
        if e.file_type().is_file() {
            let rel = e
                .path()
                .strip_prefix(root)
                .expect("prefix")
                .to_string_lossy()
                .into_owned();
            out.insert(
                rel.clone(),
                (std::fs::read(e.path()).expect("read"), is_exec(root, &rel)),
            );
        }
    }
    out
}

fn read(root: &Path, p: &str) -> String {
    String::from_utf8(std::fs::read(root.join(p)).expect("read")).expect("utf-8")
}

fn opts() -> PlanOptions {
    PlanOptions {
        mode: DiffMode::ThreeWay,
        labels: Labels {
            ours: Some("yours".into()),
            base: Some("demo 1.0.0".into()),
            theirs: Some("demo 1.1.0".into()),
        },
    }
}

fn decision(plan: &Plan, path: &str) -> Decision {
    plan.changes
        .iter()
        .find(|c| c.path == path)
        .unwrap_or_else(|| panic!("{path} is not in the plan"))
        .decision
}

fn apply_opts() -> ApplyOptions {
    ApplyOptions {
        state: b"input: {}\nmetadata:\n  recipe_name: demo\n  recipe_version: 1.1.0\n".to_vec(),
        description: "demo 1.0.0 → 1.1.0".into(),
        fail_before: None,
    }
}

const BODY: &str = "one\ntwo\nthree\nfour\nfive\nsix\nseven\neight\nnine\nten\n";

fn lines_with(replacements: &[(&str, &str)]) -> String {
    let mut s = BODY.to_string();
    for (a, b) in replacements {
        s = s.replace(&format!("{a}\n"), &format!("{b}\n"));
    }
    s
}

/// The scenario: one file per decision.
fn scenario() -> (Tree, Tree, tempfile::TempDir) {
    let png_base: &[u8] = b"\x89PNG\0base";
    let base = tree(&[
        ("unchanged.txt", BODY.as_bytes()),
        ("user_only.txt", BODY.as_bytes()),
        ("template_only.txt", BODY.as_bytes()),
        ("merged.txt", BODY.as_bytes()),
        ("conflict.txt", BODY.as_bytes()),
        ("deleted_by_template.txt", b"old\n"),
        ("deleted_by_template_edited.txt", b"old\n"),
        ("deleted_by_user.txt", BODY.as_bytes()),
        ("deleted_by_user_changed.txt", BODY.as_bytes()),
        ("src/old_pkg/module.py", BODY.as_bytes()),
        ("logo.png", png_base),
        ("run.sh", b"#!/bin/sh\necho hi\n"),
        ("same_change.txt", BODY.as_bytes()),
    ]);
    let theirs = tree(&[
        ("unchanged.txt", BODY.as_bytes()),
        ("user_only.txt", BODY.as_bytes()),
        (
            "template_only.txt",
            lines_with(&[("two", "TWO")]).as_bytes(),
        ),
        ("merged.txt", lines_with(&[("two", "TWO")]).as_bytes()),
        (
            "conflict.txt",
            lines_with(&[("five", "FIVE (template)")]).as_bytes(),
        ),
        ("deleted_by_user.txt", BODY.as_bytes()),
        (
            "deleted_by_user_changed.txt",
            lines_with(&[("one", "ONE")]).as_bytes(),
        ),
        (
            "src/new_pkg/module.py",
            lines_with(&[("two", "TWO")]).as_bytes(),
        ),
        ("logo.png", b"\x89PNG\0theirs"),
        ("run.sh", b"#!/bin/sh\necho hi\n"),
        ("same_change.txt", lines_with(&[("six", "SIX")]).as_bytes()),
        ("added.txt", b"new\n"),
        ("added_by_both.txt", b"same\n"),
        ("added_by_both_conflict.txt", b"theirs\n"),
        (".recipe/notes.md", b"recipe notes v2\n"),
    ]);
    let mut theirs = theirs;
    theirs.files.get_mut("run.sh").expect("run.sh").executable = true;
    let dir = project(&base);
    let root = dir.path();
    write(
        root,
        "user_only.txt",
        lines_with(&[("nine", "NINE (mine)")]).as_bytes(),
    );
    write(
        root,
        "merged.txt",
        lines_with(&[("nine", "NINE (mine)")]).as_bytes(),
    );
    write(
        root,
        "conflict.txt",
        lines_with(&[("five", "FIVE (mine)")]).as_bytes(),
    );
    write(root, "deleted_by_template_edited.txt", b"old, but mine\n");
    std::fs::remove_file(root.join("deleted_by_user.txt")).expect("rm");
    std::fs::remove_file(root.join("deleted_by_user_changed.txt")).expect("rm");
    write(
        root,
        "src/old_pkg/module.py",
        lines_with(&[("nine", "NINE (mine)")]).as_bytes(),
    );
    write(root, "logo.png", b"\x89PNG\0mine");
    write(
        root,
        "same_change.txt",
        lines_with(&[("six", "SIX")]).as_bytes(),
    );
    write(root, "added_by_both.txt", b"same\n");
    write(root, "added_by_both_conflict.txt", b"mine\n");
    write(root, ".recipe/notes.md", b"edited by hand\n");
    git(root, &["add", "-A"]);
    git(root, &["commit", "-qm", "my edits"]);
    (base, theirs, dir)
}

#[test]
fn every_decision_in_a_real_repository() {
    let (base, theirs, dir) = scenario();
    let root = dir.path();
    let before = snapshot(root);
    let plan = plan_update(root, Some(&base), &theirs, &opts()).expect("plan");
    assert_eq!(snapshot(root), before, "planning writes nothing");

    let expect = [
        ("unchanged.txt", Decision::Unchanged),
        ("user_only.txt", Decision::UserOnly),
        ("template_only.txt", Decision::TemplateOnly),
        ("merged.txt", Decision::Merged),
        ("conflict.txt", Decision::Conflict),
        ("added.txt", Decision::Added),
        ("added_by_both.txt", Decision::AddedByBoth),
        ("added_by_both_conflict.txt", Decision::AddedByBothConflict),
        ("deleted_by_template.txt", Decision::DeletedByTemplate),
        (
            "deleted_by_template_edited.txt",
            Decision::DeletedByTemplateEdited,
        ),
        ("deleted_by_user.txt", Decision::DeletedByUser),
        (
            "deleted_by_user_changed.txt",
            Decision::DeletedByUserChanged,
        ),
        ("src/new_pkg/module.py", Decision::Renamed),
        ("logo.png", Decision::BinaryConflict),
        ("run.sh", Decision::ModeChanged),
        ("same_change.txt", Decision::Unchanged),
        (".recipe/notes.md", Decision::TemplateOnly),
    ];
    for (path, d) in expect {
        assert_eq!(decision(&plan, path), d, "{path}");
    }
    assert_eq!(plan.changes.len(), expect.len(), "{:#?}", plan.changes);
    let rename = plan
        .changes
        .iter()
        .find(|c| c.path == "src/new_pkg/module.py")
        .expect("rename");
    assert_eq!(
        rename.renamed_from.as_deref(),
        Some("src/old_pkg/module.py")
    );
    // The JSON form names every decision in kebab-case.
    let json = serde_json::to_value(&plan).expect("json");
    assert!(
        json["changes"]
            .as_array()
            .expect("array")
            .iter()
            .any(|c| c["decision"] == "deleted-by-template-edited")
    );

    let applied = apply(root, &plan, &apply_opts()).expect("apply");
    let mut conflicts = applied.conflicts.clone();
    conflicts.sort();
    assert_eq!(
        conflicts,
        [
            "added_by_both_conflict.txt",
            "conflict.txt",
            "deleted_by_template_edited.txt",
            "logo.png"
        ]
    );
    assert!(applied.recorded_in_index);

    // Contents.
    assert_eq!(
        read(root, "user_only.txt"),
        lines_with(&[("nine", "NINE (mine)")])
    );
    assert_eq!(
        read(root, "template_only.txt"),
        lines_with(&[("two", "TWO")])
    );
    assert_eq!(
        read(root, "merged.txt"),
        lines_with(&[("two", "TWO"), ("nine", "NINE (mine)")])
    );
    let c = read(root, "conflict.txt");
    assert!(
        c.contains("<<<<<<< yours\nFIVE (mine)\n||||||| demo 1.0.0\nfive\n=======\nFIVE (template)\n>>>>>>> demo 1.1.0\n"),
        "{c}"
    );
    assert_eq!(read(root, "added.txt"), "new\n");
    let abc = read(root, "added_by_both_conflict.txt");
    assert!(
        abc.contains("mine\n") && abc.contains("theirs\n") && abc.contains("<<<<<<<"),
        "{abc}"
    );
    assert!(!root.join("deleted_by_template.txt").exists());
    assert_eq!(
        read(root, "deleted_by_template_edited.txt"),
        "old, but mine\n"
    );
    assert!(!root.join("deleted_by_user.txt").exists());
    assert!(
        !root.join("deleted_by_user_changed.txt").exists(),
        "not resurrected"
    );
    assert!(
        !root.join("src/old_pkg").exists(),
        "the emptied folder goes too"
    );
    assert_eq!(
        read(root, "src/new_pkg/module.py"),
        lines_with(&[("two", "TWO"), ("nine", "NINE (mine)")]),
        "the user's edit followed the file"
    );
    assert_eq!(
        std::fs::read(root.join("logo.png")).expect("read"),
        b"\x89PNG\0mine"
    );
    assert_eq!(
        std::fs::read(root.join("logo.theirs.png")).expect("read"),
        b"\x89PNG\0theirs"
    );
    assert!(is_exec(root, "run.sh"));
    assert_eq!(read(root, ".recipe/notes.md"), "recipe notes v2\n");
    assert!(read(root, ".recipe/config.yml").contains("recipe_version: 1.1.0"));

    // git sees the conflicts: unmerged entries with the right stages.
    let status = git(root, &["status", "--porcelain"]);
    assert!(status.contains("UU conflict.txt"), "{status}");
    assert!(status.contains("UU logo.png"), "{status}");
    assert!(status.contains("AA added_by_both_conflict.txt"), "{status}");
    assert!(
        status.contains("UD deleted_by_template_edited.txt"),
        "{status}"
    );
    let stages = git(root, &["ls-files", "-u", "conflict.txt"]);
    assert_eq!(stages.lines().count(), 3, "{stages}");
    assert_eq!(git(root, &["show", ":1:conflict.txt"]), BODY);
    assert_eq!(
        git(root, &["show", ":3:conflict.txt"]),
        lines_with(&[("five", "FIVE (template)")])
    );

    // Undo puts back files and index.
    let out = undo(root, false).expect("undo");
    assert_eq!(out.description, "demo 1.0.0 → 1.1.0");
    assert_eq!(snapshot(root), before);
    assert_eq!(git(root, &["status", "--porcelain"]), "");
    assert!(undo(root, false).is_err(), "one update, one undo");
}

#[test]
fn an_injected_failure_half_way_changes_nothing() {
    let (base, theirs, dir) = scenario();
    let root = dir.path();
    let before = snapshot(root);
    let plan = plan_update(root, Some(&base), &theirs, &opts()).expect("plan");
    let writes = plan.changes.iter().filter(|c| c.writes_anything()).count();
    assert!(writes > 6);
    for at in [0, writes / 2, writes] {
        let err = apply(
            root,
            &plan,
            &ApplyOptions {
                fail_before: Some(at),
                ..apply_opts()
            },
        )
        .expect_err("fails");
        assert!(err.to_string().contains("nothing was changed"), "{err}");
        assert_eq!(snapshot(root), before, "failure before op {at}");
        assert_eq!(git(root, &["status", "--porcelain"]), "");
        assert!(
            read(root, ".recipe/config.yml").contains("1.0.0"),
            "the state keeps the old version"
        );
    }
    // No undo record was left by the failed attempts.
    assert!(undo(root, false).is_err());
}

#[test]
fn a_real_failure_half_way_changes_nothing() {
    // The template adds docs/guide.md, but the user has a file named `docs`: moving the
    // new file in fails after other files were moved, and everything is put back.
    let base = tree(&[("a.txt", b"a\n"), ("z.txt", b"z\n")]);
    let theirs = tree(&[
        ("a.txt", b"A\n"),
        ("docs/guide.md", b"guide\n"),
        ("z.txt", b"Z\n"),
    ]);
    let dir = project(&base);
    let root = dir.path();
    write(root, "docs", b"my notes, a file\n");
    git(root, &["add", "-A"]);
    git(root, &["commit", "-qm", "docs"]);
    let before = snapshot(root);
    let plan = plan_update(root, Some(&base), &theirs, &opts()).expect("plan");
    let err = apply(root, &plan, &apply_opts()).expect_err("a file is in the way");
    assert!(err.to_string().contains("docs"), "{err}");
    assert_eq!(snapshot(root), before);
}

#[test]
fn undo_refuses_to_drop_edits_made_after_the_update() {
    let base = tree(&[("a.txt", b"a\n")]);
    let theirs = tree(&[("a.txt", b"A\n")]);
    let dir = project(&base);
    let root = dir.path();
    let plan = plan_update(root, Some(&base), &theirs, &opts()).expect("plan");
    apply(root, &plan, &apply_opts()).expect("apply");
    write(root, "a.txt", b"A, then edited\n");
    let err = undo(root, false).expect_err("refused");
    assert!(err.to_string().contains("a.txt"), "{err}");
    assert_eq!(read(root, "a.txt"), "A, then edited\n");
    undo(root, true).expect("forced");
    assert_eq!(read(root, "a.txt"), "a\n");
}

#[test]
fn line_endings_and_missing_final_newline_survive() {
    let base = tree(&[("w.txt", b"a\r\nb\r\nc\r\nd\r\ne")]);
    let theirs = tree(&[("w.txt", b"A\r\nb\r\nc\r\nd\r\ne")]);
    let dir = project(&base);
    let root = dir.path();
    write(root, "w.txt", b"a\r\nb\r\nc\r\nd\r\nE");
    let plan = plan_update(root, Some(&base), &theirs, &opts()).expect("plan");
    assert_eq!(decision(&plan, "w.txt"), Decision::Merged);
    apply(root, &plan, &apply_opts()).expect("apply");
    assert_eq!(
        std::fs::read(root.join("w.txt")).expect("read"),
        b"A\r\nb\r\nc\r\nd\r\nE"
    );
}

#[test]
fn structured_files_merge_by_key() {
    let base = tree(&[(
        "pyproject.toml",
        b"[project]\nname = \"x\"\nversion = \"0.1.0\"\ndependencies = [\n    \"click\",\n]\n",
    )]);
    let theirs = tree(&[("pyproject.toml", b"[project]\nname = \"x\"\nversion = \"0.1.0\"\nrequires-python = \">=3.10\"\ndependencies = [\n    \"click>=8\",\n]\n")]);
    let dir = project(&base);
    let root = dir.path();
    write(
        root,
        "pyproject.toml",
        b"[project]\nname = \"x\"\nversion = \"0.1.0\"\ndependencies = [\n    \"click\",\n    \"httpx\",  # mine\n]\n",
    );
    let plan = plan_update(root, Some(&base), &theirs, &opts()).expect("plan");
    let c = &plan.changes[0];
    assert_eq!((c.decision, c.structured), (Decision::Merged, true));
    apply(root, &plan, &apply_opts()).expect("apply");
    let text = read(root, "pyproject.toml");
    assert!(text.contains("\"click>=8\""), "{text}");
    assert!(text.contains("\"httpx\""), "{text}");
    assert!(text.contains("requires-python = \">=3.10\""), "{text}");
}

#[test]
fn two_way_mode_deletes_nothing_and_overwrites_nothing() {
    let base = tree(&[("a.txt", b"a\n"), ("gone.txt", b"g\n")]);
    let theirs = tree(&[("a.txt", b"A\n"), ("new.txt", b"n\n")]);
    let dir = project(&base);
    let root = dir.path();
    let plan = plan_update(
        root,
        None,
        &theirs,
        &PlanOptions {
            mode: DiffMode::TwoWay,
            ..opts()
        },
    )
    .expect("plan");
    assert_eq!(plan.mode, DiffMode::TwoWay);
    assert_eq!(decision(&plan, "a.txt"), Decision::AddedByBothConflict);
    assert_eq!(decision(&plan, "new.txt"), Decision::Added);
    assert!(plan.changes.iter().all(|c| c.path != "gone.txt"));
    apply(root, &plan, &apply_opts()).expect("apply");
    assert!(read(root, "a.txt").contains("a\n") && read(root, "a.txt").contains("A\n"));
    assert_eq!(read(root, "gone.txt"), "g\n");
}

#[test]
fn a_project_outside_git_keeps_its_undo_record_in_the_state_folder() {
    let base = tree(&[("a.txt", b"a\n")]);
    let theirs = tree(&[("a.txt", b"A\n")]);
    let dir = tempfile::tempdir().expect("tempdir");
    let root = dir.path();
    write(root, "a.txt", b"a\n");
    let plan = plan_update(root, Some(&base), &theirs, &opts()).expect("plan");
    let applied = apply(root, &plan, &apply_opts()).expect("apply");
    assert!(!applied.recorded_in_index);
    assert!(root.join(".recipe/nskit/undo/record.json").is_file());
    undo(root, false).expect("undo");
    assert_eq!(read(root, "a.txt"), "a\n");
    assert!(
        !root.join(".recipe/config.yml").exists(),
        "it did not exist before"
    );
}

/// `git ls-files -u`: the unmerged entries, as (path, stage, blob id).
fn unmerged(root: &Path) -> Vec<(String, u8, String)> {
    git(root, &["ls-files", "-u"])
        .lines()
        .map(|l| {
            let (meta, path) = l.split_once('\t').expect("tab");
            let f: Vec<&str> = meta.split(' ').collect();
            (
                path.to_string(),
                f[2].parse().expect("stage"),
                f[1].to_string(),
            )
        })
        .collect()
}

fn blob(bytes: &[u8]) -> String {
    nskit_vcs::blob_id(bytes)
}

#[test]
fn resolutions_give_exact_bytes_and_the_index_keeps_only_what_is_left() {
    let (mut base, mut theirs, dir) = scenario();
    let root = dir.path();
    // One more file, with two conflicts.
    let two_base = BODY;
    let two_mine = lines_with(&[("two", "TWO (mine)"), ("eight", "EIGHT (mine)")]);
    let two_theirs = lines_with(&[("two", "TWO (recipe)"), ("eight", "EIGHT (recipe)")]);
    base.files
        .insert("two.txt".into(), file(two_base.as_bytes()));
    theirs
        .files
        .insert("two.txt".into(), file(two_theirs.as_bytes()));
    write(root, "two.txt", two_mine.as_bytes());
    git(root, &["add", "-A"]);
    git(root, &["commit", "-qm", "two"]);
    // The base was committed by `scenario`; two.txt's base is recorded only in the trees.
    let plan = plan_update(root, Some(&base), &theirs, &opts()).expect("plan");
    assert_eq!(plan.change("two.txt").expect("two.txt").conflicts, 2);
    let regions = plan
        .change("two.txt")
        .expect("two.txt")
        .line_merge(plan.merge_options())
        .expect("text");
    assert_eq!(regions.conflicts().count(), 2);
    // With no resolution the bytes are the plan's, markers and all.
    let unresolved = plan.resolve(&BTreeMap::new()).expect("resolve");
    assert_eq!(
        unresolved.change("two.txt").expect("two").new_contents(),
        plan.change("two.txt").expect("two").new_contents()
    );

    let mut r: BTreeMap<String, Resolution> = BTreeMap::new();
    r.insert(
        "conflict.txt".into(),
        Resolution::Hunks {
            hunks: vec![Some(HunkPick::YoursThenRecipe)],
        },
    );
    r.insert(
        "two.txt".into(),
        Resolution::Hunks {
            hunks: vec![Some(HunkPick::Text {
                text: "TWO (by hand)\n".into(),
            })],
        },
    );
    r.insert("logo.png".into(), Resolution::Recipe);
    r.insert("deleted_by_template_edited.txt".into(), Resolution::Recipe);
    r.insert(
        "merged.txt".into(),
        Resolution::Text {
            text: "custom\n".into(),
        },
    );
    r.insert("template_only.txt".into(), Resolution::Yours);
    let resolved = plan.resolve(&r).expect("resolve");
    let left: Vec<&str> = resolved.conflicts().map(|c| c.path.as_str()).collect();
    assert_eq!(left, ["added_by_both_conflict.txt", "two.txt"]);
    assert!(resolved.change("conflict.txt").expect("c").resolved);
    assert_eq!(resolved.change("two.txt").expect("t").conflicts, 1);

    let applied = apply(root, &resolved, &apply_opts()).expect("apply");
    assert_eq!(applied.conflicts, ["added_by_both_conflict.txt", "two.txt"]);
    assert_eq!(
        read(root, "conflict.txt"),
        lines_with(&[("five", "FIVE (mine)\nFIVE (template)")])
    );
    let two = read(root, "two.txt");
    assert!(two.starts_with("one\nTWO (by hand)\nthree\n"), "{two}");
    assert!(two.contains("<<<<<<< yours\nEIGHT (mine)\n||||||| demo 1.0.0\neight\n=======\nEIGHT (recipe)\n>>>>>>> demo 1.1.0\n"), "{two}");
    assert_eq!(
        std::fs::read(root.join("logo.png")).expect("logo"),
        b"\x89PNG\0theirs"
    );
    assert!(!root.join("logo.theirs.png").exists());
    assert!(!root.join("deleted_by_template_edited.txt").exists());
    assert_eq!(read(root, "merged.txt"), "custom\n");
    assert_eq!(read(root, "template_only.txt"), BODY);

    // The index: stages 1, 2, 3 for the file left in conflict, 2 and 3 for the file both
    // added; nothing for what was resolved.
    let mut want = vec![
        ("added_by_both_conflict.txt".to_string(), 2, blob(b"mine\n")),
        (
            "added_by_both_conflict.txt".to_string(),
            3,
            blob(b"theirs\n"),
        ),
        ("two.txt".to_string(), 1, blob(two_base.as_bytes())),
        ("two.txt".to_string(), 2, blob(two_mine.as_bytes())),
        ("two.txt".to_string(), 3, blob(two_theirs.as_bytes())),
    ];
    want.sort();
    assert_eq!(unmerged(root), want);
    let status = git(root, &["status", "--porcelain"]);
    assert!(status.contains("AA added_by_both_conflict.txt"), "{status}");
    assert!(status.contains("UU two.txt"), "{status}");
    assert!(!status.contains("U conflict.txt"), "{status}");

    // Later: the conflicts reopened from the index, with the hunk already resolved by
    // hand read back from the file.
    let reopened = conflicts_plan(root).expect("reopen");
    let paths: Vec<&str> = reopened.changes.iter().map(|c| c.path.as_str()).collect();
    assert_eq!(paths, ["added_by_both_conflict.txt", "two.txt"]);
    let two_change = reopened.change("two.txt").expect("two");
    assert_eq!(two_change.decision, Decision::Conflict);
    assert_eq!(two_change.conflicts, 1);
    assert_eq!(
        two_change.picks_on_disk(reopened.merge_options()),
        Some(vec![
            Some(HunkPick::Text {
                text: "TWO (by hand)\n".into()
            }),
            None
        ])
    );
    assert_eq!(
        reopened
            .change("added_by_both_conflict.txt")
            .expect("added")
            .decision,
        Decision::AddedByBothConflict
    );
    let mut r = BTreeMap::new();
    r.insert(
        "two.txt".to_string(),
        Resolution::Hunks {
            hunks: vec![
                Some(HunkPick::Text {
                    text: "TWO (by hand)\n".into(),
                }),
                Some(HunkPick::Recipe),
            ],
        },
    );
    let resolved = reopened.resolve(&r).expect("resolve");
    let done = apply_resolutions(root, &resolved, &[]).expect("write");
    assert_eq!(done.written, ["two.txt"]);
    assert_eq!(done.conflicts, ["added_by_both_conflict.txt"]);
    assert_eq!(
        read(root, "two.txt"),
        lines_with(&[("two", "TWO (by hand)"), ("eight", "EIGHT (recipe)")])
    );
    let left: Vec<String> = unmerged(root).into_iter().map(|u| u.0).collect();
    assert_eq!(left, ["added_by_both_conflict.txt"; 2]);
    // Marking a file resolved stages it as it is.
    write(root, "added_by_both_conflict.txt", b"mine and theirs\n");
    let again = conflicts_plan(root).expect("reopen");
    assert_eq!(again.changes.len(), 1);
    let done =
        apply_resolutions(root, &again, &["added_by_both_conflict.txt".into()]).expect("mark");
    assert!(done.conflicts.is_empty(), "{:?}", done.conflicts);
    assert!(unmerged(root).is_empty());
    assert!(conflicts_plan(root).expect("reopen").changes.is_empty());
    let status = git(root, &["status", "--porcelain"]);
    assert!(status.contains("M  added_by_both_conflict.txt"), "{status}");
}

#[test]
fn resolutions_that_do_not_fit_are_refused() {
    let (base, theirs, dir) = scenario();
    let plan = plan_update(dir.path(), Some(&base), &theirs, &opts()).expect("plan");
    let one = |path: &str, r: Resolution| {
        let mut m = BTreeMap::new();
        m.insert(path.to_string(), r);
        plan.resolve(&m).map(|_| ())
    };
    assert_eq!(
        one("nope.txt", Resolution::Yours),
        Err(ResolveError::UnknownPath("nope.txt".into()))
    );
    assert!(matches!(
        one(
            "logo.png",
            Resolution::Hunks {
                hunks: vec![Some(HunkPick::Yours)]
            }
        ),
        Err(ResolveError::NotText { why: "binary", .. })
    ));
    assert!(matches!(
        one(
            "conflict.txt",
            Resolution::Hunks {
                hunks: vec![None, Some(HunkPick::Base)]
            }
        ),
        Err(ResolveError::TooManyPicks {
            given: 2,
            conflicts: 1,
            ..
        })
    ));
    assert!(matches!(
        one(
            "deleted_by_template_edited.txt",
            Resolution::Hunks { hunks: vec![] }
        ),
        Err(ResolveError::NotText { .. })
    ));
}
