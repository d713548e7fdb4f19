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

/// `workforce.attendance.checked_in|checked_out`.
#[derive(Debug, Clone, Serialize)]
pub struct AttendanceChecked {
    pub log_id: Uuid,
    pub worker_user_id: Uuid,
    pub kiosk_id: Uuid,
    pub check_in: DateTime<Utc>,
    pub check_out: Option<DateTime<Utc>>,
    pub distance_m: Option<f64>,
}

pub fn attendance(
    kind: &str,
    log: &crate::store::kiosks::Log,
    correlation: Option<String>,
) -> Event<AttendanceChecked> {
    Event::new(
        SOURCE,
        kind,
        correlation,
        AttendanceChecked {
            log_id: log.id,
            worker_user_id: log.worker_id,
            kiosk_id: log.kiosk_id,
            check_in: log.check_in,
            check_out: log.check_out,
            distance_m: log.distance_m,
        },
    )
}
