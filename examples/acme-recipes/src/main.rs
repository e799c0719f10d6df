//! `acme-recipes`: Acme's branded nskit CLI. Its recipes live in S3 (the `s3` backend type,
//! registered in process), installed recipes use the `acme.recipes` entry-point group, and
//! projects are published to Acme's GitHub organisation. A configuration file or `NSKIT_*`
//! variables still override each default.
use std::process::ExitCode;

fn main() -> ExitCode {
    acme_recipes_cli().run()
}

fn acme_recipes_cli() -> nskit_cli::Cli {
    acme_recipes::cli("acme-recipes")
}
