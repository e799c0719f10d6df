//! The `nskit` command line, and [`Cli`], a builder for an organisation's own branded CLI
//! (its name, help text, default backend, entry-point group and backend types) over the
//! same commands: the whole binary, or a clap [`Command`](clap::Command) mounted in a tool
//! the organisation already has.
//!
//! ```no_run
//! fn main() -> std::process::ExitCode {
//!     nskit_cli::Cli::new("acme")
//!         .about("Acme's project recipes")
//!         .entrypoint_group("acme.recipes")
//!         .default_backend(nskit::BackendConfig::Installed(Default::default()))
//!         .run()
//! }
//! ```
//!
//! Mounted as `mytool recipes ...`:
//!
//! ```no_run
//! let recipes = nskit_cli::Cli::new("recipes").about("Project recipes");
//! let matches = clap::Command::new("mytool")
//!     .subcommand(recipes.command())
//!     .subcommand(clap::Command::new("deploy"))
//!     .get_matches();
//! let code = match matches.subcommand() {
//!     Some(("recipes", m)) => recipes.run_matches(m),
//!     _ => std::process::ExitCode::SUCCESS,
//! };
//! # let _ = code;
//! ```
#![deny(missing_docs)]

/// `println!`, with every known secret (tokens, registry passwords, secret answers)
/// masked: everything the CLI prints goes through these three macros.
macro_rules! outln {
    ($($t:tt)*) => { println!("{}", nskit::secret::redact(&format!($($t)*))) };
}
/// `print!`, masked as [`outln!`].
macro_rules! out {
    ($($t:tt)*) => { print!("{}", nskit::secret::redact(&format!($($t)*))) };
}
/// `eprintln!`, masked as [`outln!`].
macro_rules! errln {
    ($($t:tt)*) => { eprintln!("{}", nskit::secret::redact(&format!($($t)*))) };
}

mod args;
mod commands;
mod exit;
mod progress;
mod prompt;

use std::ffi::OsString;
use std::process::ExitCode;

use clap::{CommandFactory, FromArgMatches};
use nskit::config::BackendTypes;
use nskit::{BackendConfig, ConfigFile, RecipeBackend, VcsConfig};

pub use exit::{
    EXIT_BAD_ANSWERS, EXIT_BAD_RECIPE, EXIT_FAILURE, EXIT_NOT_FOUND, EXIT_OUTPUT, EXIT_USAGE,
};

/// A command-line tool over nskit, branded or not.
#[derive(Debug, Clone)]
pub struct Cli {
    name: String,
    about: Option<String>,
    defaults: ConfigFile,
    backend_types: BackendTypes,
    git_providers: nskit::repository::GitProviders,
}

impl Cli {
    /// A CLI called `name`.
    pub fn new(name: impl Into<String>) -> Cli {
        Cli {
            name: name.into(),
            about: None,
            defaults: ConfigFile::default(),
            backend_types: BackendTypes::default(),
            git_providers: nskit::repository::GitProviders::default(),
        }
    }

    /// The one-line description shown in `--help`.
    pub fn about(mut self, about: impl Into<String>) -> Cli {
        self.about = Some(about.into());
        self
    }

    /// The entry-point group of installed recipes (`mycompany.recipes`).
    pub fn entrypoint_group(mut self, group: impl Into<String>) -> Cli {
        self.defaults.entrypoint_group = Some(group.into());
        self
    }

    /// The backend used when neither a flag, the environment nor a config file names one.
    pub fn default_backend(mut self, backend: BackendConfig) -> Cli {
        self.defaults.backend = Some(backend);
        self
    }

    /// The git host projects are published to (the configuration file and the
    /// environment still win).
    pub fn git_host(mut self, vcs: VcsConfig) -> Cli {
        self.defaults.vcs = Some(vcs);
        self
    }

    /// Registers a backend type, so that `type: NAME` in a configuration file builds a `B`
    /// from its settings read into `C` (see [`BackendTypes::register`]).
    pub fn backend_type<C, B>(mut self, name: &str) -> Cli
    where
        C: serde::de::DeserializeOwned + schemars::JsonSchema + 'static,
        B: RecipeBackend + TryFrom<C> + 'static,
        <B as TryFrom<C>>::Error: std::fmt::Display,
    {
        self.backend_types.register::<C, B>(name);
        self
    }

    /// Registers every type of `types` (for types built with
    /// [`BackendTypes::register_with`]).
    pub fn backend_types(mut self, types: BackendTypes) -> Cli {
        self.backend_types.extend(types);
        self
    }

    /// Registers a git host provider, so that `provider: NAME` builds it (see
    /// [`GitProviders::register`](nskit::repository::GitProviders::register)).
    pub fn git_provider<F>(mut self, name: &str, build: F) -> Cli
    where
        F: Fn(
                &VcsConfig,
                Option<nskit::vcs::Token>,
            ) -> Result<Box<dyn nskit::vcs::VcsProvider>, String>
            + Send
            + Sync
            + 'static,
    {
        self.git_providers.register(name, build);
        self
    }

    /// The clap command, to mount in another tool (`.subcommand(cli.command())`); its name
    /// is the CLI's.
    pub fn command(&self) -> clap::Command {
        let mut cmd = args::Args::command()
            .name(self.name.clone())
            .bin_name(self.name.clone());
        if let Some(about) = &self.about {
            cmd = cmd.about(about.clone());
        }
        cmd
    }

    /// Runs the command `matches` (from [`command`](Self::command), maybe mounted as a
    /// subcommand) and returns its exit status.
    pub fn run_matches(&self, matches: &clap::ArgMatches) -> ExitCode {
        match args::Args::from_arg_matches(matches) {
            Ok(args) => self.execute(args),
            Err(e) => {
                let _ = e.print();
                ExitCode::from(EXIT_USAGE)
            }
        }
    }

    /// Runs with the process's arguments.
    pub fn run(self) -> ExitCode {
        self.run_from(std::env::args_os())
    }

    /// Runs with the given arguments (the first is the program name).
    pub fn run_from<I, T>(self, args: I) -> ExitCode
    where
        I: IntoIterator<Item = T>,
        T: Into<OsString> + Clone,
    {
        match self.command().try_get_matches_from(args) {
            Ok(m) => self.run_matches(&m),
            Err(e) => {
                let _ = e.print();
                ExitCode::from(if e.use_stderr() { EXIT_USAGE } else { 0 })
            }
        }
    }

    fn execute(&self, args: args::Args) -> ExitCode {
        match commands::run(self, args) {
            Ok(code) => code,
            Err(e) => {
                errln!("error: {e}");
                for cause in e.chain().skip(1) {
                    errln!("  caused by: {cause}");
                }
                if e.downcast_ref::<nskit::Error>()
                    .is_some_and(|e| e.code() == nskit::ErrorCode::MissingAnswers)
                {
                    errln!("  give them with --set NAME=VALUE, or in an --input-yaml-path file");
                }
                ExitCode::from(exit::code_for(&e))
            }
        }
    }
}
