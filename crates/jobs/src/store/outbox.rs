//! The events jobs publishes (proto-docs/events.md), built from the rows they announce; the store appends
//! them to the outbox in the transaction of the change.

use crate::domain::booking::BookingStatus;
use crate::domain::payment::PaymentStatus;
use crate::store::applications::Application;
use crate::store::bookings::Booking;
use crate::store::jobs::Job;
use crate::store::payments::Payment;
use hm_contracts::events::{
    types, ApplicationChanged, BookingChanged, BookingCompleted, JobChanged, PaymentChanged,
};
use hm_contracts::Event;

/// The `source` of every event jobs publishes.
pub const SOURCE: &str = "jobs";

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
            status: j.status.as_str().to_owned(),
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
            status: a.status.as_str().to_owned(),
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
    previous_status: Option<BookingStatus>,
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
            status: b.status.as_str().to_owned(),
            previous_status: previous_status.map(|s| s.as_str().to_owned()),
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

/// `payments.payment.succeeded|failed`: a final outcome, with the worker's payout when one was made.
pub fn payment(
    p: &Payment,
    status: PaymentStatus,
    payout: Option<String>,
    correlation: Option<String>,
) -> Event<PaymentChanged> {
    let kind = if status == PaymentStatus::Completed {
        types::PAYMENT_SUCCEEDED
    } else {
        types::PAYMENT_FAILED
    };
    Event::new(
        SOURCE,
        kind,
        correlation,
        PaymentChanged {
            payment_id: p.id,
            booking_id: p.booking_id,
            user_id: p.user_id,
            worker_id: p.worker_id,
            amount: p.amount.clone(),
            currency: p.currency.clone(),
            status: status.as_str().to_owned(),
            payout_amount: payout,
        },
    )
}
