//! Every environment variable nskit reads, in one place.

/// A config file to use instead of `$XDG_CONFIG_HOME/nskit/config.yaml`.
pub const NSKIT_CONFIG: &str = "NSKIT_CONFIG";
/// The backend: `builtin`, `local`, `installed`, or the path of a backend config file.
pub const NSKIT_BACKEND: &str = "NSKIT_BACKEND";
/// The folder of the `local` backend.
pub const NSKIT_RECIPES_DIR: &str = "NSKIT_RECIPES_DIR";
/// The entry-point group of the `installed` backend (`nskit.recipes` by default).
pub const NSKIT_ENTRYPOINT_GROUP: &str = "NSKIT_ENTRYPOINT_GROUP";
/// The data folder (installed recipes live under it).
pub const NSKIT_DATA_DIR: &str = "NSKIT_DATA_DIR";
/// The registry of the `docker` backend when chosen with `--backend docker`.
pub const NSKIT_REGISTRY_URL: &str = "NSKIT_REGISTRY_URL";
/// The image prefix of the `docker` backend when chosen with `--backend docker`.
pub const NSKIT_IMAGE_PREFIX: &str = "NSKIT_IMAGE_PREFIX";
/// The registry user name (with NSKIT_REGISTRY_PASSWORD).
pub const NSKIT_REGISTRY_USERNAME: &str = "NSKIT_REGISTRY_USERNAME";
/// The registry password.
pub const NSKIT_REGISTRY_PASSWORD: &str = "NSKIT_REGISTRY_PASSWORD";
/// A registry token (sent with the user name `token`).
pub const NSKIT_REGISTRY_TOKEN: &str = "NSKIT_REGISTRY_TOKEN";
/// A GitHub token; wins over GITHUB_TOKEN and the keychain.
pub const NSKIT_GITHUB_TOKEN: &str = "NSKIT_GITHUB_TOKEN";
/// A GitHub token (as `gh` and GitHub Actions set it); wins over the keychain.
pub const GITHUB_TOKEN: &str = "GITHUB_TOKEN";
/// The GitHub API URL (GitHub Enterprise: `https://HOST/api/v3`); `GITHUB_URL` too.
pub const NSKIT_GITHUB_API_URL: &str = "NSKIT_GITHUB_API_URL";
/// The organisation repositories are created in; `GITHUB_ORGANISATION` too.
pub const NSKIT_GITHUB_ORGANISATION: &str = "NSKIT_GITHUB_ORGANISATION";
/// Prefix of the variables that give a field's default (`RECIPE_REPO_OWNER`).
pub const RECIPE_PREFIX: &str = "RECIPE_";
/// The folder new projects are created in (the app's default output folder).
pub const NSKIT_OUTPUT_DIR: &str = "NSKIT_OUTPUT_DIR";
