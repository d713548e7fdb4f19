//! Live tracking (API §7.7): the assigned worker (or an admin) posts where the worker is; the booking
//! keeps the last position and each one is announced (`jobs.booking.location_updated`: the booking's
//! timeline records it).

use crate::domain::tracking::{self, Position};
use crate::error::Result;
use crate::store::bookings::{self, Throttle};
use crate::AppState;
use actix_web::HttpRequest;
use chrono::{DateTime, Utc};
use hm_platform::auth::AuthUser;
use hm_platform::input::{FromInput, Input, Valid};
use hm_platform::reply::Reply;
use hm_platform::telemetry::RequestId;
use paperclip::actix::{api_v2_operation, web, Apiv2Schema};
use serde::Serialize;
use uuid::Uuid;

/// A live position as sent.
#[derive(Debug, Apiv2Schema)]
pub struct LocationBody {
    /// Degrees, −90 to 90.
    pub lat: f64,
    /// Degrees, −180 to 180.
    pub lng: f64,
    /// When the position was taken (ISO 8601; not in the future). Default: when it is received.
    pub timestamp: Option<DateTime<Utc>>,
}

impl FromInput for LocationBody {
    fn from_input(input: &mut Input) -> Option<Self> {
        let lat = input.float("lat", -90.0, 90.0);
        let lng = input.float("lng", -180.0, 180.0);
        let timestamp = match input.datetime("timestamp") {
            Some(None) => {
                input.error("timestamp", "This field may not be null.");
                None
            }
            sent => sent.flatten(),
        };
        if timestamp.is_some_and(|t| !tracking::timestamp_allowed(t, Utc::now())) {
            input.error("timestamp", tracking::FUTURE_TIMESTAMP);
        }
        Some(LocationBody {
            lat: lat?,
            lng: lng?,
            timestamp,
        })
    }
}

/// The position recorded.
#[derive(Debug, Serialize, Apiv2Schema)]
pub struct TrackedLocation {
    pub lat: f64,
    pub lng: f64,
    /// ISO 8601 in the platform's time zone.
    pub timestamp: String,
}

/// What a recorded position answers.
#[derive(Debug, Serialize, Apiv2Schema)]
pub struct LocationUpdated {
    /// `success`.
    pub status: &'static str,
    /// `Location updated`.
    pub message: &'static str,
    pub booking_id: Uuid,
    pub location: TrackedLocation,
}

/// Posts the worker's live position on a booking (the assigned worker or an admin; one per booking and
/// user every 2 s).
#[api_v2_operation(tags(Bookings))]
pub async fn post(
    req: HttpRequest,
    state: web::Data<AppState>,
    auth: AuthUser,
    booking_id: web::Path<String>,
    body: Valid<LocationBody>,
) -> Result<Reply<LocationUpdated>> {
    let Valid(sent) = body;
    let at = Position {
        lat: sent.lat,
        lng: sent.lng,
        timestamp: sent.timestamp.unwrap_or_else(Utc::now),
    };
    let throttle = Throttle {
        redis: &state.redis,
        keys: &state.keys,
    };
    let mut conn = state.db.get().await?;
    let id = bookings::track(
        &mut conn,
        throttle,
        &auth,
        &booking_id,
        at,
        RequestId::of(&req),
    )
    .await?;
    Ok(Reply::json(LocationUpdated {
        status: "success",
        message: "Location updated",
        booking_id: id,
        location: TrackedLocation {
            lat: at.lat,
            lng: at.lng,
            timestamp: hm_platform::time::render(at.timestamp),
        },
    }))
}
