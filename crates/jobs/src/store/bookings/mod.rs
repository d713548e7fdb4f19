//! Bookings (DOMAIN §4.3): who sees one, and each change decided on the locked row and announced in its
//! transaction. The rows and their statements: `rows`.

mod rows;
mod tracking;

use super::outbox::Actor;
use super::path_id;
use super::refs::{self, Profile};
use crate::domain::booking::{self, BookingStatus, PaymentTerms, Standing};
use crate::error::{JobsError, Result};
use crate::schema::bookings as b;
use diesel::QueryDsl;
use diesel::QueryResult;
use diesel_async::scoped_futures::ScopedFutureExt;
use diesel_async::{AsyncConnection, AsyncPgConnection, RunQueryDsl};
use hm_contracts::events::types;
use hm_contracts::events::{BookingChanged, BookingCompleted};
use hm_contracts::Role;
use hm_platform::auth::AuthUser;
use hm_platform::events::{enqueue, OutboxRow};
use hm_platform::paging::{drf_page, DRF_PAGE_SIZE};
pub use rows::{by_id, insert, insert_announced, write_worker, Booking, Editable, CREATE};
use rows::{lock, update_fields, visible_page, write_status};
pub use tracking::{track, Throttle};
use uuid::Uuid;

/// What the caller is to the booking.
fn standing(auth: &AuthUser, b: &Booking) -> Standing {
    Standing {
        owner: auth.id == b.user_id,
        assigned_worker: b.worker_user_id == Some(auth.id),
        contractor: auth.role == Role::Contractor,
        admin: auth.is_admin(),
    }
}

/// The caller, as events name them.
async fn actor(conn: &mut AsyncPgConnection, auth: &AuthUser) -> Result<Actor> {
    Ok(Actor {
        id: auth.id,
        name: refs::display_name(conn, auth.id).await?,
    })
}

/// The booking, if the caller may see it (owner, assigned worker, admin); else 404 as if absent.
pub async fn visible(conn: &mut AsyncPgConnection, auth: &AuthUser, id: &str) -> Result<Booking> {
    let id = path_id(id)?;
    by_id(conn, id)
        .await?
        .filter(|b| standing(auth, b).may_see())
        .ok_or(JobsError::BookingNotFound)
}

/// One page (P-DRF, `page` as sent) of the bookings the caller sees (owned or assigned; admins all),
/// newest first: `(page, count, rows)`.
pub async fn visible_list(
    conn: &mut AsyncPgConnection,
    auth: &AuthUser,
    page: Option<&str>,
) -> Result<(i64, i64, Vec<Booking>)> {
    let scope = (!auth.is_admin()).then_some(auth.id);
    let (_, count) = visible_page(conn, scope, 0, 0).await?;
    let page = drf_page(page, count)?;
    let (rows, count) =
        visible_page(conn, scope, DRF_PAGE_SIZE, (page - 1) * DRF_PAGE_SIZE).await?;
    Ok((page, count, rows))
}

/// A new booking of `owner`, announced (`jobs.booking.created`) in the same statement; 400 when
/// `fields.service_id` is not an active service (checked by the insert itself).
pub async fn create(
    conn: &mut AsyncPgConnection,
    owner: Uuid,
    fields: &Editable,
    pay: PaymentTerms,
    correlation: Option<String>,
) -> Result<Booking> {
    let id = Uuid::new_v4();
    let event = OutboxRow::of(created_event(id, owner, fields, pay, correlation))?;
    insert_announced(conn, id, owner, fields, pay, &event)
        .await?
        .ok_or_else(|| JobsError::UnknownService(fields.service_id.to_string()))
}

/// `jobs.booking.created` of the booking `id` about to be written (as [`event`] makes it from the
/// booking read back): its `status`, `service_name` and `actor_name` (the customer's) are the new
/// row's, which [`insert_announced`] sets in the same statement.
fn created_event(
    id: Uuid,
    owner: Uuid,
    fields: &Editable,
    pay: PaymentTerms,
    correlation: Option<String>,
) -> hm_contracts::Event<BookingChanged> {
    hm_contracts::Event::new(
        crate::store::outbox::SOURCE,
        types::BOOKING_CREATED,
        correlation,
        BookingChanged {
            booking_id: id,
            user_id: owner,
            worker_id: None,
            worker_user_id: None,
            worker_name: None,
            service_id: fields.service_id,
            service_name: String::new(),
            status: BookingStatus::Requested.as_str().to_owned(),
            previous_status: None,
            eta_minutes: None,
            actor_id: owner,
            actor_name: String::new(),
            payment_method: pay.method.as_str().into(),
            payment_status: pay.status.as_str().into(),
        },
    )
}

/// Edits a booking's details (owner or admin, while requested or confirmed): `fill` makes the fields
/// from the locked booking and the id the sent `service` names.
pub async fn edit<F>(
    conn: &mut AsyncPgConnection,
    auth: &AuthUser,
    id: &str,
    service: Option<&str>,
    fill: F,
) -> Result<Booking>
where
    F: FnOnce(&Booking, Option<Uuid>) -> Editable + Send,
{
    let seen = visible(conn, auth, id).await?;
    auth.require_owner_or_admin(seen.user_id)?;
    conn.transaction(|conn| {
        async move {
            // Locked, then checked: a status change racing this edit is decided wholly before
            // or after it, never between the check and the write.
            let current = lock(conn, seen.id)
                .await?
                .ok_or(JobsError::BookingNotFound)?;
            if !current.status.is_editable() {
                return Err(JobsError::BookingNotEditable(current.status));
            }
            let service = refs::resolve(conn, service).await?;
            update_fields(conn, current.id, &fill(&current, service)).await?;
            by_id(conn, current.id)
                .await?
                .ok_or(JobsError::BookingNotFound)
        }
        .scope_boxed()
    })
    .await
}

/// Deletes a booking (owner or admin).
pub async fn delete(conn: &mut AsyncPgConnection, auth: &AuthUser, id: &str) -> Result<()> {
    let current = visible(conn, auth, id).await?;
    auth.require_owner_or_admin(current.user_id)?;
    diesel::delete(b::table.find(current.id))
        .execute(conn)
        .await?;
    Ok(())
}

/// Enqueues what a status change tells the other services.
async fn announce(
    conn: &mut AsyncPgConnection,
    after: &Booking,
    previous: BookingStatus,
    actor: &Actor,
    correlation: Option<String>,
) -> QueryResult<()> {
    let changed = types::BOOKING_STATUS_CHANGED;
    let status_changed = event(changed, after, Some(previous), actor, correlation.clone());
    enqueue(conn, status_changed).await?;
    match after.status {
        BookingStatus::Completed => enqueue(conn, completed_event(after, correlation)).await,
        BookingStatus::Cancelled => {
            let cancelled = types::BOOKING_CANCELLED;
            let cancellation = event(cancelled, after, Some(previous), actor, correlation);
            enqueue(conn, cancellation).await
        }
        _ => Ok(()),
    }
}

/// Moves a booking along its status machine (DOMAIN §4.3) as the caller may; the same status is a
/// no-op that announces nothing.
pub async fn move_status(
    conn: &mut AsyncPgConnection,
    auth: &AuthUser,
    id: &str,
    target: BookingStatus,
    eta: Option<Option<i32>>,
    correlation: Option<String>,
) -> Result<Booking> {
    let booking_id = visible(conn, auth, id).await?.id;
    let actor = actor(conn, auth).await?;
    conn.transaction(|conn| {
        async move {
            let current = lock(conn, booking_id)
                .await?
                .ok_or(JobsError::BookingNotFound)?;
            let from = current.status;
            if !booking::may_move(from, target, standing(auth, &current)) {
                return Err(JobsError::BookingTransitionRefused { from, to: target });
            }
            write_status(conn, booking_id, target, eta).await?;
            let after = by_id(conn, booking_id)
                .await?
                .ok_or(diesel::result::Error::NotFound)?;
            if from != target {
                announce(conn, &after, from, &actor, correlation).await?;
            }
            Ok(after)
        }
        .scope_boxed()
    })
    .await
}

/// Gives a booking to a worker (contractors and admins); a requested booking becomes confirmed.
pub async fn assign(
    conn: &mut AsyncPgConnection,
    auth: &AuthUser,
    id: &str,
    worker: Uuid,
    correlation: Option<String>,
) -> Result<Booking> {
    let seen = visible(conn, auth, id).await?;
    if !standing(auth, &seen).may_assign() {
        return Err(JobsError::AssignRefused);
    }
    let worker = refs::profile(conn, Profile::Worker, worker)
        .await?
        .ok_or(JobsError::WorkerProfileNotFound)?;
    let actor = actor(conn, auth).await?;
    conn.transaction(|conn| {
        async move {
            let current = lock(conn, seen.id)
                .await?
                .ok_or(JobsError::BookingNotFound)?;
            let from = current.status;
            if from.is_terminal() {
                return Err(JobsError::BookingNotAssignable(from));
            }
            write_worker(conn, seen.id, worker.id, from.after_assign()).await?;
            let after = by_id(conn, seen.id)
                .await?
                .ok_or(diesel::result::Error::NotFound)?;
            let assigned = types::BOOKING_ASSIGNED;
            let event = event(assigned, &after, Some(from), &actor, correlation.clone());
            enqueue(conn, event).await?;
            if from != after.status {
                announce(conn, &after, from, &actor, correlation).await?;
            }
            Ok(after)
        }
        .scope_boxed()
    })
    .await
}

/// `jobs.booking.created|assigned|status_changed|cancelled`: the booking after the change.
pub fn event(
    kind: &str,
    b: &Booking,
    previous_status: Option<BookingStatus>,
    actor: &Actor,
    correlation: Option<String>,
) -> hm_contracts::Event<BookingChanged> {
    hm_contracts::Event::new(
        crate::store::outbox::SOURCE,
        kind,
        correlation,
        BookingChanged {
            booking_id: b.id,
            user_id: b.user_id,
            worker_id: b.worker_id,
            worker_user_id: b.worker_user_id,
            worker_name: b.worker_name.clone(),
            service_id: b.service_id,
            service_name: b.service_name.clone(),
            status: b.status.as_str().to_owned(),
            previous_status: previous_status.map(|s| s.as_str().to_owned()),
            eta_minutes: b.eta_minutes,
            actor_id: actor.id,
            actor_name: actor.name.clone(),
            payment_method: b.payment_method.as_str().into(),
            payment_status: b.payment_status.as_str().into(),
        },
    )
}

/// `jobs.booking.completed`: workforce counts the worker's job.
pub fn completed_event(
    b: &Booking,
    correlation: Option<String>,
) -> hm_contracts::Event<BookingCompleted> {
    hm_contracts::Event::new(
        crate::store::outbox::SOURCE,
        types::BOOKING_COMPLETED,
        correlation,
        BookingCompleted {
            booking_id: b.id,
            user_id: b.user_id,
            worker_id: b.worker_id,
            service_id: b.service_id,
            completed_at: b.updated_at,
            rating: None,
        },
    )
}
