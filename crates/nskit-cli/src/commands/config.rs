//! `config show|set|unset|path`: the configuration in effect with each value's source, and
//! changes to the file, through the client's configuration document.
use std::process::ExitCode;

use nskit::config::{Config, ConfigDocument, Overrides, ProcessEnv};

use crate::Cli;
use crate::args::ConfigCommand;

fn env(k: &str) -> Option<String> {
    std::env::var(k).ok()
}

pub(crate) fn run(cli: &Cli, overrides: &Overrides, c: ConfigCommand) -> anyhow::Result<ExitCode> {
    let path = || {
        Config::file_path(overrides, &env).ok_or_else(|| {
            nskit::Error::Config(
                "no configuration folder: give the file with --config or NSKIT_CONFIG".into(),
            )
        })
    };
    match c {
        ConfigCommand::Path => {
            outln!("{}", path()?.display());
        }
        ConfigCommand::Types { json } => {
            let types = overrides.backend_types.all();
            if json {
                outln!("{}", serde_json::to_string_pretty(&types)?);
            } else {
                let mut t = comfy_table::Table::new();
                t.load_preset(comfy_table::presets::NOTHING);
                t.set_content_arrangement(comfy_table::ContentArrangement::Dynamic);
                t.set_header(vec!["TYPE", "FROM", "SETTINGS", "DESCRIPTION"]);
                for ty in &types {
                    let from = if nskit::config::BUILT_IN_TYPES.contains(&ty.name.as_str()) {
                        "built in".to_string()
                    } else if overrides.backend_types.registered(&ty.name) {
                        cli.name.clone()
                    } else {
                        format!("plug-in nskit-backend-{}", ty.name)
                    };
                    let keys: Vec<String> = ty.schema["properties"]
                        .as_object()
                        .map(|p| p.keys().cloned().collect())
                        .unwrap_or_default();
                    t.add_row(vec![
                        ty.name.clone(),
                        from,
                        keys.join(", "),
                        ty.description.clone(),
                    ]);
                }
                outln!("{t}");
            }
        }
        ConfigCommand::Show { json } => {
            let config = Config::load_layered(&cli.defaults, overrides, &ProcessEnv)?;
            let settings = config.settings();
            if json {
                outln!("{}", serde_json::to_string_pretty(&settings)?);
            } else {
                let mut t = comfy_table::Table::new();
                t.load_preset(comfy_table::presets::NOTHING);
                t.set_content_arrangement(comfy_table::ContentArrangement::Dynamic);
                t.set_header(vec!["KEY", "VALUE", "SOURCE"]);
                for s in &settings {
                    let value = match &s.value {
                        serde_json::Value::String(v) => v.clone(),
                        serde_json::Value::Null => "(none)".into(),
                        v => v.to_string(),
                    };
                    t.add_row(vec![s.key.clone(), value, s.source.describe()]);
                }
                outln!("{t}");
            }
            for w in &config.warnings {
                errln!("warning: {w}");
            }
        }
        ConfigCommand::Set { key, value } => {
            let path = path()?;
            let mut doc = ConfigDocument::load(&path)?;
            doc.set_text(&key, &value)?;
            // The backend changed must be of a type something serves.
            let backend = match key.split('.').collect::<Vec<_>>().as_slice() {
                ["backend", ..] => Some("backend".to_string()),
                ["backends", name, ..] => Some(format!("backends.{name}")),
                _ => None,
            };
            if let Some(b) = backend.and_then(|b| doc.get(&b).cloned()) {
                overrides
                    .backend_types
                    .check_served(&b)
                    .map_err(|e| nskit::Error::Config(format!("{key}: {e}")))?;
            }
            doc.save_change(&key, &env)?;
            outln!("set {key} in {}", path.display());
            // Say so when the environment or a flag hides the new value.
            let config = Config::load_layered(&cli.defaults, overrides, &ProcessEnv)?;
            if let Some(s) = config
                .settings()
                .into_iter()
                .find(|s| s.key == key && !s.source.editable())
            {
                errln!(
                    "warning: {key} is overridden by the {}: the file's value applies once it is unset",
                    s.source.describe()
                );
            }
        }
        ConfigCommand::Unset { key } => {
            let path = path()?;
            let mut doc = ConfigDocument::load(&path)?;
            if doc.remove(&key) {
                doc.save(&env)?;
                outln!("removed {key} from {}", path.display());
            } else {
                outln!("{key} is not set in {}", path.display());
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}
