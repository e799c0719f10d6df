use std::process::ExitCode;

use nskit::{FieldType, RecipeClient};
use serde_json::{Map, Value};

use crate::args::FieldsArgs;

pub(crate) fn run(client: &RecipeClient, a: FieldsArgs) -> anyhow::Result<ExitCode> {
    let details = client.fields(&a.recipe, a.version.as_deref())?;
    if a.json {
        outln!("{}", serde_json::to_string_pretty(&details.schema)?);
        return Ok(ExitCode::SUCCESS);
    }
    outln!(
        "{} {}: {}\n",
        details.name,
        details.version,
        details.description
    );
    let mut t = comfy_table::Table::new();
    t.load_preset(comfy_table::presets::NOTHING);
    t.set_content_arrangement(comfy_table::ContentArrangement::Dynamic);
    t.set_header(vec!["FIELD", "TYPE", "DEFAULT", "ASKED WHEN", "HELP"]);
    for f in &details.fields {
        let mut ty = f.kind.as_str().to_string();
        if !f.choices.is_empty() {
            ty.push_str(&format!(
                " [{}]",
                f.choices
                    .iter()
                    .map(|c| c.label.as_str())
                    .collect::<Vec<_>>()
                    .join(" | ")
            ));
        }
        if !f.required {
            ty.push_str(" (optional)");
        }
        let default = f
            .default
            .as_ref()
            .map(|d| {
                d.as_str()
                    .map(String::from)
                    .unwrap_or_else(|| d.to_string())
            })
            .unwrap_or_default();
        let when = match (&f.when, f.hidden) {
            (_, true) => "never (hidden)".to_string(),
            (Some(nskit::Condition::Expr(e)), _) => e.clone(),
            (Some(nskit::Condition::Bool(b)), _) => b.to_string(),
            (None, _) => String::new(),
        };
        t.add_row(vec![
            f.name.clone(),
            ty,
            default,
            when,
            f.help.clone().unwrap_or_else(|| f.label().to_string()),
        ]);
    }
    outln!("{t}");
    Ok(ExitCode::SUCCESS)
}

/// The original nskit's `get-required-fields`: `{dotted name: type}` of the fields that
/// need an answer (no default).
pub(crate) fn required(client: &RecipeClient, a: FieldsArgs) -> anyhow::Result<ExitCode> {
    let details = client.fields(&a.recipe, a.version.as_deref())?;
    let mut out = Map::new();
    for f in details.fields.iter().filter(|f| {
        f.required && f.default.is_none() && f.implicit_default().is_none() && f.when.is_none()
    }) {
        let ty = match f.kind {
            FieldType::String | FieldType::Path | FieldType::Secret | FieldType::Choice => "str",
            FieldType::Integer => "int",
            FieldType::Number => "float",
            FieldType::Boolean => "bool",
            FieldType::Multichoice => "list",
        };
        out.insert(f.name.clone(), Value::String(ty.into()));
    }
    outln!("{}", serde_json::to_string_pretty(&out)?);
    Ok(ExitCode::SUCCESS)
}
