//! Identity's one error type: every failure a handler can meet, each a variant answered once here with the
//! platform envelopes and a stable code (`X-Error-Code`, ARCHITECTURE §4).

use crate::domain::ekyc::{self, Last4Error};
use crate::domain::otp::Limited;
use actix_web::http::StatusCode;
use hm_platform::auth::TokenError;
use hm_platform::error::{FieldErrors, ServiceFailure};
use hm_platform::events::BusError;
use hm_platform::service::ServiceError;
use hm_platform::ApiError;
use serde_json::json;

/// Every failure of identity's handlers; its code is the variant's snake_case name.
#[derive(Debug, thiserror::Error, strum::IntoStaticStr, strum::EnumVariantNames)]
#[strum(serialize_all = "snake_case")]
pub enum IdentityError {
    /// What the platform answers: an answer it made (input, authentication), a failed query, a
    /// database outage.
    #[error(transparent)]
    Platform(#[from] ServiceError),
    /// A failed Redis command.
    #[error("redis: {0}")]
    Redis(#[from] deadpool_redis::redis::RedisError),
    /// No Redis connection to be had.
    #[error("redis unavailable: {0}")]
    RedisPool(#[from] deadpool_redis::PoolError),
    /// The broker would not take the OTP for SMS delivery.
    #[error("broker: {0}")]
    Broker(#[from] BusError),
    /// A token could not be signed.
    #[error("{0}")]
    Signing(String),
    /// request-otp over one of its limits.
    #[error("too many OTP requests: {0:?}")]
    TooManyRequests(Limited),
    /// No live challenge with this request id (expired, used, burned or never made).
    #[error("invalid or expired OTP request id")]
    ChallengeUnknown,
    /// A wrong code; the challenge lives on.
    #[error("wrong OTP")]
    WrongCode,
    /// The last allowed wrong code: the challenge is burned.
    #[error("too many wrong OTPs: challenge burned")]
    ChallengeBurned,
    /// verify-otp for a deactivated account.
    #[error("account is disabled")]
    AccountDisabled,
    /// A refresh token that does not verify.
    #[error("refresh token refused: {0}")]
    RefreshTokenInvalid(TokenError),
    /// A refresh token already revoked (or unknown).
    #[error("refresh token is blacklisted")]
    TokenBlacklisted,
    /// A rotated refresh token presented after the grace window: its family was revoked.
    #[error("refresh token reused: family revoked")]
    RefreshTokenReused,
    /// A refresh token of a deleted or deactivated user.
    #[error("no active account for the refresh token")]
    NoActiveAccount,
    /// logout with a token that is invalid, foreign or already revoked.
    #[error("logout refused")]
    LogoutRefused,
    /// A valid access token of a user that no longer exists.
    #[error("user not found")]
    UserNotFound,
    /// A valid access token of a deactivated user.
    #[error("user is inactive")]
    UserInactive,
    /// Admin sign-in with a wrong email or password, or for an inactive account.
    #[error("bad admin credentials")]
    BadCredentials,
    /// An admin deactivating their own account.
    #[error("an admin cannot deactivate their own account")]
    CannotDeactivateSelf,
    /// The back office names a user that does not exist; also an eKYC request for a missing user
    /// (or a `user_id` that is not a UUID).
    #[error("no such user")]
    NoSuchUser,
    /// An eKYC request for another user by a caller who is not staff (API §3.5).
    #[error("eKYC of another user")]
    EkycPermissionDenied,
    /// An eKYC upload whose `aadhaar_last4` is missing or not four ASCII digits (API §3.5). Carries no
    /// digits: the value sent is never kept.
    #[error("eKYC upload refused: {0:?}")]
    EkycInvalid(Last4Error),
    /// `ENCRYPTION_KEY` is not set (API §3.5: 503).
    #[error("eKYC is not configured (no ENCRYPTION_KEY)")]
    EkycNotConfigured,
    /// Sealing the digits failed (no randomness): a 500.
    #[error(transparent)]
    Encryption(#[from] crate::ekyc::CryptoError),
}

/// A result with identity's error.
pub type Result<T> = std::result::Result<T, IdentityError>;

hm_platform::service_failure!(IdentityError);

/// The JWT errors' body (API §1.4).
fn token_not_valid(detail: String) -> ApiError {
    ApiError::body(
        StatusCode::UNAUTHORIZED,
        json!({ "detail": detail, "code": "token_not_valid" }),
    )
}

impl ServiceFailure for IdentityError {
    const DOCUMENTED: &'static [(u16, &'static str)] = &[
        (
            400,
            "Invalid input: field errors `{\"field\": [\"message\"]}` or `{\"error\": \"...\"}`",
        ),
        (401, "Missing, invalid or expired credentials"),
        (403, "Not permitted"),
        (404, "No such object"),
        (429, "Too many requests"),
        (
            503,
            "A dependency (database, cache, broker) is unavailable, or eKYC is not configured",
        ),
    ];

    fn code(&self) -> &'static str {
        match self {
            IdentityError::Platform(e) => e.code(),
            other => other.into(),
        }
    }

    fn answer(&self) -> ApiError {
        match self {
            IdentityError::Platform(e) => e.answer(),
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
            IdentityError::Signing(_) => ApiError::internal(self),
            IdentityError::TooManyRequests(limited) => ApiError::error(
                StatusCode::TOO_MANY_REQUESTS,
                match limited {
                    Limited::Minute => "Too many requests. Please wait a minute.",
                    Limited::Hour | Limited::Ip => "Too many requests. Please try again later.",
                },
            ),
            IdentityError::ChallengeUnknown => {
                ApiError::error(StatusCode::BAD_REQUEST, "Invalid or expired request ID.")
            }
            IdentityError::WrongCode => ApiError::error(StatusCode::BAD_REQUEST, "Invalid OTP."),
            IdentityError::ChallengeBurned => ApiError::error(
                StatusCode::BAD_REQUEST,
                "Too many failed attempts. Please request a new OTP.",
            ),
            IdentityError::AccountDisabled => {
                ApiError::error(StatusCode::FORBIDDEN, "Account is disabled.")
            }
            IdentityError::RefreshTokenInvalid(e) => token_not_valid(e.to_string()),
            IdentityError::TokenBlacklisted | IdentityError::RefreshTokenReused => {
                token_not_valid("Token is blacklisted".to_owned())
            }
            IdentityError::NoActiveAccount => ApiError::coded(
                StatusCode::UNAUTHORIZED,
                "No active account found for the given token.",
                "no_active_account",
            ),
            IdentityError::LogoutRefused => ApiError::empty(StatusCode::BAD_REQUEST),
            IdentityError::UserNotFound => {
                ApiError::coded(StatusCode::UNAUTHORIZED, "User not found", "user_not_found")
            }
            IdentityError::UserInactive => ApiError::coded(
                StatusCode::UNAUTHORIZED,
                "User is inactive",
                "user_inactive",
            ),
            IdentityError::BadCredentials => ApiError::detail(
                StatusCode::UNAUTHORIZED,
                "No active account found with the given credentials",
            ),
            IdentityError::CannotDeactivateSelf => ApiError::fields(FieldErrors::single(
                "is_active",
                "You cannot deactivate your own account.",
            )),
            IdentityError::NoSuchUser => ApiError::no_match("User"),
            IdentityError::EkycPermissionDenied => {
                ApiError::error(StatusCode::FORBIDDEN, "Permission denied")
            }
            // API §3.5 gives the message as a string, not the usual list.
            IdentityError::EkycInvalid(reason) => ApiError::body(
                StatusCode::BAD_REQUEST,
                json!({ ekyc::FIELD: match reason {
                    Last4Error::Required => ekyc::REQUIRED_MESSAGE,
                    Last4Error::Format => ekyc::FORMAT_MESSAGE,
                } }),
            ),
            IdentityError::EkycNotConfigured => {
                ApiError::error(StatusCode::SERVICE_UNAVAILABLE, "eKYC is not configured")
            }
            IdentityError::Encryption(_) => ApiError::internal(self),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use actix_web::ResponseError;
    use strum::VariantNames;

    #[test]
    fn every_variant_is_produced_somewhere() {
        hm_platform::testing::assert_variants_reachable(
            "IdentityError",
            IdentityError::VARIANTS,
            &["Platform", "Redis", "RedisPool", "Broker", "Encryption"],
            concat!(env!("CARGO_MANIFEST_DIR"), "/src"),
        );
    }

    #[test]
    fn codes_are_unique_and_name_their_variant() {
        let mut codes = IdentityError::VARIANTS.to_vec();
        codes.sort_unstable();
        codes.dedup();
        assert_eq!(codes.len(), IdentityError::VARIANTS.len());
        assert_eq!(IdentityError::NoSuchUser.code(), "no_such_user");
        assert_eq!(
            IdentityError::TooManyRequests(Limited::Ip).code(),
            "too_many_requests"
        );
        let passed_on = IdentityError::from(ApiError::forbidden());
        assert_eq!(passed_on.code(), "permission_denied");
    }

    #[test]
    fn the_answer_carries_the_code() {
        let response = IdentityError::WrongCode.error_response();
        assert_eq!(response.status(), StatusCode::BAD_REQUEST);
        assert_eq!(
            response.headers().get("x-error-code").map(|v| v.as_bytes()),
            Some(&b"wrong_code"[..])
        );
    }
}
