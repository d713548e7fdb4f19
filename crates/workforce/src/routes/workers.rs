//! Worker profiles (API §5.2–5.6): create, `me`, read, update and delete by the owner or an admin, the
//! online toggle and the location update. Every write publishes its event through the outbox.

use super::fields::{AvailabilityBody, LocationBody, WorkerBody};
use super::path_id;
use crate::error::{Result, WorkforceError};
use crate::store::workers::{self, Editable, Worker, Write};
use crate::views::{worker_json, WorkerProfile};
use crate::AppState;
use actix_web::HttpRequest;
use diesel_async::AsyncPgConnection;
use hm_platform::auth::AuthUser;
use hm_platform::input::Valid;
use hm_platform::reply::NoBody;
use hm_platform::reply::Reply;
use hm_platform::telemetry::RequestId;
use paperclip::actix::{api_v2_operation, web, Apiv2Schema};
use serde::Serialize;

/// Create the caller's profile (API §5.2).
#[api_v2_operation(tags(Workers))]
pub async fn create(
    req: HttpRequest,
    state: web::Data<AppState>,
    auth: AuthUser,
    body: Valid<WorkerBody>,
) -> Result<Reply<WorkerProfile, 201>> {
    let Valid(WorkerBody(read)) = body;
    let fields = read.apply(&Editable::defaults());
    let write = Write {
        fields: &fields,
        skills: read.skills.as_deref(),
        verified: read.is_verified.filter(|_| auth.is_admin()),
        by_owner: true,
        snapshot: worker_json,
        correlation: RequestId::of(&req),
    };
    let mut conn = state.db.get().await?;
    let created = workers::create(&mut conn, uuid::Uuid::new_v4(), auth.id, write).await?;
    Ok(Reply::json(WorkerProfile::from(&created)))
}

/// The caller's profile (API §5.3).
#[api_v2_operation(tags(Workers))]
pub async fn me(state: web::Data<AppState>, auth: AuthUser) -> Result<Reply<WorkerProfile>> {
    let mut conn = state.db.get().await?;
    let worker = workers::by_user(&mut conn, auth.id)
        .await?
        .ok_or(WorkforceError::NotAWorker)?;
    Ok(Reply::json(WorkerProfile::from(&worker)))
}

/// A profile by id (public).
#[api_v2_operation(tags(Workers))]
pub async fn get(
    state: web::Data<AppState>,
    id: web::Path<String>,
) -> Result<Reply<WorkerProfile>> {
    let id = path_id(&id)?;
    let mut conn = state.db.get().await?;
    Ok(Reply::json(WorkerProfile::from(
        &workers::found(&mut conn, id).await?,
    )))
}

/// The profile `id` if the caller may change it (owner or admin).
async fn editable(conn: &mut AsyncPgConnection, auth: &AuthUser, id: &str) -> Result<Worker> {
    let current = workers::found(conn, path_id(id)?).await?;
    auth.require_owner_or_admin(current.user_id)?;
    Ok(current)
}

async fn change(
    req: &HttpRequest,
    state: &AppState,
    auth: &AuthUser,
    id: &str,
    body: WorkerBody,
    full: bool,
) -> Result<Reply<WorkerProfile>> {
    let mut conn = state.db.get().await?;
    let current = editable(&mut conn, auth, id).await?;
    let WorkerBody(read) = body;
    let base = if full {
        Editable::defaults()
    } else {
        Editable::of(&current)
    };
    let fields = read.apply(&base);
    let write = Write {
        fields: &fields,
        skills: read.skills.as_deref(),
        // Read-only for everyone but admins (API §1.2: ignored when others send it).
        verified: read.is_verified.filter(|_| auth.is_admin()),
        by_owner: auth.id == current.user_id,
        snapshot: worker_json,
        correlation: RequestId::of(req),
    };
    let changed = workers::change(&mut conn, current.id, current.user_id, write).await?;
    Ok(Reply::json(WorkerProfile::from(&changed)))
}

/// Replace a profile (owner or admin); an admin may also set `is_verified`, which a replacement without
/// it keeps. The owner's own edit counts as activity (`last_seen`).
#[api_v2_operation(tags(Workers))]
pub async fn replace(
    req: HttpRequest,
    state: web::Data<AppState>,
    auth: AuthUser,
    id: web::Path<String>,
    body: Valid<WorkerBody>,
) -> Result<Reply<WorkerProfile>> {
    change(&req, &state, &auth, &id, body.0, true).await
}

/// Change some fields of a profile (owner or admin); an admin may also set `is_verified` (the back
/// office's verification, DOMAIN §3.1). The owner's own edit counts as activity (`last_seen`).
#[api_v2_operation(tags(Workers))]
pub async fn update(
    req: HttpRequest,
    state: web::Data<AppState>,
    auth: AuthUser,
    id: web::Path<String>,
    body: Valid<WorkerBody>,
) -> Result<Reply<WorkerProfile>> {
    change(&req, &state, &auth, &id, body.0, false).await
}

/// Delete a profile (owner or admin); identity learns it through `workforce.worker.deleted`.
#[api_v2_operation(tags(Workers))]
pub async fn delete(
    req: HttpRequest,
    state: web::Data<AppState>,
    auth: AuthUser,
    id: web::Path<String>,
) -> Result<Reply<NoBody, 204>> {
    let mut conn = state.db.get().await?;
    let current = editable(&mut conn, &auth, &id).await?;
    workers::remove(&mut conn, current.id, current.user_id, RequestId::of(&req)).await?;
    Ok(Reply::empty())
}

/// The caller's own profile, else 404.
async fn own(conn: &mut AsyncPgConnection, auth: &AuthUser) -> Result<Worker> {
    workers::by_user(conn, auth.id)
        .await?
        .ok_or(WorkforceError::NoWorkerProfile)
}

/// The answer of the online toggle.
#[derive(Debug, Serialize, Apiv2Schema)]
pub struct AvailabilityChanged {
    /// Always `success`.
    pub status: String,
    pub is_available: bool,
    /// ISO 8601 in UTC, e.g. `2026-11-24T10:15:30.123456+00:00`.
    pub availability_updated_at: String,
}

/// The online toggle (API §5.5).
#[api_v2_operation(tags(Workers))]
pub async fn availability(
    req: HttpRequest,
    state: web::Data<AppState>,
    auth: AuthUser,
    body: Valid<AvailabilityBody>,
) -> Result<Reply<AvailabilityChanged>> {
    let available = body.is_available;
    let mut conn = state.db.get().await?;
    let worker = own(&mut conn, &auth).await?;
    let correlation = RequestId::of(&req);
    let at =
        workers::toggle_availability(&mut conn, worker.id, worker.user_id, available, correlation)
            .await?;
    Ok(Reply::json(AvailabilityChanged {
        status: "success".into(),
        is_available: available,
        availability_updated_at: at.to_rfc3339_opts(chrono::SecondsFormat::AutoSi, false),
    }))
}

/// A position in decimal degrees.
#[derive(Debug, Serialize, Apiv2Schema)]
pub struct Location {
    pub lat: f64,
    pub lng: f64,
}

/// The answer of the location update.
#[derive(Debug, Serialize, Apiv2Schema)]
pub struct LocationChanged {
    /// Always `success`.
    pub status: String,
    /// The position as stored (six decimal places).
    pub location: Location,
}

/// The worker's position (API §5.6); announced (`workforce.worker.location_updated`) for jobs' emergency
/// dispatch.
#[api_v2_operation(tags(Workers))]
pub async fn location(
    req: HttpRequest,
    state: web::Data<AppState>,
    auth: AuthUser,
    body: Valid<LocationBody>,
) -> Result<Reply<LocationChanged>> {
    let mut conn = state.db.get().await?;
    let worker = own(&mut conn, &auth).await?;
    let correlation = RequestId::of(&req);
    let (lat, lng) =
        workers::set_location(&mut conn, worker.id, &body.lat, &body.lng, correlation).await?;
    Ok(Reply::json(LocationChanged {
        status: "success".into(),
        location: Location { lat, lng },
    }))
}
