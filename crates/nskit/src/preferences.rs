//! Preferences, for a settings screen (the desktop app's, a web portal's): the
//! configuration file as written (`${VAR}` as written, secrets never shown), each setting's
//! source, the backend types a form can offer, and the changes a person makes, each
//! checked and saved to the same file the CLI reads. Changes go through
//! [`ConfigDocument`](crate::config::ConfigDocument).
use std::path::PathBuf;

use serde::Serialize;
use serde_json::{Map, Value};
use ts_rs::TS;

use crate::config::{
    BackendConfig, BackendType, BackendTypes, Config, ConfigDocument, ConfigFile, Overrides,
    Setting, Source, check_backend_name,
};
use crate::error::{Error, Result};

/// A configured backend as the file has it.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct BackendEntry {
    /// Its name.
    pub name: String,
    /// Its `type`.
    #[serde(rename = "type")]
    pub kind: String,
    /// Its settings as written (`type` included; `${VAR}` not expanded; secrets left out).
    #[ts(type = "Record<string, unknown>")]
    pub settings: Map<String, Value>,
    /// Whether it is the default.
    pub default: bool,
    /// Where it is defined (the file; a program default cannot be edited).
    pub source: Source,
}

/// Everything a preferences screen shows.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct Preferences {
    /// The configuration file.
    pub file: String,
    /// Whether it exists yet.
    pub file_exists: bool,
    /// The configured backends.
    pub backends: Vec<BackendEntry>,
    /// The backend a flag or the environment put in use instead of the default, with the
    /// variable or flag.
    pub backend_override: Option<Source>,
    /// The kinds of backend, with the schema of their settings.
    pub backend_types: Vec<BackendType>,
    /// The git host as written, if any.
    #[ts(type = "Record<string, unknown> | null")]
    pub vcs: Option<Map<String, Value>>,
    /// Every effective setting and its source.
    pub settings: Vec<Setting>,
    /// Things to know (keys nskit does not know).
    pub warnings: Vec<String>,
}

/// The environment settings are resolved in.
type Env = Box<dyn crate::config::Environment + Send + Sync>;

/// Where preferences are read and written, and the environment they are resolved in.
pub struct Settings {
    defaults: ConfigFile,
    overrides: Overrides,
    env: Env,
}

impl std::fmt::Debug for Settings {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Settings")
            .field("overrides", &self.overrides)
            .finish()
    }
}

impl Settings {
    /// Preferences over the real environment, with `overrides` (a `--config` flag).
    pub fn new(defaults: ConfigFile, overrides: Overrides) -> Settings {
        Settings {
            defaults,
            overrides,
            env: Box::new(crate::config::ProcessEnv),
        }
    }

    /// The same, with `env` standing for the environment.
    pub fn with_env(
        mut self,
        env: impl crate::config::Environment + Send + Sync + 'static,
    ) -> Settings {
        self.env = Box::new(env);
        self
    }

    /// The configuration in effect now.
    pub fn config(&self) -> Result<Config> {
        Config::load_layered(&self.defaults, &self.overrides, &*self.env)
    }

    /// The configuration file's path.
    pub fn file(&self) -> Result<PathBuf> {
        Config::file_path(&self.overrides, &|k: &str| self.env.var(k)).ok_or_else(|| {
            Error::Config(
                "no configuration folder: set NSKIT_CONFIG to the configuration file".into(),
            )
        })
    }

    fn document(&self) -> Result<ConfigDocument> {
        ConfigDocument::load(&self.file()?)
    }

    fn save(&self, doc: &ConfigDocument) -> Result<Preferences> {
        doc.save(&|k: &str| self.env.var(k))?;
        self.view()
    }

    /// Everything a preferences screen shows.
    pub fn view(&self) -> Result<Preferences> {
        let config = self.config()?;
        let doc = self.document()?;
        let file = doc.path().to_path_buf();
        let backends = config
            .backends
            .iter()
            .map(|b| {
                let written = match &b.source {
                    Source::File { .. } => {
                        let key = if b.name == "default"
                            && doc.get("backends.default").is_none()
                            && doc.get("backend").is_some()
                        {
                            "backend".to_string()
                        } else {
                            format!("backends.{}", b.name)
                        };
                        doc.get(&key).and_then(Value::as_object).cloned()
                    }
                    _ => None,
                };
                let mut settings = written.unwrap_or_else(|| {
                    serde_json::to_value(&b.config)
                        .ok()
                        .and_then(|v| v.as_object().cloned())
                        .unwrap_or_default()
                });
                strip_secrets(&mut settings);
                BackendEntry {
                    name: b.name.clone(),
                    kind: b.config.type_name().into(),
                    settings,
                    default: b.name == config.default_backend,
                    source: b.source.clone(),
                }
            })
            .collect();
        Ok(Preferences {
            file: file.display().to_string(),
            file_exists: file.is_file(),
            backends,
            backend_override: config
                .sources
                .get("backend")
                .filter(|s| !s.editable())
                .cloned(),
            backend_types: config.backend_types.all(),
            vcs: doc.get("vcs").and_then(Value::as_object).cloned(),
            settings: config.settings(),
            warnings: config.warnings,
        })
    }

    /// Adds or replaces the backend `name` (renaming `previous`, if given), from settings
    /// as a form gives them (`type` and the type's keys; `${VAR}` allowed). The first
    /// backend added becomes the default.
    pub fn save_backend(
        &self,
        name: &str,
        previous: Option<&str>,
        settings: Map<String, Value>,
    ) -> Result<Preferences> {
        check_backend_name(name)?;
        let mut doc = self.document()?;
        let names = doc.backend_names();
        if previous != Some(name) && names.iter().any(|n| n == name) {
            return Err(Error::Config(format!(
                "a backend named `{name}` is configured already: pick another name"
            )));
        }
        // The default is the one the configuration uses now, named or first.
        let was_default = match (previous, self.config()) {
            (Some(p), Ok(c)) => c.default_backend == p,
            _ => false,
        };
        // What the form does not show (credentials, `${VAR}` secrets, the original's keys)
        // stays as the file has it, when the type is the same.
        let old_key = previous.map(|p| backend_key(&doc, p));
        let mut merged = old_key
            .as_deref()
            .and_then(|k| doc.get(k))
            .and_then(Value::as_object)
            .filter(|old| old.get("type") == settings.get("type"))
            .cloned()
            .unwrap_or_default();
        let types = self.config().map(|c| c.backend_types).unwrap_or_default();
        types
            .check_served(&Value::Object(settings.clone()))
            .map_err(Error::Config)?;
        let shown = settings
            .get("type")
            .and_then(Value::as_str)
            .map(|kind| form_keys(&types, kind))
            .unwrap_or_default();
        merged.retain(|k, _| !shown.contains(k) && k != "type");
        for (k, v) in settings {
            if !is_blank(&v) {
                merged.insert(k, v);
            }
        }
        if let Some(p) = previous {
            doc.remove_backend(p);
        }
        doc.set(&backend_key(&doc, name), Value::Object(merged))?;
        if was_default || doc.backend_names().len() == 1 {
            doc.set("default_backend", Value::String(name.into()))?;
        }
        self.save(&doc)
    }

    /// Removes the backend `name`.
    pub fn remove_backend(&self, name: &str) -> Result<Preferences> {
        let mut doc = self.document()?;
        if !doc.remove_backend(name) {
            return Err(Error::Config(format!(
                "no backend named `{name}` is in {}",
                doc.path().display()
            )));
        }
        self.save(&doc)
    }

    /// Makes `name` the default backend.
    pub fn set_default_backend(&self, name: &str) -> Result<Preferences> {
        let mut doc = self.document()?;
        doc.set("default_backend", Value::String(name.into()))?;
        self.save(&doc)
    }

    /// Sets (or with `None` removes) the git host, from settings as a form gives them.
    pub fn save_git_host(&self, settings: Option<Map<String, Value>>) -> Result<Preferences> {
        let mut doc = self.document()?;
        match settings {
            None => {
                doc.remove("vcs");
            }
            Some(s) => {
                let cleaned: Map<String, Value> =
                    s.into_iter().filter(|(_, v)| !is_blank(v)).collect();
                doc.set("vcs", Value::Object(cleaned))?;
            }
        }
        self.save(&doc)
    }

    /// Sets one top-level setting (`output_dir`, `theme`, `docker_host`,
    /// `entrypoint_group`); `null` or an empty string removes it.
    pub fn set(&self, key: &str, value: Value) -> Result<Preferences> {
        const SIMPLE: &[&str] = &["output_dir", "theme", "docker_host", "entrypoint_group"];
        if !SIMPLE.contains(&key) {
            return Err(Error::Config(format!(
                "`{key}` is not one of {}",
                SIMPLE.join(", ")
            )));
        }
        let mut doc = self.document()?;
        if is_blank(&value) {
            doc.remove(key);
        } else {
            doc.set(key, value)?;
        }
        self.save(&doc)
    }

    /// Builds a backend from settings as a form gives them (not saved) and lists its
    /// recipes: how many, and what the backend said.
    pub fn test_backend(&self, settings: Map<String, Value>) -> Result<BackendTest> {
        let mut cleaned =
            Value::Object(settings.into_iter().filter(|(_, v)| !is_blank(v)).collect());
        expand_strings(&mut cleaned, &|k: &str| self.env.var(k))?;
        let config: BackendConfig = serde_json::from_value(cleaned)
            .map_err(|e| Error::Config(format!("the backend's settings: {e}")))?;
        let backend = self.config()?.build_backend(&config)?;
        let recipes = backend.list()?;
        Ok(BackendTest {
            backend: backend.describe(),
            recipes: u32::try_from(recipes.len()).unwrap_or(u32::MAX),
            names: recipes.into_iter().take(10).map(|r| r.name).collect(),
            notices: backend.notices(),
        })
    }
}

/// What testing a backend found.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct BackendTest {
    /// The backend, described.
    pub backend: String,
    /// How many recipes it lists.
    pub recipes: u32,
    /// The first few of their names.
    pub names: Vec<String>,
    /// What it said (a listing from the cache).
    pub notices: Vec<String>,
}

/// Where a named backend is in the file: the original's `backend:` for `default` when the
/// file has it that way, else `backends.NAME`.
fn backend_key(doc: &ConfigDocument, name: &str) -> String {
    if name == "default" && doc.get("backend").is_some() && doc.get("backends.default").is_none() {
        "backend".into()
    } else {
        format!("backends.{name}")
    }
}

/// The keys a form shows for a backend type (its schema's, secrets left out).
fn form_keys(types: &BackendTypes, kind: &str) -> Vec<String> {
    types
        .describe(kind)
        .and_then(|t| {
            t.schema
                .get("properties")
                .and_then(Value::as_object)
                .cloned()
        })
        .map(|p| {
            p.iter()
                .filter(|(_, s)| s.get("x-secret") != Some(&Value::Bool(true)))
                .map(|(k, _)| k.clone())
                .collect()
        })
        .unwrap_or_default()
}

/// Drops every secret written out (not as `${VAR}`), at every depth.
fn strip_secrets(map: &mut Map<String, Value>) {
    map.retain(|k, v| !crate::config::is_secret_key(k) || is_reference(v));
    for v in map.values_mut() {
        if let Value::Object(inner) = v {
            strip_secrets(inner);
        }
    }
}

/// Expands `${VAR}` in every string of `v`.
fn expand_strings(v: &mut Value, env: &dyn Fn(&str) -> Option<String>) -> Result<()> {
    match v {
        Value::String(s) => {
            *s = crate::config::expand_vars(s, env).map_err(Error::Config)?;
        }
        Value::Array(a) => {
            for x in a {
                expand_strings(x, env)?;
            }
        }
        Value::Object(m) => {
            for x in m.values_mut() {
                expand_strings(x, env)?;
            }
        }
        _ => {}
    }
    Ok(())
}

fn is_blank(v: &Value) -> bool {
    match v {
        Value::Null => true,
        Value::String(s) => s.trim().is_empty(),
        Value::Array(a) => a.is_empty(),
        _ => false,
    }
}

fn is_reference(v: &Value) -> bool {
    v.as_str()
        .is_some_and(|s| s.trim().starts_with("${") && s.trim().ends_with('}'))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn settings_in(dir: &std::path::Path) -> Settings {
        let file = dir.join("config.yaml");
        let data = dir.join("data");
        Settings::new(ConfigFile::default(), Overrides::default()).with_env(
            move |k: &str| match k {
                "NSKIT_CONFIG" => Some(file.display().to_string()),
                "NSKIT_DATA_DIR" => Some(data.display().to_string()),
                "REG" => Some("127.0.0.1:5999".into()),
                "TEAM_TOKEN" | "REG_PW" => Some("s3cr3t".into()),
                _ => None,
            },
        )
    }

    fn obj(v: Value) -> Map<String, Value> {
        v.as_object().cloned().expect("object")
    }

    #[test]
    fn backends_are_added_renamed_made_default_and_removed() {
        let dir = tempfile::tempdir().expect("tempdir");
        let s = settings_in(dir.path());
        let p = s.view().expect("view");
        assert!(!p.file_exists);
        assert_eq!(p.backends[0].name, "builtin");
        let recipes = dir.path().join("recipes");
        std::fs::create_dir_all(&recipes).expect("mkdir");
        let p = s
            .save_backend(
                "mine",
                None,
                obj(json!({"type": "local", "recipes_dir": recipes, "blank": ""})),
            )
            .expect("add");
        assert!(p.file_exists);
        assert_eq!(p.backends.len(), 1);
        assert!(p.backends[0].default, "the first backend is the default");
        let p = s
            .save_backend(
                "team",
                None,
                obj(json!({"type": "docker", "registry_url": "${REG}", "image_prefix": "acme"})),
            )
            .expect("add");
        assert_eq!(p.backends.len(), 2);
        let team = &p.backends[1];
        assert_eq!(team.settings["registry_url"], "${REG}", "kept as written");
        assert!(!team.default);
        let e = s
            .save_backend("team", None, obj(json!({"type": "builtin"})))
            .unwrap_err()
            .to_string();
        assert!(e.contains("configured already"), "{e}");
        let p = s.set_default_backend("team").expect("default");
        assert!(p.backends[1].default);
        let p = s
            .save_backend(
                "registry",
                Some("team"),
                obj(json!({"type": "docker", "registry_url": "${REG}"})),
            )
            .expect("rename");
        let names: Vec<&str> = p.backends.iter().map(|b| b.name.as_str()).collect();
        assert_eq!(names, ["mine", "registry"]);
        assert!(p.backends[1].default, "renaming keeps it the default");
        let e = s
            .save_backend(
                "bad",
                None,
                obj(json!({"type": "local", "recipes_dir": "x", "typo": 1})),
            )
            .unwrap_err()
            .to_string();
        assert!(e.contains("unknown field `typo`"), "{e}");
        let p = s.remove_backend("registry").expect("remove");
        assert_eq!(p.backends.len(), 1);
        let text = std::fs::read_to_string(dir.path().join("config.yaml")).expect("read");
        assert!(!text.contains("default_backend: registry"), "{text}");
    }

    #[test]
    fn editing_keeps_what_the_form_does_not_show_and_renaming_keeps_the_default() {
        let dir = tempfile::tempdir().expect("tempdir");
        std::fs::write(
            dir.path().join("config.yaml"),
            "backends:\n  team:\n    type: docker\n    registry_url: ${REG}\n    image_prefix: old\n    auth_token: ${TEAM_TOKEN}\n    credentials:\n      username: me\n      password: ${REG_PW}\n  other:\n    type: builtin\n",
        )
        .expect("write");
        let s = settings_in(dir.path());
        // The form sends what it shows: the prefix changed, the rest as shown.
        s.save_backend(
            "team",
            Some("team"),
            obj(json!({"type": "docker", "registry_url": "${REG}", "image_prefix": "new"})),
        )
        .expect("edit");
        let text = std::fs::read_to_string(dir.path().join("config.yaml")).expect("read");
        assert!(text.contains("image_prefix: new"), "{text}");
        assert!(text.contains("auth_token: ${TEAM_TOKEN}"), "{text}");
        assert!(text.contains("password: ${REG_PW}"), "{text}");
        // Renaming onto another backend is refused; renaming the first (default) one
        // keeps it the default though it moves.
        let e = s
            .save_backend("other", Some("team"), obj(json!({"type": "builtin"})))
            .unwrap_err()
            .to_string();
        assert!(e.contains("configured already"), "{e}");
        let p = s
            .save_backend(
                "renamed",
                Some("team"),
                obj(json!({"type": "docker", "registry_url": "${REG}"})),
            )
            .expect("rename");
        let default = p.backends.iter().find(|b| b.default).expect("a default");
        assert_eq!(default.name, "renamed");
    }

    #[test]
    fn secrets_written_out_never_reach_the_view() {
        let dir = tempfile::tempdir().expect("tempdir");
        std::fs::write(
            dir.path().join("config.yaml"),
            "backends:\n  team:\n    type: docker\n    credentials: {username: me, password: hunter2}\n",
        )
        .expect("write");
        let p = settings_in(dir.path()).view().expect("view");
        let shown = serde_json::to_string(&p.backends).expect("json");
        assert!(!shown.contains("hunter2"), "{shown}");
        assert!(shown.contains("\"username\":\"me\""), "{shown}");
    }

    #[test]
    fn testing_a_backend_lists_its_recipes_without_saving_it() {
        let dir = tempfile::tempdir().expect("tempdir");
        let s = settings_in(dir.path());
        let t = s
            .test_backend(obj(json!({"type": "builtin"})))
            .expect("test");
        assert_eq!(t.recipes, 3, "{t:?}");
        assert!(t.names.contains(&"rust_cli".to_string()), "{t:?}");
        assert!(!dir.path().join("config.yaml").exists());
        let e = s
            .test_backend(obj(
                json!({"type": "local", "recipes_dir": dir.path().join("none")}),
            ))
            .unwrap_err()
            .to_string();
        assert!(e.contains("none"), "{e}");
    }

    #[test]
    fn simple_settings_and_the_git_host() {
        let dir = tempfile::tempdir().expect("tempdir");
        let s = settings_in(dir.path());
        let p = s.set("theme", json!("dark")).expect("theme");
        let theme = p.settings.iter().find(|x| x.key == "theme").expect("theme");
        assert_eq!(theme.value, "dark");
        assert!(matches!(theme.source, Source::File { .. }));
        assert!(s.set("colour", json!("red")).is_err());
        let p = s
            .save_git_host(Some(obj(json!({"provider": "github", "organisation": "acme", "topics": ["a"], "private": false}))))
            .expect("vcs");
        assert_eq!(p.vcs.as_ref().expect("vcs")["organisation"], "acme");
        let e = s
            .save_git_host(Some(obj(json!({"provider": "github", "token": "ghp_x"}))))
            .unwrap_err()
            .to_string();
        assert!(e.contains("secret"), "{e}");
        let p = s.save_git_host(None).expect("removed");
        assert!(p.vcs.is_none());
        let p = s.set("theme", Value::Null).expect("unset");
        assert_eq!(
            p.settings
                .iter()
                .find(|x| x.key == "theme")
                .expect("theme")
                .source,
            Source::Default
        );
    }
}
