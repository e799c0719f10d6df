use serde::{Deserialize, Serialize};
use serde_json::Value;
use ts_rs::TS;

/// The type of a field's answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, TS)]
#[serde(rename_all = "lowercase")]
#[ts(export)]
pub enum FieldType {
    /// Free text.
    #[default]
    String,
    /// A whole number.
    Integer,
    /// A number.
    Number,
    /// Yes or no.
    Boolean,
    /// One of `choices`.
    Choice,
    /// Any number of `choices`.
    Multichoice,
    /// Text that is asked, used for rendering, and never recorded or shown.
    Secret,
    /// A file-system path.
    Path,
}

impl FieldType {
    /// The name used in `recipe.yaml`.
    pub fn as_str(self) -> &'static str {
        match self {
            FieldType::String => "string",
            FieldType::Integer => "integer",
            FieldType::Number => "number",
            FieldType::Boolean => "boolean",
            FieldType::Choice => "choice",
            FieldType::Multichoice => "multichoice",
            FieldType::Secret => "secret",
            FieldType::Path => "path",
        }
    }
}

/// One of a field's choices: a value and the label shown for it.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct Choice {
    /// The answer recorded when this choice is picked.
    pub value: Value,
    /// What the user sees.
    pub label: String,
}

impl<'de> Deserialize<'de> for Choice {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        #[derive(Deserialize)]
        #[serde(untagged)]
        enum Raw {
            Full { value: Value, label: Option<String> },
            Bare(Value),
        }
        let (value, label) = match Raw::deserialize(d)? {
            Raw::Full { value, label } => (value, label),
            Raw::Bare(value) => (value, None),
        };
        if value.is_object() || value.is_array() || value.is_null() {
            return Err(serde::de::Error::custom(
                "a choice is a string, number or boolean, or {value, label}",
            ));
        }
        let label = label.unwrap_or_else(|| display_value(&value));
        Ok(Choice { value, label })
    }
}

/// Checks on an answer.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, TS)]
#[serde(deny_unknown_fields, rename_all = "snake_case")]
#[ts(export)]
pub struct Validation {
    /// A regular expression the whole answer must match (strings, secrets, paths).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub pattern: Option<String>,
    /// The smallest number allowed (integers, numbers).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub min: Option<f64>,
    /// The largest number allowed (integers, numbers).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub max: Option<f64>,
    /// The fewest characters (text) or choices (multichoice).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub min_length: Option<usize>,
    /// The most characters (text) or choices (multichoice).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub max_length: Option<usize>,
    /// The message shown when any check fails, instead of the generic one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub message: Option<String>,
}

/// When a field is asked: always, never, or when a Jinja condition over earlier answers holds.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[serde(untagged)]
#[ts(export)]
pub enum Condition {
    /// A constant.
    Bool(bool),
    /// A Jinja expression (`use_ci and ci_provider == "github"`) or template (`{{ use_ci }}`).
    Expr(String),
}

/// A question a recipe asks.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[serde(deny_unknown_fields, rename_all = "snake_case")]
#[ts(export)]
pub struct Field {
    /// The dotted name (`repo.owner` is `{{ repo.owner }}` in templates).
    pub name: String,
    /// The answer's type.
    #[serde(rename = "type", default)]
    pub kind: FieldType,
    /// The question shown to the user (defaults to the name).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub prompt: Option<String>,
    /// Longer help text.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub help: Option<String>,
    /// The default answer: a value, or a Jinja template over earlier answers and the context.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub default: Option<Value>,
    /// Whether an answer is needed (default true). An optional field may be left empty.
    #[serde(default = "yes")]
    pub required: bool,
    /// The choices of a `choice` or `multichoice` field.
    #[serde(default)]
    pub choices: Vec<Choice>,
    /// Checks on the answer.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub validation: Option<Validation>,
    /// Ask this field only when the condition holds.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub when: Option<Condition>,
    /// The wizard step this field belongs to.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub group: Option<String>,
    /// Never asked: its (computed) default is used unless an answer is given explicitly.
    #[serde(default)]
    pub hidden: bool,
}

fn yes() -> bool {
    true
}

/// A value as a person reads it (strings without quotes).
pub(crate) fn display_value(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        Value::Null => String::new(),
        Value::Array(items) => items
            .iter()
            .map(display_value)
            .collect::<Vec<_>>()
            .join(", "),
        other => other.to_string(),
    }
}

impl Field {
    /// The question to show.
    pub fn label(&self) -> &str {
        self.prompt.as_deref().unwrap_or(&self.name)
    }

    /// The environment variable that supplies this field's default, as in the original
    /// nskit: `RECIPE_` and the dotted name upper-cased with `.` as `_` (`RECIPE_REPO_OWNER`).
    pub fn env_var(&self) -> String {
        format!(
            "RECIPE_{}",
            self.name.replace(['.', '-'], "_").to_uppercase()
        )
    }

    /// Whether answers of this field are never recorded.
    pub fn is_secret(&self) -> bool {
        self.kind == FieldType::Secret
    }

    /// The answer used when none is given and the field has no default: booleans are
    /// false and multichoices empty; other types have none.
    pub fn implicit_default(&self) -> Option<Value> {
        match self.kind {
            FieldType::Boolean => Some(Value::Bool(false)),
            FieldType::Multichoice => Some(Value::Array(vec![])),
            _ => None,
        }
    }

    /// The answer of an optional field left empty: `""` for text, none otherwise.
    pub fn empty_value(&self) -> Value {
        match self.kind {
            FieldType::String | FieldType::Secret | FieldType::Path => Value::String(String::new()),
            _ => self.implicit_default().unwrap_or(Value::Null),
        }
    }

    /// Turns a value (a typed YAML/JSON value, or text typed by a person) into this field's
    /// type. Text is parsed: `yes`/`no`, numbers, comma-separated multichoice values.
    pub fn coerce(&self, value: &Value) -> Result<Value, String> {
        match self.kind {
            FieldType::String | FieldType::Secret | FieldType::Path => match value {
                Value::String(_) => Ok(value.clone()),
                Value::Number(n) => Ok(Value::String(n.to_string())),
                Value::Bool(b) => Ok(Value::String(b.to_string())),
                Value::Null => Ok(Value::String(String::new())),
                _ => Err("expected text".into()),
            },
            FieldType::Integer => match value {
                Value::Number(n) if n.is_i64() || n.is_u64() => Ok(value.clone()),
                Value::Number(n) => match n.as_f64() {
                    Some(f) if f.fract() == 0.0 && f.abs() < 9.0e15 => Ok(Value::from(f as i64)),
                    _ => Err(format!("expected a whole number, got {n}")),
                },
                Value::String(s) => s
                    .trim()
                    .parse::<i64>()
                    .map(Value::from)
                    .map_err(|_| format!("expected a whole number, got `{s}`")),
                _ => Err("expected a whole number".into()),
            },
            FieldType::Number => match value {
                Value::Number(_) => Ok(value.clone()),
                Value::String(s) => {
                    let t = s.trim();
                    if let Ok(i) = t.parse::<i64>() {
                        return Ok(Value::from(i));
                    }
                    t.parse::<f64>()
                        .ok()
                        .filter(|f| f.is_finite())
                        .and_then(serde_json::Number::from_f64)
                        .map(Value::Number)
                        .ok_or_else(|| format!("expected a number, got `{s}`"))
                }
                _ => Err("expected a number".into()),
            },
            FieldType::Boolean => match value {
                Value::Bool(_) => Ok(value.clone()),
                Value::String(s) => match s.trim().to_ascii_lowercase().as_str() {
                    "true" | "yes" | "y" | "on" | "1" => Ok(Value::Bool(true)),
                    "false" | "no" | "n" | "off" | "0" | "" => Ok(Value::Bool(false)),
                    _ => Err(format!("expected yes or no, got `{s}`")),
                },
                Value::Number(n) if n.as_i64() == Some(0) => Ok(Value::Bool(false)),
                Value::Number(n) if n.as_i64() == Some(1) => Ok(Value::Bool(true)),
                _ => Err("expected yes or no".into()),
            },
            FieldType::Choice => self.match_choice(value).cloned(),
            FieldType::Multichoice => {
                let items: Vec<Value> = match value {
                    Value::Array(items) => items.clone(),
                    Value::String(s) if s.trim().is_empty() => vec![],
                    Value::String(s) => s
                        .split(',')
                        .map(|p| Value::String(p.trim().to_string()))
                        .collect(),
                    Value::Null => vec![],
                    other => vec![other.clone()],
                };
                let mut out = Vec::with_capacity(items.len());
                for item in &items {
                    let v = self.match_choice(item)?.clone();
                    if !out.contains(&v) {
                        out.push(v);
                    }
                }
                Ok(Value::Array(out))
            }
        }
    }

    fn match_choice<'a>(&'a self, value: &Value) -> Result<&'a Value, String> {
        let wanted = display_value(value);
        self.choices
            .iter()
            .find(|c| c.value == *value)
            .or_else(|| {
                self.choices
                    .iter()
                    .find(|c| display_value(&c.value) == wanted)
            })
            .or_else(|| self.choices.iter().find(|c| c.label == wanted))
            .map(|c| &c.value)
            .ok_or_else(|| {
                format!(
                    "`{wanted}` is not one of the choices: {}",
                    self.choices
                        .iter()
                        .map(|c| display_value(&c.value))
                        .collect::<Vec<_>>()
                        .join(", ")
                )
            })
    }

    /// Checks a typed answer against the field's validation rules. Returns the message to show.
    pub fn check(&self, value: &Value) -> Result<(), String> {
        let Some(rules) = &self.validation else {
            return self.check_required(value);
        };
        self.check_required(value)?;
        let fail = |generic: String| Err(rules.message.clone().unwrap_or(generic));
        match value {
            Value::String(s) => {
                if s.is_empty() && !self.required {
                    return Ok(());
                }
                let len = s.chars().count();
                if let Some(min) = rules.min_length.filter(|m| len < *m) {
                    return fail(format!("must be at least {min} characters long"));
                }
                if let Some(max) = rules.max_length.filter(|m| len > *m) {
                    return fail(format!("must be at most {max} characters long"));
                }
                if let Some(pattern) = &rules.pattern {
                    match anchored(pattern) {
                        Ok(re) if re.is_match(s) => {}
                        Ok(_) => return fail(format!("must match the pattern {pattern}")),
                        Err(e) => return Err(format!("the recipe's pattern is invalid: {e}")),
                    }
                }
            }
            Value::Number(n) => {
                let f = n.as_f64().unwrap_or_default();
                if let Some(min) = rules.min.filter(|m| f < *m) {
                    return fail(format!("must be at least {min}"));
                }
                if let Some(max) = rules.max.filter(|m| f > *m) {
                    return fail(format!("must be at most {max}"));
                }
            }
            Value::Array(items) => {
                if let Some(min) = rules.min_length.filter(|m| items.len() < *m) {
                    return fail(format!("pick at least {min}"));
                }
                if let Some(max) = rules.max_length.filter(|m| items.len() > *m) {
                    return fail(format!("pick at most {max}"));
                }
            }
            _ => {}
        }
        Ok(())
    }

    fn check_required(&self, value: &Value) -> Result<(), String> {
        if !self.required {
            return Ok(());
        }
        let empty = match value {
            Value::Null => true,
            Value::String(s) => s.trim().is_empty(),
            _ => false,
        };
        if empty {
            Err("an answer is required".into())
        } else {
            Ok(())
        }
    }

    /// Coerces and checks text typed by a person, as prompts do at entry time.
    pub fn parse_input(&self, text: &str) -> Result<Value, String> {
        let value = self.coerce(&Value::String(text.to_string()))?;
        self.check(&value)?;
        Ok(value)
    }
}

/// A pattern must match the whole answer.
pub(crate) fn anchored(pattern: &str) -> Result<regex::Regex, regex::Error> {
    regex::Regex::new(&format!("^(?:{pattern})$"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn field(yaml: &str) -> Field {
        serde_saphyr::from_str(yaml).expect("test field parses")
    }

    #[test]
    fn coerces_text_answers() {
        let f = field("{name: n, type: integer}");
        assert_eq!(f.coerce(&json!("42")), Ok(json!(42)));
        assert!(f.coerce(&json!("4.5")).is_err());
        let f = field("{name: n, type: boolean}");
        assert_eq!(f.coerce(&json!("Yes")), Ok(json!(true)));
        assert!(f.coerce(&json!("maybe")).is_err());
        let f = field("{name: n, type: multichoice, choices: [a, b, c]}");
        assert_eq!(f.coerce(&json!("c, a, c")), Ok(json!(["c", "a"])));
        assert!(
            f.coerce(&json!("a,z"))
                .unwrap_err()
                .contains("not one of the choices")
        );
    }

    #[test]
    fn choices_match_value_or_label() {
        let f = field("{name: n, type: choice, choices: [{value: 3, label: Three}, 4]}");
        assert_eq!(f.coerce(&json!("Three")), Ok(json!(3)));
        assert_eq!(f.coerce(&json!("4")), Ok(json!(4)));
    }

    #[test]
    fn validation_uses_custom_message() {
        let f = field("{name: n, validation: {pattern: '[a-z]+', message: lower-case only}}");
        assert_eq!(f.check(&json!("abc")), Ok(()));
        assert_eq!(f.check(&json!("abC")), Err("lower-case only".into()));
        let f = field("{name: n, type: integer, validation: {min: 1, max: 10}}");
        assert_eq!(f.check(&json!(11)), Err("must be at most 10".into()));
        assert_eq!(f.parse_input("0"), Err("must be at least 1".into()));
        let f = field("{name: n, validation: {min_length: 3}}");
        assert!(f.check(&json!("ab")).unwrap_err().contains("at least 3"));
    }

    #[test]
    fn required_and_optional() {
        assert!(field("{name: n}").check(&json!("  ")).is_err());
        assert_eq!(
            field("{name: n, required: false, validation: {pattern: 'x'}}").check(&json!("")),
            Ok(())
        );
    }

    #[test]
    fn env_var_name() {
        assert_eq!(field("{name: repo.owner}").env_var(), "RECIPE_REPO_OWNER");
    }
}
