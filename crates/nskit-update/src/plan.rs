//! The update plan: one decision per path, computed from base, theirs and ours.
use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};
use std::path::Path;

use nskit_merge::{ConflictStyle, Labels, MergeOptions, Method, is_binary, merge_file};
use nskit_recipe::RenderedTree;
use nskit_vcs::{Conflict, Stage};
use serde::Serialize;
use ts_rs::TS;

use crate::state::STATE_DIR;

/// A file's contents and executable bit.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileData {
    /// The bytes.
    pub bytes: Vec<u8>,
    /// Whether it is executable.
    pub executable: bool,
}

/// A rendered tree by path.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Tree {
    /// The files, by `/`-separated path relative to the project.
    pub files: BTreeMap<String, FileData>,
}

impl TryFrom<RenderedTree> for Tree {
    type Error = std::io::Error;

    /// The tree in memory (large files left on disk are read).
    fn try_from(t: RenderedTree) -> std::io::Result<Self> {
        Ok(Tree {
            files: t
                .files
                .into_iter()
                .map(|f| {
                    Ok((
                        f.path,
                        FileData {
                            bytes: f.contents.into_bytes()?,
                            executable: f.executable,
                        },
                    ))
                })
                .collect::<std::io::Result<_>>()?,
        })
    }
}

/// How the update is computed.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, serde::Deserialize, TS)]
#[serde(rename_all = "kebab-case")]
#[ts(export)]
pub enum DiffMode {
    /// Base, ours and theirs: what the user changed is kept, what the template changed is
    /// applied.
    #[default]
    ThreeWay,
    /// No base (for when the recorded version cannot be rendered): the template's files
    /// are added where the project has none, and every file that differs is a conflict
    /// showing both versions. Nothing is deleted.
    TwoWay,
}

/// What the update does to one path.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, TS)]
#[serde(rename_all = "kebab-case")]
#[ts(export)]
pub enum Decision {
    /// Nothing to do: nobody changed it, or both made the same change.
    Unchanged,
    /// Only the user changed it: kept.
    UserOnly,
    /// Only the template changed it: the new version is written.
    TemplateOnly,
    /// Both changed it, in different places: merged.
    Merged,
    /// Both changed the same lines: written with conflict markers.
    Conflict,
    /// New in the template: written.
    Added,
    /// New in the template, and the user already has the very same file.
    AddedByBoth,
    /// New in the template, and the user has a different file there: both kept as a
    /// conflict.
    AddedByBothConflict,
    /// The template removed it and the user had not changed it: removed.
    DeletedByTemplate,
    /// The template removed it but the user had changed it: kept, as a conflict.
    DeletedByTemplateEdited,
    /// The user removed it and the template did not change it: stays removed.
    DeletedByUser,
    /// The user removed it and the template changed it: stays removed, reported.
    DeletedByUserChanged,
    /// The template moved it; the user's edits moved with it.
    Renamed,
    /// A binary file both changed: the user's bytes are kept, the template's are written
    /// beside it.
    BinaryConflict,
    /// Only the executable bit changed.
    ModeChanged,
}

impl Decision {
    /// Whether the user must look at the path.
    pub fn is_conflict(self) -> bool {
        matches!(
            self,
            Decision::Conflict
                | Decision::AddedByBothConflict
                | Decision::DeletedByTemplateEdited
                | Decision::BinaryConflict
        )
    }

    /// A word or two for people.
    pub fn label(self) -> &'static str {
        match self {
            Decision::Unchanged => "unchanged",
            Decision::UserOnly => "yours kept",
            Decision::TemplateOnly => "updated",
            Decision::Merged => "merged",
            Decision::Conflict => "conflict",
            Decision::Added => "added",
            Decision::AddedByBoth => "added (same as yours)",
            Decision::AddedByBothConflict => "conflict (added by both)",
            Decision::DeletedByTemplate => "removed",
            Decision::DeletedByTemplateEdited => "conflict (removed by the recipe, edited by you)",
            Decision::DeletedByUser => "stays removed",
            Decision::DeletedByUserChanged => "stays removed (the recipe changed it)",
            Decision::Renamed => "renamed",
            Decision::BinaryConflict => "conflict (binary)",
            Decision::ModeChanged => "mode changed",
        }
    }
}

/// The three versions of a path an update decides from: the base (the recorded recipe
/// version), ours (the project's file) and theirs (the recipe's new version); `None` where
/// a side has no file there.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Sides {
    /// The recorded version's file (for a rename, at its old path).
    pub base: Option<FileData>,
    /// The project's file (for a rename, at its old path).
    pub ours: Option<FileData>,
    /// The new version's file.
    pub theirs: Option<FileData>,
}

/// The plan for one path.
#[derive(Debug, Clone, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct FileChange {
    /// The path, relative to the project (the new path of a renamed file).
    pub path: String,
    /// What happens.
    pub decision: Decision,
    /// The old path, when the template renamed the file.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub renamed_from: Option<String>,
    /// Conflict hunks written into the file.
    pub conflicts: usize,
    /// Whether the file was merged key by key (JSON, TOML, YAML).
    pub structured: bool,
    /// The executable bit the file gets, when it changes.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub executable: Option<bool>,
    /// Where the template's version is written, for a binary conflict.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub theirs_path: Option<String>,
    /// Why, for people.
    pub message: String,
    /// Whether the user resolved the conflict the plan had here (see [`Plan::resolve`]).
    pub resolved: bool,
    #[serde(skip)]
    pub(crate) sides: Sides,
    /// What the project's folder has at the path now (a rename's new path: nothing).
    #[serde(skip)]
    pub(crate) on_disk: Option<FileData>,
    #[serde(skip)]
    pub(crate) writes: Vec<(String, FileData)>,
    #[serde(skip)]
    pub(crate) removes: Vec<String>,
    #[serde(skip)]
    pub(crate) stages: Option<Conflict>,
}

impl FileChange {
    pub(crate) fn new(path: &str, decision: Decision, message: impl Into<String>) -> FileChange {
        FileChange {
            path: path.to_string(),
            decision,
            renamed_from: None,
            conflicts: 0,
            structured: false,
            executable: None,
            theirs_path: None,
            message: message.into(),
            resolved: false,
            sides: Sides::default(),
            on_disk: None,
            writes: vec![],
            removes: vec![],
            stages: None,
        }
    }

    /// The contents the path will have after the update, when the update writes it.
    pub fn new_contents(&self) -> Option<&FileData> {
        self.writes
            .iter()
            .find(|(p, _)| *p == self.path)
            .map(|(_, d)| d)
    }

    /// Whether applying the plan touches the disk for this path.
    pub fn writes_anything(&self) -> bool {
        !self.writes.is_empty() || !self.removes.is_empty()
    }

    /// Whether the path is left in conflict: a conflict the user has not resolved.
    pub fn is_conflict(&self) -> bool {
        self.decision.is_conflict() && !self.resolved
    }

    /// The three versions the decision was made from.
    pub fn sides(&self) -> &Sides {
        &self.sides
    }

    /// What the project's folder has at the path now.
    pub fn on_disk(&self) -> Option<&FileData> {
        self.on_disk.as_ref()
    }

    /// What the path has after the plan is applied: its new contents, nothing when the
    /// plan removes it, else what it has now.
    pub fn result(&self) -> Option<&FileData> {
        if self.removes_path() {
            return None;
        }
        self.new_contents().or(self.on_disk.as_ref())
    }

    /// Whether applying the plan removes the path.
    pub fn removes_path(&self) -> bool {
        self.removes.contains(&self.path)
    }
}

/// The whole plan.
#[derive(Debug, Clone, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct Plan {
    /// How it was computed.
    pub mode: DiffMode,
    /// One entry per path the recipe knows (in either version), sorted by path.
    pub changes: Vec<FileChange>,
    /// How files were merged (labels, style), for resolving their conflicts the same way.
    #[serde(skip)]
    pub(crate) merge: MergeOptions,
}

impl Plan {
    /// An empty plan.
    pub fn empty(mode: DiffMode) -> Plan {
        Plan {
            mode,
            changes: vec![],
            merge: MergeOptions::default(),
        }
    }

    /// Paths left in conflict.
    pub fn conflicts(&self) -> impl Iterator<Item = &FileChange> {
        self.changes.iter().filter(|c| c.is_conflict())
    }

    /// The change of a path.
    pub fn change(&self, path: &str) -> Option<&FileChange> {
        self.changes.iter().find(|c| c.path == path)
    }

    /// The options files were merged with (labels and conflict style).
    pub fn merge_options(&self) -> &MergeOptions {
        &self.merge
    }

    /// Whether applying it changes nothing.
    pub fn is_noop(&self) -> bool {
        !self.changes.iter().any(FileChange::writes_anything)
    }

    /// How many paths have each decision.
    pub fn counts(&self) -> BTreeMap<&'static str, usize> {
        let mut m = BTreeMap::new();
        for c in &self.changes {
            *m.entry(c.decision.label()).or_insert(0) += 1;
        }
        m
    }
}

/// Options of a plan.
#[derive(Debug, Clone, Default)]
pub struct PlanOptions {
    /// Three-way (the default) or two-way.
    pub mode: DiffMode,
    /// Names for the conflict markers: ours (the project), base and theirs (the two
    /// recipe versions).
    pub labels: Labels,
}

/// What the working tree has at a path.
enum Ours {
    Missing,
    File(FileData),
    /// A folder or a symbolic link where the recipe has a file.
    Other(&'static str),
}

fn read_ours(project: &Path, path: &str) -> std::io::Result<Ours> {
    let full = project.join(path);
    let meta = match std::fs::symlink_metadata(&full) {
        Ok(m) => m,
        Err(e)
            if e.kind() == std::io::ErrorKind::NotFound
                || e.kind() == std::io::ErrorKind::NotADirectory =>
        {
            return Ok(Ours::Missing);
        }
        Err(e) => return Err(e),
    };
    if meta.is_dir() {
        return Ok(Ours::Other("a folder"));
    }
    if meta.file_type().is_symlink() {
        return Ok(Ours::Other("a symbolic link"));
    }
    #[cfg(unix)]
    let executable = {
        use std::os::unix::fs::PermissionsExt;
        meta.permissions().mode() & 0o111 != 0
    };
    #[cfg(not(unix))]
    let executable = false;
    Ok(Ours::File(FileData {
        bytes: std::fs::read(&full)?,
        executable,
    }))
}

fn stage(d: &FileData) -> Stage {
    Stage {
        bytes: d.bytes.clone(),
        executable: d.executable,
    }
}

/// A free path beside `path` for the template's version of a binary file:
/// `logo.png` → `logo.theirs.png`.
fn beside(project: &Path, path: &str, taken: &HashSet<String>) -> String {
    let (dir, name) = match path.rsplit_once('/') {
        Some((d, n)) => (format!("{d}/"), n),
        None => (String::new(), path),
    };
    let (stem, ext) = match name.rsplit_once('.') {
        Some((s, e)) if !s.is_empty() => (s, format!(".{e}")),
        _ => (name, String::new()),
    };
    (1..)
        .map(|i| {
            let tag = if i == 1 {
                "theirs".to_string()
            } else {
                format!("theirs-{i}")
            };
            format!("{dir}{stem}.{tag}{ext}")
        })
        .find(|p| !taken.contains(p) && !project.join(p).exists())
        .unwrap_or_else(|| format!("{path}.theirs"))
}

struct Planner<'a> {
    project: &'a Path,
    opts: MergeOptions,
    taken: HashSet<String>,
}

impl Planner<'_> {
    /// Base, ours and theirs all have a file: the content and mode decision. `path` is
    /// where the result goes (the new path of a rename).
    fn three(&mut self, path: &str, b: &FileData, o: &FileData, t: &FileData) -> FileChange {
        let exec = if t.executable != b.executable && o.executable == b.executable {
            t.executable
        } else {
            o.executable
        };
        let mode_change = (exec != o.executable).then_some(exec);
        let keep_with_mode = |c: &mut FileChange| {
            if let Some(x) = mode_change {
                c.executable = Some(x);
                c.writes.push((
                    path.to_string(),
                    FileData {
                        bytes: o.bytes.clone(),
                        executable: x,
                    },
                ));
            }
        };
        if t.bytes == b.bytes || t.bytes == o.bytes {
            let (decision, message) = if o.bytes == b.bytes || t.bytes == o.bytes {
                match mode_change {
                    Some(true) => (Decision::ModeChanged, "the recipe made it executable"),
                    Some(false) => (Decision::ModeChanged, "the recipe made it not executable"),
                    None if t.bytes == b.bytes => (Decision::Unchanged, "nobody changed it"),
                    None => (Decision::Unchanged, "you already made the recipe's change"),
                }
            } else {
                (Decision::UserOnly, "only you changed it; kept")
            };
            let mut c = FileChange::new(path, decision, message);
            keep_with_mode(&mut c);
            return c;
        }
        if o.bytes == b.bytes {
            let mut c = FileChange::new(path, Decision::TemplateOnly, "only the recipe changed it");
            c.executable = mode_change;
            c.writes.push((
                path.to_string(),
                FileData {
                    bytes: t.bytes.clone(),
                    executable: exec,
                },
            ));
            return c;
        }
        if is_binary(&b.bytes) || is_binary(&o.bytes) || is_binary(&t.bytes) {
            let theirs_path = beside(self.project, path, &self.taken);
            self.taken.insert(theirs_path.clone());
            let mut c = FileChange::new(
                path,
                Decision::BinaryConflict,
                format!(
                    "a binary file you and the recipe both changed: yours is kept, the recipe's is in {theirs_path}"
                ),
            );
            keep_with_mode(&mut c);
            c.writes.push((theirs_path.clone(), t.clone()));
            c.theirs_path = Some(theirs_path);
            c.stages = Some(Conflict {
                path: path.to_string(),
                base: Some(stage(b)),
                ours: Some(stage(o)),
                theirs: Some(stage(t)),
            });
            return c;
        }
        let (m, method) = merge_file(path, &b.bytes, &o.bytes, &t.bytes, &self.opts);
        let mut c = if m.conflicts == 0 {
            FileChange::new(
                path,
                Decision::Merged,
                "your changes and the recipe's merged",
            )
        } else {
            let mut c = FileChange::new(
                path,
                Decision::Conflict,
                format!(
                    "you and the recipe changed the same lines: {} conflict{} marked in the file",
                    m.conflicts,
                    if m.conflicts == 1 { "" } else { "s" }
                ),
            );
            c.stages = Some(Conflict {
                path: path.to_string(),
                base: Some(stage(b)),
                ours: Some(stage(o)),
                theirs: Some(stage(t)),
            });
            c
        };
        c.conflicts = m.conflicts;
        c.structured = method == Method::Structured;
        c.executable = mode_change;
        c.writes.push((
            path.to_string(),
            FileData {
                bytes: m.bytes,
                executable: exec,
            },
        ));
        c
    }

    /// The template has a file the base has not (added, or every file in two-way mode).
    fn added(&mut self, path: &str, t: &FileData, ours: Ours) -> FileChange {
        match ours {
            Ours::Missing => {
                let mut c = FileChange::new(path, Decision::Added, "new in the recipe");
                c.writes.push((path.to_string(), t.clone()));
                c
            }
            Ours::Other(what) => FileChange::new(
                path,
                Decision::AddedByBothConflict,
                format!("new in the recipe, but you have {what} there; left as it is"),
            ),
            Ours::File(o) if o.bytes == t.bytes => {
                let mut c = FileChange::new(
                    path,
                    Decision::AddedByBoth,
                    "you already have this very file",
                );
                if o.executable != t.executable {
                    c.executable = Some(t.executable);
                    c.writes.push((path.to_string(), t.clone()));
                }
                c
            }
            Ours::File(o) => {
                let stages = Some(Conflict {
                    path: path.to_string(),
                    base: None,
                    ours: Some(stage(&o)),
                    theirs: Some(stage(t)),
                });
                if is_binary(&o.bytes) || is_binary(&t.bytes) {
                    let theirs_path = beside(self.project, path, &self.taken);
                    self.taken.insert(theirs_path.clone());
                    let mut c = FileChange::new(
                        path,
                        Decision::AddedByBothConflict,
                        format!(
                            "the recipe adds a different file where you have one: yours is kept, the recipe's is in {theirs_path}"
                        ),
                    );
                    c.writes.push((theirs_path.clone(), t.clone()));
                    c.theirs_path = Some(theirs_path);
                    c.stages = stages;
                    return c;
                }
                let (m, _) = merge_file(path, b"", &o.bytes, &t.bytes, &self.opts);
                let mut c = FileChange::new(
                    path,
                    Decision::AddedByBothConflict,
                    "the recipe adds a different file where you have one: both are in the file, with conflict markers",
                );
                c.conflicts = m.conflicts.max(1);
                c.writes.push((
                    path.to_string(),
                    FileData {
                        bytes: m.bytes,
                        executable: o.executable,
                    },
                ));
                c.stages = stages;
                c
            }
        }
    }
}

fn basename(p: &str) -> &str {
    p.rsplit_once('/').map_or(p, |(_, n)| n)
}

fn similarity(a: &[u8], b: &[u8]) -> f32 {
    if is_binary(a) || is_binary(b) {
        return if a == b { 1.0 } else { 0.0 };
    }
    let (a, b) = (String::from_utf8_lossy(a), String::from_utf8_lossy(b));
    similar::TextDiff::from_lines(a.as_ref(), b.as_ref()).ratio()
}

/// Pairs files the template removed with files it added: the same content; else a path
/// that follows a folder rename seen in other pairs (`src/old/` → `src/new/`) with
/// similar content; else the most similar content (at least half the lines alike, a
/// bonus for keeping the file name). Paths where the user already has a file are not
/// rename targets.
fn detect_renames(
    base: &Tree,
    theirs: &Tree,
    ours_has: impl Fn(&str) -> bool,
) -> Vec<(String, String)> {
    let deleted: Vec<&String> = base
        .files
        .keys()
        .filter(|p| !theirs.files.contains_key(*p))
        .collect();
    let mut added: BTreeSet<&String> = theirs
        .files
        .keys()
        .filter(|p| !base.files.contains_key(*p) && !ours_has(p))
        .collect();
    if deleted.is_empty() || added.is_empty() {
        return vec![];
    }
    let mut pairs: Vec<(String, String)> = vec![];
    let mut paired: HashSet<&String> = HashSet::new();

    let mut by_content: HashMap<&[u8], Vec<&String>> = HashMap::new();
    for a in &added {
        by_content
            .entry(theirs.files[*a].bytes.as_slice())
            .or_default()
            .push(a);
    }
    for d in &deleted {
        let Some(cands) = by_content.get_mut(base.files[*d].bytes.as_slice()) else {
            continue;
        };
        let pick = cands
            .iter()
            .position(|a| basename(a) == basename(d))
            .or((!cands.is_empty()).then_some(0));
        if let Some(i) = pick {
            let a = cands.remove(i);
            added.remove(a);
            paired.insert(d);
            pairs.push(((*d).clone(), a.clone()));
        }
    }

    // Folder renames seen so far: the parts of the paths before their common tail.
    let mut folder_map: Vec<(String, String)> = vec![];
    for (d, a) in &pairs {
        let (ds, as_): (Vec<&str>, Vec<&str>) = (d.split('/').collect(), a.split('/').collect());
        let common = ds
            .iter()
            .rev()
            .zip(as_.iter().rev())
            .take_while(|(x, y)| x == y)
            .count();
        if common == 0 || common == ds.len() || common == as_.len() {
            continue;
        }
        let from = ds[..ds.len() - common].join("/");
        let to = as_[..as_.len() - common].join("/");
        if !folder_map.contains(&(from.clone(), to.clone())) {
            folder_map.push((from, to));
        }
    }
    for d in &deleted {
        if paired.contains(d) {
            continue;
        }
        for (from, to) in &folder_map {
            let Some(rest) = d.strip_prefix(&format!("{from}/")) else {
                continue;
            };
            let cand = format!("{to}/{rest}");
            if let Some(a) = added.get(&cand).copied()
                && similarity(&base.files[*d].bytes, &theirs.files[a].bytes) >= 0.3
            {
                added.remove(a);
                paired.insert(d);
                pairs.push(((*d).clone(), a.clone()));
                break;
            }
        }
    }

    let rest: Vec<&String> = deleted
        .into_iter()
        .filter(|d| !paired.contains(d))
        .collect();
    let many = rest.len() * added.len() > 2_500;
    let mut scored: Vec<(f32, &String, &String)> = vec![];
    for d in &rest {
        for a in &added {
            let same_name = basename(d) == basename(a);
            if many && !same_name {
                continue;
            }
            let s = similarity(&base.files[*d].bytes, &theirs.files[*a].bytes);
            if s >= 0.5 {
                scored.push((s + if same_name { 0.1 } else { 0.0 }, d, a));
            }
        }
    }
    scored.sort_by(|x, y| y.0.total_cmp(&x.0).then_with(|| x.1.cmp(y.1)));
    let mut used: HashSet<&String> = HashSet::new();
    for (_, d, a) in scored {
        if used.contains(d) || used.contains(a) {
            continue;
        }
        used.insert(d);
        used.insert(a);
        pairs.push((d.clone(), a.clone()));
    }
    pairs.sort();
    pairs
}

/// Computes the plan of updating the project at `project` from `base` (the recorded
/// version rendered again; `None` in two-way mode) to `theirs`. Reads the project's files
/// the recipe knows; writes nothing. Files under `.recipe/` are the recipe's own and
/// never conflict.
pub fn plan_update(
    project: &Path,
    base: Option<&Tree>,
    theirs: &Tree,
    opts: &PlanOptions,
) -> std::io::Result<Plan> {
    let empty = Tree::default();
    let (mode, base) = match (opts.mode, base) {
        (DiffMode::ThreeWay, Some(b)) => (DiffMode::ThreeWay, b),
        _ => (DiffMode::TwoWay, &empty),
    };
    let mut planner = Planner {
        project,
        opts: MergeOptions {
            labels: opts.labels.clone(),
            style: ConflictStyle::Diff3,
            ..MergeOptions::default()
        },
        taken: HashSet::new(),
    };
    let state_dir = format!("{STATE_DIR}/");
    let renames = if mode == DiffMode::ThreeWay {
        detect_renames(base, theirs, |p| project.join(p).symlink_metadata().is_ok())
    } else {
        vec![]
    };
    let renamed_from: HashMap<&str, &str> = renames
        .iter()
        .map(|(d, a)| (a.as_str(), d.as_str()))
        .collect();
    let renamed_away: HashSet<&str> = renames.iter().map(|(d, _)| d.as_str()).collect();

    let paths: BTreeSet<&String> = base.files.keys().chain(theirs.files.keys()).collect();
    // The project's files, read once, in parallel.
    let listed: Vec<&String> = paths.iter().copied().collect();
    let mut ours_of: HashMap<&str, Ours> =
        nskit_recipe::par::map(&listed, |p| read_ours(project, p))
            .into_iter()
            .zip(&listed)
            .map(|(o, p)| o.map(|o| (p.as_str(), o)))
            .collect::<std::io::Result<_>>()?;
    let mut read_ours = |project: &Path, path: &str| match ours_of.remove(path) {
        Some(o) => Ok(o),
        None => read_ours(project, path),
    };
    let mut changes = Vec::with_capacity(paths.len());
    for path in paths {
        if renamed_away.contains(path.as_str()) {
            continue;
        }
        let (b, t) = (base.files.get(path), theirs.files.get(path));
        if path.starts_with(&state_dir) {
            // The recipe's own files: the new version, whatever the project has.
            if let Some(t) = t {
                let same = matches!(read_ours(project, path)?, Ours::File(o) if o == *t);
                let mut c = FileChange::new(
                    path,
                    if same {
                        Decision::Unchanged
                    } else {
                        Decision::TemplateOnly
                    },
                    "nskit's own file: the recipe's version",
                );
                if !same {
                    c.writes.push((path.clone(), t.clone()));
                }
                changes.push(c);
            }
            continue;
        }
        let ours = read_ours(project, path)?;
        let mut sides = Sides {
            base: b.cloned(),
            ours: match &ours {
                Ours::File(o) => Some(o.clone()),
                _ => None,
            },
            theirs: t.cloned(),
        };
        let change = match (b, t) {
            (None, None) => continue,
            (None, Some(t)) => {
                if let Some(from) = renamed_from.get(path.as_str()) {
                    let b = &base.files[*from];
                    sides.base = Some(b.clone());
                    let mut c = match read_ours(project, from)? {
                        Ours::File(o) => {
                            sides.ours = Some(o.clone());
                            let mut c = planner.three(path, b, &o, t);
                            if c.writes.iter().all(|(p, _)| p != path) {
                                c.writes.push((path.clone(), o.clone()));
                            }
                            c.removes.push((*from).to_string());
                            if !c.decision.is_conflict() {
                                c.decision = Decision::Renamed;
                                c.message =
                                    format!("moved by the recipe from {from}; {}", c.message);
                            }
                            c
                        }
                        _ => FileChange::new(
                            path,
                            Decision::DeletedByUser,
                            format!(
                                "the recipe moved {from} here, but you had removed it; not recreated"
                            ),
                        ),
                    };
                    c.renamed_from = Some((*from).to_string());
                    c
                } else {
                    planner.added(path, t, ours)
                }
            }
            (Some(b), None) => match ours {
                Ours::Missing => FileChange::new(
                    path,
                    Decision::Unchanged,
                    "removed by you and by the recipe",
                ),
                Ours::Other(what) => FileChange::new(
                    path,
                    Decision::DeletedByUser,
                    format!("removed by the recipe; you have {what} there, left as it is"),
                ),
                Ours::File(o) if o.bytes == b.bytes => {
                    let mut c =
                        FileChange::new(path, Decision::DeletedByTemplate, "removed by the recipe");
                    c.removes.push(path.clone());
                    c
                }
                Ours::File(o) => {
                    let mut c = FileChange::new(
                        path,
                        Decision::DeletedByTemplateEdited,
                        "the recipe removed this file, but you changed it: kept; delete it if you agree",
                    );
                    c.stages = Some(Conflict {
                        path: path.clone(),
                        base: Some(stage(b)),
                        ours: Some(stage(&o)),
                        theirs: None,
                    });
                    c
                }
            },
            (Some(b), Some(t)) => match ours {
                Ours::Missing if b == t => FileChange::new(
                    path,
                    Decision::DeletedByUser,
                    "you removed it; stays removed",
                ),
                Ours::Missing => FileChange::new(
                    path,
                    Decision::DeletedByUserChanged,
                    "you removed it and the recipe changed it; stays removed (the recipe's version is in its new release)",
                ),
                Ours::Other(what) if b == t => FileChange::new(
                    path,
                    Decision::UserOnly,
                    format!("you have {what} there; left as it is"),
                ),
                Ours::Other(what) => FileChange::new(
                    path,
                    Decision::Conflict,
                    format!(
                        "the recipe changed this file, but you have {what} there; left as it is"
                    ),
                ),
                Ours::File(o) => planner.three(path, b, &o, t),
            },
        };
        let mut change = change;
        if change.renamed_from.is_none() {
            change.on_disk = sides.ours.clone();
        }
        change.sides = sides;
        changes.push(change);
    }
    changes.sort_by(|a, b| a.path.cmp(&b.path));
    Ok(Plan {
        mode,
        changes,
        merge: planner.opts,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tree(files: &[(&str, &str)]) -> Tree {
        Tree {
            files: files
                .iter()
                .map(|(p, c)| {
                    (
                        p.to_string(),
                        FileData {
                            bytes: c.as_bytes().to_vec(),
                            executable: false,
                        },
                    )
                })
                .collect(),
        }
    }

    #[test]
    fn renames_by_content_folder_and_similarity() {
        let body: String = (0..20).map(|i| format!("line {i}\n")).collect();
        let edited = body.replace("line 3\n", "line three\n");
        let base = tree(&[
            ("src/old/a.py", "alpha\n"),
            ("src/old/b.py", &body),
            ("docs/guide.md", &body),
            ("gone.txt", "bye\n"),
        ]);
        let theirs = tree(&[
            ("src/new/a.py", "alpha\n"),
            ("src/new/b.py", &edited),
            ("documentation/guide.md", &format!("{body}more\n")),
            ("fresh.txt", "unrelated\n"),
        ]);
        let pairs = detect_renames(&base, &theirs, |_| false);
        assert_eq!(
            pairs,
            vec![
                (
                    "docs/guide.md".to_string(),
                    "documentation/guide.md".to_string()
                ),
                ("src/old/a.py".to_string(), "src/new/a.py".to_string()),
                ("src/old/b.py".to_string(), "src/new/b.py".to_string()),
            ]
        );
        // A target the user already has is not a rename target.
        let pairs = detect_renames(&base, &theirs, |p| p == "src/new/a.py");
        assert!(!pairs.iter().any(|(_, a)| a == "src/new/a.py"));
    }

    #[test]
    fn beside_names_keep_the_extension() {
        let dir = tempfile::tempdir().expect("tempdir");
        let taken = HashSet::new();
        assert_eq!(
            beside(dir.path(), "img/logo.png", &taken),
            "img/logo.theirs.png"
        );
        assert_eq!(beside(dir.path(), "LICENSE", &taken), "LICENSE.theirs");
        std::fs::write(dir.path().join("x.theirs.bin"), "").expect("write");
        assert_eq!(beside(dir.path(), "x.bin", &taken), "x.theirs-2.bin");
    }
}
