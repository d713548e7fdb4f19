//! diesel-async queries, one module per concern; every function takes the connection it runs on.
//! Analytics publishes no events, so no store function writes to the outbox.

pub mod aggregates;
pub mod events;
pub mod partitions;
pub mod reports;
pub mod writer;

/// True for the error PostgreSQL raises when a row's `created_at` has no day partition yet (SQLSTATE
/// 23514, "no partition of relation … found for row").
pub fn is_missing_partition(e: &diesel::result::Error) -> bool {
    matches!(
        e,
        diesel::result::Error::DatabaseError(_, info) if info.message().starts_with("no partition of relation")
    )
}
