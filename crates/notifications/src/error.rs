//! Notifications' one error type (ARCHITECTURE §4): every failure a handler can meet is a variant,
//! answered once in [`ServiceFailure::answer`] with the platform envelopes, with a stable code (the
//! variant's snake_case name) in `X-Error-Code`.

use actix_web::http::StatusCode;
use hm_platform::error::{FieldErrors, ServiceFailure};
use hm_platform::service::ServiceError;
use hm_platform::ApiError;

#[derive(Debug, thiserror::Error, strum::IntoStaticStr, strum::EnumVariantNames)]
#[strum(serialize_all = "snake_case")]
pub enum NotificationsError {
    /// What the platform answers: an answer it made (input, authentication), a failed query, a
    /// database outage.
    #[error(transparent)]
    Platform(#[from] ServiceError),
    /// A malformed id, or a row gone between its write and its read: 404 `Not found.`
    #[error("not found")]
    NotFound,
    /// A device's owner (`user_id`) nobody knows: 404 `{"error": "User not found"}`.
    #[error("unknown device owner")]
    UnknownOwner,
    /// No active device has the token to unregister: 404 `{"error": "Device not found"}`.
    #[error("no device with that token")]
    UnknownToken,
    #[error("no such device")]
    NoSuchDevice,
    #[error("no such notification")]
    NoSuchNotification,
    #[error("no such user")]
    NoSuchUser,
    #[error("no such booking")]
    NoSuchBooking,
    /// `date_from`/`date_to` (the field) that is neither a date nor a datetime.
    #[error("{0}: not a date")]
    InvalidDate(&'static str),
    /// The test send while `NOTIFICATIONS_ENABLED=false`: 503.
    #[error("notifications are disabled")]
    Disabled,
    /// A Twilio callback without a valid signature (or with no auth token configured): 403.
    #[error("invalid Twilio signature")]
    InvalidSignature,
    /// A Twilio callback without `MessageSid` or a known `MessageStatus`: 400.
    #[error("malformed delivery report")]
    MalformedReport,
    /// A booking's timeline asked by someone neither its customer, its worker nor an admin: 403.
    #[error("not a party to the booking")]
    NotAParty,
}

pub type Result<T> = std::result::Result<T, NotificationsError>;

hm_platform::service_failure!(NotificationsError);

impl ServiceFailure for NotificationsError {
    fn code(&self) -> &'static str {
        match self {
            NotificationsError::Platform(e) => e.code(),
            other => other.into(),
        }
    }

    fn answer(&self) -> ApiError {
        use NotificationsError as E;
        match self {
            E::Platform(e) => e.answer(),
            E::NotFound => ApiError::not_found(),
            E::UnknownOwner => ApiError::error(StatusCode::NOT_FOUND, "User not found"),
            E::UnknownToken => ApiError::error(StatusCode::NOT_FOUND, "Device not found"),
            E::NoSuchDevice => ApiError::no_match("Device"),
            E::NoSuchNotification => ApiError::no_match("Notification"),
            E::NoSuchUser => ApiError::no_match("User"),
            E::NoSuchBooking => ApiError::no_match("Booking"),
            E::InvalidDate(field) => ApiError::fields(FieldErrors::single(
                field,
                "Enter a valid date or datetime (YYYY-MM-DD or ISO 8601).",
            )),
            E::Disabled => ApiError::error(
                StatusCode::SERVICE_UNAVAILABLE,
                "Notifications are disabled",
            ),
            E::InvalidSignature => {
                ApiError::error(StatusCode::FORBIDDEN, "Invalid Twilio signature")
            }
            E::MalformedReport => ApiError::error(
                StatusCode::BAD_REQUEST,
                "Expected MessageSid and a known MessageStatus",
            ),
            E::NotAParty => ApiError::error(
                StatusCode::FORBIDDEN,
                "You do not have access to this booking timeline",
            ),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_variant_is_produced_and_codes_are_stable_and_unique() {
        use strum::VariantNames;
        hm_platform::testing::assert_variants_reachable(
            "NotificationsError",
            NotificationsError::VARIANTS,
            &["platform"],
            concat!(env!("CARGO_MANIFEST_DIR"), "/src"),
        );
        let codes: std::collections::BTreeSet<&str> =
            NotificationsError::VARIANTS.iter().copied().collect();
        assert_eq!(codes.len(), NotificationsError::VARIANTS.len());
        assert_eq!(NotificationsError::NotAParty.code(), "not_a_party");
        let response = NotificationsError::UnknownToken.respond();
        assert_eq!(response.status(), 404);
        assert_eq!(
            response.headers().get("x-error-code").map(|v| v.as_bytes()),
            Some(&b"unknown_token"[..])
        );
        let input = NotificationsError::from(ApiError::forbidden());
        assert_eq!(input.code(), "permission_denied");
    }
}
