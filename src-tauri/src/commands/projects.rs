//! Previewing and creating projects.
use nskit::{Event, InitRequest, Preview, ProjectRequest, RecipeResult, RepositoryTarget};
use tauri::State;
use tauri::ipc::Channel;

use super::blocking;
use crate::error::{CommandResult, Reply};
use crate::state::AppState;

#[tauri::command]
pub async fn preview_project(
    state: State<'_, AppState>,
    request: ProjectRequest,
    operation: String,
    progress: Channel<Event>,
) -> Reply<Preview> {
    let client = state.client()?;
    let op = state.operations.start(operation, progress);
    blocking(move || Ok(client.preview(&InitRequest::from(request), &op.reporter)?)).await
}

#[tauri::command]
pub async fn create_project(
    state: State<'_, AppState>,
    request: ProjectRequest,
    operation: String,
    progress: Channel<Event>,
) -> Reply<RecipeResult> {
    let client = state.client()?;
    let list = state.projects.clone();
    let op = state.operations.start(operation, progress);
    blocking(move || {
        let result = client.init(&InitRequest::from(request), None, &op.reporter)?;
        // Created here, so listed on the Projects screen.
        if result.success
            && let Some(list) = list
        {
            let _ = list.remember(&result.project_path);
        }
        Ok(result)
    })
    .await
}

/// Where new projects go unless the user picks another folder: the home folder.
#[tauri::command]
pub fn default_output_dir() -> String {
    dirs::home_dir()
        .map(|h| h.display().to_string())
        .unwrap_or_else(|| ".".into())
}

/// Where the project's repository can be created, when a git host is configured.
#[tauri::command]
pub fn repository_target(state: State<'_, AppState>) -> CommandResult<Option<RepositoryTarget>> {
    Ok(state.client()?.repository_target())
}
