use std::cmp::Ordering;

use serde::{Deserialize, Serialize};
use std::fmt;
use ts_rs::TS;

/// A recipe version: a tag compared as semver (`v1.10.0` after `v1.9.0`, a leading `v`
/// allowed). A tag that is not semver is still usable and sorts below every semver tag,
/// so that lists shown newest first put it after the semver ones.
#[derive(Debug, Clone, Eq)]
pub struct RecipeVersion {
    raw: String,
    semver: Option<semver::Version>,
}

impl RecipeVersion {
    /// Parses a tag; never fails.
    pub fn new(tag: impl Into<String>) -> Self {
        let raw = tag.into();
        let trimmed = raw.trim();
        let bare = trimmed.strip_prefix(['v', 'V']).unwrap_or(trimmed);
        let semver = semver::Version::parse(bare).ok();
        RecipeVersion { raw, semver }
    }

    /// The tag as written.
    pub fn as_str(&self) -> &str {
        &self.raw
    }

    /// The parsed semver version, if the tag is one.
    pub fn semver(&self) -> Option<&semver::Version> {
        self.semver.as_ref()
    }

    /// Whether this is a semver pre-release (`2.0.0-rc.1`).
    pub fn is_prerelease(&self) -> bool {
        self.semver.as_ref().is_some_and(|v| !v.pre.is_empty())
    }

    /// Whether `tag` names this version (`1.2.0` matches `v1.2.0`).
    pub fn matches(&self, tag: &str) -> bool {
        self.raw == tag || (self.semver.is_some() && self.semver == RecipeVersion::new(tag).semver)
    }

    /// Sorts versions newest first (semver descending, then non-semver tags by name).
    pub fn sort_newest_first(versions: &mut [RecipeVersion]) {
        versions.sort_by(|a, b| b.cmp(a));
    }

    /// "Latest": the highest stable semver version; if there is none, the highest
    /// pre-release; if no tag is semver, the last tag by name.
    pub fn latest(versions: &[RecipeVersion]) -> Option<&RecipeVersion> {
        versions
            .iter()
            .filter(|v| v.semver.is_some() && !v.is_prerelease())
            .max()
            .or_else(|| versions.iter().max())
    }
}

impl PartialEq for RecipeVersion {
    fn eq(&self, other: &Self) -> bool {
        self.cmp(other) == Ordering::Equal
    }
}

impl PartialOrd for RecipeVersion {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for RecipeVersion {
    fn cmp(&self, other: &Self) -> Ordering {
        match (&self.semver, &other.semver) {
            (Some(a), Some(b)) => a.cmp(b).then_with(|| self.raw.cmp(&other.raw)),
            (Some(_), None) => Ordering::Greater,
            (None, Some(_)) => Ordering::Less,
            // Among non-semver tags, the later name is "higher" so that newest-first
            // lists them in reverse name order consistently.
            (None, None) => self.raw.cmp(&other.raw),
        }
    }
}

impl fmt::Display for RecipeVersion {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.raw)
    }
}

impl From<&str> for RecipeVersion {
    fn from(s: &str) -> Self {
        RecipeVersion::new(s)
    }
}

/// Where a recipe version came from, as recorded in a project's state file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub struct RecipeSource {
    /// The kind of backend (`builtin`, `local`, `installed`, ...).
    pub backend: String,
    /// Where, for backends that have a place (a folder, a group).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub location: Option<String>,
    /// The exact image, for recipes in Docker images (`registry/repo:tag`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub image: Option<String>,
    /// The image's digest (`repo@sha256:...` when it came from a registry, else its id).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub digest: Option<String>,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sorted(tags: &[&str]) -> Vec<String> {
        let mut v: Vec<_> = tags.iter().map(|t| RecipeVersion::new(*t)).collect();
        RecipeVersion::sort_newest_first(&mut v);
        v.iter().map(|v| v.to_string()).collect()
    }

    #[test]
    fn semver_order_not_lexicographic() {
        assert_eq!(
            sorted(&["1.9.0", "v1.10.0", "1.2.0"]),
            ["v1.10.0", "1.9.0", "1.2.0"]
        );
    }

    #[test]
    fn non_semver_after_semver() {
        assert_eq!(
            sorted(&["main", "v2.0.0", "latest-dev", "0.1.0"]),
            ["v2.0.0", "0.1.0", "main", "latest-dev"]
        );
    }

    #[test]
    fn latest_prefers_stable() {
        let v: Vec<_> = ["1.0.0", "2.0.0-rc.1", "main"]
            .iter()
            .map(|t| RecipeVersion::new(*t))
            .collect();
        assert_eq!(RecipeVersion::latest(&v).map(|v| v.as_str()), Some("1.0.0"));
        let v: Vec<_> = ["2.0.0-rc.1", "main"]
            .iter()
            .map(|t| RecipeVersion::new(*t))
            .collect();
        assert_eq!(
            RecipeVersion::latest(&v).map(|v| v.as_str()),
            Some("2.0.0-rc.1")
        );
        let v: Vec<_> = ["alpha", "beta"]
            .iter()
            .map(|t| RecipeVersion::new(*t))
            .collect();
        assert_eq!(RecipeVersion::latest(&v).map(|v| v.as_str()), Some("beta"));
        assert!(RecipeVersion::latest(&[]).is_none());
    }

    #[test]
    fn v_prefix_matches() {
        assert!(RecipeVersion::new("v1.2.0").matches("1.2.0"));
        assert!(RecipeVersion::new("1.2.0").matches("v1.2.0"));
        assert!(!RecipeVersion::new("main").matches("v1.2.0"));
    }
}
