//! Rendering a recipe folder into a project, and every way it can go wrong.
use std::path::{Path, PathBuf};

use nskit_recipe::{Answers, Context, Recipe, RecipeError, Staged, render, resolve_answers};
use serde_json::{Value, json};

/// Builds a recipe folder on disk: `RecipeDir::new(manifest).file(path, text).build()`.
struct RecipeDir {
    dir: tempfile::TempDir,
}

impl RecipeDir {
    fn new(manifest: &str) -> RecipeDir {
        let dir = tempfile::tempdir().expect("tempdir");
        std::fs::write(dir.path().join("recipe.yaml"), manifest).expect("write manifest");
        std::fs::create_dir_all(dir.path().join("template")).expect("template dir");
        RecipeDir { dir }
    }

    fn file(self, path: &str, contents: impl AsRef<[u8]>) -> RecipeDir {
        let p = self.dir.path().join("template").join(path);
        std::fs::create_dir_all(p.parent().expect("parent")).expect("mkdir");
        std::fs::write(p, contents).expect("write");
        self
    }

    #[cfg(unix)]
    fn executable(self, path: &str) -> RecipeDir {
        use std::os::unix::fs::PermissionsExt;
        let p = self.dir.path().join("template").join(path);
        std::fs::set_permissions(p, std::fs::Permissions::from_mode(0o755)).expect("chmod");
        self
    }

    fn load(&self) -> Result<Recipe, RecipeError> {
        Recipe::from_dir(self.dir.path())
    }

    fn path(&self) -> PathBuf {
        self.dir.path().to_path_buf()
    }
}

fn answers(v: Value) -> Answers {
    v.as_object().cloned().expect("object")
}

fn render_with(r: &RecipeDir, a: Value) -> Result<nskit_recipe::RenderedTree, RecipeError> {
    let recipe = r.load()?;
    let ctx = Context::default();
    let a = resolve_answers(&recipe.manifest.fields, &answers(a), &ctx, None)?.into_answers()?;
    render(&recipe, &a, &ctx)
}

const BASIC: &str = "name: demo\nversion: 1.0.0\nfields:\n  - name: name\n  - name: repo.owner\n  - name: docs\n    type: boolean\n    default: false\ncopy_only: ['assets/**', 'raw.txt']\nexclude: ['*.pyc', '{% if not docs %}docs{% endif %}']\n";

fn basic() -> RecipeDir {
    RecipeDir::new(BASIC)
        .file("{{ name }}/README.md", "# {{ name }} by {{ repo.owner }}\n")
        .file("{{ name }}/cache.pyc", "junk")
        .file("raw.txt", "{{ not rendered }}")
        .file("assets/logo.bin", [0u8, 159, 146, 150, 0, 1])
        .file("docs/index.md", "docs for {{ name }}")
        .file("{% if docs %}extra.md{% endif %}", "only with docs")
}

#[test]
fn renders_paths_and_contents_and_nests_dotted_names() {
    let tree =
        render_with(&basic(), json!({"name": "proj", "repo": {"owner": "ada"}})).expect("renders");
    let paths: Vec<&str> = tree.files.iter().map(|f| f.path.as_str()).collect();
    assert_eq!(paths, ["assets/logo.bin", "proj/README.md", "raw.txt"]);
    assert_eq!(
        tree.get("proj/README.md").expect("readme").contents,
        b"# proj by ada\n"
    );
}

#[test]
fn copy_only_and_binary_files_are_byte_for_byte() {
    // Files copied as they are stay in the recipe folder until written: keep it.
    let recipe = basic();
    let tree = render_with(&recipe, json!({"name": "p", "repo.owner": "o"})).expect("renders");
    assert_eq!(
        tree.get("raw.txt").expect("raw").contents,
        b"{{ not rendered }}"
    );
    assert_eq!(
        tree.get("assets/logo.bin").expect("bin").contents,
        [0u8, 159, 146, 150, 0, 1]
    );
}

#[test]
fn conditional_exclude_and_empty_segments() {
    let tree = render_with(
        &basic(),
        json!({"name": "p", "repo.owner": "o", "docs": true}),
    )
    .expect("renders");
    assert!(tree.get("docs/index.md").is_some());
    assert!(tree.get("extra.md").is_some());
    assert!(
        tree.get("p/cache.pyc").is_none(),
        "*.pyc matches at any depth"
    );
}

#[cfg(unix)]
#[test]
fn executable_bit_is_kept_on_disk() {
    use std::os::unix::fs::PermissionsExt;
    let r = RecipeDir::new("name: x\n")
        .file("run.sh", "#!/bin/sh\necho hi\n")
        .executable("run.sh")
        .file("plain.txt", "x");
    let tree = render_with(&r, json!({})).expect("renders");
    let out = tempfile::tempdir().expect("tempdir");
    let target = out.path().join("proj");
    Staged::write(&tree, &target, false)
        .expect("stage")
        .into_place(&target.join(".recipe/nskit"))
        .expect("place");
    let mode = |p: &str| {
        std::fs::metadata(target.join(p))
            .expect("meta")
            .permissions()
            .mode()
    };
    assert_ne!(mode("run.sh") & 0o111, 0);
    assert_eq!(mode("plain.txt") & 0o111, 0);
}

#[test]
fn undefined_variable_names_file_line_and_variable() {
    let r = RecipeDir::new("name: x\nfields:\n  - name: name\n")
        .file("src/main.txt", "line one\nhello {{ nam }}\n");
    let e = render_with(&r, json!({"name": "a"})).unwrap_err();
    match &e {
        RecipeError::UndefinedVariable {
            file,
            line,
            variable,
        } => {
            assert_eq!(
                (file.as_str(), *line, variable.as_str()),
                ("src/main.txt", Some(2), "nam")
            );
        }
        other => panic!("expected an undefined variable, got {other}"),
    }
    assert!(
        e.to_string()
            .contains("src/main.txt:2: undefined variable `nam`"),
        "{e}"
    );
}

#[test]
fn undefined_variable_in_a_path() {
    let r = RecipeDir::new("name: x\n").file("{{ missing }}/a.txt", "a");
    let e = render_with(&r, json!({})).unwrap_err().to_string();
    assert!(e.contains("file name") && e.contains("`missing`"), "{e}");
}

#[test]
fn template_syntax_error_names_file_and_line() {
    let r = RecipeDir::new("name: x\n").file("a.txt", "ok\n{% if %}\n");
    let e = render_with(&r, json!({})).unwrap_err();
    assert!(
        matches!(&e, RecipeError::Template { file, line: Some(2), message } if file == "a.txt" && message.contains("syntax")),
        "{e}"
    );
}

#[test]
fn malformed_manifest_names_file_line_and_key() {
    let r = RecipeDir::new("name: x\nfields:\n  - name: a\n    type: [oops\n");
    let e = r.load().unwrap_err().to_string();
    assert!(e.contains("recipe.yaml:"), "{e}");
    let r = RecipeDir::new("name: x\nfields:\n  - name: a\n    type: colour\n");
    let e = r.load().unwrap_err().to_string();
    assert!(
        e.contains("recipe.yaml:4: fields[0].type: unknown variant `colour`"),
        "{e}"
    );
}

#[test]
fn failing_validation_is_reported_per_field() {
    let r = RecipeDir::new(
        "name: x\nfields:\n  - name: n\n    validation: {pattern: '[a-z]+', message: lower-case letters only}\n",
    );
    let e = render_with(&r, json!({"n": "ABC"})).unwrap_err();
    match e {
        RecipeError::InvalidAnswers(errs) => {
            assert_eq!(errs.len(), 1);
            assert_eq!(
                (errs[0].field.as_str(), errs[0].message.as_str()),
                ("n", "lower-case letters only")
            );
        }
        other => panic!("{other}"),
    }
}

#[test]
fn paths_leaving_the_output_are_refused_and_nothing_is_written() {
    for (name, value) in [
        ("up", "../../etc"),
        ("abs", "/etc/passwd"),
        ("dotdot", "a/../../b"),
        ("backslash", "..\\x"),
    ] {
        let r = RecipeDir::new("name: x\nfields:\n  - name: p\n").file("{{ p }}/f.txt", "x");
        let e = render_with(&r, json!({"p": value})).unwrap_err();
        assert!(matches!(e, RecipeError::PathEscapes { .. }), "{name}: {e}");
    }
}

#[cfg(unix)]
#[test]
fn symlinks_in_a_template_are_refused() {
    let r = RecipeDir::new("name: x\n").file("a.txt", "a");
    std::os::unix::fs::symlink("/etc/passwd", r.path().join("template/link")).expect("symlink");
    let e = r.load().unwrap_err().to_string();
    assert!(e.contains("symbolic links are not allowed"), "{e}");
}

#[cfg(unix)]
#[test]
fn force_never_writes_through_a_symlinked_folder() {
    let outside = tempfile::tempdir().expect("tempdir");
    let work = tempfile::tempdir().expect("tempdir");
    let target = work.path().join("proj");
    std::fs::create_dir(&target).expect("mkdir");
    std::fs::write(target.join("keep.txt"), "mine").expect("write");
    std::os::unix::fs::symlink(outside.path(), target.join("sub")).expect("symlink");
    let r = RecipeDir::new("name: x\n")
        .file("a.txt", "a")
        .file("sub/evil.txt", "x");
    let tree = render_with(&r, json!({})).expect("renders");
    let e = Staged::write(&tree, &target, true)
        .expect("stage")
        .into_place(&target.join(".recipe/nskit"))
        .unwrap_err();
    assert!(matches!(e, RecipeError::PathEscapes { .. }), "{e}");
    assert!(!outside.path().join("evil.txt").exists());
    assert!(
        !target.join("a.txt").exists(),
        "a failed overwrite is rolled back"
    );
    assert_eq!(
        std::fs::read_to_string(target.join("keep.txt")).expect("read"),
        "mine"
    );
}

#[test]
fn a_non_empty_target_is_refused_without_force() {
    let out = tempfile::tempdir().expect("tempdir");
    std::fs::write(out.path().join("mine.txt"), "mine").expect("write");
    let recipe = basic();
    let tree = render_with(&recipe, json!({"name": "p", "repo.owner": "o"})).expect("renders");
    let e = Staged::write(&tree, out.path(), false).unwrap_err();
    assert!(matches!(e, RecipeError::TargetNotEmpty(_)), "{e}");
    assert!(e.to_string().contains("--force"));
    // With force, files are added and the user's file stays.
    Staged::write(&tree, out.path(), true)
        .expect("stage")
        .into_place(&out.path().join(".recipe/nskit"))
        .expect("place");
    assert_eq!(
        std::fs::read_to_string(out.path().join("mine.txt")).expect("read"),
        "mine"
    );
    assert!(out.path().join("raw.txt").is_file());
}

#[test]
fn an_unwritable_target_is_a_clear_error_and_leaves_nothing() {
    let work = tempfile::tempdir().expect("tempdir");
    let blocker = work.path().join("a-file");
    std::fs::write(&blocker, "x").expect("write");
    let tree = render_with(&basic(), json!({"name": "p", "repo.owner": "o"})).expect("renders");
    let e = Staged::write(&tree, &blocker.join("proj"), false).unwrap_err();
    assert!(
        e.to_string()
            .starts_with(&format!("cannot write {}", blocker.display())),
        "{e}"
    );
    // procfs refuses new folders even to root.
    let e = Staged::write(&tree, Path::new("/proc/nskit-test/proj"), false).unwrap_err();
    assert!(matches!(e, RecipeError::Write { .. }), "{e}");
    let left: Vec<_> = std::fs::read_dir(work.path())
        .expect("read")
        .flatten()
        .map(|e| e.file_name())
        .collect();
    assert_eq!(left, vec![std::ffi::OsString::from("a-file")]);
}

#[test]
fn a_failure_while_writing_leaves_no_partial_project() {
    // `a` as a file and `a/b` as a file cannot both exist: the write fails half-way.
    let tree = nskit_recipe::RenderedTree {
        files: vec![
            nskit_recipe::RenderedFile {
                path: "a".into(),
                contents: b"1".to_vec().into(),
                executable: false,
            },
            nskit_recipe::RenderedFile {
                path: "a/b".into(),
                contents: b"2".to_vec().into(),
                executable: false,
            },
        ],
    };
    let work = tempfile::tempdir().expect("tempdir");
    let target = work.path().join("proj");
    assert!(Staged::write(&tree, &target, false).is_err());
    assert!(!target.exists());
    assert_eq!(
        std::fs::read_dir(work.path()).expect("read").count(),
        0,
        "the staging folder is removed"
    );
}

#[test]
fn two_templates_rendering_to_one_path_is_an_error() {
    let r = RecipeDir::new("name: x\nfields:\n  - name: a\n  - name: b\n")
        .file("{{ a }}.txt", "1")
        .file("{{ b }}.txt", "2");
    let e = render_with(&r, json!({"a": "same", "b": "same"}))
        .unwrap_err()
        .to_string();
    assert!(e.contains("both render to `same.txt`"), "{e}");
}

#[test]
fn templates_suffix_renders_only_suffixed_files() {
    let r = RecipeDir::new("name: x\ntemplates_suffix: .jinja\nfields:\n  - name: n\n")
        .file("a.txt.jinja", "{{ n }}")
        .file("b.txt", "{{ n }}");
    let tree = render_with(&r, json!({"n": "v"})).expect("renders");
    assert_eq!(tree.get("a.txt").expect("a").contents, b"v");
    assert_eq!(tree.get("b.txt").expect("b").contents, b"{{ n }}");
}

#[test]
fn trailing_newlines_and_crlf_are_kept() {
    let r = RecipeDir::new("name: x\nfields:\n  - name: n\n").file("a.txt", "x={{ n }}\r\ny\r\n\n");
    let tree = render_with(&r, json!({"n": "1"})).expect("renders");
    assert_eq!(tree.get("a.txt").expect("a").contents, b"x=1\r\ny\r\n\n");
}

#[test]
fn a_template_that_grows_without_bound_is_stopped_naming_the_file() {
    let r = RecipeDir::new("name: x\n").file("ok.txt", "fine\n").file(
        "boom.txt",
        "{% for a in range(10000) %}{% for b in range(10000) %}0123456789abcdef0123456789abcdef{% endfor %}{% endfor %}",
    );
    let e = render_with(&r, json!({})).unwrap_err();
    assert!(matches!(e, RecipeError::RenderLimit { .. }), "{e}");
    let text = e.to_string();
    assert!(
        text.starts_with("boom.txt:") && text.contains("64 MiB"),
        "{text}"
    );
}

#[test]
fn a_template_that_loops_without_output_is_stopped_too() {
    let r = RecipeDir::new("name: x\n").file(
        "spin.txt",
        "{% for a in range(100000) %}{% for b in range(100000) %}{% endfor %}{% endfor %}",
    );
    let e = render_with(&r, json!({})).unwrap_err();
    assert!(
        matches!(e, RecipeError::RenderLimit { .. }) && e.to_string().contains("spin.txt"),
        "{e}"
    );
}

#[test]
fn large_verbatim_files_are_copied_from_disk_not_held_in_memory() {
    let big_text = "plain line without markers\n".repeat(200_000); // 5.4 MB
    let r = RecipeDir::new("name: x\n")
        .file("data/big.txt", &big_text)
        .file("small.txt", "{{ 1 + 1 }}\n");
    let tree = render_with(&r, json!({})).expect("renders");
    let big = tree.get("data/big.txt").expect("big");
    assert!(
        matches!(big.contents, nskit_recipe::Content::Disk { .. }),
        "left on disk"
    );
    let out = tempfile::tempdir().expect("tempdir");
    let target = out.path().join("proj");
    Staged::write(&tree, &target, false)
        .expect("stage")
        .into_place(&target.join(".recipe/nskit"))
        .expect("place");
    assert_eq!(
        std::fs::read_to_string(target.join("data/big.txt")).expect("read"),
        big_text
    );
    assert_eq!(
        std::fs::read_to_string(target.join("small.txt")).expect("read"),
        "2\n"
    );
}
