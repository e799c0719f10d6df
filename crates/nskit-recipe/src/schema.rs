use serde_json::{Map, Value, json};

use crate::field::{Condition, FieldType};
use crate::manifest::Manifest;

/// Exports a recipe's fields as a JSON Schema (draft 2020-12) object: dotted names become
/// nested objects; computed defaults, conditions, groups and order are kept under
/// `x-nskit` so that forms can be built from the schema alone.
pub fn fields_json_schema(manifest: &Manifest) -> Value {
    let mut root = object_schema();
    root.insert(
        "$schema".into(),
        json!("https://json-schema.org/draft/2020-12/schema"),
    );
    root.insert("title".into(), json!(manifest.name));
    if !manifest.description.is_empty() {
        root.insert("description".into(), json!(manifest.description));
    }
    for (order, field) in manifest.fields.iter().enumerate() {
        let mut s = Map::new();
        let (ty, extra): (&str, Option<(&str, Value)>) = match field.kind {
            FieldType::String => ("string", None),
            FieldType::Secret => ("string", Some(("writeOnly", json!(true)))),
            FieldType::Path => ("string", Some(("format", json!("path")))),
            FieldType::Integer => ("integer", None),
            FieldType::Number => ("number", None),
            FieldType::Boolean => ("boolean", None),
            FieldType::Choice => ("choice", None),
            FieldType::Multichoice => ("array", Some(("uniqueItems", json!(true)))),
        };
        let one_of: Vec<Value> = field
            .choices
            .iter()
            .map(|c| json!({"const": c.value, "title": c.label}))
            .collect();
        match field.kind {
            FieldType::Choice => {
                s.insert("oneOf".into(), Value::Array(one_of));
            }
            FieldType::Multichoice => {
                s.insert("type".into(), json!("array"));
                s.insert("items".into(), json!({ "oneOf": one_of }));
            }
            _ => {
                s.insert("type".into(), json!(ty));
            }
        }
        if let Some((k, v)) = extra {
            s.insert(k.into(), v);
        }
        s.insert("title".into(), json!(field.label()));
        if let Some(help) = &field.help {
            s.insert("description".into(), json!(help));
        }
        let mut x = Map::new();
        x.insert("order".into(), json!(order));
        x.insert("type".into(), json!(field.kind.as_str()));
        x.insert("env".into(), json!(field.env_var()));
        match &field.default {
            Some(Value::String(d)) if crate::answers::is_template(d) => {
                x.insert("defaultExpression".into(), json!(d));
            }
            Some(d) => {
                s.insert("default".into(), d.clone());
            }
            None => {
                if let Some(d) = field.implicit_default() {
                    s.insert("default".into(), d);
                }
            }
        }
        if let Some(v) = &field.validation {
            if let Some(p) = &v.pattern {
                s.insert("pattern".into(), json!(format!("^(?:{p})$")));
            }
            let (min_len, max_len) = if field.kind == FieldType::Multichoice {
                ("minItems", "maxItems")
            } else {
                ("minLength", "maxLength")
            };
            if let Some(n) = v.min_length {
                s.insert(min_len.into(), json!(n));
            }
            if let Some(n) = v.max_length {
                s.insert(max_len.into(), json!(n));
            }
            if let Some(n) = v.min {
                s.insert("minimum".into(), json!(n));
            }
            if let Some(n) = v.max {
                s.insert("maximum".into(), json!(n));
            }
            if let Some(m) = &v.message {
                x.insert("message".into(), json!(m));
            }
        }
        match &field.when {
            Some(Condition::Expr(e)) => {
                x.insert("when".into(), json!(e));
            }
            Some(Condition::Bool(b)) => {
                x.insert("when".into(), json!(b));
            }
            None => {}
        }
        if let Some(g) = &field.group {
            x.insert("group".into(), json!(g));
        }
        if field.hidden {
            x.insert("hidden".into(), json!(true));
        }
        s.insert("x-nskit".into(), Value::Object(x));

        // Place it in the nested object for its dotted name.
        let parts: Vec<&str> = field.name.split('.').collect();
        let mut cur = &mut root;
        for part in &parts[..parts.len() - 1] {
            let props = cur.entry("properties").or_insert_with(|| json!({}));
            let child = props
                .as_object_mut()
                .expect("properties is an object")
                .entry(part.to_string())
                .or_insert_with(|| Value::Object(object_schema()));
            cur = child.as_object_mut().expect("nested schema is an object");
        }
        let leaf = parts[parts.len() - 1];
        let always = field.required
            && field.when.is_none()
            && field.default.is_none()
            && field.implicit_default().is_none();
        if always {
            cur.entry("required")
                .or_insert_with(|| json!([]))
                .as_array_mut()
                .expect("required is an array")
                .push(json!(leaf));
        }
        cur.entry("properties")
            .or_insert_with(|| json!({}))
            .as_object_mut()
            .expect("properties is an object")
            .insert(leaf.to_string(), Value::Object(s));
    }
    Value::Object(root)
}

fn object_schema() -> Map<String, Value> {
    let mut m = Map::new();
    m.insert("type".into(), json!("object"));
    m.insert("properties".into(), json!({}));
    m
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::Path;

    #[test]
    fn nested_schema_with_extensions() {
        let m = Manifest::parse(
            "name: t\nfields:\n  - {name: repo.owner, validation: {pattern: '[a-z]+'}}\n  - {name: n, type: integer, default: 3, validation: {min: 1}}\n  - {name: lic, type: choice, choices: [MIT, {value: Apache-2.0, label: Apache}], when: 'n > 1'}\n  - {name: d, default: '{{ repo.owner }}'}\n",
            Path::new("recipe.yaml"),
        )
        .expect("manifest");
        let s = fields_json_schema(&m);
        assert_eq!(
            s["properties"]["repo"]["properties"]["owner"]["pattern"],
            json!("^(?:[a-z]+)$")
        );
        assert_eq!(s["properties"]["repo"]["required"], json!(["owner"]));
        assert_eq!(s["properties"]["n"]["default"], json!(3));
        assert_eq!(s["properties"]["n"]["minimum"], json!(1.0));
        assert_eq!(
            s["properties"]["lic"]["oneOf"][1],
            json!({"const": "Apache-2.0", "title": "Apache"})
        );
        assert_eq!(s["properties"]["lic"]["x-nskit"]["when"], json!("n > 1"));
        assert_eq!(
            s["properties"]["d"]["x-nskit"]["defaultExpression"],
            json!("{{ repo.owner }}")
        );
        assert!(
            s.get("required").is_none(),
            "fields with defaults or conditions are not always required"
        );
    }
}
