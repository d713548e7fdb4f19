//! Identity's HTTP surface: one module per resource, handlers and their DTOs, no SQL.

mod admin;
mod auth;
mod backoffice;
mod dto;
mod jwks;
mod me;

use paperclip::actix::web;

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(
        web::resource("/api/v1/auth/request-otp/").route(web::post().to(auth::request_otp)),
    )
    .service(web::resource("/api/v1/auth/verify-otp/").route(web::post().to(auth::verify_otp)))
    .service(web::resource("/api/v1/auth/refresh/").route(web::post().to(auth::refresh)))
    .service(web::resource("/api/v1/auth/logout/").route(web::post().to(auth::logout)))
    .service(web::resource("/api/v1/auth/me/").route(web::get().to(me::me)))
    .service(web::resource("/api/v1/auth/admin/login/").route(web::post().to(admin::login)))
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
