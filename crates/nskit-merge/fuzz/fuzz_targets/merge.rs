//! Fuzzes the line merge: any three byte strings (split at 0xFF bytes) must merge without a
//! panic, keep every line either side added, and leave a side's text as it is when the
//! other side is unchanged; its regions must cover the three files, taking one side in
//! every region must give that side, and picks read back from a resolved file must give
//! it again.
#![no_main]

use std::collections::HashMap;

use libfuzzer_sys::fuzz_target;
use nskit_merge::{ConflictStyle, LineMerge, MergeOptions, Pick, Side, merge_lines};

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
    for l in b.split_inclusive(|c| *c == b'\n') {
        *m.entry(trim_eol(l)).or_insert(0) += 1;
    }
    m
}

fuzz_target!(|data: &[u8]| {
    let mut parts = data.splitn(3, |b| *b == 0xFF);
    let base = parts.next().unwrap_or_default();
    let ours = parts.next().unwrap_or_default();
    let theirs = parts.next().unwrap_or_default();
    for style in [ConflictStyle::Merge, ConflictStyle::Diff3] {
        let opts = MergeOptions { style, ..MergeOptions::default() };
        let r = merge_lines(base, ours, theirs, &opts);
        let (b, got) = (counts(base), counts(&r.bytes));
        for side in [ours, theirs] {
            for (line, n) in counts(side) {
                let added = n.saturating_sub(*b.get(line).unwrap_or(&0));
                assert!(got.get(line).copied().unwrap_or(0) >= added, "a line was lost");
            }
        }
        assert_eq!(merge_lines(base, ours, base, &opts).bytes, ours);
        assert_eq!(merge_lines(base, base, theirs, &opts).bytes, theirs);

        let m = LineMerge::new(base, ours, theirs, &opts);
        for (side, file) in [(Side::Base, base), (Side::Ours, ours), (Side::Theirs, theirs)] {
            let whole: Vec<u8> = m
                .regions()
                .iter()
                .flat_map(|reg| m.text(side, reg.range(side)))
                .collect();
            assert_eq!(whole, file, "the regions do not cover {side:?}");
        }
        assert_eq!(m.render(), r, "rendering the regions is not the merge");
        let n = m.conflicts().count();
        let picks: Vec<Option<Pick>> = (0..n)
            .map(|i| match (i + data.len()) % 4 {
                0 => None,
                1 => Some(Pick::Ours),
                2 => Some(Pick::TheirsThenOurs),
                _ => Some(Pick::Base),
            })
            .collect();
        let file = m.resolve(&picks).bytes;
        if let Some(back) = m.picks_from(&file) {
            assert_eq!(m.resolve(&back).bytes, file, "picks read back give another file");
        }
    }
});
