//! Jobs (API §6): anyone reads, a signed-in user posts, the poster or an admin edits (status changes
//! by the table of DOMAIN §4.1). Every write publishes its events through the outbox (`store::jobs`);
//! applications: `routes::applications`.

use super::{named, ServiceRef};
use crate::domain::job::{self, JobStatus};
use crate::error::{JobsError, Result};
use crate::store::jobs::{self, Editable, Filter, Job};
use crate::AppState;
use actix_web::HttpRequest;
use chrono::{DateTime, Utc};
use hm_platform::auth::AuthUser;
use hm_platform::input::Query;
use hm_platform::input::{Decimal, FromInput, Input, Text, Valid};
use hm_platform::paging::{NumberedPage, Paging};
use hm_platform::reply::NoBody;
use hm_platform::reply::Reply;
use hm_platform::telemetry::RequestId;
use hm_platform::time::render;
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
            status: j.status.as_str().to_owned(),
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
    pub status: Option<JobStatus>,
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
            input
                .choice("status", &job::STATUSES, None)
                .and_then(|s| JobStatus::parse(&s))
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
    fn apply(self, base: Editable, service: Option<Uuid>) -> Editable {
        Editable {
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
        }
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

impl ListQuery {
    /// The filters asked for; a `service_id` that is not a UUID is refused.
    fn filter(&self) -> Result<Filter> {
        let service_id = match self.service_id.as_deref().map(str::trim) {
            None | Some("") => None,
            Some(raw) => Some(Uuid::parse_str(raw).map_err(|_| JobsError::InvalidServiceFilter)?),
        };
        Ok(Filter {
            status: self.status.clone().filter(|s| !s.trim().is_empty()),
            min_price: number(self.min_price.as_deref()),
            max_price: number(self.max_price.as_deref()),
            service_id,
            by_price: self.sort.as_deref() == Some("price"),
        })
    }
}

/// Jobs, newest first or by budget, with filters (P-STD).
#[api_v2_operation(tags(Jobs))]
pub async fn list(
    state: web::Data<AppState>,
    query: Query<ListQuery>,
) -> Result<Reply<NumberedPage<JobView>>> {
    let filter = query.filter()?;
    let paging = Paging::parse(query.page.as_deref(), query.per_page.as_deref())?;
    let mut conn = state.db.get().await?;
    let (page, count, rows) = jobs::list(&mut conn, &filter, &paging).await?;
    let jobs = rows.iter().map(JobView::from).collect();
    Ok(Reply::json(paging.body(page, count, jobs)))
}

#[api_v2_operation(tags(Jobs))]
pub async fn get(state: web::Data<AppState>, id: web::Path<String>) -> Result<Reply<JobView>> {
    let mut conn = state.db.get().await?;
    Ok(Reply::json(JobView::from(
        &jobs::load(&mut conn, &id).await?,
    )))
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
    let service = body.service.clone();
    let fill = move |service| body.apply(Editable::default(), service);
    let mut conn = state.db.get().await?;
    let correlation = RequestId::of(&req);
    let job = jobs::create(&mut conn, auth.id, named(&service), fill, correlation).await?;
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
    let service = body.service.clone();
    let edit = jobs::Edit {
        service: named(&service),
        status: body.status,
        fill: move |current: &Job, service| {
            let base = if full {
                Editable::default()
            } else {
                Editable::of(current)
            };
            body.apply(base, service)
        },
    };
    let mut conn = state.db.get().await?;
    let job = jobs::edit(&mut conn, auth, id, edit, RequestId::of(req)).await?;
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
    jobs::delete(&mut conn, &auth, &id).await?;
    Ok(Reply::empty())
}
