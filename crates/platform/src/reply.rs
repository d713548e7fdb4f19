//! A handler's success answer, with its body type and status in its type (issues #15, #17): the OpenAPI
//! document then lists, for every operation, the status it answers with and the schema of that body, so a
//! client generated from it knows what success looks like, and the fuzzer's `status_code_conformance`
//! and `response_schema_conformance` hold the service to it.
//!
//! `Reply<Worker>` is a 200 with a `Worker`; `Reply<Worker, 201>` a 201; `Reply<Device, 201, 200>` an
//! operation with a second success status (a new device, or one already known); `Reply<NoBody, 204>`
//! a response without a body.

use actix_web::body::BoxBody;
use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, HttpResponseBuilder, Responder};
use paperclip::actix::OperationModifier;
use paperclip::v2::models::{DefaultOperationRaw, DefaultSchemaRaw, Either, Response};
use paperclip::v2::schema::Apiv2Schema;
use serde::Serialize;
use std::borrow::Borrow;
use std::collections::BTreeMap;
use std::marker::PhantomData;

/// A success response whose status is `STATUS` (or `ALSO`, when not 0) and whose body is a `T`.
#[derive(Debug)]
pub struct Reply<T, const STATUS: u16 = 200, const ALSO: u16 = 0>(
    HttpResponse,
    PhantomData<fn() -> T>,
);

/// The body of a response that has none (204, 205).
#[derive(Debug)]
pub struct NoBody;

impl Apiv2Schema for NoBody {}

fn status(code: u16) -> StatusCode {
    StatusCode::from_u16(code).unwrap_or(StatusCode::OK)
}

impl<T, const STATUS: u16, const ALSO: u16> Reply<T, STATUS, ALSO> {
    fn new(response: HttpResponse) -> Self {
        Reply(response, PhantomData)
    }

    /// `STATUS` with `body` (a `T` or a `&T`) as JSON.
    pub fn json(body: impl Borrow<T>) -> Self
    where
        T: Serialize,
    {
        Self::new(HttpResponse::build(status(STATUS)).json(body.borrow()))
    }

    /// `STATUS` without a body (204, 205, 304).
    pub fn empty() -> Self {
        Self::new(HttpResponse::build(status(STATUS)).finish())
    }

    /// `STATUS` when `first` (a new row: 201), else `ALSO` (the row existed: 200), with `body` as JSON.
    pub fn json_when(first: bool, body: impl Borrow<T>) -> Self
    where
        T: Serialize,
    {
        let code = if first { STATUS } else { ALSO };
        Self::new(HttpResponse::build(status(code)).json(body.borrow()))
    }

    /// `ALSO`, the operation's second success status, with `body` as JSON.
    pub fn also_json(body: impl Borrow<T>) -> Self
    where
        T: Serialize,
    {
        Self::new(HttpResponse::build(status(ALSO)).json(body.borrow()))
    }

    /// `STATUS` built with headers or a body already encoded (CSV, a cached document, a file): `build`
    /// gets the builder and finishes it; the bytes must be what `T` documents.
    pub fn build(build: impl FnOnce(&mut HttpResponseBuilder) -> HttpResponse) -> Self {
        Self::new(build(&mut HttpResponse::build(status(STATUS))))
    }

    /// `ALSO` built as [`Reply::build`] does.
    pub fn also_build(build: impl FnOnce(&mut HttpResponseBuilder) -> HttpResponse) -> Self {
        Self::new(build(&mut HttpResponse::build(status(ALSO))))
    }

    /// The response as actix sends it.
    pub fn into_response(self) -> HttpResponse {
        self.0
    }
}

impl<T, const STATUS: u16, const ALSO: u16> Responder for Reply<T, STATUS, ALSO> {
    type Body = BoxBody;

    fn respond_to(self, _: &HttpRequest) -> HttpResponse {
        self.0
    }
}

impl<T, const STATUS: u16, const ALSO: u16> Apiv2Schema for Reply<T, STATUS, ALSO> {}

/// The documented schema of a `T` body: a reference to its definition, or its inline schema; none for
/// a type that documents nothing ([`NoBody`]).
fn body_schema<T: Apiv2Schema>() -> Option<DefaultSchemaRaw> {
    let mut schema = T::schema_with_ref();
    schema.retain_ref();
    let documented = schema.reference.is_some()
        || schema.data_type.is_some()
        || !schema.properties.is_empty()
        || schema.items.is_some();
    documented.then_some(schema)
}

impl<T: Apiv2Schema, const STATUS: u16, const ALSO: u16> OperationModifier
    for Reply<T, STATUS, ALSO>
{
    fn update_response(op: &mut DefaultOperationRaw) {
        for code in [STATUS, ALSO].into_iter().filter(|c| *c != 0) {
            // Only a 2xx carries the body; a 304 says "as you have it".
            let schema = (200..300).contains(&code).then(body_schema::<T>).flatten();
            op.responses.insert(
                code.to_string(),
                Either::Right(Response {
                    description: status(code).canonical_reason().map(str::to_owned),
                    schema,
                    ..Default::default()
                }),
            );
        }
    }

    fn update_definitions(map: &mut BTreeMap<String, DefaultSchemaRaw>) {
        // The named type is defined; an unnamed array or map is looked through to the named type of
        // its items or values (as paperclip does for `Json<T>`, but a named map is defined itself).
        let mut schema = T::schema_with_ref();
        loop {
            if let Some(name) = schema.name.take() {
                schema.remove_refs();
                map.insert(name, schema);
                break;
            } else if let Some(items) = schema.items {
                schema = *items;
            } else if let Some(Either::Right(values)) = schema.extra_props {
                schema = *values;
            } else {
                break;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_status_is_the_type_and_the_document() {
        assert_eq!(
            Reply::<i32, 201>::json(1).into_response().status().as_u16(),
            201
        );
        assert_eq!(
            Reply::<NoBody, 204>::empty()
                .into_response()
                .status()
                .as_u16(),
            204
        );
        assert_eq!(
            Reply::<i32, 201, 200>::also_json(1)
                .into_response()
                .status()
                .as_u16(),
            200
        );
        let mut op = DefaultOperationRaw::default();
        <Reply<i32, 201, 200> as OperationModifier>::update_response(&mut op);
        let mut codes: Vec<&String> = op.responses.keys().collect();
        codes.sort();
        assert_eq!(codes, ["200", "201"]);
        let documented = |op: &DefaultOperationRaw, code: &str| match op.responses.get(code) {
            Some(Either::Right(r)) => r.schema.is_some(),
            _ => false,
        };
        assert!(documented(&op, "201") && documented(&op, "200"));

        let mut op = DefaultOperationRaw::default();
        <Reply<NoBody, 204> as OperationModifier>::update_response(&mut op);
        assert!(op.responses.contains_key("204") && !documented(&op, "204"));
        let mut op = DefaultOperationRaw::default();
        <Reply<i32, 200, 304> as OperationModifier>::update_response(&mut op);
        assert!(documented(&op, "200") && !documented(&op, "304"));
    }
}
