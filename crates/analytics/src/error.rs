//! Analytics' one error type: every failure a handler meets is a variant, answered once in
//! [`ServiceFailure::answer`] with the platform envelopes and sent with its code as `X-Error-Code`.

use crate::domain::report::INVALID_DATE;
use crate::store::writer::WriteError;
use actix_web::http::StatusCode;
use hm_platform::error::ServiceFailure;
use hm_platform::service::{database_unavailable, query_failed, ServiceError};
use hm_platform::ApiError;

/// Everything an analytics request can fail with.
#[derive(Debug, thiserror::Error, strum::IntoStaticStr, strum::EnumVariantNames)]
#[strum(serialize_all = "snake_case")]
pub enum AnalyticsError {
    /// What the platform answers: an answer it made (input, authentication), a failed query, a
    /// database outage.
    #[error(transparent)]
    Platform(#[from] ServiceError),
    /// Events could not be stored.
    #[error(transparent)]
    Write(#[from] WriteError),
    /// A report's `date`, `date_from` or `date_to` that is not `YYYY-MM-DD` (API §12.2).
    #[error("invalid date")]
    InvalidDate,
}

pub type Result<T> = std::result::Result<T, AnalyticsError>;

hm_platform::service_failure!(AnalyticsError);

impl ServiceFailure for AnalyticsError {
    fn code(&self) -> &'static str {
        match self {
            AnalyticsError::Platform(e) => e.code(),
            AnalyticsError::Write(WriteError::Query(_)) => "error",
            AnalyticsError::Write(_) => "database_unavailable",
            other => other.into(),
        }
    }

    fn answer(&self) -> ApiError {
        match self {
            AnalyticsError::Platform(e) => e.answer(),
            AnalyticsError::Write(WriteError::Query(e)) => query_failed(e),
            AnalyticsError::Write(e) => database_unavailable(e),
            AnalyticsError::InvalidDate => ApiError::error(StatusCode::BAD_REQUEST, INVALID_DATE),
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
            "AnalyticsError",
            AnalyticsError::VARIANTS,
            &["Platform", "Write"],
            concat!(env!("CARGO_MANIFEST_DIR"), "/src"),
        );
    }

    #[test]
    fn refusals_keep_their_answers() {
        let answer = AnalyticsError::InvalidDate.answer();
        assert_eq!(answer.status(), StatusCode::BAD_REQUEST);
        assert_eq!(
            answer.json_body(),
            Some(&serde_json::json!({"error": "Invalid date format. Use YYYY-MM-DD"}))
        );
        assert_eq!(
            AnalyticsError::Write(WriteError::Stopped).code(),
            "database_unavailable"
        );
    }
}
