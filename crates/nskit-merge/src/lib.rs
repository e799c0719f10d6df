//! Three-way merge. [`merge_lines`] merges text line by line the way `git merge-file` does
//! (same clean results, same conflict markers, optionally with the base section, diff3
//! style), on bytes, so CRLF, a missing final newline and non-UTF-8 text pass through
//! unchanged. [`merge_file`] merges JSON, TOML and YAML key by key first
//! ([`merge_structured`]) and falls back to lines.
#![deny(missing_docs)]

mod lines;
mod structured;
mod xdiff;

pub use lines::{
    ConflictStyle, DEFAULT_MARKER_SIZE, Labels, LineMerge, MAX_MARKER_SIZE, MergeOptions, Merged,
    Pick, Region, RegionKind, Side, marker_size, merge_lines,
};
pub use structured::{Format, merge_structured, merged_value};

/// How a file was merged.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Method {
    /// Line by line.
    Lines,
    /// Key by key (JSON, TOML, YAML).
    Structured,
}

/// Merges one file: JSON, TOML and YAML (by `path`'s extension) key by key where the line
/// merge conflicts or gives a result that is not the key-level merge (say, a duplicated
/// key); everything else, and whatever does not parse or truly conflicts, line by line.
pub fn merge_file(
    path: &str,
    base: &[u8],
    ours: &[u8],
    theirs: &[u8],
    opts: &MergeOptions,
) -> (Merged, Method) {
    let lines = merge_lines(base, ours, theirs, opts);
    let Some(format) = Format::from_path(path) else {
        return (lines, Method::Lines);
    };
    let (Ok(b), Ok(o), Ok(t)) = (
        std::str::from_utf8(base),
        std::str::from_utf8(ours),
        std::str::from_utf8(theirs),
    ) else {
        return (lines, Method::Lines);
    };
    let key_merge = structured::key_merge(format, b, o, t);
    if lines.conflicts == 0 {
        let agrees = match &key_merge {
            None => true,
            Some(k) => std::str::from_utf8(&lines.bytes)
                .ok()
                .and_then(|text| format.parse(text))
                .is_some_and(|v| v == k.expected),
        };
        if agrees {
            return (lines, Method::Lines);
        }
    }
    match key_merge.and_then(|k| structured::write(format, o, t, &k)) {
        Some(text) => (
            Merged {
                bytes: text.into_bytes(),
                conflicts: 0,
            },
            Method::Structured,
        ),
        None => (lines, Method::Lines),
    }
}

/// Whether bytes look binary (a NUL byte in the first 8 KiB), as git decides.
pub fn is_binary(bytes: &[u8]) -> bool {
    bytes[..bytes.len().min(8000)].contains(&0)
}
