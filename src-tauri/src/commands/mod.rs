//! The app's commands, grouped by screen.
pub mod operations;
pub mod preferences;
pub mod projects;
pub mod recipes;
pub mod update;

use crate::error::{CommandResult, Redacted, Reply};

/// Runs blocking client work off the main thread; its reply is redacted.
pub(crate) async fn blocking<T, F>(f: F) -> Reply<T>
where
    T: Send + 'static,
    F: FnOnce() -> CommandResult<T> + Send + 'static,
{
    tauri::async_runtime::spawn_blocking(f).await?.map(Redacted)
}
