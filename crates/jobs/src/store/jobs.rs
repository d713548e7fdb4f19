//! Job postings (DOMAIN §4.1). Decimals travel as text at their column's scale (`numeric::text`). Each
//! change is decided on the locked row and announced in its transaction.

use super::refs::{self, Profile};
use super::{nullable_numeric, numeric, path_id};
use crate::domain::job::{self, JobStatus, Standing};
use crate::error::{JobsError, Result};
use crate::schema::jobs as j;
use chrono::{DateTime, Utc};
use diesel::dsl::now;
use diesel::sql_types::{BigInt, Nullable, Text, Uuid as SqlUuid};
use diesel::{ExpressionMethods, OptionalExtension, QueryDsl, QueryResult, QueryableByName};
use diesel_async::scoped_futures::ScopedFutureExt;
use diesel_async::{AsyncConnection, AsyncPgConnection, RunQueryDsl};
use hm_contracts::events::types;
use hm_contracts::events::JobChanged;
use hm_platform::auth::AuthUser;
use hm_platform::events::enqueue;
use hm_platform::paging::Paging;
use uuid::Uuid;

/// A job with its poster's name and its service's.
#[derive(Debug, Clone, QueryableByName)]
#[diesel(table_name = j)]
pub struct Job {
    pub id: Uuid,
    pub poster_id: Uuid,
    #[diesel(sql_type = Text)]
    pub poster_name: String,
    pub contractor_id: Option<Uuid>,
    pub service_id: Uuid,
    #[diesel(sql_type = Text)]
    pub service_name: String,
    pub title: String,
    pub description: String,
    pub status: JobStatus,
    pub location: String,
    #[diesel(sql_type = Nullable<Text>)]
    pub latitude: Option<String>,
    #[diesel(sql_type = Nullable<Text>)]
    pub longitude: Option<String>,
    #[diesel(sql_type = Nullable<Text>)]
    pub budget: Option<String>,
    pub assigned_worker_id: Option<Uuid>,
    pub scheduled_date: Option<DateTime<Utc>>,
    pub completion_date: Option<DateTime<Utc>>,
    pub instruction_audio_url: Option<String>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// The fields a poster writes.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Editable {
    pub service_id: Uuid,
    pub title: String,
    pub description: String,
    pub location: String,
    pub latitude: Option<String>,
    pub longitude: Option<String>,
    pub budget: Option<String>,
    pub scheduled_date: Option<DateTime<Utc>>,
    pub completion_date: Option<DateTime<Utc>>,
    pub instruction_audio_url: Option<String>,
}

impl Editable {
    /// The fields as the job has them.
    pub fn of(j: &Job) -> Editable {
        Editable {
            service_id: j.service_id,
            title: j.title.clone(),
            description: j.description.clone(),
            location: j.location.clone(),
            latitude: j.latitude.clone(),
            longitude: j.longitude.clone(),
            budget: j.budget.clone(),
            scheduled_date: j.scheduled_date,
            completion_date: j.completion_date,
            instruction_audio_url: j.instruction_audio_url.clone(),
        }
    }
}

// Raw SQL: joins the projections with `person_name()` and renders numerics as text at their scale.
const SELECT: &str = "\
SELECT j.id, j.poster_id, coalesce(person_name(u.first_name, u.last_name, u.phone), '') AS poster_name,
       j.contractor_id, j.service_id, s.name AS service_name, j.title, j.description, j.status, j.location,
       j.latitude::text AS latitude, j.longitude::text AS longitude, j.budget::text AS budget,
       j.assigned_worker_id, j.scheduled_date, j.completion_date, j.instruction_audio_url,
       j.created_at, j.updated_at
FROM jobs j
JOIN service_refs s ON s.id = j.service_id
LEFT JOIN user_refs u ON u.id = j.poster_id";

/// The job, as the API shows it.
// Raw SQL: the joined `SELECT` above.
pub async fn by_id(conn: &mut AsyncPgConnection, id: Uuid) -> QueryResult<Option<Job>> {
    diesel::sql_query(format!("{SELECT} WHERE j.id = $1"))
        .bind::<SqlUuid, _>(id)
        .get_result(conn)
        .await
        .optional()
}

/// Locks the job's row for the rest of the transaction (status changes and application decisions are
/// serialised per job) and returns its status.
pub async fn lock(conn: &mut AsyncPgConnection, id: Uuid) -> QueryResult<Option<JobStatus>> {
    j::table
        .find(id)
        .select(j::status)
        .for_update()
        .first(conn)
        .await
        .optional()
}

/// The list filters of API §6.1.
#[derive(Debug, Clone, Default)]
pub struct Filter {
    pub status: Option<String>,
    pub min_price: Option<f64>,
    pub max_price: Option<f64>,
    pub service_id: Option<Uuid>,
    /// Budget ascending instead of newest first.
    pub by_price: bool,
}

/// How many jobs the filter selects. A price bound is compared as the decimal it was written as (its
/// shortest spelling): for a `numeric(10,2)` budget that selects the jobs the page's `float8` comparison
/// does.
async fn count(conn: &mut AsyncPgConnection, f: &Filter) -> QueryResult<i64> {
    let price = |bound: f64| numeric(&bound.to_string());
    let mut q = j::table.into_boxed();
    if let Some(status) = &f.status {
        q = q.filter(j::status.eq(status));
    }
    if let Some(min) = f.min_price {
        q = q.filter(j::budget.ge(price(min)?));
    }
    if let Some(max) = f.max_price {
        q = q.filter(j::budget.le(price(max)?));
    }
    if let Some(service) = f.service_id {
        q = q.filter(j::service_id.eq(service));
    }
    q.count().get_result(conn).await
}

/// One page of jobs and how many match.
// Raw SQL: the joined `SELECT` above, with its optional filters bound as parameters.
async fn page(
    conn: &mut AsyncPgConnection,
    f: &Filter,
    limit: i64,
    offset: i64,
) -> QueryResult<(Vec<Job>, i64)> {
    let filter = "($1::text IS NULL OR j.status = $1)
        AND ($2::float8 IS NULL OR j.budget >= $2::float8)
        AND ($3::float8 IS NULL OR j.budget <= $3::float8)
        AND ($4::uuid IS NULL OR j.service_id = $4)";
    let order = if f.by_price {
        "j.budget ASC NULLS LAST, j.created_at DESC, j.id"
    } else {
        "j.created_at DESC, j.id"
    };
    let n = count(conn, f).await?;
    let rows = diesel::sql_query(format!(
        "{SELECT} WHERE {filter} ORDER BY {order} LIMIT $5 OFFSET $6"
    ))
    .bind::<Nullable<Text>, _>(f.status.clone())
    .bind::<Nullable<diesel::sql_types::Double>, _>(f.min_price)
    .bind::<Nullable<diesel::sql_types::Double>, _>(f.max_price)
    .bind::<Nullable<SqlUuid>, _>(f.service_id)
    .bind::<BigInt, _>(limit)
    .bind::<BigInt, _>(offset)
    .load(conn)
    .await?;
    Ok((rows, n))
}

/// A new job.
pub async fn insert(
    conn: &mut AsyncPgConnection,
    id: Uuid,
    poster: Uuid,
    contractor: Option<Uuid>,
    e: &Editable,
) -> QueryResult<()> {
    diesel::insert_into(j::table)
        .values((
            j::id.eq(id),
            j::poster_id.eq(poster),
            j::contractor_id.eq(contractor),
            j::service_id.eq(e.service_id),
            j::title.eq(&e.title),
            j::description.eq(&e.description),
            j::location.eq(&e.location),
            j::latitude.eq(nullable_numeric(e.latitude.as_deref())?),
            j::longitude.eq(nullable_numeric(e.longitude.as_deref())?),
            j::budget.eq(nullable_numeric(e.budget.as_deref())?),
            j::scheduled_date.eq(e.scheduled_date),
            j::completion_date.eq(e.completion_date),
            j::instruction_audio_url.eq(&e.instruction_audio_url),
        ))
        .execute(conn)
        .await
        .map(|_| ())
}

/// Writes the poster's fields.
async fn update_fields(conn: &mut AsyncPgConnection, id: Uuid, e: &Editable) -> QueryResult<()> {
    diesel::update(j::table.find(id))
        .set((
            j::service_id.eq(e.service_id),
            j::title.eq(&e.title),
            j::description.eq(&e.description),
            j::location.eq(&e.location),
            j::latitude.eq(nullable_numeric(e.latitude.as_deref())?),
            j::longitude.eq(nullable_numeric(e.longitude.as_deref())?),
            j::budget.eq(nullable_numeric(e.budget.as_deref())?),
            j::scheduled_date.eq(e.scheduled_date),
            j::completion_date.eq(e.completion_date),
            j::instruction_audio_url.eq(&e.instruction_audio_url),
            j::updated_at.eq(now),
        ))
        .execute(conn)
        .await
        .map(|_| ())
}

/// A new status; `completed` stamps the completion date (DOMAIN §4.1).
async fn write_status(
    conn: &mut AsyncPgConnection,
    id: Uuid,
    status: JobStatus,
) -> QueryResult<()> {
    let row = diesel::update(j::table.find(id));
    if status == JobStatus::Completed {
        row.set((
            j::status.eq(status.as_str()),
            j::completion_date.eq(now),
            j::updated_at.eq(now),
        ))
        .execute(conn)
        .await
    } else {
        row.set((j::status.eq(status.as_str()), j::updated_at.eq(now)))
            .execute(conn)
            .await
    }
    .map(|_| ())
}

/// Gives the job to a worker (an accepted application).
pub async fn write_assignee(
    conn: &mut AsyncPgConnection,
    id: Uuid,
    worker_user: Uuid,
) -> QueryResult<()> {
    diesel::update(j::table.find(id))
        .set((
            j::status.eq(JobStatus::Assigned.as_str()),
            j::assigned_worker_id.eq(worker_user),
            j::updated_at.eq(now),
        ))
        .execute(conn)
        .await
        .map(|_| ())
}

/// The job with the id in the path.
pub async fn load(conn: &mut AsyncPgConnection, id: &str) -> Result<Job> {
    let id = path_id(id)?;
    by_id(conn, id).await?.ok_or(JobsError::JobNotFound)
}

/// The page `paging` asks for of the jobs `filter` selects: `(page, count, rows)`.
pub async fn list(
    conn: &mut AsyncPgConnection,
    filter: &Filter,
    paging: &Paging,
) -> Result<(i64, i64, Vec<Job>)> {
    let (_, count) = page(conn, filter, 0, 0).await?;
    let number = paging.resolve(count)?;
    let offset = (number - 1) * paging.per_page;
    let (rows, count) = page(conn, filter, paging.per_page, offset).await?;
    Ok((number, count, rows))
}

/// Posts a job (`jobs.job.posted`): the caller is its poster, and its contractor when they have a
/// contractor profile; `fill` makes the fields from the id the sent `service` names.
pub async fn create<F>(
    conn: &mut AsyncPgConnection,
    poster: Uuid,
    service: Option<&str>,
    fill: F,
    correlation: Option<String>,
) -> Result<Job>
where
    F: FnOnce(Option<Uuid>) -> Editable,
{
    let fields = fill(refs::resolve(conn, service).await?);
    let contractor = refs::profile_of_user(conn, Profile::Contractor, poster)
        .await?
        .map(|c| c.id);
    let id = Uuid::new_v4();
    conn.transaction(|conn| {
        async move {
            insert(conn, id, poster, contractor, &fields).await?;
            let job = by_id(conn, id)
                .await?
                .ok_or(diesel::result::Error::NotFound)?;
            enqueue(conn, event(types::JOB_POSTED, &job, correlation)).await?;
            Ok(job)
        }
        .scope_boxed()
    })
    .await
}

/// A job edit as sent: the `service` it names, the status asked for, and how the fields are made from
/// the current job and the service's id.
pub struct Edit<'a, F> {
    pub service: Option<&'a str>,
    pub status: Option<JobStatus>,
    pub fill: F,
}

/// Edits a job (poster or admin); a status change goes by the table of DOMAIN §4.1 and is announced
/// (`jobs.job.status_changed`).
pub async fn edit<F>(
    conn: &mut AsyncPgConnection,
    auth: &AuthUser,
    id: &str,
    edit: Edit<'_, F>,
    correlation: Option<String>,
) -> Result<Job>
where
    F: FnOnce(&Job, Option<Uuid>) -> Editable,
{
    let current = load(conn, id).await?;
    auth.require_owner_or_admin(current.poster_id)?;
    let service = refs::resolve(conn, edit.service).await?;
    let fields = (edit.fill)(&current, service);
    let standing = Standing {
        poster: auth.id == current.poster_id,
        assigned_worker: Some(auth.id) == current.assigned_worker_id,
        admin: auth.is_admin(),
    };
    let (id, status) = (current.id, edit.status);
    conn.transaction(|conn| {
        async move {
            let from = lock(conn, id).await?.ok_or(JobsError::JobNotFound)?;
            update_fields(conn, id, &fields).await?;
            let target = status.filter(|to| *to != from);
            if let Some(to) = target {
                if !job::may_move(from, to, standing) {
                    return Err(JobsError::JobTransitionRefused { from, to });
                }
                write_status(conn, id, to).await?;
            }
            let job = by_id(conn, id)
                .await?
                .ok_or(diesel::result::Error::NotFound)?;
            if target.is_some() {
                let event = event(types::JOB_STATUS_CHANGED, &job, correlation);
                enqueue(conn, event).await?;
            }
            Ok(job)
        }
        .scope_boxed()
    })
    .await
}

/// Deletes a job and its applications (poster or admin).
pub async fn delete(conn: &mut AsyncPgConnection, auth: &AuthUser, id: &str) -> Result<()> {
    let current = load(conn, id).await?;
    auth.require_owner_or_admin(current.poster_id)?;
    diesel::delete(j::table.find(current.id))
        .execute(conn)
        .await?;
    Ok(())
}

/// `jobs.job.posted` / `jobs.job.status_changed`.
pub fn event(kind: &str, j: &Job, correlation: Option<String>) -> hm_contracts::Event<JobChanged> {
    hm_contracts::Event::new(
        crate::store::outbox::SOURCE,
        kind,
        correlation,
        JobChanged {
            job_id: j.id,
            poster_id: j.poster_id,
            contractor_id: j.contractor_id,
            service_id: j.service_id,
            status: j.status.as_str().to_owned(),
        },
    )
}
