//! GitLab's REST API v4 as nskit uses it, for tests: the token's user and scopes, groups
//! and subgroups by full path or id, projects (read, created in a group or under the user,
//! listed), protected branches and project settings. Tokens are checked as GitLab checks
//! them (`PRIVATE-TOKEN` or `Authorization: Bearer`); creating needs the `api` scope;
//! lists are paginated with `per_page`/`page` and GitLab's `X-Next-Page`, `X-Total`,
//! `X-Total-Pages` and `Link` headers; errors have GitLab's JSON (`{"message": ...}`,
//! `{"error": "insufficient_scope", ...}`).
use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};

use serde_json::{Value, json};

use crate::{GitServer, Reply, header, json_reply, serve_api};

/// A project on the fake GitLab.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FakeProject {
    /// Its namespace's full path (`acme/platform`, or a user name).
    pub namespace: String,
    /// Its path (`billing-api`).
    pub path: String,
    /// `private`, `internal` or `public`.
    pub visibility: String,
    /// The description.
    pub description: String,
    /// The topics.
    pub topics: Vec<String>,
}

impl FakeProject {
    /// `namespace/path`.
    pub fn full_path(&self) -> String {
        format!("{}/{}", self.namespace, self.path)
    }
}

/// What the fake GitLab knows; tests change it between calls.
#[derive(Debug)]
pub struct GitLabState {
    /// The token that authenticates.
    pub token: String,
    /// The token's user.
    pub username: String,
    /// The token's scopes (`api`, `read_api`, `write_repository`).
    pub scopes: Vec<String>,
    /// The groups and subgroups by full path (`acme`, `acme/platform`).
    pub groups: Vec<String>,
    /// The projects by full path.
    pub projects: BTreeMap<String, FakeProject>,
    /// The largest page served (GitLab's is 100).
    pub max_per_page: usize,
    /// Every request, as `METHOD /path?query`.
    pub requests: Vec<String>,
    /// The bodies of the project creations asked for.
    pub created: Vec<Value>,
    /// Protected branches by project full path.
    pub protected: BTreeMap<String, Vec<Value>>,
    /// Settings changed on projects after creation, by full path.
    pub settings: BTreeMap<String, serde_json::Map<String, Value>>,
}

impl Default for GitLabState {
    fn default() -> Self {
        GitLabState {
            token: String::new(),
            username: String::new(),
            scopes: vec!["api".into()],
            groups: vec![],
            projects: BTreeMap::new(),
            max_per_page: 100,
            requests: vec![],
            created: vec![],
            protected: BTreeMap::new(),
            settings: BTreeMap::new(),
        }
    }
}

/// A running fake GitLab; projects it creates are bare repositories of `git`.
#[derive(Debug, Clone)]
pub struct FakeGitLab {
    /// The API's base URL (`http://127.0.0.1:PORT/api/v4`).
    pub url: String,
    /// The state, shared with the server.
    pub state: Arc<Mutex<GitLabState>>,
    /// The git server that holds the projects' repositories.
    pub git: GitServer,
}

fn reply(status: u16, body: Value) -> Reply {
    json_reply(status, &body, "application/json")
}

fn message(status: u16, text: &str) -> Reply {
    reply(status, json!({ "message": text }))
}

fn decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%'
            && i + 2 < bytes.len()
            && let Ok(b) = u8::from_str_radix(&s[i + 1..i + 3], 16)
        {
            out.push(b);
            i += 3;
            continue;
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

fn query_param(query: &str, key: &str) -> Option<String> {
    query.split('&').find_map(|kv| {
        let (k, v) = kv.split_once('=')?;
        (k == key).then(|| decode(v))
    })
}

/// A group's id: its place in the list, from 10.
fn group_id(groups: &[String], full: &str) -> Option<u64> {
    groups.iter().position(|g| g == full).map(|i| i as u64 + 10)
}

fn group_json(groups: &[String], full: &str) -> Value {
    let (parent, path) = match full.rsplit_once('/') {
        Some((p, n)) => (group_id(groups, p), n),
        None => (None, full),
    };
    json!({
        "id": group_id(groups, full),
        "name": path,
        "path": path,
        "full_path": full,
        "full_name": full.replace('/', " / "),
        "parent_id": parent,
        "visibility": "private",
        "web_url": format!("http://gitlab.test/groups/{full}"),
    })
}

fn project_json(git: &GitServer, p: &FakeProject, id: usize) -> Value {
    let full = p.full_path();
    json!({
        "id": id,
        "name": p.path,
        "path": p.path,
        "path_with_namespace": full,
        "name_with_namespace": full.replace('/', " / "),
        "namespace": { "full_path": p.namespace },
        "visibility": p.visibility,
        "description": p.description,
        "topics": p.topics,
        "default_branch": "main",
        "http_url_to_repo": format!("{}/{full}.git", git.url),
        "web_url": format!("http://gitlab.test/{full}"),
        "archived": false,
    })
}

/// One page of `items`, with GitLab's pagination headers.
fn page(base: &str, path: &str, query: &str, items: Vec<Value>, max: usize) -> Reply {
    let per_page: usize = query_param(query, "per_page")
        .and_then(|p| p.parse().ok())
        .unwrap_or(20)
        .clamp(1, max.max(1));
    let page: usize = query_param(query, "page")
        .and_then(|p| p.parse().ok())
        .unwrap_or(1)
        .max(1);
    let total = items.len();
    let pages = total.div_ceil(per_page).max(1);
    let chunk: Vec<Value> = items
        .into_iter()
        .skip((page - 1) * per_page)
        .take(per_page)
        .collect();
    let mut r = reply(200, Value::Array(chunk));
    let next = if page < pages {
        (page + 1).to_string()
    } else {
        String::new()
    };
    let prev = if page > 1 {
        (page - 1).to_string()
    } else {
        String::new()
    };
    let keep: Vec<&str> = query
        .split('&')
        .filter(|kv| !kv.starts_with("page=") && !kv.starts_with("per_page=") && !kv.is_empty())
        .collect();
    let link = |p: usize, rel: &str| {
        let mut q = keep.clone();
        let pp = format!("per_page={per_page}");
        let pg = format!("page={p}");
        q.push(&pp);
        q.push(&pg);
        format!("<{base}{path}?{}>; rel=\"{rel}\"", q.join("&"))
    };
    let mut links = vec![];
    if page < pages {
        links.push(link(page + 1, "next"));
    }
    if page > 1 {
        links.push(link(page - 1, "prev"));
    }
    links.push(link(1, "first"));
    links.push(link(pages, "last"));
    for (k, v) in [
        ("X-Page", page.to_string()),
        ("X-Per-Page", per_page.to_string()),
        ("X-Next-Page", next),
        ("X-Prev-Page", prev),
        ("X-Total", total.to_string()),
        ("X-Total-Pages", pages.to_string()),
        ("Link", links.join(", ")),
    ] {
        r.headers.push((k.into(), v));
    }
    r
}

impl FakeGitLab {
    /// Starts the API; `git` holds the repositories of the projects it creates.
    pub fn start(git: GitServer, state: GitLabState) -> FakeGitLab {
        let server = tiny_http::Server::http("127.0.0.1:0").unwrap();
        let url = format!("http://{}/api/v4", server.server_addr().to_ip().unwrap());
        let me = FakeGitLab {
            url: url.clone(),
            state: Arc::new(Mutex::new(state)),
            git,
        };
        let state = me.state.clone();
        let git = me.git.clone();
        serve_api(server, &[], move |req, body| {
            handle(&url, &git, &state, req, body)
        });
        me
    }

    /// Adds a project (its bare repository is created on the git server too).
    pub fn add_project(&self, p: FakeProject) {
        self.git.create_bare(&p.namespace, &p.path);
        self.state.lock().unwrap().projects.insert(p.full_path(), p);
    }
}

fn handle(
    base: &str,
    git: &GitServer,
    state: &Mutex<GitLabState>,
    req: &tiny_http::Request,
    body: &[u8],
) -> Reply {
    let mut st = state.lock().unwrap();
    let url = req.url().to_string();
    st.requests.push(format!("{} {url}", req.method()));
    let Some(rest) = url.strip_prefix("/api/v4") else {
        return message(404, "404 Not Found");
    };
    let (path, query) = rest.split_once('?').unwrap_or((rest, ""));
    let token = header(req, "private-token").or_else(|| {
        header(req, "authorization").and_then(|a| a.strip_prefix("Bearer ").map(str::to_string))
    });
    let authed = match &token {
        Some(t) if *t == st.token => true,
        Some(_) => return message(401, "401 Unauthorized"),
        None => false,
    };
    // Segments as sent: an encoded path (`acme%2Fplatform`) is one segment.
    let seg: Vec<String> = path.trim_matches('/').split('/').map(decode).collect();
    let seg: Vec<&str> = seg.iter().map(String::as_str).collect();
    let method = req.method().as_str().to_string();
    let can_write = st.scopes.iter().any(|s| s == "api");
    let insufficient = || {
        reply(
            403,
            json!({
                "error": "insufficient_scope",
                "error_description": "The request requires higher privileges than provided by the access token.",
                "scope": "api"
            }),
        )
    };
    let find_project = |st: &GitLabState, id: &str| -> Option<(usize, FakeProject)> {
        st.projects
            .values()
            .enumerate()
            .find(|(i, p)| p.full_path() == id || (i + 100).to_string() == id)
            .map(|(i, p)| (i + 100, p.clone()))
    };
    let find_group = |st: &GitLabState, id: &str| -> Option<String> {
        st.groups
            .iter()
            .find(|g| {
                *g == id || group_id(&st.groups, g).map(|n| n.to_string()).as_deref() == Some(id)
            })
            .cloned()
    };
    let projects_json = |st: &GitLabState, keep: &dyn Fn(&FakeProject) -> bool| -> Vec<Value> {
        st.projects
            .values()
            .enumerate()
            .filter(|(_, p)| keep(p))
            .map(|(i, p)| project_json(git, p, i + 100))
            .collect()
    };
    match (method.as_str(), seg.as_slice()) {
        ("GET", ["user"]) => {
            if !authed {
                return message(401, "401 Unauthorized");
            }
            reply(
                200,
                json!({ "id": 7, "username": st.username, "name": st.username, "state": "active" }),
            )
        }
        ("GET", ["personal_access_tokens", "self"]) => {
            if !authed {
                return message(401, "401 Unauthorized");
            }
            reply(
                200,
                json!({ "id": 1, "name": "nskit", "active": true, "revoked": false, "scopes": st.scopes }),
            )
        }
        ("GET", ["groups", id]) => match find_group(&st, id) {
            Some(g) if authed => reply(200, group_json(&st.groups, &g)),
            _ => message(404, "404 Group Not Found"),
        },
        ("GET", ["groups", id, "projects"]) => {
            let Some(g) = find_group(&st, id).filter(|_| authed) else {
                return message(404, "404 Group Not Found");
            };
            let sub = query_param(query, "include_subgroups").as_deref() == Some("true");
            let items = projects_json(&st, &|p| {
                p.namespace == g || (sub && p.namespace.starts_with(&format!("{g}/")))
            });
            let max = st.max_per_page;
            page(base, path, query, items, max)
        }
        ("GET", ["projects"]) => {
            if !authed {
                return message(401, "401 Unauthorized");
            }
            let user = st.username.clone();
            let items = projects_json(&st, &|p| p.namespace == user);
            let max = st.max_per_page;
            page(base, path, query, items, max)
        }
        ("GET", ["projects", id]) => match find_project(&st, id) {
            Some((n, p)) if authed || p.visibility == "public" => {
                reply(200, project_json(git, &p, n))
            }
            _ => message(404, "404 Project Not Found"),
        },
        ("POST", ["projects"]) => {
            if !authed {
                return message(401, "401 Unauthorized");
            }
            if !can_write {
                return insufficient();
            }
            let Ok(v) = serde_json::from_slice::<Value>(body) else {
                return message(400, "400 Bad request - the body is not JSON");
            };
            st.created.push(v.clone());
            let Some(name) = v["path"]
                .as_str()
                .or(v["name"].as_str())
                .map(str::to_string)
            else {
                return reply(400, json!({"message": {"name": ["can't be blank"]}}));
            };
            let namespace = match v["namespace_id"].as_u64() {
                Some(id) => match find_group(&st, &id.to_string()) {
                    Some(g) => g,
                    None => return message(404, "404 Namespace Not Found"),
                },
                None => st.username.clone(),
            };
            let p = FakeProject {
                namespace: namespace.clone(),
                path: name.clone(),
                visibility: v["visibility"].as_str().unwrap_or("private").into(),
                description: v["description"].as_str().unwrap_or_default().into(),
                topics: v["topics"]
                    .as_array()
                    .into_iter()
                    .flatten()
                    .filter_map(|t| t.as_str().map(str::to_string))
                    .collect(),
            };
            if st.projects.contains_key(&p.full_path()) {
                return reply(
                    400,
                    json!({"message": {"name": ["has already been taken"], "path": ["has already been taken"]}}),
                );
            }
            git.create_bare(&namespace, &name);
            let full = p.full_path();
            st.projects.insert(full.clone(), p);
            let (n, p) = find_project(&st, &full).unwrap();
            reply(201, project_json(git, &p, n))
        }
        ("PUT", ["projects", id]) => {
            if !authed {
                return message(401, "401 Unauthorized");
            }
            if !can_write {
                return insufficient();
            }
            let Some((n, p)) = find_project(&st, id) else {
                return message(404, "404 Project Not Found");
            };
            let v: Value = serde_json::from_slice(body).unwrap_or(Value::Null);
            if let Some(m) = v.as_object() {
                st.settings
                    .entry(p.full_path())
                    .or_default()
                    .extend(m.clone());
            }
            reply(200, project_json(git, &p, n))
        }
        ("POST", ["projects", id, "protected_branches"]) => {
            if !authed {
                return message(401, "401 Unauthorized");
            }
            if !can_write {
                return insufficient();
            }
            let Some((_, p)) = find_project(&st, id) else {
                return message(404, "404 Project Not Found");
            };
            let v: Value = serde_json::from_slice(body).unwrap_or(Value::Null);
            let Some(branch) = v["name"].as_str().map(str::to_string) else {
                return reply(400, json!({"error": "name is missing"}));
            };
            let list = st.protected.entry(p.full_path()).or_default();
            if list.iter().any(|b| b["name"] == branch.as_str()) {
                return reply(
                    409,
                    json!({"message": format!("Protected branch '{branch}' already exists")}),
                );
            }
            list.push(v.clone());
            reply(201, v)
        }
        ("PATCH", ["projects", id, "protected_branches", branch]) => {
            if !authed {
                return message(401, "401 Unauthorized");
            }
            let Some((_, p)) = find_project(&st, id) else {
                return message(404, "404 Project Not Found");
            };
            let v: Value = serde_json::from_slice(body).unwrap_or(Value::Null);
            let list = st.protected.entry(p.full_path()).or_default();
            match list.iter_mut().find(|b| b["name"] == *branch) {
                Some(b) => {
                    if let (Some(b), Some(m)) = (b.as_object_mut(), v.as_object()) {
                        b.extend(m.clone());
                    }
                    reply(200, b.clone())
                }
                None => message(404, "404 Not found"),
            }
        }
        _ => message(404, "404 Not Found"),
    }
}
