//! What the API takes and gives, as JSON. These types are the contract (the OpenAPI
//! document is generated from them); they are made from the client's types, so that the
//! client can change inside without the API changing.
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

/// The server is up.
#[derive(Debug, Serialize, Deserialize, JsonSchema)]
pub struct Health {
    /// `ok`.
    pub status: String,
    /// nskit's version.
    pub version: String,
}

/// A recipe in the catalogue.
#[derive(Debug, Serialize, Deserialize, JsonSchema)]
pub struct RecipeSummary {
    /// The name to ask for.
    pub name: String,
    /// What it makes.
    pub description: String,
    /// Words to filter by.
    pub tags: Vec<String>,
    /// Its versions, newest first.
    pub versions: Vec<String>,
    /// The version used when none is asked for.
    pub latest: Option<String>,
}

impl From<nskit::RecipeInfo> for RecipeSummary {
    fn from(r: nskit::RecipeInfo) -> Self {
        RecipeSummary {
            name: r.name,
            description: r.description,
            tags: r.tags,
            versions: r.versions,
            latest: r.latest,
        }
    }
}

/// One version of a recipe, with its fields.
#[derive(Debug, Serialize, Deserialize, JsonSchema)]
pub struct RecipeDescription {
    /// The recipe.
    pub name: String,
    /// The version described.
    pub version: String,
    /// What it makes.
    pub description: String,
    /// Its tags.
    pub tags: Vec<String>,
    /// The JSON Schema (2020-12) of its answers; `x-nskit` keeps computed defaults,
    /// conditions and groups.
    pub schema: Value,
}

/// Answers to check against a recipe's fields.
#[derive(Debug, Default, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ValidateRequest {
    /// The version (the latest when absent).
    #[serde(default)]
    pub version: Option<String>,
    /// The answers, by field name (dotted names for nested fields).
    #[serde(default)]
    pub answers: Map<String, Value>,
}

/// What is wrong with one answer.
#[derive(Debug, Serialize, Deserialize, JsonSchema)]
pub struct FieldProblem {
    /// The field.
    pub field: String,
    /// The recipe's message.
    pub message: String,
}

/// Whether answers are valid, and what is wrong.
#[derive(Debug, Serialize, Deserialize, JsonSchema)]
pub struct Validation {
    /// Every shown field has a valid answer (or a default).
    pub valid: bool,
    /// Each invalid or missing answer.
    pub errors: Vec<FieldProblem>,
    /// Answers that match no field (they are ignored).
    pub unknown: Vec<String>,
}

/// A project to create in the workspace.
#[derive(Debug, Default, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateRequest {
    /// The recipe.
    pub recipe: String,
    /// Its version (the latest when absent).
    #[serde(default)]
    pub version: Option<String>,
    /// The answers, by field name.
    #[serde(default)]
    pub answers: Map<String, Value>,
    /// The project's folder in the workspace; else the answer `project_name` (or `name`).
    #[serde(default)]
    pub name: Option<String>,
    /// Commit the files (`true` by default).
    #[serde(default = "yes")]
    pub commit: bool,
    /// Create the repository on the configured git host and push (`false` by default).
    #[serde(default)]
    pub repository: bool,
    /// A public repository (the configuration's visibility when absent).
    #[serde(default)]
    pub public: Option<bool>,
    /// Which configured backend (the default one when absent).
    #[serde(default)]
    pub backend: Option<String>,
}

fn yes() -> bool {
    true
}

/// A repository created and pushed.
#[derive(Debug, Serialize, Deserialize, JsonSchema)]
pub struct RepositoryCreated {
    /// `owner/name`.
    pub full_name: String,
    /// Its page.
    pub html_url: String,
    /// Where it is cloned from.
    pub clone_url: String,
    /// The branch pushed.
    pub branch: String,
    /// Whether it is private.
    pub private: bool,
    /// What the host could not apply.
    pub warnings: Vec<String>,
}

/// A created project.
#[derive(Debug, Serialize, Deserialize, JsonSchema)]
pub struct Created {
    /// Its folder's name in the workspace.
    pub name: String,
    /// Its folder.
    pub path: String,
    /// The recipe.
    pub recipe: String,
    /// The version used.
    pub version: String,
    /// The files written, relative to the folder.
    pub files: Vec<String>,
    /// The first commit, when committed.
    pub commit: Option<String>,
    /// The repository, when one was asked for and made.
    pub repository: Option<RepositoryCreated>,
    /// What went wrong after the project was made (the repository), if anything.
    pub errors: Vec<ErrorBody>,
    /// Things to know (ignored answers, naming warnings).
    pub warnings: Vec<String>,
}

/// A project in the workspace.
#[derive(Debug, Serialize, Deserialize, JsonSchema)]
pub struct ProjectSummary {
    /// Its folder's name.
    pub name: String,
    /// The recipe it was made from.
    pub recipe: String,
    /// The recipe's version it is at.
    pub version: Option<String>,
}

/// An update to plan or apply.
#[derive(Debug, Default, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateRequest {
    /// The version to move to (the latest when absent).
    #[serde(default)]
    pub version: Option<String>,
    /// Answers for fields the new version adds (or changes).
    #[serde(default)]
    pub answers: Map<String, Value>,
    /// When files conflict: `refuse` (nothing is written; the default) or `markers`
    /// (written with conflict markers, not committed).
    #[serde(default)]
    pub on_conflict: OnConflict,
    /// Commit the update when nothing conflicts (`true` by default).
    #[serde(default = "yes")]
    pub commit: bool,
}

/// What an update does with conflicts.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum OnConflict {
    /// Write nothing; answer 409 with the conflicting files.
    #[default]
    Refuse,
    /// Write the conflicting files with markers, for a person to resolve.
    Markers,
}

/// One file of an update.
#[derive(Debug, Serialize, Deserialize, JsonSchema)]
pub struct PlannedChange {
    /// The file.
    pub path: String,
    /// What happens to it (`template_only`, `merged`, `conflict`, `added`, ...).
    pub decision: Value,
    /// How many conflicting hunks.
    pub conflicts: usize,
    /// For people.
    pub message: String,
}

/// What an update would do.
#[derive(Debug, Serialize, Deserialize, JsonSchema)]
pub struct UpdatePlan {
    /// The recipe.
    pub recipe: String,
    /// The project's version.
    pub from_version: Option<String>,
    /// The version planned.
    pub to_version: String,
    /// Nothing to do.
    pub up_to_date: bool,
    /// Fields the new version adds.
    pub new_fields: Vec<String>,
    /// Each file that changes.
    pub changes: Vec<PlannedChange>,
    /// The files that conflict.
    pub conflicts: Vec<String>,
    /// Things to know.
    pub warnings: Vec<String>,
}

/// An applied update.
#[derive(Debug, Serialize, Deserialize, JsonSchema)]
pub struct UpdateApplied {
    /// The recipe.
    pub recipe: String,
    /// The version before.
    pub from_version: Option<String>,
    /// The version now.
    pub to_version: String,
    /// Files written.
    pub written: Vec<String>,
    /// Files removed.
    pub removed: Vec<String>,
    /// Files left with conflict markers (`on_conflict: markers`).
    pub conflicts: Vec<String>,
    /// The update's commit, when committed.
    pub commit: Option<String>,
    /// Things to know.
    pub warnings: Vec<String>,
}

/// Every error: a code to branch on, a message for people, details.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
pub struct ErrorBody {
    /// `recipe_not_found`, `invalid_answers`, `unauthorized`, `bad_request`, `too_large`,
    /// `target_busy`, ...
    pub code: String,
    /// What went wrong and how to fix it.
    pub message: String,
    /// Structured details (field errors, available names, conflicting paths).
    pub details: Value,
}

/// An event of a streamed operation (`Accept: text/event-stream`): `progress` events
/// carry a [`nskit::Event`], the last is `result` (the operation's answer) or `error`.
#[derive(Debug, Serialize, JsonSchema)]
#[serde(tag = "type", content = "data", rename_all = "snake_case")]
pub enum StreamEvent {
    /// A step, a transfer, a log line.
    Progress(nskit_progress::Event),
    /// The operation's answer (as the same call answers without streaming).
    Result(Value),
    /// Why it failed.
    Error(ErrorBody),
}
