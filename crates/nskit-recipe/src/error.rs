use std::path::PathBuf;

use serde::Serialize;
use ts_rs::TS;

/// The result type of this crate.
pub type Result<T, E = RecipeError> = std::result::Result<T, E>;

/// One answer that did not pass its field's checks.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct FieldError {
    /// The field's dotted name.
    pub field: String,
    /// What is wrong, in the recipe's words where it gave a message.
    pub message: String,
}

impl std::fmt::Display for FieldError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.field, self.message)
    }
}

/// Everything that can go wrong while reading, answering or rendering a recipe.
#[derive(Debug, thiserror::Error)]
pub enum RecipeError {
    /// `recipe.yaml` could not be parsed or is not a valid manifest.
    #[error("{file}{}: {key}: {message}", line.map(|l| format!(":{l}")).unwrap_or_default())]
    Manifest {
        /// The manifest file.
        file: PathBuf,
        /// The 1-based line, when known.
        line: Option<usize>,
        /// The key path inside the manifest, e.g. `fields[2].type`.
        key: String,
        /// What is wrong and how to fix it.
        message: String,
    },
    /// A file or folder could not be read.
    #[error("cannot read {path}: {source}")]
    Read {
        /// What was being read.
        path: PathBuf,
        /// The underlying error.
        source: std::io::Error,
    },
    /// A template (a file's contents, its path, a default or a condition) has a syntax error
    /// or failed to render.
    #[error("{file}{}: {message}", line.map(|l| format!(":{l}")).unwrap_or_default())]
    Template {
        /// The template file (relative to the recipe), or the manifest key for expressions.
        file: String,
        /// The 1-based line in that file, when known.
        line: Option<usize>,
        /// What went wrong.
        message: String,
    },
    /// A template uses a variable that no answer or context provides.
    #[error(
        "{file}{}: undefined variable `{variable}` (is it a field of the recipe, spelled as in recipe.yaml?)",
        line.map(|l| format!(":{l}")).unwrap_or_default()
    )]
    UndefinedVariable {
        /// The template file (relative to the recipe), or the manifest key for expressions.
        file: String,
        /// The 1-based line in that file, when known.
        line: Option<usize>,
        /// The expression that was undefined, e.g. `repo.ownr`.
        variable: String,
    },
    /// A rendered path would be written outside the output folder.
    #[error(
        "{template_path}: the rendered path `{rendered}` leaves the output folder; nothing was written"
    )]
    PathEscapes {
        /// The path in the template tree.
        template_path: String,
        /// What it rendered to.
        rendered: String,
    },
    /// A path nskit never writes for a recipe: git's folder, nskit's own state folder.
    #[error("{path}: {reason}; nothing was written")]
    ReservedPath {
        /// The path, as the recipe gave it (or the file in the way).
        path: String,
        /// Why it is refused and what to do.
        reason: String,
    },
    /// Another nskit command is working on the project.
    #[error("{} is being changed by another nskit command: {holder}; wait for it to finish, then try again", project.display())]
    Busy {
        /// The project.
        project: PathBuf,
        /// Who holds it (process id, command line, since when).
        holder: String,
    },
    /// The project's name cannot be a folder name.
    #[error("`{name}` is not a valid project name: {reason}")]
    InvalidProjectName {
        /// The name.
        name: String,
        /// What is wrong with it.
        reason: String,
    },
    /// A template was stopped: it grew without bound, or looped too long.
    #[error(
        "{file}: rendering was stopped because {limit}; does a loop run away? nothing was written"
    )]
    RenderLimit {
        /// The template file.
        file: String,
        /// Which limit, in words.
        limit: String,
    },
    /// Two template files render to the same output path.
    #[error("`{first}` and `{second}` both render to `{rendered}`; make their names differ")]
    DuplicatePath {
        /// One template path.
        first: String,
        /// The other template path.
        second: String,
        /// The output path they share.
        rendered: String,
    },
    /// Required answers are missing.
    #[error("missing answers for: {}", .0.join(", "))]
    MissingAnswers(Vec<String>),
    /// Answers failed validation.
    #[error("invalid answers:\n{}", .0.iter().map(|e| format!("  - {e}")).collect::<Vec<_>>().join("\n"))]
    InvalidAnswers(Vec<FieldError>),
    /// The output folder exists and has files in it.
    #[error("{0} is not empty; choose another folder, or pass --force to write into it")]
    TargetNotEmpty(PathBuf),
    /// Writing the output failed; nothing was left behind.
    #[error("cannot write {path}: {source}{hint}")]
    Write {
        /// The path that could not be written.
        path: PathBuf,
        /// The underlying error.
        source: std::io::Error,
        /// A hint on how to fix it (may be empty).
        hint: String,
    },
    /// Prompting the user failed or was cancelled.
    #[error("prompt cancelled: {0}")]
    Prompt(String),
    /// A recipe's program or task failed (the message carries the container's last lines).
    #[error("{0}")]
    Run(String),
    /// The operation was cancelled through its reporter.
    #[error("cancelled")]
    Cancelled,
    /// A recipe needs a container (it is a program, or it has tasks) and none is at hand.
    #[error("{recipe} {need}, which run in a container of the recipe's image: {hint}")]
    NoRunner {
        /// The recipe.
        recipe: String,
        /// What it needs (`has tasks`).
        need: String,
        /// How to get one.
        hint: String,
    },
}

impl RecipeError {
    pub(crate) fn write(path: impl Into<PathBuf>, source: std::io::Error) -> Self {
        let hint = match source.kind() {
            std::io::ErrorKind::PermissionDenied => {
                " (permission denied: choose a folder you can write to)".to_string()
            }
            std::io::ErrorKind::ReadOnlyFilesystem => {
                " (the file system is read-only: choose another folder)".to_string()
            }
            _ => String::new(),
        };
        RecipeError::Write {
            path: path.into(),
            source,
            hint,
        }
    }

    /// Turns a minijinja error into ours, naming the file and line (and for an undefined
    /// variable, the variable).
    pub(crate) fn from_jinja(file: &str, source: &str, err: &minijinja::Error) -> Self {
        let line = err.line();
        if err.kind() == minijinja::ErrorKind::UndefinedError {
            let variable = err
                .range()
                .and_then(|r| source.get(r))
                .map(|s| s.trim().to_string())
                .filter(|s| !s.is_empty())
                .unwrap_or_else(|| "?".to_string());
            return RecipeError::UndefinedVariable {
                file: file.to_string(),
                line,
                variable,
            };
        }
        let message = match err.detail() {
            Some(d) => format!("{}: {d}", kind_text(err.kind())),
            None => kind_text(err.kind()).to_string(),
        };
        RecipeError::Template {
            file: file.to_string(),
            line,
            message,
        }
    }
}

fn kind_text(kind: minijinja::ErrorKind) -> &'static str {
    use minijinja::ErrorKind as K;
    match kind {
        K::SyntaxError => "template syntax error",
        K::UnknownFilter => "unknown filter",
        K::UnknownFunction => "unknown function",
        K::UnknownTest => "unknown test",
        K::InvalidOperation => "invalid operation",
        K::BadEscape => "bad escape sequence",
        _ => "template error",
    }
}
