//! Job applications (DOMAIN §4.2): one per worker and job; applying and deciding are serialised per job
//! (its row lock) and announced in their transaction.

use super::refs::{self, Profile};
use super::{jobs, path_id};
use crate::domain::application::{self, ApplicationStatus, Decision};
use crate::error::{JobsError, Result};
use crate::schema::job_applications as a;
use chrono::{DateTime, Utc};
use diesel::dsl::now;
use diesel::sql_types::{Text, Uuid as SqlUuid};
use diesel::{ExpressionMethods, OptionalExtension, QueryDsl, QueryResult, QueryableByName};
use diesel_async::scoped_futures::ScopedFutureExt;
use diesel_async::{AsyncConnection, AsyncPgConnection, RunQueryDsl};
use hm_contracts::events::types;
use hm_contracts::events::ApplicationChanged;
use hm_platform::auth::AuthUser;
use hm_platform::events::enqueue;
use uuid::Uuid;

/// An application with its job's title and poster and the applicant's name.
#[derive(Debug, Clone, QueryableByName)]
#[diesel(table_name = a)]
pub struct Application {
    pub id: Uuid,
    pub job_id: Uuid,
    #[diesel(sql_type = Text)]
    pub job_title: String,
    #[diesel(sql_type = SqlUuid)]
    pub poster_id: Uuid,
    pub worker_id: Uuid,
    pub worker_user_id: Uuid,
    #[diesel(sql_type = Text)]
    pub worker_name: String,
    pub status: ApplicationStatus,
    pub applied_at: DateTime<Utc>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

// Raw SQL: joins the job and the user projection with `person_name()`.
const SELECT: &str = "\
SELECT a.id, a.job_id, j.title AS job_title, j.poster_id, a.worker_id, a.worker_user_id,
       coalesce(person_name(u.first_name, u.last_name, u.phone), '') AS worker_name, a.status,
       a.applied_at, a.created_at, a.updated_at
FROM job_applications a
JOIN jobs j ON j.id = a.job_id
LEFT JOIN user_refs u ON u.id = a.worker_user_id";

/// The application, if it exists and belongs to `job`.
// Raw SQL: the joined `SELECT` above.
async fn of_job(
    conn: &mut AsyncPgConnection,
    job: Uuid,
    id: Uuid,
) -> QueryResult<Option<Application>> {
    diesel::sql_query(format!("{SELECT} WHERE a.id = $1 AND a.job_id = $2"))
        .bind::<SqlUuid, _>(id)
        .bind::<SqlUuid, _>(job)
        .get_result(conn)
        .await
        .optional()
}

/// A new application; `None` when the worker already applied to this job.
async fn insert(
    conn: &mut AsyncPgConnection,
    job: Uuid,
    worker: Uuid,
    worker_user: Uuid,
) -> QueryResult<Option<Application>> {
    let id: Option<Uuid> = diesel::insert_into(a::table)
        .values((
            a::id.eq(Uuid::new_v4()),
            a::job_id.eq(job),
            a::worker_id.eq(worker),
            a::worker_user_id.eq(worker_user),
        ))
        .on_conflict((a::job_id, a::worker_id))
        .do_nothing()
        .returning(a::id)
        .get_result(conn)
        .await
        .optional()?;
    match id {
        Some(id) => of_job(conn, job, id).await,
        None => Ok(None),
    }
}

async fn write_status(
    conn: &mut AsyncPgConnection,
    id: Uuid,
    status: ApplicationStatus,
) -> QueryResult<()> {
    diesel::update(a::table.find(id))
        .set((a::status.eq(status.as_str()), a::updated_at.eq(now)))
        .execute(conn)
        .await
        .map(|_| ())
}

/// Declines the job's other pending applications (the job went to someone else); returns them.
async fn close_others(
    conn: &mut AsyncPgConnection,
    job: Uuid,
    accepted: Uuid,
) -> QueryResult<Vec<Application>> {
    let ids: Vec<Uuid> = diesel::update(
        a::table
            .filter(a::job_id.eq(job))
            .filter(a::id.ne(accepted))
            .filter(a::status.eq(ApplicationStatus::Applied.as_str())),
    )
    .set((
        a::status.eq(ApplicationStatus::Declined.as_str()),
        a::updated_at.eq(now),
    ))
    .returning(a::id)
    .get_results(conn)
    .await?;
    // Raw SQL: the joined `SELECT` above.
    diesel::sql_query(format!("{SELECT} WHERE a.id = ANY($1)"))
        .bind::<diesel::sql_types::Array<SqlUuid>, _>(ids)
        .load(conn)
        .await
}

/// Applies to an open job as the caller's worker profile (one application per worker and job),
/// announced (`jobs.application.created`).
pub async fn apply(
    conn: &mut AsyncPgConnection,
    auth: &AuthUser,
    job: &str,
    correlation: Option<String>,
) -> Result<Application> {
    let job = jobs::load(conn, job).await?;
    let worker = refs::profile_of_user(conn, Profile::Worker, auth.id)
        .await?
        .ok_or(JobsError::NotAWorker)?;
    conn.transaction(|conn| {
        async move {
            let open = jobs::lock(conn, job.id).await?;
            if !open.is_some_and(|status| status.accepts_applications()) {
                return Err(JobsError::JobNotOpen);
            }
            let application = insert(conn, job.id, worker.id, worker.user_id)
                .await?
                .ok_or(JobsError::AlreadyApplied)?;
            let created = types::APPLICATION_CREATED;
            let event = event(created, &application, None, correlation);
            enqueue(conn, event).await?;
            Ok(application)
        }
        .scope_boxed()
    })
    .await
}

/// Accepts or declines an application (the applicant, the poster or an admin). Accepting assigns the
/// job to the applicant and closes the job's other applications; every change is announced.
pub async fn decide(
    conn: &mut AsyncPgConnection,
    auth: &AuthUser,
    (job, application): (&str, &str),
    decision: Decision,
    correlation: Option<String>,
) -> Result<Application> {
    let job = jobs::load(conn, job).await?;
    let application_id = path_id(application)?;
    let seen = of_job(conn, job.id, application_id)
        .await?
        .ok_or(JobsError::ApplicationNotFound)?;
    let standing = application::Standing {
        applicant: auth.id == seen.worker_user_id,
        poster: auth.id == job.poster_id,
        admin: auth.is_admin(),
    };
    if !standing.may_decide() {
        return Err(JobsError::DecisionRefused(decision));
    }
    conn.transaction(|conn| {
        async move {
            let job_status = jobs::lock(conn, job.id)
                .await?
                .ok_or(JobsError::JobNotFound)?;
            let current = of_job(conn, job.id, seen.id)
                .await?
                .ok_or(JobsError::ApplicationNotFound)?;
            if current.status != ApplicationStatus::Applied {
                return Err(JobsError::ApplicationDecided(current.status));
            }
            if decision == Decision::Accept && !job_status.accepts_applications() {
                return Err(JobsError::JobNotOpen);
            }
            write_status(conn, current.id, decision.outcome()).await?;
            if decision == Decision::Accept {
                accepted(conn, job.id, &current, correlation.clone()).await?;
            }
            let decided = of_job(conn, job.id, current.id)
                .await?
                .ok_or(diesel::result::Error::NotFound)?;
            let kind = match decision {
                Decision::Accept => types::APPLICATION_ACCEPTED,
                Decision::Decline => types::APPLICATION_DECLINED,
            };
            enqueue(conn, event(kind, &decided, None, correlation)).await?;
            Ok(decided)
        }
        .scope_boxed()
    })
    .await
}

/// The job goes to the accepted applicant (announced); the others are told it is closed.
async fn accepted(
    conn: &mut AsyncPgConnection,
    job: Uuid,
    current: &Application,
    correlation: Option<String>,
) -> QueryResult<()> {
    jobs::write_assignee(conn, job, current.worker_user_id).await?;
    let assigned = jobs::by_id(conn, job)
        .await?
        .ok_or(diesel::result::Error::NotFound)?;
    let changed = jobs::event(types::JOB_STATUS_CHANGED, &assigned, correlation.clone());
    enqueue(conn, changed).await?;
    for other in close_others(conn, job, current.id).await? {
        let reason = Some("job_assigned_to_another");
        let declined = types::APPLICATION_DECLINED;
        let event = event(declined, &other, reason, correlation.clone());
        enqueue(conn, event).await?;
    }
    Ok(())
}

/// `jobs.application.created|accepted|declined`; `reason` when nobody decided it (closed).
pub fn event(
    kind: &str,
    a: &Application,
    reason: Option<&str>,
    correlation: Option<String>,
) -> hm_contracts::Event<ApplicationChanged> {
    hm_contracts::Event::new(
        crate::store::outbox::SOURCE,
        kind,
        correlation,
        ApplicationChanged {
            application_id: a.id,
            job_id: a.job_id,
            job_title: a.job_title.clone(),
            poster_id: a.poster_id,
            worker_id: a.worker_id,
            worker_user_id: a.worker_user_id,
            worker_name: a.worker_name.clone(),
            status: a.status.as_str().to_owned(),
            reason: reason.map(str::to_owned),
        },
    )
}
