//! `nskit serve`: the client layer as a web API, for an organisation's portal. Recipes and
//! their fields (as JSON Schema), answers checked, projects created in a workspace folder
//! (committed, pushed to a new repository), projects updated; long calls stream their
//! progress as server-sent events through the same [`nskit::Reporter`] as the app and the
//! CLI. The OpenAPI document (`/openapi.json`) is generated from the types in [`api`].
//!
//! Safe by default: it listens on 127.0.0.1 unless told otherwise; every call that changes
//! something needs `Authorization: Bearer <token>`; bodies are limited in size; a project
//! folder is written by one request at a time; answers and tokens are never logged.
#![deny(missing_docs)]

pub mod api;
mod error;
mod handlers;
mod openapi;

use std::collections::{HashMap, HashSet};
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};

use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::routing::{get, post};
use nskit::{Config, RecipeClient};

pub use error::ApiError;
pub use openapi::document as openapi_document;

/// The address `nskit serve` listens on by default.
pub const DEFAULT_BIND: &str = "127.0.0.1:8350";
/// The largest request body by default (1 MiB).
pub const DEFAULT_MAX_BODY: usize = 1024 * 1024;
/// How many creations and updates run at once by default.
pub const DEFAULT_MAX_OPERATIONS: usize = 4;

/// How the server runs.
#[derive(Clone)]
pub struct ServerOptions {
    /// Where it listens.
    pub bind: SocketAddr,
    /// The folder projects are created in and updated from.
    pub workspace: PathBuf,
    /// The bearer token calls that change something need.
    pub token: String,
    /// The largest request body, in bytes.
    pub max_body_bytes: usize,
    /// How many creations and updates run at once (the others wait).
    pub max_operations: usize,
}

impl std::fmt::Debug for ServerOptions {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ServerOptions")
            .field("bind", &self.bind)
            .field("workspace", &self.workspace)
            .field("token", &"<hidden>")
            .field("max_body_bytes", &self.max_body_bytes)
            .field("max_operations", &self.max_operations)
            .finish()
    }
}

/// What `nskit serve` is told on its command line.
#[derive(Debug, Clone, Default)]
pub struct ServeFlags {
    /// `--bind`.
    pub bind: Option<String>,
    /// `--workspace`.
    pub workspace: Option<PathBuf>,
}

impl ServerOptions {
    /// The options from the flags, else the configuration's `serve:` section (and its
    /// `NSKIT_SERVE__*` variables), else the defaults; the token from the configuration,
    /// else the OS keychain. A missing token or workspace, or an address that is not one,
    /// is an error saying how to give it.
    pub fn resolve(config: &Config, flags: &ServeFlags) -> Result<ServerOptions, nskit::Error> {
        let bind_text = flags
            .bind
            .clone()
            .or_else(|| config.serve.bind.clone())
            .unwrap_or_else(|| DEFAULT_BIND.into());
        let bind: SocketAddr = bind_text.parse().map_err(|_| {
            nskit::Error::Config(format!(
                "`{bind_text}` is not an address to listen on: give IP:PORT (`127.0.0.1:8350`)"
            ))
        })?;
        let workspace = flags
            .workspace
            .clone()
            .or_else(|| config.serve.workspace.clone())
            .ok_or_else(|| {
                nskit::Error::Config(
                    "no workspace: give the folder projects are created in with --workspace, serve.workspace or NSKIT_SERVE__WORKSPACE".into(),
                )
            })?;
        if !workspace.is_dir() {
            return Err(nskit::Error::Config(format!(
                "the workspace {} is not a folder: create it first",
                workspace.display()
            )));
        }
        let token = match config.serve.token.clone().filter(|t| !t.trim().is_empty()) {
            Some(t) => t,
            None => nskit::keychain::serve_token()
                .map_err(nskit::Error::Config)?
                .ok_or_else(|| {
                    nskit::Error::Config(
                        "no token for the API's calls that change something: set serve.token (as ${VARIABLE}) or NSKIT_SERVE__TOKEN, or store one with `nskit serve --store-token`".into(),
                    )
                })?,
        };
        nskit::secret::register(&token);
        Ok(ServerOptions {
            bind,
            workspace,
            token,
            max_body_bytes: config.serve.max_body_bytes.unwrap_or(DEFAULT_MAX_BODY),
            max_operations: config
                .serve
                .max_operations
                .unwrap_or(DEFAULT_MAX_OPERATIONS)
                .max(1),
        })
    }
}

/// What every request shares.
pub struct AppState {
    config: Config,
    options: ServerOptions,
    clients: Mutex<HashMap<String, Arc<RecipeClient>>>,
    operations: tokio::sync::Semaphore,
    /// Project folders a request is writing now.
    busy: Mutex<HashSet<PathBuf>>,
}

impl AppState {
    /// The state over `config`, with `options`.
    pub fn new(config: Config, options: ServerOptions) -> Arc<AppState> {
        Arc::new(AppState {
            operations: tokio::sync::Semaphore::new(options.max_operations),
            config,
            options,
            clients: Mutex::new(HashMap::new()),
            busy: Mutex::new(HashSet::new()),
        })
    }

    /// The client of the backend `name` (the default one when `None`), made once.
    fn client(&self, name: Option<&str>) -> Result<Arc<RecipeClient>, ApiError> {
        let key = name.unwrap_or("").to_string();
        let mut clients = self.clients.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(c) = clients.get(&key) {
            return Ok(c.clone());
        }
        let client = Arc::new(match name {
            Some(n) => RecipeClient::for_backend(&self.config, n)?,
            None => RecipeClient::from_config(&self.config)?,
        });
        clients.insert(key, client.clone());
        Ok(client)
    }
}

/// The API's routes over `state`.
pub fn router(state: Arc<AppState>) -> Router {
    let limit = state.options.max_body_bytes;
    Router::new()
        .route("/health", get(handlers::health))
        .route("/openapi.json", get(handlers::openapi))
        .route("/recipes", get(handlers::list_recipes))
        .route("/recipes/{name}", get(handlers::describe_recipe))
        .route("/recipes/{name}/versions", get(handlers::versions))
        .route("/recipes/{name}/schema", get(handlers::schema))
        .route("/recipes/{name}/validate", post(handlers::validate))
        .route(
            "/projects",
            get(handlers::list_projects).post(handlers::create_project),
        )
        .route("/projects/{name}/update/plan", post(handlers::plan_update))
        .route("/projects/{name}/update", post(handlers::apply_update))
        .fallback(error::not_found)
        .layer(DefaultBodyLimit::max(limit))
        .layer(axum::middleware::from_fn(handlers::log_request))
        .with_state(state)
}

/// Serves the API on `listener` until Ctrl-C (or SIGTERM).
pub async fn serve(listener: tokio::net::TcpListener, state: Arc<AppState>) -> std::io::Result<()> {
    axum::serve(listener, router(state))
        .with_graceful_shutdown(async {
            let ctrl_c = tokio::signal::ctrl_c();
            #[cfg(unix)]
            {
                let mut term =
                    match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())
                    {
                        Ok(t) => t,
                        Err(_) => {
                            let _ = ctrl_c.await;
                            return;
                        }
                    };
                tokio::select! {
                    _ = ctrl_c => {},
                    _ = term.recv() => {},
                }
            }
            #[cfg(not(unix))]
            {
                let _ = ctrl_c.await;
            }
        })
        .await
}

/// Resolves the options, binds, calls `started` with them, and serves until Ctrl-C or
/// SIGTERM, on a runtime of its own.
pub fn run(
    config: Config,
    flags: &ServeFlags,
    started: impl FnOnce(&ServerOptions),
) -> Result<(), nskit::Error> {
    let options = ServerOptions::resolve(&config, flags)?;
    let io = |what: &str, e: std::io::Error| nskit::Error::Config(format!("{what}: {e}"));
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|e| io("cannot start the server's runtime", e))?;
    runtime.block_on(async move {
        let listener = tokio::net::TcpListener::bind(options.bind)
            .await
            .map_err(|e| io(&format!("cannot listen on {}", options.bind), e))?;
        let options = ServerOptions {
            bind: listener.local_addr().unwrap_or(options.bind),
            ..options
        };
        started(&options);
        serve(listener, AppState::new(config, options))
            .await
            .map_err(|e| io("the server stopped", e))
    })
}
