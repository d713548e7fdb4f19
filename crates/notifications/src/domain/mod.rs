//! Notifications' rules, free of I/O.

pub mod messages;
pub mod realtime;
pub mod timeline;

/// The notification types (DOMAIN §5.1).
pub const TYPES: [&str; 12] = [
    "booking_status",
    "job_application",
    "assignment",
    "attendance",
    "system",
    "promo",
    "application_accepted",
    "application_declined",
    "job_assigned",
    "emergency_dispatch",
    "emergency_update",
    "payment",
];

/// How a notification reaches its person (`both` = in the app and pushed).
pub const CHANNELS: [&str; 4] = ["push", "in_app", "email", "both"];
