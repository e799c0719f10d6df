//! The Projects screen and update review: thin adapters over `nskit::ProjectList`,
//! `nskit::Reviews` and `nskit::UpdateClient`; the work runs off the main thread.
use std::path::PathBuf;

use nskit::review::Content;
use nskit::{
    ApplyRequest, CommitInfo, Event, FileView, ProjectStatus, ProjectVersions, Resolution, Review,
    ReviewOutcome, UndoOutcome, UpdateFields, UpdateRequest,
};
use tauri::State;
use tauri::ipc::Channel;

use super::blocking;
use crate::error::{CommandResult, Reply};
use crate::state::AppState;

#[tauri::command]
pub async fn list_projects(state: State<'_, AppState>) -> Reply<Vec<ProjectStatus>> {
    let list = state.projects()?;
    blocking(move || Ok(list.statuses()?)).await
}

#[tauri::command]
pub async fn add_project(state: State<'_, AppState>, path: PathBuf) -> Reply<ProjectStatus> {
    let list = state.projects()?;
    blocking(move || Ok(list.add(&path)?)).await
}

#[tauri::command]
pub async fn remove_project(state: State<'_, AppState>, path: PathBuf) -> Reply<bool> {
    let list = state.projects()?;
    blocking(move || Ok(list.remove(&path)?)).await
}

/// Asks the backend for the project's newest version (cached; offline keeps the last).
#[tauri::command]
pub async fn check_project(state: State<'_, AppState>, path: PathBuf) -> Reply<ProjectStatus> {
    let (list, client) = (state.projects()?, state.client()?);
    blocking(move || Ok(list.check(&client, &path)?)).await
}

#[tauri::command]
pub async fn project_versions(state: State<'_, AppState>, path: PathBuf) -> Reply<ProjectVersions> {
    let client = state.client()?;
    blocking(move || Ok(client.updates().versions(&path)?)).await
}

#[tauri::command]
pub async fn update_fields(
    state: State<'_, AppState>,
    path: PathBuf,
    version: Option<String>,
) -> Reply<UpdateFields> {
    let client = state.client()?;
    blocking(move || Ok(client.updates().fields(&path, version.as_deref())?)).await
}

#[tauri::command]
pub async fn start_update(
    state: State<'_, AppState>,
    request: UpdateRequest,
    operation: String,
    progress: Channel<Event>,
) -> Reply<Review> {
    let (client, reviews) = (state.client()?, state.reviews.clone());
    let op = state.operations.start(operation, progress);
    blocking(move || Ok(reviews.start_update(&client, &request, &op.reporter)?)).await
}

#[tauri::command]
pub async fn start_conflicts(state: State<'_, AppState>, path: PathBuf) -> Reply<Review> {
    let reviews = state.reviews.clone();
    blocking(move || Ok(reviews.start_conflicts(&path)?)).await
}

#[tauri::command]
pub async fn review_file(state: State<'_, AppState>, id: String, path: String) -> Reply<FileView> {
    let reviews = state.reviews.clone();
    blocking(move || Ok(reviews.file(&id, &path)?)).await
}

#[tauri::command]
pub async fn preview_resolution(
    state: State<'_, AppState>,
    id: String,
    path: String,
    resolution: Resolution,
) -> Reply<Option<Content>> {
    let reviews = state.reviews.clone();
    blocking(move || Ok(reviews.preview(&id, &path, &resolution)?)).await
}

/// Applies a review; its steps go to `progress` as they happen.
#[tauri::command]
pub async fn apply_review(
    state: State<'_, AppState>,
    id: String,
    request: ApplyRequest,
    operation: String,
    progress: Channel<Event>,
) -> Reply<ReviewOutcome> {
    let (client, reviews) = (state.client()?, state.reviews.clone());
    let op = state.operations.start(operation, progress);
    blocking(move || Ok(reviews.apply(&client, &id, &request, &op.reporter)?)).await
}

#[tauri::command]
pub fn close_review(state: State<'_, AppState>, id: String) {
    state.reviews.close(&id);
}

#[tauri::command]
pub async fn commit_update(
    state: State<'_, AppState>,
    path: PathBuf,
    paths: Vec<String>,
    message: String,
) -> Reply<CommitInfo> {
    let client = state.client()?;
    blocking(move || Ok(client.updates().commit(&path, &paths, &message)?)).await
}

/// Commits everything in the project (the dirty tree's "commit first").
#[tauri::command]
pub async fn commit_all(
    state: State<'_, AppState>,
    path: PathBuf,
    message: String,
) -> Reply<CommitInfo> {
    let client = state.client()?;
    blocking(move || Ok(client.updates().commit_all(&path, &message)?)).await
}

#[tauri::command]
pub async fn undo_update(state: State<'_, AppState>, path: PathBuf) -> Reply<UndoOutcome> {
    let client = state.client()?;
    blocking(move || Ok(client.updates().undo(&path, false)?)).await
}

/// Opens a folder in the file manager.
#[tauri::command]
pub fn open_folder(app: tauri::AppHandle, path: PathBuf) -> CommandResult<()> {
    use tauri_plugin_opener::OpenerExt;
    app.opener()
        .open_path(path.display().to_string(), None::<&str>)
        .map_err(|e| {
            crate::error::CommandError(nskit::ErrorInfo {
                code: nskit::ErrorCode::Other,
                message: format!("cannot open {}: {e}", path.display()),
                details: serde_json::Value::Null,
            })
        })
}
