//! diesel-async over `schema.rs`, one module per aggregate; a function that writes owns its transaction
//! and appends its events to the outbox inside it.

pub mod assignments;
pub mod backoffice;
pub mod contractors;
pub mod kiosk_attendance;
pub mod kiosks;
pub mod refs;
pub mod search;
pub mod site_attendance;
pub mod site_stats;
pub mod sites;
pub mod skills;
pub mod worker_list;
pub mod workers;

use diesel::expression::{SqlLiteral, UncheckedBind};
use diesel::sql_types::{Nullable, Numeric, Text};
use hm_platform::constraints::Constraint;
pub use hm_platform::db::Count;

/// A decimal sent as text (already validated, at the column's scale), bound as text and cast to
/// `numeric` by the database: no decimal type is needed in Rust.
pub type NumericText<'a> = SqlLiteral<
    Nullable<Numeric>,
    UncheckedBind<
        SqlLiteral<Nullable<Numeric>>,
        <Option<&'a str> as diesel::expression::AsExpression<Nullable<Text>>>::Expression,
    >,
>;

/// `text::numeric` for a decimal column (see [`NumericText`]).
pub fn numeric(text: Option<&str>) -> NumericText<'_> {
    diesel::dsl::sql::<Nullable<Numeric>>("")
        .bind::<Nullable<Text>, _>(text)
        .sql("::numeric")
}

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
