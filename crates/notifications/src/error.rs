//! Notifications' one error type, rendered with the platform envelopes.

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, ResponseError};
use hm_platform::error::document_errors;
use hm_platform::ApiError;
use paperclip::v2::models::DefaultOperationRaw;
use paperclip::v2::schema::Apiv2Errors;

#[derive(Debug, thiserror::Error)]
pub enum NotificationsError {
    #[error(transparent)]
    Api(#[from] ApiError),
    #[error("database: {0}")]
    Query(#[from] diesel::result::Error),
    #[error("database unavailable: {0}")]
    DbPool(#[from] diesel_async::pooled_connection::deadpool::PoolError),
}

pub type Result<T> = std::result::Result<T, NotificationsError>;

impl NotificationsError {
    fn to_api(&self) -> ApiError {
        match self {
            NotificationsError::Api(e) => e.clone(),
            NotificationsError::DbPool(_) => {
                tracing::error!(error = %self, "database unavailable");
                ApiError::unavailable("Service temporarily unavailable.", "database_unavailable")
            }
            NotificationsError::Query(_) => ApiError::internal(self),
        }
    }
}

impl ResponseError for NotificationsError {
    fn status_code(&self) -> StatusCode {
        self.to_api().status()
    }

    fn error_response(&self) -> HttpResponse {
        self.to_api().error_response()
    }
}

impl Apiv2Errors for NotificationsError {
    fn update_error_definitions(op: &mut DefaultOperationRaw) {
        document_errors(
            op,
            &[
                (400, "Invalid input: field errors `{\"field\": [\"message\"]}` or `{\"error\": \"...\"}`"),
                (401, "Missing, invalid or expired credentials"),
                (403, "Not allowed for this user"),
                (404, "No such notification"),
                (503, "The database is unavailable"),
            ],
        );
    }
}
