//! Emergency "Help Now" (DOMAIN §4.7–4.8, API §8): the statuses and the rules on them, who sees a
//! request, the `location` a requester sends, and the metadata the system writes. Dispatch's geometry,
//! ranking and index: `domain::dispatch`.

use super::dispatch::{Point, Ranked};
use chrono::{DateTime, SecondsFormat, Timelike, Utc};
use serde_json::{json, Map, Value};
use std::fmt;
use uuid::Uuid;

/// A request's status (DOMAIN §4.7), stored as its snake_case name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EmergencyStatus {
    Open,
    Dispatched,
    Accepted,
    OnTheWay,
    Resolved,
    Cancelled,
}

impl EmergencyStatus {
    /// Every status, in the order of [`STATUSES`].
    pub const ALL: [EmergencyStatus; 6] = [
        EmergencyStatus::Open,
        EmergencyStatus::Dispatched,
        EmergencyStatus::Accepted,
        EmergencyStatus::OnTheWay,
        EmergencyStatus::Resolved,
        EmergencyStatus::Cancelled,
    ];

    /// The status as stored and shown.
    pub fn as_str(self) -> &'static str {
        match self {
            EmergencyStatus::Open => "open",
            EmergencyStatus::Dispatched => "dispatched",
            EmergencyStatus::Accepted => "accepted",
            EmergencyStatus::OnTheWay => "on_the_way",
            EmergencyStatus::Resolved => "resolved",
            EmergencyStatus::Cancelled => "cancelled",
        }
    }

    /// The status this name is, if any.
    pub fn parse(s: &str) -> Option<EmergencyStatus> {
        Self::ALL.into_iter().find(|status| status.as_str() == s)
    }

    /// A worker may accept it (DOMAIN §4.7's recommendation: only from `open` or `dispatched`, so the
    /// first acceptance wins and a cancelled request stays cancelled).
    pub fn may_be_accepted(self) -> bool {
        matches!(self, EmergencyStatus::Open | EmergencyStatus::Dispatched)
    }

    /// Finished: an admin may not move it any more (DOMAIN §4.7's recommendation).
    pub fn is_final(self) -> bool {
        matches!(self, EmergencyStatus::Resolved | EmergencyStatus::Cancelled)
    }
}

impl fmt::Display for EmergencyStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The statuses' names, for input choices: the contract's vocabulary (a test keeps [`EmergencyStatus`]
/// in step with it).
pub use hm_contracts::events::EMERGENCY_STATUSES as STATUSES;

/// Whether an admin's status PATCH may move a request from `from` to `to`: anything but leaving
/// `resolved` or `cancelled` (the same status again is allowed: it may carry notes).
pub fn may_set_status(from: EmergencyStatus, to: EmergencyStatus) -> bool {
    from == to || !from.is_final()
}

/// How urgent a request is, stored as its name; `high` unless the requester says otherwise.
pub const URGENCIES: [&str; 3] = ["low", "medium", "high"];

/// The urgency a request gets when none is sent.
pub const DEFAULT_URGENCY: &str = "high";

/// API §8.1's message for a `location` that is not an object with both keys.
pub const LOCATION_KEYS: &str = "Location must include 'lat' and 'lng' fields";
/// API §8.1's message for a latitude out of range.
pub const LATITUDE_RANGE: &str = "Latitude must be between -90 and 90";
/// API §8.1's message for a longitude out of range.
pub const LONGITUDE_RANGE: &str = "Longitude must be between -180 and 180";
/// The message for a `lat` or `lng` that is not a number (DRF's).
pub const NOT_A_NUMBER: &str = "A valid number is required.";

/// Reads API §8.1's `location`: an object `{"lat": n, "lng": n}` (numbers or numeric strings; a form
/// may send the object as JSON text). The problems found, in API §8.1's words, when it is not one.
pub fn location(value: &Value) -> Result<Point, Vec<&'static str>> {
    let parsed;
    let object = match value {
        Value::Object(object) => Some(object),
        Value::String(text) => {
            parsed = serde_json::from_str::<Value>(text).ok();
            parsed.as_ref().and_then(Value::as_object)
        }
        _ => None,
    };
    let (Some(lat), Some(lng)) = (
        object.and_then(|o| o.get("lat")),
        object.and_then(|o| o.get("lng")),
    ) else {
        return Err(vec![LOCATION_KEYS]);
    };
    let number = |v: &Value| {
        match v {
            Value::Number(n) => n.as_f64(),
            Value::String(s) => s.trim().parse::<f64>().ok(),
            _ => None,
        }
        .filter(|n| n.is_finite())
    };
    let (Some(lat), Some(lng)) = (number(lat), number(lng)) else {
        return Err(vec![NOT_A_NUMBER]);
    };
    let mut problems = Vec::new();
    if !(-90.0..=90.0).contains(&lat) {
        problems.push(LATITUDE_RANGE);
    }
    if !(-180.0..=180.0).contains(&lng) {
        problems.push(LONGITUDE_RANGE);
    }
    if problems.is_empty() {
        Ok(Point { lat, lng })
    } else {
        Err(problems)
    }
}

/// A dispatch log's status (DOMAIN §4.8), stored as its name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LogStatus {
    /// The worker was told; nothing heard back yet.
    Notified,
    Accepted,
    Declined,
    /// The request was escalated before the worker answered.
    Timeout,
}

impl LogStatus {
    /// Every status, as stored.
    pub const ALL: [LogStatus; 4] = [
        LogStatus::Notified,
        LogStatus::Accepted,
        LogStatus::Declined,
        LogStatus::Timeout,
    ];

    /// The status as stored and shown.
    pub fn as_str(self) -> &'static str {
        match self {
            LogStatus::Notified => "notified",
            LogStatus::Accepted => "accepted",
            LogStatus::Declined => "declined",
            LogStatus::Timeout => "timeout",
        }
    }

    /// The status this name is, if any.
    pub fn parse(s: &str) -> Option<LogStatus> {
        Self::ALL.into_iter().find(|status| status.as_str() == s)
    }
}

/// A worker's answer to a dispatch (API §8.4–8.5).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Answer {
    Accept,
    Decline,
}

impl Answer {
    /// `accept` / `decline`, as the refusal to a non-worker says it.
    pub fn verb(self) -> &'static str {
        match self {
            Answer::Accept => "accept",
            Answer::Decline => "decline",
        }
    }
}

/// What the caller is to a request (API §8.2): who may see it.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Standing {
    pub admin: bool,
    /// The signed-in user who asked for help.
    pub creator: bool,
    /// A worker the dispatch notified.
    pub notified: bool,
    /// The worker who accepted it.
    pub assigned_worker: bool,
    /// The contractor it was escalated to.
    pub escalated_to: bool,
}

impl Standing {
    /// Admins see every request; workers those they were notified about or assigned; contractors those
    /// escalated to them; everyone the requests they made (the reference shows a worker or contractor
    /// only their role's; a request's own creator seeing it too is strictly more lenient).
    pub fn may_see(self) -> bool {
        self.admin || self.creator || self.notified || self.assigned_worker || self.escalated_to
    }
}

/// The failure reason a dispatch without candidates records (DOMAIN §4.7).
pub const NO_WORKERS: &str = "No available workers in radius";
/// Why the timeout sweep escalates a request (DOMAIN §4.7).
pub const TIMEOUT_REASON: &str = "No worker acceptance within timeout";
/// Why an admin's escalation escalates a request (DOMAIN §4.7, back office).
pub const MANUAL_REASON: &str = "Manual escalation from admin";

/// A timestamp as the system writes it into metadata (API §1.3: built explicitly, UTC with `+00:00`,
/// microseconds only when not zero).
pub fn stamp(at: DateTime<Utc>) -> String {
    // Cut to whole microseconds, the database's precision.
    let at = at
        .with_nanosecond(at.timestamp_subsec_micros() * 1000)
        .unwrap_or(at);
    at.to_rfc3339_opts(SecondsFormat::AutoSi, false)
}

/// `metadata` with `keys` written over it (a request's metadata is always an object).
pub fn merged(metadata: &Value, keys: Value) -> Value {
    let mut out = metadata.as_object().cloned().unwrap_or_default();
    if let Value::Object(keys) = keys {
        out.extend(keys);
    }
    Value::Object(out)
}

/// What a dispatch that notified `notified` (profile ids, nearest first) writes (DOMAIN §4.7 step 5).
pub fn dispatched(notified: &[Uuid], radius_km: f64, at: DateTime<Utc>) -> Value {
    json!({
        "candidates_notified": notified.len(),
        "dispatch_processed_at": stamp(at),
        "search_radius_km": radius_km,
        "notified_worker_ids": notified,
        "dispatch_queued_at": stamp(at),
    })
}

/// What a dispatch that found nobody writes (DOMAIN §4.7 step 5; the request stays `open`). Nobody
/// was asked, so it needs people at once: it is escalated then and there (the timeout sweep only
/// looks at dispatched requests), with the failure as its reason.
pub fn dispatch_failed(at: DateTime<Utc>) -> Value {
    json!({
        "dispatch_failed": true,
        "dispatch_failed_at": stamp(at),
        "failure_reason": NO_WORKERS,
        "dispatch_queued_at": stamp(at),
        "escalation_needed": true,
        "escalation_reason": NO_WORKERS,
        "escalated_at": stamp(at),
    })
}

/// What a dispatch that raised an error writes (API §8.1: the request is then left to admins).
pub fn dispatch_error(message: &str) -> Value {
    json!({ "dispatch_error": message })
}

/// A dispatch log's `raw_response` (DOMAIN §4.7 step 4).
pub fn raw_response(ranked: &Ranked, radius_km: f64) -> Value {
    json!({
        "distance_km": ranked.distance_km,
        "worker_rating": ranked.candidate.rating,
        "search_radius_km": radius_km,
    })
}

/// What an acceptance writes.
pub fn accepted(at: DateTime<Utc>) -> Value {
    json!({ "accepted_at": stamp(at) })
}

/// What an escalation writes: by the timeout sweep (`by` = None) or by an admin (their phone).
pub fn escalated(at: DateTime<Utc>, by: Option<&str>) -> Value {
    match by {
        None => json!({
            "escalation_needed": true,
            "escalation_reason": TIMEOUT_REASON,
            "timed_out_at": stamp(at),
        }),
        Some(admin) => json!({
            "escalation_needed": true,
            "escalation_reason": MANUAL_REASON,
            "escalated_at": stamp(at),
            "escalated_by": admin,
        }),
    }
}

/// An admin's status change with notes, appended to `metadata.status_notes` (API §8.6).
pub struct StatusNote<'a> {
    pub at: DateTime<Utc>,
    pub from: EmergencyStatus,
    pub to: EmergencyStatus,
    pub notes: &'a str,
    /// The admin's phone.
    pub by: &'a str,
}

/// `metadata` with `note` appended to its `status_notes` list.
pub fn with_status_note(metadata: &Value, note: &StatusNote<'_>) -> Value {
    let mut out: Map<String, Value> = metadata.as_object().cloned().unwrap_or_default();
    let mut notes = match out.remove("status_notes") {
        Some(Value::Array(list)) => list,
        _ => Vec::new(),
    };
    notes.push(json!({
        "timestamp": stamp(note.at),
        "from_status": note.from.as_str(),
        "to_status": note.to.as_str(),
        "notes": note.notes,
        "updated_by": note.by,
    }));
    out.insert("status_notes".into(), Value::Array(notes));
    Value::Object(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn statuses_are_the_contracts_and_parse_back() {
        let names: Vec<&str> = EmergencyStatus::ALL.iter().map(|s| s.as_str()).collect();
        assert_eq!(names, STATUSES);
        for status in EmergencyStatus::ALL {
            assert_eq!(EmergencyStatus::parse(status.as_str()), Some(status));
        }
        assert_eq!(EmergencyStatus::parse("closed"), None);
        for status in LogStatus::ALL {
            assert_eq!(LogStatus::parse(status.as_str()), Some(status));
        }
    }

    #[test]
    fn a_location_is_an_object_with_both_coordinates_in_range() {
        assert_eq!(
            location(&json!({"lat": 26.8467, "lng": "80.9462"})),
            Ok(Point {
                lat: 26.8467,
                lng: 80.9462
            })
        );
        assert_eq!(
            location(&json!("{\"lat\": 1, \"lng\": 2}")),
            Ok(Point { lat: 1.0, lng: 2.0 })
        );
        for missing in [
            json!({"lat": 1}),
            json!({"lng": 1}),
            json!([1, 2]),
            json!(5),
            json!("x"),
        ] {
            assert_eq!(location(&missing), Err(vec![LOCATION_KEYS]), "{missing}");
        }
        assert_eq!(
            location(&json!({"lat": "north", "lng": 1})),
            Err(vec![NOT_A_NUMBER])
        );
        assert_eq!(
            location(&json!({"lat": 90.5, "lng": -180.5})),
            Err(vec![LATITUDE_RANGE, LONGITUDE_RANGE])
        );
        assert_eq!(
            location(&json!({"lat": -90, "lng": 180})),
            Ok(Point {
                lat: -90.0,
                lng: 180.0
            })
        );
    }

    #[test]
    fn only_open_or_dispatched_requests_are_accepted() {
        let acceptable: Vec<EmergencyStatus> = EmergencyStatus::ALL
            .into_iter()
            .filter(|s| s.may_be_accepted())
            .collect();
        assert_eq!(
            acceptable,
            [EmergencyStatus::Open, EmergencyStatus::Dispatched]
        );
    }

    #[test]
    fn admins_never_move_a_resolved_or_cancelled_request() {
        use EmergencyStatus as S;
        assert!(may_set_status(S::Open, S::Resolved));
        assert!(may_set_status(S::Accepted, S::Open));
        assert!(may_set_status(S::Resolved, S::Resolved));
        assert!(!may_set_status(S::Resolved, S::Open));
        assert!(!may_set_status(S::Cancelled, S::Dispatched));
    }

    #[test]
    fn visibility_is_any_one_tie_to_the_request() {
        assert!(!Standing::default().may_see());
        for standing in [
            Standing {
                admin: true,
                ..Standing::default()
            },
            Standing {
                creator: true,
                ..Standing::default()
            },
            Standing {
                notified: true,
                ..Standing::default()
            },
            Standing {
                assigned_worker: true,
                ..Standing::default()
            },
            Standing {
                escalated_to: true,
                ..Standing::default()
            },
        ] {
            assert!(standing.may_see(), "{standing:?}");
        }
    }

    #[test]
    fn metadata_is_written_over_and_notes_appended() {
        // 2026-01-03T10:50:05Z, and 123456789 ns after it.
        let whole = DateTime::<Utc>::UNIX_EPOCH + chrono::Duration::seconds(1_767_437_405);
        let at = whole + chrono::Duration::nanoseconds(123_456_789);
        assert_eq!(stamp(at), "2026-01-03T10:50:05.123456+00:00");
        assert_eq!(stamp(whole), "2026-01-03T10:50:05+00:00");
        let ids = [Uuid::from_u128(7)];
        let meta = merged(&json!({"keep": 1}), dispatched(&ids, 5.0, whole));
        assert_eq!(
            meta,
            json!({"keep": 1, "candidates_notified": 1, "dispatch_processed_at": "2026-01-03T10:50:05+00:00",
                   "search_radius_km": 5.0, "notified_worker_ids": [Uuid::from_u128(7)],
                   "dispatch_queued_at": "2026-01-03T10:50:05+00:00"})
        );
        let failed = merged(&json!({}), dispatch_failed(whole));
        assert_eq!(failed["failure_reason"], NO_WORKERS);
        assert_eq!(failed["dispatch_failed"], true);
        assert_eq!(
            (&failed["escalation_needed"], &failed["escalation_reason"]),
            (&json!(true), &json!(NO_WORKERS))
        );
        let note = |notes| StatusNote {
            at: whole,
            from: EmergencyStatus::Open,
            to: EmergencyStatus::Resolved,
            notes,
            by: "+919000000000",
        };
        let once = with_status_note(&meta, &note("first"));
        let twice = with_status_note(&once, &note("second"));
        assert_eq!(twice["keep"], 1);
        assert_eq!(
            twice["status_notes"],
            json!([
                {"timestamp": "2026-01-03T10:50:05+00:00", "from_status": "open", "to_status": "resolved",
                 "notes": "first", "updated_by": "+919000000000"},
                {"timestamp": "2026-01-03T10:50:05+00:00", "from_status": "open", "to_status": "resolved",
                 "notes": "second", "updated_by": "+919000000000"}
            ])
        );
        assert_eq!(escalated(whole, None)["escalation_reason"], TIMEOUT_REASON);
        assert_eq!(
            escalated(whole, Some("+91")),
            json!({"escalation_needed": true, "escalation_reason": MANUAL_REASON,
                   "escalated_at": "2026-01-03T10:50:05+00:00", "escalated_by": "+91"})
        );
    }
}
