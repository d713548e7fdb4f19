//! Identity's HTTP surface: one module per resource, handlers and their DTOs, no SQL.

mod admin;
mod auth;
mod backoffice;
mod dto;
mod ekyc;
mod jwks;
mod me;

use actix_web::dev::Payload;
use actix_web::web::Bytes;
use actix_web::{FromRequest, HttpRequest};
use paperclip::actix::{web, OperationModifier};
use paperclip::v2::models::{
    DefaultOperationRaw, DefaultSchemaRaw, Either, Parameter, ParameterIn,
};
use paperclip::v2::schema::Apiv2Schema;
use std::future::Future;
use std::marker::PhantomData;
use std::pin::Pin;

/// A body taken raw, for a handler that must check something first (eKYC: the user exists, the caller
/// may see them) and then reads it with `hm_platform::input::read_fields`; the OpenAPI document shows
/// the body as a `T`, as it does for `Valid<T>`. Extracting it is extracting `Bytes`: the same limits and
/// errors. (The same as jobs' `RawBody`: services share no crate but the platform.)
pub struct RawBody<T>(pub Bytes, PhantomData<fn() -> T>);

impl<T> FromRequest for RawBody<T> {
    type Error = <Bytes as FromRequest>::Error;
    type Future = Pin<Box<dyn Future<Output = Result<Self, Self::Error>>>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let bytes = Bytes::from_request(req, payload);
        Box::pin(async move { bytes.await.map(|b| RawBody(b, PhantomData)) })
    }
}

impl<T: Apiv2Schema> Apiv2Schema for RawBody<T> {
    fn name() -> Option<String> {
        T::name()
    }

    fn raw_schema() -> DefaultSchemaRaw {
        T::raw_schema()
    }
}

impl<T: Apiv2Schema> OperationModifier for RawBody<T> {
    fn update_parameter(op: &mut DefaultOperationRaw) {
        hm_platform::error::document_errors(
            op,
            &[
                (
                    400,
                    "Invalid input: field errors, or a body that does not parse",
                ),
                (413, "Request body too large"),
                (
                    415,
                    "Unsupported media type (JSON, form or multipart bodies only)",
                ),
            ],
        );
        let mut schema = <Self as Apiv2Schema>::schema_with_ref();
        schema.retain_ref();
        op.parameters.push(Either::Right(Parameter {
            in_: ParameterIn::Body,
            name: "body".into(),
            required: true,
            schema: Some(schema),
            ..Default::default()
        }));
    }
}

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
