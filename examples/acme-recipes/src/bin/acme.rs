//! `acme`: a tool Acme already has (here it only says hello), with the recipes CLI mounted
//! as `acme recipes ...`.
use std::process::ExitCode;

fn main() -> ExitCode {
    let recipes = acme_recipes::cli("recipes");
    let matches = clap::Command::new("acme")
        .about("Acme's developer tool")
        .subcommand_required(true)
        .subcommand(clap::Command::new("hello").about("Says hello"))
        .subcommand(recipes.command())
        .get_matches();
    match matches.subcommand() {
        Some(("hello", _)) => {
            println!("hello from acme");
            ExitCode::SUCCESS
        }
        Some(("recipes", m)) => recipes.run_matches(m),
        _ => ExitCode::from(2),
    }
}
