//! The back office's jobs (issue #9, admins only): jobs, bookings, payments and emergency requests with
//! search and filters, and the numbers of the dashboard. Status changes go through the bookings', jobs'
//! and emergencies' own endpoints, which admins may use on any.

use crate::error::Result;
use crate::store::backoffice::{self, BookingRow, EmergencyRow, JobRow, JobsStats, PaymentRow};
use crate::AppState;
use hm_platform::admin;
use hm_platform::auth::AdminUser;
use hm_platform::input::{whole_number, Query};
use hm_platform::reply::Reply;
use paperclip::actix::{api_v2_operation, web, Apiv2Schema};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

hm_platform::admin_lists! {
    /// Jobs: `search` (title, location, poster phone, service), `status`.
    jobs => JobRow, backoffice::JOBS;
    /// Bookings: `search` (address, customer phone and name, service), `status`, `payment_method`,
    /// `payment_status`; each with its `payment_note`.
    bookings => BookingRow, backoffice::BOOKINGS;
    /// Payments: `search` (gateway reference, booking), `status`, `gateway`.
    payments => PaymentRow, backoffice::PAYMENTS;
    /// Emergency requests: `search` (contact phone, address, service), `status`, `urgency_level`; each
    /// with the workers notified and whether it needs escalating.
    emergencies => EmergencyRow, backoffice::EMERGENCIES;
}

/// Bookings by status today and this week (India time), open jobs, completed payments today.
#[api_v2_operation(tags(Admin))]
pub async fn stats(state: web::Data<AppState>, _admin: AdminUser) -> Result<Reply<JobsStats>> {
    let mut conn = state.db.get().await?;
    let doc: JobsStats = admin::document(&mut conn, backoffice::STATS).await?;
    Ok(Reply::json(doc))
}

#[derive(Debug, Deserialize, Apiv2Schema)]
pub struct DaysQuery {
    /// Days up to today (default 30, at most 366).
    pub days: Option<String>,
}

/// One day of the bookings chart.
#[derive(Debug, Serialize, Apiv2Schema)]
pub struct BookingDay {
    /// `YYYY-MM-DD` in the platform's time zone.
    pub date: String,
    /// Object: every booking status → bookings created that day now in it.
    pub by_status: Value,
}

/// Bookings per day and status (the console's chart).
#[derive(Debug, Serialize, Apiv2Schema)]
pub struct BookingsPerDay {
    /// The statuses, in their lifecycle order (DOMAIN §4.3).
    pub statuses: Vec<String>,
    /// Oldest first, today last; every day present.
    pub days: Vec<BookingDay>,
}

/// Bookings created per day of the last `days` (India time) by their status now: the console's
/// chart. 400 `{"days": ["Enter a whole number from 1 to 366."]}`.
#[api_v2_operation(tags(Admin))]
pub async fn bookings_per_day(
    state: web::Data<AppState>,
    _admin: AdminUser,
    query: Query<DaysQuery>,
) -> Result<Reply<BookingsPerDay>> {
    let days = whole_number("days", query.days.as_deref(), 30, 366)?;
    let zone = hm_platform::time::zone();
    let today = hm_platform::time::local(chrono::Utc::now()).date_naive();
    let mut conn = state.db.get().await?;
    let series = backoffice::bookings_per_day(&mut conn, today, days, zone.name()).await?;
    let statuses = hm_contracts::events::BOOKING_STATUSES;
    Ok(Reply::json(BookingsPerDay {
        statuses: statuses.iter().map(|s| (*s).to_owned()).collect(),
        days: series
            .into_iter()
            .map(|(day, counts)| BookingDay {
                date: day.to_string(),
                by_status: Value::Object(
                    statuses
                        .iter()
                        .zip(counts)
                        .map(|(s, n)| ((*s).to_owned(), Value::from(n)))
                        .collect::<Map<String, Value>>(),
                ),
            })
            .collect(),
    }))
}
