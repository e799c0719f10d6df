//! Property tests of the line merge, on thousands of random edit scripts per run, and a
//! differential test against the real `git merge-file`.
use std::collections::HashMap;
use std::process::Command;

use nskit_merge::{
    ConflictStyle, Labels, LineMerge, MergeOptions, Pick, RegionKind, Side, merge_lines,
};
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

    /// The regions cover each file in order, and taking one side in every region gives
    /// that side's file exactly; each kind of region holds what its name says.
    #[test]
    fn regions_cover_the_three_files((base, ours, theirs) in case()) {
        for opts in [MergeOptions::default(), diff3()] {
            let m = LineMerge::new(&base, &ours, &theirs, &opts);
            for (side, file) in [(Side::Base, &base), (Side::Ours, &ours), (Side::Theirs, &theirs)] {
                let mut at = 0;
                let mut whole = Vec::new();
                for r in m.regions() {
                    prop_assert_eq!(r.range(side).start, at, "{:?} regions leave a gap", side);
                    at = r.range(side).end;
                    whole.extend(m.text(side, r.range(side)));
                }
                prop_assert_eq!(at, m.lines(side).len());
                prop_assert_eq!(&whole, file);
            }
            for r in m.regions() {
                let (b, o, t) = (
                    m.text(Side::Base, r.base.clone()),
                    m.text(Side::Ours, r.ours.clone()),
                    m.text(Side::Theirs, r.theirs.clone()),
                );
                match r.kind {
                    RegionKind::Unchanged => prop_assert!(b == o && o == t),
                    RegionKind::Ours => prop_assert!(t == b && o != b),
                    RegionKind::Theirs => prop_assert!(o == b && t != b),
                    RegionKind::Both => prop_assert_eq!(&o, &t),
                    // In diff3 style conflicts are not narrowed, so, as in git, two
                    // changes that touch can conflict even where they end up alike.
                    RegionKind::Conflict => prop_assert!(o != t || opts.style == ConflictStyle::Diff3),
                }
            }
            // Markers are one rendering of the regions: one block per conflict region.
            let rendered = m.render();
            prop_assert_eq!(rendered.conflicts, m.conflicts().count());
            prop_assert_eq!(&rendered, &merge_lines(&base, &ours, &theirs, &opts));
        }
    }

    /// Picking a side in every conflict leaves no marker, and picking ours (theirs) where
    /// the other side changed nothing gives ours (theirs) exactly.
    #[test]
    fn picks_resolve_every_conflict((base, ours, theirs) in case()) {
        let m = LineMerge::new(&base, &ours, &theirs, &MergeOptions::default());
        let n = m.conflicts().count();
        for pick in [Pick::Ours, Pick::Theirs, Pick::OursThenTheirs, Pick::TheirsThenOurs, Pick::Base] {
            let r = m.resolve(&vec![Some(pick.clone()); n]);
            prop_assert_eq!(r.conflicts, 0);
            prop_assert!(!lines_of(&r.bytes).iter().any(|l| l.starts_with(b"<<<<<<<")));
        }
        // Half the conflicts picked: the rest keep their markers, as rendered.
        let half: Vec<Option<Pick>> = (0..n).map(|i| (i % 2 == 0).then_some(Pick::Ours)).collect();
        prop_assert_eq!(m.resolve(&half).conflicts, n / 2);
        let mine = LineMerge::new(&base, &ours, &base, &MergeOptions::default());
        prop_assert_eq!(&mine.resolve(&vec![Some(Pick::Ours); mine.conflicts().count()]).bytes, &ours);
        let theirs_only = LineMerge::new(&base, &base, &theirs, &MergeOptions::default());
        prop_assert_eq!(
            &theirs_only.resolve(&vec![Some(Pick::Theirs); theirs_only.conflicts().count()]).bytes,
            &theirs
        );
    }

    /// Picks read back from a resolved file give that file again; markers read back as
    /// no picks.
    #[test]
    fn picks_read_back_give_the_same_file((base, ours, theirs) in case(), choice in prop::collection::vec(0..7usize, 0..8)) {
        for opts in [MergeOptions::default(), diff3()] {
            let m = LineMerge::new(&base, &ours, &theirs, &opts);
            let n = m.conflicts().count();
            let picks: Vec<Option<Pick>> = (0..n)
                .map(|i| match choice.get(i).copied().unwrap_or(0) {
                    0 => None,
                    1 => Some(Pick::Ours),
                    2 => Some(Pick::Theirs),
                    3 => Some(Pick::OursThenTheirs),
                    4 => Some(Pick::TheirsThenOurs),
                    5 => Some(Pick::Base),
                    _ => Some(Pick::Text(b"by hand\n".to_vec())),
                })
                .collect();
            let file = m.resolve(&picks).bytes;
            if let Some(back) = m.picks_from(&file) {
                prop_assert_eq!(&m.resolve(&back).bytes, &file);
            }
            prop_assert_eq!(m.picks_from(&m.render().bytes), Some(vec![None; n]));
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

/// Against the real `git merge-file`, on a fixed set of random cases (the same every run),
/// in both styles: every result is byte for byte git's, clean or conflicted, and so is the
/// number of conflicts. The cases run on a few threads, each with its own folder.
#[test]
fn merges_match_git() {
    const CASES: usize = 10_000;
    let mut runner = proptest::test_runner::TestRunner::deterministic();
    let strategy = case();
    let cases: Vec<_> = (0..CASES)
        .map(|_| strategy.new_tree(&mut runner).expect("case").current())
        .collect();
    let threads = std::thread::available_parallelism().map_or(2, |n| n.get() * 2);
    let chunk = cases.len().div_ceil(threads);
    let results: Vec<(usize, usize, Vec<String>)> = std::thread::scope(|scope| {
        let handles: Vec<_> = cases
            .chunks(chunk)
            .map(|part| {
                scope.spawn(move || {
                    let dir = tempfile::tempdir().expect("tempdir");
                    let (mut clean, mut checked, mut differ) = (0, 0, Vec::new());
                    for (base, ours, theirs) in part {
                        for diff3_style in [false, true] {
                            let (want, code) =
                                git_merge_file(dir.path(), base, ours, theirs, diff3_style);
                            let opts = MergeOptions {
                                style: if diff3_style {
                                    ConflictStyle::Diff3
                                } else {
                                    ConflictStyle::Merge
                                },
                                ..diff3()
                            };
                            let got = merge_lines(base, ours, theirs, &opts);
                            checked += 1;
                            if code == 0 {
                                clean += 1;
                            }
                            if got.bytes != want || got.conflicts.min(127) as i32 != code {
                                differ.push(format!(
                                    "diff3={diff3_style} base {:?} ours {:?} theirs {:?}: git {:?} ({code}), nskit {:?} ({})",
                                    String::from_utf8_lossy(base),
                                    String::from_utf8_lossy(ours),
                                    String::from_utf8_lossy(theirs),
                                    String::from_utf8_lossy(&want),
                                    String::from_utf8_lossy(&got.bytes),
                                    got.conflicts,
                                ));
                            }
                        }
                    }
                    (clean, checked, differ)
                })
            })
            .collect();
        handles
            .into_iter()
            .map(|h| h.join().expect("thread"))
            .collect()
    });
    let clean: usize = results.iter().map(|r| r.0).sum();
    let checked: usize = results.iter().map(|r| r.1).sum();
    let differ: Vec<&String> = results.iter().flat_map(|r| &r.2).collect();
    println!(
        "{checked} merges ({CASES} cases, two styles); git merged {clean} cleanly; {} differ",
        differ.len()
    );
    assert_eq!(checked, CASES * 2);
    assert!(clean > CASES / 2, "too few clean cases to judge: {clean}");
    assert!(
        differ.is_empty(),
        "{} of {checked} merges differ from git's; the first:\n{}",
        differ.len(),
        differ[..differ.len().min(5)]
            .iter()
            .map(|s| s.as_str())
            .collect::<Vec<_>>()
            .join("\n")
    );
}

/// Large files with many edits, where git's diff gives up minimality (its cost limit and
/// "good snake" shortcuts): still byte for byte git's.
#[test]
fn large_merges_match_git() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut runner = proptest::test_runner::TestRunner::deterministic();
    let words = prop::collection::vec(0..40usize, 1500..3000);
    let many_edits = |n| {
        prop::collection::vec(
            prop_oneof![
                any::<usize>().prop_map(Edit::Delete),
                (any::<usize>(), 0..WORDS.len()).prop_map(|(i, w)| Edit::Insert(i, w)),
                (any::<usize>(), 0..WORDS.len()).prop_map(|(i, w)| Edit::Replace(i, w)),
            ],
            n,
        )
    };
    let strategy = (words, many_edits(200..900), many_edits(200..900));
    let mut differ = 0;
    for case in 0..12 {
        let (base, e1, e2) = strategy.new_tree(&mut runner).expect("case").current();
        // Many distinct lines, and the small alphabet's repeated ones among them; in every
        // other case, runs of distinct lines long enough to be git's "good snakes".
        let base: Vec<String> = base
            .into_iter()
            .enumerate()
            .map(|(at, i)| {
                if case % 2 == 1 && (at / 30) % 3 == 0 {
                    format!("kept {at}")
                } else if i < WORDS.len() {
                    WORDS[i].to_string()
                } else {
                    format!("line {i}")
                }
            })
            .collect();
        let (ours, theirs) = (apply(&base, &e1), apply(&base, &e2));
        let (b, o, t) = (
            text(&base, true, false),
            text(&ours, true, false),
            text(&theirs, true, false),
        );
        for diff3_style in [false, true] {
            let (want, code) = git_merge_file(dir.path(), &b, &o, &t, diff3_style);
            let opts = MergeOptions {
                style: if diff3_style {
                    ConflictStyle::Diff3
                } else {
                    ConflictStyle::Merge
                },
                ..diff3()
            };
            let got = merge_lines(&b, &o, &t, &opts);
            if got.bytes != want || got.conflicts.min(127) as i32 != code {
                differ += 1;
                println!(
                    "case {case} diff3={diff3_style} differs: git {code} conflicts, nskit {}",
                    got.conflicts
                );
            }
        }
    }
    assert_eq!(differ, 0, "large merges differ from git's");
}

/// Files of some 40,000 lines, where git's cost limit rises above its "good snake"
/// threshold, so that shortcut decides the alignment too: still byte for byte git's.
#[test]
fn huge_merges_match_git() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut runner = proptest::test_runner::TestRunner::deterministic();
    let strategy = (
        prop::collection::vec(0..WORDS.len(), 40_000),
        prop::collection::vec((any::<usize>(), 0..WORDS.len()), 3000),
        prop::collection::vec((any::<usize>(), 0..WORDS.len()), 3000),
    );
    let (words, e1, e2) = strategy.new_tree(&mut runner).expect("case").current();
    // Runs of distinct lines between runs of repeated ones; edits fall on the repeated ones.
    let base: Vec<String> = words
        .iter()
        .enumerate()
        .map(|(at, w)| {
            if (at / 40) % 2 == 0 {
                format!("kept {at}")
            } else {
                WORDS[*w].to_string()
            }
        })
        .collect();
    let edit = |edits: &[(usize, usize)]| {
        let mut v = base.clone();
        for (i, w) in edits {
            let at = i % v.len();
            if !v[at].starts_with("kept") {
                v[at] = WORDS[*w].to_string();
            }
        }
        v
    };
    let (b, o, t) = (
        text(&base, true, false),
        text(&edit(&e1), true, false),
        text(&edit(&e2), true, false),
    );
    for diff3_style in [false, true] {
        let (want, code) = git_merge_file(dir.path(), &b, &o, &t, diff3_style);
        let opts = MergeOptions {
            style: if diff3_style {
                ConflictStyle::Diff3
            } else {
                ConflictStyle::Merge
            },
            ..diff3()
        };
        let got = merge_lines(&b, &o, &t, &opts);
        assert_eq!(got.conflicts.min(127) as i32, code, "diff3={diff3_style}");
        assert!(
            got.bytes == want,
            "diff3={diff3_style}: bytes differ from git's"
        );
    }
}
