//! Worker profiles (API §5.2–5.6): create, `me`, read, update and delete by the owner or an admin, the
//! online toggle and the location update. Every write publishes its event through the outbox.

use super::fields::{AvailabilityBody, LocationBody, WorkerBody};
use crate::error::{Result, WorkforceError};
use crate::events;
use crate::store::skills;
use crate::store::workers::{self, Editable, Worker};
use crate::views::{worker_json, WorkerProfile};
use crate::AppState;
use actix_web::http::StatusCode;
use actix_web::HttpRequest;
use diesel_async::scoped_futures::ScopedFutureExt;
use diesel_async::{AsyncConnection, AsyncPgConnection};
use hm_platform::auth::AuthUser;
use hm_platform::error::FieldErrors;
use hm_platform::events::enqueue;
use hm_platform::input::numbers::parse_decimal;
use hm_platform::input::Valid;
use hm_platform::reply::NoBody;
use hm_platform::reply::Reply;
use hm_platform::telemetry::RequestId;
use hm_platform::ApiError;
use paperclip::actix::{api_v2_operation, web, Apiv2Schema};
use serde::Serialize;
use serde_json::Value;
use uuid::Uuid;

/// The profile as the events of other services carry it, read inside the writing transaction.
pub(crate) async fn snapshot(conn: &mut AsyncPgConnection, id: Uuid) -> Result<Option<Value>> {
    Ok(workers::by_id(conn, id).await?.as_ref().map(worker_json))
}

fn error(status: StatusCode, message: &str) -> WorkforceError {
    ApiError::error(status, message).into()
}

async fn load(state: &AppState, id: Uuid) -> Result<Worker> {
    let mut conn = state.db.get().await?;
    workers::by_id(&mut conn, id)
        .await?
        .ok_or_else(|| ApiError::no_match("WorkerProfile").into())
}

/// Gives the profile the skills `names` (after its current ones, or instead of them): a name a service
/// answers to links that service; any other is a new skill (DOMAIN §2.1), shown as written and announced
/// to catalog, which creates the service (`workforce.skill.requested` → `catalog.skill.resolved`), at
/// most [`skills::NEW_SKILLS_PER_DAY`] a day per user (else 400, nothing changed).
async fn set_skills(
    conn: &mut AsyncPgConnection,
    worker: Uuid,
    user: Uuid,
    names: &[String],
    replace: bool,
    correlation: Option<String>,
) -> Result<()> {
    let mut wanted: Vec<&String> = Vec::new();
    for name in names {
        let key = hm_contracts::skills::key(name);
        if !wanted.iter().any(|w| hm_contracts::skills::key(w) == key) {
            wanted.push(name);
        }
    }
    let owned: Vec<String> = wanted.iter().map(|n| (*n).clone()).collect();
    let found = hm_platform::projections::resolve_services(conn, &owned).await?;
    skills::lock_worker(conn, worker).await?;
    let mut asked = skills::asked_today(conn, user).await?;
    let new_keys = owned
        .iter()
        .zip(&found)
        .filter(|(_, id)| id.is_none())
        .map(|(name, _)| hm_contracts::skills::key(name));
    for key in new_keys {
        if !asked.contains(&key) {
            asked.push(key);
        }
    }
    if asked.len() > skills::NEW_SKILLS_PER_DAY {
        return Err(ApiError::fields(FieldErrors::single(
            "skills",
            format!(
                "At most {} new skills a day; choose from the listed services.",
                skills::NEW_SKILLS_PER_DAY
            ),
        ))
        .into());
    }
    if replace {
        skills::clear(conn, worker).await?;
    }
    let first = skills::next_position(conn, worker).await?;
    for (i, (name, service)) in owned.iter().zip(found).enumerate() {
        let position = first.saturating_add(i16::try_from(i).unwrap_or(i16::MAX));
        match service {
            Some(service) => skills::link(conn, worker, service, position).await?,
            None => {
                if let Some(request) = skills::request(conn, worker, user, name, position).await? {
                    enqueue(
                        conn,
                        events::skill_requested(request, worker, user, name, correlation.clone()),
                    )
                    .await?;
                }
            }
        }
    }
    Ok(())
}

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
    let id = Uuid::new_v4();
    let user_id = auth.id;
    let correlation = RequestId::of(&req);
    let mut conn = state.db.get().await?;
    let conn: &mut AsyncPgConnection = &mut conn;
    conn.transaction(|conn| {
        async move {
            // One profile per user: the unique constraint decides, and answers (store::CONSTRAINTS).
            workers::insert(conn, id, user_id, &fields).await?;
            if let Some(names) = &read.skills {
                set_skills(conn, id, user_id, names, false, correlation.clone()).await?;
            }
            let profile = snapshot(conn, id).await?;
            enqueue(
                conn,
                events::worker(
                    hm_contracts::events::types::WORKER_CREATED,
                    id,
                    user_id,
                    profile,
                    correlation,
                ),
            )
            .await?;
            Ok::<_, WorkforceError>(())
        }
        .scope_boxed()
    })
    .await?;
    Ok(Reply::json(WorkerProfile::from(&load(&state, id).await?)))
}

/// The caller's profile (API §5.3).
#[api_v2_operation(tags(Workers))]
pub async fn me(state: web::Data<AppState>, auth: AuthUser) -> Result<Reply<WorkerProfile>> {
    let mut conn = state.db.get().await?;
    let worker = workers::by_user(&mut conn, auth.id)
        .await?
        .ok_or_else(|| error(StatusCode::NOT_FOUND, "User is not a registered worker"))?;
    Ok(Reply::json(WorkerProfile::from(&worker)))
}

/// A profile by id (public).
#[api_v2_operation(tags(Workers))]
pub async fn get(
    state: web::Data<AppState>,
    id: web::Path<String>,
) -> Result<Reply<WorkerProfile>> {
    let id = Uuid::parse_str(&id).map_err(|_| ApiError::not_found())?;
    Ok(Reply::json(WorkerProfile::from(&load(&state, id).await?)))
}

async fn change(
    req: &HttpRequest,
    state: &AppState,
    auth: &AuthUser,
    id: &str,
    body: WorkerBody,
    full: bool,
) -> Result<Reply<WorkerProfile>> {
    let id = Uuid::parse_str(id).map_err(|_| ApiError::not_found())?;
    let current = load(state, id).await?;
    auth.require_owner_or_admin(current.user_id)?;
    let WorkerBody(read) = body;
    let base = if full {
        Editable::defaults()
    } else {
        Editable::of(&current)
    };
    let fields = read.apply(&base);
    let (user_id, correlation) = (current.user_id, RequestId::of(req));
    let mut conn = state.db.get().await?;
    let conn: &mut AsyncPgConnection = &mut conn;
    conn.transaction(|conn| {
        async move {
            workers::update(conn, id, &fields).await?;
            if let Some(names) = &read.skills {
                set_skills(conn, id, user_id, names, true, correlation.clone()).await?;
            }
            let profile = snapshot(conn, id).await?;
            enqueue(
                conn,
                events::worker(
                    hm_contracts::events::types::WORKER_UPDATED,
                    id,
                    user_id,
                    profile,
                    correlation,
                ),
            )
            .await?;
            Ok::<_, WorkforceError>(())
        }
        .scope_boxed()
    })
    .await?;
    Ok(Reply::json(WorkerProfile::from(&load(state, id).await?)))
}

/// Replace a profile (owner or admin).
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

/// Change some fields of a profile (owner or admin).
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
    let id = Uuid::parse_str(&id).map_err(|_| ApiError::not_found())?;
    let current = load(&state, id).await?;
    auth.require_owner_or_admin(current.user_id)?;
    let (user_id, correlation) = (current.user_id, RequestId::of(&req));
    let mut conn = state.db.get().await?;
    let conn: &mut AsyncPgConnection = &mut conn;
    conn.transaction(|conn| {
        async move {
            workers::delete(conn, id).await?;
            enqueue(
                conn,
                events::worker(
                    hm_contracts::events::types::WORKER_DELETED,
                    id,
                    user_id,
                    None,
                    correlation,
                ),
            )
            .await?;
            Ok::<_, WorkforceError>(())
        }
        .scope_boxed()
    })
    .await?;
    Ok(Reply::empty())
}

async fn own(state: &AppState, auth: &AuthUser) -> Result<Worker> {
    let mut conn = state.db.get().await?;
    workers::by_user(&mut conn, auth.id)
        .await?
        .ok_or_else(|| error(StatusCode::NOT_FOUND, "Worker profile not found"))
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
    let worker = own(&state, &auth).await?;
    let available = body.is_available;
    let (id, user_id, correlation) = (worker.id, worker.user_id, RequestId::of(&req));
    let mut conn = state.db.get().await?;
    let conn: &mut AsyncPgConnection = &mut conn;
    let at = conn
        .transaction(|conn| {
            async move {
                let at = workers::set_available(conn, id, available).await?;
                enqueue(
                    conn,
                    events::availability_changed(id, user_id, available, at, correlation),
                )
                .await?;
                Ok::<_, WorkforceError>(at)
            }
            .scope_boxed()
        })
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

/// The worker's position (API §5.6).
#[api_v2_operation(tags(Workers))]
pub async fn location(
    state: web::Data<AppState>,
    auth: AuthUser,
    body: Valid<LocationBody>,
) -> Result<Reply<LocationChanged>> {
    let worker = own(&state, &auth).await?;
    let mut conn = state.db.get().await?;
    workers::set_location(&mut conn, worker.id, &body.lat, &body.lng).await?;
    let (lat, lng) = (
        parse_decimal(&body.lat).unwrap_or_default(),
        parse_decimal(&body.lng).unwrap_or_default(),
    );
    Ok(Reply::json(LocationChanged {
        status: "success".into(),
        location: Location { lat, lng },
    }))
}
