//! One module per command; each takes the parsed arguments and the configuration.
mod config;
mod discover;
mod fields;
mod init;
mod install;
mod list;
mod merge_file;
mod recipe;
mod serve;
mod update;
mod vcs;
mod versions;

use std::process::ExitCode;

use nskit::{Config, Overrides, RecipeClient, RecipeInfo};

use crate::Cli;
use crate::args::{Args, Command};

pub(crate) fn run(cli: &Cli, args: Args) -> anyhow::Result<ExitCode> {
    if let Command::MergeFile(a) = args.command {
        return merge_file::run(a);
    }
    let overrides = Overrides {
        backend: args.backend,
        config_file: args.config,
        entrypoint_group: args.entrypoint_group,
        backend_types: cli.backend_types.clone(),
        git_providers: cli.git_providers.clone(),
    };
    // `config` must work on a file that does not load, to mend it.
    if let Command::Config(c) = args.command {
        return config::run(cli, &overrides, c);
    }
    let config = Config::load_layered(&cli.defaults, &overrides, &nskit::config::ProcessEnv)?;
    for w in &config.warnings {
        errln!("warning: {w}");
    }
    let client = || RecipeClient::from_config(&config);
    match args.command {
        Command::List { json } => list::run(&client()?, json),
        Command::Versions { recipe, json } => versions::run(&client()?, &recipe, json),
        Command::Init(a) => init::run(&client()?, a),
        Command::Fields(a) => fields::run(&client()?, a),
        Command::GetRequiredFields(a) => fields::required(&client()?, a),
        Command::Discover { search, json } => discover::run(&client()?, search.as_deref(), json),
        Command::Update(a) => update::run(&client()?, a),
        Command::Check { project_path, json } => update::check(&client()?, &project_path, json),
        Command::Recipe(c) => recipe::run(c),
        Command::Repo(c) => vcs::repo(&config, c),
        Command::Auth(c) => vcs::auth(&config, c),
        Command::Login {
            registry,
            username,
            password_stdin,
        } => recipe::login(&config, &registry, &username, password_stdin),
        Command::Logout { registry } => recipe::logout(&config, &registry),
        Command::MergeFile(_) | Command::Config(_) => {
            unreachable!("handled above: these need no configuration")
        }
        Command::Install {
            folder,
            version,
            force,
        } => install::run(&config, &folder, version.as_deref(), force),
        Command::Serve {
            bind,
            workspace,
            store_token,
        } => serve::run(config, bind, workspace, store_token),
    }
}

/// A table of recipes: name, versions (the first three, then a count), description.
pub(crate) fn recipe_table(recipes: &[RecipeInfo], latest_only: bool) -> String {
    let mut t = comfy_table::Table::new();
    t.load_preset(comfy_table::presets::NOTHING);
    t.set_content_arrangement(comfy_table::ContentArrangement::Dynamic);
    t.set_header(vec![
        "NAME",
        if latest_only { "LATEST" } else { "VERSIONS" },
        "DESCRIPTION",
    ]);
    for r in recipes {
        let versions = if latest_only {
            r.latest.clone().unwrap_or_default()
        } else {
            let mut v = r
                .versions
                .iter()
                .take(3)
                .cloned()
                .collect::<Vec<_>>()
                .join(", ");
            if r.versions.len() > 3 {
                v.push_str(&format!(" (+{} more)", r.versions.len() - 3));
            }
            v
        };
        t.add_row(vec![r.name.clone(), versions, r.description.clone()]);
    }
    t.to_string()
}
