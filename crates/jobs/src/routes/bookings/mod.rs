//! Bookings (API §7.1–7.5): a customer books a service, cash first; the owner, the assigned worker and
//! admins see it; contractors and admins assign a worker; the status machine of DOMAIN §4.3 decides every
//! status change, one at a time per booking (row lock). Every change publishes its events
//! (`store::bookings`).

use super::{named, ServiceRef};
use crate::domain::booking::{self, BookingStatus, PaymentMethod};
use crate::error::Result;
use crate::store::bookings::{self, Booking, Editable};
use crate::store::refs;
use crate::AppState;
use actix_web::HttpRequest;
use chrono::{DateTime, Utc};
use hm_platform::auth::AuthUser;
use hm_platform::input::Query;
use hm_platform::input::{Decimal, FromInput, Input, Text, Valid};
use hm_platform::paging::{drf_body, LinkedPage};
use hm_platform::reply::NoBody;
use hm_platform::reply::Reply;
use hm_platform::telemetry::RequestId;
use paperclip::actix::{api_v2_operation, web, Apiv2Schema};
use serde::Deserialize;
use serde_json::Value;
use uuid::Uuid;
pub use views::{BookingDetail, BookingView};

mod views;

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
    let mut conn = state.db.get().await?;
    let (page, count, rows) =
        bookings::visible_list(&mut conn, &auth, query.page.as_deref()).await?;
    let details = rows.iter().map(BookingDetail::from).collect();
    Ok(Reply::json(drf_body(&req, page, count, details)))
}

#[api_v2_operation(tags(Bookings))]
pub async fn get(
    state: web::Data<AppState>,
    auth: AuthUser,
    id: web::Path<String>,
) -> Result<Reply<BookingDetail>> {
    let mut conn = state.db.get().await?;
    Ok(Reply::json(BookingDetail::from(
        &bookings::visible(&mut conn, &auth, &id).await?,
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
    let asked = body
        .payment_method
        .as_deref()
        .and_then(PaymentMethod::parse);
    let pay = booking::payment_terms(asked, state.enable_payments);
    let mut conn = state.db.get().await?;
    // A name is resolved first; an id is checked by the insert itself.
    let service = refs::resolve_name(&mut conn, named(&body.service)).await?;
    let fields = body.apply(Editable::default(), service);
    let correlation = RequestId::of(&req);
    let created = bookings::create(&mut conn, auth.id, &fields, pay, correlation).await?;
    Ok(Reply::json(BookingView::from(&created)))
}

async fn change(
    state: &AppState,
    auth: &AuthUser,
    id: &str,
    body: BookingBody,
    full: bool,
) -> Result<Reply<BookingView>> {
    let service = body.service.clone();
    let fill = move |current: &Booking, service| {
        let base = if full {
            Editable::default()
        } else {
            Editable::of(current)
        };
        body.apply(base, service)
    };
    let mut conn = state.db.get().await?;
    let updated = bookings::edit(&mut conn, auth, id, named(&service), fill).await?;
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
    bookings::delete(&mut conn, &auth, &id).await?;
    Ok(Reply::empty())
}

/// `PATCH …/status/`
#[derive(Debug, Apiv2Schema)]
pub struct StatusBody {
    /// One of the seven booking statuses.
    pub status: BookingStatus,
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
            status: BookingStatus::parse(&status?)?,
            eta_minutes,
        })
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
    let correlation = RequestId::of(&req);
    let after =
        bookings::move_status(&mut conn, &auth, &id, target, eta_minutes, correlation).await?;
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
    let correlation = RequestId::of(&req);
    let after = bookings::assign(&mut conn, &auth, &id, body.worker_id, correlation).await?;
    Ok(Reply::json(BookingDetail::from(&after)))
}
