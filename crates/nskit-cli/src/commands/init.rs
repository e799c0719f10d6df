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
            let v: Value = serde_saphyr::from_str(&text)
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
    let interactive = should_prompt(a.defaults, a.json);
    // As the original asks: `Create repository in GitHub? [Y/n]`, when a host is configured
    // and neither --create-repo nor --no-create-repo says.
    let create_repo = if a.create_repo {
        true
    } else if a.no_create_repo || a.no_git || a.dry_run || !interactive {
        false
    } else if let Some(p) = client.publisher()? {
        dialoguer::Confirm::new()
            .with_prompt(format!("Create repository in {}?", p.provider_name()))
            .default(true)
            .interact()?
    } else {
        false
    };
    let req = InitRequest {
        recipe: a.recipe.clone(),
        version: a.version.clone(),
        answers: given_answers(a.input_yaml_path.as_deref(), &a.set)?,
        output,
        force: a.force,
        git: !a.no_git,
        create_repo: create_repo.then(|| nskit::repository::RepoOptions {
            private: a.public.then_some(false),
            description: None,
        }),
    };
    let mut prompter = TerminalPrompter;
    let prompter: Option<&mut dyn nskit::Prompter> = if interactive {
        Some(&mut prompter)
    } else {
        None
    };
    if a.dry_run {
        let preview = client.preview_asking(&req, prompter, &crate::progress::terminal())?;
        for w in &preview.warnings {
            errln!("warning: {w}");
        }
        if a.json {
            outln!("{}", serde_json::to_string_pretty(&preview)?);
        } else {
            errln!(
                "would create {} from {} {} ({} files); nothing was written",
                preview.project_path.display(),
                a.recipe,
                preview.recipe_version,
                preview.files.len()
            );
            out!("{}", preview.tree);
        }
        return Ok(ExitCode::SUCCESS);
    }
    let result = client.init(&req, prompter, &crate::progress::terminal())?;
    for w in &result.warnings {
        errln!("warning: {w}");
    }
    if a.json {
        outln!("{}", serde_json::to_string_pretty(&result)?);
    } else {
        let commit = result
            .commit
            .as_deref()
            .map(|c| format!(", commit {}", &c[..c.len().min(8)]))
            .unwrap_or_default();
        outln!(
            "created {} from {} {} ({} files{commit})",
            result.project_path.display(),
            result.recipe_name,
            result.recipe_version,
            result.files_created.len()
        );
        if let Some(r) = &result.repository {
            outln!(
                "created the repository {} ({}) and pushed {}: {}",
                r.full_name,
                if r.private { "private" } else { "public" },
                r.branch,
                r.html_url
            );
        }
    }
    if let Some(e) = result.errors.first() {
        errln!(
            "error: {}\nthe project is created and committed in {}; once that is fixed, `nskit repo create --project-path {}` makes the repository",
            e.message,
            result.project_path.display(),
            result.project_path.display()
        );
        return Ok(ExitCode::from(crate::exit::EXIT_REPOSITORY));
    }
    Ok(ExitCode::SUCCESS)
}
