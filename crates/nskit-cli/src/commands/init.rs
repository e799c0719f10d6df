use std::process::ExitCode;

use anyhow::Context as _;
use nskit::{InitRequest, RecipeClient};
use serde_json::{Map, Value};

use crate::args::InitArgs;
use crate::prompt::{TerminalPrompter, should_prompt};

/// Answers from `--input-yaml-path` (nested YAML), then `--set NAME=VALUE` over them.
pub(crate) fn given_answers(
    input_yaml_path: Option<&std::path::Path>,
    set: &[String],
) -> anyhow::Result<Map<String, Value>> {
    let mut answers = Map::new();
    if let Some(path) = input_yaml_path {
        let text = std::fs::read_to_string(path)
            .with_context(|| format!("cannot read {}", path.display()))?;
        if !text.trim().is_empty() {
            let v: Value = serde_yaml::from_str(&text)
                .with_context(|| format!("{} is not valid YAML", path.display()))?;
            match v {
                Value::Object(m) => answers = m,
                Value::Null => {}
                _ => anyhow::bail!(
                    "{} must hold a mapping of answers (name: value)",
                    path.display()
                ),
            }
        }
    }
    for pair in set {
        let Some((k, v)) = pair.split_once('=') else {
            anyhow::bail!("--set {pair}: expected NAME=VALUE");
        };
        let k = k.trim();
        if k.is_empty() {
            anyhow::bail!("--set {pair}: the name is empty");
        }
        answers.insert(k.to_string(), Value::String(v.to_string()));
    }
    Ok(answers)
}

pub(crate) fn run(client: &RecipeClient, a: InitArgs) -> anyhow::Result<ExitCode> {
    let output = match (&a.output_override_path, &a.output_base_path) {
        (Some(p), _) => nskit::Output::Exact(p.clone()),
        (None, Some(b)) => nskit::Output::Base(b.clone()),
        (None, None) => {
            nskit::Output::Base(std::env::current_dir().context("cannot read the current folder")?)
        }
    };
    let req = InitRequest {
        recipe: a.recipe.clone(),
        version: a.version.clone(),
        answers: given_answers(a.input_yaml_path.as_deref(), &a.set)?,
        output,
        force: a.force,
        git: !a.no_git,
    };
    let mut prompter = TerminalPrompter;
    let prompter: Option<&mut dyn nskit::Prompter> = if should_prompt(a.defaults, a.json) {
        Some(&mut prompter)
    } else {
        None
    };
    if a.dry_run {
        let preview = client.preview_asking(&req, prompter)?;
        for w in &preview.warnings {
            eprintln!("warning: {w}");
        }
        if a.json {
            println!("{}", serde_json::to_string_pretty(&preview)?);
        } else {
            eprintln!(
                "would create {} from {} {} ({} files); nothing was written",
                preview.project_path.display(),
                a.recipe,
                preview.recipe_version,
                preview.files.len()
            );
            print!("{}", preview.tree);
        }
        return Ok(ExitCode::SUCCESS);
    }
    let result = client.init(&req, prompter)?;
    for w in &result.warnings {
        eprintln!("warning: {w}");
    }
    if a.json {
        println!("{}", serde_json::to_string_pretty(&result)?);
    } else {
        let commit = result
            .commit
            .as_deref()
            .map(|c| format!(", commit {}", &c[..c.len().min(8)]))
            .unwrap_or_default();
        println!(
            "created {} from {} {} ({} files{commit})",
            result.project_path.display(),
            result.recipe_name,
            result.recipe_version,
            result.files_created.len()
        );
    }
    Ok(ExitCode::SUCCESS)
}
