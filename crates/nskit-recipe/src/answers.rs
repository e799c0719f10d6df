use std::collections::{BTreeMap, HashSet};

use serde::Serialize;
use serde_json::{Map, Value};
use ts_rs::TS;

use crate::error::{FieldError, RecipeError, Result};
use crate::field::{Condition, Field};
use crate::render::jinja_env;

/// Answers by dotted field name (`repo.owner`), typed per field.
pub type Answers = Map<String, Value>;

/// What defaults and conditions can use besides earlier answers: `git.user.name`,
/// `git.user.email`, `date.year`, `date.today`, and the `RECIPE_<FIELD>` variables of the
/// environment.
#[derive(Debug, Clone, Default)]
pub struct Context {
    values: Map<String, Value>,
    env: BTreeMap<String, String>,
}

impl Context {
    /// A context with the given git identity, date and environment variables (only those
    /// starting with `RECIPE_` are kept).
    pub fn new(
        git_user_name: Option<String>,
        git_user_email: Option<String>,
        today: chrono::NaiveDate,
        env: impl IntoIterator<Item = (String, String)>,
    ) -> Context {
        use chrono::Datelike;
        let git = serde_json::json!({
            "user": {
                "name": git_user_name.unwrap_or_default(),
                "email": git_user_email.unwrap_or_default(),
            }
        });
        let date = serde_json::json!({
            "year": today.year(),
            "today": today.format("%Y-%m-%d").to_string(),
        });
        let mut values = Map::new();
        values.insert("git".into(), git);
        values.insert("date".into(), date);
        let env = env
            .into_iter()
            .filter(|(k, _)| k.starts_with("RECIPE_"))
            .collect();
        Context { values, env }
    }

    /// The context values (`git`, `date`) as a map.
    pub fn values(&self) -> &Map<String, Value> {
        &self.values
    }
}

/// Whether a string is a Jinja template rather than a plain value.
pub(crate) fn is_template(s: &str) -> bool {
    s.contains("{{") || s.contains("{%")
}

/// Asks a person for one answer. Implementations validate at entry time with
/// [`Field::parse_input`] and return the typed value.
pub trait Prompter {
    /// Asks for `field`, offering `default`.
    fn ask(&mut self, field: &Field, default: Option<&Value>) -> Result<Value>;
}

/// The outcome of answering a recipe's fields.
#[derive(Debug, Clone, Default)]
pub struct Resolution {
    /// The answers of every active field, typed.
    pub answers: Answers,
    /// Required fields with no answer and no default.
    pub missing: Vec<String>,
    /// Answers that failed their checks.
    pub errors: Vec<FieldError>,
    /// Given answers that match no field of the recipe.
    pub unknown: Vec<String>,
}

impl Resolution {
    /// The answers, or the error listing every missing and invalid one.
    pub fn into_answers(self) -> Result<Answers> {
        if !self.errors.is_empty() {
            let mut errors = self.errors;
            errors.extend(self.missing.into_iter().map(|f| FieldError {
                field: f,
                message: "an answer is required".into(),
            }));
            return Err(RecipeError::InvalidAnswers(errors));
        }
        if !self.missing.is_empty() {
            return Err(RecipeError::MissingAnswers(self.missing));
        }
        Ok(self.answers)
    }
}

/// The live state of a form: per field whether it is shown, its computed default, the value
/// that would be used, and what is wrong with it.
#[derive(Debug, Clone, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct FormState {
    /// One entry per field, in order.
    pub fields: Vec<FieldState>,
    /// Whether the answers can be used as they are.
    pub valid: bool,
}

/// One field's live state.
#[derive(Debug, Clone, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct FieldState {
    /// The dotted name.
    pub name: String,
    /// Whether its `when` condition holds.
    pub active: bool,
    /// Its default, computed from the answers so far.
    pub default: Option<Value>,
    /// The answer that would be used (given, else default).
    pub value: Option<Value>,
    /// What is wrong, if anything.
    pub error: Option<String>,
}

/// Looks up a dotted path in a nested value.
fn get_path<'a>(root: &'a Value, dotted: &str) -> Option<&'a Value> {
    dotted
        .split('.')
        .try_fold(root, |v, k| v.as_object()?.get(k))
}

/// Sets a dotted path in a nested object, creating levels as needed.
fn set_path(root: &mut Map<String, Value>, dotted: &str, value: Value) {
    let mut parts = dotted.split('.').peekable();
    let mut cur = root;
    while let Some(part) = parts.next() {
        if parts.peek().is_none() {
            cur.insert(part.to_string(), value);
            return;
        }
        let entry = cur
            .entry(part.to_string())
            .or_insert_with(|| Value::Object(Map::new()));
        if !entry.is_object() {
            *entry = Value::Object(Map::new());
        }
        cur = entry.as_object_mut().expect("just made an object");
    }
}

/// Turns flat dotted answers into nested objects (`repo.owner` → `{repo: {owner}}`).
pub fn nest_answers(answers: &Answers) -> Map<String, Value> {
    let mut out = Map::new();
    for (k, v) in answers {
        set_path(&mut out, k, v.clone());
    }
    out
}

/// The variables templates see: the context, with the nested answers over it.
pub fn template_context(answers: &Answers, ctx: &Context) -> Value {
    let mut out = ctx.values.clone();
    for (k, v) in nest_answers(answers) {
        out.insert(k, v);
    }
    Value::Object(out)
}

/// Renders a default: a template string is rendered, anything else is kept as it is.
fn render_default(field: &Field, raw: &Value, scope: &Value, index: usize) -> Result<Value> {
    match raw {
        Value::String(s) if is_template(s) => {
            let key = format!("recipe.yaml fields[{index}].default ({})", field.name);
            let env = jinja_env();
            let text = env
                .render_named_str(
                    &key,
                    s,
                    minijinja::Value::from(minijinja::value::Serde(scope)),
                )
                .map_err(|e| RecipeError::from_jinja(&key, s, &e))?;
            Ok(Value::String(text))
        }
        other => Ok(other.clone()),
    }
}

/// Evaluates a `when` condition against the answers so far.
fn condition_holds(field: &Field, scope: &Value, index: usize) -> Result<bool> {
    let key = format!("recipe.yaml fields[{index}].when ({})", field.name);
    match &field.when {
        None => Ok(true),
        Some(c) => condition_true(&key, c, scope),
    }
}

/// Evaluates a condition (a constant, a Jinja expression or a template) in `scope`; `key`
/// names it in errors.
pub(crate) fn condition_true(key: &str, cond: &Condition, scope: &Value) -> Result<bool> {
    match cond {
        Condition::Bool(b) => Ok(*b),
        Condition::Expr(expr) => {
            let env = jinja_env();
            if is_template(expr) {
                let text = env
                    .render_named_str(
                        key,
                        expr,
                        minijinja::Value::from(minijinja::value::Serde(scope)),
                    )
                    .map_err(|e| RecipeError::from_jinja(key, expr, &e))?;
                let t = text.trim().to_ascii_lowercase();
                Ok(!matches!(
                    t.as_str(),
                    "" | "false" | "0" | "no" | "none" | "off"
                ))
            } else {
                let compiled = env
                    .compile_expression(expr)
                    .map_err(|e| RecipeError::from_jinja(key, expr, &e))?;
                let v = compiled
                    .eval(minijinja::Value::from(minijinja::value::Serde(scope)))
                    .map_err(|e| RecipeError::from_jinja(key, expr, &e))?;
                Ok(v.is_true())
            }
        }
    }
}

/// The variables a template string (or, when `expr`, a bare expression) reads: dotted
/// for attribute lookups (`repo.owner`). A template that does not parse reads nothing
/// (rendering it reports the syntax error).
fn reads(text: &str, expr: bool) -> HashSet<String> {
    let env = jinja_env();
    if expr && !is_template(text) {
        env.compile_expression(text)
            .map(|e| e.undeclared_variables(true))
            .unwrap_or_default()
    } else {
        env.template_from_str(text)
            .map(|t| t.undeclared_variables(true))
            .unwrap_or_default()
    }
}

/// What a field's computed default reads.
pub(crate) fn default_reads(field: &Field) -> HashSet<String> {
    match &field.default {
        Some(Value::String(s)) if is_template(s) => reads(s, false),
        _ => HashSet::new(),
    }
}

/// What a field's `when` condition reads.
fn condition_reads(field: &Field) -> HashSet<String> {
    match &field.when {
        Some(Condition::Expr(e)) => reads(e, true),
        _ => HashSet::new(),
    }
}

/// Whether reading `var` (`repo`, `repo.owner`) reads the field `name` or part of it.
pub(crate) fn reads_field(var: &str, name: &str) -> bool {
    let prefix = |long: &str, short: &str| {
        long.len() > short.len() && long.starts_with(short) && long.as_bytes()[short.len()] == b'.'
    };
    var == name || prefix(var, name) || prefix(name, var)
}

/// The fields whose answers are secrets: the `secret` fields, and every field whose
/// default is computed from one, directly or through other fields (`auth_header: "Bearer
/// {{ token }}"`). Their answers are used and never recorded.
pub fn secret_fields(fields: &[Field]) -> HashSet<String> {
    let mut secret: HashSet<String> = fields
        .iter()
        .filter(|f| f.is_secret())
        .map(|f| f.name.clone())
        .collect();
    if secret.is_empty() {
        return secret;
    }
    let reads: Vec<(&str, HashSet<String>)> = fields
        .iter()
        .map(|f| (f.name.as_str(), default_reads(f)))
        .collect();
    loop {
        let before = secret.len();
        for (name, vars) in &reads {
            if !secret.contains(*name)
                && vars
                    .iter()
                    .any(|v| secret.iter().any(|s| reads_field(v, s)))
            {
                secret.insert(name.to_string());
            }
        }
        if secret.len() == before {
            return secret;
        }
    }
}

/// Registers the answers of secret fields (see [`secret_fields`]) so that no message
/// nskit prints shows them.
pub fn register_secret_answers(fields: &[Field], answers: &Answers) {
    for name in secret_fields(fields) {
        if let Some(Value::String(s)) = answers.get(&name) {
            nskit_secret::register(s);
        }
    }
}

#[derive(Clone)]
struct Outcome {
    active: bool,
    default: Option<Value>,
    value: Option<Value>,
    error: Option<String>,
    missing: bool,
}

/// Walks the fields in order; `given` holds nested answers. With a prompter, active
/// non-hidden fields without a given answer are asked.
fn walk(
    fields: &[Field],
    given: &Value,
    ctx: &Context,
    mut prompter: Option<&mut dyn Prompter>,
    lenient: bool,
) -> Result<Vec<Outcome>> {
    let mut scope = ctx.values.clone();
    let mut out = Vec::with_capacity(fields.len());
    // Fields with no value yet: missing, or waiting on a missing one. A default or
    // condition that reads one is not evaluated (it could only fail on the missing
    // answer), so every missing answer is reported, and nothing else.
    let mut unknown: Vec<&str> = vec![];
    let waits = |vars: HashSet<String>, unknown: &[&str]| {
        !unknown.is_empty()
            && vars
                .iter()
                .any(|v| unknown.iter().any(|u| reads_field(v, u)))
    };
    let blocked = Outcome {
        active: true,
        default: None,
        value: None,
        error: None,
        missing: false,
    };
    for (i, field) in fields.iter().enumerate() {
        let given_value = get_path(given, &field.name).filter(|v| !v.is_object());
        if waits(condition_reads(field), &unknown) {
            unknown.push(&field.name);
            out.push(blocked.clone());
            continue;
        }
        let scope_value = Value::Object(scope.clone());
        let active = match condition_holds(field, &scope_value, i) {
            Ok(a) => a,
            Err(e) if lenient => {
                out.push(Outcome {
                    active: true,
                    default: None,
                    value: None,
                    error: Some(e.to_string()),
                    missing: false,
                });
                continue;
            }
            Err(e) => return Err(e),
        };
        if !active {
            out.push(Outcome {
                active,
                default: None,
                value: None,
                error: None,
                missing: false,
            });
            continue;
        }
        let mut error = None;
        // Default: RECIPE_<FIELD> from the environment, else the recipe's (computed) default.
        let env_default = ctx.env.get(&field.env_var());
        if env_default.is_none() && given_value.is_none() && waits(default_reads(field), &unknown) {
            unknown.push(&field.name);
            out.push(blocked.clone());
            continue;
        }
        let raw_default = match env_default {
            Some(v) => Some(Value::String(v.clone())),
            None if waits(default_reads(field), &unknown) => None,
            None => match &field.default {
                Some(raw) => match render_default(field, raw, &scope_value, i) {
                    Ok(v) => Some(v),
                    Err(e) if lenient => {
                        error = Some(e.to_string());
                        None
                    }
                    Err(e) => return Err(e),
                },
                None => field.implicit_default(),
            },
        };
        let default = match raw_default.map(|d| field.coerce(&d)) {
            Some(Ok(d)) => Some(d),
            Some(Err(msg)) => {
                error.get_or_insert(format!("the default does not fit: {msg}"));
                None
            }
            None => None,
        };
        let mut missing = false;
        let value = match given_value {
            Some(v) => match field.coerce(v) {
                Ok(v) => Some(v),
                Err(msg) => {
                    error = Some(msg);
                    None
                }
            },
            None => match prompter.as_deref_mut() {
                Some(p) if !field.hidden => Some(p.ask(field, default.as_ref())?),
                _ => {
                    match (&default, field.required) {
                        (Some(d), _) => Some(d.clone()),
                        (None, true) => {
                            missing = true;
                            unknown.push(&field.name);
                            None
                        }
                        // An optional field left empty is still defined for templates.
                        (None, false) => Some(field.empty_value()),
                    }
                }
            },
        };
        if let (Some(v), None) = (&value, &error)
            && let Err(msg) = field.check(v)
        {
            error = Some(msg);
        }
        if let Some(v) = &value {
            set_path(&mut scope, &field.name, v.clone());
        }
        out.push(Outcome {
            active,
            default,
            value,
            error,
            missing,
        });
    }
    Ok(out)
}

fn unknown_keys(fields: &[Field], given: &Value, prefix: &str, out: &mut Vec<String>) {
    let Some(obj) = given.as_object() else { return };
    for (k, v) in obj {
        let name = if prefix.is_empty() {
            k.clone()
        } else {
            format!("{prefix}.{k}")
        };
        if fields.iter().any(|f| f.name == name) {
            continue;
        }
        if v.is_object()
            && fields
                .iter()
                .any(|f| f.name.starts_with(&format!("{name}.")))
        {
            unknown_keys(fields, v, &name, out);
        } else {
            out.push(name);
        }
    }
}

/// Answers the fields from given answers (nested, or flat with dotted keys), defaults and
/// the context, asking through `prompter` when one is given. A recipe error (a default or
/// condition that fails to render) is an `Err`; missing and invalid answers are listed in
/// the resolution.
pub fn resolve_answers(
    fields: &[Field],
    given: &Map<String, Value>,
    ctx: &Context,
    prompter: Option<&mut dyn Prompter>,
) -> Result<Resolution> {
    let given = Value::Object(nest_answers(given));
    let outcomes = walk(fields, &given, ctx, prompter, false)?;
    let mut res = Resolution::default();
    for (field, o) in fields.iter().zip(outcomes) {
        if o.missing {
            res.missing.push(field.name.clone());
        } else if let Some(message) = o.error {
            res.errors.push(FieldError {
                field: field.name.clone(),
                message,
            });
        } else if let (true, Some(v)) = (o.active, o.value) {
            res.answers.insert(field.name.clone(), v);
        }
    }
    unknown_keys(fields, &given, "", &mut res.unknown);
    Ok(res)
}

/// The live state of a form for the answers given so far (flat, by dotted name). Never
/// fails: a recipe error shows on the field it concerns.
pub fn evaluate_form(fields: &[Field], given: &Answers, ctx: &Context) -> FormState {
    let given = Value::Object(nest_answers(given));
    let outcomes = match walk(fields, &given, ctx, None, true) {
        Ok(o) => o,
        Err(e) => {
            // Unreachable in lenient mode, but keep the form usable.
            return FormState {
                fields: fields
                    .iter()
                    .map(|f| FieldState {
                        name: f.name.clone(),
                        active: true,
                        default: None,
                        value: None,
                        error: Some(e.to_string()),
                    })
                    .collect(),
                valid: false,
            };
        }
    };
    let mut valid = true;
    let secret = secret_fields(fields);
    let states = fields
        .iter()
        .zip(outcomes)
        .map(|(f, o)| {
            let hide = secret.contains(&f.name);
            let error = o
                .error
                .or_else(|| o.missing.then(|| "an answer is required".to_string()));
            valid &= !o.active || error.is_none();
            FieldState {
                name: f.name.clone(),
                active: o.active,
                default: if hide { None } else { o.default },
                value: if hide { None } else { o.value },
                error,
            }
        })
        .collect();
    FormState {
        fields: states,
        valid,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Manifest;
    use serde_json::json;
    use std::path::Path;

    fn fields(yaml: &str) -> Vec<Field> {
        Manifest::parse(
            &format!("name: t\nfields:\n{yaml}"),
            Path::new("recipe.yaml"),
        )
        .expect("manifest")
        .fields
    }

    fn ctx() -> Context {
        Context::new(
            Some("Ada Lovelace".into()),
            Some("ada@example.com".into()),
            chrono::NaiveDate::from_ymd_opt(2026, 11, 24).expect("date"),
            [
                ("RECIPE_REPO_OWNER".to_string(), "from-env".to_string()),
                ("PATH".into(), "/bin".into()),
            ],
        )
    }

    fn given(v: Value) -> Map<String, Value> {
        v.as_object().cloned().unwrap_or_default()
    }

    #[test]
    fn computed_defaults_use_earlier_answers_and_context() {
        let f = fields(
            "  - {name: name}\n  - {name: package, default: \"{{ name | replace('-', '_') }}\"}\n  - {name: author, default: '{{ git.user.name }}'}\n  - {name: year, type: integer, default: '{{ date.year }}'}\n  - {name: repo.owner, default: nobody}\n",
        );
        let r =
            resolve_answers(&f, &given(json!({"name": "my-pkg"})), &ctx(), None).expect("resolves");
        assert!(r.missing.is_empty() && r.errors.is_empty(), "{r:?}");
        assert_eq!(r.answers["package"], json!("my_pkg"));
        assert_eq!(r.answers["author"], json!("Ada Lovelace"));
        assert_eq!(r.answers["year"], json!(2026));
        assert_eq!(
            r.answers["repo.owner"],
            json!("from-env"),
            "RECIPE_ env var wins over the default"
        );
    }

    #[test]
    fn defaults_and_conditions_waiting_on_a_missing_answer_report_only_the_missing() {
        let f = fields(
            "  - {name: project_name}\n  - {name: package, default: \"{{ project_name | snake_case }}\"}\n  - {name: module, default: \"{{ package | upper }}\"}\n  - {name: docs, type: boolean, when: \"project_name != 'x'\"}\n  - {name: owner}\n  - {name: repo.url, default: \"{{ owner }}/{{ project_name }}\"}\n  - {name: given_one, default: \"{{ project_name }}\"}\n",
        );
        let r = resolve_answers(&f, &given(json!({"given_one": "mine"})), &ctx(), None)
            .expect("a missing answer is not a recipe error");
        assert_eq!(r.missing, vec!["project_name", "owner"]);
        assert!(r.errors.is_empty(), "{:?}", r.errors);
        assert_eq!(r.answers["given_one"], json!("mine"));
        let e = r.into_answers().unwrap_err();
        assert!(matches!(e, RecipeError::MissingAnswers(_)), "{e}");
        // Once given, everything computes.
        let r = resolve_answers(
            &f,
            &given(json!({"project_name": "My Tool", "owner": "ada"})),
            &ctx(),
            None,
        )
        .expect("resolves");
        assert_eq!(r.answers["package"], json!("my_tool"));
        assert_eq!(r.answers["module"], json!("MY_TOOL"));
        assert_eq!(r.answers["repo.url"], json!("ada/My Tool"));
        assert_eq!(r.answers["docs"], json!(false));
    }

    #[test]
    fn values_computed_from_a_secret_are_secret() {
        let f = fields(
            "  - {name: project_name}\n  - {name: token, type: secret}\n  - {name: auth_header, hidden: true, default: \"Bearer {{ token }}\"}\n  - {name: curl, default: \"curl -H '{{ auth_header }}'\"}\n  - {name: api.key, type: secret}\n  - {name: nested, default: \"{{ api }}\"}\n  - {name: plain, default: \"{{ project_name }}\"}\n",
        );
        let mut got: Vec<String> = secret_fields(&f).into_iter().collect();
        got.sort();
        assert_eq!(got, ["api.key", "auth_header", "curl", "nested", "token"]);
        let state = evaluate_form(
            &f,
            &given(json!({"project_name": "p", "token": "tok-123456", "api.key": "k"})),
            &ctx(),
        );
        for s in &state.fields {
            let shown = serde_json::to_string(&(&s.value, &s.default)).expect("json");
            assert!(!shown.contains("tok-123456"), "{}: {shown}", s.name);
        }
    }

    #[test]
    fn conditions_skip_fields() {
        let f = fields(
            "  - {name: ci, type: boolean}\n  - {name: provider, type: choice, choices: [github, gitlab], when: ci}\n",
        );
        let r = resolve_answers(&f, &Map::new(), &ctx(), None).expect("resolves");
        assert!(r.missing.is_empty());
        assert!(!r.answers.contains_key("provider"));
        let r = resolve_answers(&f, &given(json!({"ci": "yes"})), &ctx(), None).expect("resolves");
        assert_eq!(r.missing, vec!["provider"]);
        let f = fields(
            "  - {name: ci, type: boolean, default: true}\n  - {name: x, when: '{{ ci }}', default: a}\n",
        );
        let r = resolve_answers(&f, &Map::new(), &ctx(), None).expect("resolves");
        assert_eq!(r.answers["x"], json!("a"));
    }

    #[test]
    fn nested_and_flat_given_answers_both_work() {
        let f = fields("  - {name: repo.owner}\n  - {name: repo.name}\n");
        let r = resolve_answers(
            &f,
            &given(json!({"repo": {"name": "n"}, "repo.owner": "o", "extra": 1})),
            &Context::default(),
            None,
        )
        .expect("resolves");
        assert_eq!(r.answers["repo.owner"], json!("o"));
        assert_eq!(r.answers["repo.name"], json!("n"));
        assert_eq!(r.unknown, vec!["extra"]);
    }

    #[test]
    fn lists_every_missing_and_invalid_answer() {
        let f = fields(
            "  - {name: a}\n  - {name: b}\n  - {name: n, type: integer, validation: {max: 3, message: too big}}\n",
        );
        let r = resolve_answers(&f, &given(json!({"n": 5})), &ctx(), None).expect("resolves");
        assert_eq!(r.missing, vec!["a", "b"]);
        assert_eq!(
            r.errors,
            vec![FieldError {
                field: "n".into(),
                message: "too big".into()
            }]
        );
        let e = r.into_answers().unwrap_err().to_string();
        assert!(
            e.contains("too big") && e.contains("a: an answer is required"),
            "{e}"
        );
    }

    #[test]
    fn undefined_variable_in_default_is_an_error() {
        let f = fields("  - {name: a, default: '{{ nme }}'}\n");
        let e = resolve_answers(&f, &Map::new(), &ctx(), None).unwrap_err();
        assert!(
            matches!(&e, RecipeError::UndefinedVariable { variable, .. } if variable == "nme"),
            "{e}"
        );
    }

    #[test]
    fn form_state_is_lenient_and_hides_secrets() {
        let f = fields(
            "  - {name: a, default: '{{ nme }}'}\n  - {name: token, type: secret}\n  - {name: b, when: 'a == \"x\"'}\n",
        );
        let s = evaluate_form(&f, &given(json!({"token": "s3cret"})), &ctx());
        assert!(!s.valid);
        assert!(
            s.fields[0]
                .error
                .as_deref()
                .is_some_and(|e| e.contains("nme"))
        );
        assert_eq!(s.fields[1].value, None);
        assert!(s.fields[1].error.is_none());
    }

    struct Scripted(Vec<&'static str>);
    impl Prompter for Scripted {
        fn ask(&mut self, field: &Field, default: Option<&Value>) -> Result<Value> {
            let text = self.0.remove(0);
            if text.is_empty() {
                return default
                    .cloned()
                    .ok_or_else(|| RecipeError::Prompt("no default".into()));
            }
            field.parse_input(text).map_err(RecipeError::Prompt)
        }
    }

    #[test]
    fn prompter_is_asked_for_visible_fields_only() {
        let f = fields(
            "  - {name: a}\n  - {name: b, hidden: true, default: '{{ a }}!'}\n  - {name: c, default: z}\n",
        );
        let mut p = Scripted(vec!["hello", ""]);
        let r = resolve_answers(&f, &Map::new(), &ctx(), Some(&mut p)).expect("resolves");
        assert_eq!(r.answers["b"], json!("hello!"));
        assert_eq!(r.answers["c"], json!("z"));
        assert!(p.0.is_empty());
    }
}
