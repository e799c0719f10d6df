//! The `nskit` command line, and [`Cli`], a builder for an organisation's own branded CLI
//! (its name, help text, default backend and entry-point group) over the same commands.
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
use nskit::{BackendConfig, ConfigFile};

pub use exit::{
    EXIT_BAD_ANSWERS, EXIT_BAD_RECIPE, EXIT_FAILURE, EXIT_NOT_FOUND, EXIT_OUTPUT, EXIT_USAGE,
};

/// A command-line tool over nskit, branded or not.
#[derive(Debug, Clone)]
pub struct Cli {
    name: String,
    about: Option<String>,
    defaults: ConfigFile,
}

impl Cli {
    /// A CLI called `name`.
    pub fn new(name: impl Into<String>) -> Cli {
        Cli {
            name: name.into(),
            about: None,
            defaults: ConfigFile::default(),
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
        let mut cmd = args::Args::command()
            .name(self.name.clone())
            .bin_name(self.name.clone());
        if let Some(about) = &self.about {
            cmd = cmd.about(about.clone());
        }
        let parsed = cmd
            .try_get_matches_from(args)
            .and_then(|m| args::Args::from_arg_matches(&m));
        let args = match parsed {
            Ok(a) => a,
            Err(e) => {
                let _ = e.print();
                return ExitCode::from(if e.use_stderr() { EXIT_USAGE } else { 0 });
            }
        };
        match commands::run(&self, args) {
            Ok(code) => code,
            Err(e) => {
                errln!("error: {e}");
                for cause in e.chain().skip(1) {
                    errln!("  caused by: {cause}");
                }
                ExitCode::from(exit::code_for(&e))
            }
        }
    }
}
