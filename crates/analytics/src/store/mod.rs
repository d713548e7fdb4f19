//! diesel-async queries, one module per concern; every function takes the connection it runs on.
//! Analytics publishes no events, so no store function writes to the outbox.

pub mod aggregates;
pub mod events;
pub mod partitions;
pub mod reports;
pub mod writer;

/// True for the error PostgreSQL raises when a row's `created_at` has no day partition yet (SQLSTATE
/// 23514 without a constraint: "no partition of relation … found for row"; every CHECK of the table has
/// a name, and validated input never breaks one).
pub fn is_missing_partition(e: &diesel::result::Error) -> bool {
    use diesel::result::{DatabaseErrorKind, Error};
    matches!(
        e,
        Error::DatabaseError(DatabaseErrorKind::CheckViolation, info) if info.constraint_name().is_none()
    )
}
