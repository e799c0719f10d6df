//! The app's state: the configuration and a client over the configured backend, the
//! update sessions under review, and the remembered projects.
use std::sync::Arc;

use nskit::{Config, ErrorInfo, Overrides, ProjectList, RecipeClient, Reviews};

/// Shared by every command.
pub struct AppState {
    /// The client, or why the configuration could not be loaded.
    pub client: Result<Arc<RecipeClient>, ErrorInfo>,
    /// Update sessions by id.
    pub reviews: Arc<Reviews>,
    /// The projects list, in the user's data folder (`None` when there is none).
    pub projects: Option<Arc<ProjectList>>,
    /// Long operations under way, to cancel them.
    pub operations: Arc<crate::commands::operations::Operations>,
}

impl AppState {
    /// Loads the configuration (environment and config file, as the CLI does).
    pub fn load() -> AppState {
        let client = Config::load(&Overrides::default())
            .map(|c| Arc::new(RecipeClient::from_config(&c)))
            .map_err(|e| e.info());
        AppState {
            client,
            reviews: Arc::new(Reviews::new()),
            projects: ProjectList::default_location().map(|f| Arc::new(ProjectList::at(f))),
            operations: Arc::default(),
        }
    }

    /// The client, or the configuration error.
    pub fn client(&self) -> Result<Arc<RecipeClient>, crate::error::CommandError> {
        self.client.clone().map_err(crate::error::CommandError)
    }

    /// The projects list, or why there is none.
    pub fn projects(&self) -> Result<Arc<ProjectList>, crate::error::CommandError> {
        self.projects.clone().ok_or_else(|| {
            crate::error::CommandError(ErrorInfo {
                code: nskit::ErrorCode::Config,
                message: "no data folder to keep the projects list in: set NSKIT_DATA_DIR".into(),
                details: serde_json::Value::Null,
            })
        })
    }
}
