//! HTTP conventions shared by all services (ARCHITECTURE §4, issue #15): paths answer with and without
//! the trailing slash, `HEAD` answers as the `GET` of the same path without its body, a path holding an
//! encoded NUL names nothing, a 405 says which methods the path has (`Allow`), unknown routes are a
//! JSON 404, every framework error (404, 405, 413, 415) is JSON, bodies are capped.

use crate::error::ApiError;
use actix_web::body::{BoxBody, EitherBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::header::{self, HeaderValue};
use actix_web::http::{Method, StatusCode, Uri};
use actix_web::middleware::ErrorHandlerResponse;
use actix_web::middleware::Next;
use actix_web::{Error, HttpMessage, HttpRequest, HttpResponse, ResponseError};
use serde_json::json;
use serde_json::Value;
use std::collections::HashMap;

/// Applied to every request before routing:
/// - `HEAD` is routed as `GET` (the HTTP/1 codec remembers the request was `HEAD` and sends the
///   headers, `Content-Length` included, without the body);
/// - a path with `%00` is a 404 (a NUL can name no resource, and would reach the database as text);
/// - `/api/v1/auth/request-otp` is served as `/api/v1/auth/request-otp/` without a redirect (API §1.1);
///   paths whose last segment names a file (`/openapi.json`) are left alone.
pub async fn conventions(
    mut req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<impl MessageBody>, Error> {
    if has_encoded_nul(req.path()) {
        let response = ApiError::not_found().error_response();
        return Ok(req.into_response(response).map_into_right_body());
    }
    if req.method() == Method::HEAD {
        req.extensions_mut().insert(SentAsHead);
        req.head_mut().method = Method::GET;
    }
    let path = req.path();
    let last = path.rsplit('/').next().unwrap_or("");
    if !path.ends_with('/') && !last.contains('.') {
        let mut target = format!("{path}/");
        if let Some(query) = req.uri().query() {
            target.push('?');
            target.push_str(query);
        }
        if let Ok(uri) = target.parse::<Uri>() {
            req.match_info_mut().get_mut().update(&uri);
            req.head_mut().uri = uri;
        }
    }
    Ok(next.call(req).await?.map_into_left_body())
}

/// The client's address: the first `X-Forwarded-For` entry (the gateway sends only the one address it
/// vouches for: ARCHITECTURE §6), else the peer's. An entry that is not an IP address (with or without
/// a port) is ignored for the peer's.
pub fn client_ip(req: &HttpRequest) -> Option<std::net::IpAddr> {
    let parse = |raw: &str| {
        let raw = raw.trim();
        raw.parse::<std::net::IpAddr>()
            .ok()
            .or_else(|| raw.parse::<std::net::SocketAddr>().ok().map(|s| s.ip()))
    };
    req.connection_info()
        .realip_remote_addr()
        .and_then(parse)
        .or_else(|| req.peer_addr().map(|a| a.ip()))
}

/// The `User-Agent` header, at most `max` characters (bytes that are not UTF-8 replaced); `""` when absent.
pub fn user_agent(req: &HttpRequest, max: usize) -> String {
    req.headers()
        .get(header::USER_AGENT)
        .map(|v| {
            String::from_utf8_lossy(v.as_bytes())
                .chars()
                .take(max)
                .collect()
        })
        .unwrap_or_default()
}

/// Marks a request that was sent as `HEAD` and is routed as `GET`.
#[derive(Debug, Clone, Copy)]
pub struct SentAsHead;

/// The method the client sent (`HEAD` for one routed as `GET`).
pub fn sent_method(req: &HttpRequest) -> Method {
    if req.extensions().get::<SentAsHead>().is_some() {
        Method::HEAD
    } else {
        req.method().clone()
    }
}

/// Whether a raw (still percent-encoded) path holds `%00`.
pub fn has_encoded_nul(path: &str) -> bool {
    path.as_bytes()
        .windows(3)
        .any(|w| w[0] == b'%' && w[1] == b'0' && w[2] == b'0')
}

/// The default service: `{"detail":"Not found."}`.
pub async fn not_found(_: HttpRequest) -> HttpResponse {
    ApiError::not_found().error_response()
}

/// The methods of each route pattern, read from the service's own OpenAPI document once at start-up,
/// so a 405 can carry `Allow` (RFC 9110 §15.5.6) without a second list of routes to keep in step.
#[derive(Debug, Default, Clone)]
pub struct AllowedMethods(HashMap<String, String>);

impl AllowedMethods {
    /// From an OpenAPI (v2 or v3) document: `paths.<pattern>.<method>`. `GET` implies `HEAD`.
    pub fn from_spec(spec: &Value) -> Self {
        let mut map = HashMap::new();
        if let Some(paths) = spec.get("paths").and_then(Value::as_object) {
            for (pattern, item) in paths {
                let Some(item) = item.as_object() else {
                    continue;
                };
                let mut methods: Vec<&str> = ["GET", "POST", "PUT", "PATCH", "DELETE"]
                    .into_iter()
                    .filter(|m| item.contains_key(&m.to_ascii_lowercase()))
                    .collect();
                if methods.contains(&"GET") {
                    methods.push("HEAD");
                }
                map.insert(pattern.clone(), methods.join(", "));
            }
        }
        AllowedMethods(map)
    }

    /// Adds a route the OpenAPI document does not list (probes, metrics).
    pub fn insert(&mut self, pattern: &str, allow: &str) {
        self.0.insert(pattern.to_owned(), allow.to_owned());
    }

    /// `Allow` for the route pattern `pattern` (as actix names it: `/api/v1/workers/{id}/`).
    pub fn for_pattern(&self, pattern: &str) -> Option<&str> {
        self.0.get(pattern).map(String::as_str)
    }
}

/// Rewrites framework errors that carry no JSON body (unknown route, wrong method, oversize body…) into
/// shape D, so every error a client sees is JSON.
pub fn json_error_handler<B: MessageBody + 'static>(
    res: ServiceResponse<B>,
) -> actix_web::Result<ErrorHandlerResponse<B>> {
    let is_json = res
        .response()
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/json"));
    if is_json {
        return Ok(ErrorHandlerResponse::Response(res.map_into_left_body()));
    }
    let status = res.status();
    if status == StatusCode::RESET_CONTENT || (status == StatusCode::BAD_REQUEST && is_empty(&res))
    {
        // Deliberately empty bodies (logout) stay empty.
        return Ok(ErrorHandlerResponse::Response(res.map_into_left_body()));
    }
    let detail = match status {
        StatusCode::NOT_FOUND => "Not found.".to_owned(),
        StatusCode::METHOD_NOT_ALLOWED => {
            format!("Method \"{}\" not allowed.", sent_method(res.request()))
        }
        StatusCode::PAYLOAD_TOO_LARGE => "Request body is too large.".to_owned(),
        StatusCode::UNSUPPORTED_MEDIA_TYPE => {
            let ct = res
                .request()
                .headers()
                .get(header::CONTENT_TYPE)
                .and_then(|v| v.to_str().ok())
                .unwrap_or("");
            format!("Unsupported media type \"{ct}\" in request.")
        }
        StatusCode::INTERNAL_SERVER_ERROR => "Internal server error.".to_owned(),
        other => other.canonical_reason().unwrap_or("Error").to_owned() + ".",
    };
    let allow = (status == StatusCode::METHOD_NOT_ALLOWED)
        .then(|| allowed_methods(res.request()))
        .flatten();
    let (req, old) = res.into_parts();
    let mut new = HttpResponse::build(status);
    for (name, value) in old.headers() {
        if name != header::CONTENT_TYPE && name != header::CONTENT_LENGTH {
            new.insert_header((name.clone(), value.clone()));
        }
    }
    if let Some(allow) = allow {
        new.insert_header((header::ALLOW, allow));
    }
    let response = new.json(json!({ "detail": detail })).map_into_boxed_body();
    Ok(ErrorHandlerResponse::Response(
        ServiceResponse::new(req, response).map_into_right_body(),
    ))
}

/// `Allow` for the route a 405 matched, from the service's [`crate::http::AllowedMethods`].
fn allowed_methods(req: &actix_web::HttpRequest) -> Option<HeaderValue> {
    let allowed = req.app_data::<actix_web::web::Data<AllowedMethods>>()?;
    let pattern = req.match_pattern()?;
    HeaderValue::from_str(allowed.for_pattern(&pattern)?).ok()
}

fn is_empty<B: MessageBody>(res: &ServiceResponse<B>) -> bool {
    matches!(
        res.response().body().size(),
        actix_web::body::BodySize::Sized(0) | actix_web::body::BodySize::None
    )
}

/// Type of the body the error handler middleware produces.
pub type JsonErrorBody<B> = EitherBody<B, BoxBody>;

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn encoded_nul_is_found_anywhere_in_the_path() {
        assert!(has_encoded_nul("/api/v1/services/%00/"));
        assert!(has_encoded_nul("/api/v1/services/a%00"));
        assert!(!has_encoded_nul("/api/v1/services/%20/"));
        assert!(!has_encoded_nul("/api/v1/services/100/"));
    }

    #[test]
    fn allow_lists_the_documented_methods() {
        let spec = json!({"paths": {
            "/api/v1/services/": {"get": {}, "post": {}},
            "/api/v1/workers/{id}/": {"get": {}, "patch": {}, "delete": {}, "parameters": []},
        }});
        let allowed = AllowedMethods::from_spec(&spec);
        assert_eq!(
            allowed.for_pattern("/api/v1/services/"),
            Some("GET, POST, HEAD")
        );
        assert_eq!(
            allowed.for_pattern("/api/v1/workers/{id}/"),
            Some("GET, PATCH, DELETE, HEAD")
        );
        assert_eq!(allowed.for_pattern("/nope/"), None);
    }
}
