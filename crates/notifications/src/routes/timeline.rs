//! A booking's activity history (API §7.6): for its customer, its assigned worker and admins.

use crate::error::Result;
use crate::store::{refs, timeline};
use crate::AppState;
use actix_web::http::StatusCode;
use hm_platform::auth::AuthUser;
use hm_platform::reply::Reply;
use hm_platform::time::render;
use hm_platform::ApiError;
use paperclip::actix::{api_v2_operation, web};
use serde_json::json;
use uuid::Uuid;

/// Newest first.
#[api_v2_operation(tags(Bookings))]
pub async fn booking(
    state: web::Data<AppState>,
    auth: AuthUser,
    booking_id: web::Path<String>,
) -> Result<Reply<200>> {
    let id = Uuid::parse_str(&booking_id).map_err(|_| ApiError::not_found())?;
    let mut conn = state.db.get().await?;
    let booking = refs::booking(&mut conn, id)
        .await?
        .ok_or_else(|| ApiError::no_match("Booking"))?;
    let allowed =
        auth.is_admin() || booking.user_id == auth.id || booking.worker_user_id == Some(auth.id);
    if !allowed {
        return Err(ApiError::error(
            StatusCode::FORBIDDEN,
            "You do not have access to this booking timeline",
        )
        .into());
    }
    let events = timeline::of_booking(&mut conn, id).await?;
    let rendered: Vec<_> = events
        .iter()
        .map(|e| {
            json!({
                "id": e.id, "booking": e.booking_id, "job": e.job_id, "event_type": e.event_type,
                "actor_display": e.actor_display, "payload": e.payload, "created_at": render(e.created_at),
            })
        })
        .collect();
    Ok(Reply::json(
        json!({"booking_id": id, "count": rendered.len(), "events": rendered}),
    ))
}
