//! What identity publishes and the events it consumes (proto-docs/events.md).

use crate::store::users::{self, ProfileKind};
use chrono::Utc;
use diesel_async::AsyncPgConnection;
use hm_contracts::events::{types, OtpRequested, ProfileRef};
use hm_contracts::Event;
use hm_platform::events::{Broker, BusError, Handler, HandlerResult};
use std::time::Duration;
use uuid::Uuid;

/// What a write appends to the outbox (built where the writes are, in `store::outbox`).
pub use crate::store::outbox::{user_registered, user_updated, SOURCE};

/// Hands the code to SMS delivery. Published directly, never through the outbox, so the code is never
/// at rest; the message expires with the code.
pub async fn publish_otp(
    broker: &Broker,
    request_id: Uuid,
    phone: &str,
    otp: &str,
    ttl: Duration,
    correlation_id: Option<String>,
) -> Result<(), BusError> {
    let data = OtpRequested {
        request_id,
        phone: phone.to_owned(),
        otp: otp.to_owned(),
        expires_at: Utc::now() + chrono::Duration::from_std(ttl).unwrap_or_default(),
    };
    let event = Event::new(SOURCE, types::OTP_REQUESTED, correlation_id, data).into_json()?;
    broker.publish(&event, Some(ttl)).await
}

/// The workforce events identity listens to, to answer `profile_exists`.
pub const CONSUMED: [&str; 4] = [
    types::WORKER_CREATED,
    types::WORKER_DELETED,
    types::CONTRACTOR_CREATED,
    types::CONTRACTOR_DELETED,
];

/// Keeps `users.has_worker_profile` / `has_contractor_profile` in step with workforce.
pub struct ProfileProjection;

impl Handler for ProfileProjection {
    async fn handle(&self, conn: &mut AsyncPgConnection, event: &Event) -> HandlerResult {
        let (kind, exists) = match event.event_type.as_str() {
            types::WORKER_CREATED => (ProfileKind::Worker, true),
            types::WORKER_DELETED => (ProfileKind::Worker, false),
            types::CONTRACTOR_CREATED => (ProfileKind::Contractor, true),
            types::CONTRACTOR_DELETED => (ProfileKind::Contractor, false),
            _ => return Ok(()),
        };
        let profile: ProfileRef = event.payload()?;
        // A profile of a user identity does not know is not an error: nothing to update.
        users::set_profile_flag(conn, profile.user_id, kind, exists).await?;
        Ok(())
    }
}
