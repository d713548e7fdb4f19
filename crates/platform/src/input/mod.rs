//! Client input (spec/API.md §1.2, issue #15): bodies in any of the three encodings and query strings,
//! read into a field map and validated field by field, so that wrong types and bad values come back as
//! shape-V field errors rather than a parse failure or a 500. Handlers take `Valid<T>` for a body and
//! `Query<T>` for query parameters; `T` says how it is read and documents itself in OpenAPI.
//!
//! The rules every field shares live here once: strings are trimmed and hold no NUL character (any
//! depth, any encoding: [`body`]), numbers are ASCII ([`numbers`]), null and blank are refused where a
//! value is required, dates stay within the years 1–9999, URLs have a host.

pub mod body;
pub mod numbers;
pub mod query;

pub use body::{read_fields, NULL_CHARACTERS};
pub use query::{query_params, whole_number, Query};

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
    /// Required, not blank, at most `max` characters.
    pub const fn required(max: usize) -> Self {
        Text {
            required: true,
            allow_blank: false,
            min: 0,
            max,
        }
    }

    /// Optional, blank allowed, at most `max` characters.
    pub const fn optional(max: usize) -> Self {
        Text {
            required: false,
            allow_blank: true,
            min: 0,
            max,
        }
    }

    /// At least `min` characters when not blank.
    pub const fn min(self, min: usize) -> Self {
        Text { min, ..self }
    }
}

/// Rules for a decimal field: `scale` places (the value is rounded to them: API §1.3, phones send long
/// GPS fractions) within `min..=max`.
#[derive(Debug, Clone, Copy)]
pub struct Decimal {
    pub scale: usize,
    pub min: f64,
    pub max: f64,
}

impl Decimal {
    /// `scale` places within `min..=max`.
    pub const fn new(scale: usize, min: f64, max: f64) -> Self {
        Decimal { scale, min, max }
    }

    /// Latitude, numeric(9,6).
    pub const LATITUDE: Decimal = Decimal::new(6, -90.0, 90.0);
    /// Longitude, numeric(9,6).
    pub const LONGITUDE: Decimal = Decimal::new(6, -180.0, 180.0);
    /// An amount of rupees, numeric(10,2), not negative.
    pub const AMOUNT: Decimal = Decimal::new(2, 0.0, 99_999_999.99);
}

// DRF's field messages (API §1.5), for bodies and query parameters alike.
pub const REQUIRED: &str = "This field is required.";
pub const NOT_NULL: &str = "This field may not be null.";
pub const NOT_BLANK: &str = "This field may not be blank.";
pub const NOT_A_NUMBER: &str = "A valid number is required.";
pub const NOT_AN_INTEGER: &str = "A valid integer is required.";
pub const NOT_A_URL: &str = "Enter a valid URL.";
pub const DATE_FORMAT: &str =
    "Date has wrong format. Use one of these formats instead: YYYY-MM-DD.";
pub const DATETIME_FORMAT: &str = "Datetime has wrong format. Use one of these formats instead: YYYY-MM-DDThh:mm[:ss[.uuuuuu]][+HH:MM|-HH:MM|Z].";

impl Input {
    /// The fields of a body as [`read_fields`] found them, no problem recorded yet.
    pub fn new(fields: Map<String, Value>) -> Self {
        Input {
            fields,
            errors: FieldErrors::default(),
        }
    }

    /// Records a problem with `field` (shape V: field → messages).
    pub fn error(&mut self, field: &str, message: impl Into<String>) {
        self.errors.add(field, message);
    }

    /// Whether a problem was recorded.
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
                self.error(name, NOT_NULL);
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
            self.error(name, NOT_BLANK);
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

    /// An absolute `http`/`https` URL with a host (DRF's URLField): `""` when blank is allowed and sent.
    pub fn url(&mut self, name: &str, rule: Text) -> Option<String> {
        let value = self.text(name, rule)?;
        if value.is_empty() || is_valid_url(&value) {
            Some(value)
        } else {
            self.error(name, NOT_A_URL);
            None
        }
    }

    /// A URL field that may be cleared: `None` not sent (or invalid), `Some(None)` null or blank.
    pub fn nullable_url(&mut self, name: &str, max: usize) -> Option<Option<String>> {
        match self.fields.get(name)? {
            Value::Null => Some(None),
            _ => self
                .url(name, Text::optional(max))
                .map(|url| Some(url).filter(|u| !u.is_empty())),
        }
    }

    /// A UUID (`Must be a valid UUID.`).
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

    /// An integer in `min..=max`: a JSON integer or a string of ASCII digits with an optional sign.
    pub fn int(&mut self, name: &str, required: bool, min: i64, max: i64) -> Option<i64> {
        let parsed = match self.fields.get(name) {
            None => {
                if required {
                    self.error(name, REQUIRED);
                }
                return None;
            }
            // A JSON number and its string spelling are read alike (`7`, `"7"`, `7.0`, `"7.0"`).
            Some(Value::Number(n)) => numbers::parse_int(&n.to_string()),
            Some(Value::String(s)) => numbers::parse_int(s.trim()),
            Some(Value::Null) => {
                self.error(name, NOT_NULL);
                return None;
            }
            Some(_) => None,
        };
        match parsed {
            None => {
                self.error(name, NOT_AN_INTEGER);
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

    /// A required decimal: a JSON number or an ASCII numeric string, rendered as text for a `numeric`
    /// column. Absent → `This field is required.`, null → `This field may not be null.`, blank or not a
    /// number → `A valid number is required.`, out of range → the min/max messages.
    pub fn decimal(&mut self, name: &str, rule: Decimal) -> Option<String> {
        match self.fields.get(name) {
            None => {
                self.error(name, REQUIRED);
                None
            }
            Some(Value::Null) => {
                self.error(name, NOT_NULL);
                None
            }
            Some(_) => self.number(name, rule),
        }
    }

    /// A decimal that may be cleared: `None` not sent (or invalid), `Some(None)` null or blank (a form
    /// cannot send null), `Some(Some(text))` the value, as [`Input::decimal`] reads it.
    pub fn nullable_decimal(&mut self, name: &str, rule: Decimal) -> Option<Option<String>> {
        match self.fields.get(name)? {
            Value::Null => Some(None),
            Value::String(s) if s.trim().is_empty() => Some(None),
            _ => self.number(name, rule).map(Some),
        }
    }

    fn number(&mut self, name: &str, rule: Decimal) -> Option<String> {
        let value = match self.fields.get(name) {
            Some(Value::Number(n)) => n.as_f64(),
            Some(Value::String(s)) => numbers::parse_decimal(s.trim()),
            _ => None,
        };
        let Decimal { scale, min, max } = rule;
        match value {
            Some(v) if v.is_finite() && v >= min && v <= max => Some(format!("{v:.scale$}")),
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
                self.error(name, NOT_A_NUMBER);
                None
            }
        }
    }

    /// A required float in `min..=max` (DRF's FloatField): a JSON number or an ASCII numeric string.
    /// Absent → `This field is required.`, null → `This field may not be null.`, not a number → `A valid
    /// number is required.`, out of range → `Ensure this value is less than or equal to 90.0.`.
    pub fn float(&mut self, name: &str, min: f64, max: f64) -> Option<f64> {
        let value = match self.fields.get(name) {
            None => {
                self.error(name, REQUIRED);
                return None;
            }
            Some(Value::Null) => {
                self.error(name, NOT_NULL);
                return None;
            }
            Some(Value::Number(n)) => n.as_f64(),
            Some(Value::String(s)) => numbers::parse_decimal(s.trim()),
            Some(_) => None,
        };
        match value {
            Some(v) if v.is_finite() && v < min => {
                self.error(
                    name,
                    format!("Ensure this value is greater than or equal to {min:?}."),
                );
                None
            }
            Some(v) if v.is_finite() && v > max => {
                self.error(
                    name,
                    format!("Ensure this value is less than or equal to {max:?}."),
                );
                None
            }
            Some(v) if v.is_finite() => Some(v),
            _ => {
                self.error(name, NOT_A_NUMBER);
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
            Some(Value::String(s)) => parse_bool(s.trim()),
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
                self.error(name, DATETIME_FORMAT);
                None
            }
        }
    }

    /// A `YYYY-MM-DD` date (years 1–9999). `Some(None)` for null or blank.
    pub fn date(&mut self, name: &str) -> Option<Option<chrono::NaiveDate>> {
        let parsed = match self.fields.get(name)? {
            Value::Null => return Some(None),
            Value::String(s) if s.trim().is_empty() => return Some(None),
            Value::String(s) => crate::time::parse_date(s.trim()),
            _ => None,
        };
        match parsed {
            Some(d) => Some(Some(d)),
            None => {
                self.error(name, DATE_FORMAT);
                None
            }
        }
    }

    /// 400 with every problem recorded, if any.
    pub fn finish(self) -> Result<(), ApiError> {
        if self.errors.is_empty() {
            Ok(())
        } else {
            Err(ApiError::fields(self.errors))
        }
    }
}

/// The boolean spellings of API §1.2 (bodies and query parameters alike).
pub fn parse_bool(s: &str) -> Option<bool> {
    match s {
        "true" | "True" | "TRUE" | "1" | "yes" | "Yes" | "YES" | "on" | "On" | "ON" | "t" | "T"
        | "y" | "Y" => Some(true),
        "false" | "False" | "FALSE" | "0" | "no" | "No" | "NO" | "off" | "Off" | "OFF" | "f"
        | "F" | "n" | "N" => Some(false),
        _ => None,
    }
}

/// DRF's URLValidator, for the schemes clients use: `http` or `https`, a host that is a domain with a
/// top-level label, `localhost` or an IP address, and no whitespace or control character anywhere.
pub fn is_valid_url(raw: &str) -> bool {
    if raw.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return false;
    }
    let Ok(url) = url::Url::parse(raw) else {
        return false;
    };
    if !matches!(url.scheme(), "http" | "https") {
        return false;
    }
    match url.host() {
        Some(url::Host::Domain(domain)) => {
            let domain = domain.strip_suffix('.').unwrap_or(domain);
            let tld = domain.rsplit('.').next().unwrap_or("");
            domain == "localhost"
                || (domain.contains('.')
                    && domain
                        .split('.')
                        .all(|label| !label.is_empty() && label.len() <= 63)
                    && (tld.starts_with("xn--")
                        || (tld.len() >= 2 && tld.bytes().all(|b| b.is_ascii_alphabetic()))))
        }
        Some(url::Host::Ipv4(_) | url::Host::Ipv6(_)) => true,
        None => false,
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
        let content_type = req.headers().get(header::CONTENT_TYPE).cloned();
        let body = Bytes::from_request(req, payload);
        Box::pin(async move {
            let bytes = body.await.map_err(|e| body_error(&e))?;
            let fields = read_fields(content_type.as_ref(), bytes).await?;
            validate(fields).map(Valid)
        })
    }
}

/// Reads a body taken raw (`web::Bytes`) as `T`, as [`Valid`] would: for handlers that must decide
/// something (a feature switch, a signature) before the body is validated.
pub async fn parse<T: FromInput>(req: &HttpRequest, bytes: Bytes) -> Result<T, ApiError> {
    let fields = read_fields(req.headers().get(header::CONTENT_TYPE), bytes).await?;
    validate(fields)
}

/// `T` read from `fields`, or the field errors found.
pub fn validate<T: FromInput>(fields: Map<String, Value>) -> Result<T, ApiError> {
    let mut input = Input::new(fields);
    let value = T::from_input(&mut input);
    input.finish()?;
    value.ok_or_else(|| {
        // A reader that refused without saying why: a bug of ours, but the input is what it could not
        // take, so the client gets a 400 rather than a 500.
        tracing::error!(
            body = std::any::type_name::<T>(),
            "a body reader returned nothing without an error"
        );
        ApiError::fields(FieldErrors::single("non_field_errors", "Invalid data."))
    })
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
        crate::error::document_errors(
            op,
            &[
                (400, "Invalid input: field errors `{\"field\": [\"message\"]}`, or a body that does not parse"),
                (413, "Request body too large"),
                (415, "Unsupported media type (JSON, form or multipart bodies only)"),
            ],
        );
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

/// A body taken raw, for a handler that decides something (a feature switch, a signature) before it
/// reads the body as a `T` ([`parse`]); the OpenAPI document shows the body as a `T`, as it does for
/// `Valid<T>`. Extracting it is extracting `Bytes`: the same limits and errors.
pub struct RawBody<T>(pub Bytes, std::marker::PhantomData<fn() -> T>);

impl<T> FromRequest for RawBody<T> {
    type Error = <Bytes as FromRequest>::Error;
    type Future = LocalBoxFuture<'static, Result<Self, Self::Error>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let bytes = Bytes::from_request(req, payload);
        Box::pin(async move { bytes.await.map(|b| RawBody(b, std::marker::PhantomData)) })
    }
}

impl<T: Apiv2Schema> Apiv2Schema for RawBody<T> {
    fn name() -> Option<String> {
        T::name()
    }

    fn raw_schema() -> paperclip::v2::models::DefaultSchemaRaw {
        T::raw_schema()
    }
}

impl<T: Apiv2Schema> OperationModifier for RawBody<T> {
    fn update_parameter(op: &mut DefaultOperationRaw) {
        <Valid<T> as OperationModifier>::update_parameter(op);
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
        assert_eq!(body["a"][0], NOT_BLANK);
        assert_eq!(body["b"][0], NOT_NULL);
        assert_eq!(
            body["c"][0],
            "Ensure this field has no more than 3 characters."
        );
        assert_eq!(body["d"][0], "Not a valid string.");
        assert_eq!(body["missing"][0], REQUIRED);
    }

    #[test]
    fn required_numbers_refuse_null_blank_and_other_scripts() {
        let mut i = input(json!({
            "null": null, "blank": "", "spaces": "  ", "hindi": "२६.८", "nan": "NaN",
            "big": 200, "ok": "26.84671234", "n": 80.9,
        }));
        let rule = Decimal::LATITUDE;
        for name in ["null", "blank", "spaces", "hindi", "nan", "big", "missing"] {
            assert_eq!(i.decimal(name, rule), None, "{name}");
        }
        assert_eq!(i.decimal("ok", rule).as_deref(), Some("26.846712"));
        assert_eq!(
            i.decimal("n", Decimal::LONGITUDE).as_deref(),
            Some("80.900000")
        );
        let body = i.errors.to_json();
        assert_eq!(body["null"][0], NOT_NULL);
        for name in ["blank", "spaces", "hindi", "nan"] {
            assert_eq!(body[name][0], NOT_A_NUMBER, "{name}");
        }
        assert_eq!(
            body["big"][0],
            "Ensure this value is less than or equal to 90."
        );
        assert_eq!(body["missing"][0], REQUIRED);
    }

    #[test]
    fn nullable_numbers_clear_on_null_or_blank() {
        let mut i = input(json!({"null": null, "blank": "", "bad": "x", "v": "1.005"}));
        let rule = Decimal::AMOUNT;
        assert_eq!(i.nullable_decimal("null", rule), Some(None));
        assert_eq!(i.nullable_decimal("blank", rule), Some(None));
        assert_eq!(i.nullable_decimal("absent", rule), None);
        assert_eq!(i.nullable_decimal("bad", rule), None);
        assert!(i.nullable_decimal("v", rule).flatten().is_some());
        assert_eq!(i.errors.to_json(), json!({"bad": [NOT_A_NUMBER]}));
    }

    #[test]
    fn integers_are_ascii_digits() {
        let mut i = input(json!({
            "a": "४२", "b": "99999999999999999999", "c": " 7 ", "d": "", "e": null,
            "f": 7.0, "g": 1e30, "h": "7.5",
        }));
        assert_eq!(i.int("f", true, 0, 80), Some(7));
        assert_eq!(i.int("g", true, 0, 80), None);
        assert_eq!(i.int("h", true, 0, 80), None);
        assert_eq!(i.int("a", true, 0, 80), None);
        assert_eq!(i.int("b", true, 0, 80), None);
        assert_eq!(i.int("c", true, 0, 80), Some(7));
        assert_eq!(i.int("d", true, 0, 80), None);
        assert_eq!(i.int("e", true, 0, 80), None);
        let body = i.errors.to_json();
        assert_eq!(body["a"][0], NOT_AN_INTEGER);
        assert_eq!(
            body["b"][0],
            "Ensure this value is less than or equal to 80."
        );
        assert_eq!(body["d"][0], NOT_AN_INTEGER);
        assert_eq!(body["e"][0], NOT_NULL);
        assert_eq!(
            body["g"][0],
            "Ensure this value is less than or equal to 80."
        );
        assert_eq!(body["h"][0], NOT_AN_INTEGER);
    }

    #[test]
    fn urls_need_a_scheme_and_a_host() {
        for ok in [
            "http://example.com",
            "https://example.com/a/b?c=d#e",
            "http://localhost:8000/x",
            "http://127.0.0.1/",
            "https://xn--80ak6aa92e.xn--p1ai/",
            "https://cdn.hunarmitra.in/audio/intro.mp3",
        ] {
            assert!(is_valid_url(ok), "{ok}");
        }
        for bad in [
            "http://",
            "http://exa mple.com/",
            "https://example.com/a b",
            "ftp://example.com/",
            "javascript:alert(1)",
            "http://example",
            "http://.com",
            "example.com",
            "http://example.com/\u{0}",
            "http://ex\u{7f}ample.com",
        ] {
            assert!(!is_valid_url(bad), "{bad}");
        }
        let mut i = input(json!({"u": "http://", "v": "", "w": null}));
        assert_eq!(i.url("u", Text::optional(200)), None);
        assert_eq!(i.url("v", Text::optional(200)).as_deref(), Some(""));
        assert_eq!(i.nullable_url("w", 200), Some(None));
        assert_eq!(i.errors.to_json(), json!({"u": [NOT_A_URL]}));
    }

    #[test]
    fn dates_stay_within_years_one_to_9999() {
        let mut i = input(
            json!({"a": "0000-01-01", "b": "-5000-01-01", "c": "2026-02-30", "d": "2026-11-30", "e": ""}),
        );
        assert_eq!(i.date("a"), None);
        assert_eq!(i.date("b"), None);
        assert_eq!(i.date("c"), None);
        assert_eq!(
            i.date("d"),
            Some(chrono::NaiveDate::from_ymd_opt(2026, 11, 30))
        );
        assert_eq!(i.date("e"), Some(None));
        let body = i.errors.to_json();
        for name in ["a", "b", "c"] {
            assert_eq!(body[name][0], DATE_FORMAT, "{name}");
        }
    }

    #[test]
    fn a_reader_that_refuses_silently_is_a_400() {
        struct Silent;
        impl FromInput for Silent {
            fn from_input(_: &mut Input) -> Option<Self> {
                None
            }
        }
        let refused = validate::<Silent>(Map::new()).err();
        assert_eq!(refused.map(|e| e.status()), Some(StatusCode::BAD_REQUEST));
    }
}
