//! The catalogue and the recipe wizard's form: thin adapters over `nskit::RecipeClient`.
use nskit::{
    Answers, BackendChoice, Catalogue, CatalogueQuery, Event, FormState, NameCheck, RecipeDetails,
};
use tauri::State;
use tauri::ipc::Channel;

use super::blocking;
use crate::error::Reply;
use crate::state::AppState;

#[tauri::command]
pub fn list_backends(
    state: State<'_, AppState>,
) -> crate::error::CommandResult<Vec<BackendChoice>> {
    Ok(BackendChoice::all(&state.config()?))
}

#[tauri::command]
pub async fn catalogue(
    state: State<'_, AppState>,
    backend: Option<String>,
    query: CatalogueQuery,
) -> Reply<Catalogue> {
    let client = state.client_for(backend.as_deref())?;
    blocking(move || Ok(client.query_catalogue(&query)?)).await
}

#[tauri::command]
pub async fn recipe_details(
    state: State<'_, AppState>,
    backend: Option<String>,
    name: String,
    version: Option<String>,
    operation: String,
    progress: Channel<Event>,
) -> Reply<RecipeDetails> {
    let client = state.client_for(backend.as_deref())?;
    let op = state.operations.start(operation, progress);
    blocking(move || Ok(client.fields_reported(&name, version.as_deref(), &op.reporter)?)).await
}

#[tauri::command]
pub async fn evaluate_form(
    state: State<'_, AppState>,
    backend: Option<String>,
    name: String,
    version: Option<String>,
    answers: Answers,
) -> Reply<FormState> {
    let client = state.client_for(backend.as_deref())?;
    blocking(move || Ok(client.evaluate_form(&name, version.as_deref(), &answers)?)).await
}

#[tauri::command]
pub async fn check_project_name(state: State<'_, AppState>, name: String) -> Reply<NameCheck> {
    let client = state.client()?;
    blocking(move || Ok(client.name_check(&name)?)).await
}
