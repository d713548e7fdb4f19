//! The events identity's writes append to the outbox, in the same transaction as the write
//! (proto-docs/events.md); `crate::events` publishes them under the same names.

use crate::domain::user::User;
use hm_contracts::events::{types, UserRegistered, UserUpdated};
use hm_contracts::Event;

/// The `source` of identity's events.
pub const SOURCE: &str = "identity";

/// `identity.user.registered`: a user created by their first sign-in (or the seed).
pub fn user_registered(user: &User, correlation_id: Option<String>) -> Event<UserRegistered> {
    Event::new(
        SOURCE,
        types::USER_REGISTERED,
        correlation_id,
        UserRegistered {
            user_id: user.id,
            phone: user.phone.clone().unwrap_or_default(),
            role: user.role,
            first_name: user.first_name.clone(),
            last_name: user.last_name.clone(),
        },
    )
}

/// `identity.user.updated`: the user's current state, for projections elsewhere.
pub fn user_updated(user: &User, correlation_id: Option<String>) -> Event<UserUpdated> {
    Event::new(
        SOURCE,
        types::USER_UPDATED,
        correlation_id,
        UserUpdated {
            user_id: user.id,
            phone: user.phone.clone().unwrap_or_default(),
            role: user.role,
            first_name: user.first_name.clone(),
            last_name: user.last_name.clone(),
            is_active: user.is_active,
            // eKYC is identity's issue #19 branch; until it lands every user is `none`.
            ekyc_status: hm_contracts::EkycStatus::None,
        },
    )
}
