//! Git hosts: create a project's remote repository and push its first commit. GitHub (and
//! GitHub Enterprise, through its API URL) is the first [`VcsProvider`]. Tokens are held in
//! [`Token`], which never prints itself, and go only into the API's `Authorization` header
//! and git's credential callback, never into a URL, a file or a message.
use std::time::Duration;

use serde_json::{Value, json};

/// A secret token. `Debug` and `Display` hide it.
#[derive(Clone, PartialEq, Eq)]
pub struct Token(String);

impl Token {
    /// Wraps a token, registering it so that no message nskit prints shows it (a host
    /// may echo it in an error).
    pub fn new(t: impl Into<String>) -> Token {
        let t = t.into();
        nskit_secret::register(&t);
        Token(t)
    }

    /// The token itself, for the one place that sends it.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Debug for Token {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Token(<hidden>)")
    }
}

/// What a repository is created with.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct RepoSpec {
    /// The repository's name (the project's).
    pub name: String,
    /// The organisation; the token's user when `None`.
    pub organisation: Option<String>,
    /// Private (the default) or public.
    pub private: bool,
    /// The description.
    pub description: Option<String>,
    /// Topics to set after creation.
    pub topics: Vec<String>,
    /// More of the host's repository settings, sent as they are (`has_wiki: false`,
    /// `delete_branch_on_merge: true`, `allow_squash_merge: true`).
    pub settings: serde_json::Map<String, Value>,
    /// Protection of the default branch, after the first push.
    pub branch_protection: Option<BranchProtection>,
    /// The organisation's custom properties of the repository (GitHub).
    pub custom_properties: serde_json::Map<String, Value>,
}

/// Protection of the default branch, set once the first commit is pushed (the original's
/// `GITHUB_BRANCH_PROTECTION_*`). Each host applies what it has.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BranchProtection {
    /// Protect the branch (set `false` to keep the settings but not apply them).
    #[serde(default = "yes")]
    pub enabled: bool,
    /// Reviews a pull request needs before it merges (none asked when absent).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub required_approving_review_count: Option<u32>,
    /// The code owners must review.
    #[serde(default)]
    pub require_code_owner_reviews: bool,
    /// A new push dismisses earlier approvals.
    #[serde(default)]
    pub dismiss_stale_reviews: bool,
    /// Every review conversation must be resolved.
    #[serde(default)]
    pub require_conversation_resolution: bool,
    /// Administrators are held to the rules too.
    #[serde(default)]
    pub enforce_admins: bool,
    /// The status checks that must pass (`ci`, `lint`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub required_status_checks: Vec<String>,
    /// Force pushes are allowed.
    #[serde(default)]
    pub allow_force_pushes: bool,
    /// The branch may be deleted.
    #[serde(default)]
    pub allow_deletions: bool,
}

fn yes() -> bool {
    true
}

/// A repository on the host.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RemoteRepo {
    /// `owner/name`.
    pub full_name: String,
    /// The URL to push to (HTTPS, no credentials in it).
    pub clone_url: String,
    /// The page people open.
    pub html_url: String,
    /// Whether it is private.
    pub private: bool,
}

/// What can go wrong with a git host. Messages say what to do; none carries a token.
#[derive(Debug, thiserror::Error)]
pub enum ProviderError {
    /// No token, or a token the host refuses.
    #[error("{host} refused the token ({status}): {hint}")]
    Unauthorized {
        /// The host.
        host: String,
        /// `401 Bad credentials`, `no token`.
        status: String,
        /// How to fix it.
        hint: String,
    },
    /// The token lacks a permission or scope.
    #[error("{host} does not let this token {what}: {message}{}", scopes.as_ref().map(|s| format!(" (the token needs the scope: {s})")).unwrap_or_default())]
    Forbidden {
        /// The host.
        host: String,
        /// What was tried.
        what: String,
        /// The host's message.
        message: String,
        /// The scopes the host wants (`X-Accepted-OAuth-Scopes`).
        scopes: Option<String>,
    },
    /// The API's rate limit is used up.
    #[error(
        "{host}'s API rate limit is used up; it resets at {reset} (set a token to get a higher limit)"
    )]
    RateLimited {
        /// The host.
        host: String,
        /// When it resets, as a UTC time.
        reset: String,
    },
    /// The repository exists already.
    #[error(
        "a repository named {full_name} already exists on {host}; choose another project name, or push this project to it yourself (`git remote add origin {clone_url}` then `git push -u origin HEAD`)"
    )]
    AlreadyExists {
        /// The host.
        host: String,
        /// `owner/name`.
        full_name: String,
        /// Its clone URL.
        clone_url: String,
    },
    /// Something does not exist (an organisation).
    #[error("{host} has no {what} (404)")]
    NotFound {
        /// The host.
        host: String,
        /// What.
        what: String,
    },
    /// The host cannot be reached.
    #[error("cannot reach {host}: {message}")]
    Network {
        /// The host.
        host: String,
        /// What happened.
        message: String,
    },
    /// A plug-in provider failed, or answered outside the protocol.
    #[error("{message}")]
    Plugin {
        /// The provider.
        provider: String,
        /// What happened, naming the plug-in.
        message: String,
    },
    /// The provider cannot do this.
    #[error("{provider} cannot {what}")]
    Unsupported {
        /// The provider.
        provider: String,
        /// What was asked.
        what: String,
    },
    /// Any other answer.
    #[error("{host} answered {status}: {message}")]
    Api {
        /// The host.
        host: String,
        /// The HTTP status.
        status: u16,
        /// The host's message.
        message: String,
    },
    /// The push failed.
    #[error("the push to {url} failed: {message}")]
    Push {
        /// Where to.
        url: String,
        /// Why (the server's own words when it gave any).
        message: String,
    },
}

/// A git host that can create repositories.
pub trait VcsProvider: Send + Sync {
    /// Its name for people (`GitHub`).
    fn name(&self) -> &str;

    /// The host (`github.com`, `github.example.com`).
    fn host(&self) -> &str;

    /// Whether `owner/name` exists (the organisation's or the user's when `owner` is `None`).
    fn exists(&self, owner: Option<&str>, name: &str) -> Result<bool, ProviderError> {
        Ok(self.find(owner, name)?.is_some())
    }

    /// The repository `owner/name`, if it exists.
    fn find(&self, owner: Option<&str>, name: &str) -> Result<Option<RemoteRepo>, ProviderError>;

    /// Creates a repository.
    fn create(&self, spec: &RepoSpec) -> Result<RemoteRepo, ProviderError>;

    /// The user name and token git pushes with.
    fn push_credentials(&self) -> Option<(String, Token)>;

    /// The token's user and scopes.
    fn whoami(&self) -> Result<TokenInfo, ProviderError> {
        Err(ProviderError::Unsupported {
            provider: self.name().to_string(),
            what: "say whose token it has".into(),
        })
    }

    /// Every repository of `owner` (the organisation or group; the token's user when
    /// `None`), following the host's pagination.
    fn list(&self, owner: Option<&str>) -> Result<Vec<RemoteRepo>, ProviderError> {
        let _ = owner;
        Err(ProviderError::Unsupported {
            provider: self.name().to_string(),
            what: "list repositories".into(),
        })
    }

    /// Applies what is set once the first commit is pushed: the protection of `branch`
    /// and custom properties. What the host cannot apply comes back as warnings.
    fn configure(
        &self,
        repo: &RemoteRepo,
        branch: &str,
        spec: &RepoSpec,
    ) -> Result<Vec<String>, ProviderError> {
        let _ = (repo, branch);
        let mut warnings = vec![];
        if spec.branch_protection.as_ref().is_some_and(|p| p.enabled) {
            warnings.push(format!(
                "{} has no branch protection nskit can set: `branch_protection` was not applied",
                self.name()
            ));
        }
        if !spec.custom_properties.is_empty() {
            warnings.push(format!(
                "{} has no custom properties: `custom_properties` was not applied",
                self.name()
            ));
        }
        Ok(warnings)
    }
}

/// GitHub and GitHub Enterprise, over the REST API.
pub struct GitHub {
    api_url: String,
    host: String,
    token: Option<Token>,
    http: reqwest::blocking::Client,
    /// How long an API call and a download may take.
    deadlines: (Duration, Duration),
}

impl std::fmt::Debug for GitHub {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("GitHub")
            .field("api_url", &self.api_url)
            .field("token", &self.token)
            .finish()
    }
}

/// A token's user and scopes, as the host reports them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TokenInfo {
    /// The user's login.
    pub login: String,
    /// The scopes (classic tokens); empty when the host lists none.
    pub scopes: Vec<String>,
}

/// Reads a reply's body, refusing more than `limit` bytes or a body that is not whole
/// `deadline` after `start` (a server trickling bytes cannot hold nskit).
pub(crate) fn read_bounded(
    host: &str,
    api_url: &str,
    mut res: reqwest::blocking::Response,
    limit: u64,
    start: std::time::Instant,
    deadline: Duration,
    what: &str,
) -> Result<Vec<u8>, ProviderError> {
    use std::io::Read;
    let too_large = || ProviderError::Network {
        host: host.to_string(),
        message: format!(
            "{what} is larger than {} MiB, more than nskit reads; is the API URL {} right?",
            limit >> 20,
            api_url
        ),
    };
    if res.content_length().is_some_and(|n| n > limit) {
        return Err(too_large());
    }
    let late = || ProviderError::Network {
        host: host.to_string(),
        message: format!(
            "{what} did not arrive whole within {} s",
            deadline.as_secs()
        ),
    };
    let mut out = Vec::new();
    let mut buf = vec![0u8; 64 * 1024];
    loop {
        if start.elapsed() > deadline {
            return Err(late());
        }
        let n = match res.read(&mut buf) {
            Ok(n) => n,
            // The client's own timeout for this request is the same deadline.
            Err(_) if start.elapsed() + Duration::from_millis(250) >= deadline => {
                return Err(late());
            }
            Err(e) => {
                return Err(ProviderError::Network {
                    host: host.to_string(),
                    message: e.to_string(),
                });
            }
        };
        if n == 0 {
            return Ok(out);
        }
        if out.len() as u64 + n as u64 > limit {
            return Err(too_large());
        }
        out.extend_from_slice(&buf[..n]);
    }
}

/// Sends a request (with `body` as JSON) and reads its answer as JSON, held to `deadline`
/// and [`MAX_API_REPLY`]: the status, the headers and the JSON (`null` for an empty body).
/// An answer that is not JSON is an error saying the API URL may be wrong.
pub(crate) fn json_call(
    request: reqwest::blocking::RequestBuilder,
    body: Option<&Value>,
    host: &str,
    api_url: &str,
    deadline: Duration,
    what: &str,
    dialect: &str,
) -> Result<(u16, reqwest::header::HeaderMap, Value), ProviderError> {
    let request = match body {
        Some(b) => request.json(b),
        None => request,
    };
    let start = std::time::Instant::now();
    let res = request.send().map_err(|e| network(host, e))?;
    let status = res.status().as_u16();
    let headers = res.headers().clone();
    let bytes = read_bounded(host, api_url, res, MAX_API_REPLY, start, deadline, what)?;
    let text = String::from_utf8_lossy(&bytes);
    if text.trim().is_empty() {
        return Ok((status, headers, Value::Null));
    }
    let v = serde_json::from_str(&text).map_err(|_| ProviderError::Api {
        host: host.to_string(),
        status,
        message: format!("an answer that is not {dialect} (is the API URL {api_url} right?)"),
    })?;
    Ok((status, headers, v))
}

/// A request that did not get an answer, as an error naming the host.
pub(crate) fn network(host: &str, e: reqwest::Error) -> ProviderError {
    // reqwest's message names the URL, never the Authorization header.
    let mut msg = e.to_string();
    let mut cur: &dyn std::error::Error = &e;
    while let Some(next) = cur.source() {
        msg = next.to_string();
        cur = next;
    }
    ProviderError::Network {
        host: host.to_string(),
        message: msg,
    }
}

/// The public GitHub API.
pub const GITHUB_API: &str = "https://api.github.com";

/// The web host of an API URL: `api.github.com` → `github.com`; an Enterprise server's
/// own host (`https://ghe.example.com/api/v3` → `ghe.example.com`).
pub fn github_host(api_url: &str) -> String {
    let u = api_url.trim();
    let u = u
        .strip_prefix("https://")
        .or_else(|| u.strip_prefix("http://"))
        .unwrap_or(u);
    let host = u.split('/').next().unwrap_or(u);
    if host == "api.github.com" {
        "github.com".into()
    } else {
        host.to_string()
    }
}

/// The largest JSON reply read from a git host: far above any real page.
pub const MAX_API_REPLY: u64 = 8 << 20;
/// The largest archive downloaded from a git host (a release's source).
pub const MAX_DOWNLOAD: u64 = 512 << 20;
/// How long an API call may take, start to end.
pub const API_DEADLINE: Duration = Duration::from_secs(60);
/// How long a download may take, start to end.
pub const DOWNLOAD_DEADLINE: Duration = Duration::from_secs(600);

impl GitHub {
    /// A client of the API at `api_url` (`https://api.github.com`, or an Enterprise
    /// server's `https://HOST/api/v3`), with `token` when there is one.
    pub fn new(api_url: &str, token: Option<Token>) -> Result<GitHub, ProviderError> {
        let host = github_host(api_url);
        let http = reqwest::blocking::Client::builder()
            .user_agent(concat!("nskit/", env!("CARGO_PKG_VERSION")))
            .connect_timeout(Duration::from_secs(10))
            // The longest a request may take; API calls are given less, and
            // `read_bounded` holds every body to its deadline.
            .timeout(DOWNLOAD_DEADLINE)
            .build()
            .map_err(|e| ProviderError::Network {
                host: host.clone(),
                message: e.to_string(),
            })?;
        Ok(GitHub {
            api_url: api_url.trim_end_matches('/').to_string(),
            host,
            token,
            http,
            deadlines: (API_DEADLINE, DOWNLOAD_DEADLINE),
        })
    }

    /// The same client with other deadlines for API calls and downloads.
    pub fn with_deadlines(mut self, api: Duration, download: Duration) -> GitHub {
        self.deadlines = (api, download);
        self
    }

    fn request(&self, method: reqwest::Method, path: &str) -> reqwest::blocking::RequestBuilder {
        let url = if path.starts_with("http") {
            path.to_string()
        } else {
            format!("{}{path}", self.api_url)
        };
        let mut r = self
            .http
            .request(method, url)
            .header("Accept", "application/vnd.github+json")
            .header("X-GitHub-Api-Version", "2022-11-28");
        if let Some(t) = &self.token {
            r = r.bearer_auth(t.expose());
        }
        r
    }

    fn network(&self, e: reqwest::Error) -> ProviderError {
        network(&self.host, e)
    }

    /// Sends a request; an error status becomes the matching [`ProviderError`].
    pub fn send(
        &self,
        method: reqwest::Method,
        path: &str,
        body: Option<&Value>,
        what: &str,
    ) -> Result<(reqwest::header::HeaderMap, Value), ProviderError> {
        let r = self.request(method, path).timeout(self.deadlines.0);
        let (status, headers, v) = json_call(
            r,
            body,
            &self.host,
            &self.api_url,
            self.deadlines.0,
            what,
            "GitHub's JSON",
        )?;
        if (200..300).contains(&status) {
            return Ok((headers, v));
        }
        let message = v["message"].as_str().unwrap_or("").to_string();
        let header = |k: &str| {
            headers
                .get(k)
                .and_then(|h| h.to_str().ok())
                .map(str::to_string)
        };
        Err(match status {
            401 => ProviderError::Unauthorized {
                host: self.host.clone(),
                status: format!("401 {message}"),
                hint: format!(
                    "store a valid token with `nskit auth login github --host {}`, or set GITHUB_TOKEN",
                    self.host
                ),
            },
            403 | 429 if header("x-ratelimit-remaining").as_deref() == Some("0") => {
                let reset = header("x-ratelimit-reset")
                    .and_then(|r| r.parse::<i64>().ok())
                    .and_then(|r| chrono::DateTime::from_timestamp(r, 0))
                    .map(|t| t.format("%Y-%m-%d %H:%M UTC").to_string())
                    .unwrap_or_else(|| "a later time".into());
                ProviderError::RateLimited {
                    host: self.host.clone(),
                    reset,
                }
            }
            403 => ProviderError::Forbidden {
                host: self.host.clone(),
                what: what.to_string(),
                message,
                scopes: header("x-accepted-oauth-scopes").filter(|s| !s.is_empty()),
            },
            404 => ProviderError::NotFound {
                host: self.host.clone(),
                what: what.to_string(),
            },
            _ => {
                let details: Vec<String> = v["errors"]
                    .as_array()
                    .map(|a| {
                        a.iter()
                            .filter_map(|e| e["message"].as_str().map(str::to_string))
                            .collect()
                    })
                    .unwrap_or_default();
                ProviderError::Api {
                    host: self.host.clone(),
                    status,
                    message: if details.is_empty() {
                        message
                    } else {
                        format!("{message} {}", details.join("; "))
                    },
                }
            }
        })
    }

    /// Who the token is: its user's login, and the scopes GitHub lists for it
    /// (`X-OAuth-Scopes`; empty for fine-grained tokens, which have none to list).
    pub fn whoami(&self) -> Result<TokenInfo, ProviderError> {
        let (headers, v) = self.send(reqwest::Method::GET, "/user", None, "the token's user")?;
        let scopes = headers
            .get("x-oauth-scopes")
            .and_then(|h| h.to_str().ok())
            .map(|s| {
                s.split(',')
                    .map(|x| x.trim().to_string())
                    .filter(|x| !x.is_empty())
                    .collect()
            })
            .unwrap_or_default();
        Ok(TokenInfo {
            login: v["login"].as_str().unwrap_or_default().to_string(),
            scopes,
        })
    }

    /// The bytes at `path` (a source archive), following redirects.
    pub fn download(&self, path: &str, what: &str) -> Result<Vec<u8>, ProviderError> {
        let start = std::time::Instant::now();
        let res = self
            .request(reqwest::Method::GET, path)
            .send()
            .map_err(|e| self.network(e))?;
        let status = res.status().as_u16();
        if status == 404 {
            return Err(ProviderError::NotFound {
                host: self.host.clone(),
                what: what.to_string(),
            });
        }
        if !(200..300).contains(&status) {
            return Err(ProviderError::Api {
                host: self.host.clone(),
                status,
                message: format!("cannot download {what}"),
            });
        }
        read_bounded(
            &self.host,
            &self.api_url,
            res,
            MAX_DOWNLOAD,
            start,
            self.deadlines.1,
            what,
        )
    }

    /// Every item of a paginated list, following the `Link: rel="next"` headers.
    pub fn paginate(&self, path: &str, what: &str) -> Result<Vec<Value>, ProviderError> {
        let sep = if path.contains('?') { '&' } else { '?' };
        let mut next = Some(format!("{path}{sep}per_page=100"));
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
            next = headers
                .get("link")
                .and_then(|l| l.to_str().ok())
                .and_then(next_link);
        }
        Ok(out)
    }

    fn owner(&self, organisation: Option<&str>) -> Result<String, ProviderError> {
        match organisation {
            Some(o) => Ok(o.to_string()),
            None => {
                let (_, v) = self.send(reqwest::Method::GET, "/user", None, "the token's user")?;
                v["login"]
                    .as_str()
                    .map(str::to_string)
                    .ok_or_else(|| ProviderError::Api {
                        host: self.host.clone(),
                        status: 200,
                        message: "no login in /user".into(),
                    })
            }
        }
    }
}

/// The `rel="next"` URL of a `Link` header.
pub fn next_link(link: &str) -> Option<String> {
    link.split(',').find_map(|part| {
        let (url, rel) = part.split_once(';')?;
        rel.contains("rel=\"next\"").then(|| {
            url.trim()
                .trim_start_matches('<')
                .trim_end_matches('>')
                .to_string()
        })
    })
}

fn remote(v: &Value) -> RemoteRepo {
    RemoteRepo {
        full_name: v["full_name"].as_str().unwrap_or_default().to_string(),
        clone_url: v["clone_url"].as_str().unwrap_or_default().to_string(),
        html_url: v["html_url"].as_str().unwrap_or_default().to_string(),
        private: v["private"].as_bool().unwrap_or(true),
    }
}

impl VcsProvider for GitHub {
    fn name(&self) -> &str {
        "GitHub"
    }

    fn host(&self) -> &str {
        &self.host
    }

    fn find(&self, owner: Option<&str>, name: &str) -> Result<Option<RemoteRepo>, ProviderError> {
        let owner = self.owner(owner)?;
        match self.send(
            reqwest::Method::GET,
            &format!("/repos/{owner}/{name}"),
            None,
            &format!("repository {owner}/{name}"),
        ) {
            Ok((_, v)) => Ok(Some(remote(&v))),
            Err(ProviderError::NotFound { .. }) => Ok(None),
            Err(e) => Err(e),
        }
    }

    fn create(&self, spec: &RepoSpec) -> Result<RemoteRepo, ProviderError> {
        if self.token.is_none() {
            return Err(ProviderError::Unauthorized {
                host: self.host.clone(),
                status: "no token".into(),
                hint: format!(
                    "store one with `nskit auth login github --host {}`, or set GITHUB_TOKEN",
                    self.host
                ),
            });
        }
        let owner = self.owner(spec.organisation.as_deref())?;
        let path = match &spec.organisation {
            Some(o) => format!("/orgs/{o}/repos"),
            None => "/user/repos".into(),
        };
        let mut body = json!({
            "name": spec.name,
            "private": spec.private,
            "description": spec.description.clone().unwrap_or_default(),
            "auto_init": false,
        });
        if let Some(b) = body.as_object_mut() {
            for (k, v) in &spec.settings {
                // The name, visibility and initial commit are nskit's to decide.
                if !matches!(k.as_str(), "name" | "private" | "visibility" | "auto_init") {
                    b.insert(k.clone(), v.clone());
                }
            }
        }
        let created = self.send(
            reqwest::Method::POST,
            &path,
            Some(&body),
            &format!("create repositories in {owner}"),
        );
        let (_, v) = match created {
            Err(ProviderError::Api {
                status: 422,
                message,
                ..
            }) if message.contains("already exists") => {
                let full_name = format!("{owner}/{}", spec.name);
                let clone_url = self
                    .send(
                        reqwest::Method::GET,
                        &format!("/repos/{full_name}"),
                        None,
                        "the existing repository",
                    )
                    .ok()
                    .and_then(|(_, v)| v["clone_url"].as_str().map(str::to_string))
                    .unwrap_or_else(|| format!("https://{}/{full_name}.git", self.host));
                return Err(ProviderError::AlreadyExists {
                    host: self.host.clone(),
                    full_name,
                    clone_url,
                });
            }
            Err(ProviderError::NotFound { .. }) if spec.organisation.is_some() => {
                return Err(ProviderError::NotFound {
                    host: self.host.clone(),
                    what: format!("organisation {owner}"),
                });
            }
            other => other?,
        };
        let repo = remote(&v);
        if !spec.topics.is_empty() {
            self.send(
                reqwest::Method::PUT,
                &format!("/repos/{}/topics", repo.full_name),
                Some(&json!({ "names": spec.topics })),
                "set topics",
            )?;
        }
        Ok(repo)
    }

    fn push_credentials(&self) -> Option<(String, Token)> {
        self.token
            .clone()
            .map(|t| ("x-access-token".to_string(), t))
    }

    fn whoami(&self) -> Result<TokenInfo, ProviderError> {
        GitHub::whoami(self)
    }

    fn list(&self, owner: Option<&str>) -> Result<Vec<RemoteRepo>, ProviderError> {
        let items = match owner {
            Some(o) => match self.paginate(
                &format!("/orgs/{o}/repos"),
                &format!("the repositories of {o}"),
            ) {
                // A user, not an organisation.
                Err(ProviderError::NotFound { .. }) => self.paginate(
                    &format!("/users/{o}/repos"),
                    &format!("the repositories of {o}"),
                )?,
                other => other?,
            },
            None => self.paginate("/user/repos?affiliation=owner", "your repositories")?,
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
        if let Some(p) = spec.branch_protection.as_ref().filter(|p| p.enabled) {
            // GitHub wants all four of these keys, `null` for "none".
            let reviews = (p.required_approving_review_count.is_some()
                || p.require_code_owner_reviews
                || p.dismiss_stale_reviews)
                .then(|| {
                    json!({
                        "required_approving_review_count": p.required_approving_review_count.unwrap_or(0),
                        "require_code_owner_reviews": p.require_code_owner_reviews,
                        "dismiss_stale_reviews": p.dismiss_stale_reviews,
                    })
                });
            let checks = (!p.required_status_checks.is_empty())
                .then(|| json!({ "strict": true, "contexts": p.required_status_checks }));
            let body = json!({
                "required_status_checks": checks,
                "enforce_admins": p.enforce_admins,
                "required_pull_request_reviews": reviews,
                "restrictions": null,
                "required_conversation_resolution": p.require_conversation_resolution,
                "allow_force_pushes": p.allow_force_pushes,
                "allow_deletions": p.allow_deletions,
            });
            self.send(
                reqwest::Method::PUT,
                &format!("/repos/{}/branches/{branch}/protection", repo.full_name),
                Some(&body),
                &format!("protect the branch {branch} of {}", repo.full_name),
            )?;
        }
        if !spec.custom_properties.is_empty() {
            match &spec.organisation {
                Some(org) => {
                    let properties: Vec<Value> = spec
                        .custom_properties
                        .iter()
                        .map(|(k, v)| json!({ "property_name": k, "value": v }))
                        .collect();
                    let name = repo.full_name.rsplit('/').next().unwrap_or(&repo.full_name);
                    self.send(
                        reqwest::Method::PATCH,
                        &format!("/orgs/{org}/properties/values"),
                        Some(&json!({ "repository_names": [name], "properties": properties })),
                        &format!("set the custom properties of {}", repo.full_name),
                    )?;
                }
                None => warnings.push(
                    "custom properties belong to an organisation's repositories: set `vcs.organisation` (they were not applied)".into(),
                ),
            }
        }
        Ok(warnings)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hosts_and_links() {
        assert_eq!(github_host("https://api.github.com"), "github.com");
        assert_eq!(
            github_host("https://ghe.example.com/api/v3"),
            "ghe.example.com"
        );
        assert_eq!(
            next_link(r#"<https://x/a?page=2>; rel="next", <https://x/a?page=5>; rel="last""#)
                .as_deref(),
            Some("https://x/a?page=2")
        );
        assert_eq!(next_link(r#"<https://x/a?page=1>; rel="prev""#), None);
        assert_eq!(format!("{:?}", Token::new("ghp_secret")), "Token(<hidden>)");
    }
}
