//! Git host providers served by another program: `provider: NAME` that nothing built in
//! knows is served by `nskit-vcs-NAME` on PATH (or the git host's `command:`), over the
//! plug-in protocol. Methods: `describe`, `whoami`, `find`, `create`, `configure`, `list`
//! (docs/plugin-protocol.md).
use std::path::PathBuf;
use std::sync::OnceLock;
use std::time::Duration;

use nskit_plugin::{Plugin, PluginError};
use nskit_progress::Reporter;
use serde::Deserialize;
use serde_json::{Value, json};

use crate::provider::{ProviderError, RemoteRepo, RepoSpec, Token, TokenInfo, VcsProvider};

/// The program name's prefix of provider plug-ins.
pub const PREFIX: &str = "nskit-vcs-";

/// A provider served by a plug-in.
pub struct PluginProvider {
    name: String,
    plugin: Result<Plugin, String>,
    config: Value,
    host: String,
    token: Option<Token>,
    timeout: Duration,
    described: OnceLock<Described>,
}

impl std::fmt::Debug for PluginProvider {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PluginProvider")
            .field("name", &self.name)
            .field("token", &self.token)
            .finish_non_exhaustive()
    }
}

#[derive(Debug, Clone, Default, Deserialize)]
struct Described {
    #[serde(default)]
    label: String,
    #[serde(default)]
    push_username: Option<String>,
}

#[derive(Deserialize)]
struct Repo {
    full_name: String,
    clone_url: String,
    #[serde(default)]
    html_url: String,
    #[serde(default = "yes")]
    private: bool,
}

fn yes() -> bool {
    true
}

impl From<Repo> for RemoteRepo {
    fn from(r: Repo) -> RemoteRepo {
        RemoteRepo {
            full_name: r.full_name,
            clone_url: r.clone_url,
            html_url: r.html_url,
            private: r.private,
        }
    }
}

fn repo_json(r: &RemoteRepo) -> Value {
    json!({
        "full_name": r.full_name,
        "clone_url": r.clone_url,
        "html_url": r.html_url,
        "private": r.private,
    })
}

impl PluginProvider {
    /// The provider `name`, its program `command` (else `nskit-vcs-NAME` on PATH), the git
    /// host's settings `config` (sent with each request, with the token as `token`), the
    /// host its token is for.
    pub fn new(
        name: &str,
        command: Option<PathBuf>,
        config: serde_json::Map<String, Value>,
        host: &str,
        token: Option<Token>,
    ) -> PluginProvider {
        let plugin = match command {
            Some(c) => Ok(Plugin::new(c)),
            None => Plugin::find(PREFIX, name).map_err(|e| e.to_string()),
        };
        let mut config = config;
        if let Some(t) = &token {
            config.insert("token".into(), t.expose().into());
        }
        PluginProvider {
            name: name.to_string(),
            plugin,
            config: Value::Object(config),
            host: host.to_string(),
            token,
            timeout: Duration::from_secs(60),
            described: OnceLock::new(),
        }
    }

    fn call(&self, method: &str, params: Value) -> Result<Value, ProviderError> {
        let plugin = self.plugin.as_ref().map_err(|e| ProviderError::Plugin {
            provider: self.name.clone(),
            message: e.clone(),
        })?;
        plugin
            .call(
                method,
                &self.config,
                &params,
                self.timeout,
                &Reporter::silent(),
            )
            .map_err(|e| self.error(plugin.label(), e))
    }

    fn parse<T: serde::de::DeserializeOwned>(
        &self,
        method: &str,
        v: Value,
    ) -> Result<T, ProviderError> {
        serde_json::from_value(v).map_err(|e| ProviderError::Plugin {
            provider: self.name.clone(),
            message: format!(
                "{PREFIX}{}: its answer to `{method}` does not have the protocol's shape ({e}); see docs/plugin-protocol.md",
                self.name
            ),
        })
    }

    fn error(&self, label: &str, e: PluginError) -> ProviderError {
        match e {
            PluginError::Refused(r) => {
                let text = |k: &str| r.details[k].as_str().unwrap_or_default().to_string();
                match r.code.as_str() {
                    "unauthorized" => ProviderError::Unauthorized {
                        host: self.host.clone(),
                        status: r.message.clone(),
                        hint: format!(
                            "store a valid token with `nskit auth login {} --host {}`",
                            self.name, self.host
                        ),
                    },
                    "forbidden" => ProviderError::Forbidden {
                        host: self.host.clone(),
                        what: r.method.clone(),
                        message: r.message.clone(),
                        scopes: r.details["scopes"].as_str().map(str::to_string),
                    },
                    "not_found" => ProviderError::NotFound {
                        host: self.host.clone(),
                        what: r.message.clone(),
                    },
                    "already_exists" => ProviderError::AlreadyExists {
                        host: self.host.clone(),
                        full_name: text("full_name"),
                        clone_url: text("clone_url"),
                    },
                    _ => ProviderError::Plugin {
                        provider: self.name.clone(),
                        message: format!("{label}: {}", r.message),
                    },
                }
            }
            other => ProviderError::Plugin {
                provider: self.name.clone(),
                message: other.to_string(),
            },
        }
    }

    fn described(&self) -> &Described {
        self.described.get_or_init(|| {
            self.call("describe", json!({}))
                .ok()
                .and_then(|v| serde_json::from_value(v).ok())
                .unwrap_or_default()
        })
    }
}

impl VcsProvider for PluginProvider {
    fn name(&self) -> &str {
        let label = &self.described().label;
        if label.is_empty() { &self.name } else { label }
    }

    fn host(&self) -> &str {
        &self.host
    }

    fn find(&self, owner: Option<&str>, name: &str) -> Result<Option<RemoteRepo>, ProviderError> {
        #[derive(Deserialize)]
        struct Found {
            repository: Option<Repo>,
        }
        let v = self.call("find", json!({ "owner": owner, "name": name }))?;
        let found: Found = self.parse("find", v)?;
        Ok(found.repository.map(Into::into))
    }

    fn create(&self, spec: &RepoSpec) -> Result<RemoteRepo, ProviderError> {
        #[derive(Deserialize)]
        struct Created {
            repository: Repo,
        }
        let v = self.call(
            "create",
            json!({
                "name": spec.name,
                "organisation": spec.organisation,
                "private": spec.private,
                "description": spec.description,
                "topics": spec.topics,
                "settings": spec.settings,
            }),
        )?;
        let created: Created = self.parse("create", v)?;
        Ok(created.repository.into())
    }

    fn push_credentials(&self) -> Option<(String, Token)> {
        let user = self
            .described()
            .push_username
            .clone()
            .unwrap_or_else(|| "oauth2".into());
        self.token.clone().map(|t| (user, t))
    }

    fn whoami(&self) -> Result<TokenInfo, ProviderError> {
        #[derive(Deserialize)]
        struct Who {
            login: String,
            #[serde(default)]
            scopes: Vec<String>,
        }
        let v = self.call("whoami", json!({}))?;
        let who: Who = self.parse("whoami", v)?;
        Ok(TokenInfo {
            login: who.login,
            scopes: who.scopes,
        })
    }

    fn list(&self, owner: Option<&str>) -> Result<Vec<RemoteRepo>, ProviderError> {
        #[derive(Deserialize)]
        struct Listed {
            repositories: Vec<Repo>,
        }
        let v = self.call("list", json!({ "owner": owner }))?;
        let listed: Listed = self.parse("list", v)?;
        Ok(listed.repositories.into_iter().map(Into::into).collect())
    }

    fn configure(
        &self,
        repo: &RemoteRepo,
        branch: &str,
        spec: &RepoSpec,
    ) -> Result<Vec<String>, ProviderError> {
        #[derive(Deserialize)]
        struct Configured {
            #[serde(default)]
            warnings: Vec<String>,
        }
        if spec.branch_protection.is_none() && spec.custom_properties.is_empty() {
            return Ok(vec![]);
        }
        let v = self.call(
            "configure",
            json!({
                "repository": repo_json(repo),
                "branch": branch,
                "branch_protection": spec.branch_protection,
                "custom_properties": spec.custom_properties,
            }),
        )?;
        let c: Configured = self.parse("configure", v)?;
        Ok(c.warnings)
    }
}
