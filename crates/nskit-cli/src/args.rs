//! The command-line grammar (clap). Commands live in `commands/`, one per file.
use std::path::PathBuf;

use clap::{Args as ClapArgs, Parser, Subcommand};

const EXIT_CODES: &str = "Exit status: 0 success, 1 failure, 2 usage or configuration error, 3 missing or invalid answers, \
4 recipe or version not found, 5 broken recipe, 6 output folder not empty or not writable, \
7 update applied with conflicts left to resolve, 8 (check) an update is available.";

#[derive(Debug, Parser)]
#[command(version, about = "Create projects from versioned recipes, and keep them up to date", after_help = EXIT_CODES)]
pub(crate) struct Args {
    /// Where recipes come from: builtin, local (the current folder, or NSKIT_RECIPES_DIR), installed, docker-local (labelled images of the local Docker engine), or a backend config file.
    #[arg(long, global = true, value_name = "BACKEND")]
    pub backend: Option<String>,

    /// The configuration file (default: $XDG_CONFIG_HOME/nskit/config.yaml).
    #[arg(long, global = true, value_name = "FILE")]
    pub config: Option<PathBuf>,

    /// The entry-point group of installed recipes (default: nskit.recipes).
    #[arg(long, global = true, value_name = "GROUP")]
    pub entrypoint_group: Option<String>,

    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub(crate) enum Command {
    /// List the recipes of the backend.
    List {
        /// Print JSON.
        #[arg(long)]
        json: bool,
    },
    /// List a recipe's versions, newest first.
    Versions {
        /// The recipe.
        #[arg(long)]
        recipe: String,
        /// Print JSON.
        #[arg(long)]
        json: bool,
    },
    /// Create a project from a recipe.
    Init(InitArgs),
    /// Show a recipe's fields.
    Fields(FieldsArgs),
    /// The required fields as {name: type} JSON, as the original nskit prints them.
    #[command(name = "get-required-fields", hide = true)]
    GetRequiredFields(FieldsArgs),
    /// Search recipes by name, description and tags.
    Discover {
        /// The text to look for.
        #[arg(long)]
        search: Option<String>,
        /// Print JSON.
        #[arg(long)]
        json: bool,
    },
    /// Update a project to a new version of its recipe, keeping your changes (3-way merge).
    Update(UpdateArgs),
    /// Tell whether a newer version of the project's recipe is out (exit status 8 when one is).
    Check {
        /// The project (default: the current folder).
        #[arg(long, value_name = "DIR", default_value = ".")]
        project_path: PathBuf,
        /// Print JSON.
        #[arg(long)]
        json: bool,
    },
    /// Three-way merge of one file, with git merge-file's arguments and exit status (the number of conflicts).
    MergeFile(MergeFileArgs),
    /// Recipe images: build a recipe folder into a Docker image, publish it to a registry.
    #[command(subcommand)]
    Recipe(RecipeCommand),
    /// The project's repository on the configured git host.
    #[command(subcommand)]
    Repo(RepoCommand),
    /// Tokens for git hosts, kept in the OS keychain.
    #[command(subcommand)]
    Auth(AuthCommand),
    /// The configuration: what is in effect and where each value comes from; change it.
    #[command(subcommand)]
    Config(ConfigCommand),
    /// Store a registry's credentials in the OS keychain (never in a file).
    Login {
        /// The registry (`ghcr.io`, `registry.example.com:5000`).
        registry: String,
        /// The user name (for token-only registries, anything, e.g. `token`).
        #[arg(long, short)]
        username: String,
        /// Read the password or token from standard input (else it is asked, hidden).
        #[arg(long)]
        password_stdin: bool,
    },
    /// Remove a registry's credentials from the OS keychain.
    Logout {
        /// The registry.
        registry: String,
    },
    /// Install a recipe folder for the entry-point group, so the `installed` backend lists it.
    Install {
        /// The recipe folder (with recipe.yaml).
        folder: PathBuf,
        /// The version to install it as (default: the manifest's `version`).
        #[arg(long)]
        version: Option<String>,
        /// Replace an installed copy of the same version.
        #[arg(long)]
        force: bool,
    },
    /// Serve the recipes as a web API (for a portal): catalogue, fields, validation,
    /// project creation and updates in a workspace folder; OpenAPI at /openapi.json.
    Serve {
        /// The address to listen on (default: serve.bind, else 127.0.0.1:8350).
        #[arg(long, value_name = "IP:PORT")]
        bind: Option<String>,
        /// The folder projects are created in (default: serve.workspace).
        #[arg(long, value_name = "DIR")]
        workspace: Option<PathBuf>,
        /// Store the bearer token (read from standard input, or asked, hidden) in the OS
        /// keychain and exit.
        #[arg(long)]
        store_token: bool,
    },
}

#[derive(Debug, ClapArgs)]
pub(crate) struct InitArgs {
    /// The recipe.
    #[arg(long)]
    pub recipe: String,
    /// The recipe version (default: the latest).
    #[arg(long)]
    pub version: Option<String>,
    /// A YAML file of answers.
    #[arg(long, value_name = "FILE")]
    pub input_yaml_path: Option<PathBuf>,
    /// An answer, as NAME=VALUE (dotted names for nested fields); repeatable.
    #[arg(long = "set", value_name = "NAME=VALUE")]
    pub set: Vec<String>,
    /// Create the project in a folder named after it inside this folder (default: the current folder).
    #[arg(long, value_name = "DIR", conflicts_with = "output_override_path")]
    pub output_base_path: Option<PathBuf>,
    /// Create the project in exactly this folder.
    #[arg(long, value_name = "DIR")]
    pub output_override_path: Option<PathBuf>,
    /// Do not prompt: use defaults for every answer not given.
    #[arg(long)]
    pub defaults: bool,
    /// Write into a folder that already has files in it.
    #[arg(long)]
    pub force: bool,
    /// Print the files that would be written, and write nothing.
    #[arg(long)]
    pub dry_run: bool,
    /// Do not initialise git or commit.
    #[arg(long)]
    pub no_git: bool,
    /// Create the project's repository on the configured git host (`vcs:`) and push it.
    #[arg(long, conflicts_with_all = ["no_create_repo", "no_git"])]
    pub create_repo: bool,
    /// Do not create a repository, and do not ask.
    #[arg(long)]
    pub no_create_repo: bool,
    /// Make the new repository public (default: private, or the configured `private`).
    #[arg(long, requires = "create_repo")]
    pub public: bool,
    /// Print the result as JSON.
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, ClapArgs)]
pub(crate) struct FieldsArgs {
    /// The recipe.
    #[arg(long)]
    pub recipe: String,
    /// The recipe version (default: the latest).
    #[arg(long)]
    pub version: Option<String>,
    /// Print the fields as JSON Schema.
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, ClapArgs)]
pub(crate) struct MergeFileArgs {
    /// Print the result instead of writing it to CURRENT.
    #[arg(short = 'p', long = "stdout")]
    pub stdout: bool,
    /// Show the base in conflicts (`|||||||` section).
    #[arg(long)]
    pub diff3: bool,
    /// Labels for CURRENT, BASE and OTHER in the markers (default: the file names); up to three.
    #[arg(short = 'L', value_name = "LABEL", num_args = 1, action = clap::ArgAction::Append)]
    pub labels: Vec<String>,
    /// Conflict marker length (0 or less: 7, as git).
    #[arg(long, default_value = "7", allow_hyphen_values = true)]
    pub marker_size: String,
    /// Do not warn about conflicts.
    #[arg(short, long)]
    pub quiet: bool,
    /// The file with your changes (written unless -p).
    pub current: PathBuf,
    /// The common ancestor.
    pub base: PathBuf,
    /// The file with the other changes.
    pub other: PathBuf,
}

/// How an update compares.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub(crate) enum DiffModeArg {
    /// Base (the recorded version rendered again), yours and the new version.
    ThreeWay,
    /// Yours and the new version only: every difference is a conflict, nothing is deleted.
    TwoWay,
}

#[derive(Debug, ClapArgs)]
pub(crate) struct UpdateArgs {
    /// The version to update to (default: the latest).
    #[arg(long)]
    pub target_version: Option<String>,
    /// The project (default: the current folder).
    #[arg(long, value_name = "DIR", default_value = ".")]
    pub project_path: PathBuf,
    /// Show the plan, one decision per file, and write nothing.
    #[arg(long)]
    pub dry_run: bool,
    /// three-way (default) or two-way.
    #[arg(long, value_enum, default_value = "three-way")]
    pub diff_mode: DiffModeArg,
    /// Print the plan (with --dry-run) or the result as JSON.
    #[arg(long)]
    pub json: bool,
    /// Update even though the git tree has uncommitted changes.
    #[arg(long)]
    pub allow_dirty: bool,
    /// An answer for a new field (or a changed one), as NAME=VALUE; repeatable.
    #[arg(long = "set", value_name = "NAME=VALUE")]
    pub set: Vec<String>,
    /// A YAML file of answers for new fields.
    #[arg(long, value_name = "FILE")]
    pub input_yaml_path: Option<PathBuf>,
    /// Do not prompt: new fields take their defaults.
    #[arg(long)]
    pub defaults: bool,
    /// Put the project back as it was before the last update.
    #[arg(long, conflicts_with_all = ["dry_run", "target_version", "diff_mode", "set", "defaults"])]
    pub undo: bool,
    /// With --undo: undo even files changed since the update.
    #[arg(long, requires = "undo")]
    pub force: bool,
}

#[derive(Debug, Subcommand)]
pub(crate) enum RecipeCommand {
    /// Build a template image of a recipe folder (labels nskit.recipe=true, name, version, format).
    Build {
        /// The recipe folder (with recipe.yaml).
        folder: PathBuf,
        /// The image reference, e.g. registry.example.com/recipes/python_package:1.2.0.
        #[arg(long, value_name = "REF")]
        tag: String,
        /// The Docker engine (default: DOCKER_HOST, else the default socket).
        #[arg(long, value_name = "HOST")]
        docker_host: Option<String>,
    },
    /// Push a recipe image to its registry, with progress. Credentials come from
    /// NSKIT_REGISTRY_USERNAME and NSKIT_REGISTRY_PASSWORD (or NSKIT_REGISTRY_TOKEN).
    Publish {
        /// The image reference, e.g. registry.example.com/recipes/python_package:1.2.0.
        reference: String,
        /// The Docker engine (default: DOCKER_HOST, else the default socket).
        #[arg(long, value_name = "HOST")]
        docker_host: Option<String>,
    },
}

#[derive(Debug, Subcommand)]
pub(crate) enum RepoCommand {
    /// Create the project's repository (named after the project folder) and push it.
    Create {
        /// The project folder.
        #[arg(long, value_name = "DIR", default_value = ".")]
        project_path: PathBuf,
        /// Make it private (the default unless the configuration says otherwise).
        #[arg(long, conflicts_with = "public")]
        private: bool,
        /// Make it public.
        #[arg(long)]
        public: bool,
        /// Its description.
        #[arg(long)]
        description: Option<String>,
    },
    /// List the repositories of the configured organisation or group (every page).
    List {
        /// Print JSON.
        #[arg(long)]
        json: bool,
    },
}

#[derive(Debug, Subcommand)]
pub(crate) enum ConfigCommand {
    /// Every setting in effect, with where it comes from (flag, environment, file,
    /// default); secrets masked.
    Show {
        /// Print JSON.
        #[arg(long)]
        json: bool,
    },
    /// Set a setting in the configuration file (KEY is dotted: `default_backend`,
    /// `backends.team.registry_url`, `vcs.organisation`). Secrets are refused: store them
    /// with `nskit login` / `nskit auth login`, or write `${VAR}`.
    Set {
        /// The dotted key.
        key: String,
        /// The value (`true`, `600` and `[a, b]` are read as YAML).
        value: String,
    },
    /// Remove a setting from the configuration file.
    Unset {
        /// The dotted key.
        key: String,
    },
    /// Print the configuration file's path.
    Path,
    /// The backend types `type:` may name: built in, added by this program, and the
    /// plug-ins on PATH (each asked to describe itself), with their settings.
    Types {
        /// Print JSON (each type's JSON Schema too).
        #[arg(long)]
        json: bool,
    },
}

#[derive(Debug, Subcommand)]
pub(crate) enum AuthCommand {
    /// Store a token in the OS keychain (read from standard input, or asked, hidden).
    Login {
        /// The provider: github, gitlab, or a plug-in's name.
        provider: String,
        /// The host (default: github.com or gitlab.com, or the configured API's host).
        #[arg(long)]
        host: Option<String>,
        /// The API URL to check the token against (GitHub Enterprise: https://HOST/api/v3;
        /// GitLab: https://HOST/api/v4).
        #[arg(long)]
        api_url: Option<String>,
    },
    /// Which hosts have a token (never the token itself).
    Status,
    /// Remove a host's token from the OS keychain.
    Logout {
        /// The provider: github, gitlab, or a plug-in's name.
        provider: String,
        /// The host (default: github.com or gitlab.com, or the configured API's host).
        #[arg(long)]
        host: Option<String>,
    },
}
