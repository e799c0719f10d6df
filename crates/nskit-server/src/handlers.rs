//! The calls. Each runs the client's blocking work on tokio's blocking threads; calls that
//! change something check the bearer token first, wait for an operation slot, and stream
//! their progress when asked to (`Accept: text/event-stream`).
use std::convert::Infallible;
use std::path::{Path as FsPath, PathBuf};
use std::sync::Arc;
use std::time::Instant;

use axum::extract::{Path, Query, Request, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::middleware::Next;
use axum::response::sse::{Event as SseEvent, KeepAlive, Sse};
use axum::response::{IntoResponse, Response};
use nskit::{CancellationToken, InitRequest, Output, RecipeClient, Reporter};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use subtle::ConstantTimeEq;

use crate::AppState;
use crate::api::*;
use crate::error::{ApiError, Json};

/// Logs each request as `METHOD /path STATUS TIMEms` on stderr: never a body, a query or a
/// header (answers and tokens stay out of logs).
pub(crate) async fn log_request(req: Request, next: Next) -> Response {
    let method = req.method().clone();
    let path = req.uri().path().to_string();
    let start = Instant::now();
    let res = next.run(req).await;
    eprintln!(
        "{method} {path} {} {}ms",
        res.status().as_u16(),
        start.elapsed().as_millis()
    );
    res
}

async fn blocking<T: Send + 'static>(
    f: impl FnOnce() -> Result<T, ApiError> + Send + 'static,
) -> Result<T, ApiError> {
    tokio::task::spawn_blocking(f).await.map_err(|e| {
        ApiError::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "other",
            format!("the call stopped: {e}"),
        )
    })?
}

fn authorize(state: &AppState, headers: &HeaderMap) -> Result<(), ApiError> {
    let given = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .map(str::trim);
    match given {
        None => Err(ApiError::new(
            StatusCode::UNAUTHORIZED,
            "unauthorized",
            "this call changes something and needs `Authorization: Bearer <token>` (the server's serve.token)",
        )),
        Some(t) if bool::from(t.as_bytes().ct_eq(state.options.token.as_bytes())) => Ok(()),
        Some(_) => Err(ApiError::new(
            StatusCode::UNAUTHORIZED,
            "unauthorized",
            "the bearer token is not this server's",
        )),
    }
}

fn wants_stream(headers: &HeaderMap) -> bool {
    headers
        .get(header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|a| a.contains("text/event-stream"))
}

/// A folder of the workspace written by one request at a time.
struct Busy {
    state: Arc<AppState>,
    path: PathBuf,
}

impl Busy {
    fn claim(state: &Arc<AppState>, path: &FsPath) -> Result<Busy, ApiError> {
        let mut busy = state.busy.lock().unwrap_or_else(|e| e.into_inner());
        if !busy.insert(path.to_path_buf()) {
            return Err(ApiError::new(
                StatusCode::CONFLICT,
                "target_busy",
                format!(
                    "another request is writing {} now: try again when it is done",
                    path.display()
                ),
            ));
        }
        Ok(Busy {
            state: state.clone(),
            path: path.to_path_buf(),
        })
    }
}

impl Drop for Busy {
    fn drop(&mut self) {
        self.state
            .busy
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .remove(&self.path);
    }
}

fn sse(ev: &StreamEvent) -> SseEvent {
    let (name, data) = match ev {
        StreamEvent::Progress(e) => ("progress", serde_json::to_string(e)),
        StreamEvent::Result(v) => ("result", serde_json::to_string(v)),
        StreamEvent::Error(e) => ("error", serde_json::to_string(e)),
    };
    SseEvent::default()
        .event(name)
        .data(data.unwrap_or_else(|_| "{}".into()))
}

/// Runs an operation that changes something: after an operation slot is free, on a
/// blocking thread, with a reporter whose cancel fires when the caller goes away. Streams
/// its progress as server-sent events when the caller asked for them, else answers once.
async fn operation<T, F>(
    state: Arc<AppState>,
    headers: &HeaderMap,
    status: StatusCode,
    hold: Option<Busy>,
    f: F,
) -> Response
where
    T: Serialize + Send + 'static,
    F: FnOnce(&Reporter) -> Result<T, ApiError> + Send + 'static,
{
    let token = CancellationToken::new();
    if wants_stream(headers) {
        let (tx, rx) = tokio::sync::mpsc::unbounded_channel::<StreamEvent>();
        let progress = tx.clone();
        let reporter = Reporter::new(move |e| {
            let _ = progress.send(StreamEvent::Progress(e.clone()));
        })
        .with_cancel(token.clone());
        let guard = token.drop_guard();
        tokio::spawn(async move {
            let _hold = hold;
            let Ok(_slot) = state.operations.acquire().await else {
                return;
            };
            let r = tokio::task::spawn_blocking(move || f(&reporter)).await;
            let last = match r {
                Ok(Ok(v)) => StreamEvent::Result(serde_json::to_value(v).unwrap_or(Value::Null)),
                Ok(Err(e)) => StreamEvent::Error(*e.body),
                Err(e) => StreamEvent::Error(
                    *ApiError::new(
                        StatusCode::INTERNAL_SERVER_ERROR,
                        "other",
                        format!("the call stopped: {e}"),
                    )
                    .body,
                ),
            };
            let _ = tx.send(last);
        });
        // The guard lives as long as the stream: a caller that goes away cancels.
        let stream = futures_util::stream::unfold((rx, guard), |(mut rx, guard)| async move {
            let ev = rx.recv().await?;
            Some((Ok::<_, Infallible>(sse(&ev)), (rx, guard)))
        });
        return Sse::new(stream)
            .keep_alive(KeepAlive::default())
            .into_response();
    }
    let reporter = Reporter::silent().with_cancel(token.clone());
    let guard = token.drop_guard();
    let _hold = hold;
    let Ok(_slot) = state.operations.acquire().await else {
        return ApiError::new(
            StatusCode::SERVICE_UNAVAILABLE,
            "other",
            "the server is stopping",
        )
        .into_response();
    };
    let r = tokio::task::spawn_blocking(move || f(&reporter)).await;
    guard.disarm();
    match r {
        Ok(Ok(v)) => (status, axum::Json(v)).into_response(),
        Ok(Err(e)) => e.into_response(),
        Err(e) => ApiError::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "other",
            format!("the call stopped: {e}"),
        )
        .into_response(),
    }
}

pub(crate) async fn health() -> axum::Json<Health> {
    axum::Json(Health {
        status: "ok".into(),
        version: nskit::VERSION.into(),
    })
}

pub(crate) async fn openapi() -> axum::Json<Value> {
    axum::Json(crate::openapi::document())
}

/// `?backend=NAME&version=X`.
#[derive(Debug, Default, Deserialize)]
pub(crate) struct Which {
    backend: Option<String>,
    version: Option<String>,
}

pub(crate) async fn list_recipes(
    State(state): State<Arc<AppState>>,
    Query(q): Query<Which>,
) -> Result<axum::Json<Vec<RecipeSummary>>, ApiError> {
    let client = state.client(q.backend.as_deref())?;
    let recipes = blocking(move || Ok(client.list_recipes()?)).await?;
    Ok(axum::Json(recipes.into_iter().map(Into::into).collect()))
}

pub(crate) async fn describe_recipe(
    State(state): State<Arc<AppState>>,
    Path(name): Path<String>,
    Query(q): Query<Which>,
) -> Result<axum::Json<RecipeDescription>, ApiError> {
    let client = state.client(q.backend.as_deref())?;
    let d = blocking(move || Ok(client.fields(&name, q.version.as_deref())?)).await?;
    Ok(axum::Json(RecipeDescription {
        name: d.name,
        version: d.version,
        description: d.description,
        tags: d.tags,
        schema: d.schema,
    }))
}

pub(crate) async fn versions(
    State(state): State<Arc<AppState>>,
    Path(name): Path<String>,
    Query(q): Query<Which>,
) -> Result<axum::Json<Vec<String>>, ApiError> {
    let client = state.client(q.backend.as_deref())?;
    Ok(axum::Json(
        blocking(move || Ok(client.versions(&name)?)).await?,
    ))
}

pub(crate) async fn schema(
    State(state): State<Arc<AppState>>,
    Path(name): Path<String>,
    Query(q): Query<Which>,
) -> Result<axum::Json<Value>, ApiError> {
    let client = state.client(q.backend.as_deref())?;
    let d = blocking(move || Ok(client.fields(&name, q.version.as_deref())?)).await?;
    Ok(axum::Json(d.schema))
}

pub(crate) async fn validate(
    State(state): State<Arc<AppState>>,
    Path(name): Path<String>,
    Query(q): Query<Which>,
    Json(req): Json<ValidateRequest>,
) -> Result<axum::Json<Validation>, ApiError> {
    let client = state.client(q.backend.as_deref())?;
    let form = {
        let answers = req.answers.clone();
        let version = req.version.clone();
        blocking(move || Ok(client.evaluate_form(&name, version.as_deref(), &answers)?)).await?
    };
    let errors: Vec<FieldProblem> = form
        .fields
        .iter()
        .filter(|f| f.active)
        .filter_map(|f| {
            f.error.as_ref().map(|m| FieldProblem {
                field: f.name.clone(),
                message: m.clone(),
            })
        })
        .collect();
    let known = |k: &str| {
        form.fields
            .iter()
            .any(|f| f.name == k || f.name.starts_with(&format!("{k}.")))
    };
    let unknown = req.answers.keys().filter(|k| !known(k)).cloned().collect();
    Ok(axum::Json(Validation {
        valid: errors.is_empty() && form.valid,
        errors,
        unknown,
    }))
}

/// A project's folder name: one plain path segment.
fn folder_name(name: &str) -> Result<(), ApiError> {
    let bad = name.is_empty()
        || name.len() > 255
        || name.starts_with('.')
        || name.contains(['/', '\\', '\0'])
        || name.chars().any(char::is_control);
    if bad {
        return Err(ApiError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid_answers",
            format!("`{name}` cannot be a project's folder: give one name without `/`, not starting with `.`"),
        )
        .with_details(json!({ "field": "name" })));
    }
    Ok(())
}

pub(crate) async fn list_projects(
    State(state): State<Arc<AppState>>,
) -> Result<axum::Json<Vec<ProjectSummary>>, ApiError> {
    let root = state.options.workspace.clone();
    let projects = blocking(move || {
        let mut out = vec![];
        let entries = std::fs::read_dir(&root).map_err(|e| {
            ApiError::new(
                StatusCode::INTERNAL_SERVER_ERROR,
                "other",
                format!("cannot read the workspace {}: {e}", root.display()),
            )
        })?;
        for e in entries.flatten() {
            let name = e.file_name().to_string_lossy().into_owned();
            if name.starts_with('.') || !e.path().is_dir() {
                continue;
            }
            if let Ok(s) = nskit::ProjectState::load(&e.path()) {
                out.push(ProjectSummary {
                    name,
                    recipe: s.metadata.recipe_name.clone(),
                    version: s.metadata.version(),
                });
            }
        }
        out.sort_by(|a, b| a.name.cmp(&b.name));
        Ok(out)
    })
    .await?;
    Ok(axum::Json(projects))
}

fn error_body(e: &nskit::ErrorInfo) -> ErrorBody {
    ErrorBody {
        code: serde_json::to_value(e.code)
            .ok()
            .and_then(|v| v.as_str().map(str::to_string))
            .unwrap_or_else(|| "other".into()),
        message: e.message.clone(),
        details: e.details.clone(),
    }
}

pub(crate) async fn create_project(
    State(state): State<Arc<AppState>>,
    headers: HeaderMap,
    Json(req): Json<CreateRequest>,
) -> Response {
    if let Err(e) = authorize(&state, &headers) {
        return e.into_response();
    }
    let name = req.name.clone().or_else(|| {
        ["project_name", "name"].iter().find_map(|k| {
            req.answers
                .get(*k)
                .and_then(Value::as_str)
                .map(str::to_string)
        })
    });
    let Some(name) = name else {
        return ApiError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "missing_answers",
            "give the project's folder as `name` (or the answer `project_name`)",
        )
        .with_details(json!({ "missing": ["name"] }))
        .into_response();
    };
    if let Err(e) = folder_name(&name) {
        return e.into_response();
    }
    let client = match state.client(req.backend.as_deref()) {
        Ok(c) => c,
        Err(e) => return e.into_response(),
    };
    let target = state.options.workspace.join(&name);
    let hold = match Busy::claim(&state, &target) {
        Ok(h) => h,
        Err(e) => return e.into_response(),
    };
    let init = InitRequest {
        recipe: req.recipe,
        version: req.version,
        answers: req.answers,
        output: Output::Exact(target.clone()),
        force: false,
        git: req.commit,
        create_repo: req.repository.then(|| nskit::repository::RepoOptions {
            private: req.public.map(|p| !p),
            description: None,
        }),
    };
    operation(
        state.clone(),
        &headers,
        StatusCode::CREATED,
        Some(hold),
        move |reporter| {
            let r = client.init(&init, None, reporter)?;
            Ok(Created {
                name,
                path: r.project_path.display().to_string(),
                recipe: r.recipe_name,
                version: r.recipe_version,
                files: r.files_created,
                commit: r.commit,
                repository: r.repository.map(|x| RepositoryCreated {
                    full_name: x.full_name,
                    html_url: x.html_url,
                    clone_url: x.clone_url,
                    branch: x.branch,
                    private: x.private,
                    warnings: x.warnings,
                }),
                errors: r.errors.iter().map(error_body).collect(),
                warnings: r.warnings,
            })
        },
    )
    .await
}

/// The project `name` of the workspace, which must be there, and the client that
/// updates it (the default backend's).
fn project_of(state: &AppState, name: &str) -> Result<(PathBuf, Arc<RecipeClient>), ApiError> {
    folder_name(name)?;
    let p = state.options.workspace.join(name);
    if !p.is_dir() {
        return Err(ApiError::new(
            StatusCode::NOT_FOUND,
            "not_a_project",
            format!("no project named `{name}` in the workspace"),
        ));
    }
    Ok((p, state.client(None)?))
}

fn plan_of(p: &nskit::PreparedUpdate) -> UpdatePlan {
    UpdatePlan {
        recipe: p.recipe.clone(),
        from_version: p.from_version.clone(),
        to_version: p.to_version.clone(),
        up_to_date: p.up_to_date,
        new_fields: p.new_fields.clone(),
        changes: p
            .plan
            .changes
            .iter()
            .filter(|c| c.decision != nskit::Decision::Unchanged)
            .map(|c| PlannedChange {
                path: c.path.clone(),
                decision: serde_json::to_value(c.decision).unwrap_or(Value::Null),
                conflicts: c.conflicts,
                message: c.message.clone(),
            })
            .collect(),
        conflicts: p.plan.conflicts().map(|c| c.path.clone()).collect(),
        warnings: p.warnings.clone(),
    }
}

fn update_request(project: PathBuf, req: &UpdateRequest) -> nskit::UpdateRequest {
    nskit::UpdateRequest {
        project,
        target_version: req.version.clone(),
        answers: req.answers.clone(),
        mode: nskit::DiffMode::default(),
        allow_dirty: false,
    }
}

pub(crate) async fn plan_update(
    State(state): State<Arc<AppState>>,
    headers: HeaderMap,
    Path(name): Path<String>,
    Json(req): Json<UpdateRequest>,
) -> Response {
    if let Err(e) = authorize(&state, &headers) {
        return e.into_response();
    }
    let (project, client) = match project_of(&state, &name) {
        Ok(x) => x,
        Err(e) => return e.into_response(),
    };
    operation(
        state.clone(),
        &headers,
        StatusCode::OK,
        None,
        move |reporter| {
            let prepared = client
                .updates()
                .plan(&update_request(project, &req), None, reporter)?;
            Ok(plan_of(&prepared))
        },
    )
    .await
}

pub(crate) async fn apply_update(
    State(state): State<Arc<AppState>>,
    headers: HeaderMap,
    Path(name): Path<String>,
    Json(req): Json<UpdateRequest>,
) -> Response {
    if let Err(e) = authorize(&state, &headers) {
        return e.into_response();
    }
    let (project, client) = match project_of(&state, &name) {
        Ok(x) => x,
        Err(e) => return e.into_response(),
    };
    let hold = match Busy::claim(&state, &project) {
        Ok(h) => h,
        Err(e) => return e.into_response(),
    };
    operation(state.clone(), &headers, StatusCode::OK, Some(hold), move |reporter| {
        let updates = client.updates();
        let prepared = updates.plan(&update_request(project.clone(), &req), None, reporter)?;
        let conflicts: Vec<String> = prepared.plan.conflicts().map(|c| c.path.clone()).collect();
        if !conflicts.is_empty() && req.on_conflict == OnConflict::Refuse {
            return Err(ApiError::new(
                StatusCode::CONFLICT,
                "conflicts_left",
                format!(
                    "the update of {} to {} conflicts in {}: nothing was written; resolve it in a checkout, or ask for `on_conflict: markers`",
                    prepared.recipe,
                    prepared.to_version,
                    conflicts.join(", ")
                ),
            )
            .with_details(json!({ "paths": conflicts })));
        }
        let mut warnings = prepared.warnings.clone();
        if prepared.up_to_date {
            return Ok(UpdateApplied {
                recipe: prepared.recipe,
                from_version: prepared.from_version,
                to_version: prepared.to_version,
                written: vec![],
                removed: vec![],
                conflicts: vec![],
                commit: None,
                warnings,
            });
        }
        let done = updates.apply(&prepared, reporter)?;
        warnings.extend(done.applied.warnings.clone());
        let commit = if req.commit && done.applied.conflicts.is_empty() {
            let message = format!(
                "Update {} {} → {}",
                done.recipe,
                done.from_version.as_deref().unwrap_or("?"),
                done.to_version
            );
            Some(updates.commit_all(&project, &message)?.id)
        } else {
            None
        };
        Ok(UpdateApplied {
            recipe: done.recipe,
            from_version: done.from_version,
            to_version: done.to_version,
            written: done.applied.written,
            removed: done.applied.removed,
            conflicts: done.applied.conflicts,
            commit,
            warnings,
        })
    })
    .await
}
