//! The admin console (issue #9): one page at `/admin/` and its files (the charts drawn by its own
//! `charts.js`, issue #19), compiled into the binary so nothing is fetched at run time. It works only through the services' admin APIs behind this gateway.

use actix_web::http::header;
use actix_web::{web, HttpResponse};
use hm_platform::ApiError;

/// The page may load its own files and call this origin's API, nothing else.
const CSP: &str = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; \
                   connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

const FILES: [(&str, &str, &[u8]); 4] = [
    (
        "index.html",
        "text/html; charset=utf-8",
        include_bytes!("../assets/admin/index.html"),
    ),
    (
        "app.js",
        "application/javascript; charset=utf-8",
        include_bytes!("../assets/admin/app.js"),
    ),
    (
        "charts.js",
        "application/javascript; charset=utf-8",
        include_bytes!("../assets/admin/charts.js"),
    ),
    (
        "app.css",
        "text/css; charset=utf-8",
        include_bytes!("../assets/admin/app.css"),
    ),
];

fn serve(name: &str) -> Result<HttpResponse, ApiError> {
    let (_, content_type, bytes) = FILES
        .iter()
        .find(|(file, _, _)| *file == name)
        .ok_or_else(ApiError::not_found)?;
    Ok(HttpResponse::Ok()
        .content_type(*content_type)
        .insert_header((header::CONTENT_SECURITY_POLICY, CSP))
        .insert_header((header::X_FRAME_OPTIONS, "DENY"))
        .insert_header((header::X_CONTENT_TYPE_OPTIONS, "nosniff"))
        .insert_header((header::REFERRER_POLICY, "no-referrer"))
        // A new gateway brings a new console: always revalidate.
        .insert_header((header::CACHE_CONTROL, "no-cache"))
        .body(*bytes))
}

pub async fn index() -> Result<HttpResponse, ApiError> {
    serve("index.html")
}

/// `/admin` without the slash: the page's relative links need it.
pub async fn redirect() -> HttpResponse {
    HttpResponse::PermanentRedirect()
        .insert_header((header::LOCATION, "/admin/"))
        .finish()
}

pub async fn file(name: web::Path<String>) -> Result<HttpResponse, ApiError> {
    match name.as_str() {
        "index.html" => Err(ApiError::not_found()),
        other => serve(other),
    }
}
