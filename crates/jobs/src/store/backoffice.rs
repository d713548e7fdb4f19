//! What the back office reads of jobs (issue #9): the admin listings and the dashboard's numbers.

use hm_platform::admin::{Filter, Listing};

pub const JOBS: Listing = Listing {
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
};

pub const BOOKINGS: Listing = Listing {
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
        Filter { param: "payment_method", column: "b.payment_method", choices: Some(&["cash", "online", "none"]) },
        Filter {
            param: "payment_status",
            column: "b.payment_status",
            choices: Some(&["pending", "paid", "failed", "n/a"]),
        },
    ],
    order: "b.created_at DESC, b.id",
};

pub const PAYMENTS: Listing = Listing {
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
};

/// The dashboard's numbers, one JSON document.
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
