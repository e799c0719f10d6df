//! GitHub's REST API as nskit uses it, for tests. Tokens are checked as GitHub checks them
//! (`Authorization: Bearer` or `token`); a token's scopes decide what it may create; lists
//! are paginated with `per_page`/`page` and `Link` headers; errors have GitHub's JSON.
use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};

use serde_json::{Value, json};

use crate::{GitServer, Reply, header, json_reply, serve_api};

/// A release of a fake repository.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FakeRelease {
    /// The tag.
    pub tag: String,
    /// A draft (not public).
    pub draft: bool,
    /// A prerelease.
    pub prerelease: bool,
    /// The source archive served for the tag (a `.tar.gz`, GitHub's tarball layout).
    pub tarball: Vec<u8>,
}

/// A repository on the fake GitHub.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FakeRepo {
    /// The owner (organisation or user).
    pub owner: String,
    /// The name.
    pub name: String,
    /// Private or public.
    pub private: bool,
    /// The description.
    pub description: String,
    /// The topics.
    pub topics: Vec<String>,
    /// The releases, oldest first.
    pub releases: Vec<FakeRelease>,
    /// Branch protection by branch, as GitHub was asked to set it.
    pub protection: BTreeMap<String, Value>,
    /// The organisation's custom properties set on it.
    pub custom_properties: BTreeMap<String, Value>,
}

/// What the fake GitHub knows; tests change it between calls.
#[derive(Debug, Default)]
pub struct GitHubState {
    /// The token that authenticates, and the login it belongs to.
    pub token: String,
    /// The login of the token's user.
    pub login: String,
    /// The token's OAuth scopes (`repo`, `public_repo`); creating a private repository
    /// needs `repo`, a public one `repo` or `public_repo`.
    pub scopes: Vec<String>,
    /// The organisations.
    pub orgs: Vec<String>,
    /// The repositories by `owner/name`.
    pub repos: BTreeMap<String, FakeRepo>,
    /// Every request, as `METHOD /path?query`.
    pub requests: Vec<String>,
    /// Every `Authorization` header seen (to check tokens go only where they should).
    pub authorizations: Vec<String>,
    /// When set, every call answers 403 with GitHub's rate-limit headers.
    pub rate_limited: bool,
    /// The bodies of the repository creations asked for.
    pub created: Vec<Value>,
    /// When set, a refused token is echoed in the 401 message, as some hosts and proxies do.
    pub echo_token: bool,
}

/// A running fake GitHub; repositories it creates are bare repositories of `git`.
#[derive(Debug, Clone)]
pub struct FakeGitHub {
    /// The API's base URL (`http://127.0.0.1:PORT/api/v3`, as GitHub Enterprise's).
    pub url: String,
    /// The state, shared with the server.
    pub state: Arc<Mutex<GitHubState>>,
    /// The git server that holds the repositories' contents.
    pub git: GitServer,
}

fn repo_json(base: &str, git: &GitServer, r: &FakeRepo) -> Value {
    json!({
        "id": r.name.len() * 1000 + r.owner.len(),
        "node_id": format!("R_{}", r.name),
        "name": r.name,
        "full_name": format!("{}/{}", r.owner, r.name),
        "private": r.private,
        "visibility": if r.private { "private" } else { "public" },
        "owner": { "login": r.owner, "type": "Organization" },
        "html_url": format!("{base}/../../{}/{}", r.owner, r.name),
        "clone_url": format!("{}/{}/{}.git", git.url, r.owner, r.name),
        "url": format!("{base}/repos/{}/{}", r.owner, r.name),
        "description": r.description,
        "topics": r.topics,
        "default_branch": "main",
        "archived": false,
        "fork": false,
    })
}

fn release_json(base: &str, r: &FakeRepo, rel: &FakeRelease, i: usize) -> Value {
    json!({
        "id": i + 1,
        "tag_name": rel.tag,
        "name": rel.tag,
        "draft": rel.draft,
        "prerelease": rel.prerelease,
        "tarball_url": format!("{base}/repos/{}/{}/tarball/{}", r.owner, r.name, rel.tag),
        "zipball_url": format!("{base}/repos/{}/{}/zipball/{}", r.owner, r.name, rel.tag),
    })
}

fn query_param(query: &str, key: &str) -> Option<String> {
    query.split('&').find_map(|kv| {
        let (k, v) = kv.split_once('=')?;
        (k == key).then(|| v.to_string())
    })
}

fn reply(status: u16, body: Value) -> Reply {
    json_reply(status, &body, "application/json; charset=utf-8")
}

fn message(status: u16, text: &str) -> Reply {
    reply(
        status,
        json!({ "message": text, "documentation_url": "https://docs.github.com/rest", "status": status.to_string() }),
    )
}

/// One page of `items` with GitHub's `Link` header.
fn page(base: &str, path: &str, query: &str, items: Vec<Value>) -> Reply {
    let per_page: usize = query_param(query, "per_page")
        .and_then(|p| p.parse().ok())
        .unwrap_or(30)
        .clamp(1, 100);
    let page: usize = query_param(query, "page")
        .and_then(|p| p.parse().ok())
        .unwrap_or(1)
        .max(1);
    let last = items.len().div_ceil(per_page).max(1);
    let chunk: Vec<Value> = items
        .into_iter()
        .skip((page - 1) * per_page)
        .take(per_page)
        .collect();
    let mut r = reply(200, Value::Array(chunk));
    let link =
        |p: usize, rel: &str| format!("<{base}{path}?per_page={per_page}&page={p}>; rel=\"{rel}\"");
    let mut links = vec![];
    if page < last {
        links.push(link(page + 1, "next"));
        links.push(link(last, "last"));
    }
    if page > 1 {
        links.push(link(1, "first"));
        links.push(link(page - 1, "prev"));
    }
    if !links.is_empty() {
        r.headers.push(("Link".into(), links.join(", ")));
    }
    r
}

impl FakeGitHub {
    /// Starts the API; `git` holds the repositories it creates.
    pub fn start(git: GitServer, state: GitHubState) -> FakeGitHub {
        let server = tiny_http::Server::http("127.0.0.1:0").unwrap();
        let url = format!("http://{}/api/v3", server.server_addr().to_ip().unwrap());
        let me = FakeGitHub {
            url: url.clone(),
            state: Arc::new(Mutex::new(state)),
            git,
        };
        let state = me.state.clone();
        let git = me.git.clone();
        serve_api(
            server,
            &[("X-GitHub-Api-Version-Selected", "2022-11-28")],
            move |req, body| handle(&url, &git, &state, req, body),
        );
        me
    }

    /// Adds a repository (its bare repository is created on the git server too).
    pub fn add_repo(&self, repo: FakeRepo) {
        self.git.create_bare(&repo.owner, &repo.name);
        let key = format!("{}/{}", repo.owner, repo.name);
        self.state.lock().unwrap().repos.insert(key, repo);
    }
}

fn handle(
    base: &str,
    git: &GitServer,
    state: &Mutex<GitHubState>,
    req: &tiny_http::Request,
    body: &[u8],
) -> Reply {
    let mut st = state.lock().unwrap();
    let url = req.url().to_string();
    st.requests.push(format!("{} {url}", req.method()));
    let auth = header(req, "authorization");
    if let Some(a) = &auth {
        st.authorizations.push(a.clone());
    }
    let Some(rest) = url.strip_prefix("/api/v3") else {
        return message(404, "Not Found");
    };
    let (path, query) = rest.split_once('?').unwrap_or((rest, ""));
    if st.rate_limited {
        let mut r = message(
            403,
            "API rate limit exceeded for 127.0.0.1. (But here's the good news: Authenticated requests get a higher rate limit.)",
        );
        r.headers.push(("x-ratelimit-limit".into(), "60".into()));
        r.headers.push(("x-ratelimit-remaining".into(), "0".into()));
        r.headers
            .push(("x-ratelimit-reset".into(), "1893456000".into()));
        return r;
    }
    let token = auth
        .as_deref()
        .and_then(|a| {
            a.strip_prefix("Bearer ")
                .or_else(|| a.strip_prefix("token "))
        })
        .map(str::to_string);
    let authed = match &token {
        Some(t) if *t == st.token => true,
        Some(t) if st.echo_token => {
            return message(401, &format!("Bad credentials: the token {t} is not valid"));
        }
        Some(_) => return message(401, "Bad credentials"),
        None => false,
    };
    let seg: Vec<&str> = path.trim_matches('/').split('/').collect();
    let method = req.method().as_str().to_string();
    let scopes = st.scopes.join(", ");
    let scoped = |r: Reply| {
        let mut r = r;
        if authed {
            r.headers.push(("X-OAuth-Scopes".into(), scopes.clone()));
        }
        r
    };
    match (method.as_str(), seg.as_slice()) {
        ("GET", ["user"]) => {
            if !authed {
                return message(401, "Requires authentication");
            }
            let login = st.login.clone();
            scoped(reply(200, json!({ "login": login, "type": "User" })))
        }
        ("GET", ["orgs", org]) => {
            if st.orgs.iter().any(|o| o == org) {
                scoped(reply(200, json!({ "login": org, "type": "Organization" })))
            } else {
                message(404, "Not Found")
            }
        }
        ("GET", ["orgs", org, "repos"]) => {
            if !st.orgs.iter().any(|o| o == org) {
                return message(404, "Not Found");
            }
            let items: Vec<Value> = st
                .repos
                .values()
                .filter(|r| r.owner == *org && (authed || !r.private))
                .map(|r| repo_json(base, git, r))
                .collect();
            scoped(page(base, path, query, items))
        }
        ("GET", ["repos", owner, name]) => match st.repos.get(&format!("{owner}/{name}")) {
            Some(r) if authed || !r.private => scoped(reply(200, repo_json(base, git, r))),
            _ => message(404, "Not Found"),
        },
        ("GET", ["repos", owner, name, "releases"]) => {
            match st.repos.get(&format!("{owner}/{name}")) {
                Some(r) if authed || !r.private => {
                    // Newest first, as GitHub lists them; drafts only for the authenticated.
                    let items: Vec<Value> = r
                        .releases
                        .iter()
                        .enumerate()
                        .rev()
                        .filter(|(_, rel)| authed || !rel.draft)
                        .map(|(i, rel)| release_json(base, r, rel, i))
                        .collect();
                    scoped(page(base, path, query, items))
                }
                _ => message(404, "Not Found"),
            }
        }
        ("GET", ["repos", owner, name, "tarball", tag]) => {
            // GitHub answers with a redirect to codeload.
            if st.repos.contains_key(&format!("{owner}/{name}")) {
                Reply {
                    status: 302,
                    body: vec![],
                    headers: vec![(
                        "Location".into(),
                        format!("{base}/_codeload/{owner}/{name}/tar.gz/{tag}"),
                    )],
                }
            } else {
                message(404, "Not Found")
            }
        }
        ("GET", ["_codeload", owner, name, "tar.gz", tag]) => {
            match st
                .repos
                .get(&format!("{owner}/{name}"))
                .and_then(|r| r.releases.iter().find(|rel| rel.tag == *tag))
            {
                Some(rel) => Reply {
                    status: 200,
                    body: rel.tarball.clone(),
                    headers: vec![("Content-Type".into(), "application/x-gzip".into())],
                },
                None => message(404, "Not Found"),
            }
        }
        ("POST", ["orgs", _, "repos"]) | ("POST", ["user", "repos"]) => {
            if !authed {
                return message(401, "Requires authentication");
            }
            let owner = match seg.as_slice() {
                ["orgs", org, _] => {
                    if !st.orgs.iter().any(|o| o == org) {
                        return message(404, "Not Found");
                    }
                    org.to_string()
                }
                _ => st.login.clone(),
            };
            let Ok(v) = serde_json::from_slice::<Value>(body) else {
                return message(400, "Problems parsing JSON");
            };
            st.created.push(v.clone());
            let Some(name) = v["name"].as_str().map(str::to_string) else {
                return reply(
                    422,
                    json!({"message": "Validation Failed", "errors": [{"resource": "Repository", "code": "missing_field", "field": "name"}]}),
                );
            };
            let private = v["private"].as_bool().unwrap_or(false);
            let can = st.scopes.iter().any(|s| s == "repo")
                || (!private && st.scopes.iter().any(|s| s == "public_repo"));
            if !can {
                let mut r = message(403, "Resource not accessible by personal access token");
                r.headers.push((
                    "X-Accepted-OAuth-Scopes".into(),
                    if private { "repo" } else { "public_repo, repo" }.into(),
                ));
                return scoped(r);
            }
            let key = format!("{owner}/{name}");
            if st.repos.contains_key(&key) {
                return scoped(reply(
                    422,
                    json!({
                        "message": "Repository creation failed.",
                        "errors": [{"resource": "Repository", "code": "custom", "field": "name", "message": "name already exists on this account"}],
                        "documentation_url": "https://docs.github.com/rest/repos/repos#create-an-organization-repository",
                        "status": "422"
                    }),
                ));
            }
            let repo = FakeRepo {
                owner: owner.clone(),
                name: name.clone(),
                private,
                description: v["description"].as_str().unwrap_or_default().to_string(),
                topics: vec![],
                releases: vec![],
                ..FakeRepo::default()
            };
            git.create_bare(&owner, &name);
            let j = repo_json(base, git, &repo);
            st.repos.insert(key, repo);
            scoped(reply(201, j))
        }
        ("PUT", ["repos", owner, name, "topics"]) => {
            if !authed {
                return message(401, "Requires authentication");
            }
            let key = format!("{owner}/{name}");
            let names: Vec<String> = serde_json::from_slice::<Value>(body)
                .ok()
                .and_then(|v| v["names"].as_array().cloned())
                .unwrap_or_default()
                .iter()
                .filter_map(|n| n.as_str().map(str::to_string))
                .collect();
            match st.repos.get_mut(&key) {
                Some(r) => {
                    r.topics = names.clone();
                    scoped(reply(200, json!({ "names": names })))
                }
                None => message(404, "Not Found"),
            }
        }
        ("PUT", ["repos", owner, name, "branches", branch, "protection"]) => {
            if !authed {
                return message(401, "Requires authentication");
            }
            let key = format!("{owner}/{name}");
            if !st.repos.contains_key(&key) {
                return message(404, "Not Found");
            }
            if !git.has_branch(owner, name, branch) {
                return message(404, "Branch not found");
            }
            let Ok(v) = serde_json::from_slice::<Value>(body) else {
                return message(400, "Problems parsing JSON");
            };
            // GitHub wants these four keys, each `null` at least.
            for k in [
                "required_status_checks",
                "enforce_admins",
                "required_pull_request_reviews",
                "restrictions",
            ] {
                if v.get(k).is_none() {
                    return scoped(message(
                        422,
                        &format!("Invalid request.\n\n\"{k}\" wasn't supplied."),
                    ));
                }
            }
            if let Some(r) = st.repos.get_mut(&key) {
                r.protection.insert(branch.to_string(), v.clone());
            }
            scoped(reply(200, v))
        }
        ("GET", ["repos", owner, name, "branches", branch, "protection"]) => {
            match st
                .repos
                .get(&format!("{owner}/{name}"))
                .and_then(|r| r.protection.get(*branch))
            {
                Some(v) if authed => scoped(reply(200, v.clone())),
                _ => message(404, "Branch not protected"),
            }
        }
        ("PATCH", ["orgs", org, "properties", "values"]) => {
            if !authed {
                return message(401, "Requires authentication");
            }
            if !st.orgs.iter().any(|o| o == org) {
                return message(404, "Not Found");
            }
            let Ok(v) = serde_json::from_slice::<Value>(body) else {
                return message(400, "Problems parsing JSON");
            };
            let names: Vec<String> = v["repository_names"]
                .as_array()
                .into_iter()
                .flatten()
                .filter_map(|n| n.as_str().map(str::to_string))
                .collect();
            let props: Vec<(String, Value)> = v["properties"]
                .as_array()
                .into_iter()
                .flatten()
                .filter_map(|p| {
                    Some((p["property_name"].as_str()?.to_string(), p["value"].clone()))
                })
                .collect();
            if names.is_empty() || props.is_empty() {
                return scoped(message(
                    422,
                    "Invalid request: repository_names and properties are required",
                ));
            }
            for n in &names {
                let Some(r) = st.repos.get_mut(&format!("{org}/{n}")) else {
                    return scoped(message(404, "Not Found"));
                };
                for (k, v) in &props {
                    r.custom_properties.insert(k.clone(), v.clone());
                }
            }
            Reply {
                status: 204,
                body: vec![],
                headers: vec![],
            }
        }
        _ => message(404, "Not Found"),
    }
}
