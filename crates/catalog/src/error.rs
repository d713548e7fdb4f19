//! Catalog's one error type: every failure a handler meets is a variant, answered once in
//! [`ServiceFailure::answer`] with the platform envelopes and sent with its code as `X-Error-Code`.

use crate::domain::{self, media::Kind};
use crate::storage::StorageError;
use actix_web::http::StatusCode;
use hm_platform::error::{FieldErrors, ServiceFailure};
use hm_platform::service::ServiceError;
use hm_platform::ApiError;
use serde_json::json;

/// Everything catalog refuses or fails at; the code of a variant is its snake_case name.
#[derive(Debug, thiserror::Error, strum::IntoStaticStr, strum::EnumVariantNames)]
#[strum(serialize_all = "snake_case")]
pub enum CatalogError {
    /// What the platform answers: an answer it made (input, authentication), a failed query, a
    /// database outage.
    #[error(transparent)]
    Platform(#[from] ServiceError),
    #[error("storage: {0}")]
    Storage(#[from] StorageError),
    /// A cached document could not be encoded.
    #[error("document encoding: {0}")]
    Encoding(#[from] serde_json::Error),

    /// A malformed id, or a path that names nothing.
    #[error("not found")]
    NotFound,
    #[error("no such service")]
    ServiceNotFound,
    #[error("no such theme")]
    ThemeNotFound,
    #[error("no such app banner")]
    AppBannerNotFound,
    #[error("no such promo banner")]
    PromoBannerNotFound,
    #[error("no such feature flag")]
    FlagNotFound,
    #[error("no such translation")]
    TranslationNotFound,
    #[error("no such help page")]
    HelpPageNotFound,
    #[error("no such FAQ")]
    FaqNotFound,
    /// The theme document asked for while no theme is active.
    #[error("no active theme")]
    NoActiveTheme,
    /// A `lang` other than the supported ones.
    #[error("unsupported language")]
    UnsupportedLanguage,
    /// A service's slug (given, or made from its name) that is not one.
    #[error("invalid slug")]
    InvalidSlug,
    /// An upload without its `file` part (or not a multipart form at all).
    #[error("no file")]
    NoFile,
    #[error("upload interrupted")]
    UploadInterrupted,
    #[error("file too large")]
    FileTooLarge,
    #[error("empty file")]
    EmptyFile,
    /// An upload whose extension the kind does not take.
    #[error("file type {provided} not allowed")]
    FileTypeNotAllowed {
        kind: &'static Kind,
        provided: String,
    },
    /// An upload whose declared media type the kind does not take.
    #[error("media type {provided} not allowed")]
    MediaTypeNotAllowed {
        kind: &'static Kind,
        provided: String,
    },
    /// A presigned upload asked of local storage.
    #[error("direct uploads need object storage")]
    DirectUploadUnavailable,
}

pub type Result<T> = std::result::Result<T, CatalogError>;

hm_platform::service_failure!(CatalogError);

/// A 4xx with an `{"error": ...}` body and, when given, what was `provided`.
fn refused(status: StatusCode, error: &str, provided: Option<&str>) -> ApiError {
    let mut body = json!({ "error": error });
    if let Some(p) = provided {
        body["provided"] = json!(p);
    }
    ApiError::body(status, body)
}

const NO_FILE: &str = "No file provided. Use 'file' field in multipart form.";

impl ServiceFailure for CatalogError {
    const DOCUMENTED: &'static [(u16, &'static str)] = &[
        (
            400,
            "Invalid input: field errors `{\"field\": [\"message\"]}` or `{\"error\": \"...\"}`",
        ),
        (401, "Missing, invalid or expired credentials"),
        (403, "Not an admin"),
        (404, "No such object"),
        (503, "The database is unavailable"),
    ];

    fn code(&self) -> &'static str {
        match self {
            CatalogError::Platform(e) => e.code(),
            other => other.into(),
        }
    }

    fn answer(&self) -> ApiError {
        match self {
            CatalogError::Platform(e) => e.answer(),
            CatalogError::Storage(e) => {
                tracing::error!(error = %e, "object storage failed");
                ApiError::body(
                    StatusCode::INTERNAL_SERVER_ERROR,
                    json!({"error": format!("Failed to upload file: {e}")}),
                )
            }
            CatalogError::Encoding(e) => ApiError::internal(e),
            CatalogError::NotFound => ApiError::not_found(),
            CatalogError::ServiceNotFound => ApiError::no_match("Service"),
            CatalogError::ThemeNotFound => ApiError::no_match("Theme"),
            CatalogError::AppBannerNotFound => ApiError::no_match("AppBanner"),
            CatalogError::PromoBannerNotFound => ApiError::no_match("PromoBanner"),
            CatalogError::FlagNotFound => ApiError::no_match("FeatureFlag"),
            CatalogError::TranslationNotFound => ApiError::no_match("Translation"),
            CatalogError::HelpPageNotFound => ApiError::no_match("HelpPage"),
            CatalogError::FaqNotFound => ApiError::no_match("FAQ"),
            CatalogError::NoActiveTheme => {
                ApiError::error(StatusCode::NOT_FOUND, "No active theme configured")
            }
            CatalogError::UnsupportedLanguage => {
                ApiError::error(StatusCode::BAD_REQUEST, domain::INVALID_LANG)
            }
            CatalogError::InvalidSlug => {
                ApiError::fields(FieldErrors::single("slug", domain::SLUG_MESSAGE))
            }
            CatalogError::NoFile => refused(StatusCode::BAD_REQUEST, NO_FILE, None),
            CatalogError::UploadInterrupted => {
                refused(StatusCode::BAD_REQUEST, "The upload was interrupted.", None)
            }
            CatalogError::FileTooLarge => {
                refused(StatusCode::PAYLOAD_TOO_LARGE, "File too large", None)
            }
            CatalogError::EmptyFile => refused(
                StatusCode::BAD_REQUEST,
                "The submitted file is empty.",
                None,
            ),
            CatalogError::FileTypeNotAllowed { kind, provided } => {
                refused(StatusCode::BAD_REQUEST, kind.bad_extension, Some(provided))
            }
            CatalogError::MediaTypeNotAllowed { kind, provided } => {
                refused(StatusCode::BAD_REQUEST, kind.bad_type, Some(provided))
            }
            CatalogError::DirectUploadUnavailable => refused(
                StatusCode::BAD_REQUEST,
                "Direct uploads need object storage (USE_S3=true); use /api/v1/media/upload/.",
                None,
            ),
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
            "CatalogError",
            CatalogError::VARIANTS,
            &["Platform", "Storage", "Encoding"],
            concat!(env!("CARGO_MANIFEST_DIR"), "/src"),
        );
    }

    #[test]
    fn codes_are_unique_snake_case_names() {
        let mut seen = std::collections::BTreeSet::new();
        for name in CatalogError::VARIANTS {
            assert!(seen.insert(*name), "{name} twice");
            assert!(
                name.bytes().all(|b| b.is_ascii_lowercase() || b == b'_'),
                "{name}"
            );
        }
        assert_eq!(CatalogError::FlagNotFound.code(), "flag_not_found");
        assert_eq!(
            CatalogError::from(ApiError::forbidden()).code(),
            "permission_denied"
        );
    }

    #[test]
    fn responses_carry_the_code() {
        let response = CatalogError::NoActiveTheme.error_response();
        assert_eq!(response.status(), StatusCode::NOT_FOUND);
        assert_eq!(
            response
                .headers()
                .get(hm_platform::error::ERROR_CODE_HEADER)
                .and_then(|v| v.to_str().ok()),
            Some("no_active_theme")
        );
    }

    #[test]
    fn refusals_keep_their_answers() {
        let answer = CatalogError::ThemeNotFound.answer();
        assert_eq!(answer.status(), StatusCode::NOT_FOUND);
        assert_eq!(
            answer.json_body(),
            Some(&json!({"detail": "No Theme matches the given query."}))
        );
        let answer = CatalogError::FileTooLarge.answer();
        assert_eq!(answer.status(), StatusCode::PAYLOAD_TOO_LARGE);
        assert_eq!(
            answer.json_body(),
            Some(&json!({"error": "File too large"}))
        );
    }
}
