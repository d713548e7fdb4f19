//! The event envelope (ARCHITECTURE §7) and the payload of every event type.
//! `proto-docs/events.md` documents each one; keep the two in step.

use chrono::{DateTime, Utc};
use serde::{de::DeserializeOwned, Deserialize, Serialize};
use uuid::Uuid;

/// Every message on the `hunarmitra.events` exchange has this shape; the routing key is `type`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Event<T = serde_json::Value> {
    pub id: Uuid,
    #[serde(rename = "type")]
    pub event_type: String,
    pub version: u32,
    pub occurred_at: DateTime<Utc>,
    pub source: String,
    pub correlation_id: Option<String>,
    pub data: T,
}

impl<T: Serialize> Event<T> {
    pub fn new(source: &str, event_type: &str, correlation_id: Option<String>, data: T) -> Self {
        Event {
            id: Uuid::new_v4(),
            event_type: event_type.to_owned(),
            version: 1,
            occurred_at: Utc::now(),
            source: source.to_owned(),
            correlation_id,
            data,
        }
    }

    /// The same event with its payload as untyped JSON, as stored in the outbox.
    pub fn into_json(self) -> Result<Event, serde_json::Error> {
        Ok(Event {
            id: self.id,
            event_type: self.event_type,
            version: self.version,
            occurred_at: self.occurred_at,
            source: self.source,
            correlation_id: self.correlation_id,
            data: serde_json::to_value(self.data)?,
        })
    }
}

impl Event {
    /// Reads the payload as the type the event's `type` promises.
    pub fn payload<T: DeserializeOwned>(&self) -> Result<T, serde_json::Error> {
        T::deserialize(&self.data)
    }
}

/// Event type names: the routing keys.
pub mod types {
    pub const USER_REGISTERED: &str = "identity.user.registered";
    pub const USER_UPDATED: &str = "identity.user.updated";
    pub const OTP_REQUESTED: &str = "identity.otp.requested";
    pub const WORKER_CREATED: &str = "workforce.worker.created";
    pub const WORKER_DELETED: &str = "workforce.worker.deleted";
    pub const WORKER_UPDATED: &str = "workforce.worker.updated";
    pub const WORKER_AVAILABILITY_CHANGED: &str = "workforce.worker.availability_changed";
    pub const WORKER_LOCATION_UPDATED: &str = "workforce.worker.location_updated";
    pub const CONTRACTOR_CREATED: &str = "workforce.contractor.created";
    pub const CONTRACTOR_UPDATED: &str = "workforce.contractor.updated";
    pub const CONTRACTOR_DELETED: &str = "workforce.contractor.deleted";
    pub const SITE_CREATED: &str = "workforce.site.created";
    pub const SITE_UPDATED: &str = "workforce.site.updated";
    pub const SITE_DELETED: &str = "workforce.site.deleted";
    pub const SITE_STATS_CHANGED: &str = "workforce.site.stats_changed";
    pub const ATTENDANCE_CHECKED_IN: &str = "workforce.attendance.checked_in";
    pub const ATTENDANCE_CHECKED_OUT: &str = "workforce.attendance.checked_out";
    pub const SERVICE_CREATED: &str = "catalog.service.created";
    pub const SERVICE_UPDATED: &str = "catalog.service.updated";
    pub const SKILL_REQUESTED: &str = "workforce.skill.requested";
    pub const SKILL_RESOLVED: &str = "catalog.skill.resolved";
    pub const CONFIG_CHANGED: &str = "catalog.config.changed";
    pub const JOB_POSTED: &str = "jobs.job.posted";
    pub const JOB_STATUS_CHANGED: &str = "jobs.job.status_changed";
    pub const APPLICATION_CREATED: &str = "jobs.application.created";
    pub const APPLICATION_ACCEPTED: &str = "jobs.application.accepted";
    pub const APPLICATION_DECLINED: &str = "jobs.application.declined";
    pub const BOOKING_CREATED: &str = "jobs.booking.created";
    pub const BOOKING_ASSIGNED: &str = "jobs.booking.assigned";
    pub const BOOKING_STATUS_CHANGED: &str = "jobs.booking.status_changed";
    pub const BOOKING_COMPLETED: &str = "jobs.booking.completed";
    pub const BOOKING_CANCELLED: &str = "jobs.booking.cancelled";
    pub const BOOKING_LOCATION_UPDATED: &str = "jobs.booking.location_updated";
    pub const EMERGENCY_CREATED: &str = "jobs.emergency.created";
    pub const EMERGENCY_DISPATCHED: &str = "jobs.emergency.dispatched";
    pub const EMERGENCY_ACCEPTED: &str = "jobs.emergency.accepted";
    pub const EMERGENCY_DECLINED: &str = "jobs.emergency.declined";
    pub const EMERGENCY_STATUS_CHANGED: &str = "jobs.emergency.status_changed";
    pub const EMERGENCY_ESCALATED: &str = "jobs.emergency.escalated";
    pub const EMERGENCY_LOCATION_UPDATED: &str = "jobs.emergency.location_updated";
    pub const PAYMENT_SUCCEEDED: &str = "payments.payment.succeeded";
    pub const PAYMENT_FAILED: &str = "payments.payment.failed";
    pub const NOTIFICATION_CREATED: &str = "notifications.notification.created";
    pub const UNREAD_COUNT_CHANGED: &str = "notifications.unread_count.changed";
}

/// `identity.user.registered`: a user was created by a first OTP login, the seeder or an admin.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct UserRegistered {
    pub user_id: Uuid,
    pub phone: String,
    pub role: crate::Role,
    pub first_name: String,
    pub last_name: String,
}

/// `identity.user.updated`: a user's name, role-independent details, active flag or eKYC status changed.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct UserUpdated {
    pub user_id: Uuid,
    pub phone: String,
    pub role: crate::Role,
    pub first_name: String,
    pub last_name: String,
    pub is_active: bool,
    /// The user's eKYC status (DOMAIN §1.5); `none` when a payload written before the field existed
    /// lacks it. Never the Aadhaar digits, not even masked.
    #[serde(default)]
    pub ekyc_status: crate::EkycStatus,
}

/// `workforce.attendance.checked_in|checked_out`: a worker's attendance at a site's kiosk.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AttendanceChecked {
    pub log_id: Uuid,
    pub worker_user_id: Uuid,
    pub kiosk_id: Uuid,
    pub check_in: DateTime<Utc>,
    /// `None` when checking in.
    pub check_out: Option<DateTime<Utc>>,
    /// Metres from the site, when the kiosk sent a position.
    pub distance_m: Option<f64>,
}

/// `identity.otp.requested`: hand the code to SMS delivery. Published directly (never stored at rest)
/// with a per-message expiry equal to the OTP lifetime.
#[derive(Clone, PartialEq, Serialize, Deserialize)]
pub struct OtpRequested {
    pub request_id: Uuid,
    pub phone: String,
    pub otp: String,
    pub expires_at: DateTime<Utc>,
}

impl std::fmt::Debug for OtpRequested {
    // The code must never reach a log line by accident.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("OtpRequested")
            .field("request_id", &self.request_id)
            .field("phone", &self.phone)
            .field("otp", &"****")
            .field("expires_at", &self.expires_at)
            .finish()
    }
}

/// `workforce.worker.created|deleted` and `workforce.contractor.created|deleted` as far as other
/// services need them: whose profile it is.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ProfileRef {
    pub profile_id: Uuid,
    pub user_id: Uuid,
    /// `workforce.worker.created|updated`: the profile as "WorkerProfile JSON" (API §5) at that moment,
    /// for services that show it (jobs' bookings).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub profile: Option<serde_json::Value>,
    /// `workforce.worker.created|updated`: the catalog services the worker offers, in the profile's
    /// order (jobs' emergency dispatch matches a request's service against them); absent in older
    /// events and in contractors' and deletions.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub service_ids: Option<Vec<Uuid>>,
    /// `workforce.worker.created|updated`: when the worker was last active (toggle, position, own
    /// profile edit; RFC 3339 UTC, DOMAIN §3.1), null if never; not part of "WorkerProfile JSON", so it
    /// travels beside it. Absent in older events and in contractors' and deletions.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_seen: Option<DateTime<Utc>>,
}

/// `workforce.worker.availability_changed`: the online toggle's new state (API §5.5).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AvailabilityChanged {
    pub profile_id: Uuid,
    pub user_id: Uuid,
    pub is_available: bool,
    /// When it was toggled (RFC 3339 UTC).
    pub at: DateTime<Utc>,
}

/// `workforce.worker.location_updated`: a worker's position as they posted it (API §5.6), with whether
/// they are available, so jobs' emergency dispatch knows who is near without asking workforce.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct WorkerLocation {
    pub profile_id: Uuid,
    pub user_id: Uuid,
    /// Degrees, −90..90, as stored (six decimal places).
    pub lat: f64,
    /// Degrees, −180..180, as stored (six decimal places).
    pub lng: f64,
    /// The online toggle at that moment.
    pub is_available: bool,
    /// When it was recorded (RFC 3339 UTC).
    pub at: DateTime<Utc>,
}

/// `workforce.site.created|updated|deleted`: a contractor's construction site as other services project
/// it (jobs: an emergency request may name the site it is at).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SiteChanged {
    pub site_id: Uuid,
    /// The contractor profile the site belongs to.
    pub contractor_id: Uuid,
    pub name: String,
    pub is_active: bool,
}

/// `workforce.site.stats_changed`: a site's numbers on one day as they stood when an assignment or an
/// attendance mark of that site changed (counted in the transaction of the change), so jobs' contractor
/// dashboard knows who is present without asking workforce. A later event (by `occurred_at`) supersedes
/// an earlier one of the same site and day; `active_assignments` is the site's count at that moment
/// whatever the day.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SiteStatsChanged {
    pub site_id: Uuid,
    /// The contractor profile the site belongs to.
    pub contractor_id: Uuid,
    /// The attendance day (`YYYY-MM-DD`, the UTC day attendance is marked on).
    pub date: chrono::NaiveDate,
    /// The site's active assignments (DOMAIN §3.4).
    pub active_assignments: i64,
    /// Workers marked `present` at the site on `date` (DOMAIN §3.5).
    pub present: i64,
}

/// `catalog.service.created|updated`: the whole service as other services project it (workforce and
/// jobs keep `service_refs`). `is_active = false` is how a service is withdrawn.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ServiceChanged {
    pub service_id: Uuid,
    pub slug: String,
    pub name: String,
    pub title_en: String,
    pub title_hi: String,
    pub category: String,
    pub is_active: bool,
    pub display_order: i32,
    /// Other slugs that name it (`plumbing` for `plumber`, ARCHITECTURE §12.2); absent in older events.
    #[serde(default)]
    pub aliases: Vec<String>,
}

/// `workforce.skill.requested`: a worker named a skill no service matches (DOMAIN §2.1: a missing service
/// is created). Catalog, the owner of services, finds or creates it and answers with
/// `catalog.skill.resolved`; the profile has the name meanwhile.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SkillRequested {
    /// The pending skill's id in workforce; `catalog.skill.resolved` names it.
    pub request_id: Uuid,
    pub worker_id: Uuid,
    /// The worker's user, who asked (catalog records who made a service).
    pub user_id: Uuid,
    /// As the worker wrote it, trimmed (1–100 characters).
    pub name: String,
}

/// `catalog.skill.resolved`: the service a requested skill names, found or just created (then also
/// announced as `catalog.service.created`). Carries the whole service, so the requester can link it
/// whatever order the two events arrive in.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SkillResolved {
    pub request_id: Uuid,
    pub worker_id: Uuid,
    pub service: ServiceChanged,
    /// Whether this request created the service.
    pub created: bool,
}

/// `catalog.config.changed`: something the app-config family of documents shows changed.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ConfigChanged {
    /// `theme`, `app_banner`, `promo_banner`, `feature_flag`, `translation`, `help_page`, `faq`.
    pub kind: String,
    /// The row written (`None` for key-addressed rows such as flags and translations).
    pub id: Option<Uuid>,
    /// `created`, `updated`, `activated` or `deleted`.
    pub change: String,
    /// The flag key or translation `key:lang`, when that is how the row is addressed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub key: Option<String>,
}

/// `jobs.job.posted` and `jobs.job.status_changed`: a job's current state as other services project it
/// (workforce counts a contractor's pending jobs).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct JobChanged {
    pub job_id: Uuid,
    /// The user who posted it.
    pub poster_id: Uuid,
    /// The poster's contractor profile, when a contractor posted it.
    pub contractor_id: Option<Uuid>,
    pub service_id: Uuid,
    /// `open`, `assigned`, `in_progress`, `completed` or `cancelled` (DOMAIN §4.1).
    pub status: String,
}

/// `jobs.booking.completed`: a booking reached `completed`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BookingCompleted {
    pub booking_id: Uuid,
    /// The customer who booked.
    pub user_id: Uuid,
    /// The assigned worker's profile, if one was assigned.
    pub worker_id: Option<Uuid>,
    pub service_id: Uuid,
    pub completed_at: DateTime<Utc>,
    /// The customer's 1–5 rating of the work, when one was given.
    #[serde(default)]
    pub rating: Option<f64>,
}

/// `jobs.application.created|accepted|declined`: a worker's application to a job and who is concerned
/// (notifications tells the poster and the worker).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ApplicationChanged {
    pub application_id: Uuid,
    pub job_id: Uuid,
    pub job_title: String,
    /// The user who posted the job.
    pub poster_id: Uuid,
    /// The applicant's worker profile and user.
    pub worker_id: Uuid,
    pub worker_user_id: Uuid,
    pub worker_name: String,
    /// `applied`, `accepted` or `declined`.
    pub status: String,
    /// Why it was declined when nobody decided it: `job_assigned_to_another` (another application won).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
}

/// A booking's statuses (DOMAIN §4.3), as [`BookingChanged::status`] names them, in the order of the
/// booking's life.
pub const BOOKING_STATUSES: [&str; 7] = [
    "requested",
    "confirmed",
    "on_the_way",
    "arrived",
    "completed",
    "cancelled",
    "payment_pending",
];

/// `jobs.booking.created|assigned|status_changed|cancelled`: a booking's state after the change and who
/// made it (notifications tells the customer and the worker; the booking timeline records it).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BookingChanged {
    pub booking_id: Uuid,
    /// The customer who booked.
    pub user_id: Uuid,
    /// The assigned worker's profile and user, once assigned.
    pub worker_id: Option<Uuid>,
    pub worker_user_id: Option<Uuid>,
    pub worker_name: Option<String>,
    pub service_id: Uuid,
    pub service_name: String,
    /// One of [`BOOKING_STATUSES`].
    pub status: String,
    /// The status before this change (`None` when created).
    pub previous_status: Option<String>,
    pub eta_minutes: Option<i32>,
    /// Who made the change and how they are shown.
    pub actor_id: Uuid,
    pub actor_name: String,
    pub payment_method: String,
    pub payment_status: String,
}

/// `jobs.booking.location_updated`: the live position of a booking's worker (API §7.7), posted by the
/// assigned worker or an admin. The booking's timeline records it; it carries what the realtime
/// `location_update` message on `booking_{id}` needs (API §10.3).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BookingLocation {
    pub booking_id: Uuid,
    /// The customer who booked.
    pub user_id: Uuid,
    /// The assigned worker's profile, if one is assigned (an admin may post without one).
    pub worker_id: Option<Uuid>,
    /// Degrees, −90..90 and −180..180.
    pub lat: f64,
    pub lng: f64,
    /// When the position was taken (the one sent, else when it was received).
    pub timestamp: DateTime<Utc>,
    /// Who posted it and how they are shown.
    pub actor_id: Uuid,
    pub actor_name: String,
}

/// `notifications.notification.created`: an in-app notification for one person was stored (API §9);
/// every notifications replica forwards it to the recipient's sockets as `{"type": "notification", …}`
/// (API §10.3). The fields are the stored row's.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NotificationCreated {
    pub id: Uuid,
    /// The recipient.
    pub user_id: Uuid,
    pub title: String,
    pub message: String,
    /// The notification's type, e.g. `booking_status` or `emergency_dispatch`.
    pub kind: String,
    /// What it is about: a JSON object.
    pub data: serde_json::Value,
    /// `push`, `in_app`, `email` or `both`.
    pub channel: String,
    pub metadata: serde_json::Value,
    pub created_at: DateTime<Utc>,
}

/// `notifications.unread_count.changed`: how many unread notifications a person has now (API §9), sent in
/// the transaction of every change of it (a notification for them stored, one or all marked read), so
/// dashboards elsewhere show it without asking notifications. The latest by `occurred_at` is the count.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct UnreadCountChanged {
    /// The recipient.
    pub user_id: Uuid,
    /// Their unread notifications, ≥ 0.
    pub unread: i64,
}

/// `payments.payment.succeeded|failed`: an online payment's outcome (from the gateway's webhook).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PaymentChanged {
    pub payment_id: Uuid,
    pub booking_id: Uuid,
    /// The customer who paid.
    pub user_id: Uuid,
    /// The booking's worker profile, if assigned.
    pub worker_id: Option<Uuid>,
    /// Decimal text, e.g. `"1000.00"`.
    pub amount: String,
    pub currency: String,
    /// `completed` or `failed`.
    pub status: String,
    /// The worker's share created with a successful payment (80 %), decimal text.
    pub payout_amount: Option<String>,
}

/// A position in degrees, as events carry it.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct GeoPoint {
    /// −90..90.
    pub lat: f64,
    /// −180..180.
    pub lng: f64,
}

/// A worker an emergency's dispatch notified (`jobs.emergency.dispatched`), nearest first.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EmergencyCandidate {
    /// The worker's profile.
    pub worker_id: Uuid,
    /// The worker's user: whom to notify.
    pub worker_user_id: Uuid,
    /// Haversine kilometres from the emergency, rounded to 2 decimals.
    pub distance_km: f64,
}

/// `jobs.emergency.location_updated`: the position of the worker who accepted a Help Now request, while
/// they are on their way (status `accepted` or `on_the_way`), so its requester watches them come.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EmergencyLocation {
    pub emergency_id: Uuid,
    /// Who asked for help (null: anonymous, then only staff see it).
    pub created_by: Option<Uuid>,
    /// The worker's profile.
    pub worker_id: Uuid,
    /// Degrees.
    pub lat: f64,
    pub lng: f64,
    /// When the worker's position was recorded (RFC 3339 UTC).
    pub timestamp: DateTime<Utc>,
}

/// An emergency request's statuses (DOMAIN §4.7), as [`EmergencyChanged::status`] names them.
pub const EMERGENCY_STATUSES: [&str; 6] = [
    "open",
    "dispatched",
    "accepted",
    "on_the_way",
    "resolved",
    "cancelled",
];

/// `jobs.emergency.created|dispatched|accepted|declined|status_changed|escalated` ("Help Now", API §8,
/// DOMAIN §4.7): the request after the change, and the parts of the change its type names (null or empty
/// otherwise). Notifications turns them into the dispatch notifications, the creator's "Emergency
/// Accepted", admins' escalation alerts and the timeline (DOMAIN §5.5).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EmergencyChanged {
    pub emergency_id: Uuid,
    /// One of [`EMERGENCY_STATUSES`], after the change.
    pub status: String,
    /// The status before the change: `status_changed` and `accepted` (null otherwise).
    pub previous_status: Option<String>,
    /// `low`, `medium` or `high`.
    pub urgency: String,
    /// The phone to call back, as the requester gave it.
    pub contact_phone: String,
    /// The signed-in user who asked for help; null for an anonymous request.
    pub created_by: Option<Uuid>,
    pub service_id: Option<Uuid>,
    /// The service's name; null when the request names none.
    pub service_name: Option<String>,
    pub address: String,
    pub location: GeoPoint,
    pub site_id: Option<Uuid>,
    /// The worker profile that accepted it, once accepted.
    pub assigned_worker_id: Option<Uuid>,
    /// The contractor profile it was escalated to, if any.
    pub assigned_contractor_id: Option<Uuid>,
    /// `dispatched`: the workers notified, nearest first (empty otherwise).
    pub candidates: Vec<EmergencyCandidate>,
    /// `accepted` / `declined`: the worker who answered (their profile, user and name).
    pub worker_id: Option<Uuid>,
    pub worker_user_id: Option<Uuid>,
    pub worker_name: Option<String>,
    /// `status_changed`: the admin's notes, when given.
    pub notes: Option<String>,
    /// Who made the change: the admin of `status_changed` and of a manual `escalated`, the worker of
    /// `accepted` / `declined`, the requester of `created` (null when anonymous); null for the system
    /// (dispatch, the timeout sweep).
    pub actor_id: Option<Uuid>,
    pub actor_name: Option<String>,
    /// `escalated`: `No worker acceptance within timeout` or `Manual escalation from admin`.
    pub escalation_reason: Option<String>,
    /// `escalated`: whether the timeout sweep escalated it (false: an admin did).
    pub timed_out: bool,
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn a_user_updated_payload_from_before_ekyc_still_parses_as_none() {
        let id = Uuid::new_v4();
        let old = json!({"user_id": id, "phone": "+919876543210", "role": "worker",
            "first_name": "Asha", "last_name": "", "is_active": true});
        let parsed: UserUpdated = serde_json::from_value(old).unwrap();
        assert_eq!(parsed.ekyc_status, crate::EkycStatus::None);
        let current = UserUpdated {
            ekyc_status: crate::EkycStatus::OcrScanned,
            ..parsed
        };
        let sent = serde_json::to_value(&current).unwrap();
        assert_eq!(sent["ekyc_status"], "ocr_scanned");
        assert_eq!(
            serde_json::from_value::<UserUpdated>(sent).unwrap(),
            current
        );
    }
}
