//! A handler's success answer, with its status in its type (issue #15): the OpenAPI document then lists
//! the status every operation answers with, so a client generated from it knows what success looks
//! like, and the fuzzer's `status_code_conformance` holds the code to it. `Reply<201>` is a 201;
//! `Reply<201, 200>` an operation with a second success status (a new device, or one already known).

use actix_web::body::BoxBody;
use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, HttpResponseBuilder, Responder};
use paperclip::actix::OperationModifier;
use paperclip::v2::models::{DefaultOperationRaw, Either, Response};
use paperclip::v2::schema::Apiv2Schema;
use serde::Serialize;

/// A success response whose status is `STATUS` (or `ALSO`, when not 0).
#[derive(Debug)]
pub struct Reply<const STATUS: u16, const ALSO: u16 = 0>(HttpResponse);

fn status(code: u16) -> StatusCode {
    StatusCode::from_u16(code).unwrap_or(StatusCode::OK)
}

impl<const STATUS: u16, const ALSO: u16> Reply<STATUS, ALSO> {
    /// `STATUS` with `body` as JSON.
    pub fn json(body: impl Serialize) -> Self {
        Reply(HttpResponse::build(status(STATUS)).json(body))
    }

    /// `STATUS` without a body (204, 205, 304).
    pub fn empty() -> Self {
        Reply(HttpResponse::build(status(STATUS)).finish())
    }

    /// `STATUS` when `first` (a new row: 201), else `ALSO` (the row existed: 200), with `body` as JSON.
    pub fn json_when(first: bool, body: impl Serialize) -> Self {
        if first {
            Self::json(body)
        } else {
            Self::also_json(body)
        }
    }

    /// `ALSO`, the operation's second success status, with `body` as JSON.
    pub fn also_json(body: impl Serialize) -> Self {
        Reply(HttpResponse::build(status(ALSO)).json(body))
    }

    /// `STATUS` built with headers or a body of another type (CSV, a cached document): `build` gets
    /// the builder and finishes it.
    pub fn build(build: impl FnOnce(&mut HttpResponseBuilder) -> HttpResponse) -> Self {
        Reply(build(&mut HttpResponse::build(status(STATUS))))
    }

    /// `ALSO` built as [`Reply::build`] does.
    pub fn also_build(build: impl FnOnce(&mut HttpResponseBuilder) -> HttpResponse) -> Self {
        Reply(build(&mut HttpResponse::build(status(ALSO))))
    }

    /// The response as actix sends it.
    pub fn into_response(self) -> HttpResponse {
        self.0
    }
}

impl<const STATUS: u16, const ALSO: u16> Responder for Reply<STATUS, ALSO> {
    type Body = BoxBody;

    fn respond_to(self, _: &HttpRequest) -> HttpResponse {
        self.0
    }
}

impl<const STATUS: u16, const ALSO: u16> Apiv2Schema for Reply<STATUS, ALSO> {}

impl<const STATUS: u16, const ALSO: u16> OperationModifier for Reply<STATUS, ALSO> {
    fn update_response(op: &mut DefaultOperationRaw) {
        for code in [STATUS, ALSO].into_iter().filter(|c| *c != 0) {
            op.responses.insert(
                code.to_string(),
                Either::Right(Response {
                    description: status(code).canonical_reason().map(str::to_owned),
                    ..Default::default()
                }),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_status_is_the_type_and_the_document() {
        assert_eq!(Reply::<201>::json(1).into_response().status().as_u16(), 201);
        assert_eq!(Reply::<204>::empty().into_response().status().as_u16(), 204);
        assert_eq!(
            Reply::<201, 200>::also_json(1)
                .into_response()
                .status()
                .as_u16(),
            200
        );
        let mut op = DefaultOperationRaw::default();
        <Reply<201, 200> as OperationModifier>::update_response(&mut op);
        let mut codes: Vec<&String> = op.responses.keys().collect();
        codes.sort();
        assert_eq!(codes, ["200", "201"]);
    }
}
