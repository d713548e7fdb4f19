//! A booking's live tracking (API §7.7): the assigned worker's (or an admin's) position recorded as the
//! booking's `last_location` and announced (`jobs.booking.location_updated`), at most one per booking
//! and user every [`tracking::WINDOW`] (Redis decides).

use super::{actor, by_id, lock, standing};
use crate::domain::tracking::{self, Position};
use crate::error::{JobsError, Result};
use crate::schema::bookings as b;
use crate::store::path_id;
use diesel::{ExpressionMethods, QueryDsl};
use diesel_async::scoped_futures::ScopedFutureExt;
use diesel_async::{AsyncConnection, AsyncPgConnection, RunQueryDsl};
use hm_contracts::events::{types, BookingLocation};
use hm_platform::auth::AuthUser;
use hm_platform::events::enqueue;
use hm_platform::redis::{forget, once_per, Keys, RedisPool};
use serde_json::json;

/// Where the throttle keeps its keys.
pub struct Throttle<'a> {
    pub redis: &'a RedisPool,
    pub keys: &'a Keys,
}

/// Records `at` as the live position of booking `id` and announces it. 404 for no such booking, 403
/// unless the caller is its assigned worker or an admin (checked before the throttle, so a refused caller
/// spends no window, and again on the locked row), 429 for a second position of the same booking and
/// caller within the window. A position that fails to be recorded gives its window back.
pub async fn track(
    conn: &mut AsyncPgConnection,
    throttle: Throttle<'_>,
    auth: &AuthUser,
    id: &str,
    at: Position,
    correlation: Option<String>,
) -> Result<uuid::Uuid> {
    let id = path_id(id)?;
    let booking = by_id(conn, id).await?.ok_or(JobsError::BookingNotFound)?;
    if !standing(auth, &booking).may_track() {
        return Err(JobsError::TrackingRefused);
    }
    let key = throttle.keys.key(format_args!("tracking:{id}:{}", auth.id));
    if let Some(left) = once_per(throttle.redis, &key, tracking::WINDOW).await {
        return Err(JobsError::Throttled(tracking::wait_secs(left)));
    }
    let recorded = record(conn, auth, id, at, correlation).await;
    if recorded.is_err() {
        forget(throttle.redis, &key).await;
    }
    recorded.map(|()| id)
}

/// Writes the position and its event in one transaction, on the booking's locked row: it may have been
/// deleted or given to another worker since it was read.
async fn record(
    conn: &mut AsyncPgConnection,
    auth: &AuthUser,
    id: uuid::Uuid,
    at: Position,
    correlation: Option<String>,
) -> Result<()> {
    let actor = actor(conn, auth).await?;
    conn.transaction::<_, JobsError, _>(|conn| {
        async move {
            let booking = lock(conn, id).await?.ok_or(JobsError::BookingNotFound)?;
            if !standing(auth, &booking).may_track() {
                return Err(JobsError::TrackingRefused);
            }
            diesel::update(b::table.find(id))
                .set((
                    b::last_location.eq(json!({"lat": at.lat, "lng": at.lng})),
                    b::last_location_time.eq(at.timestamp),
                ))
                .execute(conn)
                .await?;
            let event = hm_contracts::Event::new(
                crate::store::outbox::SOURCE,
                types::BOOKING_LOCATION_UPDATED,
                correlation,
                BookingLocation {
                    booking_id: id,
                    user_id: booking.user_id,
                    worker_id: booking.worker_id,
                    lat: at.lat,
                    lng: at.lng,
                    timestamp: at.timestamp,
                    actor_id: actor.id,
                    actor_name: actor.name,
                },
            );
            enqueue(conn, event).await?;
            Ok(())
        }
        .scope_boxed()
    })
    .await
}
