//! The events workforce publishes (proto-docs/events.md), built here and written to the outbox by the
//! store function that makes the change.

use chrono::{DateTime, Utc};
use hm_contracts::events::{types, AttendanceChecked, ProfileRef, SkillRequested};
use hm_contracts::Event;
use serde::Serialize;
use uuid::Uuid;

/// The `source` of workforce's events.
pub const SOURCE: &str = "workforce";

/// `workforce.worker.created|updated|deleted`: whose profile it is and, unless deleted, the profile.
pub fn worker(
    kind: &str,
    profile_id: Uuid,
    user_id: Uuid,
    profile: Option<serde_json::Value>,
    correlation: Option<String>,
) -> Event<ProfileRef> {
    Event::new(
        SOURCE,
        kind,
        correlation,
        ProfileRef {
            profile_id,
            user_id,
            profile,
            service_ids: None,
        },
    )
}

/// `workforce.skill.requested`: a skill no service matched, for catalog to find or create.
pub fn skill_requested(
    request_id: Uuid,
    worker_id: Uuid,
    user_id: Uuid,
    name: &str,
    correlation: Option<String>,
) -> Event<SkillRequested> {
    Event::new(
        SOURCE,
        types::SKILL_REQUESTED,
        correlation,
        SkillRequested {
            request_id,
            worker_id,
            user_id,
            name: name.to_owned(),
        },
    )
}

/// `workforce.contractor.created|deleted`: whose profile it is.
pub fn contractor(
    kind: &str,
    profile_id: Uuid,
    user_id: Uuid,
    correlation: Option<String>,
) -> Event<ProfileRef> {
    Event::new(
        SOURCE,
        kind,
        correlation,
        ProfileRef {
            profile_id,
            user_id,
            profile: None,
            service_ids: None,
        },
    )
}

/// `workforce.worker.availability_changed`.
#[derive(Debug, Clone, Serialize)]
pub struct AvailabilityChanged {
    pub profile_id: Uuid,
    pub user_id: Uuid,
    pub is_available: bool,
    pub at: DateTime<Utc>,
}

/// `workforce.worker.availability_changed`: the online toggle's new state.
pub fn availability_changed(
    profile_id: Uuid,
    user_id: Uuid,
    is_available: bool,
    at: DateTime<Utc>,
    correlation: Option<String>,
) -> Event<AvailabilityChanged> {
    Event::new(
        SOURCE,
        types::WORKER_AVAILABILITY_CHANGED,
        correlation,
        AvailabilityChanged {
            profile_id,
            user_id,
            is_available,
            at,
        },
    )
}

/// `workforce.attendance.checked_in|checked_out`.
pub fn attendance(
    kind: &str,
    checked: AttendanceChecked,
    correlation: Option<String>,
) -> Event<AttendanceChecked> {
    Event::new(SOURCE, kind, correlation, checked)
}
