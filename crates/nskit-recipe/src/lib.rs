//! Recipes: the `recipe.yaml` manifest, its fields and their validation, the answers a user
//! gives, and the rendering of a recipe's template tree (paths and contents, minijinja) into
//! an in-memory tree that is then written into place as one transaction.
//!
//! The format is specified in `docs/recipe-format.md`.
#![deny(missing_docs)]

mod answers;
mod content;
mod error;
mod field;
pub mod lock;
mod manifest;
mod output;
pub mod par;
pub mod paths;
mod render;
mod runner;
mod schema;
mod template;
pub mod txn;
mod version;
pub mod yaml;

pub use answers::{
    Answers, Context, FieldState, FormState, Prompter, Resolution, evaluate_form, nest_answers,
    register_secret_answers, resolve_answers, secret_fields, template_context,
};
pub use content::{Content, Kind, LARGE_FILE};
pub use error::{FieldError, RecipeError, Result};
pub use field::{Choice, Condition, Field, FieldType, Validation};
pub use manifest::Manifest;
pub use output::{Staged, WriteMode};
pub use render::{RenderedFile, RenderedTree, directory_name, render, render_with};
pub use runner::{RecipeKind, RecipeRunner, Task, TaskCommand, TaskRun, tasks_to_run};
pub use schema::fields_json_schema;
pub use template::{Recipe, TemplateFile};
pub use version::{RecipeSource, RecipeVersion};
