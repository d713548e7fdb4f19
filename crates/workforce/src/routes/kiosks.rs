//! Attendance kiosks: registered by a contractor or an admin with a secret device token (shown once,
//! stored as its SHA-256), which the kiosk presents as `X-Kiosk-Token` on every attendance call: the daily
//! "biometric stub" mark (API §5.17–5.18) and check-in / check-out with the distance from the kiosk.

use crate::domain::geo::{self, Point};
use crate::error::{Result, WorkforceError};
use crate::events;
use crate::store::contractors;
use crate::store::kiosks::{self, Kiosk, Log, NewKiosk};
use crate::AppState;
use actix_web::http::StatusCode;
use actix_web::HttpRequest;
use chrono::NaiveDate;
use diesel_async::scoped_futures::ScopedFutureExt;
use diesel_async::{AsyncConnection, AsyncPgConnection};
use hm_contracts::events::types;
use hm_platform::auth::AuthUser;
use hm_platform::events::enqueue;
use hm_platform::input::numbers::parse_decimal;
use hm_platform::input::Query;
use hm_platform::input::{Decimal, FromInput, Input, Text, Valid};
use hm_platform::reply::Reply;
use hm_platform::telemetry::RequestId;
use hm_platform::ApiError;
use paperclip::actix::{api_v2_operation, web, Apiv2Schema};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use uuid::Uuid;

pub(crate) fn token_hash(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

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

/// The kiosk a call comes from: its id and `X-Kiosk-Token` must match an active kiosk, else 401.
async fn authenticate(
    conn: &mut AsyncPgConnection,
    req: &HttpRequest,
    kiosk_id: Uuid,
) -> Result<Kiosk> {
    let refused = || ApiError::detail(StatusCode::UNAUTHORIZED, "Invalid kiosk credentials.");
    let token = req
        .headers()
        .get("x-kiosk-token")
        .and_then(|v| v.to_str().ok())
        .ok_or_else(refused)?;
    let kiosk = kiosks::by_id(conn, kiosk_id)
        .await?
        .filter(|k| k.is_active)
        .ok_or_else(refused)?;
    let presented = token_hash(token);
    // Equal-time comparison of the two digests.
    let differs = presented
        .bytes()
        .zip(kiosk.token_hash.bytes())
        .fold(presented.len() ^ kiosk.token_hash.len(), |acc, (a, b)| {
            acc | usize::from(a ^ b)
        });
    if differs != 0 {
        return Err(refused().into());
    }
    Ok(kiosk)
}

/// 404 `{"detail":"Worker not found"}` unless `worker` is a user this service knows (from identity's
/// events): a kiosk must not record attendance for nobody, which dashboards would count as present.
async fn require_worker(conn: &mut AsyncPgConnection, worker: Uuid) -> Result<()> {
    if crate::store::refs::user_exists(conn, worker).await? {
        Ok(())
    } else {
        Err(ApiError::detail(StatusCode::NOT_FOUND, "Worker not found").into())
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

/// Register a kiosk; the answer carries its `device_token`, shown this once.
#[api_v2_operation(tags(Attendance))]
pub async fn register(
    state: web::Data<AppState>,
    auth: AuthUser,
    body: Valid<KioskBody>,
) -> Result<Reply<RegisteredKiosk, 201>> {
    let mut conn = state.db.get().await?;
    let own = contractors::by_user(&mut conn, auth.id).await?;
    let contractor = match (auth.is_admin(), body.contractor, own) {
        (true, Some(id), _) => Some(
            contractors::by_id(&mut conn, id)
                .await?
                .ok_or_else(|| ApiError::invalid_pk("contractor", id))?
                .id,
        ),
        (true, None, own) => own.map(|c| c.id),
        (false, _, Some(own)) => Some(own.id),
        (false, _, None) => return Err(ApiError::forbidden().into()),
    };
    if let Some(site) = body.site_id {
        let ok = crate::store::sites::by_id(&mut conn, site)
            .await?
            .is_some_and(|s| auth.is_admin() || Some(s.contractor_id) == contractor);
        if !ok {
            return Err(ApiError::invalid_pk("site_id", site).into());
        }
    }
    let token = hex::encode(rand::random::<[u8; 32]>());
    let id = Uuid::new_v4();
    let hash = token_hash(&token);
    let new = NewKiosk {
        contractor_id: contractor,
        site_id: body.site_id,
        device_uuid: &body.device_uuid,
        location_name: &body.location_name,
        address: &body.address,
        latitude: body.latitude.as_deref(),
        longitude: body.longitude.as_deref(),
        geofence_radius_m: body.geofence_radius_m.unwrap_or(200),
        token_hash: &hash,
    };
    kiosks::insert(&mut conn, id, &new).await?;
    let kiosk = kiosks::by_id(&mut conn, id)
        .await?
        .ok_or_else(|| ApiError::no_match("Kiosk"))?;
    Ok(Reply::json(RegisteredKiosk {
        kiosk: KioskView::from(&kiosk),
        device_token: token,
    }))
}

/// The caller's kiosks (all, for an admin).
#[api_v2_operation(tags(Attendance))]
pub async fn list(state: web::Data<AppState>, auth: AuthUser) -> Result<Reply<Vec<KioskView>>> {
    let mut conn = state.db.get().await?;
    let scope = if auth.is_admin() {
        None
    } else {
        Some(
            contractors::by_user(&mut conn, auth.id)
                .await?
                .ok_or_else(ApiError::forbidden)?
                .id,
        )
    };
    let list = kiosks::list(&mut conn, scope).await?;
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

impl From<&kiosks::Mark> for KioskAttendance {
    fn from(m: &kiosks::Mark) -> Self {
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
        return Err(
            ApiError::detail(StatusCode::FORBIDDEN, "Biometric stub is not enabled").into(),
        );
    }
    let mut conn = state.db.get().await?;
    let kiosk = authenticate(&mut conn, &req, body.kiosk_id).await?;
    require_worker(&mut conn, body.worker_id).await?;
    let today = chrono::Utc::now().date_naive();
    let (mark, created) = kiosks::mark(
        &mut conn,
        body.worker_id,
        kiosk.id,
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

/// A kiosk's attendance on a day (API §5.18); an unreadable date is an empty list, as in the reference.
#[api_v2_operation(tags(Attendance))]
pub async fn day(
    state: web::Data<AppState>,
    _auth: AuthUser,
    kiosk: web::Path<String>,
    query: Query<DateQuery>,
) -> Result<Reply<Vec<KioskAttendance>>> {
    let kiosk = Uuid::parse_str(&kiosk).map_err(|_| ApiError::not_found())?;
    let date = match query
        .date
        .as_deref()
        .map(str::trim)
        .filter(|d| !d.is_empty())
    {
        None => chrono::Utc::now().date_naive(),
        Some(d) => match hm_platform::time::parse_date(d) {
            Some(d) => d,
            None => return Ok(Reply::json(Vec::new())),
        },
    };
    let mut conn = state.db.get().await?;
    let marks = kiosks::day(&mut conn, kiosk, date).await?;
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
    let mut pooled = state.db.get().await?;
    let conn: &mut AsyncPgConnection = &mut pooled;
    let kiosk = authenticate(conn, &req, body.kiosk_id).await?;
    require_worker(conn, body.worker_id).await?;
    let distance = match (
        kiosk.latitude.zip(kiosk.longitude),
        body.latitude.zip(body.longitude),
    ) {
        (Some((klat, klng)), Some((lat, lng))) => {
            match (Point::new(klat, klng), Point::new(lat, lng)) {
                (Some(a), Some(b)) => Some(geo::haversine_km(a, b) * 1000.0),
                _ => None,
            }
        }
        _ => None,
    };
    let (worker, kiosk_id, correlation) = (body.worker_id, kiosk.id, RequestId::of(&req));
    let log = conn
        .transaction(|conn| {
            async move {
                let log = kiosks::check_in(conn, worker, kiosk_id, distance)
                    .await?
                    .ok_or_else(|| {
                        ApiError::error(StatusCode::BAD_REQUEST, "Worker is already checked in.")
                    })?;
                enqueue(
                    conn,
                    events::attendance(types::ATTENDANCE_CHECKED_IN, &log, correlation),
                )
                .await?;
                Ok::<_, WorkforceError>(log)
            }
            .scope_boxed()
        })
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
    let mut pooled = state.db.get().await?;
    let conn: &mut AsyncPgConnection = &mut pooled;
    let kiosk = authenticate(conn, &req, body.kiosk_id).await?;
    let (worker, correlation) = (body.worker_id, RequestId::of(&req));
    let log = conn
        .transaction(|conn| {
            async move {
                let log = kiosks::check_out(conn, worker).await?.ok_or_else(|| {
                    ApiError::error(StatusCode::BAD_REQUEST, "Worker is not checked in.")
                })?;
                enqueue(
                    conn,
                    events::attendance(types::ATTENDANCE_CHECKED_OUT, &log, correlation),
                )
                .await?;
                Ok::<_, WorkforceError>(log)
            }
            .scope_boxed()
        })
        .await?;
    Ok(Reply::json(check_view(&log, &kiosk)))
}
