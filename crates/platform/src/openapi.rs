//! The OpenAPI 3 document a service serves at `/openapi.json` (ARCHITECTURE §4, issue #17): paperclip's
//! document of the typed handlers, finished with what paperclip cannot say, so that a client generated
//! from it and the fuzzer's `response_schema_conformance` read the bodies the service really sends.
//!
//! - An optional field of a response body is `nullable`: serde writes `None` as `null`, and paperclip
//!   only leaves it out of `required` (OpenAPI 3.0 has no null type, so a `$ref` is wrapped in `allOf`).
//!
//! Keys are sorted (serde_json's map), so the checked-in copies in `proto-docs/openapi/` diff line by line.

use serde_json::{json, Map, Value};
use std::collections::BTreeSet;

/// The finished document of a service, as served at `/openapi.json`.
#[derive(Debug, Clone)]
pub struct Document(pub actix_web::web::Bytes);

/// `GET /openapi.json`: the service's finished OpenAPI 3 document.
pub async fn serve(doc: actix_web::web::Data<Document>) -> actix_web::HttpResponse {
    actix_web::HttpResponse::Ok()
        .content_type("application/json")
        .body(doc.0.clone())
}

const SCHEMA_PREFIX: &str = "#/components/schemas/";

/// Finishes paperclip's OpenAPI 3 document `doc` (as JSON) as described in the module documentation.
pub fn finish(mut doc: Value) -> Value {
    let reachable = response_schemas(&doc);
    if let Some(schemas) = doc
        .pointer_mut("/components/schemas")
        .and_then(Value::as_object_mut)
    {
        for (name, schema) in schemas.iter_mut() {
            if reachable.contains(name) {
                null_when_optional(schema);
            }
        }
    }
    if let Some(paths) = doc.get_mut("paths").and_then(Value::as_object_mut) {
        for item in paths.values_mut() {
            for response in responses_mut(item) {
                if let Some(schema) = response.pointer_mut("/content/application~1json/schema") {
                    null_when_optional(schema);
                }
            }
        }
    }
    doc
}

/// The response objects of every operation of a path item.
fn responses_mut(item: &mut Value) -> impl Iterator<Item = &mut Value> {
    item.as_object_mut()
        .into_iter()
        .flat_map(|ops| ops.values_mut())
        .filter_map(|op| op.get_mut("responses").and_then(Value::as_object_mut))
        .flat_map(|responses| responses.values_mut())
}

/// Names of the component schemas a response body can contain, directly or through other schemas.
fn response_schemas(doc: &Value) -> BTreeSet<String> {
    let mut pending: Vec<String> = Vec::new();
    if let Some(paths) = doc.get("paths").and_then(Value::as_object) {
        for item in paths.values() {
            for op in item.as_object().into_iter().flat_map(|ops| ops.values()) {
                for response in op
                    .get("responses")
                    .and_then(Value::as_object)
                    .into_iter()
                    .flat_map(|r| r.values())
                {
                    references(response, &mut pending);
                }
            }
        }
    }
    let schemas = doc.pointer("/components/schemas");
    let mut seen = BTreeSet::new();
    while let Some(name) = pending.pop() {
        if seen.insert(name.clone()) {
            if let Some(schema) = schemas.and_then(|s| s.get(&name)) {
                references(schema, &mut pending);
            }
        }
    }
    seen
}

/// Appends the component names `value` refers to, at any depth.
fn references(value: &Value, into: &mut Vec<String>) {
    match value {
        Value::Object(map) => {
            if let Some(name) = map
                .get("$ref")
                .and_then(Value::as_str)
                .and_then(|r| r.strip_prefix(SCHEMA_PREFIX))
            {
                into.push(name.to_owned());
            }
            map.values().for_each(|v| references(v, into));
        }
        Value::Array(items) => items.iter().for_each(|v| references(v, into)),
        _ => {}
    }
}

/// Marks every property of `schema` (and of the object schemas inside it) that is not `required` as
/// nullable.
fn null_when_optional(schema: &mut Value) {
    let Some(map) = schema.as_object_mut() else {
        return;
    };
    let required: BTreeSet<String> = map
        .get("required")
        .and_then(Value::as_array)
        .map(|r| {
            r.iter()
                .filter_map(Value::as_str)
                .map(str::to_owned)
                .collect()
        })
        .unwrap_or_default();
    if let Some(properties) = map.get_mut("properties").and_then(Value::as_object_mut) {
        for (name, property) in properties.iter_mut() {
            null_when_optional(property);
            if !required.contains(name) {
                make_nullable(property);
            }
        }
    }
    for nested in ["items", "additionalProperties"] {
        if let Some(inner) = map.get_mut(nested) {
            null_when_optional(inner);
        }
    }
}

fn make_nullable(property: &mut Value) {
    let Some(map) = property.as_object_mut() else {
        return;
    };
    if let Some(reference) = map.remove("$ref") {
        // OpenAPI 3.0 ignores the siblings of a `$ref`: the reference goes inside `allOf`.
        let mut wrapped = Map::new();
        wrapped.insert("allOf".into(), json!([{ "$ref": reference }]));
        wrapped.insert("nullable".into(), Value::Bool(true));
        if let Some(description) = map.remove("description") {
            wrapped.insert("description".into(), description);
        }
        *map = wrapped;
    } else {
        map.insert("nullable".into(), Value::Bool(true));
    }
}

/// What a document leaves undocumented, one line per operation (`POST /api/v1/x/: …`): a 2xx
/// response without a schema (a 204/205 needs none; a `text/*` or binary body is documented by its
/// content type) and a write (POST, PUT, PATCH) whose request body is neither documented nor declared
/// absent in `bodiless` (actions on the resource named by the path: `POST /api/v1/auth/logout/`).
pub fn undocumented(doc: &Value, bodiless: &[&str]) -> Vec<String> {
    let mut gaps = Vec::new();
    let Some(paths) = doc.get("paths").and_then(Value::as_object) else {
        return vec!["the document has no paths".into()];
    };
    for (path, item) in paths {
        for (method, op) in item.as_object().into_iter().flatten() {
            let name = format!("{} {path}", method.to_uppercase());
            let responses = op.get("responses").and_then(Value::as_object);
            let successes: Vec<(&String, &Value)> = responses
                .into_iter()
                .flatten()
                .filter(|(code, _)| code.starts_with('2'))
                .collect();
            if successes.is_empty() {
                gaps.push(format!("{name}: no 2xx response"));
            }
            for (code, response) in successes {
                let bodiless_status = code == "204" || code == "205";
                let typed = response
                    .get("content")
                    .and_then(Value::as_object)
                    .is_some_and(|content| {
                        content.iter().any(|(media, body)| {
                            !media.ends_with("json") || body.get("schema").is_some()
                        })
                    });
                if !bodiless_status && !typed {
                    gaps.push(format!("{name}: {code} has no schema"));
                }
            }
            let writes = matches!(method.as_str(), "post" | "put" | "patch");
            if writes && op.get("requestBody").is_none() && !bodiless.contains(&name.as_str()) {
                gaps.push(format!("{name}: no request body"));
            }
        }
    }
    gaps
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn optional_response_fields_are_nullable_and_requests_untouched() {
        let doc = json!({
            "paths": {"/a/": {"post": {
                "requestBody": {"content": {"application/json": {"schema": {"$ref": "#/components/schemas/In"}}}},
                "responses": {"200": {"content": {"application/json": {"schema": {"$ref": "#/components/schemas/Out"}}}}}
            }}},
            "components": {"schemas": {
                "In": {"type": "object", "properties": {"note": {"type": "string"}}},
                "Out": {"type": "object", "required": ["id"], "properties": {
                    "id": {"type": "string"},
                    "phone": {"type": "string"},
                    "owner": {"$ref": "#/components/schemas/Owner", "description": "who"},
                    "tags": {"type": "array", "items": {"$ref": "#/components/schemas/Owner"}}
                }},
                "Owner": {"type": "object", "properties": {"name": {"type": "string"}}}
            }}
        });
        let doc = finish(doc);
        let out = &doc["components"]["schemas"]["Out"]["properties"];
        assert_eq!(out["id"].get("nullable"), None);
        assert_eq!(out["phone"]["nullable"], true);
        assert_eq!(
            out["owner"],
            json!({"allOf": [{"$ref": "#/components/schemas/Owner"}], "nullable": true, "description": "who"})
        );
        assert_eq!(
            doc["components"]["schemas"]["Owner"]["properties"]["name"]["nullable"],
            true
        );
        assert_eq!(
            doc["components"]["schemas"]["In"]["properties"]["note"].get("nullable"),
            None
        );
    }
}
