//! What workforce consumes (proto-docs/events.md): catalog's services and identity's users, kept as
//! local projections so a request never asks another service.

use crate::store::refs;
use chrono::{DateTime, Utc};
use diesel_async::AsyncPgConnection;
use hm_contracts::events::ProfileRef;
use hm_contracts::events::{types, ServiceChanged, UserRegistered, UserUpdated};
use hm_contracts::Event;
use hm_platform::events::{Handler, HandlerFuture};
use serde::Serialize;
use uuid::Uuid;

pub const SOURCE: &str = "workforce";

pub const CONSUMED: [&str; 4] = [
    types::SERVICE_CREATED,
    types::SERVICE_UPDATED,
    types::USER_REGISTERED,
    types::USER_UPDATED,
];

/// Keeps `service_refs` and `user_refs` in step. Upserts, so a redelivered or reordered copy of the
/// latest state is harmless (the inbox already drops exact redeliveries).
pub struct Projections;

impl Handler for Projections {
    fn handle<'a>(
        &'a self,
        conn: &'a mut AsyncPgConnection,
        event: &'a Event,
    ) -> HandlerFuture<'a> {
        Box::pin(async move {
            match event.event_type.as_str() {
                types::SERVICE_CREATED | types::SERVICE_UPDATED => {
                    let service: ServiceChanged = event.payload()?;
                    refs::upsert_service(conn, &service).await?;
                }
                types::USER_REGISTERED => {
                    let user: UserRegistered = event.payload()?;
                    refs::upsert_user(conn, &user, true).await?;
                }
                types::USER_UPDATED => {
                    let user: UserUpdated = event.payload()?;
                    refs::upsert_user(conn, &refs::registered_from_update(&user), user.is_active)
                        .await?;
                }
                _ => {}
            }
            Ok(())
        })
    }
}

/// `workforce.worker.created|updated|deleted`: whose profile it is.
pub fn worker(
    kind: &str,
    profile_id: Uuid,
    user_id: Uuid,
    correlation: Option<String>,
) -> Event<ProfileRef> {
    Event::new(
        SOURCE,
        kind,
        correlation,
        ProfileRef {
            profile_id,
            user_id,
        },
    )
}

/// `workforce.contractor.created|deleted`: whose profile it is.
pub fn contractor(
    kind: &str,
    profile_id: Uuid,
    user_id: Uuid,
    correlation: Option<String>,
) -> Event<ProfileRef> {
    Event::new(
        SOURCE,
        kind,
        correlation,
        ProfileRef {
            profile_id,
            user_id,
        },
    )
}

/// `workforce.worker.availability_changed`.
#[derive(Debug, Clone, Serialize)]
pub struct AvailabilityChanged {
    pub profile_id: Uuid,
    pub user_id: Uuid,
    pub is_available: bool,
    pub at: DateTime<Utc>,
}

pub fn availability_changed(
    profile_id: Uuid,
    user_id: Uuid,
    is_available: bool,
    at: DateTime<Utc>,
    correlation: Option<String>,
) -> Event<AvailabilityChanged> {
    Event::new(
        SOURCE,
        types::WORKER_AVAILABILITY_CHANGED,
        correlation,
        AvailabilityChanged {
            profile_id,
            user_id,
            is_available,
            at,
        },
    )
}
