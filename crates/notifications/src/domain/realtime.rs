//! What the realtime channels carry (API §10.3, DOMAIN §5.5–5.6), made from the events every replica
//! hears on its broadcast: one message per channel, as the WebSocket clients of that channel receive it.
//! Channels are `booking_{booking_id}` and `user_{user_id}`; `crate::realtime` forwards them to sockets.

use chrono::{DateTime, SecondsFormat, Utc};
use chrono_tz::Tz;
use hm_contracts::events::{
    types, ApplicationChanged, AvailabilityChanged, BookingChanged, BookingLocation,
    EmergencyChanged, EmergencyLocation, NotificationCreated, WorkerLocation,
};
use hm_contracts::Event;
use serde::Deserialize;
use serde_json::{json, Value};
use uuid::Uuid;

/// The routing keys whose events become realtime messages (a replica's broadcast binds them).
pub const REALTIME_EVENTS: [&str; 17] = [
    types::NOTIFICATION_CREATED,
    types::WORKER_AVAILABILITY_CHANGED,
    types::WORKER_LOCATION_UPDATED,
    types::EMERGENCY_LOCATION_UPDATED,
    types::EMERGENCY_CREATED,
    types::EMERGENCY_DISPATCHED,
    types::EMERGENCY_ACCEPTED,
    types::EMERGENCY_DECLINED,
    types::EMERGENCY_STATUS_CHANGED,
    types::EMERGENCY_ESCALATED,
    types::BOOKING_CREATED,
    types::BOOKING_ASSIGNED,
    types::BOOKING_STATUS_CHANGED,
    types::BOOKING_LOCATION_UPDATED,
    types::APPLICATION_CREATED,
    types::APPLICATION_ACCEPTED,
    types::APPLICATION_DECLINED,
];

/// What a client may send (API §10.2); anything else is ignored.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum ClientMessage {
    /// Answered with `{"type": "pong"}`.
    Ping,
    /// Marks one of the caller's own notifications read (on `/ws/notifications/` only); no reply.
    MarkRead { notification_id: Uuid },
}

impl ClientMessage {
    /// The message a text frame holds, if it is one of ours.
    pub fn parse(text: &str) -> Option<ClientMessage> {
        serde_json::from_str(text).ok()
    }
}

/// The reply to a client's `ping`.
pub const PONG: &str = r#"{"type":"pong"}"#;

/// The first message of a socket on `/ws/bookings/{id}/`.
pub fn booking_welcome(booking: Uuid) -> Value {
    json!({"type": "connection_established", "booking_id": booking,
           "message": "Connected to booking updates"})
}

/// The first message of a socket on `/ws/notifications/`.
pub fn notifications_welcome() -> Value {
    json!({"type": "connection_established", "message": "Connected to notifications"})
}

/// A message for the clients of one channel.
#[derive(Debug, Clone, PartialEq)]
pub struct Outbound {
    /// `booking_{id}` or `user_{id}`.
    pub channel: String,
    /// The JSON object sent as a text frame; its `type` names it.
    pub message: Value,
}

/// The channel of a booking's watchers (its customer, its worker, staff).
pub fn booking_channel(booking: Uuid) -> String {
    format!("booking_{booking}")
}

/// The channel every staff member's `/ws/notifications/` socket also hears: the back-office's live
/// view of emergencies (the admin console).
pub const STAFF_CHANNEL: &str = "staff";

/// The channel of one user's own messages.
pub fn user_channel(user: Uuid) -> String {
    format!("user_{user}")
}

/// UTC ISO 8601, as the realtime messages give times (`2026-01-03T11:05:00+00:00`).
fn utc(at: DateTime<Utc>) -> String {
    at.to_rfc3339_opts(SecondsFormat::AutoSi, false)
}

/// A booking created, assigned or moved (`kind` is the event's type; `at` when it happened): one merged
/// `booking_status` message on `booking_{id}` (API §7.4), or `booking_assigned` (§7.5).
pub fn booking(kind: &str, b: &BookingChanged, at: DateTime<Utc>) -> Option<Outbound> {
    let message = match kind {
        types::BOOKING_ASSIGNED => json!({
            "type": "booking_assigned", "id": b.booking_id, "status": b.status,
            "worker_id": b.worker_id, "worker_name": b.worker_name, "updated_at": utc(at),
        }),
        types::BOOKING_CREATED | types::BOOKING_STATUS_CHANGED => json!({
            "type": "booking_status", "id": b.booking_id, "booking_id": b.booking_id,
            "status": b.status, "event_type": format!("booking_{}", b.status),
            "eta_minutes": b.eta_minutes, "worker_id": b.worker_id, "actor": b.actor_name,
            "updated_at": utc(at), "timestamp": utc(at),
        }),
        _ => return None,
    };
    Some(Outbound {
        channel: booking_channel(b.booking_id),
        message,
    })
}

/// A live position of the booking's worker: `location_update` on `booking_{id}` (API §7.7).
pub fn location(l: &BookingLocation) -> Outbound {
    Outbound {
        channel: booking_channel(l.booking_id),
        message: json!({
            "type": "location_update", "booking_id": l.booking_id, "lat": l.lat, "lng": l.lng,
            "timestamp": utc(l.timestamp), "actor": l.actor_name, "worker_id": l.worker_id,
        }),
    }
}

/// A person's new notification: `{"type": "notification", …}` on `user_{recipient}` with the fields of
/// "Notification JSON" (API §9; times in `zone`), its own type as `notification_type` (the message's
/// `type` names the message).
pub fn notification(n: &NotificationCreated, zone: Tz) -> Outbound {
    let at = n
        .created_at
        .with_timezone(&zone)
        .to_rfc3339_opts(SecondsFormat::AutoSi, false);
    Outbound {
        channel: user_channel(n.user_id),
        message: json!({
            "type": "notification", "id": n.id, "user": n.user_id, "title": n.title,
            "message": n.message, "notification_type": n.kind, "data": n.data, "is_read": false,
            "channel": n.channel, "metadata": n.metadata, "created_at": at, "updated_at": at,
        }),
    }
}

/// A Help Now request moved (`kind` its event's type, `at` when): `emergency_update` for staff and, when
/// signed in, the requester (who watches it dispatched, accepted, escalated). The workers asked get
/// their `notification` (emergency_dispatch) on their own channel.
pub fn emergency(kind: &str, e: &EmergencyChanged, at: DateTime<Utc>) -> Vec<Outbound> {
    let event = kind.rsplit('.').next().unwrap_or(kind);
    let message = json!({
        "type": "emergency_update", "event": event, "emergency_id": e.emergency_id,
        "status": e.status, "urgency": e.urgency, "assigned_worker_id": e.assigned_worker_id,
        "worker_name": e.worker_name, "candidates_notified": e.candidates.len(),
        "escalation_reason": e.escalation_reason, "timestamp": utc(at),
    });
    let mut out = vec![Outbound {
        channel: STAFF_CHANNEL.to_owned(),
        message: message.clone(),
    }];
    if let Some(creator) = e.created_by {
        out.push(Outbound {
            channel: user_channel(creator),
            message,
        });
    }
    out
}

/// The position of the worker coming to a Help Now request: `location_update` with its `emergency_id`
/// for its requester (when signed in) and staff.
pub fn emergency_location(l: &EmergencyLocation) -> Vec<Outbound> {
    let message = json!({
        "type": "location_update", "emergency_id": l.emergency_id, "worker_id": l.worker_id,
        "lat": l.lat, "lng": l.lng, "timestamp": utc(l.timestamp),
    });
    let mut out = vec![Outbound {
        channel: STAFF_CHANNEL.to_owned(),
        message: message.clone(),
    }];
    if let Some(creator) = l.created_by {
        out.push(Outbound {
            channel: user_channel(creator),
            message,
        });
    }
    out
}

/// A worker's own toggle and position (§10.3 `availability_changed`, `location_updated`; the catalogue's
/// `worker_{profile}` channel has no socket of §10.2, so they go to the worker's own sockets, where their
/// other devices follow them, with the profile as `worker_id`). A position only while available.
pub fn worker(kind: &str, event: &Event) -> Result<Vec<Outbound>, serde_json::Error> {
    let (user, message) = match kind {
        types::WORKER_AVAILABILITY_CHANGED => {
            let a: AvailabilityChanged = event.payload()?;
            let message = json!({"type": "availability_changed", "worker_id": a.profile_id,
                                 "is_available": a.is_available, "timestamp": utc(a.at)});
            (a.user_id, message)
        }
        types::WORKER_LOCATION_UPDATED => {
            let l: WorkerLocation = event.payload()?;
            if !l.is_available {
                return Ok(Vec::new());
            }
            let message = json!({"type": "location_updated", "worker_id": l.profile_id,
                                 "lat": l.lat, "lng": l.lng, "timestamp": utc(l.at)});
            (l.user_id, message)
        }
        _ => return Ok(Vec::new()),
    };
    Ok(vec![Outbound {
        channel: user_channel(user),
        message,
    }])
}

/// The messages `event` makes (none for a type without any). A payload that does not parse is the
/// publisher's bug: the error says so and the replica logs it.
pub fn outbound(event: &Event, zone: Tz) -> Result<Vec<Outbound>, serde_json::Error> {
    let kind = event.event_type.as_str();
    Ok(match kind {
        types::NOTIFICATION_CREATED => vec![notification(&event.payload()?, zone)],
        types::BOOKING_CREATED | types::BOOKING_ASSIGNED | types::BOOKING_STATUS_CHANGED => {
            booking(kind, &event.payload()?, event.occurred_at)
                .into_iter()
                .collect()
        }
        types::BOOKING_LOCATION_UPDATED => vec![location(&event.payload()?)],
        types::APPLICATION_CREATED | types::APPLICATION_ACCEPTED | types::APPLICATION_DECLINED => {
            application(kind, &event.payload()?)
        }
        types::EMERGENCY_CREATED
        | types::EMERGENCY_DISPATCHED
        | types::EMERGENCY_ACCEPTED
        | types::EMERGENCY_DECLINED
        | types::EMERGENCY_STATUS_CHANGED
        | types::EMERGENCY_ESCALATED => emergency(kind, &event.payload()?, event.occurred_at),
        types::EMERGENCY_LOCATION_UPDATED => emergency_location(&event.payload()?),
        types::WORKER_AVAILABILITY_CHANGED | types::WORKER_LOCATION_UPDATED => worker(kind, event)?,
        _ => Vec::new(),
    })
}

/// An application made, accepted or declined (API §6.6–6.8): `job_application` on the poster's channel
/// (`worker_name` when applied), and on acceptance `job_assigned` on the worker's. An application
/// declined because another won (`reason` set) was no one's decision: it sends nothing.
pub fn application(kind: &str, a: &ApplicationChanged) -> Vec<Outbound> {
    let poster = user_channel(a.poster_id);
    let ids = (a.job_id, a.application_id);
    match kind {
        types::APPLICATION_CREATED => vec![Outbound {
            channel: poster,
            message: json!({"type": "job_application", "action": "applied", "job_id": ids.0,
                            "application_id": ids.1, "worker_name": a.worker_name}),
        }],
        types::APPLICATION_ACCEPTED => vec![
            Outbound {
                channel: poster,
                message: json!({"type": "job_application", "action": "accepted",
                                "job_id": ids.0, "application_id": ids.1}),
            },
            Outbound {
                channel: user_channel(a.worker_user_id),
                message: json!({"type": "job_assigned", "job_id": ids.0, "job_title": a.job_title}),
            },
        ],
        types::APPLICATION_DECLINED if a.reason.is_none() => vec![Outbound {
            channel: poster,
            message: json!({"type": "job_application", "action": "declined", "job_id": ids.0,
                            "application_id": ids.1}),
        }],
        _ => Vec::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The shared booking event, moved by its worker with an ETA.
    fn changed(status: &str) -> BookingChanged {
        BookingChanged {
            eta_minutes: Some(15),
            actor_name: "Raju Kumar".into(),
            ..crate::domain::fixtures::booking_changed(status)
        }
    }

    fn at() -> DateTime<Utc> {
        "2026-01-03T11:05:00Z".parse().unwrap_or_default()
    }

    #[test]
    fn a_status_change_is_one_merged_booking_status_message() {
        let sent = booking(types::BOOKING_STATUS_CHANGED, &changed("on_the_way"), at());
        let id = Uuid::from_u128(1);
        assert_eq!(
            sent,
            Some(Outbound {
                channel: format!("booking_{id}"),
                message: json!({"type": "booking_status", "id": id, "booking_id": id,
                                "status": "on_the_way", "event_type": "booking_on_the_way",
                                "eta_minutes": 15, "worker_id": Uuid::from_u128(3),
                                "actor": "Raju Kumar", "updated_at": "2026-01-03T11:05:00+00:00",
                                "timestamp": "2026-01-03T11:05:00+00:00"}),
            })
        );
        let assigned = booking(types::BOOKING_ASSIGNED, &changed("confirmed"), at());
        assert_eq!(
            assigned.map(|o| o.message),
            Some(
                json!({"type": "booking_assigned", "id": id, "status": "confirmed",
                        "worker_id": Uuid::from_u128(3), "worker_name": "Raju Kumar",
                        "updated_at": "2026-01-03T11:05:00+00:00"})
            )
        );
        assert_eq!(
            booking(types::BOOKING_COMPLETED, &changed("completed"), at()),
            None
        );
    }

    #[test]
    fn a_position_goes_to_the_booking_channel() {
        let l = BookingLocation {
            booking_id: Uuid::from_u128(1),
            user_id: Uuid::from_u128(2),
            worker_id: Some(Uuid::from_u128(3)),
            lat: 28.6139,
            lng: 77.209,
            timestamp: at(),
            actor_id: Uuid::from_u128(4),
            actor_name: "Raju Kumar".into(),
        };
        let sent = location(&l);
        assert_eq!(sent.channel, booking_channel(Uuid::from_u128(1)));
        assert_eq!(
            sent.message,
            json!({"type": "location_update", "booking_id": Uuid::from_u128(1), "lat": 28.6139,
                   "lng": 77.209, "timestamp": "2026-01-03T11:05:00+00:00", "actor": "Raju Kumar",
                   "worker_id": Uuid::from_u128(3)})
        );
    }

    #[test]
    fn applications_reach_the_poster_and_an_accepted_worker() {
        let a = ApplicationChanged {
            application_id: Uuid::from_u128(10),
            job_id: Uuid::from_u128(11),
            job_title: "Bathroom pipe fitting".into(),
            poster_id: Uuid::from_u128(12),
            worker_id: Uuid::from_u128(13),
            worker_user_id: Uuid::from_u128(14),
            worker_name: "Ravi Kumar".into(),
            status: "applied".into(),
            reason: None,
        };
        let applied = application(types::APPLICATION_CREATED, &a);
        assert_eq!(applied.len(), 1);
        assert_eq!(applied[0].channel, user_channel(Uuid::from_u128(12)));
        assert_eq!(applied[0].message["action"], "applied");
        assert_eq!(applied[0].message["worker_name"], "Ravi Kumar");
        let accepted = application(types::APPLICATION_ACCEPTED, &a);
        assert_eq!(
            accepted
                .iter()
                .map(|o| o.channel.clone())
                .collect::<Vec<_>>(),
            [
                user_channel(Uuid::from_u128(12)),
                user_channel(Uuid::from_u128(14))
            ]
        );
        assert_eq!(
            accepted[1].message,
            json!({"type": "job_assigned", "job_id": Uuid::from_u128(11),
                   "job_title": "Bathroom pipe fitting"})
        );
        assert_eq!(application(types::APPLICATION_DECLINED, &a).len(), 1);
        let lost = ApplicationChanged {
            reason: Some("job_assigned_to_another".into()),
            ..a
        };
        assert!(application(types::APPLICATION_DECLINED, &lost).is_empty());
    }

    #[test]
    fn an_emergency_update_reaches_staff_and_its_requester() {
        use crate::domain::fixtures::emergency_changed;
        let sent = emergency(
            types::EMERGENCY_DISPATCHED,
            &emergency_changed("dispatched"),
            at(),
        );
        assert_eq!(
            sent.iter().map(|o| o.channel.as_str()).collect::<Vec<_>>(),
            ["staff", &*user_channel(Uuid::from_u128(2))]
        );
        assert_eq!(
            sent[0].message,
            json!({"type": "emergency_update", "event": "dispatched",
                   "emergency_id": Uuid::from_u128(1), "status": "dispatched", "urgency": "high",
                   "assigned_worker_id": null, "worker_name": null, "candidates_notified": 2,
                   "escalation_reason": null, "timestamp": "2026-01-03T11:05:00+00:00"})
        );
        let anonymous = EmergencyChanged {
            created_by: None,
            ..emergency_changed("open")
        };
        assert_eq!(
            emergency(types::EMERGENCY_CREATED, &anonymous, at()).len(),
            1
        );
    }

    #[test]
    fn the_coming_workers_position_reaches_the_requester_and_staff() {
        let l = EmergencyLocation {
            emergency_id: Uuid::from_u128(1),
            created_by: Some(Uuid::from_u128(2)),
            worker_id: Uuid::from_u128(3),
            lat: 26.85,
            lng: 80.95,
            timestamp: at(),
        };
        let sent = emergency_location(&l);
        assert_eq!(
            sent.iter().map(|o| o.channel.clone()).collect::<Vec<_>>(),
            [STAFF_CHANNEL.to_owned(), user_channel(Uuid::from_u128(2))]
        );
        assert_eq!(
            sent[1].message,
            json!({"type": "location_update", "emergency_id": Uuid::from_u128(1),
                   "worker_id": Uuid::from_u128(3), "lat": 26.85, "lng": 80.95,
                   "timestamp": "2026-01-03T11:05:00+00:00"})
        );
    }

    #[test]
    fn a_workers_toggle_and_position_reach_their_own_sockets() {
        let toggled = Event::new(
            "workforce",
            types::WORKER_AVAILABILITY_CHANGED,
            None,
            AvailabilityChanged {
                profile_id: Uuid::from_u128(3),
                user_id: Uuid::from_u128(4),
                is_available: true,
                at: at(),
            },
        );
        let Ok(toggled) = toggled.into_json() else {
            panic!("an event");
        };
        let Ok(sent) = outbound(&toggled, chrono_tz::Asia::Kolkata) else {
            panic!("messages");
        };
        assert_eq!(
            sent,
            vec![Outbound {
                channel: user_channel(Uuid::from_u128(4)),
                message: json!({"type": "availability_changed", "worker_id": Uuid::from_u128(3),
                                "is_available": true, "timestamp": "2026-01-03T11:05:00+00:00"}),
            }]
        );
        let moved = |available: bool| {
            Event::new(
                "workforce",
                types::WORKER_LOCATION_UPDATED,
                None,
                WorkerLocation {
                    profile_id: Uuid::from_u128(3),
                    user_id: Uuid::from_u128(4),
                    lat: 19.1136,
                    lng: 72.8697,
                    is_available: available,
                    at: at(),
                },
            )
            .into_json()
            .unwrap_or_else(|_| panic!("an event"))
        };
        let Ok(sent) = outbound(&moved(true), chrono_tz::Asia::Kolkata) else {
            panic!("messages");
        };
        assert_eq!(
            sent[0].message,
            json!({"type": "location_updated", "worker_id": Uuid::from_u128(3), "lat": 19.1136,
                   "lng": 72.8697, "timestamp": "2026-01-03T11:05:00+00:00"})
        );
        let offline = outbound(&moved(false), chrono_tz::Asia::Kolkata);
        assert!(offline.is_ok_and(|m| m.is_empty()));
    }
}
