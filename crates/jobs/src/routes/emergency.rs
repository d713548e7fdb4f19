//! Emergency "Help Now" (API §8): anyone asks for help (signed in or not, rate limited), nearby workers
//! are dispatched when auto-assign is on, a notified worker accepts (the first wins) or declines, admins
//! see, edit, escalate and move every request; the sweep escalates what nobody accepted in time
//! (`crate::sweep`). `FEATURE_EMERGENCY=false` makes every endpoint 404. Every change publishes its
//! events (`store::emergency`).

use super::RawBody;
use crate::domain::emergency::{self as rules, EmergencyStatus};
use crate::error::{JobsError, Result};
use crate::store::emergency::{
    self, Created, DispatchLog, Emergency, Filter, Limiter, Requester, Sent, ServiceNamed,
};
use crate::AppState;
use actix_web::HttpRequest;
use hm_platform::auth::{AdminUser, AuthUser, MaybeAuthUser};
use hm_platform::input::{parse, FromInput, Input, Query, Text};
use hm_platform::paging::{NumberedPage, Paging};
use hm_platform::reply::{NoBody, Reply};
use hm_platform::telemetry::RequestId;
use hm_platform::time::render;
use paperclip::actix::{api_v2_operation, web, Apiv2Schema};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use uuid::Uuid;

/// 404 for every emergency endpoint while `FEATURE_EMERGENCY` is off (after authentication, API §1.4).
fn switched_on(state: &AppState) -> Result<()> {
    if state.emergency.enabled {
        Ok(())
    } else {
        Err(JobsError::EmergencyDisabled)
    }
}

/// "Emergency JSON" (API §8) but the assigned worker's phone: what the detail shows too.
#[derive(Debug, Serialize, Apiv2Schema)]
pub struct EmergencyFields {
    pub id: Uuid,
    /// The signed-in user who asked; null for an anonymous request.
    pub created_by: Option<Uuid>,
    pub contact_phone: String,
    /// The workforce site's id.
    pub site: Option<Uuid>,
    /// Decimal (9,6) as a string: `"26.846700"`.
    pub location_lat: String,
    pub location_lng: String,
    pub address_text: String,
    /// The catalog service's id.
    pub service_required: Option<Uuid>,
    pub service_name: Option<String>,
    pub service_description: String,
    /// `low`, `medium` or `high`.
    pub urgency_level: String,
    /// `open`, `dispatched`, `accepted`, `on_the_way`, `resolved` or `cancelled` (DOMAIN §4.7).
    pub status: String,
    /// The worker profile that accepted it.
    pub assigned_worker: Option<Uuid>,
    /// Their full name, else phone.
    pub assigned_worker_name: Option<String>,
    /// The contractor profile it was escalated to.
    pub assigned_contractor: Option<Uuid>,
    /// What the system recorded (DOMAIN §4.7): `dispatch_queued_at`, `candidates_notified`,
    /// `notified_worker_ids`, `dispatch_failed`, `accepted_at`, `status_notes`, `escalation_needed`, …
    pub metadata: Value,
    /// ISO 8601 in the platform's time zone.
    pub created_at: String,
    pub updated_at: String,
}

impl From<&Emergency> for EmergencyFields {
    fn from(e: &Emergency) -> Self {
        EmergencyFields {
            id: e.id,
            created_by: e.created_by,
            contact_phone: e.contact_phone.clone(),
            site: e.site_id,
            location_lat: e.location_lat.clone(),
            location_lng: e.location_lng.clone(),
            address_text: e.address_text.clone(),
            service_required: e.service_id,
            service_name: e.service_name.clone(),
            service_description: e.service_description.clone(),
            urgency_level: e.urgency_level.clone(),
            status: e.status.as_str().to_owned(),
            assigned_worker: e.assigned_worker_id,
            assigned_worker_name: e.assigned_worker_name.clone(),
            assigned_contractor: e.assigned_contractor_id,
            metadata: e.metadata.clone(),
            created_at: render(e.created_at),
            updated_at: render(e.updated_at),
        }
    }
}

/// "Emergency JSON" (API §8).
#[derive(Debug, Serialize, Apiv2Schema)]
pub struct EmergencyView {
    #[serde(flatten)]
    pub fields: EmergencyFields,
    /// The assigned worker's phone.
    pub assigned_worker_phone: Option<String>,
}

impl From<&Emergency> for EmergencyView {
    fn from(e: &Emergency) -> Self {
        EmergencyView {
            fields: EmergencyFields::from(e),
            assigned_worker_phone: e.assigned_worker_phone.clone(),
        }
    }
}

/// A new request (API §8.1): "Emergency JSON" after its dispatch, and how it was handed on.
#[derive(Debug, Serialize, Apiv2Schema)]
pub struct EmergencyCreated {
    #[serde(flatten)]
    pub emergency: EmergencyView,
    /// `queued` (dispatch ran) or `manual` (auto-assign off, or dispatch failed).
    pub dispatch_status: String,
}

impl From<&Created> for EmergencyCreated {
    fn from(c: &Created) -> Self {
        EmergencyCreated {
            emergency: EmergencyView::from(&c.emergency),
            dispatch_status: c.dispatch.as_str().to_owned(),
        }
    }
}

/// A worker a request was dispatched to (DOMAIN §4.8).
#[derive(Debug, Serialize, Apiv2Schema)]
pub struct DispatchLogView {
    pub id: Uuid,
    /// The request's id.
    pub emergency: Uuid,
    /// The request's contact phone.
    pub emergency_contact: String,
    /// The worker profile's id.
    pub worker: Uuid,
    /// Full name, else phone.
    pub worker_name: String,
    pub worker_phone: String,
    /// ISO 8601 in the platform's time zone.
    pub attempt_time: String,
    /// `notified`, `accepted`, `declined` or `timeout`.
    pub status: String,
    /// When the worker answered.
    pub response_time: Option<String>,
    /// What dispatch measured: `distance_km`, `worker_rating`, `search_radius_km`.
    pub raw_response: Value,
}

impl From<&DispatchLog> for DispatchLogView {
    fn from(l: &DispatchLog) -> Self {
        DispatchLogView {
            id: l.id,
            emergency: l.emergency_id,
            emergency_contact: l.emergency_contact.clone(),
            worker: l.worker_id,
            worker_name: l.worker_name.clone(),
            worker_phone: l.worker_phone.clone(),
            attempt_time: render(l.attempt_time),
            status: l.status.as_str().to_owned(),
            response_time: l.response_time.map(render),
            raw_response: l.raw_response.clone(),
        }
    }
}

/// "Emergency detail JSON" (API §8): with its dispatch logs, latest first.
#[derive(Debug, Serialize, Apiv2Schema)]
pub struct EmergencyDetail {
    #[serde(flatten)]
    pub fields: EmergencyFields,
    pub dispatch_logs: Vec<DispatchLogView>,
}

/// A position as sent.
#[derive(Debug, Clone, Copy, Apiv2Schema)]
pub struct LocationInput {
    /// Degrees, −90 to 90 (rounded to 6 decimals).
    pub lat: f64,
    /// Degrees, −180 to 180 (rounded to 6 decimals).
    pub lng: f64,
}

/// A request for help as sent (`None` = not sent; `Some(None)` = sent as null).
#[derive(Debug, Default, Apiv2Schema)]
pub struct EmergencyBody {
    /// The phone to call back (at most 20 characters).
    pub contact_phone: Option<String>,
    /// `{"lat": 26.8467, "lng": 80.9462}` (a JSON object; a form sends it as JSON text).
    pub location: Option<LocationInput>,
    /// Where help is needed.
    pub address: Option<String>,
    /// A catalog service's id.
    pub service_id: Option<Option<Uuid>>,
    /// A service's slug, alias or name, used when no `service_id` is sent.
    pub service_slug: Option<String>,
    pub service_description: Option<String>,
    /// `low`, `medium` or `high` (the default).
    pub urgency_level: Option<String>,
    /// A workforce site's id.
    pub site_id: Option<Option<Uuid>>,
}

/// A UUID field that may be null: `None` not sent (or invalid), `Some(None)` null or blank.
fn nullable_uuid(input: &mut Input, name: &str) -> Option<Option<Uuid>> {
    match input.json(name, false)? {
        Value::Null => Some(None),
        Value::String(s) if s.trim().is_empty() => Some(None),
        _ => input.uuid(name, false).map(Some),
    }
}

/// API §8.1's `location`, with its messages under `location`.
fn location(input: &mut Input, required: bool) -> Option<LocationInput> {
    match input.json("location", required)? {
        Value::Null => {
            input.error("location", hm_platform::input::NOT_NULL);
            None
        }
        value => match rules::location(&value) {
            Ok(p) => Some(LocationInput {
                lat: p.lat,
                lng: p.lng,
            }),
            Err(problems) => {
                for problem in problems {
                    input.error("location", problem);
                }
                None
            }
        },
    }
}

impl EmergencyBody {
    /// Reads the body; `complete` (create, PUT) requires the phone, location and address.
    fn read(input: &mut Input, complete: bool) -> Option<EmergencyBody> {
        // Never blank; required unless patched.
        let text = |max| Text {
            required: complete,
            allow_blank: false,
            min: 0,
            max,
        };
        let urgency = if complete || input.has("urgency_level") {
            input.choice(
                "urgency_level",
                &rules::URGENCIES,
                Some(rules::DEFAULT_URGENCY),
            )
        } else {
            None
        };
        Some(EmergencyBody {
            contact_phone: input.text("contact_phone", text(20)),
            location: location(input, complete),
            address: input.text("address", text(10_000)),
            service_id: nullable_uuid(input, "service_id"),
            service_slug: input
                .text("service_slug", Text::optional(120))
                .filter(|s| !s.is_empty()),
            service_description: input.text("service_description", Text::optional(10_000)),
            urgency_level: urgency,
            site_id: nullable_uuid(input, "site_id"),
        })
    }

    /// What was sent, as the store takes it: a `service_id` wins over a `service_slug`.
    fn sent(self) -> Sent {
        let service = match (self.service_id, self.service_slug) {
            (Some(Some(id)), _) => Some(Some(ServiceNamed::Id(id))),
            (_, Some(slug)) => Some(Some(ServiceNamed::Slug(slug))),
            (Some(None), None) => Some(None),
            (None, None) => None,
        };
        Sent {
            contact_phone: self.contact_phone,
            location: self
                .location
                .map(|p| (format!("{:.6}", p.lat), format!("{:.6}", p.lng))),
            address: self.address,
            service,
            service_description: self.service_description,
            urgency_level: self.urgency_level,
            site_id: self.site_id,
        }
    }
}

/// A whole request (create, PUT).
#[derive(Debug, Apiv2Schema)]
pub struct NewEmergency(EmergencyBody);

impl FromInput for NewEmergency {
    fn from_input(input: &mut Input) -> Option<Self> {
        EmergencyBody::read(input, true).map(NewEmergency)
    }
}

/// Some fields of a request (PATCH).
#[derive(Debug, Apiv2Schema)]
pub struct EmergencyPatch(EmergencyBody);

impl FromInput for EmergencyPatch {
    fn from_input(input: &mut Input) -> Option<Self> {
        EmergencyBody::read(input, false).map(EmergencyPatch)
    }
}

/// Ask for help (API §8.1): public (a valid token links the request to its user). The body is checked,
/// then the rate limit (per user, else contact phone, and per client IP: 429 with `Retry-After: 60`);
/// with `EMERGENCY_AUTO_ASSIGN` the nearest available workers are notified at once.
#[api_v2_operation(tags(Emergency))]
pub async fn create(
    req: HttpRequest,
    state: web::Data<AppState>,
    auth: MaybeAuthUser,
    body: RawBody<NewEmergency>,
) -> Result<Reply<EmergencyCreated, 201>> {
    switched_on(&state)?;
    let NewEmergency(body) = parse(&req, body.0).await?;
    let who = Requester {
        user: auth.0.map(|a| a.id),
        ip: hm_platform::http::client_ip(&req).map(|ip| ip.to_string()),
    };
    let limiter = Limiter {
        redis: &state.redis,
        keys: &state.keys,
    };
    let mut conn = state.db.get().await?;
    let settings = &state.emergency;
    let correlation = RequestId::of(&req);
    let created =
        emergency::create(&mut conn, limiter, settings, who, body.sent(), correlation).await?;
    Ok(Reply::json(EmergencyCreated::from(&created)))
}

#[derive(Debug, Deserialize, Apiv2Schema)]
pub struct ListQuery {
    /// One of the six statuses.
    pub status: Option<String>,
    /// `low`, `medium` or `high`.
    pub urgency_level: Option<String>,
    pub page: Option<String>,
    pub per_page: Option<String>,
}

impl ListQuery {
    /// The filters asked for; a value that is not a choice is refused.
    fn filter(&self) -> Result<Filter> {
        let choice = |field: &'static str, raw: &Option<String>, choices: &[&str]| match raw
            .as_deref()
            .map(str::trim)
            .filter(|v| !v.is_empty())
        {
            None => Ok(None),
            Some(v) if choices.contains(&v) => Ok(Some(v.to_owned())),
            Some(v) => Err(JobsError::InvalidChoice {
                field,
                value: v.to_owned(),
            }),
        };
        Ok(Filter {
            status: choice("status", &self.status, &rules::STATUSES)?,
            urgency_level: choice("urgency_level", &self.urgency_level, &rules::URGENCIES)?,
        })
    }
}

/// The requests the caller sees (admins all; workers those they were notified about or given;
/// contractors those escalated to them; everyone their own), newest first, by `status` and
/// `urgency_level` (P-STD).
#[api_v2_operation(tags(Emergency))]
pub async fn list(
    state: web::Data<AppState>,
    auth: AuthUser,
    query: Query<ListQuery>,
) -> Result<Reply<NumberedPage<EmergencyView>>> {
    switched_on(&state)?;
    let filter = query.filter()?;
    let paging = Paging::parse(query.page.as_deref(), query.per_page.as_deref())?;
    let mut conn = state.db.get().await?;
    let (page, count, rows) = emergency::list(&mut conn, &auth, &filter, &paging).await?;
    let views = rows.iter().map(EmergencyView::from).collect();
    Ok(Reply::json(paging.body(page, count, views)))
}

/// A request the caller sees, with its dispatch logs.
#[api_v2_operation(tags(Emergency))]
pub async fn get(
    state: web::Data<AppState>,
    auth: AuthUser,
    id: web::Path<String>,
) -> Result<Reply<EmergencyDetail>> {
    switched_on(&state)?;
    let mut conn = state.db.get().await?;
    let (found, logs) = emergency::detail(&mut conn, &auth, &id).await?;
    Ok(Reply::json(EmergencyDetail {
        fields: EmergencyFields::from(&found),
        dispatch_logs: logs.iter().map(DispatchLogView::from).collect(),
    }))
}

/// Replace a request's details (admins; the status changes only through `…/status/`).
#[api_v2_operation(tags(Emergency))]
pub async fn replace(
    req: HttpRequest,
    state: web::Data<AppState>,
    _admin: AdminUser,
    id: web::Path<String>,
    body: RawBody<NewEmergency>,
) -> Result<Reply<EmergencyView>> {
    switched_on(&state)?;
    let NewEmergency(body) = parse(&req, body.0).await?;
    let mut conn = state.db.get().await?;
    let edited = emergency::edit(&mut conn, &id, body.sent(), true).await?;
    Ok(Reply::json(EmergencyView::from(&edited)))
}

/// Change some of a request's details (admins; the status changes only through `…/status/`).
#[api_v2_operation(tags(Emergency))]
pub async fn update(
    req: HttpRequest,
    state: web::Data<AppState>,
    _admin: AdminUser,
    id: web::Path<String>,
    body: RawBody<EmergencyPatch>,
) -> Result<Reply<EmergencyView>> {
    switched_on(&state)?;
    let EmergencyPatch(body) = parse(&req, body.0).await?;
    let mut conn = state.db.get().await?;
    let edited = emergency::edit(&mut conn, &id, body.sent(), false).await?;
    Ok(Reply::json(EmergencyView::from(&edited)))
}

/// Delete a request and its dispatch logs (admins).
#[api_v2_operation(tags(Emergency))]
pub async fn delete(
    state: web::Data<AppState>,
    _admin: AdminUser,
    id: web::Path<String>,
) -> Result<Reply<NoBody, 204>> {
    switched_on(&state)?;
    let mut conn = state.db.get().await?;
    emergency::delete(&mut conn, &id).await?;
    Ok(Reply::empty())
}

/// Take a request you were notified about (workers). The first acceptance wins; later ones get 400.
#[api_v2_operation(tags(Emergency))]
pub async fn accept(
    req: HttpRequest,
    state: web::Data<AppState>,
    auth: AuthUser,
    id: web::Path<String>,
) -> Result<Reply<EmergencyView>> {
    switched_on(&state)?;
    let mut conn = state.db.get().await?;
    let accepted = emergency::accept(&mut conn, &auth, &id, RequestId::of(&req)).await?;
    Ok(Reply::json(EmergencyView::from(&accepted)))
}

/// What a decline answers.
#[derive(Debug, Serialize, Apiv2Schema)]
pub struct Declined {
    /// `declined`.
    pub status: &'static str,
    pub emergency_id: Uuid,
}

/// Turn down a request you were notified about (workers); the request itself does not change.
#[api_v2_operation(tags(Emergency))]
pub async fn decline(
    req: HttpRequest,
    state: web::Data<AppState>,
    auth: AuthUser,
    id: web::Path<String>,
) -> Result<Reply<Declined>> {
    switched_on(&state)?;
    let mut conn = state.db.get().await?;
    let emergency_id = emergency::decline(&mut conn, &auth, &id, RequestId::of(&req)).await?;
    Ok(Reply::json(Declined {
        status: "declined",
        emergency_id,
    }))
}

/// `PATCH …/status/`
#[derive(Debug, Apiv2Schema)]
pub struct EmergencyStatusBody {
    /// One of the six statuses; a resolved or cancelled request keeps its status.
    pub status: EmergencyStatus,
    /// Appended to `metadata.status_notes` with who and when.
    pub notes: Option<String>,
}

impl FromInput for EmergencyStatusBody {
    fn from_input(input: &mut Input) -> Option<Self> {
        let status = input.choice("status", &rules::STATUSES, None);
        let notes = input
            .text("notes", Text::optional(10_000))
            .filter(|n| !n.is_empty());
        Some(EmergencyStatusBody {
            status: EmergencyStatus::parse(&status?)?,
            notes,
        })
    }
}

/// Set a request's status (admins), with optional notes.
#[api_v2_operation(tags(Emergency))]
pub async fn status(
    req: HttpRequest,
    state: web::Data<AppState>,
    auth: AuthUser,
    id: web::Path<String>,
    body: RawBody<EmergencyStatusBody>,
) -> Result<Reply<EmergencyView>> {
    switched_on(&state)?;
    emergency::require_admin(&auth)?;
    let EmergencyStatusBody { status, notes } = parse(&req, body.0).await?;
    let mut conn = state.db.get().await?;
    let correlation = RequestId::of(&req);
    let after = emergency::set_status(&mut conn, &auth, &id, status, notes, correlation).await?;
    Ok(Reply::json(EmergencyView::from(&after)))
}

/// `POST …/escalate/`
#[derive(Debug, Apiv2Schema)]
pub struct EscalateBody {
    /// The contractor profile to give the request to (it then sees it); optional.
    pub contractor_id: Option<Uuid>,
}

impl FromInput for EscalateBody {
    fn from_input(input: &mut Input) -> Option<Self> {
        Some(EscalateBody {
            contractor_id: nullable_uuid(input, "contractor_id").flatten(),
        })
    }
}

/// Escalate a request by hand (admins), optionally to a contractor.
#[api_v2_operation(tags(Emergency))]
pub async fn escalate(
    req: HttpRequest,
    state: web::Data<AppState>,
    admin: AdminUser,
    id: web::Path<String>,
    body: RawBody<EscalateBody>,
) -> Result<Reply<EmergencyView>> {
    switched_on(&state)?;
    let EscalateBody { contractor_id } = parse(&req, body.0).await?;
    let mut conn = state.db.get().await?;
    let correlation = RequestId::of(&req);
    let after = emergency::escalate(&mut conn, &admin, &id, contractor_id, correlation).await?;
    Ok(Reply::json(EmergencyView::from(&after)))
}
