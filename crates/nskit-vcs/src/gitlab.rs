//! GitLab (gitlab.com and self-managed), over its REST API v4: projects created in a group
//! or subgroup (`acme/platform`) or under the token's user, pushed with the token (user
//! `oauth2`), the default branch protected, lists followed page by page.
use std::time::Duration;

use percent_encoding::{NON_ALPHANUMERIC, utf8_percent_encode};
use serde_json::{Value, json};

use crate::provider::{
    API_DEADLINE, ProviderError, RemoteRepo, RepoSpec, Token, TokenInfo, VcsProvider, github_host,
    json_call, network, next_link,
};

/// gitlab.com's API.
pub const GITLAB_API: &str = "https://gitlab.com/api/v4";

/// GitLab, over the REST API v4.
pub struct GitLab {
    api_url: String,
    host: String,
    token: Option<Token>,
    http: reqwest::blocking::Client,
    deadline: Duration,
}

impl std::fmt::Debug for GitLab {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("GitLab")
            .field("api_url", &self.api_url)
            .field("token", &self.token)
            .finish()
    }
}

/// A path as one segment of a URL (`acme/platform` → `acme%2Fplatform`), as GitLab takes
/// a group's or project's full path in place of its id.
fn enc(path: &str) -> String {
    utf8_percent_encode(path, NON_ALPHANUMERIC).to_string()
}

/// GitLab's error message: text, or an object of field → messages.
fn message_of(v: &Value) -> String {
    match &v["message"] {
        Value::String(s) => s.clone(),
        Value::Object(m) => m
            .iter()
            .map(|(k, v)| {
                let msgs: Vec<String> = v
                    .as_array()
                    .map(|a| {
                        a.iter()
                            .filter_map(|x| x.as_str().map(str::to_string))
                            .collect()
                    })
                    .unwrap_or_else(|| vec![v.to_string()]);
                format!("{k} {}", msgs.join(", "))
            })
            .collect::<Vec<_>>()
            .join("; "),
        Value::Array(a) => a
            .iter()
            .filter_map(|x| x.as_str())
            .collect::<Vec<_>>()
            .join("; "),
        _ => v["error_description"]
            .as_str()
            .or_else(|| v["error"].as_str())
            .unwrap_or_default()
            .to_string(),
    }
}

fn remote(v: &Value) -> RemoteRepo {
    RemoteRepo {
        full_name: v["path_with_namespace"].as_str().unwrap_or_default().into(),
        clone_url: v["http_url_to_repo"].as_str().unwrap_or_default().into(),
        html_url: v["web_url"].as_str().unwrap_or_default().into(),
        private: v["visibility"].as_str() != Some("public"),
    }
}

impl GitLab {
    /// A client of the API at `api_url` (`https://gitlab.com/api/v4`, or a self-managed
    /// server's `https://HOST/api/v4`), with `token` when there is one.
    pub fn new(api_url: &str, token: Option<Token>) -> Result<GitLab, ProviderError> {
        let host = github_host(api_url);
        let http = reqwest::blocking::Client::builder()
            .user_agent(concat!("nskit/", env!("CARGO_PKG_VERSION")))
            .connect_timeout(Duration::from_secs(10))
            .timeout(API_DEADLINE)
            .build()
            .map_err(|e| network(&host, e))?;
        Ok(GitLab {
            api_url: api_url.trim_end_matches('/').to_string(),
            host,
            token,
            http,
            deadline: API_DEADLINE,
        })
    }

    fn request(&self, method: reqwest::Method, path: &str) -> reqwest::blocking::RequestBuilder {
        let url = if path.starts_with("http") {
            path.to_string()
        } else {
            format!("{}{path}", self.api_url)
        };
        let mut r = self.http.request(method, url);
        if let Some(t) = &self.token {
            r = r.header("PRIVATE-TOKEN", t.expose());
        }
        r
    }

    /// Sends a request; an error status becomes the matching [`ProviderError`].
    pub fn send(
        &self,
        method: reqwest::Method,
        path: &str,
        body: Option<&Value>,
        what: &str,
    ) -> Result<(reqwest::header::HeaderMap, Value), ProviderError> {
        let (status, headers, v) = json_call(
            self.request(method, path),
            body,
            &self.host,
            &self.api_url,
            self.deadline,
            what,
            "GitLab's JSON (GitLab's API URL ends in /api/v4)",
        )?;
        if (200..300).contains(&status) {
            return Ok((headers, v));
        }
        let message = message_of(&v);
        Err(match status {
            401 => ProviderError::Unauthorized {
                host: self.host.clone(),
                status: format!("401 {message}"),
                hint: format!(
                    "store a valid token with `nskit auth login gitlab --host {}`, or set GITLAB_TOKEN",
                    self.host
                ),
            },
            403 => ProviderError::Forbidden {
                host: self.host.clone(),
                what: what.to_string(),
                message,
                scopes: (v["error"].as_str() == Some("insufficient_scope")).then(|| "api".into()),
            },
            404 => ProviderError::NotFound {
                host: self.host.clone(),
                what: what.to_string(),
            },
            429 => ProviderError::RateLimited {
                host: self.host.clone(),
                reset: headers
                    .get("ratelimit-reset")
                    .and_then(|h| h.to_str().ok())
                    .and_then(|r| r.parse::<i64>().ok())
                    .and_then(|r| chrono::DateTime::from_timestamp(r, 0))
                    .map(|t| t.format("%Y-%m-%d %H:%M UTC").to_string())
                    .unwrap_or_else(|| "a later time".into()),
            },
            _ => ProviderError::Api {
                host: self.host.clone(),
                status,
                message,
            },
        })
    }

    /// Every item of a paginated list: `X-Next-Page`, else `Link: rel="next"`.
    pub fn paginate(&self, path: &str, what: &str) -> Result<Vec<Value>, ProviderError> {
        let sep = if path.contains('?') { '&' } else { '?' };
        let first = format!("{path}{sep}per_page=100");
        let mut next = Some(first.clone());
        let mut out = vec![];
        let mut pages = 0;
        while let Some(p) = next.take() {
            pages += 1;
            if pages > 1000 {
                break;
            }
            let (headers, v) = self.send(reqwest::Method::GET, &p, None, what)?;
            match v {
                Value::Array(items) => out.extend(items),
                _ => {
                    return Err(ProviderError::Api {
                        host: self.host.clone(),
                        status: 200,
                        message: format!("{what}: expected a list"),
                    });
                }
            }
            let header = |k: &str| {
                headers
                    .get(k)
                    .and_then(|h| h.to_str().ok())
                    .map(str::to_string)
            };
            next = match header("x-next-page").filter(|n| !n.trim().is_empty()) {
                Some(n) => Some(format!("{first}&page={}", n.trim())),
                None => header("link").as_deref().and_then(next_link),
            };
        }
        Ok(out)
    }

    /// The token's user and its scopes (when the host says them).
    pub fn whoami(&self) -> Result<TokenInfo, ProviderError> {
        let (_, v) = self.send(reqwest::Method::GET, "/user", None, "the token's user")?;
        let scopes = self
            .send(
                reqwest::Method::GET,
                "/personal_access_tokens/self",
                None,
                "the token's scopes",
            )
            .ok()
            .and_then(|(_, t)| t["scopes"].as_array().cloned())
            .unwrap_or_default()
            .iter()
            .filter_map(|s| s.as_str().map(str::to_string))
            .collect();
        Ok(TokenInfo {
            login: v["username"].as_str().unwrap_or_default().to_string(),
            scopes,
        })
    }

    fn username(&self) -> Result<String, ProviderError> {
        let login = self.whoami()?.login;
        if login.is_empty() {
            return Err(ProviderError::Api {
                host: self.host.clone(),
                status: 200,
                message: "no username in /user".into(),
            });
        }
        Ok(login)
    }

    /// A group (or subgroup) by its full path: its id.
    fn group(&self, path: &str) -> Result<u64, ProviderError> {
        let (_, v) = self
            .send(
                reqwest::Method::GET,
                &format!("/groups/{}", enc(path)),
                None,
                &format!("group {path}"),
            )
            .map_err(|e| match e {
                ProviderError::NotFound { host, .. } => ProviderError::NotFound {
                    host,
                    what: format!("group {path} (or the token cannot see it)"),
                },
                e => e,
            })?;
        v["id"].as_u64().ok_or_else(|| ProviderError::Api {
            host: self.host.clone(),
            status: 200,
            message: format!("group {path} has no id"),
        })
    }

    fn project(&self, full: &str) -> Result<Option<Value>, ProviderError> {
        match self.send(
            reqwest::Method::GET,
            &format!("/projects/{}", enc(full)),
            None,
            &format!("project {full}"),
        ) {
            Ok((_, v)) => Ok(Some(v)),
            Err(ProviderError::NotFound { .. }) => Ok(None),
            Err(e) => Err(e),
        }
    }
}

impl VcsProvider for GitLab {
    fn name(&self) -> &str {
        "GitLab"
    }

    fn host(&self) -> &str {
        &self.host
    }

    fn find(&self, owner: Option<&str>, name: &str) -> Result<Option<RemoteRepo>, ProviderError> {
        let owner = match owner {
            Some(o) => o.to_string(),
            None => self.username()?,
        };
        Ok(self
            .project(&format!("{owner}/{name}"))?
            .as_ref()
            .map(remote))
    }

    fn create(&self, spec: &RepoSpec) -> Result<RemoteRepo, ProviderError> {
        if self.token.is_none() {
            return Err(ProviderError::Unauthorized {
                host: self.host.clone(),
                status: "no token".into(),
                hint: format!(
                    "store one with `nskit auth login gitlab --host {}`, or set GITLAB_TOKEN",
                    self.host
                ),
            });
        }
        let (namespace_id, owner) = match &spec.organisation {
            Some(g) => (Some(self.group(g)?), g.clone()),
            None => (None, self.username()?),
        };
        let mut body = json!({
            "name": spec.name,
            "path": spec.name,
            "visibility": if spec.private { "private" } else { "public" },
            "description": spec.description.clone().unwrap_or_default(),
            "initialize_with_readme": false,
        });
        if let Some(b) = body.as_object_mut() {
            if let Some(id) = namespace_id {
                b.insert("namespace_id".into(), id.into());
            }
            if !spec.topics.is_empty() {
                b.insert("topics".into(), json!(spec.topics));
            }
            for (k, v) in &spec.settings {
                // The name, place, visibility and first commit are nskit's to decide.
                if !matches!(
                    k.as_str(),
                    "name" | "path" | "namespace_id" | "visibility" | "initialize_with_readme"
                ) {
                    b.insert(k.clone(), v.clone());
                }
            }
        }
        let full_name = format!("{owner}/{}", spec.name);
        match self.send(
            reqwest::Method::POST,
            "/projects",
            Some(&body),
            &format!("create projects in {owner}"),
        ) {
            Ok((_, v)) => Ok(remote(&v)),
            Err(ProviderError::Api {
                status: 400,
                message,
                ..
            }) if message.contains("has already been taken") => {
                let clone_url = self
                    .project(&full_name)
                    .ok()
                    .flatten()
                    .and_then(|v| v["http_url_to_repo"].as_str().map(str::to_string))
                    .unwrap_or_else(|| format!("https://{}/{full_name}.git", self.host));
                Err(ProviderError::AlreadyExists {
                    host: self.host.clone(),
                    full_name,
                    clone_url,
                })
            }
            Err(e) => Err(e),
        }
    }

    fn push_credentials(&self) -> Option<(String, Token)> {
        self.token.clone().map(|t| ("oauth2".to_string(), t))
    }

    fn whoami(&self) -> Result<TokenInfo, ProviderError> {
        GitLab::whoami(self)
    }

    fn list(&self, owner: Option<&str>) -> Result<Vec<RemoteRepo>, ProviderError> {
        let items = match owner {
            Some(g) => self.paginate(
                &format!(
                    "/groups/{}/projects?include_subgroups=true&order_by=path&sort=asc",
                    enc(g)
                ),
                &format!("the projects of {g}"),
            )?,
            None => self.paginate(
                "/projects?owned=true&order_by=path&sort=asc",
                "your projects",
            )?,
        };
        Ok(items.iter().map(remote).collect())
    }

    fn configure(
        &self,
        repo: &RemoteRepo,
        branch: &str,
        spec: &RepoSpec,
    ) -> Result<Vec<String>, ProviderError> {
        let mut warnings = vec![];
        let project = enc(&repo.full_name);
        if let Some(p) = spec.branch_protection.as_ref().filter(|p| p.enabled) {
            // Maintainers push and merge; GitLab may have protected the default branch
            // on the first push already, in which case its settings are changed.
            let rules = json!({
                "allow_force_push": p.allow_force_pushes,
                "code_owner_approval_required": p.require_code_owner_reviews,
            });
            let mut create = json!({
                "name": branch,
                "push_access_level": 40,
                "merge_access_level": 40,
            });
            if let (Some(c), Some(r)) = (create.as_object_mut(), rules.as_object()) {
                c.extend(r.clone());
            }
            let what = format!("protect the branch {branch} of {}", repo.full_name);
            match self.send(
                reqwest::Method::POST,
                &format!("/projects/{project}/protected_branches"),
                Some(&create),
                &what,
            ) {
                Ok(_) => {}
                Err(ProviderError::Api { status: 409, .. }) => {
                    self.send(
                        reqwest::Method::PATCH,
                        &format!("/projects/{project}/protected_branches/{}", enc(branch)),
                        Some(&rules),
                        &what,
                    )?;
                }
                Err(e) => return Err(e),
            }
            // What GitLab keeps as project settings rather than on the branch.
            let mut settings = serde_json::Map::new();
            if !p.required_status_checks.is_empty() {
                settings.insert("only_allow_merge_if_pipeline_succeeds".into(), true.into());
            }
            if p.require_conversation_resolution {
                settings.insert(
                    "only_allow_merge_if_all_discussions_are_resolved".into(),
                    true.into(),
                );
            }
            if !settings.is_empty() {
                self.send(
                    reqwest::Method::PUT,
                    &format!("/projects/{project}"),
                    Some(&Value::Object(settings)),
                    &format!("set the merge checks of {}", repo.full_name),
                )?;
            }
            let mut unset = vec![];
            if p.required_approving_review_count.is_some() {
                unset.push("required_approving_review_count (GitLab's approval rules)");
            }
            if p.dismiss_stale_reviews {
                unset.push("dismiss_stale_reviews");
            }
            if p.enforce_admins {
                unset.push("enforce_admins");
            }
            if p.allow_deletions {
                unset.push("allow_deletions (a protected branch cannot be deleted on GitLab)");
            }
            if !unset.is_empty() {
                warnings.push(format!(
                    "GitLab has no branch setting for {}: not applied to {}",
                    unset.join(", "),
                    repo.full_name
                ));
            }
        }
        if !spec.custom_properties.is_empty() {
            warnings.push(
                "GitLab has no custom properties: `custom_properties` was not applied".into(),
            );
        }
        Ok(warnings)
    }
}
