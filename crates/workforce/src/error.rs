//! Workforce's one error type (ARCHITECTURE §4): every failure a handler meets is a variant, answered in
//! one place ([`ServiceFailure::answer`]) with the platform envelopes and a stable snake_case code
//! (`X-Error-Code`).

use crate::domain::sites::Problem as SiteProblem;
use crate::domain::skills::NEW_SKILLS_PER_DAY;
use actix_web::http::StatusCode;
use hm_platform::error::{FieldErrors, ServiceFailure};
use hm_platform::service::ServiceError;
use hm_platform::ApiError;
use uuid::Uuid;

/// Everything a workforce request can fail with.
#[derive(Debug, thiserror::Error, strum::IntoStaticStr, strum::EnumVariantNames)]
#[strum(serialize_all = "snake_case")]
pub enum WorkforceError {
    /// What the platform answers: an answer it made (input, authentication), a failed query, a
    /// database outage.
    #[error(transparent)]
    Platform(#[from] ServiceError),
    /// A response body could not be encoded: 500.
    #[error("not encoded: {0}")]
    Encode(#[from] serde_json::Error),
    /// A path id that is not a UUID: 404 `Not found.`
    #[error("not found")]
    NotFound,
    /// The caller is neither a contractor (with a profile) nor an admin.
    #[error("not a contractor")]
    NotAContractor,
    #[error("no such site")]
    SiteNotFound,
    #[error("no such kiosk")]
    KioskNotFound,
    #[error("no such contractor profile")]
    ContractorNotFound,
    #[error("no such worker profile")]
    WorkerProfileNotFound,
    /// A body's `contractor` names no contractor profile.
    #[error("unknown contractor {0}")]
    UnknownContractor(Uuid),
    /// A body's `site_id` names no site the caller may use.
    #[error("unknown site {0}")]
    UnknownSite(Uuid),
    /// An admin's site without a `contractor`.
    #[error("contractor required")]
    ContractorRequired,
    /// A site whose fields do not hold together.
    #[error("invalid site: {0:?}")]
    InvalidSite(Vec<SiteProblem>),
    /// A body's `worker_id` names no worker profile (sites).
    #[error("worker not found")]
    WorkerNotFound,
    /// A body's `worker_id` names no user this service knows (kiosks).
    #[error("unknown worker")]
    UnknownWorker,
    #[error("invalid date")]
    InvalidDate,
    #[error("invalid export range")]
    InvalidExportRange,
    #[error("invalid kiosk credentials")]
    InvalidKioskCredentials,
    #[error("biometric stub disabled")]
    BiometricStubDisabled,
    #[error("already checked in")]
    AlreadyCheckedIn,
    #[error("not checked in")]
    NotCheckedIn,
    /// More new skills today than [`NEW_SKILLS_PER_DAY`].
    #[error("too many new skills")]
    TooManyNewSkills,
    /// `me` of a user without a worker profile.
    #[error("not a worker")]
    NotAWorker,
    /// The online toggle or location of a user without a worker profile.
    #[error("no worker profile")]
    NoWorkerProfile,
    /// `/workers/nearby/` without a usable point.
    #[error("invalid point")]
    InvalidPoint,
    /// `/workers/search/nearby/` without `lat` or `lng`.
    #[error("missing point")]
    MissingPoint,
    #[error("invalid coordinates")]
    InvalidCoordinates,
    #[error("invalid radius")]
    InvalidRadius,
    #[error("invalid service id")]
    InvalidServiceId,
}

/// A workforce result.
pub type Result<T> = std::result::Result<T, WorkforceError>;

hm_platform::service_failure!(WorkforceError);

/// A site's problems as field errors (shape V).
fn site_errors(problems: &[SiteProblem]) -> FieldErrors {
    let mut errors = FieldErrors::default();
    for problem in problems {
        let (field, message) = match problem {
            SiteProblem::NameRequired => ("name", "This field is required."),
            SiteProblem::AddressRequired => ("address", "This field is required."),
            SiteProblem::HalfAPosition => ("non_field_errors", "Send lat and lng together."),
            SiteProblem::EndBeforeStart => ("end_date", "Must not be before start_date."),
        };
        errors.add(field, message);
    }
    errors
}

fn error(status: StatusCode, message: &str) -> ApiError {
    ApiError::error(status, message)
}

impl ServiceFailure for WorkforceError {
    fn code(&self) -> &'static str {
        match self {
            WorkforceError::Platform(e) => e.code(),
            other => other.into(),
        }
    }

    fn answer(&self) -> ApiError {
        use StatusCode as S;
        match self {
            WorkforceError::Platform(e) => e.answer(),
            WorkforceError::Encode(e) => ApiError::internal(format!("dashboard not encoded: {e}")),
            WorkforceError::NotFound => ApiError::not_found(),
            WorkforceError::NotAContractor => ApiError::forbidden(),
            WorkforceError::SiteNotFound => ApiError::no_match("Site"),
            WorkforceError::KioskNotFound => ApiError::no_match("Kiosk"),
            WorkforceError::ContractorNotFound => ApiError::no_match("ContractorProfile"),
            WorkforceError::WorkerProfileNotFound => ApiError::no_match("WorkerProfile"),
            WorkforceError::UnknownContractor(id) => ApiError::invalid_pk("contractor", id),
            WorkforceError::UnknownSite(id) => ApiError::invalid_pk("site_id", id),
            WorkforceError::ContractorRequired => {
                ApiError::fields(FieldErrors::single("contractor", "This field is required."))
            }
            WorkforceError::InvalidSite(problems) => ApiError::fields(site_errors(problems)),
            WorkforceError::WorkerNotFound => error(S::NOT_FOUND, "Worker not found"),
            WorkforceError::UnknownWorker => ApiError::detail(S::NOT_FOUND, "Worker not found"),
            WorkforceError::InvalidDate => {
                error(S::BAD_REQUEST, "Invalid date format. Use YYYY-MM-DD")
            }
            WorkforceError::InvalidExportRange => error(
                S::BAD_REQUEST,
                "date_from must be on or before date_to, at most 366 days apart",
            ),
            WorkforceError::InvalidKioskCredentials => {
                ApiError::detail(S::UNAUTHORIZED, "Invalid kiosk credentials.")
            }
            WorkforceError::BiometricStubDisabled => {
                ApiError::detail(S::FORBIDDEN, "Biometric stub is not enabled")
            }
            WorkforceError::AlreadyCheckedIn => {
                error(S::BAD_REQUEST, "Worker is already checked in.")
            }
            WorkforceError::NotCheckedIn => error(S::BAD_REQUEST, "Worker is not checked in."),
            WorkforceError::TooManyNewSkills => ApiError::fields(FieldErrors::single(
                "skills",
                format!(
                    "At most {} new skills a day; choose from the listed services.",
                    NEW_SKILLS_PER_DAY
                ),
            )),
            WorkforceError::NotAWorker => error(S::NOT_FOUND, "User is not a registered worker"),
            WorkforceError::NoWorkerProfile => error(S::NOT_FOUND, "Worker profile not found"),
            WorkforceError::InvalidPoint => {
                error(S::BAD_REQUEST, "Invalid or missing lat/lng parameters")
            }
            WorkforceError::MissingPoint => {
                error(S::BAD_REQUEST, "lat and lng parameters are required")
            }
            WorkforceError::InvalidCoordinates => error(S::BAD_REQUEST, "Invalid coordinates"),
            WorkforceError::InvalidRadius => error(S::BAD_REQUEST, "Invalid radius_km"),
            WorkforceError::InvalidServiceId => error(S::BAD_REQUEST, "Invalid service_id"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use strum::VariantNames;

    #[test]
    fn every_variant_is_produced_somewhere() {
        hm_platform::testing::assert_variants_reachable(
            "WorkforceError",
            WorkforceError::VARIANTS,
            &["Platform", "Encode"],
            concat!(env!("CARGO_MANIFEST_DIR"), "/src"),
        );
    }

    #[test]
    fn codes_are_unique_snake_case_names() {
        let mut codes = WorkforceError::VARIANTS.to_vec();
        codes.sort_unstable();
        codes.dedup();
        assert_eq!(codes.len(), WorkforceError::VARIANTS.len());
        assert_eq!(WorkforceError::NotAContractor.code(), "not_a_contractor");
        assert_eq!(WorkforceError::InvalidRadius.code(), "invalid_radius");
    }

    #[test]
    fn a_passed_on_answer_keeps_its_default_code() {
        assert_eq!(
            WorkforceError::from(ApiError::forbidden()).code(),
            "permission_denied"
        );
        assert_eq!(
            WorkforceError::NotFound.answer().status(),
            StatusCode::NOT_FOUND
        );
    }

    #[test]
    fn refusals_answer_as_before() {
        let body = |e: WorkforceError| e.answer().json_body().cloned();
        assert_eq!(
            body(WorkforceError::WorkerNotFound),
            Some(serde_json::json!({"error": "Worker not found"}))
        );
        assert_eq!(
            body(WorkforceError::UnknownWorker),
            Some(serde_json::json!({"detail": "Worker not found"}))
        );
        assert_eq!(
            WorkforceError::InvalidKioskCredentials.answer().status(),
            StatusCode::UNAUTHORIZED
        );
    }
}
