//! The registry of backend types, keyed by `type`: the types nskit builds in, the types a
//! program registers in process (a settings struct with its JSON Schema, and the backend
//! built from it), and every other type, served by a plug-in program
//! (`nskit-backend-<type>` on PATH, or the settings' `command:`).
use std::fmt;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use nskit_backends::{PluginBackend, PluginSettings, RecipeBackend};
use schemars::JsonSchema;
use serde::de::DeserializeOwned;
use serde_json::{Map, Value};

use super::file::{BUILT_IN_TYPES, BackendType, OtherBackendConfig};

/// What building a backend of a registered type may use besides its own settings.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct BackendContext {
    /// nskit's data folder (a backend may keep a cache under it).
    pub data_dir: PathBuf,
    /// The configured entry-point group.
    pub entrypoint_group: String,
    /// The configured Docker engine, if one is named.
    pub docker_host: Option<String>,
}

type Build = dyn Fn(&Map<String, Value>, &BackendContext) -> Result<Box<dyn RecipeBackend>, String>
    + Send
    + Sync;
type Check = dyn Fn(&Map<String, Value>) -> Result<(), String> + Send + Sync;

#[derive(Clone)]
struct Registered {
    info: BackendType,
    check: Arc<Check>,
    build: Arc<Build>,
}

/// The backend types a program knows beyond the built-in ones. Cheap to clone.
///
/// ```
/// use nskit::config::BackendTypes;
/// use nskit::{RecipeBackend, RecipeInfo};
/// # use nskit::RecipeVersion;
///
/// /// Recipes kept in Acme's vault.
/// #[derive(serde::Deserialize, schemars::JsonSchema)]
/// #[serde(deny_unknown_fields)]
/// struct VaultConfig {
///     /// The vault's address.
///     url: String,
/// }
///
/// struct VaultBackend(String);
///
/// impl TryFrom<VaultConfig> for VaultBackend {
///     type Error = String;
///     fn try_from(c: VaultConfig) -> Result<Self, String> {
///         if c.url.starts_with("https://") { Ok(VaultBackend(c.url)) } else { Err("`url` must be https".into()) }
///     }
/// }
/// # impl RecipeBackend for VaultBackend {
/// #     fn kind(&self) -> &'static str { "vault" }
/// #     fn describe(&self) -> String { format!("the vault at {}", self.0) }
/// #     fn list(&self) -> nskit_backends::Result<Vec<RecipeInfo>> { Ok(vec![]) }
/// #     fn versions(&self, _: &str) -> nskit_backends::Result<Vec<RecipeVersion>> { Ok(vec![]) }
/// #     fn load(&self, n: &str, _: &RecipeVersion, _: &nskit::Reporter) -> nskit_backends::Result<nskit_recipe::Recipe> {
/// #         Err(nskit_backends::BackendError::RecipeNotFound { name: n.into(), backend: self.describe(), available: vec![] })
/// #     }
/// #     fn source(&self) -> nskit_recipe::RecipeSource { nskit_recipe::RecipeSource { backend: "vault".into(), location: None, image: None, digest: None } }
/// # }
///
/// let types = BackendTypes::new().with::<VaultConfig, VaultBackend>("vault");
/// assert!(types.registered("vault"));
/// ```
#[derive(Clone, Default)]
pub struct BackendTypes {
    registered: Vec<Registered>,
}

impl fmt::Debug for BackendTypes {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_list()
            .entries(self.registered.iter().map(|r| &r.info.name))
            .finish()
    }
}

impl PartialEq for BackendTypes {
    fn eq(&self, other: &Self) -> bool {
        self.registered.len() == other.registered.len()
            && self
                .registered
                .iter()
                .zip(&other.registered)
                .all(|(a, b)| a.info.name == b.info.name)
    }
}

fn schema_of<T: JsonSchema>() -> Value {
    serde_json::to_value(schemars::schema_for!(T)).unwrap_or_default()
}

fn parse<C: DeserializeOwned>(settings: &Map<String, Value>) -> Result<C, String> {
    serde_json::from_value(Value::Object(settings.clone())).map_err(|e| e.to_string())
}

impl BackendTypes {
    /// Only the built-in types (and plug-ins).
    pub fn new() -> BackendTypes {
        BackendTypes::default()
    }

    /// Registers the type `name`: its settings are read into `C` (so `C`'s serde rules say
    /// which keys are valid), and the backend is `B::try_from(settings)`. The settings'
    /// JSON Schema comes from `C` (its doc comment is the type's description, its title or
    /// the name the label), so the preferences pane draws its form.
    ///
    /// # Panics
    /// When `name` is a built-in type or not a valid type name (lower-case letters,
    /// digits, `-`, `_`): a mistake in the program, found when it starts.
    pub fn register<C, B>(&mut self, name: &str)
    where
        C: DeserializeOwned + JsonSchema + 'static,
        B: RecipeBackend + TryFrom<C> + 'static,
        <B as TryFrom<C>>::Error: fmt::Display,
    {
        self.register_with::<C, B, _>(name, |c, _| B::try_from(c).map_err(|e| e.to_string()));
    }

    /// [`register`](Self::register), the backend built by `build` with the context (the
    /// data folder, the Docker engine).
    ///
    /// # Panics
    /// As [`register`](Self::register).
    pub fn register_with<C, B, F>(&mut self, name: &str, build: F)
    where
        C: DeserializeOwned + JsonSchema + 'static,
        B: RecipeBackend + 'static,
        F: Fn(C, &BackendContext) -> Result<B, String> + Send + Sync + 'static,
    {
        assert!(
            nskit_plugin::valid_name(name) && !BUILT_IN_TYPES.contains(&name),
            "`{name}` cannot be registered as a backend type (built in, or not a lower-case word)"
        );
        let schema = schema_of::<C>();
        let label = schema["title"]
            .as_str()
            .filter(|t| *t != std::any::type_name::<C>().rsplit("::").next().unwrap_or(""))
            .unwrap_or(name)
            .to_string();
        let info = BackendType {
            name: name.into(),
            label,
            description: schema["description"].as_str().unwrap_or_default().into(),
            schema,
        };
        self.registered.retain(|r| r.info.name != name);
        self.registered.push(Registered {
            info,
            check: Arc::new(|s| parse::<C>(s).map(|_| ())),
            build: Arc::new(move |s, cx| {
                let c: C = parse(s)?;
                Ok(Box::new(build(c, cx)?) as Box<dyn RecipeBackend>)
            }),
        });
    }

    /// [`register`](Self::register), as a builder.
    pub fn with<C, B>(mut self, name: &str) -> BackendTypes
    where
        C: DeserializeOwned + JsonSchema + 'static,
        B: RecipeBackend + TryFrom<C> + 'static,
        <B as TryFrom<C>>::Error: fmt::Display,
    {
        self.register::<C, B>(name);
        self
    }

    /// Adds every type of `other` (replacing those of the same names).
    pub fn extend(&mut self, other: BackendTypes) {
        for r in other.registered {
            self.registered.retain(|x| x.info.name != r.info.name);
            self.registered.push(r);
        }
    }

    /// Whether the program registered `name`.
    pub fn registered(&self, name: &str) -> bool {
        self.get(name).is_some()
    }

    fn get(&self, name: &str) -> Option<&Registered> {
        self.registered.iter().find(|r| r.info.name == name)
    }

    /// Every type a form may offer: the built-in ones, the registered ones, and the
    /// plug-ins on PATH (each asked to describe itself).
    pub fn all(&self) -> Vec<BackendType> {
        let mut out = super::file::backend_types();
        out.extend(self.registered_types());
        out.extend(
            plugin_types()
                .into_iter()
                .filter(|p| !self.registered(&p.name)),
        );
        out
    }

    /// One type, described: built in, registered, or its plug-in's own description.
    pub fn describe(&self, name: &str) -> Option<BackendType> {
        super::file::backend_types()
            .into_iter()
            .find(|t| t.name == name)
            .or_else(|| self.get(name).map(|r| r.info.clone()))
            .or_else(|| {
                let plugin =
                    nskit_plugin::Plugin::find(nskit_backends::plugin::PREFIX, name).ok()?;
                Some(describe_plugin(name, &plugin))
            })
    }

    /// Refuses a backend whose `type` nothing serves: not built in, not registered, no
    /// `command:` and no plug-in on PATH (a typo, most likely). For a change being made;
    /// a file is read without it, since a plug-in may be installed only where it is used.
    pub fn check_served(&self, backend: &Value) -> Result<(), String> {
        let Some(kind) = backend.get("type").and_then(Value::as_str) else {
            return Ok(());
        };
        if BUILT_IN_TYPES.contains(&kind)
            || self.registered(kind)
            || backend.get("command").is_some()
        {
            return Ok(());
        }
        match nskit_plugin::Plugin::find(nskit_backends::plugin::PREFIX, kind) {
            Ok(_) => Ok(()),
            Err(nskit_plugin::PluginError::BadName { .. }) => Err(format!(
                "`{kind}` is not a backend type: built in are {}",
                BUILT_IN_TYPES.join(", ")
            )),
            Err(_) => {
                let registered: Vec<String> = self
                    .registered_types()
                    .into_iter()
                    .map(|t| t.name)
                    .collect();
                Err(format!(
                    "no backend type `{kind}`: built in are {}{}, and no plug-in `{}{kind}` is on PATH (install it, or give its path as `command:`)",
                    BUILT_IN_TYPES.join(", "),
                    if registered.is_empty() {
                        String::new()
                    } else {
                        format!("; this program adds {}", registered.join(", "))
                    },
                    nskit_backends::plugin::PREFIX
                ))
            }
        }
    }

    /// The registered types.
    pub fn registered_types(&self) -> Vec<BackendType> {
        self.registered.iter().map(|r| r.info.clone()).collect()
    }

    /// Checks a registered type's settings (`Ok` for a type left to a plug-in: the plug-in
    /// checks its own).
    pub fn check(&self, config: &OtherBackendConfig) -> Result<(), String> {
        match self.get(&config.type_name) {
            Some(r) => (r.check)(&config.settings),
            None => Ok(()),
        }
    }

    /// Builds a backend of a type nskit does not build in.
    pub fn build(
        &self,
        config: &OtherBackendConfig,
        cx: &BackendContext,
    ) -> Result<Box<dyn RecipeBackend>, String> {
        if let Some(r) = self.get(&config.type_name) {
            return (r.build)(&config.settings, cx)
                .map_err(|e| format!("the `{}` backend cannot be built: {e}", config.type_name));
        }
        Ok(Box::new(PluginBackend::new(plugin_settings(config, cx)?)))
    }
}

/// nskit's own keys in a plug-in backend's settings; the rest goes to the plug-in.
pub const PLUGIN_KEYS: [&str; 3] = ["command", "timeout_secs", "fetch_timeout_secs"];

fn plugin_settings(
    config: &OtherBackendConfig,
    cx: &BackendContext,
) -> Result<PluginSettings, String> {
    let mut s = PluginSettings::new(config.type_name.clone());
    s.docker_host = cx.docker_host.clone();
    let secs = |key: &str| -> Result<Option<Duration>, String> {
        match config.settings.get(key) {
            None => Ok(None),
            Some(v) => v
                .as_u64()
                .filter(|n| *n > 0)
                .map(|n| Some(Duration::from_secs(n)))
                .ok_or_else(|| format!("`{key}` must be a whole number of seconds, not {v}")),
        }
    };
    if let Some(t) = secs("timeout_secs")? {
        s.timeout = t;
    }
    if let Some(t) = secs("fetch_timeout_secs")? {
        s.fetch_timeout = t;
    }
    match config.settings.get("command") {
        None => {}
        Some(Value::String(c)) if !c.trim().is_empty() => s.command = Some(PathBuf::from(c)),
        Some(v) => return Err(format!("`command` must be a program's path, not {v}")),
    }
    s.config = config
        .settings
        .iter()
        .filter(|(k, _)| !PLUGIN_KEYS.contains(&k.as_str()))
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect();
    Ok(s)
}

/// The plug-in backends on PATH, each described by itself (a plug-in that fails to answer
/// `describe` is listed with the failure as its description, so that it can be fixed).
pub fn plugin_types() -> Vec<BackendType> {
    nskit_plugin::on_path(nskit_backends::plugin::PREFIX)
        .into_iter()
        .filter(|(name, _)| !BUILT_IN_TYPES.contains(&name.as_str()))
        .map(|(name, plugin)| describe_plugin(&name, &plugin))
        .collect()
}

fn describe_plugin(name: &str, plugin: &nskit_plugin::Plugin) -> BackendType {
    let mut settings = PluginSettings::new(name);
    settings.command = Some(plugin.program().to_path_buf());
    settings.timeout = Duration::from_secs(5);
    let (label, description, schema) = match PluginBackend::new(settings).describe_type() {
        Ok(d) => (d.label, d.description, d.schema),
        Err(e) => (
            String::new(),
            format!("this plug-in does not describe itself: {e}"),
            serde_json::json!({"type": "object", "properties": {}}),
        ),
    };
    BackendType {
        label: if label.is_empty() {
            name.to_string()
        } else {
            label
        },
        name: name.to_string(),
        description,
        schema,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::{BackendConfig, Config, Overrides};
    use nskit_backends::{BackendError, RecipeInfo};
    use nskit_recipe::{Recipe, RecipeSource, RecipeVersion};

    /// Recipes from a vault that knows one name.
    #[derive(serde::Deserialize, JsonSchema)]
    #[serde(deny_unknown_fields)]
    #[schemars(title = "Vault")]
    struct VaultConfig {
        /// The vault's address.
        #[schemars(title = "Address")]
        url: String,
        /// Its token.
        #[serde(default)]
        #[schemars(extend("x-secret" = true))]
        token: Option<String>,
    }

    struct VaultBackend(String);

    impl TryFrom<VaultConfig> for VaultBackend {
        type Error = String;
        fn try_from(c: VaultConfig) -> Result<Self, String> {
            let _ = c.token;
            if c.url.starts_with("https://") {
                Ok(VaultBackend(c.url))
            } else {
                Err(format!("`url` must start with https://, not {}", c.url))
            }
        }
    }

    impl RecipeBackend for VaultBackend {
        fn kind(&self) -> &'static str {
            "vault"
        }
        fn describe(&self) -> String {
            format!("the vault at {}", self.0)
        }
        fn list(&self) -> nskit_backends::Result<Vec<RecipeInfo>> {
            Ok(vec![RecipeInfo {
                name: "secret-service".into(),
                description: String::new(),
                tags: vec![],
                versions: vec!["1.0.0".into()],
                latest: Some("1.0.0".into()),
            }])
        }
        fn versions(&self, _: &str) -> nskit_backends::Result<Vec<RecipeVersion>> {
            Ok(vec![RecipeVersion::new("1.0.0")])
        }
        fn load(&self, n: &str, _: &RecipeVersion, _: &Reporter) -> nskit_backends::Result<Recipe> {
            Err(BackendError::RecipeNotFound {
                name: n.into(),
                backend: self.describe(),
                available: vec![],
            })
        }
        fn source(&self) -> RecipeSource {
            RecipeSource {
                backend: "vault".into(),
                location: Some(self.0.clone()),
                image: None,
                digest: None,
            }
        }
    }
    use nskit_progress::Reporter;

    fn load(types: &BackendTypes, yaml: &str) -> crate::Result<Config> {
        let dir = tempfile::tempdir().expect("tempdir");
        let file = dir.path().join("config.yaml");
        std::fs::write(&file, yaml).expect("write");
        Config::load_with(
            &Overrides {
                config_file: Some(file),
                backend_types: types.clone(),
                ..Overrides::default()
            },
            &|_: &str| None,
        )
    }

    #[test]
    fn a_registered_type_is_read_checked_built_and_described() {
        let types = BackendTypes::new().with::<VaultConfig, VaultBackend>("vault");
        let c = load(
            &types,
            "backends:\n  acme:\n    type: vault\n    url: https://vault.acme.test\n",
        )
        .expect("loads");
        let BackendConfig::Other(o) = &c.backend else {
            panic!("{:?}", c.backend)
        };
        assert_eq!(o.type_name, "vault");
        let backend = c.backend().expect("builds");
        assert_eq!(backend.describe(), "the vault at https://vault.acme.test");
        assert_eq!(backend.list().expect("lists")[0].name, "secret-service");

        // Its keys are checked when the file is read, with the backend named.
        let e = load(&types, "backends:\n  acme: {type: vault, ur: x}\n")
            .expect_err("unknown key")
            .to_string();
        assert!(e.contains("backend `acme` (type vault)"), "{e}");
        assert!(e.contains("unknown field `ur`"), "{e}");
        // The backend's own check runs when it is built.
        let c = load(
            &types,
            "backends:\n  acme: {type: vault, url: 'http://x'}\n",
        )
        .expect("loads");
        let e = c.backend().map(|_| ()).expect_err("refused").to_string();
        assert!(e.contains("must start with https://"), "{e}");

        // Described for forms: the title, the doc comment, the fields, the secret.
        let t = types.describe("vault").expect("described");
        assert_eq!(t.label, "Vault");
        assert_eq!(t.description, "Recipes from a vault that knows one name.");
        assert_eq!(t.schema["properties"]["url"]["title"], "Address");
        assert_eq!(t.schema["properties"]["token"]["x-secret"], true);
        assert!(types.all().iter().any(|t| t.name == "vault"));
        assert!(types.all().iter().any(|t| t.name == "github"));

        // `--backend vault` names the type, whose settings must then be complete.
        let e = Config::load_with(
            &Overrides {
                backend: Some("vault".into()),
                backend_types: types.clone(),
                ..Overrides::default()
            },
            &|_: &str| None,
        )
        .expect_err("no url")
        .to_string();
        assert!(e.contains("--backend vault: missing field `url`"), "{e}");
    }

    #[test]
    fn an_unregistered_type_is_left_to_a_plugin_and_written_back_as_read() {
        let c = load(
            &BackendTypes::new(),
            "backends:\n  acme: {type: s3, bucket: b, timeout_secs: 5}\n",
        )
        .expect("loads");
        let written = serde_json::to_value(&c.backend).expect("json");
        assert_eq!(
            written,
            serde_json::json!({"type": "s3", "bucket": "b", "timeout_secs": 5})
        );
        let b = c.backend().expect("a plug-in backend");
        assert_eq!(b.kind(), "plugin");
        assert!(
            b.describe().contains("nskit-backend-s3"),
            "{}",
            b.describe()
        );
        // A bad limit is said when it is built.
        let c = load(
            &BackendTypes::new(),
            "backends:\n  acme: {type: s3, timeout_secs: soon}\n",
        )
        .expect("loads");
        let e = c.backend().map(|_| ()).expect_err("bad").to_string();
        assert!(e.contains("`timeout_secs` must be a whole number"), "{e}");
    }

    #[test]
    #[should_panic(expected = "cannot be registered")]
    fn a_built_in_name_cannot_be_registered() {
        let _ = BackendTypes::new().with::<VaultConfig, VaultBackend>("github");
    }
}
