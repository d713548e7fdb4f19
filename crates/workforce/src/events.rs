//! What workforce publishes and consumes (proto-docs/events.md). Catalog's services, identity's users
//! and jobs' jobs are kept as local projections, so a request never asks another service; completed
//! bookings count towards the worker's profile.

use crate::store::{refs, skills, workers};
use chrono::{DateTime, Utc};
use diesel_async::AsyncPgConnection;
use hm_contracts::events::{
    types, BookingCompleted, JobChanged, ServiceChanged, SkillRequested, SkillResolved,
    UserRegistered, UserUpdated,
};
use hm_contracts::events::{AttendanceChecked, ProfileRef};
use hm_contracts::Event;
use hm_platform::events::enqueue;
use hm_platform::events::{Handler, HandlerFuture};
use hm_platform::projections;
use serde::Serialize;
use uuid::Uuid;

pub const SOURCE: &str = "workforce";

pub const CONSUMED: [&str; 8] = [
    types::SERVICE_CREATED,
    types::SERVICE_UPDATED,
    types::SKILL_RESOLVED,
    types::USER_REGISTERED,
    types::USER_UPDATED,
    types::JOB_POSTED,
    types::JOB_STATUS_CHANGED,
    types::BOOKING_COMPLETED,
];

/// Keeps `service_refs`, `user_refs` and `job_refs` in step (upserts of the latest state, so a
/// reordered copy is harmless) and counts completed bookings. The platform's inbox records each event
/// id in the same transaction, so a redelivered event has no second effect.
pub struct Incoming;

impl Handler for Incoming {
    fn handle<'a>(
        &'a self,
        conn: &'a mut AsyncPgConnection,
        event: &'a Event,
    ) -> HandlerFuture<'a> {
        Box::pin(async move {
            match event.event_type.as_str() {
                types::SERVICE_CREATED | types::SERVICE_UPDATED => {
                    let service: ServiceChanged = event.payload()?;
                    projections::upsert_service(conn, &service).await?;
                }
                types::SKILL_RESOLVED => {
                    // The service comes with the answer, so the link never waits for
                    // `catalog.service.created`; the profile's new state is announced as any edit.
                    let resolved: SkillResolved = event.payload()?;
                    projections::upsert_service(conn, &resolved.service).await?;
                    let linked =
                        skills::resolve(conn, resolved.request_id, resolved.service.service_id)
                            .await?;
                    if let Some(worker) = linked {
                        if let Some(profile) = workers::by_id(conn, worker).await? {
                            let snapshot = crate::views::worker_json(&profile);
                            enqueue(
                                conn,
                                self::worker(
                                    types::WORKER_UPDATED,
                                    worker,
                                    profile.user_id,
                                    Some(snapshot),
                                    event.correlation_id.clone(),
                                ),
                            )
                            .await?;
                        }
                    }
                }
                types::USER_REGISTERED => {
                    let user: UserRegistered = event.payload()?;
                    projections::upsert_user(conn, &projections::registered(user)).await?;
                }
                types::USER_UPDATED => {
                    let user: UserUpdated = event.payload()?;
                    projections::upsert_user(conn, &user).await?;
                }
                types::JOB_POSTED | types::JOB_STATUS_CHANGED => {
                    let job: JobChanged = event.payload()?;
                    refs::upsert_job(conn, &job, event.occurred_at).await?;
                }
                types::BOOKING_COMPLETED => {
                    let booking: BookingCompleted = event.payload()?;
                    if let Some(worker) = booking.worker_id {
                        let rating = booking.rating.filter(|r| (1.0..=5.0).contains(r));
                        if rating != booking.rating {
                            tracing::warn!(booking = %booking.booking_id, "rating outside 1-5 ignored");
                        }
                        if !workers::record_completed_job(conn, worker, rating).await? {
                            tracing::warn!(booking = %booking.booking_id, %worker, "completed booking of an unknown worker profile");
                        }
                    }
                }
                _ => {}
            }
            Ok(())
        })
    }
}

/// `workforce.worker.created|updated|deleted`: whose profile it is and, unless deleted, the profile.
pub fn worker(
    kind: &str,
    profile_id: Uuid,
    user_id: Uuid,
    profile: Option<serde_json::Value>,
    correlation: Option<String>,
) -> Event<ProfileRef> {
    Event::new(
        SOURCE,
        kind,
        correlation,
        ProfileRef {
            profile_id,
            user_id,
            profile,
        },
    )
}

/// `workforce.skill.requested`: a skill no service matched, for catalog to find or create.
pub fn skill_requested(
    request_id: Uuid,
    worker_id: Uuid,
    user_id: Uuid,
    name: &str,
    correlation: Option<String>,
) -> Event<SkillRequested> {
    Event::new(
        SOURCE,
        types::SKILL_REQUESTED,
        correlation,
        SkillRequested {
            request_id,
            worker_id,
            user_id,
            name: name.to_owned(),
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
            profile: None,
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
