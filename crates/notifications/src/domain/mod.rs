//! Notifications' rules, free of I/O.

pub mod messages;
pub mod realtime;
pub mod timeline;

use uuid::Uuid;

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

/// Who may follow a booking, its timeline (API §7.6) and its socket (§10.2): its customer, its
/// current worker's user, and staff.
pub fn is_party(customer: Uuid, worker_user: Option<Uuid>, caller: Uuid, admin: bool) -> bool {
    admin || caller == customer || worker_user == Some(caller)
}

/// Events as the domain's unit tests use them.
#[cfg(test)]
pub(crate) mod fixtures {
    use hm_contracts::events::BookingChanged;
    use uuid::Uuid;

    /// Booking 1 of customer 2 with worker profile 3 (user 4, Raju Kumar), moved to `status` from
    /// `requested` by user 5, shown without a name.
    pub fn booking_changed(status: &str) -> BookingChanged {
        BookingChanged {
            booking_id: Uuid::from_u128(1),
            user_id: Uuid::from_u128(2),
            worker_id: Some(Uuid::from_u128(3)),
            worker_user_id: Some(Uuid::from_u128(4)),
            worker_name: Some("Raju Kumar".into()),
            service_id: Uuid::nil(),
            service_name: "Tap Repair".into(),
            status: status.into(),
            previous_status: Some("requested".into()),
            eta_minutes: None,
            actor_id: Uuid::from_u128(5),
            actor_name: String::new(),
            payment_method: "cash".into(),
            payment_status: "n/a".into(),
        }
    }
}
