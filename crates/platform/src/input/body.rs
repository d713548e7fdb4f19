//! The three encodings of a request body (API §1.2): JSON, `application/x-www-form-urlencoded` and
//! `multipart/form-data`, read into one field map; and the rules every submitted string obeys whatever
//! its field (issue #15): no NUL character, in a value or a key, at any depth.

use crate::error::{ApiError, FieldErrors};
use actix_web::http::header::{HeaderMap, HeaderValue, CONTENT_TYPE};
use actix_web::http::StatusCode;
use actix_web::web::Bytes;
use futures_util::StreamExt;
use serde_json::{Map, Value};

/// DRF's message for a string holding U+0000 (which PostgreSQL cannot store in text or jsonb).
pub const NULL_CHARACTERS: &str = "Null characters are not allowed.";

/// Parses a body by its content type (`content_type` is the header as sent) into a field map.
///
/// Errors: 400 `{"detail":"JSON parse error - …"}` / `Form parse error` / `Multipart parse error`,
/// 400 V `non_field_errors` for a JSON body that is not an object, 400 V `{field: [NULL_CHARACTERS]}`,
/// 415 `Unsupported media type "<type>" in request.`
pub async fn read_fields(
    content_type: Option<&HeaderValue>,
    bytes: Bytes,
) -> Result<Map<String, Value>, ApiError> {
    let raw_type = content_type.and_then(|v| v.to_str().ok()).unwrap_or("");
    let mime = raw_type
        .split(';')
        .next()
        .map(|m| m.trim().to_ascii_lowercase())
        .unwrap_or_default();
    let fields = match mime.as_str() {
        "" if content_type.is_none() && bytes.iter().all(u8::is_ascii_whitespace) => Map::new(),
        "application/json" => parse_json(&bytes)?,
        m if m.starts_with("application/") && m.ends_with("+json") => parse_json(&bytes)?,
        "application/x-www-form-urlencoded" => parse_form(&bytes)?,
        "multipart/form-data" => match content_type {
            Some(value) => parse_multipart(value, bytes).await?,
            None => return Err(unsupported(raw_type)),
        },
        _ => return Err(unsupported(raw_type)),
    };
    refuse_null_characters(&fields)?;
    Ok(fields)
}

fn unsupported(content_type: &str) -> ApiError {
    ApiError::detail(
        StatusCode::UNSUPPORTED_MEDIA_TYPE,
        format!("Unsupported media type \"{content_type}\" in request."),
    )
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

fn parse_form(bytes: &[u8]) -> Result<Map<String, Value>, ApiError> {
    let pairs: Vec<(String, String)> = serde_urlencoded::from_bytes(bytes).map_err(|e| {
        ApiError::detail(StatusCode::BAD_REQUEST, format!("Form parse error - {e}"))
    })?;
    let mut fields = Map::new();
    for (name, value) in pairs {
        add_form_value(&mut fields, name, value);
    }
    Ok(fields)
}

/// A repeated form field is a list (`skills=a&skills=b`), as a multi-valued form field is in DRF.
fn add_form_value(fields: &mut Map<String, Value>, name: String, value: String) {
    match fields.get_mut(&name) {
        None => {
            fields.insert(name, Value::String(value));
        }
        Some(Value::Array(items)) => items.push(Value::String(value)),
        Some(first) => {
            let first = first.take();
            fields.insert(name, Value::Array(vec![first, Value::String(value)]));
        }
    }
}

/// The text parts of a multipart body, as a form's fields. File parts are not fields of a flat body and
/// are skipped (uploads have their own endpoints that stream them).
async fn parse_multipart(
    content_type: &HeaderValue,
    bytes: Bytes,
) -> Result<Map<String, Value>, ApiError> {
    let bad = |e: &dyn std::fmt::Display| {
        ApiError::detail(
            StatusCode::BAD_REQUEST,
            format!("Multipart form parse error - {e}"),
        )
    };
    let mut headers = HeaderMap::new();
    headers.insert(CONTENT_TYPE, content_type.clone());
    let stream =
        futures_util::stream::once(async move { Ok::<_, actix_web::error::PayloadError>(bytes) });
    let mut multipart = actix_multipart::Multipart::new(&headers, stream);
    let mut fields = Map::new();
    while let Some(part) = multipart.next().await {
        let mut part = part.map_err(|e| bad(&e))?;
        let (name, is_file) = match part.content_disposition() {
            Some(cd) => (
                cd.get_name().map(str::to_owned),
                cd.get_filename().is_some(),
            ),
            None => (None, false),
        };
        let mut value = Vec::new();
        while let Some(chunk) = part.next().await {
            value.extend_from_slice(&chunk.map_err(|e| bad(&e))?);
        }
        let Some(name) = name.filter(|_| !is_file) else {
            continue;
        };
        match String::from_utf8(value) {
            Ok(text) => add_form_value(&mut fields, name, text),
            Err(_) => {
                return Err(ApiError::fields(FieldErrors::single(
                    &name,
                    "Not a valid string.",
                )))
            }
        }
    }
    Ok(fields)
}

/// 400 `{field: ["Null characters are not allowed."]}` for every top-level field whose name, value, or
/// any nested key or string holds U+0000.
pub fn refuse_null_characters(fields: &Map<String, Value>) -> Result<(), ApiError> {
    let mut errors = FieldErrors::default();
    for (name, value) in fields {
        if name.contains('\0') {
            errors.add("non_field_errors", NULL_CHARACTERS);
        } else if holds_null_character(value) {
            errors.add(name, NULL_CHARACTERS);
        }
    }
    if errors.is_empty() {
        Ok(())
    } else {
        Err(ApiError::fields(errors))
    }
}

fn holds_null_character(value: &Value) -> bool {
    match value {
        Value::String(s) => s.contains('\0'),
        Value::Array(items) => items.iter().any(holds_null_character),
        Value::Object(map) => map
            .iter()
            .any(|(k, v)| k.contains('\0') || holds_null_character(v)),
        Value::Null | Value::Bool(_) | Value::Number(_) => false,
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

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    async fn read(content_type: &str, body: &'static [u8]) -> Result<Map<String, Value>, ApiError> {
        let header = HeaderValue::from_str(content_type).ok();
        read_fields(header.as_ref(), Bytes::from_static(body)).await
    }

    async fn refusal(content_type: &str, body: &'static [u8]) -> Option<Value> {
        read(content_type, body)
            .await
            .err()
            .and_then(|e| e.json_body().cloned())
    }

    #[tokio::test]
    async fn bodies_by_content_type() {
        let json = read("application/json", b"{\"a\":1}").await.ok();
        assert_eq!(json.map(|m| m.len()), Some(1));
        let form = read(
            "application/x-www-form-urlencoded",
            b"phone=%2B91&role=worker&skills=a&skills=b",
        )
        .await
        .ok();
        assert_eq!(
            form.map(Value::Object),
            Some(json!({"phone": "+91", "role": "worker", "skills": ["a", "b"]}))
        );
        let bad = read("application/json", b"{oops").await.err();
        assert_eq!(bad.map(|e| e.status()), Some(StatusCode::BAD_REQUEST));
        assert_eq!(
            refusal("application/json", b"[1]").await,
            Some(
                json!({"non_field_errors": ["Invalid data. Expected a dictionary, but got list."]})
            )
        );
        let xml = read("text/xml", b"<a/>").await.err();
        assert_eq!(
            xml.map(|e| e.status()),
            Some(StatusCode::UNSUPPORTED_MEDIA_TYPE)
        );
    }

    #[tokio::test]
    async fn multipart_text_parts_are_fields_and_files_are_skipped() {
        let body = b"--XyZ\r\nContent-Disposition: form-data; name=\"phone\"\r\n\r\n+919876543210\r\n\
--XyZ\r\nContent-Disposition: form-data; name=\"role\"\r\n\r\nworker\r\n\
--XyZ\r\nContent-Disposition: form-data; name=\"photo\"; filename=\"a.png\"\r\nContent-Type: image/png\r\n\r\nPNG\r\n\
--XyZ--\r\n";
        let fields = read("multipart/form-data; boundary=XyZ", body).await.ok();
        assert_eq!(
            fields.map(Value::Object),
            Some(json!({"phone": "+919876543210", "role": "worker"}))
        );
        let broken = read("multipart/form-data; boundary=XyZ", b"--XyZ\r\nnonsense")
            .await
            .err();
        assert_eq!(broken.map(|e| e.status()), Some(StatusCode::BAD_REQUEST));
    }

    #[tokio::test]
    async fn null_characters_are_refused_at_any_depth_in_every_encoding() {
        let body =
            br#"{"bio":"a\u0000b","metadata":{"k":["x\u0000"]},"data":{"a\u0000":1},"ok":"fine"}"#;
        assert_eq!(
            refusal("application/json", body).await,
            Some(json!({
                "bio": [NULL_CHARACTERS],
                "data": [NULL_CHARACTERS],
                "metadata": [NULL_CHARACTERS],
            }))
        );
        assert_eq!(
            refusal("application/x-www-form-urlencoded", b"name=a%00b").await,
            Some(json!({"name": [NULL_CHARACTERS]}))
        );
        let multipart =
            b"--B\r\nContent-Disposition: form-data; name=\"notes\"\r\n\r\na\0b\r\n--B--\r\n";
        assert_eq!(
            refusal("multipart/form-data; boundary=B", multipart).await,
            Some(json!({"notes": [NULL_CHARACTERS]}))
        );
    }
}
