//! What workforce publishes ([`published`], enqueued by the store in the writing transaction) and the
//! consumer it runs ([`consumer`]).

pub mod consumer;
pub mod published;

pub use consumer::Incoming;
pub use published::*;

use hm_contracts::events::types;

/// The event types workforce's handler takes (users and services are the platform's projections:
/// `INFO.projections`).
pub const CONSUMED: [&str; 4] = [
    types::SKILL_RESOLVED,
    types::JOB_POSTED,
    types::JOB_STATUS_CHANGED,
    types::BOOKING_COMPLETED,
];
