//! What jobs publishes and consumes (proto-docs/events.md). Catalog's services, identity's users and
//! workforce's worker and contractor profiles are local projections, so a request never asks another
//! service.

use crate::store::applications::Application;
use crate::store::bookings::Booking;
use crate::store::jobs::Job;
use crate::store::refs::{self, Profile};
use diesel_async::AsyncPgConnection;
use hm_contracts::events::{
    types, ApplicationChanged, BookingChanged, BookingCompleted, JobChanged, ProfileRef,
    ServiceChanged, UserRegistered, UserUpdated,
};
use hm_contracts::Event;
use hm_platform::events::{Handler, HandlerFuture};
use hm_platform::projections;

pub const SOURCE: &str = "jobs";

pub const CONSUMED: [&str; 10] = [
    types::SERVICE_CREATED,
    types::SERVICE_UPDATED,
    types::USER_REGISTERED,
    types::USER_UPDATED,
    types::WORKER_CREATED,
    types::WORKER_UPDATED,
    types::WORKER_DELETED,
    types::CONTRACTOR_CREATED,
    types::CONTRACTOR_UPDATED,
    types::CONTRACTOR_DELETED,
];

/// Keeps the projections in step: upserts of the latest state; the inbox drops exact redeliveries.
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
                types::USER_REGISTERED => {
                    let user: UserRegistered = event.payload()?;
                    projections::upsert_user(conn, &projections::registered(user)).await?;
                }
                types::USER_UPDATED => {
                    let user: UserUpdated = event.payload()?;
                    projections::upsert_user(conn, &user).await?;
                }
                kind @ (types::WORKER_CREATED
                | types::WORKER_UPDATED
                | types::WORKER_DELETED
                | types::CONTRACTOR_CREATED
                | types::CONTRACTOR_UPDATED
                | types::CONTRACTOR_DELETED) => {
                    let p: ProfileRef = event.payload()?;
                    let table = if kind.starts_with("workforce.worker") {
                        Profile::Worker
                    } else {
                        Profile::Contractor
                    };
                    if !kind.ends_with("deleted") {
                        refs::upsert_profile(
                            conn,
                            table,
                            p.profile_id,
                            p.user_id,
                            p.profile.as_ref(),
                        )
                        .await?;
                    } else {
                        refs::delete_profile(conn, table, p.profile_id).await?;
                    }
                }
                _ => {}
            }
            Ok(())
        })
    }
}

/// `jobs.job.posted` / `jobs.job.status_changed`.
pub fn job(kind: &str, j: &Job, correlation: Option<String>) -> Event<JobChanged> {
    Event::new(
        SOURCE,
        kind,
        correlation,
        JobChanged {
            job_id: j.id,
            poster_id: j.poster_id,
            contractor_id: j.contractor_id,
            service_id: j.service_id,
            status: j.status.clone(),
        },
    )
}

/// `jobs.application.created|accepted|declined`; `reason` when nobody decided it (closed).
pub fn application(
    kind: &str,
    a: &Application,
    reason: Option<&str>,
    correlation: Option<String>,
) -> Event<ApplicationChanged> {
    Event::new(
        SOURCE,
        kind,
        correlation,
        ApplicationChanged {
            application_id: a.id,
            job_id: a.job_id,
            job_title: a.job_title.clone(),
            poster_id: a.poster_id,
            worker_id: a.worker_id,
            worker_user_id: a.worker_user_id,
            worker_name: a.worker_name.clone(),
            status: a.status.clone(),
            reason: reason.map(str::to_owned),
        },
    )
}

/// Who changed a booking, and how they are shown.
#[derive(Debug, Clone)]
pub struct Actor {
    pub id: uuid::Uuid,
    pub name: String,
}

/// `jobs.booking.created|assigned|status_changed|cancelled`: the booking after the change.
pub fn booking(
    kind: &str,
    b: &Booking,
    previous_status: Option<&str>,
    actor: &Actor,
    correlation: Option<String>,
) -> Event<BookingChanged> {
    Event::new(
        SOURCE,
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
            status: b.status.clone(),
            previous_status: previous_status.map(str::to_owned),
            eta_minutes: b.eta_minutes,
            actor_id: actor.id,
            actor_name: actor.name.clone(),
            payment_method: b.payment_method.clone(),
            payment_status: b.payment_status.clone(),
        },
    )
}

/// `jobs.booking.completed`: workforce counts the worker's job.
pub fn booking_completed(b: &Booking, correlation: Option<String>) -> Event<BookingCompleted> {
    Event::new(
        SOURCE,
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
