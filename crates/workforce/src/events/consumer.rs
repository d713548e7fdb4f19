//! The consumer workforce runs: catalog's services, identity's users and jobs' jobs kept as local
//! projections, so a request never asks another service; completed bookings count towards the worker's
//! profile.

use super::published;
use crate::store::{refs, skills, workers};
use diesel_async::AsyncPgConnection;
use hm_contracts::events::{types, BookingCompleted, JobChanged, SkillResolved};
use hm_contracts::Event;
use hm_platform::events::enqueue;
use hm_platform::events::{Handler, HandlerResult};
use hm_platform::projections;

/// Keeps `service_refs`, `user_refs` and `job_refs` in step (upserts of the latest state, so a
/// reordered copy is harmless) and counts completed bookings. The platform's inbox records each event
/// id in the same transaction, so a redelivered event has no second effect.
pub struct Incoming;

impl Handler for Incoming {
    async fn handle(&self, conn: &mut AsyncPgConnection, event: &Event) -> HandlerResult {
        match event.event_type.as_str() {
            types::SKILL_RESOLVED => {
                // The service comes with the answer, so the link never waits for
                // `catalog.service.created`; the profile's new state is announced as any edit.
                let resolved: SkillResolved = event.payload()?;
                projections::upsert_service(conn, &resolved.service).await?;
                let linked =
                    skills::resolve(conn, resolved.request_id, resolved.service.service_id).await?;
                if let Some(worker) = linked {
                    if let Some(profile) = workers::by_id(conn, worker).await? {
                        let shown = workers::shown(&profile, crate::views::worker_json);
                        enqueue(
                            conn,
                            published::worker(
                                types::WORKER_UPDATED,
                                worker,
                                profile.user_id,
                                Some(shown),
                                event.correlation_id.clone(),
                            ),
                        )
                        .await?;
                    }
                }
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
                    let correlation = event.correlation_id.clone();
                    let snapshot = crate::views::worker_json;
                    let recorded =
                        workers::record_completed_job(conn, worker, rating, snapshot, correlation);
                    if !recorded.await? {
                        tracing::warn!(booking = %booking.booking_id, %worker, "completed booking of an unknown worker profile");
                    }
                }
            }
            _ => {}
        }
        Ok(())
    }
}
