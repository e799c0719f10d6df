//! The app's state: the configuration and a client over the configured backend.
use std::sync::Arc;

use nskit::{Config, ErrorInfo, Overrides, RecipeClient};

/// Shared by every command.
pub struct AppState {
    /// The client, or why the configuration could not be loaded.
    pub client: Result<Arc<RecipeClient>, ErrorInfo>,
}

impl AppState {
    /// Loads the configuration (environment and config file, as the CLI does).
    pub fn load() -> AppState {
        let client = Config::load(&Overrides::default())
            .map(|c| Arc::new(RecipeClient::from_config(&c)))
            .map_err(|e| e.info());
        AppState { client }
    }

    /// The client, or the configuration error.
    pub fn client(&self) -> Result<Arc<RecipeClient>, crate::error::CommandError> {
        self.client.clone().map_err(crate::error::CommandError)
    }
}
