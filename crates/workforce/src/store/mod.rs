//! diesel-async queries, one module per aggregate.

pub mod backoffice;
pub mod contractors;
pub mod kiosks;
pub mod refs;
pub mod search;
pub mod sites;
pub mod skills;
pub mod workers;

use hm_platform::constraints::Constraint;
pub use hm_platform::db::Count;

/// The answers to workforce's constraint violations (issue #15): each one-per rule's 400, whoever
/// loses a race for it.
pub const CONSTRAINTS: &[Constraint] = &[
    Constraint::error(
        "worker_profiles_user_id_key",
        "Worker profile already exists for this user.",
    ),
    Constraint::field(
        "contractor_profiles_user_id_key",
        "user",
        "contractor profile with this user already exists.",
    ),
    Constraint::field(
        "kiosks_device_uuid_key",
        "device_uuid",
        "kiosk with this device uuid already exists.",
    ),
    // A contractor's delete cascades to its kiosks; attendance keeps its kiosk.
    Constraint::error(
        "attendance_logs_kiosk_id_fkey",
        "A kiosk of this contractor has attendance records; it cannot be deleted.",
    ),
    Constraint::field(
        "site_attendance_check",
        "checkout_time",
        "Must not be before checkin_time.",
    ),
    Constraint::field("sites_check", "end_date", "Must not be before start_date."),
];
