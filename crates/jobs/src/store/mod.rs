//! diesel-async queries, one module per aggregate; every function takes the connection it runs on.

pub mod applications;
pub mod backoffice;
pub mod bookings;
pub mod jobs;
pub mod payments;
pub mod refs;

use hm_platform::constraints::Constraint;
pub use hm_platform::db::Count;

/// The answers to jobs' constraint violations (issue #15).
pub const CONSTRAINTS: &[Constraint] = &[Constraint::error(
    "payments_gateway_reference_key",
    "gateway_reference is already used by another payment",
)];
