//! The configuration file as a document: what the preferences pane and `nskit config set`
//! edit. It is read without expanding `${VAR}` and written back with every key it had,
//! known or not, and every `${VAR}` reference as written; a secret is never written into
//! it (a reference to a variable is). A change is checked by resolving the whole document
//! before anything is written, and the file is replaced in one rename.
use std::path::{Path, PathBuf};

use serde_json::{Map, Value};

use super::file::{BackendConfig, ConfigFile};
use crate::error::{Error, Result};

/// Whether a dotted key holds a secret (a token or a password), which the file may only
/// name as `${VAR}`.
pub fn is_secret_key(key: &str) -> bool {
    let last = key.rsplit('.').next().unwrap_or(key);
    matches!(last, "token" | "auth_token" | "password" | "secret")
}

fn is_reference(v: &Value) -> bool {
    v.as_str().is_some_and(|s| {
        let re = regex::Regex::new(r"^\$\{[A-Za-z_][A-Za-z0-9_]*\}$").expect("constant regex");
        re.is_match(s.trim())
    })
}

/// The first key under `key` (itself included) holding a secret written out rather than
/// as a `${VAR}` reference.
fn literal_secret(key: &str, value: &Value) -> Option<String> {
    match value {
        Value::Object(m) => m
            .iter()
            .find_map(|(k, v)| literal_secret(&format!("{key}.{k}"), v)),
        Value::Null => None,
        v if is_secret_key(key) && !is_reference(v) => Some(key.to_string()),
        _ => None,
    }
}

/// A backend name: letters, digits, `-` and `_` (it is a key of `backends:`).
pub fn check_backend_name(name: &str) -> Result<()> {
    if name.is_empty()
        || !name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
    {
        return Err(Error::Config(format!(
            "`{name}` cannot name a backend: use letters, digits, `-` and `_`"
        )));
    }
    Ok(())
}

/// The top-level settings a file may hold.
pub const KNOWN_KEYS: &[&str] = &[
    "backend",
    "backends",
    "default_backend",
    "entrypoint_group",
    "vcs",
    "docker_host",
    "output_dir",
    "theme",
    "serve",
];

/// The configuration file, as written.
#[derive(Debug, Clone, PartialEq)]
pub struct ConfigDocument {
    path: PathBuf,
    root: Map<String, Value>,
}

impl ConfigDocument {
    /// Reads the file at `path` (an absent file is an empty document).
    pub fn load(path: &Path) -> Result<ConfigDocument> {
        let root = match std::fs::read_to_string(path) {
            Ok(text) if text.trim().is_empty() => Map::new(),
            Ok(text) => match nskit_recipe::yaml::from_str::<Value>(&text)
                .map_err(|e| Error::Config(format!("{}: {e}", path.display())))?
            {
                Value::Object(m) => m,
                Value::Null => Map::new(),
                _ => {
                    return Err(Error::Config(format!(
                        "{}: the configuration must be a mapping of settings",
                        path.display()
                    )));
                }
            },
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Map::new(),
            Err(e) => {
                return Err(Error::Config(format!(
                    "cannot read {}: {e}",
                    path.display()
                )));
            }
        };
        Ok(ConfigDocument {
            path: path.to_path_buf(),
            root,
        })
    }

    /// The file.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The document as written (`${VAR}` not expanded).
    pub fn root(&self) -> &Map<String, Value> {
        &self.root
    }

    /// The value at a dotted key.
    pub fn get(&self, key: &str) -> Option<&Value> {
        let mut parts = key.split('.');
        let mut v = self.root.get(parts.next()?)?;
        for p in parts {
            v = v.as_object()?.get(p)?;
        }
        Some(v)
    }

    /// Sets the value at a dotted key, creating the mappings on the way. A secret may only
    /// be a `${VAR}` reference.
    pub fn set(&mut self, key: &str, value: Value) -> Result<()> {
        if let Some(key) = literal_secret(key, &value) {
            return Err(Error::Config(format!(
                "`{key}` is a secret and is never written to the configuration file: store it in the OS keychain (`nskit login REGISTRY`, `nskit auth login github`, or the app's Credentials), or write a reference to an environment variable, such as ${{MY_TOKEN}}"
            )));
        }
        let parts: Vec<&str> = key.split('.').collect();
        if parts.iter().any(|p| p.is_empty()) {
            return Err(Error::Config(format!("`{key}` is not a setting's key")));
        }
        let (last, parents) = parts.split_last().expect("split gives one part");
        let mut map = &mut self.root;
        for p in parents {
            let slot = map
                .entry(p.to_string())
                .or_insert_with(|| Value::Object(Map::new()));
            if !slot.is_object() {
                *slot = Value::Object(Map::new());
            }
            map = slot.as_object_mut().expect("made an object");
        }
        if value.is_null() {
            map.remove(*last);
        } else {
            map.insert(last.to_string(), value);
        }
        Ok(())
    }

    /// Sets a dotted key from text as typed on a command line (`true`, `600`, `[a, b]`
    /// and `{...}` are read as YAML; anything else is a string). Refuses a top-level key
    /// nskit does not know, naming those it does.
    pub fn set_text(&mut self, key: &str, text: &str) -> Result<()> {
        let top = key.split('.').next().unwrap_or(key);
        if !KNOWN_KEYS.contains(&top) {
            return Err(Error::Config(format!(
                "`{key}` is not a setting: the settings are {}",
                KNOWN_KEYS.join(", ")
            )));
        }
        let value = match nskit_recipe::yaml::from_str::<Value>(text) {
            Ok(v @ (Value::Bool(_) | Value::Number(_) | Value::Array(_) | Value::Object(_))) => v,
            _ => Value::String(text.to_string()),
        };
        self.set(key, value)
    }

    /// As [`ConfigDocument::save`]; a backend left incomplete by a change of one of its
    /// keys gets a hint to give it whole.
    pub fn save_change(&self, key: &str, env: &dyn Fn(&str) -> Option<String>) -> Result<()> {
        let parts: Vec<&str> = key.split('.').collect();
        self.save(env).map_err(|e| match (e, parts.as_slice()) {
            (Error::Config(m), ["backends", name, _, ..]) if m.contains("missing field") => {
                Error::Config(format!(
                    "{m}; give a new backend whole: nskit config set backends.{name} '{{type: local, recipes_dir: /path/to/recipes}}'"
                ))
            }
            (e, _) => e,
        })
    }

    /// Removes the value at a dotted key (and the mappings it leaves empty); whether there
    /// was one.
    pub fn remove(&mut self, key: &str) -> bool {
        fn go(map: &mut Map<String, Value>, parts: &[&str]) -> bool {
            match parts {
                [] => false,
                [last] => map.remove(*last).is_some(),
                [first, rest @ ..] => {
                    let Some(Value::Object(inner)) = map.get_mut(*first) else {
                        return false;
                    };
                    let removed = go(inner, rest);
                    if inner.is_empty() {
                        map.remove(*first);
                    }
                    removed
                }
            }
        }
        go(&mut self.root, &key.split('.').collect::<Vec<_>>())
    }

    /// The keys the original's single `backend:` and `backends:` give, in order.
    pub fn backend_names(&self) -> Vec<String> {
        let mut names: Vec<String> = self
            .root
            .get("backends")
            .and_then(Value::as_object)
            .map(|m| m.keys().cloned().collect())
            .unwrap_or_default();
        if self.root.contains_key("backend") && !names.iter().any(|n| n == "default") {
            names.insert(0, "default".into());
        }
        names
    }

    /// Where a named backend is written: the original's `backend:` for `default` when the
    /// file has it that way, else `backends.NAME`.
    fn backend_key(&self, name: &str) -> String {
        let in_map = self
            .root
            .get("backends")
            .and_then(Value::as_object)
            .is_some_and(|m| m.contains_key(name));
        if name == "default" && !in_map && self.root.contains_key("backend") {
            "backend".into()
        } else {
            format!("backends.{name}")
        }
    }

    /// Adds or replaces the backend `name`. Keys the new settings leave out but the file
    /// had and nskit does not model are dropped with the old settings; a `${VAR}` the file
    /// had for a key whose value did not change is kept as written.
    pub fn set_backend(&mut self, name: &str, config: &BackendConfig) -> Result<()> {
        check_backend_name(name)?;
        let key = self.backend_key(name);
        let new = serde_json::to_value(config)
            .map_err(|e| Error::Config(format!("backend `{name}`: {e}")))?;
        let merged = keep_references(self.get(&key), new);
        self.set(&key, merged)
    }

    /// Removes the backend `name` (and makes the default another one if it was it);
    /// whether it was there.
    pub fn remove_backend(&mut self, name: &str) -> bool {
        let key = self.backend_key(name);
        let removed = self.remove(&key);
        if removed && self.get("default_backend").and_then(Value::as_str) == Some(name) {
            self.remove("default_backend");
        }
        removed
    }

    /// The document as YAML.
    pub fn text(&self) -> Result<String> {
        if self.root.is_empty() {
            return Ok(String::new());
        }
        nskit_recipe::yaml::to_string(&self.root).map_err(Error::Config)
    }

    /// Checks the document as nskit will read it (`${VAR}` expanded from `env`): every
    /// key of a known kind valid, every named default present.
    /// A variable that is not set here (the app started from a desktop menu lacks the
    /// shell's) does not stop a save: it stands in as `0` for the check.
    pub fn check(&self, env: &dyn Fn(&str) -> Option<String>) -> Result<ConfigFile> {
        let lenient = |k: &str| env(k).or_else(|| Some("0".to_string()));
        let file = ConfigFile::parse(&self.text()?, &self.path.display().to_string(), &lenient)?;
        if let Some(d) = &file.default_backend {
            let names: Vec<String> = file.named_backends().into_iter().map(|(n, _)| n).collect();
            if !names.contains(d) {
                return Err(Error::Config(format!(
                    "{}: default_backend names `{d}`, which is not configured (configured: {})",
                    self.path.display(),
                    if names.is_empty() {
                        "none".to_string()
                    } else {
                        names.join(", ")
                    }
                )));
            }
        }
        Ok(file)
    }

    /// Checks the document, then writes it: to a file beside the old one, renamed over
    /// it, so a reader never sees half a file.
    pub fn save(&self, env: &dyn Fn(&str) -> Option<String>) -> Result<()> {
        self.check(env)?;
        let text = self.text()?;
        let dir = match self.path.parent() {
            Some(d) if !d.as_os_str().is_empty() => d.to_path_buf(),
            _ => PathBuf::from("."),
        };
        let fail =
            |e: std::io::Error| Error::Config(format!("cannot write {}: {e}", self.path.display()));
        std::fs::create_dir_all(&dir).map_err(fail)?;
        let mut tmp = tempfile::NamedTempFile::new_in(&dir).map_err(fail)?;
        std::io::Write::write_all(&mut tmp, text.as_bytes()).map_err(fail)?;
        tmp.as_file().sync_all().map_err(fail)?;
        tmp.persist(&self.path).map_err(|e| fail(e.error))?;
        Ok(())
    }
}

/// `new`, with the `${VAR}` strings of `old` kept where `new` has the value they stand
/// for (a form shows the expanded value; saving it must not inline the variable).
fn keep_references(old: Option<&Value>, new: Value) -> Value {
    match (old, new) {
        (Some(Value::Object(o)), Value::Object(n)) => Value::Object(
            n.into_iter()
                .map(|(k, v)| {
                    let kept = keep_references(o.get(&k), v);
                    (k, kept)
                })
                .collect(),
        ),
        (Some(old @ Value::String(s)), new) if is_reference(old) => {
            let var = s.trim().trim_start_matches("${").trim_end_matches('}');
            let expanded = std::env::var(var).ok().map(Value::String);
            if expanded.as_ref() == Some(&new) || new == *old {
                old.clone()
            } else {
                new
            }
        }
        (_, new) => new,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::{LocalConfig, RegistryConfig};

    fn no_env(_: &str) -> Option<String> {
        None
    }

    #[test]
    fn unknown_keys_and_references_stay_as_written() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("config.yaml");
        std::fs::write(
            &path,
            "future_setting: {keep: me}\nbackend:\n  type: docker\n  registry_url: ${REGISTRY}\n  auth_token: ${REG_TOKEN}\nentrypoint_group: acme.recipes\n",
        )
        .expect("write");
        let mut doc = ConfigDocument::load(&path).expect("load");
        assert_eq!(doc.backend_names(), ["default"]);
        doc.set("entrypoint_group", Value::String("other.recipes".into()))
            .expect("set");
        doc.set_backend(
            "local",
            &BackendConfig::Local(LocalConfig {
                recipes_dir: "recipes".into(),
            }),
        )
        .expect("add");
        doc.set("default_backend", "local".into()).expect("set");
        let env = |k: &str| match k {
            "REGISTRY" => Some("127.0.0.1:5000".to_string()),
            "REG_TOKEN" => Some("t".to_string()),
            _ => None,
        };
        doc.save(&env).expect("save");
        let text = std::fs::read_to_string(&path).expect("read");
        assert!(text.contains("registry_url: ${REGISTRY}"), "{text}");
        assert!(text.contains("auth_token: ${REG_TOKEN}"), "{text}");
        assert!(text.contains("future_setting"), "{text}");
        assert!(text.contains("keep: me"), "{text}");
        let back = ConfigDocument::load(&path).expect("load");
        assert_eq!(back.backend_names(), ["default", "local"]);
        assert_eq!(
            back.get("entrypoint_group"),
            Some(&Value::String("other.recipes".into()))
        );
    }

    #[test]
    fn a_secret_is_never_written_but_a_reference_is() {
        let mut doc = ConfigDocument::load(Path::new("/nonexistent/config.yaml")).expect("empty");
        let e = doc
            .set("backends.team.auth_token", "ghp_secret".into())
            .unwrap_err()
            .to_string();
        assert!(e.contains("never written"), "{e}");
        assert!(doc.root().is_empty());
        doc.set("backends.team.auth_token", "${TEAM_TOKEN}".into())
            .expect("a reference");
        let reg = RegistryConfig {
            auth_token: Some("inline".into()),
            ..RegistryConfig::default()
        };
        // A typed backend carrying a literal secret is refused as a whole.
        let e = doc
            .set_backend("other", &BackendConfig::Docker(Box::new(reg)))
            .unwrap_err()
            .to_string();
        assert!(e.contains("secret"), "{e}");
    }

    #[test]
    fn a_bad_change_is_refused_before_anything_is_written() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("config.yaml");
        std::fs::write(&path, "entrypoint_group: a\n").expect("write");
        let mut doc = ConfigDocument::load(&path).expect("load");
        doc.set("backends.team.type", "docker".into()).expect("set");
        doc.set("backends.team.registry", "typo".into())
            .expect("set");
        let e = doc.save(&no_env).unwrap_err().to_string();
        assert!(e.contains("unknown field `registry`"), "{e}");
        let mut doc = ConfigDocument::load(&path).expect("load");
        doc.set("default_backend", "missing".into()).expect("set");
        let e = doc.save(&no_env).unwrap_err().to_string();
        assert!(e.contains("`missing`, which is not configured"), "{e}");
        assert_eq!(
            std::fs::read_to_string(&path).expect("read"),
            "entrypoint_group: a\n"
        );
    }

    #[test]
    fn removing_the_default_backend_forgets_it_as_default() {
        let mut doc = ConfigDocument::load(Path::new("/nonexistent/c.yaml")).expect("empty");
        doc.set_backend("a", &BackendConfig::Builtin).expect("a");
        doc.set_backend("b", &BackendConfig::Builtin).expect("b");
        doc.set("default_backend", "b".into()).expect("default");
        assert!(doc.remove_backend("b"));
        assert_eq!(doc.get("default_backend"), None);
        assert!(!doc.remove_backend("b"));
        assert!(doc.remove_backend("a"));
        assert!(doc.root().is_empty(), "{:?}", doc.root());
        assert!(check_backend_name("team one").is_err());
    }
}
