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
    use hm_contracts::events::{BookingChanged, EmergencyCandidate, EmergencyChanged, GeoPoint};
    use uuid::Uuid;

    /// Emergency 1 of user 2 (`+919900000001`, Lucknow), dispatched to workers 3 (user 4, 1.24 km) and
    /// 5 (user 6, 3.5 km), as `status`.
    pub fn emergency_changed(status: &str) -> EmergencyChanged {
        EmergencyChanged {
            emergency_id: Uuid::from_u128(1),
            status: status.into(),
            previous_status: None,
            urgency: "high".into(),
            contact_phone: "+919900000001".into(),
            created_by: Some(Uuid::from_u128(2)),
            service_id: None,
            service_name: Some("Plumber".into()),
            address: "Test Address, Lucknow".into(),
            location: GeoPoint {
                lat: 26.8467,
                lng: 80.9462,
            },
            site_id: None,
            assigned_worker_id: None,
            assigned_contractor_id: None,
            candidates: vec![
                EmergencyCandidate {
                    worker_id: Uuid::from_u128(3),
                    worker_user_id: Uuid::from_u128(4),
                    distance_km: 1.24,
                },
                EmergencyCandidate {
                    worker_id: Uuid::from_u128(5),
                    worker_user_id: Uuid::from_u128(6),
                    distance_km: 3.5,
                },
            ],
            worker_id: None,
            worker_user_id: None,
            worker_name: None,
            notes: None,
            actor_id: None,
            actor_name: None,
            escalation_reason: None,
            timed_out: false,
        }
    }

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
