//! HTTP conventions shared by all services (ARCHITECTURE §4): paths answer with and without the trailing
//! slash, unknown routes are a JSON 404, bodies are capped.

use crate::error::ApiError;
use actix_web::body::MessageBody;
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::Uri;
use actix_web::middleware::Next;
use actix_web::{Error, HttpRequest, HttpResponse, ResponseError};

/// Serves `/api/v1/auth/request-otp` as `/api/v1/auth/request-otp/` without a redirect (API §1.1).
/// Paths whose last segment names a file (`/openapi.json`) are left alone.
pub async fn append_slash(
    mut req: ServiceRequest,
    next: Next<impl MessageBody>,
) -> Result<ServiceResponse<impl MessageBody>, Error> {
    let path = req.path();
    let last = path.rsplit('/').next().unwrap_or("");
    if !path.ends_with('/') && !last.contains('.') {
        let mut target = format!("{path}/");
        if let Some(query) = req.uri().query() {
            target.push('?');
            target.push_str(query);
        }
        if let Ok(uri) = target.parse::<Uri>() {
            req.match_info_mut().get_mut().update(&uri);
            req.head_mut().uri = uri;
        }
    }
    next.call(req).await
}

/// The default service: `{"detail":"Not found."}`.
pub async fn not_found(_: HttpRequest) -> HttpResponse {
    ApiError::not_found().error_response()
}
