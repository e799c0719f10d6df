//! Interactive prompts (dialoguer), validating each answer as it is typed.
use dialoguer::{Confirm, Input, MultiSelect, Password, Select};
use nskit::{Field, FieldType, RecipeError};
use serde_json::Value;

pub(crate) struct TerminalPrompter;

/// Whether to ask questions: a person is at the terminal and neither `--defaults` nor
/// `--json` was given.
pub(crate) fn should_prompt(defaults: bool, json: bool) -> bool {
    use std::io::IsTerminal;
    !defaults && !json && std::io::stdin().is_terminal() && std::io::stderr().is_terminal()
}

fn text(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        Value::Null => String::new(),
        other => other.to_string(),
    }
}

fn cancelled(e: dialoguer::Error) -> RecipeError {
    RecipeError::Prompt(e.to_string())
}

impl nskit::Prompter for TerminalPrompter {
    fn ask(&mut self, field: &Field, default: Option<&Value>) -> Result<Value, RecipeError> {
        if let Some(help) = &field.help {
            errln!("  {help}");
        }
        let label = field.label().to_string();
        match field.kind {
            FieldType::Boolean => {
                let d = default.and_then(Value::as_bool).unwrap_or(false);
                Ok(Value::Bool(
                    Confirm::new()
                        .with_prompt(label)
                        .default(d)
                        .interact()
                        .map_err(cancelled)?,
                ))
            }
            FieldType::Choice => {
                let labels: Vec<&str> = field.choices.iter().map(|c| c.label.as_str()).collect();
                let d = default
                    .and_then(|d| field.choices.iter().position(|c| &c.value == d))
                    .unwrap_or(0);
                let i = Select::new()
                    .with_prompt(label)
                    .items(&labels)
                    .default(d)
                    .interact()
                    .map_err(cancelled)?;
                Ok(field.choices[i].value.clone())
            }
            FieldType::Multichoice => {
                let labels: Vec<&str> = field.choices.iter().map(|c| c.label.as_str()).collect();
                let chosen: Vec<bool> = field
                    .choices
                    .iter()
                    .map(|c| {
                        default
                            .and_then(Value::as_array)
                            .is_some_and(|d| d.contains(&c.value))
                    })
                    .collect();
                loop {
                    let picked = MultiSelect::new()
                        .with_prompt(&label)
                        .items(&labels)
                        .defaults(&chosen)
                        .interact()
                        .map_err(cancelled)?;
                    let value = Value::Array(
                        picked
                            .iter()
                            .map(|i| field.choices[*i].value.clone())
                            .collect(),
                    );
                    match field.check(&value) {
                        Ok(()) => return Ok(value),
                        Err(msg) => errln!("  {msg}"),
                    }
                }
            }
            FieldType::Secret => {
                let f = field.clone();
                let typed = Password::new()
                    .with_prompt(label)
                    .allow_empty_password(!field.required)
                    .validate_with(move |s: &String| f.parse_input(s).map(|_| ()))
                    .interact()
                    .map_err(cancelled)?;
                field.parse_input(&typed).map_err(RecipeError::Prompt)
            }
            FieldType::String | FieldType::Path | FieldType::Integer | FieldType::Number => {
                let f = field.clone();
                let mut input = Input::<String>::new()
                    .with_prompt(label)
                    .allow_empty(!field.required || default.is_some())
                    .validate_with(move |s: &String| f.parse_input(s).map(|_| ()));
                if let Some(d) = default {
                    input = input.default(text(d));
                }
                let typed = input.interact_text().map_err(cancelled)?;
                field.parse_input(&typed).map_err(RecipeError::Prompt)
            }
        }
    }
}

/// A secret (password, token): from standard input when asked to or when it is not a
/// terminal (trailing newline dropped), else typed, hidden. An empty one is an error.
pub(crate) fn read_secret(prompt: &str, from_stdin: bool) -> anyhow::Result<String> {
    use std::io::{IsTerminal, Read};
    let secret = if from_stdin || !std::io::stdin().is_terminal() {
        let mut s = String::new();
        std::io::stdin().read_to_string(&mut s)?;
        s.trim_end_matches(['\r', '\n']).to_string()
    } else {
        Password::new().with_prompt(prompt).interact()?
    };
    if secret.is_empty() {
        anyhow::bail!("nothing given: pipe it in on standard input, or type it when asked");
    }
    Ok(secret)
}
