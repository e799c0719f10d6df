//! Property tests of the line merge, on thousands of random edit scripts per run, and a
//! differential test against the real `git merge-file`.
use std::collections::HashMap;
use std::process::Command;

use nskit_merge::{ConflictStyle, Labels, MergeOptions, merge_lines};
use proptest::prelude::*;
use proptest::strategy::ValueTree;

/// A small alphabet makes repeated lines, the hard cases for diffs. `}` and the empty line
/// have no letters or digits, which matters to git's joining of close conflicts.
const WORDS: &[&str] = &[
    "a", "b", "c", "d", "e", "f", "}", "", "fn x() {", "    y();",
];

#[derive(Debug, Clone)]
enum Edit {
    Delete(usize),
    Insert(usize, usize),
    Replace(usize, usize),
}

fn edits() -> impl Strategy<Value = Vec<Edit>> {
    prop::collection::vec(
        prop_oneof![
            any::<usize>().prop_map(Edit::Delete),
            (any::<usize>(), 0..WORDS.len()).prop_map(|(i, w)| Edit::Insert(i, w)),
            (any::<usize>(), 0..WORDS.len()).prop_map(|(i, w)| Edit::Replace(i, w)),
        ],
        0..5,
    )
}

fn apply(base: &[String], edits: &[Edit]) -> Vec<String> {
    let mut v = base.to_vec();
    for e in edits {
        match *e {
            Edit::Delete(i) if !v.is_empty() => {
                let i = i % v.len();
                v.remove(i);
            }
            Edit::Insert(i, w) => {
                let i = i % (v.len() + 1);
                v.insert(i, WORDS[w].to_string());
            }
            Edit::Replace(i, w) if !v.is_empty() => {
                let i = i % v.len();
                v[i] = WORDS[w].to_string();
            }
            _ => {}
        }
    }
    v
}

fn text(lines: &[String], final_newline: bool, crlf: bool) -> Vec<u8> {
    let eol = if crlf { "\r\n" } else { "\n" };
    let mut s = lines.join(eol);
    if final_newline && !lines.is_empty() {
        s.push_str(eol);
    }
    s.into_bytes()
}

fn case() -> impl Strategy<Value = (Vec<u8>, Vec<u8>, Vec<u8>)> {
    (
        prop::collection::vec(0..WORDS.len(), 0..12),
        edits(),
        edits(),
        any::<[bool; 3]>(),
        any::<bool>(),
    )
        .prop_map(|(base, e1, e2, newlines, crlf)| {
            let base: Vec<String> = base.into_iter().map(|i| WORDS[i].to_string()).collect();
            let ours = apply(&base, &e1);
            let theirs = apply(&base, &e2);
            (
                text(&base, newlines[0], crlf),
                text(&ours, newlines[1], crlf),
                text(&theirs, newlines[2], crlf),
            )
        })
}

fn lines_of(b: &[u8]) -> Vec<&[u8]> {
    b.split_inclusive(|c| *c == b'\n').map(trim_eol).collect()
}

/// A line without its ending; a lone CR before the newline a merge adds is part of the ending.
fn trim_eol(l: &[u8]) -> &[u8] {
    let mut end = l.len();
    while end > 0 && matches!(l[end - 1], b'\r' | b'\n') {
        end -= 1;
    }
    &l[..end]
}

fn counts(b: &[u8]) -> HashMap<&[u8], usize> {
    let mut m = HashMap::new();
    for l in lines_of(b) {
        *m.entry(l).or_insert(0) += 1;
    }
    m
}

fn diff3() -> MergeOptions {
    MergeOptions {
        style: ConflictStyle::Diff3,
        labels: Labels {
            ours: Some("ours".into()),
            base: Some("base".into()),
            theirs: Some("theirs".into()),
        },
        ..MergeOptions::default()
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 4000, ..ProptestConfig::default() })]

    /// Every line the user added or changed is in the result, merged or inside a conflict.
    #[test]
    fn no_line_of_either_side_is_lost((base, ours, theirs) in case()) {
        for opts in [MergeOptions::default(), diff3()] {
            let r = merge_lines(&base, &ours, &theirs, &opts);
            let (b, o, t, got) = (counts(&base), counts(&ours), counts(&theirs), counts(&r.bytes));
            for (side, name) in [(&o, "ours"), (&t, "theirs")] {
                for (line, n) in side {
                    let added = n.saturating_sub(*b.get(line).unwrap_or(&0));
                    prop_assert!(got.get(line).copied().unwrap_or(0) >= added,
                        "{name}'s line {:?} lost: result {:?}", String::from_utf8_lossy(line), String::from_utf8_lossy(&r.bytes));
                }
            }
        }
    }

    /// A side that did not change leaves the other side's text exactly.
    #[test]
    fn an_unchanged_side_returns_the_other((base, ours, _theirs) in case()) {
        let r = merge_lines(&base, &ours, &base, &MergeOptions::default());
        prop_assert_eq!(&r.bytes, &ours);
        prop_assert_eq!(r.conflicts, 0);
        let r = merge_lines(&base, &base, &ours, &diff3());
        prop_assert_eq!(&r.bytes, &ours);
    }

    /// Identical changes never conflict.
    #[test]
    fn the_same_change_on_both_sides_is_clean((base, ours, _t) in case()) {
        let r = merge_lines(&base, &ours, &ours, &MergeOptions::default());
        prop_assert_eq!(r.conflicts, 0);
        prop_assert_eq!(&r.bytes, &ours);
    }

    /// A clean merge has no marker lines; a conflicted one has a well-formed block per conflict.
    #[test]
    fn markers_match_the_conflict_count((base, ours, theirs) in case()) {
        for opts in [MergeOptions::default(), diff3()] {
            let r = merge_lines(&base, &ours, &theirs, &opts);
            let lines = lines_of(&r.bytes);
            let starts = lines.iter().filter(|l| l.starts_with(b"<<<<<<<")).count();
            let ends = lines.iter().filter(|l| l.starts_with(b">>>>>>>")).count();
            prop_assert_eq!(starts, r.conflicts);
            prop_assert_eq!(ends, r.conflicts);
        }
    }
}

fn git_merge_file(
    dir: &std::path::Path,
    base: &[u8],
    ours: &[u8],
    theirs: &[u8],
    diff3: bool,
) -> (Vec<u8>, i32) {
    for (n, b) in [("ours", ours), ("base", base), ("theirs", theirs)] {
        std::fs::write(dir.join(n), b).expect("write");
    }
    let mut c = Command::new("git");
    c.current_dir(dir).args([
        "merge-file",
        "-p",
        "-L",
        "ours",
        "-L",
        "base",
        "-L",
        "theirs",
    ]);
    if diff3 {
        c.arg("--diff3");
    }
    let out = c
        .args(["ours", "base", "theirs"])
        .output()
        .expect("git runs");
    (out.stdout, out.status.code().unwrap_or(-1))
}

/// Against the real `git merge-file`, on a fixed set of random cases (the same every run):
/// where git merges cleanly, our result is byte for byte git's in at least 99% of cases.
/// The rest are ties between equally short alignments of repeated lines, which git's
/// xdiff and `similar` break differently (see bench/merge-corpus.sh for real files).
#[test]
fn clean_merges_match_git() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut runner = proptest::test_runner::TestRunner::deterministic();
    let strategy = case();
    for diff3_style in [false, true] {
        let (mut clean, mut identical, mut differ) = (0, 0, Vec::new());
        for _ in 0..1500 {
            let (base, ours, theirs) = strategy.new_tree(&mut runner).expect("case").current();
            let (want, code) = git_merge_file(dir.path(), &base, &ours, &theirs, diff3_style);
            if code != 0 {
                continue;
            }
            clean += 1;
            let opts = if diff3_style {
                diff3()
            } else {
                MergeOptions::default()
            };
            let got = merge_lines(&base, &ours, &theirs, &opts);
            if got.bytes == want {
                identical += 1;
            } else {
                differ.push(format!(
                    "base {:?} ours {:?} theirs {:?}",
                    String::from_utf8_lossy(&base),
                    String::from_utf8_lossy(&ours),
                    String::from_utf8_lossy(&theirs)
                ));
            }
        }
        println!("diff3={diff3_style}: git merged {clean} cleanly; identical {identical}");
        assert!(clean > 500, "too few clean cases to judge: {clean}");
        assert!(
            identical * 100 >= clean * 99,
            "only {identical} of {clean} identical; first differences:\n{}",
            differ[..differ.len().min(5)].join("\n")
        );
    }
}
