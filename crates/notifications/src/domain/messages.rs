//! Who is told what (DOMAIN §5.5): the in-app notifications an event makes, with their titles and texts.

use chrono::{DateTime, Utc};
use chrono_tz::Tz;
use hm_contracts::events::{
    types, ApplicationChanged, AttendanceChecked, BookingChanged, EmergencyChanged, PaymentChanged,
    BOOKING_STATUSES,
};
use serde_json::{json, Value};
use uuid::Uuid;

/// One notification to create.
#[derive(Debug, Clone, PartialEq)]
pub struct Outgoing {
    pub user_id: Uuid,
    pub kind: &'static str,
    pub title: String,
    pub message: String,
    pub data: Value,
}

/// `on_the_way` → `on the way`.
fn spaced(status: &str) -> String {
    status.replace('_', " ")
}

/// `on_the_way` → `On The Way`.
fn title_case(status: &str) -> String {
    status
        .split('_')
        .map(|word| {
            let mut chars = word.chars();
            match chars.next() {
                Some(first) => first.to_uppercase().chain(chars).collect::<String>(),
                None => String::new(),
            }
        })
        .collect::<Vec<_>>()
        .join(" ")
}

/// Whether a booking's people are told about this status: every one but `payment_pending`.
fn told(status: &str) -> bool {
    status != "payment_pending" && BOOKING_STATUSES.contains(&status)
}

/// A booking was created or changed status: the customer is told, and the assigned worker when that is
/// someone else.
pub fn booking(b: &BookingChanged) -> Vec<Outgoing> {
    if !told(&b.status) {
        return Vec::new();
    }
    let mut out = vec![Outgoing {
        user_id: b.user_id,
        kind: "booking_status",
        title: format!("Booking {}", title_case(&b.status)),
        message: format!(
            "Your booking for {} is now {}.",
            b.service_name,
            spaced(&b.status)
        ),
        data: json!({"booking_id": b.booking_id, "status": b.status, "service": b.service_name}),
    }];
    if let Some(worker) = b.worker_user_id.filter(|w| *w != b.user_id) {
        out.push(Outgoing {
            user_id: worker,
            kind: "booking_status",
            title: "Booking Update".into(),
            message: format!("Booking status changed to {}.", spaced(&b.status)),
            data: json!({"booking_id": b.booking_id, "status": b.status}),
        });
    }
    out
}

/// An application was made, accepted or declined.
pub fn application(a: &ApplicationChanged) -> Vec<Outgoing> {
    let data = json!({"job_id": a.job_id, "application_id": a.application_id});
    match (a.status.as_str(), a.reason.as_deref()) {
        ("applied", _) => vec![Outgoing {
            user_id: a.poster_id,
            kind: "job_application",
            title: "New Job Application".into(),
            message: format!("{} applied for \"{}\"", a.worker_name, a.job_title),
            data,
        }],
        ("accepted", _) => vec![
            Outgoing {
                user_id: a.poster_id,
                kind: "application_accepted",
                title: "Application Accepted".into(),
                message: format!("{} accepted your job \"{}\"", a.worker_name, a.job_title),
                data,
            },
            Outgoing {
                user_id: a.worker_user_id,
                kind: "job_assigned",
                title: "Job Assigned".into(),
                message: format!("You have been assigned to \"{}\"", a.job_title),
                data: json!({"job_id": a.job_id}),
            },
        ],
        // Nobody declined it: the job went to another applicant, which this applicant needs to know.
        ("declined", Some(_)) => vec![Outgoing {
            user_id: a.worker_user_id,
            kind: "application_declined",
            title: "Application Closed".into(),
            message: format!("\"{}\" was given to another worker.", a.job_title),
            data,
        }],
        ("declined", None) => vec![Outgoing {
            user_id: a.poster_id,
            kind: "application_declined",
            title: "Application Declined".into(),
            message: format!("{} declined your job \"{}\"", a.worker_name, a.job_title),
            data,
        }],
        _ => Vec::new(),
    }
}

/// A Help Now request moved (DOMAIN §4.7, §5.5; `kind` is the event's type): each worker its dispatch
/// notified is asked (`emergency_dispatch`, "🚨 Emergency Request Nearby"); the requester, when signed
/// in, hears that a worker accepted; `admins` hear of an escalation (the timeout sweep's or an admin's).
pub fn emergency(kind: &str, e: &EmergencyChanged, admins: &[Uuid]) -> Vec<Outgoing> {
    match kind {
        types::EMERGENCY_DISPATCHED => e
            .candidates
            .iter()
            .map(|c| Outgoing {
                user_id: c.worker_user_id,
                kind: "emergency_dispatch",
                title: "🚨 Emergency Request Nearby".into(),
                message: format!(
                    "Urgent help needed {:.1}km away. Tap to respond immediately.",
                    c.distance_km
                ),
                data: json!({"emergency_id": e.emergency_id, "distance_km": c.distance_km,
                             "urgency": e.urgency, "service": e.service_name, "address": e.address}),
            })
            .collect(),
        types::EMERGENCY_ACCEPTED => e
            .created_by
            .map(|creator| Outgoing {
                user_id: creator,
                kind: "emergency_update",
                title: "Emergency Accepted ✅".into(),
                message: format!(
                    "Worker {} is on the way!",
                    e.worker_name.as_deref().unwrap_or("a professional")
                ),
                data: json!({"emergency_id": e.emergency_id}),
            })
            .into_iter()
            .collect(),
        types::EMERGENCY_ESCALATED => {
            let reason = e
                .escalation_reason
                .as_deref()
                .unwrap_or("Escalation needed");
            admins
                .iter()
                .map(|admin| Outgoing {
                    user_id: *admin,
                    kind: "emergency_update",
                    title: "🚨 Emergency Needs Attention".into(),
                    message: format!("{reason}: {} ({} urgency).", e.address, e.urgency),
                    data: json!({"emergency_id": e.emergency_id, "reason": reason,
                                 "timed_out": e.timed_out, "contact_phone": e.contact_phone}),
                })
                .collect()
        }
        _ => Vec::new(),
    }
}

/// A payment's outcome, to the customer who paid.
pub fn payment(p: &PaymentChanged) -> Vec<Outgoing> {
    let (title, message) = if p.status == "completed" {
        (
            "Payment Received",
            format!("Your payment of {} {} was received.", p.currency, p.amount),
        )
    } else {
        (
            "Payment Failed",
            format!("Your payment of {} {} failed.", p.currency, p.amount),
        )
    };
    vec![Outgoing {
        user_id: p.user_id,
        kind: "payment",
        title: title.into(),
        message,
        data: json!({"payment_id": p.payment_id, "booking_id": p.booking_id, "status": p.status}),
    }]
}

/// `09:02 AM` in `zone` (the platform's `TIME_ZONE`, India's by default), as the kiosk showed it.
fn clock(at: DateTime<Utc>, zone: Tz) -> String {
    at.with_timezone(&zone).format("%I:%M %p").to_string()
}

/// A kiosk recorded the worker's check-in or check-out: the worker sees it was counted.
pub fn attendance(a: &AttendanceChecked, zone: Tz) -> Vec<Outgoing> {
    let (title, message) = match a.check_out {
        None => (
            "Checked In",
            format!("Your check-in at {} was recorded.", clock(a.check_in, zone)),
        ),
        Some(out) => (
            "Checked Out",
            format!("Your check-out at {} was recorded.", clock(out, zone)),
        ),
    };
    vec![Outgoing {
        user_id: a.worker_user_id,
        kind: "attendance",
        title: title.into(),
        message,
        data: json!({"log_id": a.log_id, "kiosk_id": a.kiosk_id}),
    }]
}

#[cfg(test)]
mod tests {
    use super::*;

    fn booking_event(status: &str, worker: Option<Uuid>) -> BookingChanged {
        BookingChanged {
            booking_id: Uuid::nil(),
            user_id: Uuid::from_u128(1),
            worker_id: worker,
            worker_user_id: worker,
            worker_name: None,
            service_id: Uuid::nil(),
            service_name: "Tap Repair".into(),
            status: status.into(),
            previous_status: None,
            eta_minutes: None,
            actor_id: Uuid::nil(),
            actor_name: String::new(),
            payment_method: "cash".into(),
            payment_status: "n/a".into(),
        }
    }

    #[test]
    fn bookings_tell_the_customer_and_the_worker_in_the_specs_words() {
        let worker = Uuid::from_u128(2);
        let out = booking(&booking_event("on_the_way", Some(worker)));
        assert_eq!(out.len(), 2);
        assert_eq!(
            (&out[0].title[..], &out[0].message[..]),
            (
                "Booking On The Way",
                "Your booking for Tap Repair is now on the way."
            )
        );
        assert_eq!(
            out[0].data,
            json!({"booking_id": Uuid::nil(), "status": "on_the_way", "service": "Tap Repair"})
        );
        assert_eq!(
            (out[1].user_id, &out[1].title[..], &out[1].message[..]),
            (
                worker,
                "Booking Update",
                "Booking status changed to on the way."
            )
        );
        assert_eq!(booking(&booking_event("confirmed", None)).len(), 1);
        assert!(booking(&booking_event("payment_pending", Some(worker))).is_empty());
    }

    #[test]
    fn applications_tell_the_poster_and_the_worker() {
        let mut a = ApplicationChanged {
            application_id: Uuid::nil(),
            job_id: Uuid::nil(),
            job_title: "Fix wooden door".into(),
            poster_id: Uuid::from_u128(1),
            worker_id: Uuid::nil(),
            worker_user_id: Uuid::from_u128(2),
            worker_name: "Ravi Kumar".into(),
            status: "applied".into(),
            reason: None,
        };
        assert_eq!(
            application(&a)[0].message,
            "Ravi Kumar applied for \"Fix wooden door\""
        );
        a.status = "accepted".into();
        let out = application(&a);
        assert_eq!(
            out.iter().map(|o| o.kind).collect::<Vec<_>>(),
            ["application_accepted", "job_assigned"]
        );
        a.status = "declined".into();
        assert_eq!(application(&a)[0].user_id, Uuid::from_u128(1));
        a.reason = Some("job_assigned_to_another".into());
        assert_eq!(application(&a)[0].user_id, Uuid::from_u128(2));
    }

    #[test]
    fn an_emergency_asks_its_candidates_tells_its_requester_and_alerts_admins() {
        use crate::domain::fixtures::emergency_changed;
        use hm_contracts::events::types;
        let id = Uuid::from_u128(1);
        let asked = emergency(
            types::EMERGENCY_DISPATCHED,
            &emergency_changed("dispatched"),
            &[],
        );
        assert_eq!(asked.len(), 2);
        assert_eq!(
            asked[0],
            Outgoing {
                user_id: Uuid::from_u128(4),
                kind: "emergency_dispatch",
                title: "🚨 Emergency Request Nearby".into(),
                message: "Urgent help needed 1.2km away. Tap to respond immediately.".into(),
                data: json!({"emergency_id": id, "distance_km": 1.24, "urgency": "high",
                             "service": "Plumber", "address": "Test Address, Lucknow"}),
            }
        );
        assert_eq!(
            asked[1].message,
            "Urgent help needed 3.5km away. Tap to respond immediately."
        );
        let accepted = EmergencyChanged {
            worker_name: Some("Ravi Kumar".into()),
            ..emergency_changed("accepted")
        };
        let told = emergency(types::EMERGENCY_ACCEPTED, &accepted, &[]);
        assert_eq!(told.len(), 1);
        assert_eq!(
            (
                told[0].user_id,
                told[0].kind,
                told[0].title.as_str(),
                told[0].message.as_str()
            ),
            (
                Uuid::from_u128(2),
                "emergency_update",
                "Emergency Accepted ✅",
                "Worker Ravi Kumar is on the way!"
            )
        );
        let anonymous = EmergencyChanged {
            created_by: None,
            ..accepted
        };
        assert!(emergency(types::EMERGENCY_ACCEPTED, &anonymous, &[]).is_empty());
        let unnamed = emergency(
            types::EMERGENCY_ACCEPTED,
            &emergency_changed("accepted"),
            &[],
        );
        assert_eq!(unnamed[0].message, "Worker a professional is on the way!");
        let escalated = EmergencyChanged {
            escalation_reason: Some("No worker acceptance within timeout".into()),
            timed_out: true,
            ..emergency_changed("dispatched")
        };
        let admins = [Uuid::from_u128(8), Uuid::from_u128(9)];
        let alerts = emergency(types::EMERGENCY_ESCALATED, &escalated, &admins);
        assert_eq!(alerts.iter().map(|o| o.user_id).collect::<Vec<_>>(), admins);
        assert_eq!(
            alerts[0].message,
            "No worker acceptance within timeout: Test Address, Lucknow (high urgency)."
        );
        assert!(emergency(types::EMERGENCY_CREATED, &escalated, &admins).is_empty());
    }
}
