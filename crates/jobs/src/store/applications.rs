//! Job applications (DOMAIN §4.2): one per worker and job.

use chrono::{DateTime, Utc};
use diesel::sql_types::{Text, Timestamptz, Uuid as SqlUuid};
use diesel::{OptionalExtension, QueryResult, QueryableByName};
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use uuid::Uuid;

#[derive(Debug, Clone, QueryableByName)]
pub struct Application {
    #[diesel(sql_type = SqlUuid)]
    pub id: Uuid,
    #[diesel(sql_type = SqlUuid)]
    pub job_id: Uuid,
    #[diesel(sql_type = Text)]
    pub job_title: String,
    #[diesel(sql_type = SqlUuid)]
    pub poster_id: Uuid,
    #[diesel(sql_type = SqlUuid)]
    pub worker_id: Uuid,
    #[diesel(sql_type = SqlUuid)]
    pub worker_user_id: Uuid,
    #[diesel(sql_type = Text)]
    pub worker_name: String,
    #[diesel(sql_type = Text)]
    pub status: String,
    #[diesel(sql_type = Timestamptz)]
    pub applied_at: DateTime<Utc>,
    #[diesel(sql_type = Timestamptz)]
    pub created_at: DateTime<Utc>,
    #[diesel(sql_type = Timestamptz)]
    pub updated_at: DateTime<Utc>,
}

const SELECT: &str = "\
SELECT a.id, a.job_id, j.title AS job_title, j.poster_id, a.worker_id, a.worker_user_id,
       coalesce(person_name(u.first_name, u.last_name, u.phone), '') AS worker_name, a.status,
       a.applied_at, a.created_at, a.updated_at
FROM job_applications a
JOIN jobs j ON j.id = a.job_id
LEFT JOIN user_refs u ON u.id = a.worker_user_id";

/// The application, if it exists and belongs to `job`.
pub async fn of_job(
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
pub async fn insert(
    conn: &mut AsyncPgConnection,
    job: Uuid,
    worker: Uuid,
    worker_user: Uuid,
) -> QueryResult<Option<Application>> {
    #[derive(QueryableByName)]
    struct Id {
        #[diesel(sql_type = SqlUuid)]
        id: Uuid,
    }
    let id: Option<Id> = diesel::sql_query(
        "INSERT INTO job_applications (id, job_id, worker_id, worker_user_id) VALUES ($1, $2, $3, $4)
         ON CONFLICT (job_id, worker_id) DO NOTHING RETURNING id",
    )
    .bind::<SqlUuid, _>(Uuid::new_v4())
    .bind::<SqlUuid, _>(job)
    .bind::<SqlUuid, _>(worker)
    .bind::<SqlUuid, _>(worker_user)
    .get_result(conn)
    .await
    .optional()?;
    match id {
        Some(id) => of_job(conn, job, id.id).await,
        None => Ok(None),
    }
}

pub async fn set_status(conn: &mut AsyncPgConnection, id: Uuid, status: &str) -> QueryResult<()> {
    diesel::sql_query("UPDATE job_applications SET status = $2, updated_at = now() WHERE id = $1")
        .bind::<SqlUuid, _>(id)
        .bind::<Text, _>(status)
        .execute(conn)
        .await
        .map(|_| ())
}

/// Declines the job's other pending applications (the job went to someone else); returns them.
pub async fn close_others(
    conn: &mut AsyncPgConnection,
    job: Uuid,
    accepted: Uuid,
) -> QueryResult<Vec<Application>> {
    #[derive(QueryableByName)]
    struct Id {
        #[diesel(sql_type = SqlUuid)]
        id: Uuid,
    }
    let ids: Vec<Id> = diesel::sql_query(
        "UPDATE job_applications SET status = 'declined', updated_at = now()
         WHERE job_id = $1 AND id <> $2 AND status = 'applied' RETURNING id",
    )
    .bind::<SqlUuid, _>(job)
    .bind::<SqlUuid, _>(accepted)
    .load(conn)
    .await?;
    let ids: Vec<Uuid> = ids.into_iter().map(|i| i.id).collect();
    diesel::sql_query(format!("{SELECT} WHERE a.id = ANY($1)"))
        .bind::<diesel::sql_types::Array<SqlUuid>, _>(ids)
        .load(conn)
        .await
}
