//! The projections of other services' data (ARCHITECTURE §3): catalog's services and identity's users
//! (kept by `hm_platform::projections`) and jobs' jobs.

use crate::schema::job_refs;
use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use hm_contracts::events::JobChanged;
use hm_platform::projections::schema::{service_refs, user_refs};

/// Whether identity has announced this user.
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
    use diesel::query_dsl::methods::FilterDsl;
    use diesel::upsert::excluded;
    use job_refs as j;
    let upsert = diesel::insert_into(j::table)
        .values((
            j::id.eq(job.job_id),
            j::poster_id.eq(job.poster_id),
            j::contractor_id.eq(job.contractor_id),
            j::status.eq(&job.status),
            j::as_of.eq(as_of),
        ))
        .on_conflict(j::id)
        .do_update()
        .set((
            j::poster_id.eq(excluded(j::poster_id)),
            j::contractor_id.eq(excluded(j::contractor_id)),
            j::status.eq(excluded(j::status)),
            j::as_of.eq(excluded(j::as_of)),
            j::updated_at.eq(diesel::dsl::now),
        ));
    FilterDsl::filter(upsert, j::as_of.le(excluded(j::as_of)))
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
