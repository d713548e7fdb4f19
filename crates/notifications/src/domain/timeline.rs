//! Which events enter the activity history (DOMAIN §5.2, §5.5), and how they read there.

use chrono::{DateTime, Utc};
use hm_contracts::events::{
    types, ApplicationChanged, AttendanceChecked, BookingChanged, BookingLocation,
    EmergencyChanged, PaymentChanged,
};
use serde_json::{json, Value};
use uuid::Uuid;

/// One entry to record.
#[derive(Debug, Clone, PartialEq)]
pub struct Entry {
    pub booking_id: Option<Uuid>,
    pub job_id: Option<Uuid>,
    pub related_user_id: Option<Uuid>,
    pub event_type: &'static str,
    pub actor_display: String,
    pub payload: Value,
    /// When it happened (the event's time, not when it was recorded).
    pub at: DateTime<Utc>,
}

const SYSTEM: &str = "System";

/// The booking statuses that have their own event type; others are `custom`.
fn booking_event_type(status: &str) -> Option<&'static str> {
    Some(match status {
        "requested" => "booking_requested",
        "confirmed" => "booking_confirmed",
        "on_the_way" => "booking_on_the_way",
        "arrived" => "booking_arrived",
        "completed" => "booking_completed",
        "cancelled" => "booking_cancelled",
        _ => return None,
    })
}

fn actor(name: &str) -> String {
    let name = name.trim();
    if name.is_empty() {
        SYSTEM.to_owned()
    } else {
        name.to_owned()
    }
}

/// A booking was created or changed status (`assigned` false), or was given a worker (`assigned`).
pub fn booking(b: &BookingChanged, assigned: bool, at: DateTime<Utc>) -> Entry {
    let (event_type, payload, related) = if assigned {
        (
            "worker_assigned",
            json!({"worker_id": b.worker_id, "worker_name": b.worker_name, "status": b.status}),
            b.worker_user_id,
        )
    } else {
        match booking_event_type(&b.status) {
            Some(t) => (
                t,
                json!({"status": b.status, "previous_status": b.previous_status}),
                Some(b.actor_id),
            ),
            None => (
                "custom",
                json!({"event": "booking_status_changed", "status": b.status,
                       "previous_status": b.previous_status}),
                Some(b.actor_id),
            ),
        }
    };
    Entry {
        booking_id: Some(b.booking_id),
        job_id: None,
        related_user_id: related,
        event_type,
        actor_display: actor(&b.actor_name),
        payload,
        at,
    }
}

/// An application was made or accepted (a declined one is not history of the job).
pub fn application(
    a: &ApplicationChanged,
    poster_name: Option<String>,
    at: DateTime<Utc>,
) -> Option<Entry> {
    let (event_type, actor_display, related, payload) = match a.status.as_str() {
        "applied" => (
            "job_applied",
            actor(&a.worker_name),
            a.worker_user_id,
            json!({"worker_id": a.worker_id, "worker_name": a.worker_name, "application_id": a.application_id}),
        ),
        "accepted" => (
            "job_accepted",
            poster_name.unwrap_or_else(|| SYSTEM.to_owned()),
            a.poster_id,
            json!({"worker_id": a.worker_id, "application_id": a.application_id}),
        ),
        _ => return None,
    };
    Some(Entry {
        booking_id: None,
        job_id: Some(a.job_id),
        related_user_id: Some(related),
        event_type,
        actor_display,
        payload,
        at,
    })
}

pub fn payment(p: &PaymentChanged, at: DateTime<Utc>) -> Entry {
    Entry {
        booking_id: Some(p.booking_id),
        job_id: None,
        related_user_id: Some(p.user_id),
        event_type: if p.status == "completed" {
            "payment_captured"
        } else {
            "payment_failed"
        },
        actor_display: SYSTEM.to_owned(),
        payload: json!({"payment_id": p.payment_id, "amount": p.amount, "currency": p.currency,
                        "status": p.status}),
        at,
    }
}

pub fn attendance(a: &AttendanceChecked, worker_name: Option<String>, at: DateTime<Utc>) -> Entry {
    Entry {
        booking_id: None,
        job_id: None,
        related_user_id: Some(a.worker_user_id),
        event_type: "attendance_marked",
        actor_display: worker_name.unwrap_or_else(|| SYSTEM.to_owned()),
        payload: json!({
            "event": if a.check_out.is_some() { "checked_out" } else { "checked_in" },
            "log_id": a.log_id, "kiosk_id": a.kiosk_id, "check_in": a.check_in,
            "check_out": a.check_out, "distance_m": a.distance_m,
        }),
        at,
    }
}

/// A live position of the booking's worker (DOMAIN §5.5): `custom` `{event: "location_update", lat, lng,
/// timestamp}`, by whoever posted it.
pub fn location(l: &BookingLocation, at: DateTime<Utc>) -> Entry {
    Entry {
        booking_id: Some(l.booking_id),
        job_id: None,
        related_user_id: Some(l.actor_id),
        event_type: "custom",
        actor_display: actor(&l.actor_name),
        payload: json!({"event": "location_update", "lat": l.lat, "lng": l.lng,
                        "timestamp": l.timestamp, "worker_id": l.worker_id}),
        at,
    }
}

/// A Help Now request's steps that enter the history (DOMAIN §5.5): `custom` entries on no booking or
/// job, related to the requester: created (by the contact phone), accepted (by the worker), an admin's
/// status change.
pub fn emergency(kind: &str, e: &EmergencyChanged, at: DateTime<Utc>) -> Option<Entry> {
    let (actor_display, payload, related) = match kind {
        types::EMERGENCY_CREATED => (
            e.contact_phone.clone(),
            json!({"event": "emergency_created", "emergency_id": e.emergency_id,
                   "urgency": e.urgency, "location": {"lat": e.location.lat, "lng": e.location.lng}}),
            e.created_by,
        ),
        types::EMERGENCY_ACCEPTED => (
            actor(e.worker_name.as_deref().unwrap_or_default()),
            json!({"event": "emergency_accepted", "emergency_id": e.emergency_id,
                   "worker_id": e.worker_id}),
            e.worker_user_id,
        ),
        types::EMERGENCY_STATUS_CHANGED => (
            actor(e.actor_name.as_deref().unwrap_or_default()),
            json!({"event": "emergency_status_changed", "emergency_id": e.emergency_id,
                   "old_status": e.previous_status, "new_status": e.status}),
            e.created_by,
        ),
        _ => return None,
    };
    Some(Entry {
        booking_id: None,
        job_id: None,
        related_user_id: related,
        event_type: "custom",
        actor_display,
        payload,
        at,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::fixtures::booking_changed as changed;
    use uuid::Uuid;

    #[test]
    fn booking_statuses_map_to_their_event_types() {
        let e = booking(&changed("on_the_way"), false, Utc::now());
        assert_eq!(e.event_type, "booking_on_the_way");
        assert_eq!(e.payload["status"], "on_the_way");
        assert_eq!(e.actor_display, "System");
        let pending = booking(&changed("payment_pending"), false, Utc::now());
        assert_eq!(pending.event_type, "custom");
        assert_eq!(pending.payload["event"], "booking_status_changed");
    }

    #[test]
    fn a_position_is_a_custom_location_update_by_its_poster() {
        let posted = BookingLocation {
            booking_id: Uuid::from_u128(1),
            user_id: Uuid::from_u128(2),
            worker_id: Some(Uuid::from_u128(3)),
            lat: 28.6139,
            lng: 77.209,
            timestamp: Utc::now(),
            actor_id: Uuid::from_u128(4),
            actor_name: "Raju Kumar".into(),
        };
        let e = location(&posted, Utc::now());
        assert_eq!(e.event_type, "custom");
        assert_eq!(e.booking_id, Some(Uuid::from_u128(1)));
        assert_eq!(e.actor_display, "Raju Kumar");
        assert_eq!(e.payload["event"], "location_update");
        assert_eq!(e.payload["lat"], 28.6139);
        assert_eq!(e.payload["lng"], 77.209);
    }

    #[test]
    fn an_assignment_names_the_worker() {
        let e = booking(&changed("confirmed"), true, Utc::now());
        assert_eq!(e.event_type, "worker_assigned");
        assert_eq!(e.related_user_id, Some(Uuid::from_u128(4)));
        assert_eq!(e.payload["worker_name"], "Raju Kumar");
    }

    #[test]
    fn an_emergencys_steps_are_custom_entries_on_no_booking() {
        use crate::domain::fixtures::emergency_changed;
        use hm_contracts::events::types;
        let created = emergency(
            types::EMERGENCY_CREATED,
            &emergency_changed("open"),
            Utc::now(),
        );
        let Some(created) = created else {
            panic!("an entry for a created emergency");
        };
        assert_eq!((created.booking_id, created.job_id), (None, None));
        assert_eq!(created.event_type, "custom");
        assert_eq!(created.actor_display, "+919900000001");
        assert_eq!(created.related_user_id, Some(Uuid::from_u128(2)));
        assert_eq!(
            created.payload,
            serde_json::json!({"event": "emergency_created", "emergency_id": Uuid::from_u128(1),
                               "urgency": "high", "location": {"lat": 26.8467, "lng": 80.9462}})
        );
        let changed = EmergencyChanged {
            previous_status: Some("accepted".into()),
            actor_name: Some("Asha Admin".into()),
            ..emergency_changed("resolved")
        };
        let Some(entry) = emergency(types::EMERGENCY_STATUS_CHANGED, &changed, Utc::now()) else {
            panic!("an entry for a status change");
        };
        assert_eq!(entry.payload["event"], "emergency_status_changed");
        assert_eq!(entry.payload["old_status"], "accepted");
        assert_eq!(entry.payload["new_status"], "resolved");
        assert_eq!(entry.actor_display, "Asha Admin");
        assert!(emergency(types::EMERGENCY_DISPATCHED, &changed, Utc::now()).is_none());
    }
}
