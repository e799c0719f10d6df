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
    let client = state.client_for(request.backend.as_deref())?;
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
    let client = state.client_for(request.backend.as_deref())?;
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

/// Where new projects go unless the user picks another folder: the configured
/// `output_dir`, else the home folder.
#[tauri::command]
pub fn default_output_dir(state: State<'_, AppState>) -> String {
    state
        .config()
        .ok()
        .and_then(|c| c.output_dir)
        .or_else(dirs::home_dir)
        .map(|h| h.display().to_string())
        .unwrap_or_else(|| ".".into())
}

/// Opens a web page (a new repository) in the browser.
#[tauri::command]
pub fn open_url(app: tauri::AppHandle, url: String) -> CommandResult<()> {
    use tauri_plugin_opener::OpenerExt;
    if !(url.starts_with("https://") || url.starts_with("http://")) {
        return Err(crate::error::CommandError(nskit::ErrorInfo {
            code: nskit::ErrorCode::Other,
            message: format!("not a web address: {url}"),
            details: serde_json::Value::Null,
        }));
    }
    app.opener()
        .open_url(url.clone(), None::<&str>)
        .map_err(|e| {
            crate::error::CommandError(nskit::ErrorInfo {
                code: nskit::ErrorCode::Other,
                message: format!("cannot open {url}: {e}"),
                details: serde_json::Value::Null,
            })
        })
}

/// Where the project's repository can be created, when a git host is configured.
#[tauri::command]
pub fn repository_target(state: State<'_, AppState>) -> CommandResult<Option<RepositoryTarget>> {
    Ok(state.client()?.repository_target())
}
