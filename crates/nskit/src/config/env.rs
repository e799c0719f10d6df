//! Configuration by environment alone. Every key of the configuration file can be set by
//! one variable, named by one rule: `NSKIT_`, then the key's path in upper case with its
//! parts joined by two underscores.
//!
//! | key | variable |
//! |---|---|
//! | `output_dir` | `NSKIT_OUTPUT_DIR` |
//! | `default_backend` | `NSKIT_DEFAULT_BACKEND` |
//! | `backends.acme.type` | `NSKIT_BACKENDS__ACME__TYPE` |
//! | `backends.acme.bucket` | `NSKIT_BACKENDS__ACME__BUCKET` |
//! | `vcs.provider` | `NSKIT_VCS__PROVIDER` |
//! | `vcs.branch_protection.enabled` | `NSKIT_VCS__BRANCH_PROTECTION__ENABLED` |
//!
//! Values are read as YAML: `true`, `3`, `[a, b]` and `{key: value}` are what they look
//! like, anything else is text. A variable wins over the file's value of the same key, and
//! only that key. (`NSKIT_BACKEND` alone picks the backend in use, as it always did; the
//! original's single backend is `NSKIT_BACKEND__TYPE` and so on.) The original nskit's
//! `GITHUB_REPO_*` and `GITHUB_BRANCH_PROTECTION_*` variables, and the same names with
//! `NSKIT_` in front, set the git host's repository settings.
use serde_json::Value;

use super::document::KNOWN_KEYS;

/// The environment settings are read from: a variable's value, and (to find the `NSKIT_*`
/// settings) the names of the variables set. [`ProcessEnv`] is the process's; a closure
/// over names is one that gives values only (no `NSKIT_*` settings are found in it).
pub trait Environment {
    /// The value of `name`, if set.
    fn var(&self, name: &str) -> Option<String>;

    /// The names of the variables set.
    fn names(&self) -> Vec<String> {
        vec![]
    }
}

impl<F: Fn(&str) -> Option<String>> Environment for F {
    fn var(&self, name: &str) -> Option<String> {
        self(name)
    }
}

/// The process's environment.
#[derive(Debug, Clone, Copy, Default)]
pub struct ProcessEnv;

impl Environment for ProcessEnv {
    fn var(&self, name: &str) -> Option<String> {
        std::env::var(name).ok()
    }

    fn names(&self) -> Vec<String> {
        std::env::vars_os()
            .filter_map(|(k, _)| k.into_string().ok())
            .collect()
    }
}

/// A fixed set of variables (for tests, or a program that passes its own).
#[derive(Debug, Clone, Default)]
pub struct VarsEnv(pub Vec<(String, String)>);

impl Environment for VarsEnv {
    fn var(&self, name: &str) -> Option<String> {
        self.0
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.clone())
    }

    fn names(&self) -> Vec<String> {
        self.0.iter().map(|(k, _)| k.clone()).collect()
    }
}

/// One setting made by a variable.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct EnvSetting {
    /// The key's path (`["backends", "acme", "type"]`).
    pub path: Vec<String>,
    /// The variable.
    pub var: String,
    /// Its value, as written.
    pub raw: String,
}

impl EnvSetting {
    pub(crate) fn key(&self) -> String {
        self.path.join(".")
    }
}

/// Top-level keys a single-part variable sets (the others need a path).
const SCALAR_KEYS: [&str; 5] = [
    "default_backend",
    "entrypoint_group",
    "docker_host",
    "output_dir",
    "theme",
];

/// The original's repository settings, by the tail of `GITHUB_REPO_<TAIL>`: where each
/// goes under `vcs`.
fn repo_alias(tail: &str) -> Option<Vec<String>> {
    let t = tail.to_ascii_lowercase();
    let path: Vec<&str> = match t.as_str() {
        "private" => vec!["private"],
        "topics" => vec!["topics"],
        "custom_properties" => vec!["custom_properties"],
        "has_issues"
        | "has_wiki"
        | "has_downloads"
        | "has_projects"
        | "allow_squash_merge"
        | "allow_merge_commit"
        | "allow_rebase_merge"
        | "delete_branch_on_merge"
        | "auto_init" => vec!["settings", t.as_str()],
        _ => return None,
    };
    Some(
        std::iter::once("vcs")
            .chain(path)
            .map(str::to_string)
            .collect(),
    )
}

/// Every setting the environment makes, and what it says about variables that look like
/// settings but are not.
pub(crate) fn collect(env: &dyn Environment) -> (Vec<EnvSetting>, Vec<String>) {
    let mut names = env.names();
    names.sort();
    names.dedup();
    let mut out = vec![];
    let mut warnings = vec![];
    // The original's names first, so that nskit's own win when both are set.
    for prefix in ["GITHUB_REPO_", "NSKIT_GITHUB_REPO_"] {
        for name in names.iter().filter(|n| n.starts_with(prefix)) {
            let tail = &name[prefix.len()..];
            let Some(value) = env.var(name) else { continue };
            match repo_alias(tail) {
                Some(path) => out.push(EnvSetting {
                    path,
                    var: name.clone(),
                    raw: value,
                }),
                None => warnings.push(format!(
                    "{name} is not a repository setting nskit knows (PRIVATE, TOPICS, CUSTOM_PROPERTIES, HAS_ISSUES, HAS_WIKI, HAS_DOWNLOADS, HAS_PROJECTS, ALLOW_SQUASH_MERGE, ALLOW_MERGE_COMMIT, ALLOW_REBASE_MERGE, DELETE_BRANCH_ON_MERGE)"
                )),
            }
        }
    }
    for prefix in [
        "GITHUB_BRANCH_PROTECTION_",
        "NSKIT_GITHUB_BRANCH_PROTECTION_",
    ] {
        for name in names.iter().filter(|n| n.starts_with(prefix)) {
            let Some(value) = env.var(name) else { continue };
            out.push(EnvSetting {
                path: vec![
                    "vcs".into(),
                    "branch_protection".into(),
                    name[prefix.len()..].to_ascii_lowercase(),
                ],
                var: name.clone(),
                raw: value,
            });
        }
    }
    for name in names.iter().filter(|n| n.starts_with("NSKIT_")) {
        let rest = &name["NSKIT_".len()..];
        let parts: Vec<String> = rest.split("__").map(str::to_ascii_lowercase).collect();
        let top = parts[0].as_str();
        let setting = if parts.len() == 1 {
            SCALAR_KEYS.contains(&top)
        } else if parts.iter().any(String::is_empty) {
            warnings.push(format!(
                "{name}: a key's parts are joined by two underscores, each part named"
            ));
            false
        } else if KNOWN_KEYS.contains(&top) && !SCALAR_KEYS.contains(&top) {
            true
        } else {
            warnings.push(format!(
                "{name} is not a setting: the variables of settings start NSKIT_ then one of {}",
                KNOWN_KEYS
                    .iter()
                    .map(|k| k.to_ascii_uppercase())
                    .collect::<Vec<_>>()
                    .join(", ")
            ));
            false
        };
        if !setting {
            continue;
        }
        if let Some(value) = env.var(name) {
            out.push(EnvSetting {
                path: parts,
                var: name.clone(),
                raw: value,
            });
        }
    }
    (out, warnings)
}

/// Whether `raw` can stand in a YAML flow mapping as written (a plain scalar or a flow
/// collection), so that YAML's own typing reads it.
fn plain(raw: &str) -> bool {
    let t = raw.trim();
    if t.is_empty() || t != raw || raw.contains(['\n', '\r', '\t']) {
        return false;
    }
    if (t.starts_with('[') && t.ends_with(']')) || (t.starts_with('{') && t.ends_with('}')) {
        return true;
    }
    !t.starts_with([
        '&', '*', '!', '|', '>', '\'', '"', '%', '@', '`', '#', '-', '?', ':',
    ]) && !t.contains([',', '[', ']', '{', '}', '#'])
        && !t.contains(": ")
        && !t.ends_with(':')
}

/// The document `base` (the file's, `${VAR}` expanded) with each setting laid over it, as
/// YAML text. JSON is YAML, so the file's values are written as JSON and each variable's
/// value as it was written (or quoted, when it is not plain), and the schema reads
/// `1234` as text where it wants text.
pub(crate) fn overlay(base: &Value, settings: &[EnvSetting]) -> String {
    // Build a tree of raw leaves over the base.
    enum Node {
        Json(Value),
        Map(Vec<(String, Node)>),
        Raw(String),
    }
    fn from_json(v: &Value) -> Node {
        match v {
            Value::Object(m) => {
                Node::Map(m.iter().map(|(k, v)| (k.clone(), from_json(v))).collect())
            }
            other => Node::Json(other.clone()),
        }
    }
    fn set(node: &mut Node, path: &[String], raw: &str) {
        let Some((first, rest)) = path.split_first() else {
            *node = Node::Raw(raw.to_string());
            return;
        };
        if !matches!(node, Node::Map(_)) {
            *node = Node::Map(vec![]);
        }
        if let Node::Map(entries) = node {
            match entries.iter_mut().find(|(k, _)| k == first) {
                Some((_, child)) => set(child, rest, raw),
                None => {
                    let mut child = Node::Map(vec![]);
                    set(&mut child, rest, raw);
                    entries.push((first.clone(), child));
                }
            }
        }
    }
    fn write(node: &Node, out: &mut String) {
        match node {
            Node::Json(v) => out.push_str(&v.to_string()),
            Node::Raw(r) if plain(r) => out.push_str(r),
            Node::Raw(r) => out.push_str(&Value::String(r.clone()).to_string()),
            Node::Map(entries) => {
                out.push('{');
                for (i, (k, v)) in entries.iter().enumerate() {
                    if i > 0 {
                        out.push_str(", ");
                    }
                    out.push_str(&Value::String(k.clone()).to_string());
                    out.push_str(": ");
                    write(v, out);
                }
                out.push('}');
            }
        }
    }
    let mut root = from_json(base);
    if !matches!(root, Node::Map(_)) {
        root = Node::Map(vec![]);
    }
    for s in settings {
        set(&mut root, &s.path, &s.raw);
    }
    let mut out = String::new();
    write(&root, &mut out);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env(pairs: &[(&str, &str)]) -> VarsEnv {
        VarsEnv(
            pairs
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect(),
        )
    }

    #[test]
    fn one_rule_names_every_key() {
        let (s, w) = collect(&env(&[
            ("NSKIT_BACKENDS__ACME__TYPE", "s3"),
            ("NSKIT_BACKENDS__MY_TEAM__RECIPES_DIR", "/r"),
            ("NSKIT_VCS__BRANCH_PROTECTION__ENABLED", "true"),
            ("NSKIT_OUTPUT_DIR", "/out"),
            ("NSKIT_CONFIG", "/c.yaml"),
            ("NSKIT_TEST_S3", "http://x"),
            ("NSKIT_COLOUR__X", "blue"),
            ("GITHUB_REPO_HAS_WIKI", "false"),
            ("NSKIT_GITHUB_REPO_TOPICS", "[a, b]"),
            (
                "GITHUB_BRANCH_PROTECTION_REQUIRED_APPROVING_REVIEW_COUNT",
                "2",
            ),
            ("PATH", "/bin"),
        ]));
        let keys: Vec<String> = s.iter().map(EnvSetting::key).collect();
        assert_eq!(
            keys,
            [
                "vcs.settings.has_wiki",
                "vcs.topics",
                "vcs.branch_protection.required_approving_review_count",
                "backends.acme.type",
                "backends.my_team.recipes_dir",
                "output_dir",
                "vcs.branch_protection.enabled",
            ]
        );
        assert_eq!(w.len(), 1, "{w:?}");
        assert!(w[0].contains("NSKIT_COLOUR__X is not a setting"), "{w:?}");
    }

    #[test]
    fn values_are_yaml_laid_over_the_file_key_by_key() {
        let base =
            serde_json::json!({"backends": {"acme": {"type": "s3", "bucket": "b", "prefix": "p"}}});
        let (s, _) = collect(&env(&[
            ("NSKIT_BACKENDS__ACME__BUCKET", "1234"),
            ("NSKIT_BACKENDS__ACME__TAGS", "[x, z]"),
            ("NSKIT_BACKENDS__ACME__NOTE", "a, b: c"),
            ("NSKIT_THEME", "dark"),
        ]));
        let text = overlay(&base, &s);
        let v: Value = nskit_recipe::yaml::from_str(&text).expect("yaml");
        assert_eq!(v["backends"]["acme"]["prefix"], "p", "{text}");
        assert_eq!(v["backends"]["acme"]["bucket"], 1234, "{text}");
        assert_eq!(v["backends"]["acme"]["tags"], serde_json::json!(["x", "z"]));
        assert_eq!(v["backends"]["acme"]["note"], "a, b: c");
        assert_eq!(v["theme"], "dark");
    }
}
