//! Ingestion (API §12.1): one event, or `{"events": [...]}` with 1–100, from anyone (a valid token links
//! them to its user). Every event is validated before any is stored; a bulk request is stored whole or
//! not at all, and answered once committed.

use crate::domain::event::{
    payload_size, payload_too_large, BULK_TOO_LARGE, DEFAULT_SOURCE, EMPTY_BULK, MAX_ANONYMOUS_ID,
    MAX_BULK, MAX_EVENT_TYPE, MAX_USER_AGENT, SOURCES,
};
use crate::error::Result;
use crate::store::events::NewEvent;
use crate::AppState;
use actix_web::http::header::{HeaderName, CONTENT_TYPE};
use actix_web::HttpRequest;
use chrono::{DateTime, Utc};
use hm_platform::auth::MaybeAuthUser;
use hm_platform::input::{read_fields, Input, RawBody, Text, NOT_NULL};
use hm_platform::reply::Reply;
use hm_platform::ApiError;
use ipnet::IpNet;
use paperclip::actix::{api_v2_operation, web, Apiv2Schema};
use serde::Serialize;
use serde_json::{json, Map, Value};
use uuid::Uuid;

/// The header an app may send its anonymous id in, when the body has none (API §12.1).
const ANONYMOUS_ID_HEADER: HeaderName = HeaderName::from_static("x-client-anon-id");

/// One event as sent. (Documents the body: `read_event` reads it field by field.)
#[derive(Debug, Apiv2Schema)]
#[allow(dead_code)]
pub struct EventInput {
    /// Required, at most 50 characters, not blank: `page_view`, `booking_created`, `service_search`, …
    pub event_type: String,
    /// At most 255 characters; null or blank allowed. Default: the `X-Client-ANON-ID` header.
    pub anonymous_id: Option<String>,
    /// `web` (default), `android`, `ios`, `kiosk` or `admin`.
    pub source: Option<String>,
    /// Any JSON (default `{}`), at most ANALYTICS_MAX_EVENT_SIZE (2048) bytes as Python's `json.dumps`
    /// writes it (`", "` and `": "` separators, non-ASCII as `\uXXXX`).
    pub payload: Option<Value>,
}

/// One event (the fields of [`EventInput`]), or a bulk request `{"events": [ … ]}` with 1–100 events
/// (chosen when the body has an `events` key). Errors of a bulk request are a list aligned with its
/// events: `{"events": [{}, {"event_type": ["This field is required."]}]}`.
#[derive(Debug, Apiv2Schema)]
#[allow(dead_code)]
pub struct EventsInput {
    pub event_type: Option<String>,
    pub anonymous_id: Option<String>,
    pub source: Option<String>,
    pub payload: Option<Value>,
    /// A bulk request's events (1–100).
    pub events: Option<Vec<EventInput>>,
}

/// What was stored: `event_id` for one event; `events_created` and `event_ids` (in the order sent) for a
/// bulk request.
#[derive(Debug, Serialize, Apiv2Schema)]
pub struct EventsCreated {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub event_id: Option<Uuid>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub events_created: Option<usize>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub event_ids: Option<Vec<Uuid>>,
}

/// What every event of a request shares: its time, who sent it and from where.
struct Sender {
    at: DateTime<Utc>,
    user_id: Option<Uuid>,
    /// The `X-Client-ANON-ID` header, as sent.
    anonymous_id: Option<String>,
    ip_address: Option<IpNet>,
    user_agent: Option<String>,
    max_payload: usize,
}

/// Record app events
///
/// One event → 201 `{"event_id"}`; `{"events": [...]}` (1–100) → 201 `{"events_created", "event_ids"}`.
/// Public; a valid bearer token links the events to its user (a bad one is a 401). The client's address
/// (the gateway's `X-Forwarded-For`) and `User-Agent` (500 characters) are recorded. With
/// `ANALYTICS_ENABLED=false`: 204, nothing stored.
#[api_v2_operation(tags(Analytics))]
pub async fn ingest(
    req: HttpRequest,
    state: web::Data<AppState>,
    auth: MaybeAuthUser,
    body: RawBody<EventsInput>,
) -> Result<Reply<EventsCreated, 201, 204>> {
    if !state.config.enabled {
        return Ok(Reply::also_build(|res| res.finish()));
    }
    let fields = read_fields(req.headers().get(CONTENT_TYPE), body.0).await?;
    let sender = Sender::of(&req, &auth, state.config.max_event_size);
    let is_bulk = fields.contains_key("events");
    let events = if is_bulk {
        bulk(fields, &sender)?
    } else {
        vec![single(fields, &sender)?]
    };
    let ids: Vec<Uuid> = events.iter().map(|e| e.id).collect();
    state.writer.write(events).await?;
    Ok(Reply::json(EventsCreated::of(is_bulk, ids)))
}

impl Sender {
    /// What the request says of its sender; payloads up to `max_payload` bytes.
    fn of(req: &HttpRequest, auth: &MaybeAuthUser, max_payload: usize) -> Sender {
        Sender {
            at: Utc::now(),
            user_id: auth.0.as_ref().map(|a| a.id),
            anonymous_id: req
                .headers()
                .get(ANONYMOUS_ID_HEADER)
                .map(|v| String::from_utf8_lossy(v.as_bytes()).trim().to_owned())
                .filter(|v| !v.is_empty()),
            ip_address: hm_platform::http::client_ip(req).map(IpNet::from),
            user_agent: Some(hm_platform::http::user_agent(req, MAX_USER_AGENT))
                .filter(|ua| !ua.is_empty()),
            max_payload,
        }
    }
}

impl EventsCreated {
    /// The answer: `event_id` for one event, `events_created` and `event_ids` for a bulk request.
    fn of(bulk: bool, ids: Vec<Uuid>) -> EventsCreated {
        if bulk {
            EventsCreated {
                event_id: None,
                events_created: Some(ids.len()),
                event_ids: Some(ids),
            }
        } else {
            EventsCreated {
                event_id: ids.first().copied(),
                events_created: None,
                event_ids: None,
            }
        }
    }
}

/// The one event of a single body, or its field errors.
fn single(fields: Map<String, Value>, sender: &Sender) -> std::result::Result<NewEvent, ApiError> {
    let mut input = Input::new(fields);
    let event = read_event(&mut input, sender);
    input.finish()?;
    event.ok_or_else(invalid)
}

/// A reader that refused without saying why (a bug of ours): still the client's 400, not a 500.
fn invalid() -> ApiError {
    ApiError::fields(hm_platform::error::FieldErrors::single(
        "non_field_errors",
        "Invalid data.",
    ))
}

/// The events of a bulk body, or its errors: under `events`, one message for the list itself, or a list
/// aligned with the items (`{}` for a valid one).
fn bulk(
    mut fields: Map<String, Value>,
    sender: &Sender,
) -> std::result::Result<Vec<NewEvent>, ApiError> {
    let refuse = |message: String| {
        ApiError::body(
            actix_web::http::StatusCode::BAD_REQUEST,
            json!({ "events": [message] }),
        )
    };
    let items = match fields.remove("events") {
        Some(Value::Array(items)) => items,
        Some(Value::Null) => return Err(refuse(NOT_NULL.into())),
        Some(other) => {
            return Err(refuse(format!(
                "Expected a list of items but got type \"{}\".",
                python_type(&other)
            )))
        }
        None => Vec::new(),
    };
    if items.is_empty() {
        return Err(refuse(EMPTY_BULK.into()));
    }
    if items.len() > MAX_BULK {
        return Err(refuse(BULK_TOO_LARGE.into()));
    }
    let mut events = Vec::with_capacity(items.len());
    let mut errors = Vec::with_capacity(items.len());
    let mut failed = false;
    for item in items {
        let Value::Object(item) = item else {
            failed = true;
            errors.push(json!({"non_field_errors": [format!(
                "Invalid data. Expected a dictionary, but got {}.",
                python_type(&item)
            )]}));
            continue;
        };
        let mut input = Input::new(item);
        let event = read_event(&mut input, sender);
        match (input.finish(), event) {
            (Ok(()), Some(event)) => {
                events.push(event);
                errors.push(json!({}));
            }
            (Err(e), _) => {
                failed = true;
                errors.push(e.json_body().cloned().unwrap_or_else(|| json!({})));
            }
            (Ok(()), None) => return Err(invalid()),
        }
    }
    if failed {
        return Err(ApiError::body(
            actix_web::http::StatusCode::BAD_REQUEST,
            json!({ "events": errors }),
        ));
    }
    Ok(events)
}

/// The name Python gives a JSON value's type (DRF's messages quote it).
fn python_type(value: &Value) -> &'static str {
    match value {
        Value::Null => "NoneType",
        Value::Bool(_) => "bool",
        Value::Number(n) if n.is_f64() => "float",
        Value::Number(_) => "int",
        Value::String(_) => "str",
        Value::Array(_) => "list",
        Value::Object(_) => "dict",
    }
}

/// One event's fields (problems recorded in `input`), with what its request shares.
fn read_event(input: &mut Input, sender: &Sender) -> Option<NewEvent> {
    let event_type = input.text("event_type", Text::required(MAX_EVENT_TYPE));
    let sent_anonymous = if input.json("anonymous_id", false) == Some(Value::Null) {
        None
    } else {
        input
            .text("anonymous_id", Text::optional(MAX_ANONYMOUS_ID))
            .filter(|id| !id.is_empty())
    };
    let anonymous_id = match sent_anonymous {
        Some(id) => Some(id),
        None => match &sender.anonymous_id {
            Some(id) if id.chars().count() > MAX_ANONYMOUS_ID => {
                input.error(
                    "anonymous_id",
                    format!("Ensure this field has no more than {MAX_ANONYMOUS_ID} characters."),
                );
                None
            }
            other => other.clone(),
        },
    };
    let source = input.choice("source", &SOURCES, Some(DEFAULT_SOURCE));
    let payload = match input.json("payload", false) {
        None => Some(Value::Object(Map::new())),
        Some(Value::Null) => {
            input.error("payload", NOT_NULL);
            None
        }
        Some(payload) => {
            let size = payload_size(&payload);
            if size > sender.max_payload {
                input.error("payload", payload_too_large(size, sender.max_payload));
                None
            } else {
                Some(payload)
            }
        }
    };
    Some(NewEvent {
        id: Uuid::new_v4(),
        created_at: sender.at,
        user_id: sender.user_id,
        anonymous_id,
        event_type: event_type?,
        source: source?,
        payload: payload?,
        ip_address: sender.ip_address,
        user_agent: sender.user_agent.clone(),
    })
}
