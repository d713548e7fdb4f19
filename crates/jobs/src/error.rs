//! Jobs' one error type (ARCHITECTURE §4): every refusal its handlers give is a variant, answered once
//! in [`JobsError::answer`] with the platform's envelopes, and sent with its stable code
//! (`X-Error-Code`, the variant's snake_case name).

use crate::domain::application::{ApplicationStatus, Decision};
use crate::domain::booking::BookingStatus;
use crate::domain::emergency::{Answer, EmergencyStatus};
use crate::domain::job::JobStatus;
use crate::domain::payment::PaymentStatus;
use actix_web::http::StatusCode;
use hm_platform::error::{FieldErrors, ServiceFailure};
use hm_platform::service::ServiceError;
use hm_platform::ApiError;

/// Everything a jobs request can fail with.
#[derive(Debug, thiserror::Error, strum::IntoStaticStr, strum::EnumVariantNames)]
#[strum(serialize_all = "snake_case")]
pub enum JobsError {
    /// What the platform answers: an answer it made (input, authentication), a failed query, a
    /// database outage.
    #[error(transparent)]
    Platform(#[from] ServiceError),
    /// An id in the path that is not a UUID names nothing.
    #[error("the id in the path is not a UUID")]
    MalformedId,
    #[error("no such booking (or not visible to the caller)")]
    BookingNotFound,
    #[error("no such job")]
    JobNotFound,
    #[error("no such application of this job")]
    ApplicationNotFound,
    #[error("no such worker profile")]
    WorkerProfileNotFound,
    /// The `service` sent (an id, slug, name or alias) names no active service.
    #[error("no active service {0}")]
    UnknownService(String),
    /// The list filter `service_id` is not a UUID.
    #[error("service_id filter is not a UUID")]
    InvalidServiceFilter,
    #[error("booking is {0} and can no longer be edited")]
    BookingNotEditable(BookingStatus),
    #[error("booking transition {from} -> {to} not allowed for this user")]
    BookingTransitionRefused {
        from: BookingStatus,
        to: BookingStatus,
    },
    #[error("only contractors or admins assign workers")]
    AssignRefused,
    #[error("booking is {0} and cannot be assigned")]
    BookingNotAssignable(BookingStatus),
    #[error("job transition {from} -> {to} not allowed")]
    JobTransitionRefused { from: JobStatus, to: JobStatus },
    #[error("only workers apply for jobs")]
    NotAWorker,
    #[error("job not open for applications")]
    JobNotOpen,
    #[error("worker already applied for this job")]
    AlreadyApplied,
    #[error("caller may not {} this application", .0.verb())]
    DecisionRefused(Decision),
    #[error("application already {0}")]
    ApplicationDecided(ApplicationStatus),
    #[error("online payments are disabled")]
    PaymentsDisabled,
    #[error("only the booking's owner opens a payment")]
    NotBookingOwner,
    #[error("webhook without payment_id or status")]
    WebhookFieldsMissing,
    #[error("webhook signature invalid")]
    InvalidSignature,
    #[error("no such payment")]
    PaymentNotFound,
    #[error("payment transition {from} -> {to} not allowed")]
    PaymentTransitionRefused {
        from: PaymentStatus,
        to: PaymentStatus,
    },
    #[error("only the assigned worker or an admin posts a booking's location")]
    TrackingRefused,
    /// A second position of the same booking and user within the throttle's window: the seconds left.
    #[error("throttled for {0} s")]
    Throttled(u64),
    /// `FEATURE_EMERGENCY` is off: the emergency endpoints do not exist.
    #[error("emergencies are switched off")]
    EmergencyDisabled,
    #[error("no such emergency request (or not visible to the caller)")]
    EmergencyNotFound,
    /// The `service_id` of an emergency names no active service.
    #[error("no active service {0}")]
    UnknownEmergencyService(uuid::Uuid),
    /// The `service_slug` of an emergency names no active service.
    #[error("no active service named {0}")]
    UnknownServiceSlug(String),
    #[error("no site {0}")]
    UnknownSite(uuid::Uuid),
    #[error("no contractor profile {0}")]
    UnknownContractor(uuid::Uuid),
    /// Over the emergency rate limit (per user or phone, or per IP): the limit reached, per minute.
    #[error("more than {0} emergency requests a minute")]
    EmergencyRateLimited(u32),
    #[error("only workers {} emergencies", .0.verb())]
    EmergencyWorkersOnly(Answer),
    /// Another worker accepted first, or the request is past accepting.
    #[error("emergency already assigned or resolved")]
    EmergencyTaken,
    #[error("the worker has no pending notification of this emergency")]
    NoPendingNotification,
    #[error("only admins change an emergency's status")]
    EmergencyAdminOnly,
    #[error("emergency is {0} and can no longer change")]
    EmergencyClosed(EmergencyStatus),
    /// A list filter that is not one of its choices.
    #[error("{field} filter {value:?} is not a choice")]
    InvalidChoice { field: &'static str, value: String },
    /// The worker dashboard for a user without a worker profile (API §11.1).
    #[error("the caller has no worker profile")]
    NotAWorkerUser,
    /// The contractor dashboard for a user without a contractor profile (API §11.3).
    #[error("the caller has no contractor profile")]
    NotAContractorUser,
    /// A dashboard that could be neither computed (the database failed) nor served stale (API §11).
    #[error("dashboard neither computed nor cached")]
    DashboardUnavailable,
    /// Clearing the dashboards' cache failed (Redis out of reach): the reason.
    #[error("dashboard cache: {0}")]
    DashboardCacheUnavailable(String),
    /// A `date` query parameter that is not `YYYY-MM-DD`.
    #[error("date is not YYYY-MM-DD")]
    InvalidDate,
}

/// The result of everything that can fail with a [`JobsError`].
pub type Result<T> = std::result::Result<T, JobsError>;

hm_platform::service_failure!(JobsError);

/// The statuses every jobs operation documents: the platform's, 429 (live tracking's throttle) and 500
/// (the dashboards' own answer when they can be neither computed nor served stale).
const DOCUMENTED: &[(u16, &str)] = &[
    (
        400,
        "Invalid input: field errors `{\"field\": [\"message\"]}` or `{\"error\": \"...\"}`",
    ),
    (401, "Missing, invalid or expired credentials"),
    (403, "Not allowed for this user"),
    (404, "No such object"),
    (
        429,
        "Too many requests; `Retry-After` gives the seconds to wait",
    ),
    (
        500,
        "Internal server error; a dashboard neither computed nor cached: `{\"error\": \"Failed to fetch dashboard\"}`",
    ),
    (503, "The database is unavailable"),
];

/// The platform's admin listings fail with its `ServiceError`: the same three infrastructure cases.
fn refused(status: StatusCode, message: impl Into<String>) -> ApiError {
    ApiError::error(status, message)
}

impl ServiceFailure for JobsError {
    const DOCUMENTED: &'static [(u16, &'static str)] = DOCUMENTED;

    fn code(&self) -> &'static str {
        match self {
            JobsError::Platform(e) => e.code(),
            other => other.into(),
        }
    }

    fn answer(&self) -> ApiError {
        use StatusCode as S;
        match self {
            JobsError::Platform(e) => e.answer(),
            JobsError::MalformedId => ApiError::not_found(),
            JobsError::BookingNotFound => ApiError::no_match("Booking"),
            JobsError::JobNotFound => ApiError::no_match("Job"),
            JobsError::ApplicationNotFound => ApiError::no_match("JobApplication"),
            JobsError::WorkerProfileNotFound => ApiError::no_match("WorkerProfile"),
            JobsError::UnknownService(service) => ApiError::invalid_pk("service", service),
            JobsError::InvalidServiceFilter => {
                ApiError::fields(FieldErrors::single("service_id", "Must be a valid UUID."))
            }
            JobsError::BookingNotEditable(status) => refused(
                S::BAD_REQUEST,
                format!("This booking is {status} and can no longer be edited."),
            ),
            JobsError::BookingTransitionRefused { from, to } => refused(
                S::FORBIDDEN,
                format!("Transition from {from} to {to} not allowed for this user."),
            ),
            JobsError::AssignRefused => refused(
                S::FORBIDDEN,
                "Only contractors or admins can assign workers.",
            ),
            JobsError::BookingNotAssignable(status) => refused(
                S::BAD_REQUEST,
                format!("This booking is {status} and cannot be assigned."),
            ),
            JobsError::JobTransitionRefused { from, to } => refused(
                S::BAD_REQUEST,
                format!("Invalid status transition from {from} to {to}."),
            ),
            JobsError::NotAWorker => refused(S::FORBIDDEN, "Only workers can apply for jobs."),
            JobsError::JobNotOpen => {
                refused(S::BAD_REQUEST, "This job is not open for applications.")
            }
            JobsError::AlreadyApplied => {
                refused(S::BAD_REQUEST, "You have already applied for this job.")
            }
            JobsError::DecisionRefused(decision) => refused(
                S::FORBIDDEN,
                format!(
                    "Only the applicant or admin can {} this application.",
                    decision.verb()
                ),
            ),
            JobsError::ApplicationDecided(status) => refused(
                S::BAD_REQUEST,
                format!("This application is already {status}."),
            ),
            JobsError::PaymentsDisabled => ApiError::coded(
                S::SERVICE_UNAVAILABLE,
                "Online payments are currently disabled. Please use cash payment method.",
                "payments_disabled",
            ),
            JobsError::NotBookingOwner => {
                refused(S::FORBIDDEN, "Only booking owner can create payment.")
            }
            JobsError::WebhookFieldsMissing => {
                refused(S::BAD_REQUEST, "payment_id and status required")
            }
            JobsError::InvalidSignature => refused(S::UNAUTHORIZED, "Invalid signature"),
            JobsError::PaymentNotFound => refused(S::NOT_FOUND, "Payment not found"),
            JobsError::PaymentTransitionRefused { from, to } => refused(
                S::BAD_REQUEST,
                format!("Invalid payment status transition from {from} to {to}."),
            ),
            JobsError::TrackingRefused => refused(
                S::FORBIDDEN,
                "Only assigned worker or admin can update location",
            ),
            JobsError::Throttled(wait) => ApiError::throttled(*wait),
            JobsError::EmergencyDisabled => ApiError::not_found(),
            JobsError::EmergencyNotFound => ApiError::no_match("EmergencyRequest"),
            JobsError::UnknownEmergencyService(id) => ApiError::invalid_pk("service_id", id),
            JobsError::UnknownServiceSlug(slug) => ApiError::fields(FieldErrors::single(
                "service_slug",
                format!("Object with slug={slug} does not exist."),
            )),
            JobsError::UnknownSite(id) => ApiError::invalid_pk("site_id", id),
            JobsError::UnknownContractor(id) => ApiError::invalid_pk("contractor_id", id),
            JobsError::EmergencyRateLimited(limit) => ApiError::detail(
                S::TOO_MANY_REQUESTS,
                format!(
                    "Rate limit exceeded. Maximum {limit} emergency request(s) per minute. Please try \
                     again later. Expected available in 60 seconds."
                ),
            )
            .with_header(
                actix_web::http::header::RETRY_AFTER,
                actix_web::http::header::HeaderValue::from(60),
            ),
            JobsError::EmergencyWorkersOnly(answer) => refused(
                S::FORBIDDEN,
                format!("Only workers can {} emergencies", answer.verb()),
            ),
            JobsError::EmergencyTaken => {
                refused(S::BAD_REQUEST, "Emergency already assigned or resolved")
            }
            JobsError::NoPendingNotification => {
                refused(S::NOT_FOUND, "No pending notification found")
            }
            JobsError::EmergencyAdminOnly => refused(S::FORBIDDEN, "Admin access required"),
            JobsError::InvalidChoice { field, value } => ApiError::fields(FieldErrors::single(
                field,
                format!("Select a valid choice. {value} is not one of the available choices."),
            )),
            JobsError::EmergencyClosed(status) => refused(
                S::BAD_REQUEST,
                format!("This emergency is {status}; its status can no longer change."),
            ),
            JobsError::NotAWorkerUser => refused(S::BAD_REQUEST, "User is not a worker"),
            JobsError::NotAContractorUser => refused(S::BAD_REQUEST, "User is not a contractor"),
            JobsError::DashboardUnavailable => {
                refused(S::INTERNAL_SERVER_ERROR, "Failed to fetch dashboard")
            }
            JobsError::DashboardCacheUnavailable(_) => {
                refused(S::INTERNAL_SERVER_ERROR, "Dashboard cache unavailable")
            }
            JobsError::InvalidDate => {
                refused(S::BAD_REQUEST, "Invalid date format. Use YYYY-MM-DD")
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;
    use strum::VariantNames;

    #[test]
    fn every_variant_is_produced_somewhere() {
        hm_platform::testing::assert_variants_reachable(
            "JobsError",
            JobsError::VARIANTS,
            &["Platform"],
            concat!(env!("CARGO_MANIFEST_DIR"), "/src"),
        );
    }

    #[test]
    fn codes_are_unique_snake_case_names() {
        let codes: HashSet<&str> = JobsError::VARIANTS.iter().copied().collect();
        assert_eq!(codes.len(), JobsError::VARIANTS.len());
        assert!(codes.contains("booking_transition_refused"));
        assert!(codes.contains("payments_disabled"));
        assert_eq!(JobsError::InvalidSignature.code(), "invalid_signature");
        assert_eq!(
            JobsError::from(ApiError::forbidden()).code(),
            "permission_denied"
        );
    }

    #[test]
    fn refusals_keep_their_answers() {
        let answer = JobsError::BookingTransitionRefused {
            from: BookingStatus::Requested,
            to: BookingStatus::Arrived,
        }
        .answer();
        assert_eq!(answer.status(), StatusCode::FORBIDDEN);
        assert_eq!(
            answer.json_body(),
            Some(&serde_json::json!({
                "error": "Transition from requested to arrived not allowed for this user."
            }))
        );
        let disabled = JobsError::PaymentsDisabled.respond();
        assert_eq!(disabled.status(), StatusCode::SERVICE_UNAVAILABLE);
        assert_eq!(
            disabled
                .headers()
                .get("x-error-code")
                .and_then(|v| v.to_str().ok()),
            Some("payments_disabled")
        );
    }
}
