//! What every event jobs publishes shares (proto-docs/events.md): its `source` and who made a booking's
//! change. Each store module builds the events of the rows it owns (`jobs::event`, `applications::event`,
//! `bookings::event`, `payments::event`) and appends them to the outbox in the transaction of the change.

/// The `source` of every event jobs publishes.
pub const SOURCE: &str = "jobs";

/// Who changed a booking, and how they are shown.
#[derive(Debug, Clone)]
pub struct Actor {
    pub id: uuid::Uuid,
    pub name: String,
}
