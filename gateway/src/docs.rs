//! `/api/schema/` (the OpenAPI 3 documents of all reachable services merged into one, limited to what
//! the route table sends to each), `/api/docs/` (Swagger UI) and `/api/redoc/` (ReDoc), with the UI
//! assets compiled into the binary so nothing is fetched at run time.

use crate::gate::Gateway;
use crate::routing::RouteTable;
use actix_web::http::header::{self, CacheControl, CacheDirective};
use actix_web::http::Method;
use actix_web::{web, HttpResponse};
use bytes::Bytes;
use hm_platform::error::ApiError;
use serde_json::{json, Map, Value};
use std::collections::HashMap;
use std::time::{Duration, Instant};
use tokio::sync::Mutex;

const FETCH_TIMEOUT: Duration = Duration::from_secs(3);
/// A document missing an upstream is kept for a shorter time, so it fills in soon after that upstream
/// starts.
const INCOMPLETE_TTL: Duration = Duration::from_secs(5);

pub struct SchemaCache {
    ttl: Duration,
    http: reqwest::Client,
    cached: Mutex<Option<(Instant, Duration, Bytes)>>,
}

impl SchemaCache {
    pub fn new(ttl: Duration) -> Self {
        SchemaCache {
            ttl,
            http: reqwest::Client::builder()
                .timeout(FETCH_TIMEOUT)
                .build()
                .unwrap_or_default(),
            cached: Mutex::new(None),
        }
    }

    /// The merged document, rebuilt when stale. Concurrent callers wait for one rebuild.
    pub async fn get(&self, table: &RouteTable) -> Bytes {
        let mut cached = self.cached.lock().await;
        if let Some((at, ttl, doc)) = cached.as_ref() {
            if at.elapsed() < *ttl {
                return doc.clone();
            }
        }
        let fetches = table.upstreams.iter().map(|u| {
            let url = format!("{}/openapi.json", u.url);
            let http = &self.http;
            async move {
                let doc = async {
                    http.get(&url)
                        .send()
                        .await?
                        .error_for_status()?
                        .json::<Value>()
                        .await
                }
                .await;
                (u.name.clone(), doc)
            }
        });
        let mut docs = Vec::new();
        let mut missing = Vec::new();
        for (name, doc) in futures_util::future::join_all(fetches).await {
            match doc {
                Ok(doc) => docs.push((name, doc)),
                Err(e) => {
                    tracing::debug!(upstream = %name, error = %e, "no OpenAPI document");
                    missing.push(name);
                }
            }
        }
        let merged = merge(&docs, &missing, |method, path| {
            table
                .resolve(method, path)
                .map(|(_, r)| table.upstream_of(r).name.as_str())
        });
        let doc = Bytes::from(merged.to_string());
        let ttl = if missing.is_empty() {
            self.ttl
        } else {
            INCOMPLETE_TTL.min(self.ttl)
        };
        *cached = Some((Instant::now(), ttl, doc.clone()));
        doc
    }
}

const METHODS: [&str; 8] = [
    "get", "put", "post", "delete", "options", "head", "patch", "trace",
];

/// The gateway's own operations, listed with the services'.
fn gateway_paths() -> Value {
    json!({
        "/api/v1/health/": {"get": {
            "tags": ["health"],
            "operationId": "health",
            "summary": "Gateway health; `?verbose=1` adds the readiness of every upstream",
            "parameters": [{"name": "verbose", "in": "query", "required": false, "schema": {"type": "string"}}],
            "responses": {
                "200": {
                    "description": "`{\"status\":\"ok\"}`; verbose: `degraded` when an upstream is not ready, and each upstream's report",
                    "content": {"application/json": {"schema": {
                        "type": "object",
                        "required": ["status"],
                        "properties": {
                            "status": {"type": "string", "enum": ["ok", "degraded"]},
                            "upstreams": {
                                "type": "object",
                                "additionalProperties": {
                                    "type": "object",
                                    "required": ["status"],
                                    "properties": {
                                        "status": {"type": "string", "enum": ["ok", "not_ready", "unavailable"]},
                                        "latency_ms": {"type": "number", "description": "Milliseconds, to 0.1"},
                                        "checks": {"type": "object", "description": "The upstream's own readiness checks"},
                                        "detail": {"type": "string"}
                                    }
                                }
                            }
                        }
                    }}}
                },
                "400": {"description": "A query parameter that cannot be read (e.g. holding a NUL)"}
            }
        }}
    })
}

/// Merges service documents: paths kept only where `route(method, path)` names that same service,
/// components unioned (a name two services define differently is prefixed with the service's name
/// and its references rewritten), tags unioned.
pub fn merge<'a>(
    docs: &[(String, Value)],
    missing: &[String],
    route: impl Fn(&Method, &str) -> Option<&'a str>,
) -> Value {
    let mut paths = Map::new();
    if let Value::Object(own) = gateway_paths() {
        paths.extend(own);
    }
    let mut components: Map<String, Value> = Map::new();
    let mut tags: Vec<Value> = Vec::new();
    for (service, doc) in docs {
        // 1. Which of this document's component names must change to stay unique.
        let mut renames: HashMap<String, String> = HashMap::new();
        if let Some(Value::Object(sections)) = doc.get("components") {
            for (section, items) in sections {
                let Value::Object(items) = items else {
                    continue;
                };
                for (name, value) in items {
                    let existing = components.get(section).and_then(|s| s.get(name));
                    if existing.is_some_and(|e| e != value) {
                        let renamed = format!("{}{}", capitalised(service), name);
                        renames.insert(
                            format!("#/components/{section}/{name}"),
                            format!("#/components/{section}/{renamed}"),
                        );
                    }
                }
            }
        }
        let mut doc = doc.clone();
        if !renames.is_empty() {
            rewrite_refs(&mut doc, &renames);
        }
        // 2. Components, under their final names.
        if let Some(Value::Object(sections)) = doc.get("components") {
            for (section, items) in sections {
                let Value::Object(items) = items else {
                    continue;
                };
                let target = components
                    .entry(section.clone())
                    .or_insert_with(|| Value::Object(Map::new()));
                let Value::Object(target) = target else {
                    continue;
                };
                for (name, value) in items {
                    let key = format!("#/components/{section}/{name}");
                    let final_name = renames
                        .get(&key)
                        .and_then(|r| r.rsplit('/').next())
                        .unwrap_or(name);
                    target.insert(final_name.to_owned(), value.clone());
                }
            }
        }
        // 3. Operations the gateway routes to this service.
        if let Some(Value::Object(doc_paths)) = doc.get("paths") {
            for (path, item) in doc_paths {
                let Value::Object(item) = item else { continue };
                let (path, item) = plain_template(path, item);
                let (path, item) = (&path, &item);
                let kept: Map<String, Value> = item
                    .iter()
                    .filter(|(key, _)| {
                        !METHODS.contains(&key.as_str())
                            || Method::from_bytes(key.to_ascii_uppercase().as_bytes())
                                .ok()
                                .and_then(|m| route(&m, path))
                                == Some(service.as_str())
                    })
                    .map(|(k, v)| (k.clone(), v.clone()))
                    .collect();
                if kept.keys().any(|k| METHODS.contains(&k.as_str())) {
                    match paths.get_mut(path) {
                        Some(Value::Object(existing)) => existing.extend(kept),
                        _ => {
                            paths.insert(path.clone(), Value::Object(kept));
                        }
                    }
                }
            }
        }
        if let Some(Value::Array(doc_tags)) = doc.get("tags") {
            for tag in doc_tags {
                if !tags.iter().any(|t| t.get("name") == tag.get("name")) {
                    tags.push(tag.clone());
                }
            }
        }
    }
    for item in paths.values_mut() {
        let Value::Object(item) = item else { continue };
        for (method, op) in item.iter_mut() {
            if METHODS.contains(&method.as_str()) {
                add_gateway_responses(op);
            }
        }
    }
    let mut sorted: Vec<(String, Value)> = paths.into_iter().collect();
    sorted.sort_by(|a, b| a.0.cmp(&b.0));
    let mut out = json!({
        "openapi": "3.0.3",
        "info": {
            "title": "HunarMitra API",
            "version": "1.0.0",
            "description": "The HunarMitra platform as mobile clients see it through the gateway. \
                Authenticate with `Authorization: Bearer <access token>` from `/api/v1/auth/verify-otp/`."
        },
        "paths": Value::Object(sorted.into_iter().collect()),
        "components": Value::Object(components),
    });
    if !tags.is_empty() {
        out["tags"] = Value::Array(tags);
    }
    if !missing.is_empty() {
        out["x-unavailable-services"] = json!(missing);
    }
    out
}

/// What the gateway itself may answer on any operation it routes (ARCHITECTURE §6), so a client
/// generated from the document expects it: a bad token, a body over the route's limit, the throttle,
/// and an upstream that fails, is down or is too slow.
const GATEWAY_RESPONSES: [(&str, &str); 5] = [
    ("401", "Missing, invalid or expired credentials"),
    (
        "429",
        "Too many requests; `Retry-After` gives the seconds to wait",
    ),
    ("502", "The service behind the gateway answered badly"),
    ("503", "The service behind the gateway is unavailable"),
    (
        "504",
        "The service behind the gateway did not answer in time",
    ),
];

fn add_gateway_responses(op: &mut Value) {
    let Some(op) = op.as_object_mut() else { return };
    let has_body = op.contains_key("requestBody");
    let responses = op
        .entry("responses")
        .or_insert_with(|| Value::Object(Map::new()));
    let Some(responses) = responses.as_object_mut() else {
        return;
    };
    for (code, description) in GATEWAY_RESPONSES {
        responses
            .entry(code)
            .or_insert_with(|| json!({"description": description}));
    }
    if has_body {
        responses
            .entry("413")
            .or_insert_with(|| json!({"description": "Request body too large"}));
    }
}

/// A path as OpenAPI writes it: actix's `{key:.+}` (a parameter with its pattern) becomes `{key}`,
/// in the path and in the names of its parameters.
fn plain_template(path: &str, item: &Map<String, Value>) -> (String, Map<String, Value>) {
    if !path.contains(':') {
        return (path.to_owned(), item.clone());
    }
    let mut plain = String::with_capacity(path.len());
    let mut renamed = Vec::new();
    let mut rest = path;
    while let Some(open) = rest.find('{') {
        plain.push_str(&rest[..open]);
        let Some(close) = rest[open..].find('}') else {
            // Not a template: the rest as written.
            plain.push_str(&rest[open..]);
            rest = "";
            break;
        };
        let inner = &rest[open + 1..open + close];
        let name = inner.split(':').next().unwrap_or(inner);
        if name != inner {
            renamed.push((inner.to_owned(), name.to_owned()));
        }
        plain.push('{');
        plain.push_str(name);
        plain.push('}');
        rest = &rest[open + close + 1..];
    }
    plain.push_str(rest);
    let mut item = Value::Object(item.clone());
    rename_parameters(&mut item, &renamed);
    match item {
        Value::Object(item) => (plain, item),
        _ => (plain, Map::new()),
    }
}

fn rename_parameters(value: &mut Value, renamed: &[(String, String)]) {
    match value {
        Value::Object(map) => {
            if map.get("in").and_then(Value::as_str) == Some("path") {
                if let Some(Value::String(name)) = map.get_mut("name") {
                    if let Some((_, plain)) = renamed.iter().find(|(from, _)| from == name) {
                        *name = plain.clone();
                    }
                }
            }
            map.values_mut().for_each(|v| rename_parameters(v, renamed));
        }
        Value::Array(items) => items.iter_mut().for_each(|v| rename_parameters(v, renamed)),
        _ => {}
    }
}

fn capitalised(s: &str) -> String {
    let mut chars = s.chars();
    chars
        .next()
        .map(|c| c.to_uppercase().chain(chars).collect())
        .unwrap_or_default()
}

fn rewrite_refs(value: &mut Value, renames: &HashMap<String, String>) {
    match value {
        Value::Object(map) => {
            for (key, v) in map.iter_mut() {
                if key == "$ref" {
                    if let Value::String(target) = v {
                        if let Some(new) = renames.get(target.as_str()) {
                            *target = new.clone();
                        }
                    }
                } else {
                    rewrite_refs(v, renames);
                }
            }
        }
        Value::Array(items) => items.iter_mut().for_each(|v| rewrite_refs(v, renames)),
        _ => {}
    }
}

pub async fn schema(cache: web::Data<SchemaCache>, gateway: web::Data<Gateway>) -> HttpResponse {
    HttpResponse::Ok()
        .content_type("application/json")
        .body(cache.get(&gateway.table).await)
}

const SWAGGER_PAGE: &str = r##"<!DOCTYPE html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <meta name="viewport" content="width=device-width, initial-scale=1">
  <title>HunarMitra API — Swagger UI</title>
  <link rel="stylesheet" href="/api/docs/assets/swagger-ui.css">
  <link rel="icon" type="image/png" href="/api/docs/assets/favicon-32x32.png">
</head>
<body>
  <div id="swagger-ui"></div>
  <script src="/api/docs/assets/swagger-ui-bundle.js"></script>
  <script>
    window.ui = SwaggerUIBundle({
      url: "/api/schema/",
      dom_id: "#swagger-ui",
      deepLinking: true,
      persistAuthorization: true,
      presets: [SwaggerUIBundle.presets.apis],
    });
  </script>
</body>
</html>
"##;

const REDOC_PAGE: &str = r##"<!DOCTYPE html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <meta name="viewport" content="width=device-width, initial-scale=1">
  <title>HunarMitra API — ReDoc</title>
  <style>body { margin: 0; padding: 0; }</style>
</head>
<body>
  <redoc spec-url="/api/schema/"></redoc>
  <script src="/api/redoc/assets/redoc.standalone.js"></script>
</body>
</html>
"##;

pub async fn swagger_ui() -> HttpResponse {
    HttpResponse::Ok()
        .content_type("text/html; charset=utf-8")
        .body(SWAGGER_PAGE)
}

pub async fn redoc() -> HttpResponse {
    HttpResponse::Ok()
        .content_type("text/html; charset=utf-8")
        .body(REDOC_PAGE)
}

/// The bundled files: (name, content type, bytes). Versions: swagger-ui-dist 5.35.0, redoc 2.5.4,
/// from the npm registry (their licences are next to them in gateway/assets/).
const ASSETS: [(&str, &str, &[u8]); 4] = [
    (
        "swagger-ui-bundle.js",
        "application/javascript; charset=utf-8",
        include_bytes!("../assets/swagger-ui/swagger-ui-bundle.js"),
    ),
    (
        "swagger-ui.css",
        "text/css; charset=utf-8",
        include_bytes!("../assets/swagger-ui/swagger-ui.css"),
    ),
    (
        "favicon-32x32.png",
        "image/png",
        include_bytes!("../assets/swagger-ui/favicon-32x32.png"),
    ),
    (
        "redoc.standalone.js",
        "application/javascript; charset=utf-8",
        include_bytes!("../assets/redoc/redoc.standalone.js"),
    ),
];

pub async fn asset(file: web::Path<String>) -> Result<HttpResponse, ApiError> {
    let (_, content_type, bytes) = ASSETS
        .iter()
        .find(|(name, _, _)| *name == file.as_str())
        .ok_or_else(ApiError::not_found)?;
    Ok(HttpResponse::Ok()
        .content_type(*content_type)
        .insert_header(CacheControl(vec![
            CacheDirective::Public,
            CacheDirective::MaxAge(86_400),
        ]))
        .insert_header((header::X_CONTENT_TYPE_OPTIONS, "nosniff"))
        .body(*bytes))
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn merge_keeps_routed_operations_and_renames_clashing_components() {
        let identity = json!({
            "openapi": "3.0.0",
            "paths": {
                "/api/v1/auth/me/": {"get": {"responses": {"200": {"content": {"application/json":
                    {"schema": {"$ref": "#/components/schemas/User"}}}}}}},
                "/.internal/": {"get": {}}
            },
            "components": {"schemas": {"User": {"type": "object", "properties": {"phone": {}}},
                                        "Shared": {"type": "string"}}},
            "tags": [{"name": "auth"}]
        });
        let jobs = json!({
            "paths": {"/api/v1/jobs/": {"get": {"responses": {"200": {"content": {"application/json":
                {"schema": {"$ref": "#/components/schemas/User"}}}}}}}},
            "components": {"schemas": {"User": {"type": "object", "properties": {"name": {}}},
                                        "Shared": {"type": "string"}}},
            "tags": [{"name": "auth"}, {"name": "jobs"}]
        });
        let route = |_: &Method, path: &str| -> Option<&'static str> {
            if path.starts_with("/api/v1/auth/") {
                Some("identity")
            } else if path.starts_with("/api/v1/jobs/") {
                Some("jobs")
            } else {
                None
            }
        };
        let merged = merge(
            &[("identity".into(), identity), ("jobs".into(), jobs)],
            &["catalog".into()],
            route,
        );
        let paths = merged["paths"].as_object().unwrap();
        assert!(paths.contains_key("/api/v1/auth/me/"));
        assert!(paths.contains_key("/api/v1/jobs/"));
        assert!(paths.contains_key("/api/v1/health/"));
        assert!(
            !paths.contains_key("/.internal/"),
            "unrouted paths are not published"
        );
        let schemas = merged["components"]["schemas"].as_object().unwrap();
        assert_eq!(schemas["User"]["properties"]["phone"], json!({}));
        assert_eq!(schemas["JobsUser"]["properties"]["name"], json!({}));
        assert_eq!(schemas.len(), 3, "identical components are kept once");
        assert_eq!(
            merged["paths"]["/api/v1/jobs/"]["get"]["responses"]["200"]["content"]
                ["application/json"]["schema"]["$ref"],
            "#/components/schemas/JobsUser"
        );
        assert_eq!(merged["tags"].as_array().unwrap().len(), 2);
        assert_eq!(merged["info"]["title"], "HunarMitra API");
        assert_eq!(merged["x-unavailable-services"], json!(["catalog"]));
        let documented = merged["paths"]["/api/v1/auth/me/"]["get"]["responses"]
            .as_object()
            .unwrap();
        for code in ["200", "401", "429", "502", "503", "504"] {
            assert!(documented.contains_key(code), "{code}");
        }
    }

    #[test]
    fn path_parameters_lose_their_actix_patterns() {
        let catalog = json!({"paths": {"/media/{key:.+}": {"get": {
            "parameters": [{"in": "path", "name": "key:.+", "required": true}],
            "responses": {"200": {"description": "OK"}}
        }}}});
        let merged = merge(&[("catalog".into(), catalog)], &[], |_, _| Some("catalog"));
        let op = &merged["paths"]["/media/{key}"]["get"];
        assert_eq!(op["parameters"][0]["name"], "key");
        assert!(merged["paths"].get("/media/{key:.+}").is_none());
    }
}
