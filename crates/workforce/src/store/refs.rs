//! The projections of other services' data (ARCHITECTURE §3): catalog's services and identity's users.

use crate::schema::{service_refs, user_refs};
use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel::upsert::excluded;
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use hm_contracts::events::{JobChanged, ServiceChanged, UserRegistered, UserUpdated};

pub async fn upsert_service(conn: &mut AsyncPgConnection, s: &ServiceChanged) -> QueryResult<()> {
    diesel::insert_into(service_refs::table)
        .values((
            service_refs::id.eq(s.service_id),
            service_refs::slug.eq(&s.slug),
            service_refs::name.eq(&s.name),
            service_refs::title_en.eq(&s.title_en),
            service_refs::is_active.eq(s.is_active),
            service_refs::display_order.eq(s.display_order),
        ))
        .on_conflict(service_refs::id)
        .do_update()
        .set((
            service_refs::slug.eq(excluded(service_refs::slug)),
            service_refs::name.eq(excluded(service_refs::name)),
            service_refs::title_en.eq(excluded(service_refs::title_en)),
            service_refs::is_active.eq(excluded(service_refs::is_active)),
            service_refs::display_order.eq(excluded(service_refs::display_order)),
            service_refs::updated_at.eq(Utc::now()),
        ))
        .execute(conn)
        .await
        .map(|_| ())
}

pub async fn upsert_user(
    conn: &mut AsyncPgConnection,
    u: &UserRegistered,
    is_active: bool,
) -> QueryResult<()> {
    diesel::insert_into(user_refs::table)
        .values((
            user_refs::id.eq(u.user_id),
            user_refs::phone.eq(&u.phone),
            user_refs::role.eq(u.role.as_str()),
            user_refs::first_name.eq(&u.first_name),
            user_refs::last_name.eq(&u.last_name),
            user_refs::is_active.eq(is_active),
        ))
        .on_conflict(user_refs::id)
        .do_update()
        .set((
            user_refs::phone.eq(excluded(user_refs::phone)),
            user_refs::role.eq(excluded(user_refs::role)),
            user_refs::first_name.eq(excluded(user_refs::first_name)),
            user_refs::last_name.eq(excluded(user_refs::last_name)),
            user_refs::is_active.eq(excluded(user_refs::is_active)),
            user_refs::updated_at.eq(Utc::now()),
        ))
        .execute(conn)
        .await
        .map(|_| ())
}

pub fn registered_from_update(u: &UserUpdated) -> UserRegistered {
    UserRegistered {
        user_id: u.user_id,
        phone: u.phone.clone(),
        role: u.role,
        first_name: u.first_name.clone(),
        last_name: u.last_name.clone(),
    }
}

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
