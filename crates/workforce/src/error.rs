//! Workforce's one error type, rendered with the platform envelopes.

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, ResponseError};
use hm_platform::error::document_errors;
use hm_platform::ApiError;
use paperclip::v2::models::DefaultOperationRaw;
use paperclip::v2::schema::Apiv2Errors;

#[derive(Debug, thiserror::Error)]
pub enum WorkforceError {
    #[error(transparent)]
    Api(#[from] ApiError),
    #[error("database: {0}")]
    Query(#[from] diesel::result::Error),
    #[error("database unavailable: {0}")]
    DbPool(#[from] diesel_async::pooled_connection::deadpool::PoolError),
}

pub type Result<T> = std::result::Result<T, WorkforceError>;

impl WorkforceError {
    fn to_api(&self) -> ApiError {
        match self {
            WorkforceError::Api(e) => e.clone(),
            WorkforceError::DbPool(_) => {
                tracing::error!(error = %self, "database unavailable");
                ApiError::unavailable("Service temporarily unavailable.", "database_unavailable")
            }
            WorkforceError::Query(_) => ApiError::internal(self),
        }
    }
}

impl ResponseError for WorkforceError {
    fn status_code(&self) -> StatusCode {
        self.to_api().status()
    }

    fn error_response(&self) -> HttpResponse {
        self.to_api().error_response()
    }
}

impl Apiv2Errors for WorkforceError {
    fn update_error_definitions(op: &mut DefaultOperationRaw) {
        document_errors(
            op,
            &[
                (400, "Invalid input: field errors `{\"field\": [\"message\"]}` or `{\"error\": \"...\"}`"),
                (401, "Missing, invalid or expired credentials"),
                (403, "Not the profile's owner or an admin"),
                (404, "No such profile"),
                (503, "The database is unavailable"),
            ],
        );
    }
}
