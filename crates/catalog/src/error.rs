//! Catalog's one error type, rendered with the platform envelopes.

use crate::storage::StorageError;
use actix_web::http::StatusCode;
use actix_web::{HttpResponse, ResponseError};
use hm_platform::error::document_errors;
use hm_platform::ApiError;
use paperclip::v2::models::DefaultOperationRaw;
use paperclip::v2::schema::Apiv2Errors;
use serde_json::json;

#[derive(Debug, thiserror::Error)]
pub enum CatalogError {
    #[error(transparent)]
    Api(#[from] ApiError),
    #[error("database: {0}")]
    Query(#[from] diesel::result::Error),
    #[error("database unavailable: {0}")]
    DbPool(#[from] diesel_async::pooled_connection::deadpool::PoolError),
    #[error("storage: {0}")]
    Storage(#[from] StorageError),
}

pub type Result<T> = std::result::Result<T, CatalogError>;

impl CatalogError {
    fn to_api(&self) -> ApiError {
        match self {
            CatalogError::Api(e) => e.clone(),
            CatalogError::DbPool(_) => {
                tracing::error!(error = %self, "database unavailable");
                ApiError::unavailable("Service temporarily unavailable.", "database_unavailable")
            }
            CatalogError::Storage(e) => {
                tracing::error!(error = %e, "object storage failed");
                ApiError::body(
                    StatusCode::INTERNAL_SERVER_ERROR,
                    json!({"error": format!("Failed to upload file: {e}")}),
                )
            }
            CatalogError::Query(e) => hm_platform::constraints::answer(e),
        }
    }
}

impl ResponseError for CatalogError {
    fn status_code(&self) -> StatusCode {
        self.to_api().status()
    }

    fn error_response(&self) -> HttpResponse {
        self.to_api().error_response()
    }
}

impl Apiv2Errors for CatalogError {
    fn update_error_definitions(op: &mut DefaultOperationRaw) {
        document_errors(
            op,
            &[
                (400, "Invalid input: field errors `{\"field\": [\"message\"]}` or `{\"error\": \"...\"}`"),
                (401, "Missing, invalid or expired credentials"),
                (403, "Not an admin"),
                (404, "No such object"),
                (503, "The database is unavailable"),
            ],
        );
    }
}
