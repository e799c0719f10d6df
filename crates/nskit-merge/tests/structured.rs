//! `merge_file`: structured formats merge by key where lines would conflict, and anything
//! else is the line merge.
use nskit_merge::{Format, MergeOptions, Method, merge_file, merge_lines};

fn merge(path: &str, base: &str, ours: &str, theirs: &str) -> (String, usize, Method) {
    let (m, method) = merge_file(
        path,
        base.as_bytes(),
        ours.as_bytes(),
        theirs.as_bytes(),
        &MergeOptions::default(),
    );
    (
        String::from_utf8(m.bytes).expect("utf-8"),
        m.conflicts,
        method,
    )
}

#[test]
fn adjacent_toml_edits_conflict_as_lines_but_merge_by_key() {
    let base = "[dependencies]\nserde = \"1\"\n";
    let ours = "[dependencies]\nserde = \"1\"\nanyhow = \"1\"  # mine\n";
    let theirs = "[dependencies]\nserde = \"1.0.210\"\n";
    let lines = merge_lines(
        base.as_bytes(),
        ours.as_bytes(),
        theirs.as_bytes(),
        &MergeOptions::default(),
    );
    assert_eq!(lines.conflicts, 1, "adjacent line changes conflict for git");
    let (out, conflicts, method) = merge("Cargo.toml", base, ours, theirs);
    assert_eq!((conflicts, method), (0, Method::Structured));
    assert_eq!(
        out,
        "[dependencies]\nserde = \"1.0.210\"\nanyhow = \"1\"  # mine\n"
    );
}

#[test]
fn json_line_merge_that_breaks_the_document_is_replaced() {
    // Both sides append a key after the last one: lines conflict (or would produce a
    // missing comma); by key it is clean.
    let base = "{\n  \"a\": 1\n}\n";
    let ours = "{\n  \"a\": 1,\n  \"mine\": true\n}\n";
    let theirs = "{\n  \"a\": 2\n}\n";
    let (out, conflicts, method) = merge("package.json", base, ours, theirs);
    assert_eq!((conflicts, method), (0, Method::Structured), "{out}");
    assert_eq!(out, "{\n  \"a\": 2,\n  \"mine\": true\n}\n");
}

#[test]
fn a_true_key_conflict_falls_back_to_markers() {
    let base = "version: 1\n";
    let (out, conflicts, method) = merge("ci.yml", base, "version: 2\n", "version: 3\n");
    assert_eq!((conflicts, method), (1, Method::Lines));
    assert!(out.contains("<<<<<<<") && out.contains("version: 2") && out.contains("version: 3"));
}

#[test]
fn unparsable_sides_and_other_files_merge_by_line() {
    let (_, conflicts, method) = merge("broken.json", "{\n", "{\nx\n", "{\n");
    assert_eq!((conflicts, method), (0, Method::Lines));
    let (out, _, method) = merge("notes.txt", "a\n", "a\nb\n", "a\n");
    assert_eq!((out.as_str(), method), ("a\nb\n", Method::Lines));
    assert_eq!(Format::from_path("x/Y.YML"), Some(Format::Yaml));
    assert_eq!(Format::from_path("Makefile"), None);
}

#[test]
fn clean_line_merges_are_kept_byte_for_byte() {
    // A clean line merge that agrees with the key merge keeps every byte (comments,
    // blank lines, spacing), even in a structured file.
    let base = "# top\na = 1\n\n# mid\nb = 2\n";
    let ours = "# top, edited\na = 1\n\n# mid\nb = 2\n";
    let theirs = "# top\na = 1\n\n# mid\nb = 3\n";
    let (out, conflicts, method) = merge("x.toml", base, ours, theirs);
    assert_eq!((conflicts, method), (0, Method::Lines));
    assert_eq!(out, "# top, edited\na = 1\n\n# mid\nb = 3\n");
}
