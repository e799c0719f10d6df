//! The OpenAPI 3.1 document of the API, served at `/openapi.json`: each call's parameters,
//! bodies and answers, with the JSON Schemas of [`crate::api`]'s types generated from the
//! Rust types (schemars), so that the document cannot drift from what the server does.
use schemars::generate::SchemaSettings;
use schemars::{JsonSchema, SchemaGenerator};
use serde_json::{Map, Value, json};

use crate::api::*;

fn schema<T: JsonSchema>(g: &mut SchemaGenerator) -> Value {
    serde_json::to_value(g.subschema_for::<T>()).unwrap_or(Value::Null)
}

struct Op {
    summary: &'static str,
    description: &'static str,
    params: Vec<Value>,
    body: Option<Value>,
    ok: (&'static str, &'static str, Value),
    errors: &'static [(&'static str, &'static str)],
    secured: bool,
    streams: bool,
}

fn path_param(name: &str, description: &str) -> Value {
    json!({"name": name, "in": "path", "required": true, "description": description, "schema": {"type": "string"}})
}

fn query_param(name: &str, description: &str) -> Value {
    json!({"name": name, "in": "query", "required": false, "description": description, "schema": {"type": "string"}})
}

fn operation(op: Op, error: &Value, stream: &Value) -> Value {
    let mut content = Map::new();
    content.insert("application/json".into(), json!({ "schema": op.ok.2 }));
    if op.streams {
        content.insert(
            "text/event-stream".into(),
            json!({
                "description": "With `Accept: text/event-stream`: `progress` events, then one `result` (the JSON above) or `error` event. Closing the connection cancels the operation.",
                "schema": stream,
            }),
        );
    }
    let mut responses = Map::new();
    responses.insert(
        op.ok.0.into(),
        json!({ "description": op.ok.1, "content": content }),
    );
    for (status, description) in op.errors {
        responses.insert(
            (*status).into(),
            json!({ "description": description, "content": {"application/json": {"schema": error}} }),
        );
    }
    let mut o = json!({
        "summary": op.summary,
        "description": op.description,
        "parameters": op.params,
        "responses": responses,
    });
    if let Some(b) = op.body {
        o["requestBody"] =
            json!({"required": true, "content": {"application/json": {"schema": b}}});
    }
    if op.secured {
        o["security"] = json!([{ "bearer": [] }]);
    }
    o
}

const BAD_BODY: (&str, &str) = (
    "400",
    "The body is not JSON, or not this call's (`bad_request`).",
);
const NO_TOKEN: (&str, &str) = (
    "401",
    "No bearer token, or not the server's (`unauthorized`).",
);
const TOO_LARGE: (&str, &str) = (
    "413",
    "The body is larger than the server takes (`too_large`).",
);
const NOT_FOUND: (&str, &str) = (
    "404",
    "No such recipe or version (`recipe_not_found`, `version_not_found`).",
);
const INVALID: (&str, &str) = (
    "422",
    "Answers missing or invalid (`missing_answers`, `invalid_answers`, `invalid_name`).",
);
const UPSTREAM: (&str, &str) = (
    "502",
    "A registry, git host or plug-in refused or failed (`unauthorized`, `repository`, `plugin`).",
);

/// The document.
pub fn document() -> Value {
    let mut settings = SchemaSettings::draft2020_12();
    settings.definitions_path = "/components/schemas".into();
    settings.meta_schema = None;
    let mut g = settings.into_generator();
    let error = schema::<ErrorBody>(&mut g);
    let stream = schema::<StreamEvent>(&mut g);
    let name = || path_param("name", "The recipe's name.");
    let project = || path_param("name", "The project's folder in the workspace.");
    let backend = || {
        query_param(
            "backend",
            "A configured backend's name (the default one when absent).",
        )
    };
    let version = || query_param("version", "The version (the latest when absent).");

    let mut paths = Map::new();
    let mut add = |path: &str, method: &str, op: Op| {
        let o = operation(op, &error, &stream);
        let entry = paths.entry(path.to_string()).or_insert_with(|| json!({}));
        entry[method] = o;
    };
    add(
        "/health",
        "get",
        Op {
            summary: "Whether the server is up",
            description: "Needs no token.",
            params: vec![],
            body: None,
            ok: ("200", "Up.", schema::<Health>(&mut g)),
            errors: &[],
            secured: false,
            streams: false,
        },
    );
    add(
        "/recipes",
        "get",
        Op {
            summary: "The catalogue",
            description: "Every recipe of the backend, sorted by name.",
            params: vec![backend()],
            body: None,
            ok: ("200", "The recipes.", schema::<Vec<RecipeSummary>>(&mut g)),
            errors: &[("400", "No such backend (`config`)."), UPSTREAM],
            secured: false,
            streams: false,
        },
    );
    add(
        "/recipes/{name}",
        "get",
        Op {
            summary: "A recipe's version, with the JSON Schema of its answers",
            description: "Loads the version (a recipe in an image is pulled).",
            params: vec![name(), version(), backend()],
            body: None,
            ok: ("200", "The recipe.", schema::<RecipeDescription>(&mut g)),
            errors: &[NOT_FOUND, UPSTREAM],
            secured: false,
            streams: false,
        },
    );
    add(
        "/recipes/{name}/versions",
        "get",
        Op {
            summary: "A recipe's versions, newest first",
            description: "Semantic versions by number, then other tags.",
            params: vec![name(), backend()],
            body: None,
            ok: ("200", "The versions.", schema::<Vec<String>>(&mut g)),
            errors: &[NOT_FOUND, UPSTREAM],
            secured: false,
            streams: false,
        },
    );
    add(
        "/recipes/{name}/schema",
        "get",
        Op {
            summary: "The JSON Schema of a recipe's answers",
            description: "Draft 2020-12; `x-nskit` keeps computed defaults, conditions and groups.",
            params: vec![name(), version(), backend()],
            body: None,
            ok: ("200", "The schema.", json!({"type": "object"})),
            errors: &[NOT_FOUND, UPSTREAM],
            secured: false,
            streams: false,
        },
    );
    add(
        "/recipes/{name}/validate",
        "post",
        Op {
            summary: "Checks answers against a recipe's fields",
            description: "Changes nothing, so needs no token.",
            params: vec![name(), backend()],
            body: Some(schema::<ValidateRequest>(&mut g)),
            ok: (
                "200",
                "Whether they are valid, and what is wrong.",
                schema::<Validation>(&mut g),
            ),
            errors: &[BAD_BODY, NOT_FOUND, TOO_LARGE],
            secured: false,
            streams: false,
        },
    );
    add(
        "/projects",
        "get",
        Op {
            summary: "The projects in the workspace",
            description: "Each folder made from a recipe, with its recipe and version.",
            params: vec![],
            body: None,
            ok: (
                "200",
                "The projects.",
                schema::<Vec<ProjectSummary>>(&mut g),
            ),
            errors: &[],
            secured: false,
            streams: false,
        },
    );
    add(
        "/projects",
        "post",
        Op {
            summary: "Creates a project in the workspace",
            description: "Writes the project into its folder (whole, or not at all), commits it, and creates and pushes its repository when asked. One request writes a folder at a time (`409 target_busy`); a folder that is not empty is refused (`409 target_not_empty`).",
            params: vec![],
            body: Some(schema::<CreateRequest>(&mut g)),
            ok: ("201", "Created.", schema::<Created>(&mut g)),
            errors: &[
                BAD_BODY,
                NO_TOKEN,
                NOT_FOUND,
                (
                    "409",
                    "The folder is not empty, or being written (`target_not_empty`, `target_busy`).",
                ),
                TOO_LARGE,
                INVALID,
                UPSTREAM,
            ],
            secured: true,
            streams: true,
        },
    );
    add(
        "/projects/{name}/update/plan",
        "post",
        Op {
            summary: "Plans an update of a project",
            description: "The three-way merge of the recorded version, the new one and the project's files; writes nothing.",
            params: vec![project()],
            body: Some(schema::<UpdateRequest>(&mut g)),
            ok: ("200", "The plan.", schema::<UpdatePlan>(&mut g)),
            errors: &[
                BAD_BODY,
                NO_TOKEN,
                (
                    "404",
                    "No such project, recipe or version (`not_a_project`, `version_not_found`).",
                ),
                ("409", "The project has uncommitted changes (`dirty_tree`)."),
                INVALID,
            ],
            secured: true,
            streams: true,
        },
    );
    add(
        "/projects/{name}/update",
        "post",
        Op {
            summary: "Updates a project",
            description: "Applies the update as one transaction and commits it. Conflicts are refused (nothing written) unless `on_conflict: markers`.",
            params: vec![project()],
            body: Some(schema::<UpdateRequest>(&mut g)),
            ok: ("200", "Applied.", schema::<UpdateApplied>(&mut g)),
            errors: &[
                BAD_BODY,
                NO_TOKEN,
                (
                    "404",
                    "No such project, recipe or version (`not_a_project`, `version_not_found`).",
                ),
                (
                    "409",
                    "Conflicts, uncommitted changes, or another request on the project (`conflicts_left`, `dirty_tree`, `target_busy`).",
                ),
                INVALID,
            ],
            secured: true,
            streams: true,
        },
    );
    let schemas = g.take_definitions(true);
    json!({
        "openapi": "3.1.0",
        "info": {
            "title": "nskit",
            "version": nskit::VERSION,
            "description": "Project recipes as a web API: the catalogue, a recipe's fields as JSON Schema, answers checked, projects created and updated in the server's workspace. Calls that change something need `Authorization: Bearer <token>`. Errors are `{code, message, details}`.",
        },
        "paths": paths,
        "components": {
            "schemas": schemas,
            "securitySchemes": { "bearer": { "type": "http", "scheme": "bearer" } },
        },
    })
}
