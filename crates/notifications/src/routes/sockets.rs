//! The WebSocket endpoints of API §10.2: the handshake is answered here, the socket lives in
//! `crate::realtime::socket`.

use crate::error::Result;
use crate::realtime::socket::{self, Watch};
use crate::AppState;
use actix_web::{HttpRequest, HttpResponse};
use hm_platform::auth::TokenVerifier;
use paperclip::actix::{api_v2_operation, web};
use uuid::Uuid;

/// `GET /ws/notifications/` (WebSocket): the caller's own messages, `user_{id}`.
#[api_v2_operation(skip)]
pub async fn notifications(
    state: web::Data<AppState>,
    verifier: web::Data<TokenVerifier>,
    req: HttpRequest,
    body: web::Payload,
) -> Result<HttpResponse> {
    let watch = Watch::Notifications;
    Ok(socket::open(&state.realtime, &verifier, &req, body, watch).await?)
}

/// `GET /ws/bookings/{booking_id}/` (WebSocket): a booking's messages, for its parties. A malformed
/// id is a booking nobody may follow: closed with 4003 like an unknown one.
#[api_v2_operation(skip)]
pub async fn booking(
    state: web::Data<AppState>,
    verifier: web::Data<TokenVerifier>,
    req: HttpRequest,
    body: web::Payload,
    booking_id: web::Path<String>,
) -> Result<HttpResponse> {
    let watch = Watch::Booking(Uuid::parse_str(&booking_id).unwrap_or(Uuid::nil()));
    Ok(socket::open(&state.realtime, &verifier, &req, body, watch).await?)
}
