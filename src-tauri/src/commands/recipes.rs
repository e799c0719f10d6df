//! The catalogue and the recipe form.
use nskit::{Answers, Catalogue, FormState, RecipeDetails};
use tauri::State;

use super::blocking;
use crate::error::Reply;
use crate::state::AppState;

#[tauri::command]
pub async fn catalogue(state: State<'_, AppState>) -> Reply<Catalogue> {
    let client = state.client()?;
    blocking(move || Ok(client.catalogue()?)).await
}

#[tauri::command]
pub async fn recipe_details(
    state: State<'_, AppState>,
    name: String,
    version: Option<String>,
) -> Reply<RecipeDetails> {
    let client = state.client()?;
    blocking(move || Ok(client.fields(&name, version.as_deref())?)).await
}

#[tauri::command]
pub async fn evaluate_form(
    state: State<'_, AppState>,
    name: String,
    version: Option<String>,
    answers: Answers,
) -> Reply<FormState> {
    let client = state.client()?;
    blocking(move || Ok(client.evaluate_form(&name, version.as_deref(), &answers)?)).await
}
