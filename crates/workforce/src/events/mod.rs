//! What workforce publishes ([`published`], enqueued by the store in the writing transaction) and the
//! consumer it runs ([`consumer`]).

pub mod consumer;
pub mod published;

pub use consumer::Incoming;
pub use published::*;

use hm_contracts::events::types;

/// The event types workforce consumes.
pub const CONSUMED: [&str; 8] = [
    types::SERVICE_CREATED,
    types::SERVICE_UPDATED,
    types::SKILL_RESOLVED,
    types::USER_REGISTERED,
    types::USER_UPDATED,
    types::JOB_POSTED,
    types::JOB_STATUS_CHANGED,
    types::BOOKING_COMPLETED,
];
