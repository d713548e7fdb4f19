//! The four error envelopes of `spec/API.md` §1.5 and one type that renders them (framework errors get
//! the same shape from `crate::http::json_error_handler`).

use actix_web::http::header::{HeaderName, HeaderValue};
use actix_web::http::StatusCode;
use actix_web::{HttpResponse, ResponseError};
use paperclip::v2::models::{DefaultOperationRaw, Either, Response};
use paperclip::v2::schema::Apiv2Errors;
use serde_json::{json, Map, Value};
use std::collections::BTreeMap;
use std::fmt;

/// Field errors (shape V): field name → messages, plus `non_field_errors`.
#[derive(Debug, Default, Clone, PartialEq)]
pub struct FieldErrors(BTreeMap<String, Vec<String>>);

impl FieldErrors {
    pub fn add(&mut self, field: &str, message: impl Into<String>) {
        self.0
            .entry(field.to_owned())
            .or_default()
            .push(message.into());
    }

    pub fn single(field: &str, message: impl Into<String>) -> Self {
        let mut errors = FieldErrors::default();
        errors.add(field, message);
        errors
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    pub fn to_json(&self) -> Value {
        Value::Object(
            self.0
                .iter()
                .map(|(k, v)| (k.clone(), json!(v)))
                .collect::<Map<_, _>>(),
        )
    }
}

/// An HTTP error with one of the spec's bodies. Services wrap it in their own error type.
#[derive(Debug, Clone)]
pub struct ApiError {
    status: StatusCode,
    /// Boxed: errors travel in `Result`s on every request path, so they stay small.
    body: Option<Box<Value>>,
    headers: Vec<(HeaderName, HeaderValue)>,
    /// Why a 500 happened: for the log and Sentry (its `Display`), never for the client.
    cause: Option<String>,
}

impl ApiError {
    fn new(status: StatusCode, body: Option<Value>) -> Self {
        ApiError {
            status,
            body: body.map(Box::new),
            headers: Vec::new(),
            cause: None,
        }
    }

    /// Shape V: request validation, always 400.
    pub fn fields(errors: FieldErrors) -> Self {
        Self::new(StatusCode::BAD_REQUEST, Some(errors.to_json()))
    }

    /// Shape D: `{"detail": ...}`.
    pub fn detail(status: StatusCode, detail: impl Into<String>) -> Self {
        Self::new(status, Some(json!({ "detail": detail.into() })))
    }

    /// Shape E: `{"error": ...}`, business-rule errors.
    pub fn error(status: StatusCode, error: impl Into<String>) -> Self {
        Self::new(status, Some(json!({ "error": error.into() })))
    }

    /// Shape C: `{"detail": ..., "code": ...}`.
    pub fn coded(status: StatusCode, detail: impl Into<String>, code: &str) -> Self {
        Self::new(
            status,
            Some(json!({ "detail": detail.into(), "code": code })),
        )
    }

    /// A body the spec gives in full (e.g. the JWT errors with `messages`).
    pub fn body(status: StatusCode, body: Value) -> Self {
        Self::new(status, Some(body))
    }

    /// No body at all (e.g. logout's 400).
    pub fn empty(status: StatusCode) -> Self {
        Self::new(status, None)
    }

    pub fn not_found() -> Self {
        Self::detail(StatusCode::NOT_FOUND, "Not found.")
    }

    /// 404 for a well-formed id of a missing object: `No <Entity> matches the given query.`
    pub fn no_match(entity: &str) -> Self {
        Self::detail(
            StatusCode::NOT_FOUND,
            format!("No {entity} matches the given query."),
        )
    }

    /// 400 V for an id in a body that names no object: `{"<field>": ["Invalid pk \"<id>\" - object does
    /// not exist."]}` (DRF's PrimaryKeyRelatedField).
    pub fn invalid_pk(field: &str, id: impl fmt::Display) -> Self {
        Self::fields(FieldErrors::single(
            field,
            format!("Invalid pk \"{id}\" - object does not exist."),
        ))
    }

    pub fn forbidden() -> Self {
        Self::detail(
            StatusCode::FORBIDDEN,
            "You do not have permission to perform this action.",
        )
    }

    /// 429 D with `Retry-After` (API §1.7): `Request was throttled. Expected available in {n} seconds.`
    /// (`second` for 1); `wait_secs` is rounded up by the caller.
    pub fn throttled(wait_secs: u64) -> Self {
        let unit = if wait_secs == 1 { "second" } else { "seconds" };
        Self::detail(
            StatusCode::TOO_MANY_REQUESTS,
            format!("Request was throttled. Expected available in {wait_secs} {unit}."),
        )
        .with_header(
            actix_web::http::header::RETRY_AFTER,
            HeaderValue::from(wait_secs),
        )
    }

    pub fn unavailable(detail: impl Into<String>, code: &str) -> Self {
        Self::coded(StatusCode::SERVICE_UNAVAILABLE, detail, code)
    }

    /// A 500 whose cause goes to the log (and to Sentry when `SENTRY_DSN` is set: the error's `Display`
    /// is the cause), never to the client.
    pub fn internal(cause: impl fmt::Display) -> Self {
        let cause = cause.to_string();
        tracing::error!(error = %cause, "internal error");
        let mut error = Self::detail(StatusCode::INTERNAL_SERVER_ERROR, "Internal server error.");
        error.cause = Some(cause);
        error
    }

    /// The answer with its stable code (`X-Error-Code`, [`ERROR_CODE_HEADER`]).
    pub fn with_code(self, code: &'static str) -> Self {
        self.with_header(ERROR_CODE_HEADER, HeaderValue::from_static(code))
    }

    /// The code DRF gives an error of this status (`invalid`, `not_authenticated`, `permission_denied`,
    /// `not_found`, `method_not_allowed`, `unsupported_media_type`, `throttled`, …): the code of an answer
    /// the platform made (input, authentication) when a service passes it on.
    pub fn default_code(&self) -> &'static str {
        match self.status.as_u16() {
            400 => "invalid",
            401 => "not_authenticated",
            403 => "permission_denied",
            404 => "not_found",
            405 => "method_not_allowed",
            409 => "conflict",
            413 => "request_too_large",
            415 => "unsupported_media_type",
            429 => "throttled",
            503 => "unavailable",
            s if s >= 500 => "error",
            _ => "invalid",
        }
    }

    pub fn with_header(mut self, name: HeaderName, value: HeaderValue) -> Self {
        self.headers.push((name, value));
        self
    }

    pub fn status(&self) -> StatusCode {
        self.status
    }

    pub fn json_body(&self) -> Option<&Value> {
        self.body.as_deref()
    }
}

impl fmt::Display for ApiError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Some(cause) = &self.cause {
            return write!(f, "{} {cause}", self.status.as_u16());
        }
        match &self.body {
            Some(body) => write!(f, "{} {}", self.status.as_u16(), body),
            None => write!(f, "{}", self.status.as_u16()),
        }
    }
}

impl ResponseError for ApiError {
    fn status_code(&self) -> StatusCode {
        self.status
    }

    fn error_response(&self) -> HttpResponse {
        let mut response = HttpResponse::build(self.status);
        for (name, value) in &self.headers {
            response.insert_header((name.clone(), value.clone()));
        }
        match &self.body {
            Some(body) => response.json(&**body),
            None => response.finish(),
        }
    }
}

/// The response header that carries an error's stable code (ARCHITECTURE §4): clients and logs can tell
/// refusals apart without parsing messages meant for people.
pub const ERROR_CODE_HEADER: HeaderName = HeaderName::from_static("x-error-code");

/// A service's one error enum (ARCHITECTURE §4, issue #17): every failure its handlers meet is a variant,
/// answered in one place — [`ServiceFailure::answer`] gives its status, envelope and message — with a
/// stable snake_case [`ServiceFailure::code`] (the variant's name: derive `strum::IntoStaticStr` with
/// `#[strum(serialize_all = "snake_case")]`), sent as `X-Error-Code`. A variant that passes an
/// [`ApiError`] on (input, authentication) keeps that answer and its [`ApiError::default_code`].
pub trait ServiceFailure: fmt::Debug + fmt::Display {
    /// The error statuses every operation of the service documents (OpenAPI).
    const DOCUMENTED: &'static [(u16, &'static str)] = DOCUMENTED_ERRORS;

    fn code(&self) -> &'static str;
    fn answer(&self) -> ApiError;

    /// The response: the answer with its code.
    fn respond(&self) -> HttpResponse {
        self.answer().with_code(self.code()).error_response()
    }
}

/// The error statuses a service's operations document unless it says otherwise.
pub const DOCUMENTED_ERRORS: &[(u16, &str)] = &[
    (
        400,
        "Invalid input: field errors `{\"field\": [\"message\"]}` or `{\"error\": \"...\"}`",
    ),
    (401, "Missing, invalid or expired credentials"),
    (403, "Not allowed for this user"),
    (404, "No such object"),
    (503, "The database is unavailable"),
];

/// The trait implementations every service's error enum (a [`ServiceFailure`] whose variant
/// `Platform(#[from] ServiceError)` holds what the platform answers: an [`ApiError`] passed on, a failed
/// query, a database outage) needs, written once: actix's `ResponseError` (the answer with its
/// `X-Error-Code`), paperclip's `Apiv2Errors` (its `DOCUMENTED` statuses) and the conversions `?` uses
/// from an `ApiError`, a diesel error and a pool error. `hm_platform::service_failure!(JobsError);`
#[macro_export]
macro_rules! service_failure {
    ($error:ident) => {
        impl ::actix_web::ResponseError for $error {
            fn status_code(&self) -> ::actix_web::http::StatusCode {
                $crate::error::ServiceFailure::answer(self).status()
            }

            fn error_response(&self) -> ::actix_web::HttpResponse {
                $crate::error::ServiceFailure::respond(self)
            }
        }

        impl ::paperclip::v2::schema::Apiv2Errors for $error {
            fn update_error_definitions(op: &mut ::paperclip::v2::models::DefaultOperationRaw) {
                $crate::error::document_errors(
                    op,
                    <$error as $crate::error::ServiceFailure>::DOCUMENTED,
                );
            }
        }

        impl From<$crate::ApiError> for $error {
            fn from(e: $crate::ApiError) -> Self {
                $error::Platform(e.into())
            }
        }

        impl From<::diesel::result::Error> for $error {
            fn from(e: ::diesel::result::Error) -> Self {
                $error::Platform(e.into())
            }
        }

        impl From<::diesel_async::pooled_connection::deadpool::PoolError> for $error {
            fn from(e: ::diesel_async::pooled_connection::deadpool::PoolError) -> Self {
                $error::Platform(e.into())
            }
        }
    };
}

/// Documents the error statuses of an operation in the OpenAPI document.
pub fn document_errors(op: &mut DefaultOperationRaw, codes: &[(u16, &str)]) {
    for (code, description) in codes {
        op.responses.insert(
            code.to_string(),
            Either::Right(Response {
                description: Some((*description).to_owned()),
                schema: None,
                headers: BTreeMap::new(),
            }),
        );
    }
}

impl Apiv2Errors for ApiError {
    fn update_error_definitions(op: &mut DefaultOperationRaw) {
        document_errors(
            op,
            &[
                (400, "Invalid input (field errors)"),
                (401, "Missing or invalid credentials"),
                (403, "Not permitted"),
                (404, "Not found"),
                (500, "Internal server error"),
            ],
        );
    }
}

impl std::error::Error for ApiError {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_throttled_answer_says_when_to_come_back() {
        let two = ApiError::throttled(2).error_response();
        assert_eq!(two.status(), StatusCode::TOO_MANY_REQUESTS);
        assert_eq!(
            two.headers()
                .get(actix_web::http::header::RETRY_AFTER)
                .and_then(|v| v.to_str().ok()),
            Some("2")
        );
        assert_eq!(
            ApiError::throttled(2).json_body(),
            Some(&json!({"detail": "Request was throttled. Expected available in 2 seconds."}))
        );
        assert_eq!(
            ApiError::throttled(1).json_body(),
            Some(&json!({"detail": "Request was throttled. Expected available in 1 second."}))
        );
    }
}
