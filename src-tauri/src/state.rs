//! The app's state: the settings (the configuration file the CLI reads, watched for
//! changes), a client per configured backend made on first use, the update sessions under
//! review, the remembered projects and the operations under way.
use std::collections::HashMap;
use std::sync::{Arc, RwLock};

use nskit::config::{Config, ConfigFile, Overrides};
use nskit::preferences::Settings;
use nskit::{ErrorInfo, ProjectList, RecipeClient, Reviews};

use crate::error::CommandError;

/// The configuration as last loaded, and the clients made over it.
struct Loaded {
    config: Result<Config, ErrorInfo>,
    clients: HashMap<String, Arc<RecipeClient>>,
    /// Counts the reloads: a client made over an older configuration is not kept.
    generation: u64,
}

/// Shared by every command.
pub struct AppState {
    /// Reads and writes the configuration.
    pub settings: Arc<Settings>,
    loaded: RwLock<Loaded>,
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
        let settings = Arc::new(Settings::new(ConfigFile::default(), Overrides::default()));
        AppState {
            loaded: RwLock::new(Loaded {
                config: settings.config().map_err(|e| e.info()),
                clients: HashMap::new(),
                generation: 0,
            }),
            settings,
            reviews: Arc::new(Reviews::new()),
            projects: ProjectList::default_location().map(|f| Arc::new(ProjectList::at(f))),
            operations: Arc::default(),
        }
    }

    /// Reads the configuration again (after a change in the app or by the CLI); the
    /// clients are made again on next use.
    pub fn reload(&self) {
        let config = self.settings.config().map_err(|e| e.info());
        let mut l = self.loaded.write().unwrap_or_else(|e| e.into_inner());
        l.config = config;
        l.clients.clear();
        l.generation += 1;
    }

    /// The configuration, or why it cannot be loaded.
    pub fn config(&self) -> Result<Config, CommandError> {
        let l = self.loaded.read().unwrap_or_else(|e| e.into_inner());
        l.config.clone().map_err(CommandError)
    }

    /// The client of the backend `name`, else of the backend in use.
    pub fn client_for(&self, name: Option<&str>) -> Result<Arc<RecipeClient>, CommandError> {
        let key = name.unwrap_or("").to_string();
        let (config, generation) = {
            let l = self.loaded.read().unwrap_or_else(|e| e.into_inner());
            if let Some(c) = l.clients.get(&key) {
                return Ok(c.clone());
            }
            (l.config.clone().map_err(CommandError)?, l.generation)
        };
        // Made outside the lock (a backend may be slow to set up); kept only if no reload
        // happened meanwhile.
        let client = Arc::new(match name {
            Some(n) => RecipeClient::for_backend(&config, n)?,
            None => RecipeClient::from_config(&config)?,
        });
        let mut l = self.loaded.write().unwrap_or_else(|e| e.into_inner());
        if l.generation == generation {
            return Ok(l.clients.entry(key).or_insert(client).clone());
        }
        Ok(client)
    }

    /// The client of the backend in use.
    pub fn client(&self) -> Result<Arc<RecipeClient>, CommandError> {
        self.client_for(None)
    }

    /// The projects list, or why there is none.
    pub fn projects(&self) -> Result<Arc<ProjectList>, CommandError> {
        self.projects.clone().ok_or_else(|| {
            CommandError(ErrorInfo {
                code: nskit::ErrorCode::Config,
                message: "no data folder to keep the projects list in: set NSKIT_DATA_DIR".into(),
                details: serde_json::Value::Null,
            })
        })
    }
}
