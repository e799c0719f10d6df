//! The catalogue and the recipe wizard's form: thin adapters over `nskit::RecipeClient`.
use nskit::{Answers, Catalogue, CatalogueQuery, FormState, RecipeDetails};
use serde::Serialize;
use tauri::State;

use super::blocking;
use crate::error::Reply;
use crate::state::AppState;

/// A configured backend, for the catalogue's switcher.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct BackendChoice {
    name: String,
    kind: String,
    default: bool,
}

#[tauri::command]
pub fn list_backends(
    state: State<'_, AppState>,
) -> crate::error::CommandResult<Vec<BackendChoice>> {
    let config = state.config()?;
    Ok(config
        .backends
        .iter()
        .map(|b| BackendChoice {
            name: b.name.clone(),
            kind: b.config.type_name().into(),
            default: b.name == config.default_backend,
        })
        .collect())
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
) -> Reply<RecipeDetails> {
    let client = state.client_for(backend.as_deref())?;
    blocking(move || Ok(client.fields(&name, version.as_deref())?)).await
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

/// The repository name a project name gives under the organisation's naming conventions,
/// with a warning (`warn`), or the error naming the valid choices (`strict`).
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct NameCheck {
    repository: String,
    warning: Option<String>,
}

#[tauri::command]
pub async fn check_project_name(state: State<'_, AppState>, name: String) -> Reply<NameCheck> {
    let client = state.client()?;
    blocking(move || {
        let (repository, warning) = client.check_project_name(&name)?;
        Ok(NameCheck {
            repository,
            warning,
        })
    })
    .await
}
