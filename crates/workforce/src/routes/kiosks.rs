//! Attendance kiosks: registered by a contractor or an admin with a secret device token (shown once,
//! stored as its SHA-256), which the kiosk presents as `X-Kiosk-Token` on every attendance call: the daily
//! "biometric stub" mark (API §5.17–5.18) and check-in / check-out with the distance from the kiosk.

use super::{caller, path_id};
use crate::domain::kiosks as rules;
use crate::error::{Result, WorkforceError};
use crate::store::kiosk_attendance::{self, Log, Presented};
use crate::store::kiosks::{self, Kiosk, NewKiosk};
use crate::AppState;
use actix_web::HttpRequest;
use chrono::NaiveDate;
use hm_platform::auth::AuthUser;
use hm_platform::input::numbers::parse_decimal;
use hm_platform::input::Query;
use hm_platform::input::{Decimal, FromInput, Input, Text, Valid};
use hm_platform::reply::Reply;
use hm_platform::telemetry::RequestId;
use paperclip::actix::{api_v2_operation, web, Apiv2Schema};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// An attendance kiosk as the API shows it (never its token).
#[derive(Debug, Serialize, Apiv2Schema)]
pub struct KioskView {
    pub id: Uuid,
    /// The contractor profile it belongs to.
    pub contractor: Option<Uuid>,
    pub site: Option<Uuid>,
    /// The device's hardware id.
    pub device_uuid: String,
    pub location_name: String,
    pub address: String,
    /// Six decimal places as a string, e.g. `"26.846700"`.
    pub latitude: Option<String>,
    pub longitude: Option<String>,
    /// Metres.
    pub geofence_radius_m: i32,
    pub is_active: bool,
    /// ISO 8601 in the platform's time zone.
    pub created_at: String,
}

impl From<&Kiosk> for KioskView {
    fn from(k: &Kiosk) -> Self {
        KioskView {
            id: k.id,
            contractor: k.contractor_id,
            site: k.site_id,
            device_uuid: k.device_uuid.clone(),
            location_name: k.location_name.clone(),
            address: k.address.clone(),
            latitude: k.latitude.map(|v| format!("{v:.6}")),
            longitude: k.longitude.map(|v| format!("{v:.6}")),
            geofence_radius_m: k.geofence_radius_m,
            is_active: k.is_active,
            created_at: hm_platform::time::render(k.created_at),
        }
    }
}

/// A kiosk just registered, with its device token (shown this once).
#[derive(Debug, Serialize, Apiv2Schema)]
pub struct RegisteredKiosk {
    #[serde(flatten)]
    pub kiosk: KioskView,
    /// The secret the kiosk presents as `X-Kiosk-Token`: 64 hex digits.
    pub device_token: String,
}

/// The kiosk a call says it comes from: its id and its `X-Kiosk-Token` (checked by the store).
fn presented(req: &HttpRequest, kiosk: Uuid) -> Presented<'_> {
    Presented {
        kiosk,
        token: req
            .headers()
            .get("x-kiosk-token")
            .and_then(|v| v.to_str().ok()),
    }
}

/// `POST /api/v1/kiosks/`
#[derive(Debug, Apiv2Schema)]
pub struct KioskBody {
    /// The device's hardware id, unique, e.g. `KIOSK_001`.
    pub device_uuid: String,
    pub location_name: String,
    pub address: String,
    pub latitude: Option<String>,
    pub longitude: Option<String>,
    /// Metres, 10–10000 (default 200).
    pub geofence_radius_m: Option<i32>,
    /// One of the contractor's sites.
    pub site_id: Option<Uuid>,
    /// Admins only: the contractor profile.
    pub contractor: Option<Uuid>,
}

impl FromInput for KioskBody {
    fn from_input(input: &mut Input) -> Option<Self> {
        let device_uuid = input.text("device_uuid", Text::required(100));
        let location_name = input.text("location_name", Text::required(200));
        let address = input
            .text("address", Text::optional(2_000))
            .unwrap_or_default();
        let latitude = input
            .nullable_decimal("latitude", Decimal::LATITUDE)
            .flatten();
        let longitude = input
            .nullable_decimal("longitude", Decimal::LONGITUDE)
            .flatten();
        if latitude.is_some() != longitude.is_some() {
            input.error("non_field_errors", "Send latitude and longitude together.");
        }
        Some(KioskBody {
            geofence_radius_m: input
                .int("geofence_radius_m", false, 10, 10_000)
                .map(|n| n as i32),
            site_id: input.uuid("site_id", false),
            contractor: input.uuid("contractor", false),
            device_uuid: device_uuid?,
            location_name: location_name?,
            address,
            latitude,
            longitude,
        })
    }
}

impl KioskBody {
    /// The kiosk to store, its token's hash `hash` (the store decides its contractor).
    fn new_kiosk<'a>(&'a self, hash: &'a str) -> NewKiosk<'a> {
        NewKiosk {
            contractor_id: None,
            site_id: self.site_id,
            device_uuid: &self.device_uuid,
            location_name: &self.location_name,
            address: &self.address,
            latitude: self.latitude.as_deref(),
            longitude: self.longitude.as_deref(),
            geofence_radius_m: self.geofence_radius_m.unwrap_or(200),
            token_hash: hash,
        }
    }
}

/// Register a kiosk; the answer carries its `device_token`, shown this once.
#[api_v2_operation(tags(Attendance))]
pub async fn register(
    state: web::Data<AppState>,
    auth: AuthUser,
    body: Valid<KioskBody>,
) -> Result<Reply<RegisteredKiosk, 201>> {
    let token = rules::new_token();
    let hash = rules::token_hash(&token);
    let mut conn = state.db.get().await?;
    let new = body.new_kiosk(&hash);
    let kiosk = kiosks::register(&mut conn, caller(&auth), body.contractor, new).await?;
    Ok(Reply::json(RegisteredKiosk {
        kiosk: KioskView::from(&kiosk),
        device_token: token,
    }))
}

/// The caller's kiosks (all, for an admin).
#[api_v2_operation(tags(Attendance))]
pub async fn list(state: web::Data<AppState>, auth: AuthUser) -> Result<Reply<Vec<KioskView>>> {
    let mut conn = state.db.get().await?;
    let list = kiosks::visible(&mut conn, caller(&auth)).await?;
    Ok(Reply::json(
        list.iter().map(KioskView::from).collect::<Vec<_>>(),
    ))
}

/// A worker's daily kiosk attendance (API §5.17).
#[derive(Debug, Serialize, Apiv2Schema)]
pub struct KioskAttendance {
    pub id: Uuid,
    /// The worker's user id.
    pub worker: Uuid,
    pub worker_phone: String,
    /// `null` once the kiosk is deleted.
    pub kiosk: Option<Uuid>,
    /// The kiosk's location name.
    pub kiosk_name: Option<String>,
    /// `stub` or `biometric`.
    pub method: String,
    pub device_id: Option<String>,
    /// `YYYY-MM-DD` (UTC).
    pub date: NaiveDate,
    /// ISO 8601 in the platform's time zone.
    pub timestamp: String,
    pub created_at: String,
}

impl From<&kiosk_attendance::Mark> for KioskAttendance {
    fn from(m: &kiosk_attendance::Mark) -> Self {
        KioskAttendance {
            id: m.id,
            worker: m.worker_id,
            worker_phone: m.worker_phone.clone(),
            kiosk: m.kiosk_id,
            kiosk_name: m.kiosk_name.clone(),
            method: m.method.clone(),
            device_id: m.device_id.clone(),
            date: m.date,
            timestamp: hm_platform::time::render(m.timestamp),
            created_at: hm_platform::time::render(m.created_at),
        }
    }
}

/// `POST /api/v1/attendance/kiosk/`
#[derive(Debug, Apiv2Schema)]
pub struct StubBody {
    /// The worker's user id.
    pub worker_id: Uuid,
    pub device_id: Option<String>,
    pub kiosk_id: Uuid,
}

impl FromInput for StubBody {
    fn from_input(input: &mut Input) -> Option<Self> {
        let worker_id = input.uuid("worker_id", true);
        let device_id = input.text("device_id", Text::optional(64));
        let kiosk_id = input.uuid("kiosk_id", true);
        Some(StubBody {
            worker_id: worker_id?,
            device_id,
            kiosk_id: kiosk_id?,
        })
    }
}

/// The day's attendance of a worker at this kiosk (API §5.17); 201 new, 200 re-marked.
#[api_v2_operation(tags(Attendance))]
pub async fn mark(
    req: HttpRequest,
    state: web::Data<AppState>,
    body: Valid<StubBody>,
) -> Result<Reply<KioskAttendance, 201, 200>> {
    if !state.biometric_stub {
        return Err(WorkforceError::BiometricStubDisabled);
    }
    let today = chrono::Utc::now().date_naive();
    let at = presented(&req, body.kiosk_id);
    let mut conn = state.db.get().await?;
    let (mark, created) = kiosk_attendance::stub_mark(
        &mut conn,
        at,
        body.worker_id,
        body.device_id.as_deref(),
        today,
    )
    .await?;
    Ok(Reply::json_when(created, KioskAttendance::from(&mark)))
}

#[derive(Debug, Deserialize, Apiv2Schema)]
pub struct DateQuery {
    pub date: Option<String>,
}

impl DateQuery {
    /// The day asked for, default today (UTC); `None` when unreadable.
    fn day(&self) -> Option<NaiveDate> {
        match self
            .date
            .as_deref()
            .map(str::trim)
            .filter(|d| !d.is_empty())
        {
            None => Some(chrono::Utc::now().date_naive()),
            Some(d) => hm_platform::time::parse_date(d),
        }
    }
}

/// A kiosk's attendance on a day (API §5.18); an unreadable date is an empty list, as in the reference.
#[api_v2_operation(tags(Attendance))]
pub async fn day(
    state: web::Data<AppState>,
    _auth: AuthUser,
    kiosk: web::Path<String>,
    query: Query<DateQuery>,
) -> Result<Reply<Vec<KioskAttendance>>> {
    let kiosk = path_id(&kiosk)?;
    let Some(date) = query.day() else {
        return Ok(Reply::json(Vec::new()));
    };
    let mut conn = state.db.get().await?;
    let marks = kiosk_attendance::day(&mut conn, kiosk, date).await?;
    Ok(Reply::json(
        marks.iter().map(KioskAttendance::from).collect::<Vec<_>>(),
    ))
}

/// `POST /api/v1/attendance/kiosk/check-in/` and `check-out/`
#[derive(Debug, Apiv2Schema)]
pub struct CheckBody {
    /// The worker's user id.
    pub worker_id: Uuid,
    pub kiosk_id: Uuid,
    /// Where the check happened, if the kiosk knows (for the geofence distance).
    pub latitude: Option<f64>,
    pub longitude: Option<f64>,
}

impl FromInput for CheckBody {
    fn from_input(input: &mut Input) -> Option<Self> {
        let worker_id = input.uuid("worker_id", true);
        let kiosk_id = input.uuid("kiosk_id", true);
        let latitude = input
            .nullable_decimal("latitude", Decimal::LATITUDE)
            .flatten()
            .and_then(|v| parse_decimal(&v));
        let longitude = input
            .nullable_decimal("longitude", Decimal::LONGITUDE)
            .flatten()
            .and_then(|v| parse_decimal(&v));
        Some(CheckBody {
            worker_id: worker_id?,
            kiosk_id: kiosk_id?,
            latitude,
            longitude,
        })
    }
}

/// A check-in at a kiosk, and its check-out once there.
#[derive(Debug, Serialize, Apiv2Schema)]
pub struct KioskCheck {
    pub id: Uuid,
    /// The worker's user id.
    pub worker: Uuid,
    pub kiosk: Uuid,
    /// The kiosk's location name.
    pub kiosk_name: String,
    /// ISO 8601 in the platform's time zone.
    pub check_in: String,
    pub check_out: Option<String>,
    /// Hours between check-in and check-out, two decimals; `null` until checked out.
    pub duration_hours: Option<f64>,
    /// Metres from the kiosk at check-in, rounded; `null` when either position is unknown.
    pub distance_m: Option<f64>,
    /// Whether that distance is within the kiosk's geofence; `null` without a distance.
    pub within_geofence: Option<bool>,
}

fn check_view(log: &Log, kiosk: &Kiosk) -> KioskCheck {
    let duration = log.check_out.map(|out| {
        ((out - log.check_in).num_milliseconds() as f64 / 3_600_000.0 * 100.0).round() / 100.0
    });
    KioskCheck {
        id: log.id,
        worker: log.worker_id,
        kiosk: log.kiosk_id,
        kiosk_name: kiosk.location_name.clone(),
        check_in: hm_platform::time::render(log.check_in),
        check_out: log.check_out.map(hm_platform::time::render),
        duration_hours: duration,
        distance_m: log.distance_m.map(|d| d.round()),
        within_geofence: log
            .distance_m
            .map(|d| d <= f64::from(kiosk.geofence_radius_m)),
    }
}

/// Check a worker in at this kiosk; a worker already checked in anywhere → 400.
#[api_v2_operation(tags(Attendance))]
pub async fn check_in(
    req: HttpRequest,
    state: web::Data<AppState>,
    body: Valid<CheckBody>,
) -> Result<Reply<KioskCheck, 201>> {
    let position = body.latitude.zip(body.longitude);
    let at = presented(&req, body.kiosk_id);
    let mut conn = state.db.get().await?;
    let (log, kiosk) =
        kiosk_attendance::check_in(&mut conn, at, body.worker_id, position, RequestId::of(&req))
            .await?;
    Ok(Reply::json(check_view(&log, &kiosk)))
}

/// Check a worker out; one who is not checked in → 400.
#[api_v2_operation(tags(Attendance))]
pub async fn check_out(
    req: HttpRequest,
    state: web::Data<AppState>,
    body: Valid<CheckBody>,
) -> Result<Reply<KioskCheck>> {
    let at = presented(&req, body.kiosk_id);
    let mut conn = state.db.get().await?;
    let (log, kiosk) =
        kiosk_attendance::check_out(&mut conn, at, body.worker_id, RequestId::of(&req)).await?;
    Ok(Reply::json(check_view(&log, &kiosk)))
}
