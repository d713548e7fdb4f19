//! Identity's HTTP surface: one module per resource, handlers and their DTOs, no SQL.

mod admin;
mod auth;
mod dto;
mod jwks;
mod me;
mod session;

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
    .service(web::resource("/.well-known/jwks.json").route(web::get().to(jwks::jwks)));
}
