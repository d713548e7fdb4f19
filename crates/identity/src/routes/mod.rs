//! Identity's HTTP surface: one module per resource, handlers and their DTOs, no SQL.

mod admin;
mod auth;
mod backoffice;
mod dto;
mod ekyc;
mod jwks;
mod me;

use paperclip::actix::web;

/// eKYC reads its body only after checking the user exists and the caller may see them.
pub use hm_platform::input::RawBody;

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(
        web::resource("/api/v1/auth/request-otp/").route(web::post().to(auth::request_otp)),
    )
    .service(web::resource("/api/v1/auth/verify-otp/").route(web::post().to(auth::verify_otp)))
    .service(web::resource("/api/v1/auth/refresh/").route(web::post().to(auth::refresh)))
    .service(web::resource("/api/v1/auth/logout/").route(web::post().to(auth::logout)))
    .service(web::resource("/api/v1/auth/me/").route(web::get().to(me::me)))
    .service(web::resource("/api/v1/auth/admin/login/").route(web::post().to(admin::login)))
    .service(
        web::resource("/api/v1/auth/users/{user_id}/ekyc/upload/")
            .route(web::post().to(ekyc::upload)),
    )
    .service(
        web::resource("/api/v1/auth/users/{user_id}/ekyc/status/")
            .route(web::get().to(ekyc::status)),
    )
    .service(web::resource("/.well-known/jwks.json").route(web::get().to(jwks::jwks)))
    .service(web::resource("/api/v1/admin/identity/stats/").route(web::get().to(backoffice::stats)))
    .service(
        web::resource("/api/v1/admin/identity/stats/otp-per-hour/")
            .route(web::get().to(backoffice::otp_per_hour)),
    )
    .service(
        web::resource("/api/v1/admin/identity/users/").route(web::get().to(backoffice::users_list)),
    )
    .service(
        web::resource("/api/v1/admin/identity/users/{id}/")
            .route(web::get().to(backoffice::user))
            .route(web::patch().to(backoffice::user_update)),
    )
    .service(
        web::resource("/api/v1/admin/identity/otp-logs/")
            .route(web::get().to(backoffice::otp_logs)),
    );
}
