//! Jobs and applications (API §6): anyone reads, a signed-in user posts, the poster or an admin edits
//! (status changes by the table of DOMAIN §4.1), workers apply, and the applicant, the poster or an
//! admin accepts or declines. Every write publishes its events through the outbox.

use super::{resolve, ServiceRef};
use crate::domain::job::{self, JobStatus, Standing};
use crate::error::{JobsError, Result};
use crate::events;
use crate::store::applications::{self, Application};
use crate::store::jobs::{self, Editable, Filter, Job};
use crate::store::refs::{self, Profile};
use crate::AppState;
use actix_web::http::StatusCode;
use actix_web::HttpRequest;
use chrono::{DateTime, Utc};
use diesel_async::scoped_futures::ScopedFutureExt;
use diesel_async::{AsyncConnection, AsyncPgConnection};
use hm_contracts::events::types;
use hm_platform::auth::AuthUser;
use hm_platform::error::FieldErrors;
use hm_platform::events::enqueue;
use hm_platform::input::Query;
use hm_platform::input::{Decimal, FromInput, Input, Text, Valid};
use hm_platform::paging::{NumberedPage, Paging};
use hm_platform::reply::NoBody;
use hm_platform::reply::Reply;
use hm_platform::telemetry::RequestId;
use hm_platform::time::render;
use hm_platform::ApiError;
use paperclip::actix::{api_v2_operation, web, Apiv2Schema};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// "Job JSON" (API §6): a job as every job endpoint answers it.
#[derive(Debug, Serialize, Apiv2Schema)]
pub struct JobView {
    pub id: Uuid,
    pub title: String,
    pub description: String,
    /// The catalog service's id.
    pub service: Uuid,
    pub service_name: String,
    /// `open`, `assigned`, `in_progress`, `completed` or `cancelled`.
    pub status: String,
    pub location: String,
    /// Decimal (9,6) as a string: `"19.076000"`.
    pub latitude: Option<String>,
    pub longitude: Option<String>,
    /// Rupees, decimal (10,2) as a string: `"1500.00"`.
    pub budget: Option<String>,
    /// The poster's user id.
    pub poster: Uuid,
    /// The poster's full name, else phone.
    pub poster_name: String,
    /// The assigned worker's user id.
    pub assigned_worker: Option<Uuid>,
    /// ISO 8601 in the platform's time zone: `2026-01-03T16:20:05+05:30`.
    pub scheduled_date: Option<String>,
    pub completion_date: Option<String>,
    pub instruction_audio_url: Option<String>,
    /// Photo URLs; always empty for now.
    pub photos: Vec<String>,
    pub created_at: String,
    pub updated_at: String,
}

impl From<&Job> for JobView {
    fn from(j: &Job) -> Self {
        JobView {
            id: j.id,
            title: j.title.clone(),
            description: j.description.clone(),
            service: j.service_id,
            service_name: j.service_name.clone(),
            status: j.status.clone(),
            location: j.location.clone(),
            latitude: j.latitude.clone(),
            longitude: j.longitude.clone(),
            budget: j.budget.clone(),
            poster: j.poster_id,
            poster_name: j.poster_name.clone(),
            assigned_worker: j.assigned_worker_id,
            scheduled_date: j.scheduled_date.map(render),
            completion_date: j.completion_date.map(render),
            instruction_audio_url: j.instruction_audio_url.clone(),
            photos: Vec::new(),
            created_at: render(j.created_at),
            updated_at: render(j.updated_at),
        }
    }
}

/// A job application (API §6.4).
#[derive(Debug, Serialize, Apiv2Schema)]
pub struct ApplicationView {
    pub id: Uuid,
    /// The job's id.
    pub job: Uuid,
    pub job_title: String,
    /// The applicant's worker profile id.
    pub worker: Uuid,
    /// The applicant's full name, else phone.
    pub worker_name: String,
    /// `applied`, `accepted` or `declined`.
    pub status: String,
    /// ISO 8601 in the platform's time zone.
    pub applied_at: String,
    pub created_at: String,
    pub updated_at: String,
}

impl From<&Application> for ApplicationView {
    fn from(a: &Application) -> Self {
        ApplicationView {
            id: a.id,
            job: a.job_id,
            job_title: a.job_title.clone(),
            worker: a.worker_id,
            worker_name: a.worker_name.clone(),
            status: a.status.clone(),
            applied_at: render(a.applied_at),
            created_at: render(a.created_at),
            updated_at: render(a.updated_at),
        }
    }
}

fn error(status: StatusCode, message: impl Into<String>) -> JobsError {
    ApiError::error(status, message).into()
}

/// The writable fields as sent (`None` = not sent; `Some(None)` = sent as null).
#[derive(Debug, Default, Apiv2Schema)]
pub struct JobBody {
    pub title: Option<String>,
    pub description: Option<String>,
    /// The catalog service: its id, or its slug, name or alias (`plumber`, `Plumbing`).
    pub service: Option<ServiceRef>,
    pub location: Option<String>,
    /// Decimal (9,6).
    pub latitude: Option<Option<String>>,
    pub longitude: Option<Option<String>>,
    /// Decimal (10,2).
    pub budget: Option<Option<String>>,
    pub scheduled_date: Option<Option<DateTime<Utc>>>,
    pub completion_date: Option<Option<DateTime<Utc>>>,
    pub instruction_audio_url: Option<Option<String>>,
    /// A status change (edits only): `open`, `assigned`, `in_progress`, `completed`, `cancelled`.
    pub status: Option<String>,
}

impl JobBody {
    /// Reads the body; `complete` (create, PUT) requires title, description and service.
    fn read(input: &mut Input, complete: bool) -> Option<JobBody> {
        let text = |required: bool, max: usize| {
            if required {
                Text::required(max)
            } else {
                Text::optional(max)
            }
        };
        let title = input.text("title", text(complete, 200));
        let description = input.text("description", text(complete, 100_000));
        let service = ServiceRef::read(input, complete);
        let url = input.nullable_url("instruction_audio_url", 500);
        let status = if input.has("status") {
            input.choice("status", &job::STATUSES, None)
        } else {
            None
        };
        Some(JobBody {
            title,
            description,
            service,
            location: input.text("location", Text::optional(255)),
            latitude: input.nullable_decimal("latitude", Decimal::LATITUDE),
            longitude: input.nullable_decimal("longitude", Decimal::LONGITUDE),
            budget: input.nullable_decimal("budget", Decimal::AMOUNT),
            scheduled_date: input.datetime("scheduled_date"),
            completion_date: input.datetime("completion_date"),
            instruction_audio_url: url,
            status,
        })
    }

    /// `base` with what was sent; `service` is the id the body's `service` names.
    fn apply(self, base: Editable, service: Option<Uuid>) -> (Editable, Option<String>) {
        let fields = Editable {
            service_id: service.unwrap_or(base.service_id),
            title: self.title.unwrap_or(base.title),
            description: self.description.unwrap_or(base.description),
            location: self.location.unwrap_or(base.location),
            latitude: self.latitude.unwrap_or(base.latitude),
            longitude: self.longitude.unwrap_or(base.longitude),
            budget: self.budget.unwrap_or(base.budget),
            scheduled_date: self.scheduled_date.unwrap_or(base.scheduled_date),
            completion_date: self.completion_date.unwrap_or(base.completion_date),
            instruction_audio_url: self
                .instruction_audio_url
                .unwrap_or(base.instruction_audio_url),
        };
        (fields, self.status)
    }
}

/// A whole job (create, PUT).
#[derive(Debug, Apiv2Schema)]
pub struct NewJob(JobBody);

impl FromInput for NewJob {
    fn from_input(input: &mut Input) -> Option<Self> {
        JobBody::read(input, true).map(NewJob)
    }
}

/// Some fields of a job (PATCH).
#[derive(Debug, Apiv2Schema)]
pub struct JobPatch(JobBody);

impl FromInput for JobPatch {
    fn from_input(input: &mut Input) -> Option<Self> {
        JobBody::read(input, false).map(JobPatch)
    }
}

#[derive(Debug, Deserialize, Apiv2Schema)]
pub struct ListQuery {
    pub status: Option<String>,
    pub min_price: Option<String>,
    pub max_price: Option<String>,
    /// A catalog service id.
    pub service_id: Option<String>,
    /// `price`: budget ascending; otherwise newest first.
    pub sort: Option<String>,
    pub page: Option<String>,
    pub per_page: Option<String>,
}

/// A numeric filter; an unreadable one is ignored (API §6.1).
fn number(raw: Option<&str>) -> Option<f64> {
    raw.and_then(|v| hm_platform::input::numbers::parse_decimal(v.trim()))
}

/// Jobs, newest first or by budget, with filters (P-STD).
#[api_v2_operation(tags(Jobs))]
pub async fn list(
    state: web::Data<AppState>,
    query: Query<ListQuery>,
) -> Result<Reply<NumberedPage<JobView>>> {
    let service_id = match query.service_id.as_deref().map(str::trim) {
        None | Some("") => None,
        Some(raw) => Some(Uuid::parse_str(raw).map_err(|_| {
            ApiError::fields(FieldErrors::single("service_id", "Must be a valid UUID."))
        })?),
    };
    let filter = Filter {
        status: query.status.clone().filter(|s| !s.trim().is_empty()),
        min_price: number(query.min_price.as_deref()),
        max_price: number(query.max_price.as_deref()),
        service_id,
        by_price: query.sort.as_deref() == Some("price"),
    };
    let paging = Paging::parse(query.page.as_deref(), query.per_page.as_deref())?;
    let mut conn = state.db.get().await?;
    let (_, count) = jobs::page(&mut conn, &filter, 0, 0).await?;
    let page = paging.resolve(count)?;
    let (rows, count) = jobs::page(
        &mut conn,
        &filter,
        paging.per_page,
        (page - 1) * paging.per_page,
    )
    .await?;
    Ok(Reply::json(paging.body(
        page,
        count,
        rows.iter().map(JobView::from).collect(),
    )))
}

async fn load(conn: &mut AsyncPgConnection, id: &str) -> Result<Job> {
    let id = Uuid::parse_str(id).map_err(|_| ApiError::not_found())?;
    jobs::by_id(conn, id)
        .await?
        .ok_or_else(|| ApiError::no_match("Job").into())
}

#[api_v2_operation(tags(Jobs))]
pub async fn get(state: web::Data<AppState>, id: web::Path<String>) -> Result<Reply<JobView>> {
    let mut conn = state.db.get().await?;
    Ok(Reply::json(JobView::from(&load(&mut conn, &id).await?)))
}

/// Post a job: the caller is its poster, and its contractor when they have a contractor profile.
#[api_v2_operation(tags(Jobs))]
pub async fn create(
    req: HttpRequest,
    state: web::Data<AppState>,
    auth: AuthUser,
    body: Valid<NewJob>,
) -> Result<Reply<JobView, 201>> {
    let Valid(NewJob(body)) = body;
    let mut conn = state.db.get().await?;
    let service = resolve(&mut conn, &body.service).await?;
    let (fields, _) = body.apply(Editable::default(), service);
    let (id, poster, correlation) = (Uuid::new_v4(), auth.id, RequestId::of(&req));
    let contractor = refs::profile_of_user(&mut conn, Profile::Contractor, poster)
        .await?
        .map(|c| c.id);
    let conn: &mut AsyncPgConnection = &mut conn;
    let job = conn
        .transaction(|conn| {
            async move {
                jobs::insert(conn, id, poster, contractor, &fields).await?;
                let job = jobs::by_id(conn, id)
                    .await?
                    .ok_or(diesel::result::Error::NotFound)?;
                enqueue(conn, events::job(types::JOB_POSTED, &job, correlation)).await?;
                Ok::<_, JobsError>(job)
            }
            .scope_boxed()
        })
        .await?;
    Ok(Reply::json(JobView::from(&job)))
}

async fn change(
    req: &HttpRequest,
    state: &AppState,
    auth: &AuthUser,
    id: &str,
    body: JobBody,
    full: bool,
) -> Result<Reply<JobView>> {
    let mut conn = state.db.get().await?;
    let current = load(&mut conn, id).await?;
    auth.require_owner_or_admin(current.poster_id)?;
    let base = if full {
        Editable::default()
    } else {
        Editable::of(&current)
    };
    let service = resolve(&mut conn, &body.service).await?;
    let (fields, status) = body.apply(base, service);
    let standing = Standing {
        poster: auth.id == current.poster_id,
        assigned_worker: Some(auth.id) == current.assigned_worker_id,
        admin: auth.is_admin(),
    };
    let (id, correlation) = (current.id, RequestId::of(req));
    let conn: &mut AsyncPgConnection = &mut conn;
    let job = conn
        .transaction(|conn| {
            async move {
                let now = jobs::lock(conn, id)
                    .await?
                    .ok_or_else(|| ApiError::no_match("Job"))?;
                jobs::update(conn, id, &fields).await?;
                let target = status.filter(|s| *s != now);
                if let Some(target) = &target {
                    let from = JobStatus::parse(&now).unwrap_or(JobStatus::Open);
                    let to = JobStatus::parse(target).unwrap_or(JobStatus::Open);
                    if !job::may_move(from, to, standing) {
                        return Err(error(
                            StatusCode::BAD_REQUEST,
                            format!("Invalid status transition from {now} to {target}."),
                        ));
                    }
                    jobs::set_status(conn, id, target).await?;
                }
                let job = jobs::by_id(conn, id)
                    .await?
                    .ok_or(diesel::result::Error::NotFound)?;
                if target.is_some() {
                    enqueue(
                        conn,
                        events::job(types::JOB_STATUS_CHANGED, &job, correlation),
                    )
                    .await?;
                }
                Ok::<_, JobsError>(job)
            }
            .scope_boxed()
        })
        .await?;
    Ok(Reply::json(JobView::from(&job)))
}

/// Replace a job (poster or admin).
#[api_v2_operation(tags(Jobs))]
pub async fn replace(
    req: HttpRequest,
    state: web::Data<AppState>,
    auth: AuthUser,
    id: web::Path<String>,
    body: Valid<NewJob>,
) -> Result<Reply<JobView>> {
    let Valid(NewJob(body)) = body;
    change(&req, &state, &auth, &id, body, true).await
}

/// Change some fields of a job, or its status (poster or admin).
#[api_v2_operation(tags(Jobs))]
pub async fn update(
    req: HttpRequest,
    state: web::Data<AppState>,
    auth: AuthUser,
    id: web::Path<String>,
    body: Valid<JobPatch>,
) -> Result<Reply<JobView>> {
    let Valid(JobPatch(body)) = body;
    change(&req, &state, &auth, &id, body, false).await
}

/// Delete a job and its applications (poster or admin).
#[api_v2_operation(tags(Jobs))]
pub async fn delete(
    state: web::Data<AppState>,
    auth: AuthUser,
    id: web::Path<String>,
) -> Result<Reply<NoBody, 204>> {
    let mut conn = state.db.get().await?;
    let current = load(&mut conn, &id).await?;
    auth.require_owner_or_admin(current.poster_id)?;
    jobs::delete(&mut conn, current.id).await?;
    Ok(Reply::empty())
}

/// Apply to an open job as a worker (one application per worker and job).
#[api_v2_operation(tags(Jobs))]
pub async fn apply(
    req: HttpRequest,
    state: web::Data<AppState>,
    auth: AuthUser,
    id: web::Path<String>,
) -> Result<Reply<ApplicationView, 201>> {
    let mut conn = state.db.get().await?;
    let job = load(&mut conn, &id).await?;
    let worker = refs::profile_of_user(&mut conn, Profile::Worker, auth.id)
        .await?
        .ok_or_else(|| error(StatusCode::FORBIDDEN, "Only workers can apply for jobs."))?;
    let correlation = RequestId::of(&req);
    let conn: &mut AsyncPgConnection = &mut conn;
    let application = conn
        .transaction(|conn| {
            async move {
                if jobs::lock(conn, job.id).await?.as_deref() != Some("open") {
                    return Err(error(
                        StatusCode::BAD_REQUEST,
                        "This job is not open for applications.",
                    ));
                }
                let application = applications::insert(conn, job.id, worker.id, worker.user_id)
                    .await?
                    .ok_or_else(|| {
                        error(
                            StatusCode::BAD_REQUEST,
                            "You have already applied for this job.",
                        )
                    })?;
                enqueue(
                    conn,
                    events::application(
                        types::APPLICATION_CREATED,
                        &application,
                        None,
                        correlation,
                    ),
                )
                .await?;
                Ok::<_, JobsError>(application)
            }
            .scope_boxed()
        })
        .await?;
    Ok(Reply::json(ApplicationView::from(&application)))
}

#[derive(Debug, Clone, Copy, PartialEq)]
enum Decision {
    Accept,
    Decline,
}

async fn decide(
    req: &HttpRequest,
    state: &AppState,
    auth: &AuthUser,
    path: &(String, String),
    decision: Decision,
) -> Result<Reply<ApplicationView>> {
    let mut conn = state.db.get().await?;
    let job = load(&mut conn, &path.0).await?;
    let application_id = Uuid::parse_str(&path.1).map_err(|_| ApiError::not_found())?;
    let application = applications::of_job(&mut conn, job.id, application_id)
        .await?
        .ok_or_else(|| ApiError::no_match("JobApplication"))?;
    let verb = match decision {
        Decision::Accept => "accept",
        Decision::Decline => "decline",
    };
    if !(auth.id == application.worker_user_id || auth.id == job.poster_id || auth.is_admin()) {
        return Err(error(
            StatusCode::FORBIDDEN,
            format!("Only the applicant or admin can {verb} this application."),
        ));
    }
    let correlation = RequestId::of(req);
    let conn: &mut AsyncPgConnection = &mut conn;
    let decided = conn
        .transaction(|conn| {
            async move {
                let job_status = jobs::lock(conn, job.id)
                    .await?
                    .ok_or_else(|| ApiError::no_match("Job"))?;
                let current = applications::of_job(conn, job.id, application.id)
                    .await?
                    .ok_or_else(|| ApiError::no_match("JobApplication"))?;
                if current.status != "applied" {
                    return Err(error(
                        StatusCode::BAD_REQUEST,
                        format!("This application is already {}.", current.status),
                    ));
                }
                if decision == Decision::Decline {
                    applications::set_status(conn, current.id, "declined").await?;
                } else {
                    if job_status != "open" {
                        return Err(error(
                            StatusCode::BAD_REQUEST,
                            "This job is not open for applications.",
                        ));
                    }
                    applications::set_status(conn, current.id, "accepted").await?;
                    jobs::assign(conn, job.id, current.worker_user_id).await?;
                    let assigned = jobs::by_id(conn, job.id)
                        .await?
                        .ok_or(diesel::result::Error::NotFound)?;
                    enqueue(
                        conn,
                        events::job(types::JOB_STATUS_CHANGED, &assigned, correlation.clone()),
                    )
                    .await?;
                    // The job went to this applicant: the others are told it is closed.
                    for other in applications::close_others(conn, job.id, current.id).await? {
                        enqueue(
                            conn,
                            events::application(
                                types::APPLICATION_DECLINED,
                                &other,
                                Some("job_assigned_to_another"),
                                correlation.clone(),
                            ),
                        )
                        .await?;
                    }
                }
                let decided = applications::of_job(conn, job.id, current.id)
                    .await?
                    .ok_or(diesel::result::Error::NotFound)?;
                let kind = match decision {
                    Decision::Accept => types::APPLICATION_ACCEPTED,
                    Decision::Decline => types::APPLICATION_DECLINED,
                };
                enqueue(conn, events::application(kind, &decided, None, correlation)).await?;
                Ok::<_, JobsError>(decided)
            }
            .scope_boxed()
        })
        .await?;
    Ok(Reply::json(ApplicationView::from(&decided)))
}

/// Accept an application: the job is assigned to the applicant and the other applications closed.
#[api_v2_operation(tags(Jobs))]
pub async fn accept(
    req: HttpRequest,
    state: web::Data<AppState>,
    auth: AuthUser,
    path: web::Path<(String, String)>,
) -> Result<Reply<ApplicationView>> {
    decide(&req, &state, &auth, &path, Decision::Accept).await
}

/// Decline an application; the job stays as it is.
#[api_v2_operation(tags(Jobs))]
pub async fn decline(
    req: HttpRequest,
    state: web::Data<AppState>,
    auth: AuthUser,
    path: web::Path<(String, String)>,
) -> Result<Reply<ApplicationView>> {
    decide(&req, &state, &auth, &path, Decision::Decline).await
}
