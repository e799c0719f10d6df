use serde::Serialize;
use serde_json::{Value, json};
use ts_rs::TS;

use nskit_backends::BackendError;
use nskit_recipe::RecipeError;

/// The result type of the client layer.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Everything the client layer can fail with.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// Finding or loading a recipe failed.
    #[error(transparent)]
    Backend(BackendError),
    /// The recipe, the answers or the output failed.
    #[error(transparent)]
    Recipe(RecipeError),
    /// The operation was cancelled through its reporter; nothing was left behind.
    #[error("cancelled; nothing was written")]
    Cancelled,
    /// The project's state file.
    #[error(transparent)]
    State(#[from] nskit_update::StateError),
    /// The configuration is not valid.
    #[error("configuration: {0}")]
    Config(String),
    /// The project's git tree has uncommitted changes.
    #[error(
        "{} has uncommitted changes ({}); commit or stash them first, so the update can be reviewed and undone, or pass --allow-dirty",
        project.display(),
        list_some(paths)
    )]
    DirtyTree {
        /// The project.
        project: std::path::PathBuf,
        /// The changed paths.
        paths: Vec<String>,
    },
    /// The recorded version cannot be rendered again, so there is no base to merge with.
    #[error(
        "cannot render {recipe} {version}, the version this project was made from, with its recorded answers: {cause}. The update needs it as the base of the 3-way merge: make that version available again (and pass any missing answer with --set), or use --diff-mode two-way to compare with the new version only (every difference becomes a conflict)"
    )]
    BaseUnavailable {
        /// The recipe.
        recipe: String,
        /// The recorded version.
        version: String,
        /// Why.
        cause: Box<Error>,
    },
    /// Applying or undoing an update failed.
    #[error(transparent)]
    Apply(#[from] nskit_update::ApplyError),
    /// The Docker engine failed or is not there.
    #[error("{0}")]
    Engine(String),
    /// Creating or pushing the repository failed (the local project is intact).
    #[error("{0}")]
    Repository(nskit_vcs::ProviderError),
    /// The name breaks the organisation's naming conventions.
    #[error("{0}")]
    Namespace(nskit_vcs::namespaces::NamespaceError),
    /// The update session is not open (applied, closed, or replaced by a newer plan).
    #[error(
        "update session {0} is not open any more (it was applied, closed or replaced by a newer plan); plan the update again"
    )]
    SessionNotFound(String),
    /// A resolution does not fit the plan.
    #[error("{0}")]
    Resolve(nskit_update::ResolveError),
    /// Conflicts are left and applying them was not asked for.
    #[error(
        "{} still in conflict: resolve {}, or apply anyway to write conflict markers into {} and record {} in the git index",
        list_some(paths),
        if paths.len() == 1 { "it" } else { "them" },
        if paths.len() == 1 { "the file" } else { "the files" },
        if paths.len() == 1 { "it" } else { "them" },
    )]
    ConflictsLeft {
        /// The paths.
        paths: Vec<String>,
    },
    /// A git operation failed.
    #[error("{0}")]
    Git(#[from] nskit_vcs::VcsError),
    /// Reading the project failed.
    #[error("{path}: {source}")]
    Io {
        /// The path.
        path: std::path::PathBuf,
        /// Why.
        source: std::io::Error,
    },
}

impl From<BackendError> for Error {
    fn from(e: BackendError) -> Self {
        match e {
            BackendError::Cancelled | BackendError::Recipe(RecipeError::Cancelled) => {
                Error::Cancelled
            }
            e => Error::Backend(e),
        }
    }
}

impl From<RecipeError> for Error {
    fn from(e: RecipeError) -> Self {
        match e {
            RecipeError::Cancelled => Error::Cancelled,
            e => Error::Recipe(e),
        }
    }
}

impl From<nskit_progress::Cancelled> for Error {
    fn from(_: nskit_progress::Cancelled) -> Self {
        Error::Cancelled
    }
}

fn list_some(paths: &[String]) -> String {
    let mut s = paths.iter().take(5).cloned().collect::<Vec<_>>().join(", ");
    if paths.len() > 5 {
        s.push_str(&format!(" and {} more", paths.len() - 5));
    }
    s
}

/// What the faces branch on; everything else is in the message.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum ErrorCode {
    /// No such recipe.
    RecipeNotFound,
    /// No such version.
    VersionNotFound,
    /// The recipe's manifest or templates are broken.
    InvalidRecipe,
    /// Required answers are missing.
    MissingAnswers,
    /// Answers failed validation.
    InvalidAnswers,
    /// The output folder has files in it.
    TargetNotEmpty,
    /// The output cannot be written (permissions, a file in the way, a path leaving it).
    Output,
    /// The configuration is not valid.
    Config,
    /// The project's git tree has uncommitted changes.
    DirtyTree,
    /// The recorded version cannot be rendered again.
    BaseUnavailable,
    /// Undo would lose changes made since the update, or there is nothing to undo.
    UndoRefused,
    /// The Docker engine failed or is not there.
    Engine,
    /// The repository could not be created or pushed.
    Repository,
    /// A name breaks the naming conventions.
    InvalidName,
    /// The folder is not a project made from a recipe.
    NotAProject,
    /// The update session is not open any more.
    SessionGone,
    /// A resolution does not fit the update's plan.
    InvalidResolution,
    /// Conflicts are left, and writing them with markers was not asked for.
    ConflictsLeft,
    /// A git operation failed.
    Git,
    /// A registry refused the credentials, or wants some (details: `host`; a git host's
    /// refusal is a `repository` error with the same detail).
    Unauthorized,
    /// The operation was cancelled.
    Cancelled,
    /// A plug-in failed, or answered outside the plug-in protocol (details: `plugin`).
    Plugin,
    /// Anything else (a read error, a broken state file).
    Other,
}

/// An error as data: a code to branch on, a message to show, and details.
#[derive(Debug, Clone, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct ErrorInfo {
    /// What kind of error.
    pub code: ErrorCode,
    /// The message, saying what went wrong and how to fix it.
    pub message: String,
    /// Structured details (field errors, missing fields, available names).
    #[ts(type = "unknown")]
    pub details: Value,
}

impl Error {
    /// The code faces branch on.
    pub fn code(&self) -> ErrorCode {
        match self {
            Error::Cancelled
            | Error::Backend(BackendError::Cancelled)
            | Error::Recipe(RecipeError::Cancelled) => ErrorCode::Cancelled,
            Error::Backend(BackendError::RecipeNotFound { .. }) => ErrorCode::RecipeNotFound,
            Error::Backend(BackendError::VersionNotFound { .. }) => ErrorCode::VersionNotFound,
            Error::Backend(BackendError::Recipe(e)) | Error::Recipe(e) => match e {
                RecipeError::MissingAnswers(_) => ErrorCode::MissingAnswers,
                RecipeError::InvalidAnswers(_) | RecipeError::InvalidProjectName { .. } => {
                    ErrorCode::InvalidAnswers
                }
                RecipeError::TargetNotEmpty(_) => ErrorCode::TargetNotEmpty,
                RecipeError::Write { .. } | RecipeError::PathEscapes { .. } => ErrorCode::Output,
                RecipeError::Prompt(_) | RecipeError::Read { .. } => ErrorCode::Other,
                RecipeError::Run(_) | RecipeError::NoRunner { .. } => ErrorCode::Engine,
                _ => ErrorCode::InvalidRecipe,
            },
            Error::Backend(BackendError::Engine(_)) | Error::Engine(_) => ErrorCode::Engine,
            Error::Backend(BackendError::Unauthorized { .. }) => ErrorCode::Unauthorized,
            Error::Backend(BackendError::Plugin { .. }) => ErrorCode::Plugin,
            Error::Repository(_) => ErrorCode::Repository,
            Error::Namespace(_) => ErrorCode::InvalidName,
            Error::State(nskit_update::StateError::NotARecipeProject(_)) => ErrorCode::NotAProject,
            Error::Backend(_) | Error::State(_) | Error::Io { .. } => ErrorCode::Other,
            Error::SessionNotFound(_) => ErrorCode::SessionGone,
            Error::Resolve(_) => ErrorCode::InvalidResolution,
            Error::ConflictsLeft { .. } => ErrorCode::ConflictsLeft,
            Error::Git(_) => ErrorCode::Git,
            Error::Config(_) => ErrorCode::Config,
            Error::DirtyTree { .. } => ErrorCode::DirtyTree,
            Error::BaseUnavailable { .. } => ErrorCode::BaseUnavailable,
            Error::Apply(
                nskit_update::ApplyError::ChangedSinceUpdate(_)
                | nskit_update::ApplyError::NothingToUndo(_),
            ) => ErrorCode::UndoRefused,
            Error::Apply(_) => ErrorCode::Output,
        }
    }

    /// Structured details for the code.
    pub fn details(&self) -> Value {
        match self {
            Error::Backend(BackendError::RecipeNotFound { available, .. }) => {
                json!({ "available": available })
            }
            Error::Backend(BackendError::VersionNotFound { available, .. }) => {
                json!({ "available": available })
            }
            Error::Recipe(RecipeError::MissingAnswers(fields)) => json!({ "missing": fields }),
            Error::Backend(BackendError::Plugin { plugin, .. }) => json!({ "plugin": plugin }),
            Error::Backend(BackendError::Unauthorized { host, .. })
            | Error::Repository(nskit_vcs::ProviderError::Unauthorized { host, .. }) => {
                json!({ "host": host })
            }
            Error::Namespace(e) => json!({
                "name": e.name,
                "reason": e.reason,
                "level": e.level,
                "choices": e.choices,
            }),
            Error::DirtyTree { paths, .. } | Error::ConflictsLeft { paths } => {
                json!({ "paths": paths })
            }
            Error::Apply(nskit_update::ApplyError::ChangedSinceUpdate(paths)) => {
                json!({ "paths": paths })
            }
            Error::Recipe(RecipeError::InvalidAnswers(errors)) => json!({ "fields": errors }),
            Error::Recipe(RecipeError::UndefinedVariable {
                file,
                line,
                variable,
            }) => {
                json!({ "file": file, "line": line, "variable": variable })
            }
            Error::Recipe(RecipeError::Template { file, line, .. }) => {
                json!({ "file": file, "line": line })
            }
            _ => Value::Null,
        }
    }

    /// The error as data, with every known secret masked (a server may echo a token).
    pub fn info(&self) -> ErrorInfo {
        let mut details = self.details();
        redact_value(&mut details);
        ErrorInfo {
            code: self.code(),
            message: nskit_secret::redact(&self.to_string()).into_owned(),
            details,
        }
    }
}

/// Masks every known secret in the strings of a JSON value (see [`nskit_secret::redact`]).
pub fn redact_value(v: &mut Value) {
    match v {
        Value::String(s) => {
            if let std::borrow::Cow::Owned(r) = nskit_secret::redact(s) {
                *s = r;
            }
        }
        Value::Array(a) => a.iter_mut().for_each(redact_value),
        Value::Object(o) => o.values_mut().for_each(redact_value),
        _ => {}
    }
}
