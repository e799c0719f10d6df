//! Three-way merge. [`merge_lines`] merges text line by line the way `git merge-file` does
//! (same clean results, same conflict markers, optionally with the base section, diff3
//! style), on bytes, so CRLF, a missing final newline and non-UTF-8 text pass through
//! unchanged. Structured merge of JSON, TOML and YAML comes next to it.
#![deny(missing_docs)]

mod lines;

pub use lines::{ConflictStyle, Labels, MergeOptions, Merged, merge_lines};

/// Whether bytes look binary (a NUL byte in the first 8 KiB), as git decides.
pub fn is_binary(bytes: &[u8]) -> bool {
    bytes[..bytes.len().min(8000)].contains(&0)
}
