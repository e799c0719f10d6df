//! Fuzzes the line merge: any three byte strings (split at 0xFF bytes) must merge without a
//! panic, keep every line either side added, and leave a side's text as it is when the
//! other side is unchanged.
#![no_main]

use std::collections::HashMap;

use libfuzzer_sys::fuzz_target;
use nskit_merge::{ConflictStyle, MergeOptions, merge_lines};

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
    }
});
