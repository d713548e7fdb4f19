//! The events workforce publishes (proto-docs/events.md), built here and written to the outbox by the
//! store function that makes the change.

use chrono::{DateTime, Utc};
use hm_contracts::events::{
    types, AttendanceChecked, AvailabilityChanged, ProfileRef, SiteChanged, SiteStatsChanged,
    SkillRequested, WorkerLocation,
};
use hm_contracts::Event;
use uuid::Uuid;

/// The `source` of workforce's events.
pub const SOURCE: &str = "workforce";

/// A worker profile as `workforce.worker.created|updated` carry it: "WorkerProfile JSON", the ids of
/// the services it offers, and when the worker was last active (not part of the JSON).
#[derive(Debug, Clone, PartialEq)]
pub struct Shown {
    pub profile: serde_json::Value,
    pub service_ids: Vec<Uuid>,
    pub last_seen: Option<DateTime<Utc>>,
}

/// `workforce.worker.created|updated|deleted`: whose profile it is and, unless deleted, the profile and
/// its services.
pub fn worker(
    kind: &str,
    profile_id: Uuid,
    user_id: Uuid,
    shown: Option<Shown>,
    correlation: Option<String>,
) -> Event<ProfileRef> {
    let (profile, service_ids, last_seen) = match shown {
        Some(s) => (Some(s.profile), Some(s.service_ids), s.last_seen),
        None => (None, None, None),
    };
    Event::new(
        SOURCE,
        kind,
        correlation,
        ProfileRef {
            profile_id,
            user_id,
            profile,
            service_ids,
            last_seen,
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
            last_seen: None,
        },
    )
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

/// `workforce.worker.location_updated`: the position a worker posted (as stored) and whether they are
/// available.
pub fn location_updated(
    location: WorkerLocation,
    correlation: Option<String>,
) -> Event<WorkerLocation> {
    Event::new(
        SOURCE,
        types::WORKER_LOCATION_UPDATED,
        correlation,
        location,
    )
}

/// `workforce.site.created|updated|deleted`: the site as it is (as it was, when deleted).
pub fn site(kind: &str, site: SiteChanged, correlation: Option<String>) -> Event<SiteChanged> {
    Event::new(SOURCE, kind, correlation, site)
}

/// `workforce.site.stats_changed`: the site's active assignments and who is present on `stats.date`, as
/// counted in the transaction of the change.
pub fn site_stats(stats: SiteStatsChanged, correlation: Option<String>) -> Event<SiteStatsChanged> {
    Event::new(SOURCE, types::SITE_STATS_CHANGED, correlation, stats)
}

/// `workforce.attendance.checked_in|checked_out`.
pub fn attendance(
    kind: &str,
    checked: AttendanceChecked,
    correlation: Option<String>,
) -> Event<AttendanceChecked> {
    Event::new(SOURCE, kind, correlation, checked)
}
