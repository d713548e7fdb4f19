//! Query strings (issue #15): read once, by the same rules as bodies. A parameter holding U+0000 is a
//! 400 field error, a repeated parameter counts once (the last, as DRF's `query_params.get`), and a
//! string that does not fit the handler's parameters is a 400, never a plain-text framework error.

use super::body::NULL_CHARACTERS;
use crate::error::{ApiError, FieldErrors};
use actix_web::dev::Payload;
use actix_web::http::StatusCode;
use actix_web::{FromRequest, HttpRequest};
use futures_util::future::{ready, Ready};
use paperclip::actix::OperationModifier;
use paperclip::v2::models::DefaultOperationRaw;
use paperclip::v2::schema::Apiv2Schema;
use serde::de::DeserializeOwned;
use serde_json::{Map, Value};
use std::collections::HashMap;

/// The query parameters of a request, last value of each name.
///
/// Errors: 400 `{"detail":"Query string parse error - …"}` for a string that is not
/// `application/x-www-form-urlencoded`; 400 `{param: ["Null characters are not allowed."]}`.
pub fn query_params(req: &HttpRequest) -> Result<HashMap<String, String>, ApiError> {
    let pairs: Vec<(String, String)> =
        serde_urlencoded::from_str(req.query_string()).map_err(|e| {
            ApiError::detail(
                StatusCode::BAD_REQUEST,
                format!("Query string parse error - {e}"),
            )
        })?;
    let mut errors = FieldErrors::default();
    let mut params = HashMap::with_capacity(pairs.len());
    for (name, value) in pairs {
        if name.contains('\0') {
            errors.add("non_field_errors", NULL_CHARACTERS);
        } else if value.contains('\0') {
            errors.add(&name, NULL_CHARACTERS);
        } else {
            params.insert(name, value);
        }
    }
    if errors.is_empty() {
        Ok(params)
    } else {
        Err(ApiError::fields(errors))
    }
}

/// Query parameter `field` as a whole number from 1 to `max` (a span of days or hours, a page's
/// size): `default` when absent or blank.
///
/// Errors: 400 `{field: ["Enter a whole number from 1 to {max}."]}`.
pub fn whole_number(
    field: &str,
    raw: Option<&str>,
    default: i64,
    max: i64,
) -> Result<i64, ApiError> {
    match raw.map(str::trim).filter(|s| !s.is_empty()) {
        None => Ok(default),
        Some(s) => s
            .parse::<i64>()
            .ok()
            .filter(|n| (1..=max).contains(n))
            .ok_or_else(|| {
                ApiError::fields(FieldErrors::single(
                    field,
                    format!("Enter a whole number from 1 to {max}."),
                ))
            }),
    }
}

/// A handler's query parameters as `T` (a struct of `Option<String>` fields, documented in OpenAPI as
/// query parameters), read by [`query_params`].
#[derive(Debug)]
pub struct Query<T>(pub T);

impl<T> Query<T> {
    /// The parameters read.
    pub fn into_inner(self) -> T {
        self.0
    }
}

impl<T> std::ops::Deref for Query<T> {
    type Target = T;
    fn deref(&self) -> &T {
        &self.0
    }
}

impl<T: DeserializeOwned> FromRequest for Query<T> {
    type Error = ApiError;
    type Future = Ready<Result<Self, ApiError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        ready(query_params(req).and_then(|params| {
            let object: Map<String, Value> = params
                .into_iter()
                .map(|(k, v)| (k, Value::String(v)))
                .collect();
            serde_json::from_value(Value::Object(object))
                .map(Query)
                .map_err(|e| {
                    ApiError::detail(
                        StatusCode::BAD_REQUEST,
                        format!("Invalid query parameters - {e}"),
                    )
                })
        }))
    }
}

impl<T: Apiv2Schema> Apiv2Schema for Query<T> {}

impl<T: Apiv2Schema> OperationModifier for Query<T> {
    fn update_parameter(op: &mut DefaultOperationRaw) {
        <actix_web::web::Query<T> as OperationModifier>::update_parameter(op);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use actix_web::test::TestRequest;
    use serde::Deserialize;
    use serde_json::json;

    #[derive(Debug, Deserialize)]
    struct Filters {
        status: Option<String>,
    }

    fn extract(query: &str) -> Result<Option<String>, Option<Value>> {
        let req = TestRequest::with_uri(&format!("/x/?{query}")).to_http_request();
        Query::<Filters>::extract(&req)
            .into_inner()
            .map(|q| q.0.status)
            .map_err(|e| e.json_body().cloned())
    }

    #[test]
    fn parameters_are_read_like_bodies() {
        assert_eq!(extract("status=open"), Ok(Some("open".into())));
        assert_eq!(
            extract("status=open&status=closed"),
            Ok(Some("closed".into()))
        );
        assert_eq!(extract("other=1"), Ok(None));
        assert_eq!(
            extract("status=open%00"),
            Err(Some(json!({"status": [NULL_CHARACTERS]})))
        );
        assert_eq!(
            extract("a%00=1"),
            Err(Some(json!({"non_field_errors": [NULL_CHARACTERS]})))
        );
    }
}
