//! Identity's one error type: every failure a handler can meet, rendered with the platform envelopes.

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, ResponseError};
use hm_platform::error::document_errors;
use hm_platform::events::BusError;
use hm_platform::ApiError;
use paperclip::v2::models::DefaultOperationRaw;
use paperclip::v2::schema::Apiv2Errors;

#[derive(Debug, thiserror::Error)]
pub enum IdentityError {
    #[error(transparent)]
    Api(#[from] ApiError),
    #[error("database: {0}")]
    Query(#[from] diesel::result::Error),
    #[error("database unavailable: {0}")]
    DbPool(#[from] diesel_async::pooled_connection::deadpool::PoolError),
    #[error("redis: {0}")]
    Redis(#[from] deadpool_redis::redis::RedisError),
    #[error("redis unavailable: {0}")]
    RedisPool(#[from] deadpool_redis::PoolError),
    #[error("broker: {0}")]
    Broker(#[from] BusError),
    #[error("{0}")]
    Internal(String),
}

pub type Result<T> = std::result::Result<T, IdentityError>;

impl From<hm_platform::service::ServiceError> for IdentityError {
    fn from(e: hm_platform::service::ServiceError) -> Self {
        use hm_platform::service::ServiceError;
        match e {
            ServiceError::Api(e) => IdentityError::Api(e),
            ServiceError::Query(e) => IdentityError::Query(e),
            ServiceError::DbPool(e) => IdentityError::DbPool(e),
        }
    }
}

impl IdentityError {
    fn to_api(&self) -> ApiError {
        match self {
            IdentityError::Api(e) => e.clone(),
            IdentityError::DbPool(_) => {
                tracing::error!(error = %self, "database unavailable");
                ApiError::unavailable("Service temporarily unavailable.", "database_unavailable")
            }
            IdentityError::Redis(_) | IdentityError::RedisPool(_) => {
                tracing::error!(error = %self, "redis unavailable");
                ApiError::unavailable("Service temporarily unavailable.", "cache_unavailable")
            }
            IdentityError::Broker(_) => {
                tracing::error!(error = %self, "broker unavailable");
                ApiError::unavailable(
                    "SMS delivery is temporarily unavailable. Please try again shortly.",
                    "sms_unavailable",
                )
            }
            IdentityError::Query(e) => hm_platform::constraints::answer(e),
            IdentityError::Internal(_) => ApiError::internal(self),
        }
    }
}

impl ResponseError for IdentityError {
    fn status_code(&self) -> StatusCode {
        self.to_api().status()
    }

    fn error_response(&self) -> HttpResponse {
        self.to_api().error_response()
    }
}

impl Apiv2Errors for IdentityError {
    fn update_error_definitions(op: &mut DefaultOperationRaw) {
        document_errors(
            op,
            &[
                (400, "Invalid input: field errors `{\"field\": [\"message\"]}` or `{\"error\": \"...\"}`"),
                (401, "Missing, invalid or expired credentials"),
                (403, "Not permitted"),
                (404, "No such object"),
                (429, "Too many requests"),
                (503, "A dependency (database, cache, broker) is unavailable"),
            ],
        );
    }
}
