//! The API's reference page (`/api`), rendered on the server from the same OpenAPI document the
//! API serves at `/api/v1/openapi.json` (handed over in `AppState::api_document`, so the pages
//! do not reach into `api`): readable without JavaScript or a CDN.

use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::get;
use serde_json::Value;

use super::page::{Chrome, Ctx, render};
use crate::state::AppState;

pub fn router() -> super::Router {
    super::Router::new().route("/api", get(page))
}

#[derive(Clone)]
struct Operation {
    anchor: String,
    method: String,
    path: String,
    summary: String,
    description: String,
    params: Vec<Field>,
    body: String,
    responses: Vec<(String, String, String)>,
}

#[derive(Clone)]
struct Field {
    name: String,
    place: String,
    kind: String,
    required: bool,
    description: String,
}

#[derive(Clone)]
struct Schema {
    name: String,
    description: String,
    fields: Vec<Field>,
}

#[derive(Template)]
#[template(path = "pages/api.html")]
struct ApiPage {
    chrome: Chrome,
    description: String,
    operations: Vec<Operation>,
    schemas: Vec<Schema>,
}

fn text(v: &Value, key: &str) -> String {
    v.get(key)
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_string()
}

/// A schema's type in a few words: `string`, `CaseSummary`, `array of Account`, `string or null`.
fn kind(v: &Value) -> String {
    if let Some(r) = v.get("$ref").and_then(Value::as_str) {
        return r.rsplit('/').next().unwrap_or(r).to_string();
    }
    if let Some(one) = v
        .get("oneOf")
        .or_else(|| v.get("anyOf"))
        .and_then(Value::as_array)
    {
        return one.iter().map(kind).collect::<Vec<_>>().join(" or ");
    }
    if let Some(values) = v.get("enum").and_then(Value::as_array) {
        let names: Vec<String> = values
            .iter()
            .filter_map(|x| x.as_str().map(str::to_string))
            .collect();
        return format!("one of {}", names.join(", "));
    }
    let base = match v.get("type") {
        Some(Value::String(t)) => t.clone(),
        Some(Value::Array(ts)) => ts
            .iter()
            .filter_map(Value::as_str)
            .collect::<Vec<_>>()
            .join(" or "),
        _ => String::new(),
    };
    let base = match v.get("format").and_then(Value::as_str) {
        Some(f) => format!("{base} ({f})"),
        None => base,
    };
    match v.get("items") {
        Some(items) => format!("array of {}", kind(items)),
        None if base.is_empty() => "any".into(),
        None => base,
    }
}

fn document(doc: &Value) -> (String, Vec<Operation>, Vec<Schema>) {
    let description = text(&doc["info"], "description");
    let mut operations = Vec::new();
    if let Some(paths) = doc["paths"].as_object() {
        for (path, item) in paths {
            let Some(methods) = item.as_object() else {
                continue;
            };
            for (method, op) in methods {
                let params = op["parameters"]
                    .as_array()
                    .map(|ps| {
                        ps.iter()
                            .map(|p| Field {
                                name: text(p, "name"),
                                place: text(p, "in"),
                                kind: kind(&p["schema"]),
                                required: p["required"].as_bool().unwrap_or(false),
                                description: text(p, "description"),
                            })
                            .collect()
                    })
                    .unwrap_or_default();
                let body = op["requestBody"]["content"]
                    .as_object()
                    .and_then(|c| c.values().next())
                    .map(|c| kind(&c["schema"]))
                    .unwrap_or_default();
                let responses = op["responses"]
                    .as_object()
                    .map(|rs| {
                        rs.iter()
                            .map(|(status, r)| {
                                let schema = r["content"]
                                    .as_object()
                                    .and_then(|c| c.values().next())
                                    .map(|c| kind(&c["schema"]))
                                    .unwrap_or_default();
                                (status.clone(), text(r, "description"), schema)
                            })
                            .collect()
                    })
                    .unwrap_or_default();
                operations.push(Operation {
                    anchor: text(op, "operationId"),
                    method: method.to_uppercase(),
                    path: path.clone(),
                    summary: text(op, "summary"),
                    description: text(op, "description"),
                    params,
                    body,
                    responses,
                });
            }
        }
    }
    let mut schemas = Vec::new();
    if let Some(all) = doc["components"]["schemas"].as_object() {
        for (name, s) in all {
            let required: Vec<&str> = s["required"]
                .as_array()
                .map(|r| r.iter().filter_map(Value::as_str).collect())
                .unwrap_or_default();
            let fields = s["properties"]
                .as_object()
                .map(|props| {
                    props
                        .iter()
                        .map(|(field, p)| Field {
                            name: field.clone(),
                            place: String::new(),
                            kind: kind(p),
                            required: required.contains(&field.as_str()),
                            description: text(p, "description"),
                        })
                        .collect()
                })
                .unwrap_or_default();
            schemas.push(Schema {
                name: name.clone(),
                description: if s.get("enum").is_some() {
                    kind(s)
                } else {
                    text(s, "description")
                },
                fields,
            });
        }
    }
    (description, operations, schemas)
}

async fn page(State(state): State<AppState>, ctx: Ctx) -> Response {
    // The document never changes while the process runs: read it once.
    static DOCUMENT: std::sync::OnceLock<(String, Vec<Operation>, Vec<Schema>)> =
        std::sync::OnceLock::new();
    let (description, operations, schemas) = DOCUMENT
        .get_or_init(|| document(&state.api_document))
        .clone();
    render(
        StatusCode::OK,
        &ApiPage {
            chrome: ctx.chrome("API"),
            description,
            operations,
            schemas,
        },
    )
}
