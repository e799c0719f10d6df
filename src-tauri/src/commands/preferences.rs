//! The preferences pane: backends, the git host, credentials, the Docker engine and the
//! app's own settings, all through `nskit::preferences` and `nskit::credentials` (the same
//! file and keychain the CLI uses). Every change reloads the app's configuration.
use nskit::credentials::{self, CredentialList, GitHostLogin, RegistryLogin};
use nskit::preferences::{BackendTest, Preferences};
use nskit::{EngineStatus, vcs::Token};
use serde_json::{Map, Value};
use tauri::State;

use super::blocking;
use crate::error::Reply;
use crate::state::AppState;

/// Runs a change of the settings off the main thread, then reloads the configuration.
async fn change<F>(state: &State<'_, AppState>, f: F) -> Reply<Preferences>
where
    F: FnOnce(&nskit::preferences::Settings) -> nskit::Result<Preferences> + Send + 'static,
{
    let settings = state.settings.clone();
    let reply = blocking(move || Ok(f(&settings)?)).await;
    state.reload();
    reply
}

#[tauri::command]
pub async fn get_preferences(state: State<'_, AppState>) -> Reply<Preferences> {
    let settings = state.settings.clone();
    blocking(move || Ok(settings.view()?)).await
}

#[tauri::command]
pub async fn save_backend(
    state: State<'_, AppState>,
    name: String,
    previous: Option<String>,
    settings: Map<String, Value>,
) -> Reply<Preferences> {
    change(&state, move |s| {
        s.save_backend(&name, previous.as_deref(), settings)
    })
    .await
}

#[tauri::command]
pub async fn remove_backend(state: State<'_, AppState>, name: String) -> Reply<Preferences> {
    change(&state, move |s| s.remove_backend(&name)).await
}

#[tauri::command]
pub async fn set_default_backend(state: State<'_, AppState>, name: String) -> Reply<Preferences> {
    change(&state, move |s| s.set_default_backend(&name)).await
}

#[tauri::command]
pub async fn test_backend(
    state: State<'_, AppState>,
    settings: Map<String, Value>,
) -> Reply<BackendTest> {
    let s = state.settings.clone();
    blocking(move || Ok(s.test_backend(settings)?)).await
}

#[tauri::command]
pub async fn save_git_host(
    state: State<'_, AppState>,
    settings: Option<Map<String, Value>>,
) -> Reply<Preferences> {
    change(&state, move |s| s.save_git_host(settings)).await
}

#[tauri::command]
pub async fn test_git_host(state: State<'_, AppState>) -> Reply<GitHostLogin> {
    let config = state.config()?;
    blocking(move || {
        Ok(credentials::test_git_host(&config, &|k| {
            std::env::var(k).ok()
        })?)
    })
    .await
}

#[tauri::command]
pub async fn set_preference(
    state: State<'_, AppState>,
    key: String,
    value: Value,
) -> Reply<Preferences> {
    change(&state, move |s| s.set(&key, value)).await
}

#[tauri::command]
pub async fn engine_status(state: State<'_, AppState>) -> Reply<EngineStatus> {
    let host = state.config().ok().and_then(|c| c.docker_host);
    blocking(move || Ok(nskit::engine_status(host.as_deref()))).await
}

#[tauri::command]
pub async fn list_credentials(state: State<'_, AppState>) -> Reply<CredentialList> {
    let config = state.config()?;
    blocking(move || Ok(credentials::list(&config, &|k| std::env::var(k).ok()))).await
}

#[tauri::command]
pub async fn store_git_token(
    state: State<'_, AppState>,
    provider: String,
    host: Option<String>,
    api_url: Option<String>,
    token: String,
) -> Reply<GitHostLogin> {
    let config = state.config()?;
    let reply = blocking(move || {
        let host = credentials::git_host(&config, &provider, host.as_deref(), api_url.as_deref());
        let api = api_url.unwrap_or_else(|| credentials::api_url_for(&config, &provider, &host));
        Ok(credentials::login_git_host(
            &config,
            &provider,
            &host,
            &api,
            Token::new(token.trim()),
        )?)
    })
    .await;
    state.reload();
    reply
}

#[tauri::command]
pub async fn remove_git_token(
    state: State<'_, AppState>,
    provider: Option<String>,
    host: String,
) -> Reply<bool> {
    let config = state.config()?;
    let provider = provider.unwrap_or_else(|| "github".into());
    let reply =
        blocking(move || Ok(credentials::logout_git_host(&config, &provider, &host)?)).await;
    state.reload();
    reply
}

#[tauri::command]
pub async fn store_registry_login(
    state: State<'_, AppState>,
    registry: String,
    username: String,
    password: String,
) -> Reply<RegistryLogin> {
    let config = state.config()?;
    let reply = blocking(move || {
        Ok(credentials::login_registry(
            &config, &registry, &username, &password,
        )?)
    })
    .await;
    state.reload();
    reply
}

#[tauri::command]
pub async fn remove_registry_login(state: State<'_, AppState>, registry: String) -> Reply<bool> {
    let config = state.config()?;
    let reply = blocking(move || Ok(credentials::logout_registry(&config, &registry)?)).await;
    state.reload();
    reply
}

/// The file's modification time, for the watcher.
pub(crate) fn stamp(state: &AppState) -> Option<std::time::SystemTime> {
    state
        .settings
        .file()
        .ok()
        .and_then(|p| std::fs::metadata(p).ok())
        .and_then(|m| m.modified().ok())
}
