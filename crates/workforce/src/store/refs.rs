//! The projections of other services' data (ARCHITECTURE §3): catalog's services and identity's users
//! (kept by `hm_platform::projections`) and jobs' jobs.

use crate::schema::{service_refs, user_refs};
use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use hm_contracts::events::JobChanged;

pub async fn user_exists(conn: &mut AsyncPgConnection, id: uuid::Uuid) -> QueryResult<bool> {
    use diesel::dsl::exists;
    diesel::select(exists(user_refs::table.find(id)))
        .get_result(conn)
        .await
}

/// The job's state as of `as_of` (the event's time); an older state arriving late changes nothing.
pub async fn upsert_job(
    conn: &mut AsyncPgConnection,
    job: &JobChanged,
    as_of: DateTime<Utc>,
) -> QueryResult<()> {
    use diesel::sql_types::{Nullable, Text, Timestamptz, Uuid as SqlUuid};
    diesel::sql_query(
        "INSERT INTO job_refs (id, poster_id, contractor_id, status, as_of) VALUES ($1, $2, $3, $4, $5)
         ON CONFLICT (id) DO UPDATE SET poster_id = excluded.poster_id, contractor_id = excluded.contractor_id,
             status = excluded.status, as_of = excluded.as_of, updated_at = now()
         WHERE job_refs.as_of <= excluded.as_of",
    )
    .bind::<SqlUuid, _>(job.job_id)
    .bind::<SqlUuid, _>(job.poster_id)
    .bind::<Nullable<SqlUuid>, _>(job.contractor_id)
    .bind::<Text, _>(&job.status)
    .bind::<Timestamptz, _>(as_of)
    .execute(conn)
    .await
    .map(|_| ())
}

/// The projected user with this phone, if identity has announced one.
pub async fn user_by_phone(
    conn: &mut AsyncPgConnection,
    phone: &str,
) -> QueryResult<Option<uuid::Uuid>> {
    user_refs::table
        .filter(user_refs::phone.eq(phone))
        .select(user_refs::id)
        .first(conn)
        .await
        .optional()
}

/// The projected active service with this slug, if catalog has announced one.
pub async fn service_by_slug(
    conn: &mut AsyncPgConnection,
    slug: &str,
) -> QueryResult<Option<uuid::Uuid>> {
    service_refs::table
        .filter(service_refs::slug.eq(slug).and(service_refs::is_active))
        .select(service_refs::id)
        .first(conn)
        .await
        .optional()
}
