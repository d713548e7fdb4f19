//! What the back office reads of jobs (issue #9): the admin listings and the dashboard's numbers.

use crate::domain::booking::{BookingPayment, PaymentMethod};
use hm_platform::admin::{Filter, Listing};
use paperclip::actix::Apiv2Schema;
use serde::{Deserialize, Serialize};
use std::marker::PhantomData;
use uuid::Uuid;

/// A job as the back office lists it (`JOBS`); timestamps as Postgres writes them.
#[derive(Debug, Deserialize, Serialize, Apiv2Schema)]
#[serde(deny_unknown_fields)]
pub struct JobRow {
    pub id: Uuid,
    pub title: String,
    /// `open`, `assigned`, `in_progress`, `completed` or `cancelled`.
    pub status: String,
    pub poster_id: Uuid,
    /// Null when identity has not announced the poster.
    pub poster_phone: Option<String>,
    /// First and last name, blank when unknown.
    pub poster_name: String,
    pub service_id: Uuid,
    pub service_name: String,
    pub location: String,
    /// Rupees, numeric(10,2).
    pub budget: Option<f64>,
    /// The assigned worker's user id.
    pub assigned_worker_id: Option<Uuid>,
    pub scheduled_date: Option<String>,
    pub created_at: String,
}

pub const JOBS: Listing<JobRow> = Listing {

    select: "SELECT j.id, j.title, j.status, j.poster_id, u.phone AS poster_phone,
             trim(coalesce(u.first_name, '') || ' ' || coalesce(u.last_name, '')) AS poster_name,
             j.service_id, s.name AS service_name, j.location, j.budget, j.assigned_worker_id,
             j.scheduled_date, j.created_at
             FROM jobs j LEFT JOIN user_refs u ON u.id = j.poster_id LEFT JOIN service_refs s ON s.id = j.service_id",
    id: "j.id",
    search: &["j.title", "j.location", "u.phone", "s.name"],
    filters: &[Filter {
        param: "status",
        column: "j.status",
        choices: Some(&["open", "assigned", "in_progress", "completed", "cancelled"]),
    }],
    order: "j.created_at DESC, j.id",
    row: PhantomData,
};

/// A booking as the back office lists it (`BOOKINGS`), with its `payment_note`.
#[derive(Debug, Deserialize, Serialize, Apiv2Schema)]
#[serde(deny_unknown_fields)]
pub struct BookingRow {
    pub id: Uuid,
    /// One of the seven booking statuses (DOMAIN §4.3).
    pub status: String,
    /// The customer's user id.
    pub user_id: Uuid,
    /// Null when identity has not announced the customer.
    pub user_phone: Option<String>,
    /// First and last name, blank when unknown.
    pub user_name: String,
    pub service_id: Uuid,
    pub service_name: String,
    /// The assigned worker's profile id.
    pub worker_id: Option<Uuid>,
    pub address: String,
    /// Rupees, numeric(10,2).
    pub estimated_price: Option<f64>,
    /// `cash`, `online` or `none`.
    pub payment_method: String,
    /// `pending`, `paid`, `failed` or `n/a`.
    pub payment_status: String,
    pub payment_note: Option<String>,
    /// Minutes until the worker arrives.
    pub eta_minutes: Option<i64>,
    pub preferred_time: Option<String>,
    pub created_at: String,
}

pub const BOOKINGS: Listing<BookingRow> = Listing {
    select: "SELECT b.id, b.status, b.user_id, u.phone AS user_phone,
             trim(coalesce(u.first_name, '') || ' ' || coalesce(u.last_name, '')) AS user_name,
             b.service_id, s.name AS service_name, b.worker_id, b.address, b.estimated_price,
             b.payment_method, b.payment_status, b.payment_note, b.eta_minutes, b.preferred_time, b.created_at
             FROM bookings b LEFT JOIN user_refs u ON u.id = b.user_id LEFT JOIN service_refs s ON s.id = b.service_id",
    id: "b.id",
    search: &["b.address", "u.phone", "u.first_name", "u.last_name", "s.name"],
    filters: &[
        Filter {
            param: "status",
            column: "b.status",
            choices: Some(&["requested", "confirmed", "on_the_way", "arrived", "completed", "cancelled",
                            "payment_pending"]),
        },
        Filter { param: "payment_method", column: "b.payment_method", choices: Some(&PaymentMethod::NAMES) },
        Filter {
            param: "payment_status",
            column: "b.payment_status",
            choices: Some(&BookingPayment::NAMES),
        },
    ],
    order: "b.created_at DESC, b.id",
    row: PhantomData,
};

/// A payment as the back office lists it (`PAYMENTS`).
#[derive(Debug, Deserialize, Serialize, Apiv2Schema)]
#[serde(deny_unknown_fields)]
pub struct PaymentRow {
    pub id: Uuid,
    pub booking_id: Uuid,
    /// numeric(10,2), in `currency`.
    pub amount: f64,
    /// ISO 4217, `INR`.
    pub currency: String,
    /// `razorpay`, `stripe` or `manual`.
    pub gateway: String,
    /// `created`, `pending`, `completed` or `failed`.
    pub status: String,
    pub gateway_reference: Option<String>,
    pub created_at: String,
    pub updated_at: String,
}

pub const PAYMENTS: Listing<PaymentRow> = Listing {
    select:
        "SELECT p.id, p.booking_id, p.amount, p.currency, p.gateway, p.status, p.gateway_reference,
             p.created_at, p.updated_at FROM payments p",
    id: "p.id",
    search: &["p.gateway_reference", "p.booking_id"],
    filters: &[
        Filter {
            param: "status",
            column: "p.status",
            choices: Some(&["created", "pending", "completed", "failed"]),
        },
        Filter {
            param: "gateway",
            column: "p.gateway",
            choices: Some(&["razorpay", "stripe", "manual"]),
        },
    ],
    order: "p.created_at DESC, p.id",
    row: PhantomData,
};

/// An emergency request as the back office lists it (`EMERGENCIES`, API §8), with how many workers it
/// was dispatched to and whether it needs escalating.
#[derive(Debug, Deserialize, Serialize, Apiv2Schema)]
#[serde(deny_unknown_fields)]
pub struct EmergencyRow {
    pub id: Uuid,
    /// `open`, `dispatched`, `accepted`, `on_the_way`, `resolved` or `cancelled`.
    pub status: String,
    /// `low`, `medium` or `high`.
    pub urgency_level: String,
    pub contact_phone: String,
    /// The signed-in user who asked; null when anonymous.
    pub created_by: Option<Uuid>,
    pub address_text: String,
    /// Degrees, numeric(9,6).
    pub location_lat: f64,
    pub location_lng: f64,
    pub service_id: Option<Uuid>,
    pub service_name: Option<String>,
    /// The worker profile that accepted it.
    pub assigned_worker_id: Option<Uuid>,
    /// The contractor profile it was escalated to.
    pub assigned_contractor_id: Option<Uuid>,
    /// `metadata.escalation_needed`: timed out or escalated by an admin.
    pub escalation_needed: bool,
    /// Workers its dispatch notified.
    pub workers_notified: i64,
    pub created_at: String,
}

pub const EMERGENCIES: Listing<EmergencyRow> = Listing {
    select: "SELECT e.id, e.status, e.urgency_level, e.contact_phone, e.created_by, e.address_text,
             e.location_lat, e.location_lng, e.service_id, s.name AS service_name, e.assigned_worker_id,
             e.assigned_contractor_id,
             coalesce((e.metadata ->> 'escalation_needed')::boolean, false) AS escalation_needed,
             (SELECT count(*) FROM emergency_dispatch_logs l WHERE l.emergency_id = e.id) AS workers_notified,
             e.created_at
             FROM emergency_requests e LEFT JOIN service_refs s ON s.id = e.service_id",
    id: "e.id",
    search: &["e.contact_phone", "e.address_text", "s.name"],
    filters: &[
        Filter { param: "status", column: "e.status", choices: Some(&crate::domain::emergency::STATUSES) },
        Filter {
            param: "urgency_level",
            column: "e.urgency_level",
            choices: Some(&crate::domain::emergency::URGENCIES),
        },
    ],
    order: "e.created_at DESC, e.id",
    row: PhantomData,
};

/// Bookings of each status; a status without bookings is absent.
#[derive(Debug, Deserialize, Serialize, Apiv2Schema)]
#[serde(deny_unknown_fields)]
pub struct BookingsByStatus {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub requested: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub confirmed: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub on_the_way: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub arrived: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub completed: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cancelled: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub payment_pending: Option<i64>,
}

/// The dashboard's numbers of jobs (`STATS`), days and weeks in the platform's time zone.
#[derive(Debug, Deserialize, Serialize, Apiv2Schema)]
#[serde(deny_unknown_fields)]
pub struct JobsStats {
    pub bookings_today: BookingsByStatus,
    pub bookings_this_week: BookingsByStatus,
    pub bookings_total: i64,
    pub jobs_open: i64,
    pub payments_completed_today: i64,
}

/// The dashboard's numbers, one JSON document (a [`JobsStats`]).
pub const STATS: &str = "WITH bounds AS (SELECT
             date_trunc('day', now()) AS today, date_trunc('week', now()) AS week)
         SELECT jsonb_build_object(
             'bookings_today', (SELECT coalesce(jsonb_object_agg(status, n), '{}') FROM
                 (SELECT status, count(*) AS n FROM bookings, bounds WHERE created_at >= today GROUP BY status) t),
             'bookings_this_week', (SELECT coalesce(jsonb_object_agg(status, n), '{}') FROM
                 (SELECT status, count(*) AS n FROM bookings, bounds WHERE created_at >= week GROUP BY status) t),
             'bookings_total', (SELECT count(*) FROM bookings),
             'jobs_open', (SELECT count(*) FROM jobs WHERE status = 'open'),
             'payments_completed_today', (SELECT count(*) FROM payments, bounds
                 WHERE status = 'completed' AND updated_at >= today)
         ) AS row";

#[derive(diesel::QueryableByName)]
struct DayStatusCount {
    #[diesel(sql_type = diesel::sql_types::Date)]
    day: chrono::NaiveDate,
    #[diesel(sql_type = diesel::sql_types::Text)]
    status: String,
    #[diesel(sql_type = diesel::sql_types::BigInt)]
    n: i64,
}

/// Bookings created on each of the `days` days of `zone` up to `today` (included), oldest first, with
/// their count per status in [`BOOKING_STATUSES`](hm_contracts::events::BOOKING_STATUSES) order: every
/// day and status present (the console's chart).
///
/// Raw SQL: grouping by the local day (`AT TIME ZONE`) is not the query builder's.
pub async fn bookings_per_day(
    conn: &mut diesel_async::AsyncPgConnection,
    today: chrono::NaiveDate,
    days: i64,
    zone: &str,
) -> diesel::QueryResult<Vec<(chrono::NaiveDate, [i64; 7])>> {
    use diesel_async::RunQueryDsl;
    let first = today - chrono::Duration::days(days - 1);
    let rows: Vec<DayStatusCount> = diesel::sql_query(
        "SELECT (created_at AT TIME ZONE $2)::date AS day, status::text AS status, count(*) AS n \
         FROM bookings WHERE created_at >= $1::timestamp AT TIME ZONE $2 GROUP BY 1, 2",
    )
    .bind::<diesel::sql_types::Timestamp, _>(first.and_time(chrono::NaiveTime::MIN))
    .bind::<diesel::sql_types::Text, _>(zone)
    .load(conn)
    .await?;
    let statuses = hm_contracts::events::BOOKING_STATUSES;
    Ok((0..days)
        .map(|i| {
            let day = first + chrono::Duration::days(i);
            let mut counts = [0; 7];
            for row in rows.iter().filter(|r| r.day == day) {
                if let Some(k) = statuses.iter().position(|s| *s == row.status) {
                    counts[k] = row.n;
                }
            }
            (day, counts)
        })
        .collect())
}
