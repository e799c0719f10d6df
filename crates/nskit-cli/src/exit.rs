//! Exit statuses (documented in `docs/cli.md`).

/// Something failed (a backend, a file, git).
pub const EXIT_FAILURE: u8 = 1;
/// The command line was wrong.
pub const EXIT_USAGE: u8 = 2;
/// Answers are missing or invalid.
pub const EXIT_BAD_ANSWERS: u8 = 3;
/// No such recipe or version.
pub const EXIT_NOT_FOUND: u8 = 4;
/// The recipe is broken (manifest, template syntax, undefined variable).
pub const EXIT_BAD_RECIPE: u8 = 5;
/// The output folder is not empty, not writable, or a path would leave it.
pub const EXIT_OUTPUT: u8 = 6;
/// The update was applied and conflicts are left to resolve.
pub const EXIT_CONFLICTS: u8 = 7;
/// `check`: a newer version of the recipe is out.
pub const EXIT_UPDATE_AVAILABLE: u8 = 8;
/// The project was created, but its repository could not be created or pushed.
pub const EXIT_REPOSITORY: u8 = 9;
/// The name breaks the organisation's naming conventions.
pub const EXIT_INVALID_NAME: u8 = 10;

pub(crate) fn code_for(e: &anyhow::Error) -> u8 {
    use nskit::ErrorCode as C;
    let Some(err) = e.downcast_ref::<nskit::Error>() else {
        return EXIT_FAILURE;
    };
    match err.code() {
        C::MissingAnswers | C::InvalidAnswers => EXIT_BAD_ANSWERS,
        C::RecipeNotFound | C::VersionNotFound => EXIT_NOT_FOUND,
        C::InvalidRecipe => EXIT_BAD_RECIPE,
        C::TargetNotEmpty | C::Output => EXIT_OUTPUT,
        C::Config => EXIT_USAGE,
        C::Repository => EXIT_REPOSITORY,
        C::InvalidName => EXIT_INVALID_NAME,
        C::ConflictsLeft => EXIT_CONFLICTS,
        C::Unauthorized => EXIT_FAILURE,
        C::Cancelled => crate::progress::EXIT_INTERRUPTED,
        C::DirtyTree
        | C::BaseUnavailable
        | C::UndoRefused
        | C::Engine
        | C::NotAProject
        | C::SessionGone
        | C::InvalidResolution
        | C::Git
        | C::Plugin
        | C::Other => EXIT_FAILURE,
    }
}
