//! The API over real HTTP on 127.0.0.1: every call, the refusals (no token, a wrong one,
//! bad JSON, an unknown recipe, invalid answers, an oversized body, a bad folder name),
//! progress as server-sent events, and a bounded load test (50 clients listing and
//! creating at once) that loses no project and never writes two into one folder.
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};

use serde_json::{Value, json};

mod common;
use common::{Server, TOKEN, serve};

fn edit(path: &Path, from: &str, to: &str) {
    let text = std::fs::read_to_string(path).expect("read");
    assert!(text.contains(from), "{} lacks {from:?}", path.display());
    std::fs::write(path, text.replacen(from, to, 1)).expect("write");
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).expect("mkdir");
    for e in std::fs::read_dir(from).expect("read") {
        let e = e.expect("entry");
        let target = to.join(e.file_name());
        if e.path().is_dir() {
            copy_dir(&e.path(), &target);
        } else {
            std::fs::copy(e.path(), &target).expect("copy");
        }
    }
}

/// `service` 1.0.0 (the built-in rust_cli) and 1.1.0 (its README reworded).
fn recipes(root: &Path) -> PathBuf {
    let builtin = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../recipes/rust_cli");
    let dir = root.join("recipes");
    let v1 = dir.join("service/1.0.0");
    copy_dir(&builtin, &v1);
    edit(&v1.join("recipe.yaml"), "name: rust_cli", "name: service");
    let v2 = dir.join("service/1.1.0");
    copy_dir(&v1, &v2);
    edit(&v2.join("recipe.yaml"), "version: 1.0.0", "version: 1.1.0");
    edit(&v2.join("template/README.md"), "## Use\n", "## Usage\n");
    dir
}

async fn start(max_body: usize) -> Server {
    let dir = tempfile::tempdir().expect("tempdir");
    let recipes = recipes(dir.path());
    let config = format!(
        "backends:\n  team:\n    type: local\n    recipes_dir: {}\n",
        recipes.display()
    );
    serve(dir, &config, Default::default(), max_body).await
}

fn http() -> reqwest::Client {
    reqwest::Client::builder()
        .timeout(Duration::from_secs(120))
        .build()
        .expect("client")
}

async fn get(s: &Server, path: &str) -> (u16, Value) {
    let r = http()
        .get(format!("{}{path}", s.url))
        .send()
        .await
        .expect("get");
    let status = r.status().as_u16();
    (status, r.json().await.unwrap_or(Value::Null))
}

async fn post(s: &Server, path: &str, token: Option<&str>, body: &Value) -> (u16, Value) {
    let mut r = http().post(format!("{}{path}", s.url)).json(body);
    if let Some(t) = token {
        r = r.bearer_auth(t);
    }
    let r = r.send().await.expect("post");
    let status = r.status().as_u16();
    (status, r.json().await.unwrap_or(Value::Null))
}

fn git(dir: &Path, args: &[&str]) -> String {
    let out = std::process::Command::new("git")
        .args(args)
        .current_dir(dir)
        .output()
        .expect("git");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn every_call_over_http() {
    let s = start(1024 * 1024).await;
    let (st, v) = get(&s, "/health").await;
    assert_eq!((st, v["status"].as_str()), (200, Some("ok")));

    // The OpenAPI document: each call, its schemas generated from the types, the token.
    let (st, doc) = get(&s, "/openapi.json").await;
    assert_eq!(st, 200);
    assert_eq!(doc["openapi"], "3.1.0");
    for path in [
        "/recipes",
        "/recipes/{name}",
        "/recipes/{name}/validate",
        "/projects",
        "/projects/{name}/update",
    ] {
        assert!(doc["paths"][path].is_object(), "{path} missing");
    }
    let create = &doc["paths"]["/projects"]["post"];
    assert_eq!(create["security"], json!([{"bearer": []}]));
    assert_eq!(
        create["requestBody"]["content"]["application/json"]["schema"]["$ref"],
        "#/components/schemas/CreateRequest"
    );
    assert!(create["responses"]["201"]["content"]["text/event-stream"].is_object());
    let schemas = &doc["components"]["schemas"];
    assert!(schemas["CreateRequest"]["properties"]["answers"].is_object());
    assert_eq!(schemas["CreateRequest"]["required"], json!(["recipe"]));
    assert!(schemas["ErrorBody"]["properties"]["code"].is_object());
    assert!(schemas["Event"].is_object(), "the progress events' schema");

    // The catalogue, a recipe, its versions and schema.
    let (st, v) = get(&s, "/recipes").await;
    assert_eq!(st, 200);
    assert_eq!(v[0]["name"], "service");
    assert_eq!(v[0]["versions"], json!(["1.1.0", "1.0.0"]));
    let (st, v) = get(&s, "/recipes/service?version=1.0.0").await;
    assert_eq!(st, 200, "{v}");
    assert_eq!(v["version"], "1.0.0");
    assert_eq!(v["schema"]["properties"]["project_name"]["type"], "string");
    let (_, v) = get(&s, "/recipes/service/versions").await;
    assert_eq!(v, json!(["1.1.0", "1.0.0"]));
    let (_, v) = get(&s, "/recipes/service/schema").await;
    assert_eq!(v["$schema"], "https://json-schema.org/draft/2020-12/schema");

    // Validation, with the recipe's own message, and answers that match nothing.
    let (st, v) = post(
        &s,
        "/recipes/service/validate",
        None,
        &json!({"answers": {"project_name": "Bad Name", "colour": "blue"}}),
    )
    .await;
    assert_eq!(st, 200, "{v}");
    assert_eq!(v["valid"], false);
    assert_eq!(v["errors"][0]["field"], "project_name");
    assert!(
        v["errors"][0]["message"]
            .as_str()
            .is_some_and(|m| m.contains("lower-case")),
        "{v}"
    );
    assert_eq!(v["unknown"], json!(["colour"]));
    let (_, v) = post(
        &s,
        "/recipes/service/validate",
        None,
        &json!({"answers": {"project_name": "orders"}}),
    )
    .await;
    assert_eq!(v["valid"], true, "{v}");

    // Create, at 1.0.0, committed.
    let (st, v) = post(
        &s,
        "/projects",
        Some(TOKEN),
        &json!({"recipe": "service", "version": "1.0.0", "answers": {"project_name": "orders"}}),
    )
    .await;
    assert_eq!(st, 201, "{v}");
    assert_eq!(v["name"], "orders");
    assert_eq!(v["version"], "1.0.0");
    assert!(
        v["files"]
            .as_array()
            .is_some_and(|f| f.iter().any(|x| x == "Cargo.toml"))
    );
    let p = s.workspace.join("orders");
    assert!(p.join("Cargo.toml").is_file());
    assert_eq!(
        git(&p, &["rev-parse", "HEAD"]).trim(),
        v["commit"].as_str().expect("commit")
    );
    let (_, v) = get(&s, "/projects").await;
    assert_eq!(
        v,
        json!([{"name": "orders", "recipe": "service", "version": "1.0.0"}])
    );
    // The same folder again: refused, the project untouched.
    let (st, v) = post(
        &s,
        "/projects",
        Some(TOKEN),
        &json!({"recipe": "service", "answers": {"project_name": "orders"}}),
    )
    .await;
    assert_eq!(
        (st, v["code"].as_str()),
        (409, Some("target_not_empty")),
        "{v}"
    );

    // An edit, then the update: planned, applied, committed, the edit kept.
    edit(
        &p.join("Cargo.toml"),
        "description = ",
        "# ours\ndescription = ",
    );
    git(&p, &["commit", "-qam", "ours"]);
    let (st, v) = post(&s, "/projects/orders/update/plan", Some(TOKEN), &json!({})).await;
    assert_eq!(st, 200, "{v}");
    assert_eq!(v["to_version"], "1.1.0");
    assert!(
        v["changes"]
            .as_array()
            .is_some_and(|c| c.iter().any(|x| x["path"] == "README.md")),
        "{v}"
    );
    assert_eq!(v["conflicts"], json!([]));
    let (st, v) = post(&s, "/projects/orders/update", Some(TOKEN), &json!({})).await;
    assert_eq!(st, 200, "{v}");
    assert_eq!(v["written"], json!(["README.md", ".recipe/config.yml"]));
    assert!(
        std::fs::read_to_string(p.join("README.md"))
            .expect("readme")
            .contains("## Usage")
    );
    assert!(
        std::fs::read_to_string(p.join("Cargo.toml"))
            .expect("cargo")
            .contains("# ours\n")
    );
    assert_eq!(
        git(&p, &["rev-parse", "HEAD"]).trim(),
        v["commit"].as_str().expect("commit")
    );
    assert_eq!(git(&p, &["status", "--porcelain"]), "");
    let (_, v) = post(&s, "/projects/orders/update", Some(TOKEN), &json!({})).await;
    assert_eq!(v["written"], json!([]), "up to date: {v}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn refusals_are_json_with_fitting_statuses() {
    let s = start(4096).await;
    let body = json!({"recipe": "service", "answers": {"project_name": "x1"}});
    // No token, a wrong one.
    let r = http()
        .post(format!("{}/projects", s.url))
        .json(&body)
        .send()
        .await
        .expect("post");
    assert_eq!(r.status().as_u16(), 401);
    assert_eq!(
        r.headers()
            .get("www-authenticate")
            .and_then(|v| v.to_str().ok()),
        Some("Bearer")
    );
    let v: Value = r.json().await.expect("json");
    assert_eq!(v["code"], "unauthorized");
    let (st, v) = post(&s, "/projects", Some("not-the-token"), &body).await;
    assert_eq!((st, v["code"].as_str()), (401, Some("unauthorized")));
    assert!(!v.to_string().contains(TOKEN));
    assert!(
        !s.workspace.join("x1").exists(),
        "nothing made without the token"
    );

    // Bad JSON, and JSON of the wrong shape.
    let r = http()
        .post(format!("{}/projects", s.url))
        .bearer_auth(TOKEN)
        .header("content-type", "application/json")
        .body("{not json")
        .send()
        .await
        .expect("post");
    assert_eq!(r.status().as_u16(), 400);
    let v: Value = r.json().await.expect("json");
    assert_eq!(v["code"], "bad_request");
    let (st, v) = post(&s, "/projects", Some(TOKEN), &json!({"recipe": 5})).await;
    assert_eq!((st, v["code"].as_str()), (400, Some("bad_request")), "{v}");
    let (st, v) = post(
        &s,
        "/projects",
        Some(TOKEN),
        &json!({"recipe": "service", "colour": 1}),
    )
    .await;
    assert_eq!(st, 400, "unknown fields are refused: {v}");

    // An unknown recipe, a version that is not there, invalid answers.
    let (st, v) = post(
        &s,
        "/projects",
        Some(TOKEN),
        &json!({"recipe": "nope", "answers": {"project_name": "x2"}}),
    )
    .await;
    assert_eq!(
        (st, v["code"].as_str()),
        (404, Some("recipe_not_found")),
        "{v}"
    );
    assert_eq!(v["details"]["available"], json!(["service"]));
    let (st, v) = get(&s, "/recipes/service?version=9.9.9").await;
    assert_eq!(
        (st, v["code"].as_str()),
        (404, Some("version_not_found")),
        "{v}"
    );
    let (st, v) = post(
        &s,
        "/projects",
        Some(TOKEN),
        &json!({"recipe": "service", "name": "x3", "answers": {"project_name": "Bad Name"}}),
    )
    .await;
    assert_eq!(
        (st, v["code"].as_str()),
        (422, Some("invalid_answers")),
        "{v}"
    );
    assert!(!s.workspace.join("x3").exists());
    // A folder name that would leave the workspace.
    let (st, v) = post(
        &s,
        "/projects",
        Some(TOKEN),
        &json!({"recipe": "service", "name": "../escape", "answers": {"project_name": "ok"}}),
    )
    .await;
    assert_eq!(
        (st, v["code"].as_str()),
        (422, Some("invalid_answers")),
        "{v}"
    );
    // An update of a project that is not there.
    let (st, v) = post(&s, "/projects/ghost/update", Some(TOKEN), &json!({})).await;
    assert_eq!(
        (st, v["code"].as_str()),
        (404, Some("not_a_project")),
        "{v}"
    );

    // A body over the limit (4 KiB here).
    let big = "x".repeat(8192);
    let (st, v) = post(
        &s,
        "/projects",
        Some(TOKEN),
        &json!({"recipe": "service", "answers": {"project_name": "big", "description": big}}),
    )
    .await;
    assert_eq!((st, v["code"].as_str()), (413, Some("too_large")), "{v}");

    // A call the API does not have.
    let (st, v) = get(&s, "/nothing").await;
    assert_eq!((st, v["code"].as_str()), (404, Some("not_found")));
}

/// Reads a server-sent event stream into (event, data) pairs.
fn events(text: &str) -> Vec<(String, Value)> {
    text.split("\n\n")
        .filter_map(|block| {
            let mut name = String::new();
            let mut data = String::new();
            for line in block.lines() {
                if let Some(n) = line.strip_prefix("event:") {
                    name = n.trim().into();
                } else if let Some(d) = line.strip_prefix("data:") {
                    data.push_str(d.trim_start());
                }
            }
            (!name.is_empty()).then(|| (name, serde_json::from_str(&data).unwrap_or(Value::Null)))
        })
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_creation_streams_its_progress() {
    let s = start(1024 * 1024).await;
    let text = http()
        .post(format!("{}/projects", s.url))
        .bearer_auth(TOKEN)
        .header("accept", "text/event-stream")
        .json(&json!({"recipe": "service", "answers": {"project_name": "streamed"}}))
        .send()
        .await
        .expect("post")
        .text()
        .await
        .expect("body");
    let evs = events(&text);
    let steps: Vec<(String, String)> = evs
        .iter()
        .filter(|(n, d)| n == "progress" && d["event"] == "step")
        .map(|(_, d)| {
            (
                d["step"].as_str().unwrap_or_default().to_string(),
                d["state"].as_str().unwrap_or_default().to_string(),
            )
        })
        .collect();
    for step in ["resolve", "render", "write", "commit"] {
        assert!(
            steps.contains(&(step.into(), "finished".into())),
            "{step} not finished: {steps:?}"
        );
    }
    let (last, data) = evs.last().expect("events");
    assert_eq!(last, "result", "{text}");
    assert_eq!(data["name"], "streamed");
    assert!(s.workspace.join("streamed/Cargo.toml").is_file());

    // A failure streams as an `error` event.
    let text = http()
        .post(format!("{}/projects", s.url))
        .bearer_auth(TOKEN)
        .header("accept", "text/event-stream")
        .json(&json!({"recipe": "service", "answers": {"project_name": "Bad"}}))
        .send()
        .await
        .expect("post")
        .text()
        .await
        .expect("body");
    let evs = events(&text);
    let (last, data) = evs.last().expect("events");
    assert_eq!(last, "error", "{text}");
    assert_eq!(data["code"], "invalid_answers");
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    if sorted.is_empty() {
        return Duration::ZERO;
    }
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i.min(sorted.len() - 1)]
}

/// 50 clients at once, a fixed count of requests each: listing, creating a project of its
/// own, and all of them creating one shared name. No error, every project whole in its
/// own folder, the shared one made exactly once. The figures are printed, not asserted.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn fifty_clients_list_and_create_at_once() {
    const CLIENTS: usize = 50;
    const LISTS: usize = 6;
    let s = Arc::new(start(1024 * 1024).await);
    let started = Instant::now();
    let mut tasks = vec![];
    for i in 0..CLIENTS {
        let s = s.clone();
        tasks.push(tokio::spawn(async move {
            let client = http();
            let mut lists = vec![];
            for _ in 0..LISTS {
                let t = Instant::now();
                let r = client
                    .get(format!("{}/recipes", s.url))
                    .send()
                    .await
                    .expect("list");
                assert_eq!(r.status().as_u16(), 200);
                let v: Value = r.json().await.expect("json");
                assert_eq!(v[0]["name"], "service");
                lists.push(t.elapsed());
            }
            let t = Instant::now();
            let r = client
                .post(format!("{}/projects", s.url))
                .bearer_auth(TOKEN)
                .json(&json!({"recipe": "service", "answers": {"project_name": format!("svc-{i:02}")}}))
                .send()
                .await
                .expect("create");
            let status = r.status().as_u16();
            let v: Value = r.json().await.expect("json");
            assert_eq!(status, 201, "{v}");
            assert_eq!(v["name"], format!("svc-{i:02}"));
            let create = t.elapsed();
            let shared = client
                .post(format!("{}/projects", s.url))
                .bearer_auth(TOKEN)
                .json(&json!({"recipe": "service", "answers": {"project_name": "shared"}}))
                .send()
                .await
                .expect("shared");
            let shared_status = shared.status().as_u16();
            let sv: Value = shared.json().await.expect("json");
            (lists, create, shared_status, sv["code"].as_str().map(str::to_string))
        }));
    }
    let mut lists = vec![];
    let mut creates = vec![];
    let mut shared_made = 0;
    let mut shared_refused = vec![];
    for t in tasks {
        let (l, c, st, code) = t.await.expect("client");
        lists.extend(l);
        creates.push(c);
        match st {
            201 => shared_made += 1,
            409 => shared_refused.push(code.unwrap_or_default()),
            other => panic!("the shared name answered {other}"),
        }
    }
    let wall = started.elapsed();
    assert_eq!(shared_made, 1, "the shared folder was made once");
    assert!(
        shared_refused
            .iter()
            .all(|c| c == "target_busy" || c == "target_not_empty"),
        "{shared_refused:?}"
    );
    // Every project whole, in its own folder, naming itself.
    for i in 0..CLIENTS {
        let p = s.workspace.join(format!("svc-{i:02}"));
        let cargo = std::fs::read_to_string(p.join("Cargo.toml")).expect("Cargo.toml");
        assert!(cargo.contains(&format!("name = \"svc-{i:02}\"")), "{cargo}");
        assert_eq!(git(&p, &["status", "--porcelain"]), "", "committed");
    }
    let folders = std::fs::read_dir(&s.workspace).expect("read").count();
    assert_eq!(
        folders,
        CLIENTS + 1,
        "no stray folder (staging left behind)"
    );
    lists.sort();
    creates.sort();
    let total = CLIENTS * (LISTS + 2);
    println!(
        "load: {CLIENTS} clients, {total} requests in {:.2} s ({:.0} requests/s); list p50 {:?} p95 {:?} max {:?}; create p50 {:?} p95 {:?} max {:?}",
        wall.as_secs_f64(),
        total as f64 / wall.as_secs_f64(),
        percentile(&lists, 0.5),
        percentile(&lists, 0.95),
        lists.last().copied().unwrap_or_default(),
        percentile(&creates, 0.5),
        percentile(&creates, 0.95),
        creates.last().copied().unwrap_or_default(),
    );
}

/// `repository: true`: the project is created, committed, its repository made on the git
/// host (the stand-in of GitHub's API, through a provider registered in process) and the
/// commit pushed to the real git server.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_created_project_is_pushed_to_a_new_repository() {
    const GH_TOKEN: &str = "ghp_serveTEST0123456789";
    let dir = tempfile::tempdir().expect("tempdir");
    let git_server = nskit_testkit::GitServer::start(&dir.path().join("git"), GH_TOKEN);
    let gh = nskit_testkit::FakeGitHub::start(
        git_server,
        nskit_testkit::GitHubState {
            token: GH_TOKEN.into(),
            login: "ada".into(),
            scopes: vec!["repo".into()],
            orgs: vec!["acme".into()],
            ..Default::default()
        },
    );
    let recipes = recipes(dir.path());
    let config = format!(
        "backends:\n  team:\n    type: local\n    recipes_dir: {}\nvcs:\n  provider: testhub\n  api_url: {}\n  organisation: acme\n",
        recipes.display(),
        gh.url
    );
    let providers = nskit::repository::GitProviders::new().with("testhub", |vcs, _| {
        nskit::vcs::GitHub::new(&vcs.api_url, Some(nskit::vcs::Token::new(GH_TOKEN)))
            .map(|g| Box::new(g) as Box<dyn nskit::vcs::VcsProvider>)
            .map_err(|e| e.to_string())
    });
    let s = serve(dir, &config, providers, 1 << 20).await;
    let (st, v) = post(
        &s,
        "/projects",
        Some(TOKEN),
        &json!({"recipe": "service", "answers": {"project_name": "pushed"}, "repository": true}),
    )
    .await;
    assert_eq!(st, 201, "{v}");
    assert_eq!(v["repository"]["full_name"], "acme/pushed", "{v}");
    assert_eq!(v["repository"]["private"], true);
    assert_eq!(v["repository"]["branch"], "main");
    let head = git(&s.workspace.join("pushed"), &["rev-parse", "HEAD"]);
    let bare = gh.git.root.join("acme/pushed.git");
    let remote = std::process::Command::new("git")
        .arg("--git-dir")
        .arg(&bare)
        .args(["rev-parse", "main"])
        .output()
        .expect("git");
    assert_eq!(String::from_utf8_lossy(&remote.stdout).trim(), head.trim());
    assert!(!v.to_string().contains(GH_TOKEN));
}
