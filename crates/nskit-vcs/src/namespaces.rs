//! An organisation's naming conventions for repositories: a tree of allowed name parts
//! (the original nskit's `NamespaceValidator` and its `namespaces.yaml`). A name is split
//! on the delimiters; its first part must be one of the top level's names; a name with
//! sub-levels (`{platform: [data, web]}`) must go on with one of those; once a plain name
//! matched, the rest is free. A name that stops at a level that has sub-levels is refused
//! with the choices (the original crashed there).
use serde::{Deserialize, Serialize};
use serde_json::Value;

/// How a broken convention is treated.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Level {
    /// Refused before anything is created.
    #[default]
    Strict,
    /// Said, then the work goes on.
    Warn,
    /// Not checked.
    None,
}

/// One entry of a level: a name, or a name with the level under it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Entry {
    /// A name that ends the convention (the rest of the name is free).
    Name(String),
    /// A namespace and the names allowed under it.
    Namespace(String, Vec<Entry>),
}

/// The naming tree and how names are split and joined.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Namespaces {
    /// The top level; no constraint when `None`.
    pub options: Option<Vec<Entry>>,
    /// What joins parts in a repository name (`-`).
    pub repo_separator: String,
    /// What splits a name into parts (the separator is always one).
    pub delimiters: Vec<String>,
}

/// A name that breaks the convention, with the choices where it went wrong.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("`{name}` does not follow the naming convention: {reason} at {level}; valid choices there: {}", choices.join(", "))]
pub struct NamespaceError {
    /// The name checked.
    pub name: String,
    /// What was wrong (`\`billing\` is not a valid name`, `a name is needed`).
    pub reason: String,
    /// Where (`the top level`, `platform`, `platform.data`).
    pub level: String,
    /// The names allowed there.
    pub choices: Vec<String>,
}

fn entries(v: &Value, at: &str) -> Result<Vec<Entry>, String> {
    let Value::Array(items) = v else {
        return Err(format!("{at}: expected a list of names"));
    };
    let mut out = vec![];
    for item in items {
        match item {
            Value::String(s) => out.push(Entry::Name(s.clone())),
            Value::Number(n) => out.push(Entry::Name(n.to_string())),
            Value::Object(m) => {
                for (key, sub) in m {
                    let inner = entries(sub, &format!("{at}.{key}"))?;
                    out.push(Entry::Namespace(key.clone(), inner));
                }
            }
            _ => return Err(format!("{at}: an entry is a name or `name: [names...]`")),
        }
    }
    Ok(out)
}

impl Namespaces {
    /// Reads `namespaces.yaml`: `{options: [...], repo_separator: "-", delimiters: [...]}`
    /// as the original writes it, or just the list of options.
    pub fn from_yaml(text: &str) -> Result<Namespaces, String> {
        let v: Value = serde_saphyr::from_str(text).map_err(|e| e.to_string())?;
        let (options, sep, delims) = match &v {
            Value::Array(_) => (Some(v.clone()), None, None),
            Value::Object(m) => (
                m.get("options").filter(|o| !o.is_null()).cloned(),
                m.get("repo_separator")
                    .and_then(|s| s.as_str())
                    .map(str::to_string),
                m.get("delimiters").and_then(|d| d.as_array()).map(|d| {
                    d.iter()
                        .filter_map(|x| x.as_str().map(str::to_string))
                        .collect::<Vec<_>>()
                }),
            ),
            Value::Null => (None, None, None),
            _ => return Err("expected `options:` and a list of names".into()),
        };
        let options = options.map(|o| entries(&o, "options")).transpose()?;
        let repo_separator = sep.unwrap_or_else(|| "-".into());
        let mut delimiters = delims.unwrap_or_else(|| vec![".".into(), ",".into(), "-".into()]);
        if !delimiters.contains(&repo_separator) {
            delimiters.push(repo_separator.clone());
        }
        Ok(Namespaces {
            options,
            repo_separator,
            delimiters,
        })
    }

    /// The parts of a name.
    pub fn parts(&self, name: &str) -> Vec<String> {
        if self.options.is_none() {
            return vec![name.to_string()];
        }
        let mut parts = vec![name.to_string()];
        for d in &self.delimiters {
            parts = parts
                .iter()
                .flat_map(|p| p.split(d.as_str()).map(str::to_string).collect::<Vec<_>>())
                .collect();
        }
        parts.into_iter().filter(|p| !p.is_empty()).collect()
    }

    /// Checks a name; a valid one comes back as its repository name (parts joined by the
    /// separator).
    pub fn validate(&self, name: &str) -> Result<String, NamespaceError> {
        let Some(options) = &self.options else {
            return Ok(name.to_string());
        };
        let parts = self.parts(name);
        let mut level = options;
        let mut path: Vec<&str> = vec![];
        let names = |l: &[Entry]| -> Vec<String> {
            l.iter()
                .map(|e| match e {
                    Entry::Name(n) => n.clone(),
                    Entry::Namespace(n, _) => format!("{n}{}…", self.repo_separator),
                })
                .collect()
        };
        let where_ = |path: &[&str]| {
            if path.is_empty() {
                "the top level".to_string()
            } else {
                format!("`{}`", path.join("."))
            }
        };
        for (i, part) in parts.iter().enumerate() {
            match level.iter().find(|e| match e {
                Entry::Name(n) | Entry::Namespace(n, _) => n == part,
            }) {
                Some(Entry::Name(_)) => return Ok(parts.join(&self.repo_separator)),
                Some(Entry::Namespace(n, sub)) => {
                    path.push(n);
                    level = sub;
                    if i + 1 == parts.len() {
                        return Err(NamespaceError {
                            name: name.to_string(),
                            reason: format!("`{n}` is a namespace, and a name must go on under it"),
                            level: where_(&path),
                            choices: names(level),
                        });
                    }
                }
                None => {
                    return Err(NamespaceError {
                        name: name.to_string(),
                        reason: format!("`{part}` is not a valid name"),
                        level: where_(&path),
                        choices: names(level),
                    });
                }
            }
        }
        Err(NamespaceError {
            name: name.to_string(),
            reason: "a name is needed".into(),
            level: where_(&path),
            choices: names(level),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tree() -> Namespaces {
        Namespaces::from_yaml(
            "options:\n  - tools\n  - platform:\n      - data\n      - web:\n          - api\n          - ui\n  - billing\nrepo_separator: '-'\ndelimiters: ['.', ',', '-']\n",
        )
        .expect("yaml")
    }

    #[test]
    fn names_follow_the_tree_as_the_original_does() {
        let n = tree();
        assert_eq!(n.validate("tools").as_deref(), Ok("tools"));
        // After a plain name the rest is free.
        assert_eq!(
            n.validate("tools-anything.goes").as_deref(),
            Ok("tools-anything-goes")
        );
        assert_eq!(
            n.validate("platform.data.etl").as_deref(),
            Ok("platform-data-etl")
        );
        assert_eq!(
            n.validate("platform-web-api-gw").as_deref(),
            Ok("platform-web-api-gw")
        );
        // Case matters, as in the original.
        assert!(n.validate("Tools").is_err());
    }

    #[test]
    fn a_wrong_name_lists_the_choices_where_it_went_wrong() {
        let n = tree();
        let e = n.validate("marketing-site").unwrap_err();
        assert_eq!(e.level, "the top level");
        assert_eq!(e.choices, ["tools", "platform-…", "billing"]);
        let e = n.validate("platform-mobile").unwrap_err();
        assert_eq!(e.level, "`platform`");
        assert_eq!(e.choices, ["data", "web-…"]);
        assert!(
            e.to_string().contains("`mobile` is not a valid name"),
            "{e}"
        );
    }

    #[test]
    fn a_name_that_stops_at_a_namespace_is_refused_not_a_crash() {
        let n = tree();
        let e = n.validate("platform").unwrap_err();
        assert!(e.reason.contains("a name must go on under it"), "{e}");
        assert_eq!(e.choices, ["data", "web-…"]);
        let e = n.validate("platform.web").unwrap_err();
        assert_eq!(e.level, "`platform.web`");
        assert_eq!(e.choices, ["api", "ui"]);
        assert!(n.validate("").is_err());
    }

    #[test]
    fn no_options_means_no_constraint() {
        let n = Namespaces::from_yaml("options: null\n").expect("yaml");
        assert_eq!(n.validate("Any.Name").as_deref(), Ok("Any.Name"));
        let n = Namespaces::from_yaml("- a\n- b\n").expect("a bare list");
        assert!(n.validate("a-x").is_ok());
        assert!(Namespaces::from_yaml("options: 3\n").is_err());
    }
}
