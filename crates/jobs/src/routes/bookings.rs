//! Bookings (API §7.1–7.5): a customer books a service, cash first; the owner, the assigned worker and
//! admins see it; contractors and admins assign a worker; the status machine of DOMAIN §4.3 decides every
//! status change, one at a time per booking (row lock). Every change publishes its events.

use super::{resolve, ServiceRef};
use crate::domain::booking::{self, Standing};
use crate::error::{JobsError, Result};
use crate::events::{self, Actor};
use crate::store::bookings::{self, Booking, Editable, Payment};
use crate::store::refs::{self, Profile};
use crate::AppState;
use actix_web::http::StatusCode;
use actix_web::HttpRequest;
use chrono::{DateTime, Utc};
use diesel_async::scoped_futures::ScopedFutureExt;
use diesel_async::{AsyncConnection, AsyncPgConnection};
use hm_contracts::events::types;
use hm_contracts::Role;
use hm_platform::auth::AuthUser;
use hm_platform::events::enqueue;
use hm_platform::input::Query;
use hm_platform::input::{Decimal, FromInput, Input, Text, Valid};
use hm_platform::paging::{drf_body, drf_page, LinkedPage, DRF_PAGE_SIZE};
use hm_platform::reply::NoBody;
use hm_platform::reply::Reply;
use hm_platform::telemetry::RequestId;
use hm_platform::time::render;
use hm_platform::ApiError;
use paperclip::actix::{api_v2_operation, web, Apiv2Schema};
use paperclip::v2::models::{DataType, DataTypeFormat, DefaultSchemaRaw};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use uuid::Uuid;

/// "Booking write JSON" (API §7): the answer to create and edit.
#[derive(Debug, Serialize, Apiv2Schema)]
pub struct BookingView {
    pub id: Uuid,
    /// The catalog service's id.
    pub service: Uuid,
    pub address: String,
    /// Decimal (9,6) as a string: `"19.076000"`.
    pub lat: Option<String>,
    pub lng: Option<String>,
    /// ISO 8601 in the platform's time zone: `2026-01-03T16:20:05+05:30`.
    pub preferred_time: Option<String>,
    pub notes: Option<String>,
    /// Rupees, decimal (10,2) as a string: `"450.00"`.
    pub estimated_price: Option<String>,
    /// One of the seven booking statuses (DOMAIN §4.3).
    pub status: String,
    /// `cash`, `online` or `none`.
    pub payment_method: String,
    /// `pending`, `paid`, `failed` or `n/a`.
    pub payment_status: String,
    /// Why the payment method differs from the one asked for (online payments off).
    pub payment_note: Option<String>,
    pub created_at: String,
}

impl From<&Booking> for BookingView {
    fn from(b: &Booking) -> Self {
        BookingView {
            id: b.id,
            service: b.service_id,
            address: b.address.clone(),
            lat: b.lat.clone(),
            lng: b.lng.clone(),
            preferred_time: b.preferred_time.map(render),
            notes: b.notes.clone(),
            estimated_price: b.estimated_price.clone(),
            status: b.status.clone(),
            payment_method: b.payment_method.clone(),
            payment_status: b.payment_status.clone(),
            payment_note: b.payment_note.clone(),
            created_at: render(b.created_at),
        }
    }
}

/// A booking's customer, as identity last announced them.
#[derive(Debug, Serialize, Apiv2Schema)]
pub struct BookingCustomer {
    pub id: Uuid,
    /// Blank when unknown.
    pub phone: String,
    /// `worker`, `contractor`, `employer` or `admin`; blank when unknown.
    pub role: String,
    pub first_name: String,
    pub last_name: String,
    /// Always null: jobs does not know it.
    pub email: Option<String>,
    /// Always blank.
    pub profile_picture: String,
    /// Always true (a customer signed in with their phone).
    pub is_phone_verified: bool,
    pub is_active: bool,
    /// ISO 8601 in the platform's time zone; null when unknown.
    pub date_joined: Option<String>,
}

/// A booking's worker: "WorkerProfile JSON" (API §5) as workforce last announced it, or, before it
/// announced one, what jobs knows of the profile.
#[derive(Debug, Serialize)]
#[serde(untagged)]
pub enum BookingWorker {
    /// The profile as workforce's last `workforce.worker.*` event carried it.
    Profile(Value),
    /// The profile's id, its user and their name (null when identity has not announced them).
    Known {
        id: Uuid,
        user: Option<Uuid>,
        user_name: Option<String>,
    },
}

impl paperclip::v2::schema::Apiv2Schema for BookingWorker {
    fn name() -> Option<String> {
        Some("BookingWorker".into())
    }

    fn description() -> &'static str {
        "A booking's worker: \"WorkerProfile JSON\" (API §5) as workforce last announced it, or, \
         before it announced one, the profile's `id`, `user` and `user_name` only."
    }

    /// An object with at least the three fields both forms have.
    fn raw_schema() -> DefaultSchemaRaw {
        let field = |format: Option<DataTypeFormat>, description: &str| {
            Box::new(DefaultSchemaRaw {
                data_type: Some(DataType::String),
                format,
                description: Some(description.to_owned()),
                ..Default::default()
            })
        };
        let mut schema = DefaultSchemaRaw {
            name: Self::name(),
            description: Some(Self::description().to_owned()),
            data_type: Some(DataType::Object),
            ..Default::default()
        };
        schema.properties.insert(
            "id".into(),
            field(Some(DataTypeFormat::Uuid), "The worker profile's id."),
        );
        schema.properties.insert(
            "user".into(),
            field(Some(DataTypeFormat::Uuid), "The worker's user id."),
        );
        schema.properties.insert(
            "user_name".into(),
            field(None, "The worker's full name, else phone."),
        );
        schema.required.insert("id".into());
        schema
    }
}

/// A booking's service, as catalog last announced it.
#[derive(Debug, Serialize, Apiv2Schema)]
pub struct BookingService {
    pub id: Uuid,
    pub slug: String,
    pub name: String,
    pub title_en: String,
    pub display_order: i32,
}

/// "Booking detail JSON" (API §7): with the customer, the worker's profile and the service.
#[derive(Debug, Serialize, Apiv2Schema)]
pub struct BookingDetail {
    pub id: Uuid,
    pub user: BookingCustomer,
    /// Null until a worker is assigned.
    pub worker: Option<BookingWorker>,
    pub service: BookingService,
    pub address: String,
    /// Decimal (9,6) as a string: `"19.076000"`.
    pub lat: Option<String>,
    pub lng: Option<String>,
    /// ISO 8601 in the platform's time zone: `2026-01-03T16:20:05+05:30`.
    pub preferred_time: Option<String>,
    pub notes: Option<String>,
    /// Rupees, decimal (10,2) as a string: `"450.00"`.
    pub estimated_price: Option<String>,
    /// One of the seven booking statuses (DOMAIN §4.3).
    pub status: String,
    /// Minutes until the worker arrives.
    pub eta_minutes: Option<i32>,
    pub tracking_url: Option<String>,
    /// `cash`, `online` or `none`.
    pub payment_method: String,
    /// `pending`, `paid`, `failed` or `n/a`.
    pub payment_status: String,
    /// Why the payment method differs from the one asked for (online payments off).
    pub payment_note: Option<String>,
    pub created_at: String,
    pub updated_at: String,
}

impl From<&Booking> for BookingDetail {
    fn from(b: &Booking) -> Self {
        let worker = match (b.worker_id, &b.worker_profile) {
            (None, _) => None,
            (Some(_), Some(profile)) => Some(BookingWorker::Profile(profile.clone())),
            (Some(id), None) => Some(BookingWorker::Known {
                id,
                user: b.worker_user_id,
                user_name: b.worker_name.clone(),
            }),
        };
        BookingDetail {
            id: b.id,
            user: BookingCustomer {
                id: b.user_id,
                phone: b.user_phone.clone(),
                role: b.user_role.clone(),
                first_name: b.user_first_name.clone(),
                last_name: b.user_last_name.clone(),
                email: None,
                profile_picture: String::new(),
                is_phone_verified: true,
                is_active: b.user_is_active,
                date_joined: b.user_joined.map(render),
            },
            worker,
            service: BookingService {
                id: b.service_id,
                slug: b.service_slug.clone(),
                name: b.service_name.clone(),
                title_en: b.service_title_en.clone(),
                display_order: b.service_display_order,
            },
            address: b.address.clone(),
            lat: b.lat.clone(),
            lng: b.lng.clone(),
            preferred_time: b.preferred_time.map(render),
            notes: b.notes.clone(),
            estimated_price: b.estimated_price.clone(),
            status: b.status.clone(),
            eta_minutes: b.eta_minutes,
            tracking_url: b.tracking_url.clone(),
            payment_method: b.payment_method.clone(),
            payment_status: b.payment_status.clone(),
            payment_note: b.payment_note.clone(),
            created_at: render(b.created_at),
            updated_at: render(b.updated_at),
        }
    }
}

fn error(status: StatusCode, message: impl Into<String>) -> JobsError {
    ApiError::error(status, message).into()
}

/// The writable fields as sent (`None` = not sent; `Some(None)` = sent as null).
#[derive(Debug, Default, Apiv2Schema)]
pub struct BookingBody {
    /// The catalog service: its id, or its slug, name or alias (`plumber`, `Plumbing`).
    pub service: Option<ServiceRef>,
    pub address: Option<String>,
    /// Decimal (9,6).
    pub lat: Option<Option<String>>,
    pub lng: Option<Option<String>>,
    pub preferred_time: Option<Option<DateTime<Utc>>>,
    pub notes: Option<Option<String>>,
    /// Decimal (10,2).
    pub estimated_price: Option<Option<String>>,
    /// Create only: `cash` (default), `online` or `none`.
    pub payment_method: Option<String>,
}

impl BookingBody {
    fn read(input: &mut Input, complete: bool) -> Option<BookingBody> {
        let address = input.text(
            "address",
            if complete {
                Text::required(512)
            } else {
                Text::optional(512)
            },
        );
        let notes = match input.json("notes", false) {
            None => None,
            Some(Value::Null) => Some(None),
            Some(_) => input.text("notes", Text::optional(10_000)).map(Some),
        };
        let payment_method = if input.has("payment_method") {
            input.choice("payment_method", &booking::PAYMENT_METHODS, None)
        } else {
            None
        };
        Some(BookingBody {
            service: ServiceRef::read(input, complete),
            address,
            lat: input.nullable_decimal("lat", Decimal::LATITUDE),
            lng: input.nullable_decimal("lng", Decimal::LONGITUDE),
            preferred_time: input.datetime("preferred_time"),
            notes,
            estimated_price: input.nullable_decimal("estimated_price", Decimal::AMOUNT),
            payment_method,
        })
    }

    /// `base` with what was sent; `service` is the id the body's `service` names.
    fn apply(self, base: Editable, service: Option<Uuid>) -> Editable {
        Editable {
            service_id: service.unwrap_or(base.service_id),
            address: self.address.unwrap_or(base.address),
            lat: self.lat.unwrap_or(base.lat),
            lng: self.lng.unwrap_or(base.lng),
            preferred_time: self.preferred_time.unwrap_or(base.preferred_time),
            notes: self.notes.unwrap_or(base.notes),
            estimated_price: self.estimated_price.unwrap_or(base.estimated_price),
        }
    }
}

/// A whole booking (create, PUT).
#[derive(Debug, Apiv2Schema)]
pub struct NewBooking(BookingBody);

impl FromInput for NewBooking {
    fn from_input(input: &mut Input) -> Option<Self> {
        BookingBody::read(input, true).map(NewBooking)
    }
}

/// Some fields of a booking (PATCH).
#[derive(Debug, Apiv2Schema)]
pub struct BookingPatch(BookingBody);

impl FromInput for BookingPatch {
    fn from_input(input: &mut Input) -> Option<Self> {
        BookingBody::read(input, false).map(BookingPatch)
    }
}

/// The caller, as events name them.
async fn actor(conn: &mut AsyncPgConnection, auth: &AuthUser) -> Result<Actor> {
    Ok(Actor {
        id: auth.id,
        name: refs::display_name(conn, auth.id).await?,
    })
}

/// What the caller is to the booking.
fn standing(auth: &AuthUser, b: &Booking) -> Standing {
    Standing {
        owner: auth.id == b.user_id,
        assigned_worker: b.worker_user_id == Some(auth.id),
        contractor: auth.role == Role::Contractor,
        admin: auth.is_admin(),
    }
}

/// The booking, if the caller may see it (owner, assigned worker, admin); else 404 as if absent.
async fn visible(conn: &mut AsyncPgConnection, auth: &AuthUser, id: &str) -> Result<Booking> {
    let id = Uuid::parse_str(id).map_err(|_| ApiError::not_found())?;
    bookings::by_id(conn, id)
        .await?
        .filter(|b| {
            let s = standing(auth, b);
            s.owner || s.assigned_worker || s.admin
        })
        .ok_or_else(|| ApiError::no_match("Booking").into())
}

#[derive(Debug, Deserialize, Apiv2Schema)]
pub struct PageQuery {
    pub page: Option<String>,
}

/// The caller's bookings (owned or assigned; admins all), newest first (P-DRF).
#[api_v2_operation(tags(Bookings))]
pub async fn list(
    req: HttpRequest,
    state: web::Data<AppState>,
    auth: AuthUser,
    query: Query<PageQuery>,
) -> Result<Reply<LinkedPage<BookingDetail>>> {
    let scope = (!auth.is_admin()).then_some(auth.id);
    let mut conn = state.db.get().await?;
    let (_, count) = bookings::visible_page(&mut conn, scope, 0, 0).await?;
    let page = drf_page(query.page.as_deref(), count)?;
    let (rows, count) =
        bookings::visible_page(&mut conn, scope, DRF_PAGE_SIZE, (page - 1) * DRF_PAGE_SIZE).await?;
    Ok(Reply::json(drf_body(
        &req,
        page,
        count,
        rows.iter().map(BookingDetail::from).collect(),
    )))
}

#[api_v2_operation(tags(Bookings))]
pub async fn get(
    state: web::Data<AppState>,
    auth: AuthUser,
    id: web::Path<String>,
) -> Result<Reply<BookingDetail>> {
    let mut conn = state.db.get().await?;
    Ok(Reply::json(BookingDetail::from(
        &visible(&mut conn, &auth, &id).await?,
    )))
}

/// Book a service. Cash first: `online` while online payments are off becomes cash, with a note; no
/// payment is created here (DOMAIN §4.3).
#[api_v2_operation(tags(Bookings))]
pub async fn create(
    req: HttpRequest,
    state: web::Data<AppState>,
    auth: AuthUser,
    body: Valid<NewBooking>,
) -> Result<Reply<BookingView, 201>> {
    let Valid(NewBooking(body)) = body;
    let (method, pay_status, note) =
        booking::payment_terms(body.payment_method.as_deref(), state.enable_payments);
    let mut conn = state.db.get().await?;
    // A name is resolved first; an id is checked by the insert itself.
    let service = match &body.service {
        Some(s) if Uuid::parse_str(&s.0).is_err() => Some(s.id(&mut conn).await?),
        Some(s) => Uuid::parse_str(&s.0).ok(),
        None => None,
    };
    let fields = body.apply(Editable::default(), service);
    let (id, service, correlation) = (Uuid::new_v4(), fields.service_id, RequestId::of(&req));
    let conn: &mut AsyncPgConnection = &mut conn;
    // One insert that also checks the service, one read of what the client and the event show.
    let created = conn
        .transaction(|conn| {
            async move {
                let pay = Payment {
                    method,
                    status: pay_status,
                    note,
                };
                if !bookings::insert(conn, id, auth.id, &fields, pay).await? {
                    return Err(super::unknown_service(service));
                }
                let created = bookings::by_id(conn, id)
                    .await?
                    .ok_or(diesel::result::Error::NotFound)?;
                let owner = Actor {
                    id: created.user_id,
                    name: created.user_name.clone(),
                };
                enqueue(
                    conn,
                    events::booking(types::BOOKING_CREATED, &created, None, &owner, correlation),
                )
                .await?;
                Ok::<_, JobsError>(created)
            }
            .scope_boxed()
        })
        .await?;
    Ok(Reply::json(BookingView::from(&created)))
}

async fn change(
    state: &AppState,
    auth: &AuthUser,
    id: &str,
    body: BookingBody,
    full: bool,
) -> Result<Reply<BookingView>> {
    let mut conn = state.db.get().await?;
    let seen = visible(&mut conn, auth, id).await?;
    auth.require_owner_or_admin(seen.user_id)?;
    let conn: &mut AsyncPgConnection = &mut conn;
    let updated = conn
        .transaction(|conn| {
            async move {
                // Locked, then checked: a status change racing this edit is decided wholly before
                // or after it, never between the check and the write.
                let current = bookings::lock(conn, seen.id)
                    .await?
                    .ok_or_else(|| ApiError::no_match("Booking"))?;
                if !matches!(current.status.as_str(), "requested" | "confirmed") {
                    return Err(error(
                        StatusCode::BAD_REQUEST,
                        format!(
                            "This booking is {} and can no longer be edited.",
                            current.status
                        ),
                    ));
                }
                let base = if full {
                    Editable::default()
                } else {
                    Editable::of(&current)
                };
                let service = resolve(conn, &body.service).await?;
                let fields = body.apply(base, service);
                bookings::update(conn, current.id, &fields).await?;
                bookings::by_id(conn, current.id)
                    .await?
                    .ok_or_else(|| JobsError::from(ApiError::no_match("Booking")))
            }
            .scope_boxed()
        })
        .await?;
    Ok(Reply::json(BookingView::from(&updated)))
}

/// Replace a booking's details (owner or admin, while requested or confirmed).
#[api_v2_operation(tags(Bookings))]
pub async fn replace(
    state: web::Data<AppState>,
    auth: AuthUser,
    id: web::Path<String>,
    body: Valid<NewBooking>,
) -> Result<Reply<BookingView>> {
    let Valid(NewBooking(body)) = body;
    change(&state, &auth, &id, body, true).await
}

/// Change some of a booking's details (owner or admin, while requested or confirmed).
#[api_v2_operation(tags(Bookings))]
pub async fn update(
    state: web::Data<AppState>,
    auth: AuthUser,
    id: web::Path<String>,
    body: Valid<BookingPatch>,
) -> Result<Reply<BookingView>> {
    let Valid(BookingPatch(body)) = body;
    change(&state, &auth, &id, body, false).await
}

/// Delete a booking (owner or admin); cancelling is usually the better choice.
#[api_v2_operation(tags(Bookings))]
pub async fn delete(
    state: web::Data<AppState>,
    auth: AuthUser,
    id: web::Path<String>,
) -> Result<Reply<NoBody, 204>> {
    let mut conn = state.db.get().await?;
    let current = visible(&mut conn, &auth, &id).await?;
    auth.require_owner_or_admin(current.user_id)?;
    bookings::delete(&mut conn, current.id).await?;
    Ok(Reply::empty())
}

/// `PATCH …/status/`
#[derive(Debug, Apiv2Schema)]
pub struct StatusBody {
    /// One of the seven booking statuses.
    pub status: String,
    /// Minutes until the worker arrives; null clears it.
    pub eta_minutes: Option<Option<i32>>,
}

impl FromInput for StatusBody {
    fn from_input(input: &mut Input) -> Option<Self> {
        let status = input.choice("status", &booking::STATUSES, None);
        let eta_minutes = match input.json("eta_minutes", false) {
            None => None,
            Some(Value::Null) => Some(None),
            Some(_) => input
                .int("eta_minutes", false, 0, 24 * 60)
                .map(|n| Some(n as i32)),
        };
        Some(StatusBody {
            status: status?,
            eta_minutes,
        })
    }
}

/// Enqueues what a status change tells the other services.
async fn announce(
    conn: &mut AsyncPgConnection,
    b: &Booking,
    previous: &str,
    actor: &Actor,
    correlation: Option<String>,
) -> diesel::QueryResult<()> {
    enqueue(
        conn,
        events::booking(
            types::BOOKING_STATUS_CHANGED,
            b,
            Some(previous),
            actor,
            correlation.clone(),
        ),
    )
    .await?;
    match b.status.as_str() {
        "completed" => enqueue(conn, events::booking_completed(b, correlation)).await,
        "cancelled" => {
            enqueue(
                conn,
                events::booking(
                    types::BOOKING_CANCELLED,
                    b,
                    Some(previous),
                    actor,
                    correlation,
                ),
            )
            .await
        }
        _ => Ok(()),
    }
}

/// Move a booking along its status machine (DOMAIN §4.3); the same status is a no-op.
#[api_v2_operation(tags(Bookings))]
pub async fn status(
    req: HttpRequest,
    state: web::Data<AppState>,
    auth: AuthUser,
    id: web::Path<String>,
    body: Valid<StatusBody>,
) -> Result<Reply<BookingDetail>> {
    let Valid(StatusBody {
        status: target,
        eta_minutes,
    }) = body;
    let mut conn = state.db.get().await?;
    let booking_id = visible(&mut conn, &auth, &id).await?.id;
    let actor = actor(&mut conn, &auth).await?;
    let correlation = RequestId::of(&req);
    let conn: &mut AsyncPgConnection = &mut conn;
    let after = conn
        .transaction(|conn| {
            async move {
                let current = bookings::lock(conn, booking_id)
                    .await?
                    .ok_or_else(|| ApiError::no_match("Booking"))?;
                if !booking::may_move(&current.status, &target, standing(&auth, &current)) {
                    return Err(error(
                        StatusCode::FORBIDDEN,
                        format!(
                            "Transition from {} to {target} not allowed for this user.",
                            current.status
                        ),
                    ));
                }
                bookings::set_status(conn, booking_id, &target, eta_minutes).await?;
                let after = bookings::by_id(conn, booking_id)
                    .await?
                    .ok_or(diesel::result::Error::NotFound)?;
                if current.status != target {
                    announce(conn, &after, &current.status, &actor, correlation).await?;
                }
                Ok::<_, JobsError>(after)
            }
            .scope_boxed()
        })
        .await?;
    Ok(Reply::json(BookingDetail::from(&after)))
}

/// `POST …/assign/`
#[derive(Debug, Apiv2Schema)]
pub struct AssignBody {
    /// The worker's profile id.
    pub worker_id: Uuid,
}

impl FromInput for AssignBody {
    fn from_input(input: &mut Input) -> Option<Self> {
        Some(AssignBody {
            worker_id: input.uuid("worker_id", true)?,
        })
    }
}

/// Give a booking to a worker (contractors and admins); a requested booking becomes confirmed.
#[api_v2_operation(tags(Bookings))]
pub async fn assign(
    req: HttpRequest,
    state: web::Data<AppState>,
    auth: AuthUser,
    id: web::Path<String>,
    body: Valid<AssignBody>,
) -> Result<Reply<BookingDetail>> {
    let mut conn = state.db.get().await?;
    let booking_id = visible(&mut conn, &auth, &id).await?.id;
    if !(auth.is_admin() || auth.role == Role::Contractor) {
        return Err(error(
            StatusCode::FORBIDDEN,
            "Only contractors or admins can assign workers.",
        ));
    }
    let worker = refs::profile(&mut conn, Profile::Worker, body.worker_id)
        .await?
        .ok_or_else(|| ApiError::no_match("WorkerProfile"))?;
    let actor = actor(&mut conn, &auth).await?;
    let correlation = RequestId::of(&req);
    let conn: &mut AsyncPgConnection = &mut conn;
    let after = conn
        .transaction(|conn| {
            async move {
                let current = bookings::lock(conn, booking_id)
                    .await?
                    .ok_or_else(|| ApiError::no_match("Booking"))?;
                if booking::is_terminal(&current.status) {
                    return Err(error(
                        StatusCode::BAD_REQUEST,
                        format!("This booking is {} and cannot be assigned.", current.status),
                    ));
                }
                bookings::assign(conn, booking_id, worker.id).await?;
                let after = bookings::by_id(conn, booking_id)
                    .await?
                    .ok_or(diesel::result::Error::NotFound)?;
                enqueue(
                    conn,
                    events::booking(
                        types::BOOKING_ASSIGNED,
                        &after,
                        Some(&current.status),
                        &actor,
                        correlation.clone(),
                    ),
                )
                .await?;
                if current.status != after.status {
                    announce(conn, &after, &current.status, &actor, correlation).await?;
                }
                Ok::<_, JobsError>(after)
            }
            .scope_boxed()
        })
        .await?;
    Ok(Reply::json(BookingDetail::from(&after)))
}
