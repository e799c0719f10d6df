//! The nskit client layer: the one API the CLI, the desktop app and any other Rust program
//! use to list recipes, read their fields, validate answers live, preview and create
//! projects. It ties the backends, the renderer, the project state file and git together,
//! prints nothing and never changes the process's working directory.
//!
//! ```
//! use nskit::{InitRequest, RecipeClient};
//!
//! let client = RecipeClient::builtin();
//! # let tmp = std::env::temp_dir().join(format!("nskit-doc-{}", std::process::id()));
//! for recipe in client.list_recipes()? {
//!     println!("{} {:?}", recipe.name, recipe.latest);
//! }
//! let mut answers = serde_json::Map::new();
//! answers.insert("project_name".into(), "hello-cli".into());
//! let result = client.initialize_recipe(&InitRequest {
//!     recipe: "rust_cli".into(),
//!     answers,
//!     output: nskit::Output::Base(tmp.clone()),
//!     ..InitRequest::default()
//! });
//! assert!(result.success, "{:?}", result.errors);
//! assert!(result.project_path.join("Cargo.toml").is_file());
//! println!("created {} files in {}", result.files_created.len(), result.project_path.display());
//! # std::fs::remove_dir_all(&tmp).ok();
//! # Ok::<(), nskit::Error>(())
//! ```
#![deny(missing_docs)]

mod client;
pub mod config;
pub mod credentials;
mod engine_status;
pub mod env_vars;
mod error;
pub mod keychain;
pub mod preferences;
pub mod projects;
pub mod recipe_image;
pub mod repository;
pub mod review;
mod update;

pub use client::{
    BackendChoice, Catalogue, CatalogueQuery, InitRequest, NameCheck, Output, Preview, PreviewFile,
    ProjectRequest, RecipeClient, RecipeDetails, RecipeResult, RepositoryTarget,
};
pub use config::{
    BackendConfig, Config, ConfigFile, GitHubConfig, Overrides, RegistryConfig, VcsConfig,
};
pub use engine_status::{EngineStatus, engine_status};
pub use error::{Error, ErrorCode, ErrorInfo, Result, redact_value};
/// Backends: the [`RecipeBackend`] trait a custom backend implements, its error type, and
/// the built-in backends.
pub use nskit_backends as backends;
pub use nskit_backends::{RecipeBackend, RecipeInfo, RegistryCredentials};
/// Three-way merge (line merge compatible with `git merge-file`).
pub use nskit_merge as merge;
/// Progress and cancellation: the [`Reporter`] every long call takes, and its events.
pub use nskit_progress as progress;
pub use nskit_progress::{CancellationToken, Event, Reporter, Step, StepState};
pub use nskit_recipe::{
    Answers, Condition, Field, FieldError, FieldState, FieldType, FormState, Prompter, Recipe,
    RecipeError, RecipeSource, RecipeVersion,
};
pub use nskit_secret as secret;
pub use nskit_update::{
    Applied, Decision, DiffMode, FileChange, HunkPick, Plan, ProjectState, Resolution, UndoOutcome,
};
/// Git, git hosts (providers), naming conventions.
pub use nskit_vcs as vcs;
pub use projects::{ProjectList, ProjectStatus};
pub use review::{ApplyRequest, FileView, Review, ReviewOutcome, Reviews};
pub use update::{
    CommitInfo, PreparedUpdate, ProjectVersions, UpdateCheck, UpdateClient, UpdateFields,
    UpdateRequest, UpdateResult, VersionChoice,
};

/// The version of nskit.
pub const VERSION: &str = env!("CARGO_PKG_VERSION");
