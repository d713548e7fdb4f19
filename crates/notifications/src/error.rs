//! Notifications' one error type: the platform's `ServiceError` (an API answer or a database problem, rendered
//! with the platform envelopes).

pub use hm_platform::service::ServiceError as NotificationsError;

pub type Result<T> = std::result::Result<T, NotificationsError>;
