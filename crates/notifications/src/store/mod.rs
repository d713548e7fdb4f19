//! diesel-async queries, one module per aggregate; every function takes the connection it runs on.

pub mod backoffice;
pub mod devices;
pub mod notifications;
pub mod pushes;
pub mod refs;
pub mod sms_log;
pub mod timeline;

use hm_platform::constraints::Constraint;

/// The answers to notifications' constraint violations (issue #15).
pub const CONSTRAINTS: &[Constraint] = &[Constraint::field(
    "devices_registration_token_key",
    "registration_token",
    "device with this registration token already exists.",
)];
