//! Request bodies (spec/API.md §1.2): JSON or form-encoded, read into a field map and validated field by
//! field, so that wrong types and bad values come back as shape-V field errors rather than a parse failure.
//! Handlers take `Valid<T>`; `T` says how it is read from the map and documents the body in OpenAPI.

use crate::error::{ApiError, FieldErrors};
use actix_web::dev::Payload;
use actix_web::http::{header, StatusCode};
use actix_web::web::Bytes;
use actix_web::{FromRequest, HttpRequest};
use futures_util::future::LocalBoxFuture;
use paperclip::actix::OperationModifier;
use paperclip::v2::models::{DefaultOperationRaw, Either, Parameter, ParameterIn};
use paperclip::v2::schema::Apiv2Schema;
use serde_json::{Map, Value};
use uuid::Uuid;

/// The largest body a service reads (ARCHITECTURE §4).
pub const MAX_BODY_BYTES: usize = 1024 * 1024;

/// A request body type that reads itself out of the submitted fields.
pub trait FromInput: Sized {
    /// Reads every field, recording problems in `input`; the result is used only when none were recorded.
    fn from_input(input: &mut Input) -> Option<Self>;
}

/// The submitted fields and the problems found so far.
pub struct Input {
    fields: Map<String, Value>,
    errors: FieldErrors,
}

/// Rules for a text field.
#[derive(Debug, Clone, Copy)]
pub struct Text {
    pub required: bool,
    pub allow_blank: bool,
    pub min: usize,
    pub max: usize,
}

impl Text {
    pub const fn required(max: usize) -> Self {
        Text {
            required: true,
            allow_blank: false,
            min: 0,
            max,
        }
    }

    pub const fn optional(max: usize) -> Self {
        Text {
            required: false,
            allow_blank: true,
            min: 0,
            max,
        }
    }

    pub const fn min(self, min: usize) -> Self {
        Text { min, ..self }
    }
}

pub const REQUIRED: &str = "This field is required.";

impl Input {
    pub fn new(fields: Map<String, Value>) -> Self {
        Input {
            fields,
            errors: FieldErrors::default(),
        }
    }

    pub fn error(&mut self, field: &str, message: impl Into<String>) {
        self.errors.add(field, message);
    }

    pub fn has_errors(&self) -> bool {
        !self.errors.is_empty()
    }

    /// A text field, trimmed. `None` when absent (and optional) or invalid.
    pub fn text(&mut self, name: &str, rule: Text) -> Option<String> {
        let value = match self.fields.get(name) {
            None => {
                if rule.required {
                    self.error(name, REQUIRED);
                }
                return None;
            }
            Some(Value::Null) => {
                self.error(name, "This field may not be null.");
                return None;
            }
            Some(Value::String(s)) => s.trim().to_owned(),
            Some(Value::Number(n)) => n.to_string(),
            Some(_) => {
                self.error(name, "Not a valid string.");
                return None;
            }
        };
        let chars = value.chars().count();
        if value.is_empty() && !rule.allow_blank {
            self.error(name, "This field may not be blank.");
            None
        } else if chars > rule.max {
            self.error(
                name,
                format!(
                    "Ensure this field has no more than {} characters.",
                    rule.max
                ),
            );
            None
        } else if chars < rule.min && !value.is_empty() {
            self.error(
                name,
                format!("Ensure this field has at least {} characters.", rule.min),
            );
            None
        } else {
            Some(value)
        }
    }

    pub fn uuid(&mut self, name: &str, required: bool) -> Option<Uuid> {
        let rule = Text {
            required,
            allow_blank: false,
            min: 0,
            max: usize::MAX,
        };
        let raw = self.text(name, rule)?;
        match Uuid::parse_str(&raw) {
            Ok(id) => Some(id),
            Err(_) => {
                self.error(name, "Must be a valid UUID.");
                None
            }
        }
    }

    /// One of `choices`; `default` when absent.
    pub fn choice(
        &mut self,
        name: &str,
        choices: &[&str],
        default: Option<&str>,
    ) -> Option<String> {
        let rule = Text {
            required: default.is_none(),
            allow_blank: false,
            min: 0,
            max: usize::MAX,
        };
        match self.text(name, rule) {
            Some(v) if choices.contains(&v.as_str()) => Some(v),
            Some(v) => {
                self.error(name, format!("\"{v}\" is not a valid choice."));
                None
            }
            None if !self.fields.contains_key(name) => default.map(str::to_owned),
            None => None,
        }
    }

    /// Whether the body names `name` at all (partial updates change only what is sent).
    pub fn has(&self, name: &str) -> bool {
        self.fields.contains_key(name)
    }

    /// An integer in `min..=max`; numbers or numeric strings.
    pub fn int(&mut self, name: &str, required: bool, min: i64, max: i64) -> Option<i64> {
        let parsed = match self.fields.get(name) {
            None => {
                if required {
                    self.error(name, REQUIRED);
                }
                return None;
            }
            Some(Value::Number(n)) => n.as_i64(),
            Some(Value::String(s)) => s.trim().parse::<i64>().ok(),
            Some(Value::Null) => {
                self.error(name, "This field may not be null.");
                return None;
            }
            Some(_) => None,
        };
        match parsed {
            None => {
                self.error(name, "A valid integer is required.");
                None
            }
            Some(n) if n < min => {
                self.error(
                    name,
                    format!("Ensure this value is greater than or equal to {min}."),
                );
                None
            }
            Some(n) if n > max => {
                self.error(
                    name,
                    format!("Ensure this value is less than or equal to {max}."),
                );
                None
            }
            Some(n) => Some(n),
        }
    }

    /// A decimal number or numeric string, rounded to `scale` places (API §1.3: phones send long GPS
    /// fractions) and rendered as text for a `numeric` column. `None` not sent (or invalid),
    /// `Some(None)` null or blank, `Some(Some(text))` the value.
    pub fn decimal(
        &mut self,
        name: &str,
        scale: usize,
        min: f64,
        max: f64,
    ) -> Option<Option<String>> {
        let value = match self.fields.get(name)? {
            Value::Null => return Some(None),
            Value::Number(n) => n.as_f64(),
            Value::String(s) if s.trim().is_empty() => return Some(None),
            Value::String(s) => s.trim().parse::<f64>().ok(),
            _ => None,
        };
        match value {
            Some(v) if v.is_finite() && v >= min && v <= max => Some(Some(format!("{v:.scale$}"))),
            Some(v) if v.is_finite() => {
                let message = if v < min {
                    format!("Ensure this value is greater than or equal to {min}.")
                } else {
                    format!("Ensure this value is less than or equal to {max}.")
                };
                self.error(name, message);
                None
            }
            _ => {
                self.error(name, "A valid number is required.");
                None
            }
        }
    }

    /// A boolean in any of the spellings API §1.2 accepts.
    pub fn boolean(&mut self, name: &str, required: bool) -> Option<bool> {
        let value = match self.fields.get(name) {
            None => {
                if required {
                    self.error(name, REQUIRED);
                }
                return None;
            }
            Some(Value::Bool(b)) => Some(*b),
            Some(Value::Number(n)) => match n.as_i64() {
                Some(1) => Some(true),
                Some(0) => Some(false),
                _ => None,
            },
            Some(Value::String(s)) => match s.trim() {
                "true" | "True" | "TRUE" | "1" | "yes" | "Yes" | "YES" | "on" | "On" | "ON"
                | "t" | "T" | "y" | "Y" => Some(true),
                "false" | "False" | "FALSE" | "0" | "no" | "No" | "NO" | "off" | "Off" | "OFF"
                | "f" | "F" | "n" | "N" => Some(false),
                _ => None,
            },
            Some(_) => None,
        };
        if value.is_none() {
            self.error(name, "Must be a valid boolean.");
        }
        value
    }

    /// A JSON value of the body as sent (objects and arrays need a JSON body).
    pub fn json(&mut self, name: &str, required: bool) -> Option<Value> {
        match self.fields.get(name) {
            None => {
                if required {
                    self.error(name, REQUIRED);
                }
                None
            }
            Some(v) => Some(v.clone()),
        }
    }

    /// An ISO-8601 datetime; naive values are Asia/Kolkata (API §1.3). `Some(None)` for an explicit null.
    pub fn datetime(&mut self, name: &str) -> Option<Option<chrono::DateTime<chrono::Utc>>> {
        let raw = match self.fields.get(name) {
            None => return None,
            Some(Value::Null) => return Some(None),
            Some(Value::String(s)) => s.trim().to_owned(),
            Some(_) => String::new(),
        };
        match crate::time::parse_datetime(&raw) {
            Some(t) => Some(Some(t)),
            None => {
                self.error(
                    name,
                    "Datetime has wrong format. Use one of these formats instead: YYYY-MM-DDThh:mm[:ss[.uuuuuu]][+HH:MM|-HH:MM|Z].",
                );
                None
            }
        }
    }

    pub fn finish(self) -> Result<(), ApiError> {
        if self.errors.is_empty() {
            Ok(())
        } else {
            Err(ApiError::fields(self.errors))
        }
    }
}

/// A validated request body.
#[derive(Debug)]
pub struct Valid<T>(pub T);

impl<T> std::ops::Deref for Valid<T> {
    type Target = T;
    fn deref(&self) -> &T {
        &self.0
    }
}

impl<T: FromInput + 'static> FromRequest for Valid<T> {
    type Error = ApiError;
    type Future = LocalBoxFuture<'static, Result<Self, ApiError>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let content_type = req
            .headers()
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned);
        let body = Bytes::from_request(req, payload);
        Box::pin(async move {
            let bytes = body.await.map_err(|e| body_error(&e))?;
            let fields = read_fields(content_type.as_deref(), &bytes)?;
            let mut input = Input::new(fields);
            let value = T::from_input(&mut input);
            input.finish()?;
            value
                .map(Valid)
                .ok_or_else(|| ApiError::internal("validator returned nothing"))
        })
    }
}

/// Reads a body taken raw (`web::Bytes`) as `T`, as [`Valid`] would: for handlers that must decide
/// something (a feature switch, a signature) before the body is validated.
pub fn parse<T: FromInput>(req: &HttpRequest, bytes: &[u8]) -> Result<T, ApiError> {
    let content_type = req
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok());
    let mut input = Input::new(read_fields(content_type, bytes)?);
    let value = T::from_input(&mut input);
    input.finish()?;
    value.ok_or_else(|| ApiError::internal("validator returned nothing"))
}

fn body_error(e: &actix_web::Error) -> ApiError {
    let status = e.as_response_error().status_code();
    if status == StatusCode::PAYLOAD_TOO_LARGE {
        ApiError::detail(status, "Request body is too large.")
    } else {
        ApiError::detail(
            StatusCode::BAD_REQUEST,
            format!("Could not read the request body - {e}"),
        )
    }
}

/// Parses a body by its content type into a field map.
pub fn read_fields(
    content_type: Option<&str>,
    bytes: &[u8],
) -> Result<Map<String, Value>, ApiError> {
    let mime = content_type
        .and_then(|ct| ct.split(';').next())
        .map(|m| m.trim().to_ascii_lowercase());
    match mime.as_deref() {
        None if bytes.iter().all(u8::is_ascii_whitespace) => Ok(Map::new()),
        Some("application/json") => parse_json(bytes),
        Some(m) if m.starts_with("application/") && m.ends_with("+json") => parse_json(bytes),
        Some("application/x-www-form-urlencoded") => {
            let pairs: Vec<(String, String)> =
                serde_urlencoded::from_bytes(bytes).map_err(|e| {
                    ApiError::detail(StatusCode::BAD_REQUEST, format!("Form parse error - {e}"))
                })?;
            Ok(pairs
                .into_iter()
                .map(|(k, v)| (k, Value::String(v)))
                .collect())
        }
        _ => Err(ApiError::detail(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            format!(
                "Unsupported media type \"{}\" in request.",
                content_type.unwrap_or("")
            ),
        )),
    }
}

fn parse_json(bytes: &[u8]) -> Result<Map<String, Value>, ApiError> {
    if bytes.iter().all(u8::is_ascii_whitespace) {
        return Ok(Map::new());
    }
    match serde_json::from_slice::<Value>(bytes) {
        Ok(Value::Object(map)) => Ok(map),
        Ok(other) => Err(ApiError::fields(FieldErrors::single(
            "non_field_errors",
            format!(
                "Invalid data. Expected a dictionary, but got {}.",
                json_type(&other)
            ),
        ))),
        Err(e) => Err(ApiError::detail(
            StatusCode::BAD_REQUEST,
            format!("JSON parse error - {e}"),
        )),
    }
}

fn json_type(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "bool",
        Value::Number(_) => "int",
        Value::String(_) => "str",
        Value::Array(_) => "list",
        Value::Object(_) => "dict",
    }
}

impl<T: Apiv2Schema> Apiv2Schema for Valid<T> {
    fn name() -> Option<String> {
        T::name()
    }

    fn raw_schema() -> paperclip::v2::models::DefaultSchemaRaw {
        T::raw_schema()
    }
}

impl<T: Apiv2Schema> OperationModifier for Valid<T> {
    fn update_parameter(op: &mut DefaultOperationRaw) {
        op.parameters.push(Either::Right(Parameter {
            in_: ParameterIn::Body,
            name: "body".into(),
            required: true,
            schema: Some({
                let mut def = T::schema_with_ref();
                def.retain_ref();
                def
            }),
            ..Default::default()
        }));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn input(value: Value) -> Input {
        match value {
            Value::Object(map) => Input::new(map),
            _ => Input::new(Map::new()),
        }
    }

    #[test]
    fn text_rules_give_the_framework_messages() {
        let mut i = input(json!({"a": "  ", "b": null, "c": "toolong", "d": [1], "e": 42}));
        assert_eq!(i.text("a", Text::required(5)), None);
        assert_eq!(i.text("b", Text::required(5)), None);
        assert_eq!(i.text("c", Text::required(3)), None);
        assert_eq!(i.text("d", Text::required(3)), None);
        assert_eq!(i.text("e", Text::required(3)).as_deref(), Some("42"));
        assert_eq!(i.text("missing", Text::required(3)), None);
        let body = i.errors.to_json();
        assert_eq!(body["a"][0], "This field may not be blank.");
        assert_eq!(body["b"][0], "This field may not be null.");
        assert_eq!(
            body["c"][0],
            "Ensure this field has no more than 3 characters."
        );
        assert_eq!(body["d"][0], "Not a valid string.");
        assert_eq!(body["missing"][0], REQUIRED);
    }

    #[test]
    fn bodies_by_content_type() {
        assert_eq!(
            read_fields(Some("application/json"), b"{\"a\":1}")
                .map(|m| m.len())
                .ok(),
            Some(1)
        );
        let form = read_fields(
            Some("application/x-www-form-urlencoded"),
            b"phone=%2B91&role=worker",
        );
        assert_eq!(
            form.ok().and_then(|m| m.get("phone").cloned()),
            Some(json!("+91"))
        );
        let bad = read_fields(Some("application/json"), b"{oops").err();
        assert_eq!(bad.map(|e| e.status()), Some(StatusCode::BAD_REQUEST));
        let list = read_fields(Some("application/json"), b"[1]").err();
        assert_eq!(
            list.and_then(|e| e.json_body().cloned()),
            Some(
                json!({"non_field_errors": ["Invalid data. Expected a dictionary, but got list."]})
            )
        );
        let xml = read_fields(Some("text/xml"), b"<a/>").err();
        assert_eq!(
            xml.map(|e| e.status()),
            Some(StatusCode::UNSUPPORTED_MEDIA_TYPE)
        );
    }
}
