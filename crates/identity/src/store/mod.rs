//! Identity's persistence: diesel-async queries per aggregate, and the OTP challenges in Redis. A function
//! that changes something owns its transaction and appends its events to the outbox in it.

pub mod backoffice;
pub mod challenges;
pub mod ekyc;
pub mod otp_logs;
pub mod outbox;
pub mod refresh_tokens;
pub mod sessions;
pub mod users;

use hm_platform::constraints::Constraint;

/// The answers to identity's constraint violations (issue #15).
pub const CONSTRAINTS: &[Constraint] = &[
    Constraint::field(
        "users_phone_key",
        "phone",
        "user with this phone already exists.",
    ),
    Constraint::field(
        "users_email_lower",
        "email",
        "user with this email already exists.",
    ),
];
