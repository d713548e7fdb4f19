//! Emergency "Help Now" requests (DOMAIN §4.7–4.8, API §8): who sees one, the rate limit, creation with
//! its dispatch to the nearest available workers, a worker's acceptance (the first wins: decided on the
//! locked row), declines, an admin's status changes, edits and escalations, and the timeout sweep. Every
//! change is announced (`jobs.emergency.*`) in its transaction. The rows and their statements: `rows`.

mod rows;

use super::dispatch;
use super::outbox::Actor;
use super::path_id;
use super::refs::{self, Profile, ProfileOf};
use crate::config::EmergencySettings;
use crate::domain::dispatch::{self as geo, Point, Ranked};
use crate::domain::emergency::{
    self as rules, Answer, EmergencyStatus, LogStatus, Standing, StatusNote,
};
use crate::error::{JobsError, Result};
use chrono::Utc;
use diesel::QueryResult;
use diesel_async::scoped_futures::ScopedFutureExt;
use diesel_async::{AsyncConnection, AsyncPgConnection};
use hm_contracts::events::{types, EmergencyCandidate, EmergencyChanged};
use hm_platform::auth::AuthUser;
use hm_platform::events::enqueue;
use hm_platform::paging::Paging;
use hm_platform::redis::{count_within, uncount, Keys, RedisPool};
use rows::{by_id, lock, Scope};
pub use rows::{DispatchLog, Emergency, Fields, Filter};
use serde_json::Value;
use std::time::Duration;
use uuid::Uuid;

/// The caller as emergency visibility sees them: an admin, and their worker and contractor profiles.
#[derive(Debug, Clone)]
pub struct Viewer {
    pub user: Uuid,
    pub admin: bool,
    pub worker: Option<ProfileOf>,
    pub contractor: Option<Uuid>,
}

/// Who the caller is to emergencies.
pub async fn viewer(conn: &mut AsyncPgConnection, auth: &AuthUser) -> Result<Viewer> {
    let worker = refs::profile_of_user(conn, Profile::Worker, auth.id).await?;
    let contractor = refs::profile_of_user(conn, Profile::Contractor, auth.id).await?;
    Ok(Viewer {
        user: auth.id,
        admin: auth.is_admin(),
        worker,
        contractor: contractor.map(|c| c.id),
    })
}

/// What `viewer` is to request `e`.
async fn standing(
    conn: &mut AsyncPgConnection,
    viewer: &Viewer,
    e: &Emergency,
) -> QueryResult<Standing> {
    let worker = viewer.worker.as_ref().map(|w| w.id);
    let notified = match worker {
        Some(worker) => rows::notified(conn, e.id, worker).await?,
        None => false,
    };
    Ok(Standing {
        admin: viewer.admin,
        creator: e.created_by == Some(viewer.user),
        notified,
        assigned_worker: worker.is_some() && e.assigned_worker_id == worker,
        escalated_to: viewer.contractor.is_some() && e.assigned_contractor_id == viewer.contractor,
    })
}

/// The request with the id in the path, if `viewer` may see it (API §8.2); else 404 as if absent.
pub async fn visible(conn: &mut AsyncPgConnection, viewer: &Viewer, id: &str) -> Result<Emergency> {
    let id = path_id(id)?;
    let found = by_id(conn, id).await?.ok_or(JobsError::EmergencyNotFound)?;
    if standing(conn, viewer, &found).await?.may_see() {
        Ok(found)
    } else {
        Err(JobsError::EmergencyNotFound)
    }
}

/// A request the caller sees and its dispatch logs, latest attempt first.
pub async fn detail(
    conn: &mut AsyncPgConnection,
    auth: &AuthUser,
    id: &str,
) -> Result<(Emergency, Vec<DispatchLog>)> {
    let viewer = viewer(conn, auth).await?;
    let found = visible(conn, &viewer, id).await?;
    let logs = rows::logs(conn, found.id).await?;
    Ok((found, logs))
}

/// The page `paging` asks for of the requests the caller sees that `filter` selects, newest first:
/// `(page, count, rows)`.
pub async fn list(
    conn: &mut AsyncPgConnection,
    auth: &AuthUser,
    filter: &Filter,
    paging: &Paging,
) -> Result<(i64, i64, Vec<Emergency>)> {
    let viewer = viewer(conn, auth).await?;
    let scope = if viewer.admin {
        Scope::default()
    } else {
        Scope {
            user: Some(viewer.user),
            worker: viewer.worker.map(|w| w.id),
            contractor: viewer.contractor,
        }
    };
    let count = rows::count(conn, scope, filter).await?;
    let number = paging.resolve(count)?;
    let page = rows::page(conn, scope, filter, paging.per_page, paging.offset(number)).await?;
    Ok((number, count, page))
}

/// 403 `{"error":"Admin access required"}` unless the caller is an admin (API §8.6: before anything
/// else is looked at).
pub fn require_admin(auth: &AuthUser) -> Result<()> {
    if auth.is_admin() {
        Ok(())
    } else {
        Err(JobsError::EmergencyAdminOnly)
    }
}

/// The service a request names, as sent.
#[derive(Debug, Clone, PartialEq)]
pub enum ServiceNamed {
    /// `service_id`: a catalog service's id.
    Id(Uuid),
    /// `service_slug` (when no id is sent): a slug, alias, name or English title.
    Slug(String),
}

/// A request's fields as sent: `None` = not sent (an admin's PATCH keeps what the request has),
/// `Some(None)` = sent as null.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Sent {
    pub contact_phone: Option<String>,
    /// Latitude and longitude as decimal text (9,6).
    pub location: Option<(String, String)>,
    pub address: Option<String>,
    pub service: Option<Option<ServiceNamed>>,
    pub service_description: Option<String>,
    pub urgency_level: Option<String>,
    pub site_id: Option<Option<Uuid>>,
}

impl Sent {
    /// `base` with what was sent; `service` is the id the sent service resolved to.
    fn apply(self, base: Fields, service: Option<Option<Uuid>>) -> Fields {
        let (lat, lng) = self.location.unwrap_or((base.lat, base.lng));
        Fields {
            contact_phone: self.contact_phone.unwrap_or(base.contact_phone),
            lat,
            lng,
            address: self.address.unwrap_or(base.address),
            service_id: service.unwrap_or(base.service_id),
            service_description: self.service_description.unwrap_or(base.service_description),
            urgency_level: self.urgency_level.unwrap_or(base.urgency_level),
            site_id: self.site_id.unwrap_or(base.site_id),
        }
    }
}

impl Fields {
    /// What a request has before anything is sent: no service or site, `high` urgency.
    fn blank() -> Fields {
        Fields {
            contact_phone: String::new(),
            lat: String::new(),
            lng: String::new(),
            address: String::new(),
            service_id: None,
            service_description: String::new(),
            urgency_level: rules::DEFAULT_URGENCY.to_owned(),
            site_id: None,
        }
    }
}

/// The service id a sent service names: 400 `Invalid pk` for an id that is no active service, 400 for
/// a slug that names none.
async fn resolve_service(
    conn: &mut AsyncPgConnection,
    sent: Option<&Option<ServiceNamed>>,
) -> Result<Option<Option<Uuid>>> {
    match sent {
        None => Ok(None),
        Some(None) => Ok(Some(None)),
        Some(Some(ServiceNamed::Id(id))) => {
            if refs::active_service(conn, *id).await? {
                Ok(Some(Some(*id)))
            } else {
                Err(JobsError::UnknownEmergencyService(*id))
            }
        }
        Some(Some(ServiceNamed::Slug(slug))) => {
            let found =
                hm_platform::projections::resolve_services(conn, std::slice::from_ref(slug))
                    .await?;
            match found.into_iter().next().flatten() {
                Some(id) => Ok(Some(Some(id))),
                None => Err(JobsError::UnknownServiceSlug(slug.clone())),
            }
        }
    }
}

/// 400 `Invalid pk` for a site workforce has not announced.
async fn check_site(conn: &mut AsyncPgConnection, sent: Option<&Option<Uuid>>) -> Result<()> {
    if let Some(Some(site)) = sent {
        if !refs::site_exists(conn, *site).await? {
            return Err(JobsError::UnknownSite(*site));
        }
    }
    Ok(())
}

/// Where the rate limit keeps its counters.
pub struct Limiter<'a> {
    pub redis: &'a RedisPool,
    pub keys: &'a Keys,
}

/// Who asks for help: the signed-in user (if a valid token was sent) and the client's address.
#[derive(Debug, Clone, Default)]
pub struct Requester {
    pub user: Option<Uuid>,
    pub ip: Option<String>,
}

/// How a new request was handed on (API §8.1's `dispatch_status`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DispatchStatus {
    /// Dispatch ran (whether or not it found anyone).
    Queued,
    /// Auto-assign is off, or dispatch failed: admins take it from here.
    Manual,
}

impl DispatchStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            DispatchStatus::Queued => "queued",
            DispatchStatus::Manual => "manual",
        }
    }
}

/// A new request and how it was handed on.
#[derive(Debug, Clone)]
pub struct Created {
    pub emergency: Emergency,
    pub dispatch: DispatchStatus,
}

/// The rate limit's window (DOMAIN §4.7: counts live a minute from the last counted request).
const RATE_WINDOW: Duration = Duration::from_secs(60);

/// Takes a request for help (API §8.1, after its body was validated): 400 for a service or site that
/// does not exist, then the rate limit (429 `EmergencyRateLimited`: per signed-in user, else contact
/// phone, and per client IP; a request that then fails gives its counts back), then the request is
/// created `open` and announced, and, with auto-assign, dispatched in the same transaction (its
/// dispatch in a savepoint: one that fails leaves the request `open` with `metadata.dispatch_error`).
pub async fn create(
    conn: &mut AsyncPgConnection,
    limiter: Limiter<'_>,
    settings: &EmergencySettings,
    who: Requester,
    sent: Sent,
    correlation: Option<String>,
) -> Result<Created> {
    let service = resolve_service(conn, sent.service.as_ref()).await?;
    check_site(conn, sent.site_id.as_ref()).await?;
    let fields = sent.apply(Fields::blank(), service);
    let identity = who
        .user
        .map_or_else(|| fields.contact_phone.clone(), |u| u.to_string());
    let mut keys = vec![(
        limiter
            .keys
            .key(format_args!("emergency_rate_limit:{identity}")),
        settings.rate_limit_per_minute,
    )];
    if let Some(ip) = &who.ip {
        let key = limiter
            .keys
            .key(format_args!("emergency_rate_limit:ip:{ip}"));
        keys.push((key, settings.ip_rate_limit_per_minute));
    }
    let limits: Vec<(&str, u32)> = keys.iter().map(|(k, n)| (k.as_str(), *n)).collect();
    if let Some(reached) = count_within(limiter.redis, &limits, RATE_WINDOW).await {
        let limit = limits.get(reached).map_or(0, |(_, n)| *n);
        return Err(JobsError::EmergencyRateLimited(limit));
    }
    let made = make(conn, settings, who.user, &fields, correlation).await;
    if made.is_err() {
        let counted: Vec<&str> = limits.iter().map(|(k, _)| *k).collect();
        uncount(limiter.redis, &counted).await;
    }
    made
}

/// Writes a new request, its event and, with auto-assign, its dispatch, in one transaction.
async fn make(
    conn: &mut AsyncPgConnection,
    settings: &EmergencySettings,
    creator: Option<Uuid>,
    fields: &Fields,
    correlation: Option<String>,
) -> Result<Created> {
    let actor = match creator {
        Some(user) => Some(Actor {
            id: user,
            name: refs::display_name(conn, user).await?,
        }),
        None => None,
    };
    let id = Uuid::new_v4();
    conn.transaction(|conn| {
        async move {
            rows::insert(conn, id, creator, fields).await?;
            let created = by_id(conn, id)
                .await?
                .ok_or(diesel::result::Error::NotFound)?;
            let change = Change {
                actor,
                ..Change::default()
            };
            let announced = event(
                types::EMERGENCY_CREATED,
                &created,
                change,
                correlation.clone(),
            );
            enqueue(conn, announced).await?;
            let status = if settings.auto_assign {
                handed_on(conn, &created, settings, correlation).await?
            } else {
                DispatchStatus::Manual
            };
            let emergency = by_id(conn, id)
                .await?
                .ok_or(diesel::result::Error::NotFound)?;
            Ok(Created {
                emergency,
                dispatch: status,
            })
        }
        .scope_boxed()
    })
    .await
}

/// Runs the dispatch in a savepoint: `Queued` when it ran, else (its writes undone) `Manual` with the
/// failure in the request's metadata and the cause in the log.
async fn handed_on(
    conn: &mut AsyncPgConnection,
    created: &Emergency,
    settings: &EmergencySettings,
    correlation: Option<String>,
) -> Result<DispatchStatus> {
    let ran = conn
        .transaction(|conn| dispatch_to_workers(conn, created, settings, correlation).scope_boxed())
        .await;
    match ran {
        Ok(()) => Ok(DispatchStatus::Queued),
        Err(e) => {
            tracing::error!(emergency = %created.id, error = %e, "emergency dispatch failed");
            let note =
                rules::dispatch_error("Dispatch could not run; the request waits for an admin.");
            let metadata = rules::merged(&created.metadata, note);
            rows::write_status(conn, created.id, created.status, &metadata).await?;
            Ok(DispatchStatus::Manual)
        }
    }
}

/// DOMAIN §4.7's dispatch: the available workers within the radius (offering the service, if one is
/// named), nearest and then best rated first, at most `max_candidates`, each logged `notified`; the
/// request becomes `dispatched` and `jobs.emergency.dispatched` names them. Nobody near: the request
/// stays `open` with `dispatch_failed` and is escalated at once (`jobs.emergency.escalated`, reason
/// `No available workers in radius`), so admins hear of it now.
async fn dispatch_to_workers(
    conn: &mut AsyncPgConnection,
    e: &Emergency,
    settings: &EmergencySettings,
    correlation: Option<String>,
) -> Result<()> {
    let at = e.location();
    let center = Point {
        lat: at.lat,
        lng: at.lng,
    };
    let radius = settings.search_radius_km;
    let found = dispatch::candidates(conn, center, radius, e.service_id).await?;
    let chosen = geo::rank(center, radius, settings.max_candidates, found);
    let now = Utc::now();
    if chosen.is_empty() {
        let metadata = rules::merged(&e.metadata, rules::dispatch_failed(now));
        rows::write_status(conn, e.id, e.status, &metadata).await?;
        // Nobody was asked: admins are told now (`jobs.emergency.escalated`), not after a timeout.
        let after = by_id(conn, e.id)
            .await?
            .ok_or(diesel::result::Error::NotFound)?;
        let change = Change {
            escalation: Some((rules::NO_WORKERS, false)),
            ..Change::default()
        };
        let escalated = event(types::EMERGENCY_ESCALATED, &after, change, correlation);
        enqueue(conn, escalated).await?;
        return Ok(());
    }
    let logged: Vec<(Ranked, Value)> = chosen
        .into_iter()
        .map(|ranked| {
            let raw = rules::raw_response(&ranked, radius);
            (ranked, raw)
        })
        .collect();
    rows::insert_logs(conn, e.id, &logged).await?;
    let notified: Vec<Uuid> = logged.iter().map(|(r, _)| r.candidate.worker_id).collect();
    let metadata = rules::merged(&e.metadata, rules::dispatched(&notified, radius, now));
    rows::write_status(conn, e.id, EmergencyStatus::Dispatched, &metadata).await?;
    let after = by_id(conn, e.id)
        .await?
        .ok_or(diesel::result::Error::NotFound)?;
    let candidates = logged
        .iter()
        .map(|(r, _)| EmergencyCandidate {
            worker_id: r.candidate.worker_id,
            worker_user_id: r.candidate.user_id,
            distance_km: r.distance_km,
        })
        .collect();
    let change = Change {
        candidates,
        ..Change::default()
    };
    enqueue(
        conn,
        event(types::EMERGENCY_DISPATCHED, &after, change, correlation),
    )
    .await?;
    Ok(())
}

/// The caller's worker profile, if they may see the request; 404 / 403 otherwise (API §8.4–8.5: the
/// request first, then whether the caller is a worker).
async fn answering_worker(
    conn: &mut AsyncPgConnection,
    auth: &AuthUser,
    id: &str,
    answer: Answer,
) -> Result<(Emergency, ProfileOf)> {
    let viewer = viewer(conn, auth).await?;
    let seen = visible(conn, &viewer, id).await?;
    let worker = viewer
        .worker
        .ok_or(JobsError::EmergencyWorkersOnly(answer))?;
    Ok((seen, worker))
}

/// A worker takes the request (API §8.4). The first acceptance wins: the request's row is locked and
/// only an `open` or `dispatched` one can be taken, so of many workers accepting at once exactly one
/// does and the others get 400 `EmergencyTaken`. The winner is assigned, `metadata.accepted_at` set,
/// their `notified` logs become `accepted` (the other workers' stay as they are), and
/// `jobs.emergency.accepted` tells the requester.
pub async fn accept(
    conn: &mut AsyncPgConnection,
    auth: &AuthUser,
    id: &str,
    correlation: Option<String>,
) -> Result<Emergency> {
    let (seen, worker) = answering_worker(conn, auth, id, Answer::Accept).await?;
    conn.transaction(|conn| {
        async move {
            let current = lock(conn, seen.id)
                .await?
                .ok_or(JobsError::EmergencyNotFound)?;
            if !current.status.may_be_accepted() {
                return Err(JobsError::EmergencyTaken);
            }
            let metadata = rules::merged(&current.metadata, rules::accepted(Utc::now()));
            rows::write_accepted(conn, current.id, worker.id, &metadata).await?;
            rows::answer_logs(conn, current.id, worker.id, LogStatus::Accepted).await?;
            let after = by_id(conn, current.id)
                .await?
                .ok_or(diesel::result::Error::NotFound)?;
            let change = Change::answered(&worker, Some(current.status));
            enqueue(
                conn,
                event(types::EMERGENCY_ACCEPTED, &after, change, correlation),
            )
            .await?;
            Ok(after)
        }
        .scope_boxed()
    })
    .await
}

/// A worker turns the request down (API §8.5): their `notified` logs become `declined` (404
/// `NoPendingNotification` when they have none) and `jobs.emergency.declined` says so; the request's
/// status does not change. Its id.
pub async fn decline(
    conn: &mut AsyncPgConnection,
    auth: &AuthUser,
    id: &str,
    correlation: Option<String>,
) -> Result<Uuid> {
    let (seen, worker) = answering_worker(conn, auth, id, Answer::Decline).await?;
    conn.transaction(|conn| {
        async move {
            let moved = rows::answer_logs(conn, seen.id, worker.id, LogStatus::Declined).await?;
            if moved == 0 {
                return Err(JobsError::NoPendingNotification);
            }
            let current = by_id(conn, seen.id)
                .await?
                .ok_or(JobsError::EmergencyNotFound)?;
            let change = Change::answered(&worker, None);
            enqueue(
                conn,
                event(types::EMERGENCY_DECLINED, &current, change, correlation),
            )
            .await?;
            Ok(current.id)
        }
        .scope_boxed()
    })
    .await
}

/// The admin acting, as events and metadata name them: their id and name, and their phone (else their
/// id, while identity has not announced them).
async fn admin_acting(conn: &mut AsyncPgConnection, auth: &AuthUser) -> Result<(Actor, String)> {
    let name = refs::display_name(conn, auth.id).await?;
    let phone = refs::phone_of(conn, auth.id)
        .await?
        .unwrap_or_else(|| auth.id.to_string());
    Ok((Actor { id: auth.id, name }, phone))
}

/// An admin sets the status (API §8.6): any status, except that a `resolved` or `cancelled` request
/// stays so (400 `EmergencyClosed`); notes, when given, are appended to `metadata.status_notes`.
/// `jobs.emergency.status_changed` announces a change of status or a note.
pub async fn set_status(
    conn: &mut AsyncPgConnection,
    auth: &AuthUser,
    id: &str,
    to: EmergencyStatus,
    notes: Option<String>,
    correlation: Option<String>,
) -> Result<Emergency> {
    require_admin(auth)?;
    let id = path_id(id)?;
    let (actor, phone) = admin_acting(conn, auth).await?;
    conn.transaction(|conn| {
        async move {
            let current = lock(conn, id).await?.ok_or(JobsError::EmergencyNotFound)?;
            let from = current.status;
            if !rules::may_set_status(from, to) {
                return Err(JobsError::EmergencyClosed(from));
            }
            let metadata = match notes.as_deref() {
                Some(notes) => {
                    let note = StatusNote {
                        at: Utc::now(),
                        from,
                        to,
                        notes,
                        by: &phone,
                    };
                    rules::with_status_note(&current.metadata, &note)
                }
                None => current.metadata.clone(),
            };
            rows::write_status(conn, id, to, &metadata).await?;
            let after = by_id(conn, id)
                .await?
                .ok_or(diesel::result::Error::NotFound)?;
            if from != to || notes.is_some() {
                let change = Change {
                    previous: Some(from),
                    notes,
                    actor: Some(actor),
                    ..Change::default()
                };
                let changed = event(types::EMERGENCY_STATUS_CHANGED, &after, change, correlation);
                enqueue(conn, changed).await?;
            }
            Ok(after)
        }
        .scope_boxed()
    })
    .await
}

/// An admin escalates a request by hand (the back office's "escalate to contractors"): the metadata of
/// DOMAIN §4.7 (`escalation_needed`, `escalated_at`, `escalated_by` the admin's phone,
/// `escalation_reason`), and the contractor it goes to when one is named (400 `Invalid pk` for an
/// unknown one; that contractor then sees it). A resolved or cancelled request is not escalated (400).
/// `jobs.emergency.escalated` announces it.
pub async fn escalate(
    conn: &mut AsyncPgConnection,
    auth: &AuthUser,
    id: &str,
    contractor: Option<Uuid>,
    correlation: Option<String>,
) -> Result<Emergency> {
    let id = path_id(id)?;
    if let Some(c) = contractor {
        refs::profile(conn, Profile::Contractor, c)
            .await?
            .ok_or(JobsError::UnknownContractor(c))?;
    }
    let (actor, phone) = admin_acting(conn, auth).await?;
    conn.transaction(|conn| {
        async move {
            let current = lock(conn, id).await?.ok_or(JobsError::EmergencyNotFound)?;
            if current.status.is_final() {
                return Err(JobsError::EmergencyClosed(current.status));
            }
            let keys = rules::escalated(Utc::now(), Some(&phone));
            let metadata = rules::merged(&current.metadata, keys);
            rows::write_escalation(conn, id, contractor, &metadata).await?;
            let after = by_id(conn, id)
                .await?
                .ok_or(diesel::result::Error::NotFound)?;
            let change = Change {
                actor: Some(actor),
                escalation: Some((rules::MANUAL_REASON, false)),
                ..Change::default()
            };
            enqueue(
                conn,
                event(types::EMERGENCY_ESCALATED, &after, change, correlation),
            )
            .await?;
            Ok(after)
        }
        .scope_boxed()
    })
    .await
}

/// An admin edits a request's details (API §8.3; never its status): `complete` (PUT) starts from a blank
/// request, otherwise from the request as it is. 400 for a service or site that does not exist.
pub async fn edit(
    conn: &mut AsyncPgConnection,
    id: &str,
    sent: Sent,
    complete: bool,
) -> Result<Emergency> {
    let id = path_id(id)?;
    let service = resolve_service(conn, sent.service.as_ref()).await?;
    check_site(conn, sent.site_id.as_ref()).await?;
    conn.transaction(|conn| {
        async move {
            let current = lock(conn, id).await?.ok_or(JobsError::EmergencyNotFound)?;
            let base = if complete {
                Fields::blank()
            } else {
                Fields::of(&current)
            };
            rows::update_fields(conn, id, &sent.apply(base, service)).await?;
            Ok(by_id(conn, id)
                .await?
                .ok_or(diesel::result::Error::NotFound)?)
        }
        .scope_boxed()
    })
    .await
}

/// An admin deletes a request and its logs (API §8.3).
pub async fn delete(conn: &mut AsyncPgConnection, id: &str) -> Result<()> {
    if rows::delete(conn, path_id(id)?).await? {
        Ok(())
    } else {
        Err(JobsError::EmergencyNotFound)
    }
}

/// DOMAIN §4.7's timeout sweep, once: every `dispatched` request made at least `timeout` ago that
/// nobody escalated yet gets `escalation_needed`, `escalation_reason` and `timed_out_at`, its
/// still-`notified` logs become `timeout`, and `jobs.emergency.escalated` (timed out) tells admins; one
/// transaction. Safe with several replicas sweeping at once (each request is escalated once: the
/// conditional update decides). The requests escalated.
pub async fn sweep(conn: &mut AsyncPgConnection, timeout: Duration) -> QueryResult<Vec<Uuid>> {
    let now = Utc::now();
    let cutoff = chrono::Duration::from_std(timeout)
        .ok()
        .and_then(|t| now.checked_sub_signed(t))
        .unwrap_or(chrono::DateTime::<Utc>::MIN_UTC);
    conn.transaction(|conn| {
        async move {
            let ids = rows::escalate_timed_out(conn, cutoff, rules::escalated(now, None)).await?;
            if ids.is_empty() {
                return Ok(ids);
            }
            rows::time_out_logs(conn, &ids).await?;
            for id in &ids {
                if let Some(after) = by_id(conn, *id).await? {
                    let change = Change {
                        escalation: Some((rules::TIMEOUT_REASON, true)),
                        ..Change::default()
                    };
                    enqueue(
                        conn,
                        event(types::EMERGENCY_ESCALATED, &after, change, None),
                    )
                    .await?;
                }
            }
            Ok(ids)
        }
        .scope_boxed()
    })
    .await
}

/// What an event says besides the request itself ([`EmergencyChanged`]'s optional parts).
#[derive(Debug, Clone, Default)]
struct Change {
    previous: Option<EmergencyStatus>,
    candidates: Vec<EmergencyCandidate>,
    /// The worker who answered: profile, user, name.
    worker: Option<ProfileOf>,
    notes: Option<String>,
    actor: Option<Actor>,
    /// Why it was escalated, and whether by the timeout sweep.
    escalation: Option<(&'static str, bool)>,
}

impl Change {
    /// A worker's answer (they are also who acted).
    fn answered(worker: &ProfileOf, previous: Option<EmergencyStatus>) -> Change {
        Change {
            previous,
            worker: Some(worker.clone()),
            actor: Some(Actor {
                id: worker.user_id,
                name: worker.name.clone(),
            }),
            ..Change::default()
        }
    }
}

/// A worker moved (`workforce.worker.location_updated`, in the consumer's transaction): one
/// `jobs.emergency.location_updated` per request they accepted and are on their way to, so its requester
/// watches them come (API §10.3). Returns how many.
pub async fn follow_worker(
    conn: &mut AsyncPgConnection,
    worker: Uuid,
    at: Point,
    timestamp: chrono::DateTime<Utc>,
) -> QueryResult<usize> {
    use crate::schema::emergency_requests as e;
    use diesel::prelude::*;
    use diesel_async::RunQueryDsl;
    let on_the_way = [EmergencyStatus::Accepted, EmergencyStatus::OnTheWay].map(|s| s.as_str());
    let following: Vec<(Uuid, Option<Uuid>)> = e::table
        .filter(e::assigned_worker_id.eq(worker))
        .filter(e::status.eq_any(on_the_way))
        .select((e::id, e::created_by))
        .load(conn)
        .await?;
    for (emergency_id, created_by) in &following {
        let moved = hm_contracts::events::EmergencyLocation {
            emergency_id: *emergency_id,
            created_by: *created_by,
            worker_id: worker,
            lat: at.lat,
            lng: at.lng,
            timestamp,
        };
        let event = hm_contracts::Event::new(
            crate::store::outbox::SOURCE,
            types::EMERGENCY_LOCATION_UPDATED,
            None,
            moved,
        );
        enqueue(conn, event).await?;
    }
    Ok(following.len())
}

/// `jobs.emergency.*`: the request after the change and the change's own parts.
fn event(
    kind: &str,
    e: &Emergency,
    change: Change,
    correlation: Option<String>,
) -> hm_contracts::Event<EmergencyChanged> {
    let (escalation_reason, timed_out) = match change.escalation {
        Some((reason, timed_out)) => (Some(reason.to_owned()), timed_out),
        None => (None, false),
    };
    hm_contracts::Event::new(
        crate::store::outbox::SOURCE,
        kind,
        correlation,
        EmergencyChanged {
            emergency_id: e.id,
            status: e.status.as_str().to_owned(),
            previous_status: change.previous.map(|s| s.as_str().to_owned()),
            urgency: e.urgency_level.clone(),
            contact_phone: e.contact_phone.clone(),
            created_by: e.created_by,
            service_id: e.service_id,
            service_name: e.service_name.clone(),
            address: e.address_text.clone(),
            location: e.location(),
            site_id: e.site_id,
            assigned_worker_id: e.assigned_worker_id,
            assigned_contractor_id: e.assigned_contractor_id,
            candidates: change.candidates,
            worker_id: change.worker.as_ref().map(|w| w.id),
            worker_user_id: change.worker.as_ref().map(|w| w.user_id),
            worker_name: change.worker.map(|w| w.name),
            notes: change.notes,
            actor_id: change.actor.as_ref().map(|a| a.id),
            actor_name: change.actor.map(|a| a.name),
            escalation_reason,
            timed_out,
        },
    )
}
