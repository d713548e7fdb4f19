//! A booking's activity history (API §7.6): for its customer, its assigned worker and admins.

use crate::domain::is_party;
use crate::error::{NotificationsError, Result};
use crate::store::timeline::TimelineEvent;
use crate::store::{refs, timeline};
use crate::AppState;
use hm_platform::auth::AuthUser;
use hm_platform::reply::Reply;
use hm_platform::time::render;
use paperclip::actix::{api_v2_operation, web, Apiv2Schema};
use serde::Serialize;
use serde_json::Value;
use uuid::Uuid;

/// One entry of a booking's activity history.
#[derive(Debug, Serialize, Apiv2Schema)]
pub struct TimelineEventBody {
    pub id: Uuid,
    pub booking: Option<Uuid>,
    pub job: Option<Uuid>,
    /// e.g. `booking_confirmed`, `payment_captured`, `custom`.
    pub event_type: String,
    /// Who did it, as shown to people (at most 255 characters).
    pub actor_display: String,
    /// What the event said (an object, free-form).
    pub payload: Value,
    /// ISO 8601 in the platform's time zone, e.g. `2026-01-03T16:20:05+05:30`.
    pub created_at: String,
}

impl From<&TimelineEvent> for TimelineEventBody {
    fn from(e: &TimelineEvent) -> Self {
        TimelineEventBody {
            id: e.id,
            booking: e.booking_id,
            job: e.job_id,
            event_type: e.event_type.clone(),
            actor_display: e.actor_display.clone(),
            payload: e.payload.clone(),
            created_at: render(e.created_at),
        }
    }
}

/// `GET /api/v1/bookings/{booking_id}/timeline/`
#[derive(Debug, Serialize, Apiv2Schema)]
pub struct BookingTimeline {
    pub booking_id: Uuid,
    /// How many events follow.
    pub count: usize,
    /// Newest first.
    pub events: Vec<TimelineEventBody>,
}

/// Newest first.
#[api_v2_operation(tags(Bookings))]
pub async fn booking(
    state: web::Data<AppState>,
    auth: AuthUser,
    booking_id: web::Path<String>,
) -> Result<Reply<BookingTimeline>> {
    let id = Uuid::parse_str(&booking_id).map_err(|_| NotificationsError::NotFound)?;
    let mut conn = state.db.get().await?;
    let booking = refs::booking(&mut conn, id)
        .await?
        .ok_or(NotificationsError::NoSuchBooking)?;
    if !is_party(
        booking.user_id,
        booking.worker_user_id,
        auth.id,
        auth.is_admin(),
    ) {
        return Err(NotificationsError::NotAParty);
    }
    let events = timeline::of_booking(&mut conn, id).await?;
    let events: Vec<TimelineEventBody> = events.iter().map(TimelineEventBody::from).collect();
    Ok(Reply::json(BookingTimeline {
        booking_id: id,
        count: events.len(),
        events,
    }))
}
