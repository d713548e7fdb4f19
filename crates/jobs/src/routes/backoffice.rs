//! The back office's jobs (issue #9, admins only): jobs, bookings, payments and emergency requests with
//! search and filters, and the numbers of the dashboard. Status changes go through the bookings', jobs'
//! and emergencies' own endpoints, which admins may use on any.

use crate::error::Result;
use crate::store::backoffice::{self, BookingRow, EmergencyRow, JobRow, JobsStats, PaymentRow};
use crate::AppState;
use hm_platform::admin;
use hm_platform::auth::AdminUser;
use hm_platform::error::FieldErrors;
use hm_platform::input::Query;
use hm_platform::reply::Reply;
use hm_platform::ApiError;
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
    let days = match query
        .days
        .as_deref()
        .map(str::trim)
        .filter(|d| !d.is_empty())
    {
        None => 30,
        Some(raw) => raw
            .parse::<i64>()
            .ok()
            .filter(|d| (1..=366).contains(d))
            .ok_or_else(|| {
                ApiError::fields(FieldErrors::single(
                    "days",
                    "Enter a whole number from 1 to 366.",
                ))
            })?,
    };
    let zone = hm_platform::time::zone();
    let mut conn = state.db.get().await?;
    let counts = backoffice::bookings_per_day(&mut conn, days, zone.name()).await?;
    let today = hm_platform::time::local(chrono::Utc::now()).date_naive();
    let statuses = hm_contracts::events::BOOKING_STATUSES;
    let days = (0..days)
        .rev()
        .map(|back| {
            let day = today - chrono::Duration::days(back);
            let by_status: Map<String, Value> = statuses
                .iter()
                .map(|s| {
                    let n = counts
                        .iter()
                        .find(|(d, status, _)| *d == day && status == s)
                        .map_or(0, |(_, _, n)| *n);
                    ((*s).to_owned(), Value::from(n))
                })
                .collect();
            BookingDay {
                date: day.to_string(),
                by_status: Value::Object(by_status),
            }
        })
        .collect();
    Ok(Reply::json(BookingsPerDay {
        statuses: statuses.iter().map(|s| (*s).to_owned()).collect(),
        days,
    }))
}
