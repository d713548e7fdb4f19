//! Workforce's one error type: the platform's `ServiceError` (an API answer or a database problem, rendered
//! with the platform envelopes).

pub use hm_platform::service::ServiceError as WorkforceError;

pub type Result<T> = std::result::Result<T, WorkforceError>;
