//! Workforce's worker and contractor profiles as jobs knows them (whose profile is it), fed by
//! `workforce.worker.*` and `workforce.contractor.*`, and its sites (`workforce.site.*`: an emergency
//! request names one); catalog's services as a job or booking names them. Users and services:
//! `hm_platform::projections`; workers' positions for emergency dispatch: `store::dispatch`.

use crate::error::{JobsError, Result};
use crate::schema::{contractor_refs, site_refs, worker_refs};
use chrono::{DateTime, Utc};
use diesel::dsl::{exists, now};
use diesel::sql_types::{Text, Uuid as SqlUuid};
use diesel::upsert::excluded;
use diesel::{ExpressionMethods, OptionalExtension, QueryDsl, QueryResult, QueryableByName};
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use hm_contracts::events::SiteChanged;
use hm_platform::projections::schema::service_refs;
use uuid::Uuid;

/// Which profile table a reference lives in.
#[derive(Debug, Clone, Copy)]
pub enum Profile {
    Worker,
    Contractor,
}

impl Profile {
    fn table(self) -> &'static str {
        match self {
            Profile::Worker => "worker_refs",
            Profile::Contractor => "contractor_refs",
        }
    }
}

/// Whose profile it is; a worker's also as workforce shows it (kept when an event carries none).
pub async fn upsert_profile(
    conn: &mut AsyncPgConnection,
    kind: Profile,
    id: Uuid,
    user: Uuid,
    profile: Option<&serde_json::Value>,
) -> QueryResult<()> {
    use worker_refs as w;
    match (kind, profile) {
        (Profile::Worker, Some(profile)) => {
            diesel::insert_into(w::table)
                .values((w::id.eq(id), w::user_id.eq(user), w::profile.eq(profile)))
                .on_conflict(w::id)
                .do_update()
                .set((
                    w::user_id.eq(excluded(w::user_id)),
                    w::profile.eq(excluded(w::profile)),
                    w::updated_at.eq(now),
                ))
                .execute(conn)
                .await
        }
        (Profile::Worker, None) => {
            diesel::insert_into(w::table)
                .values((w::id.eq(id), w::user_id.eq(user)))
                .on_conflict(w::id)
                .do_update()
                .set((w::user_id.eq(excluded(w::user_id)), w::updated_at.eq(now)))
                .execute(conn)
                .await
        }
        (Profile::Contractor, _) => {
            use contractor_refs as c;
            diesel::insert_into(c::table)
                .values((c::id.eq(id), c::user_id.eq(user)))
                .on_conflict(c::id)
                .do_update()
                .set((c::user_id.eq(excluded(c::user_id)), c::updated_at.eq(now)))
                .execute(conn)
                .await
        }
    }
    .map(|_| ())
}

/// Forgets a deleted profile.
pub async fn delete_profile(
    conn: &mut AsyncPgConnection,
    kind: Profile,
    id: Uuid,
) -> QueryResult<()> {
    match kind {
        Profile::Worker => {
            diesel::delete(worker_refs::table.find(id))
                .execute(conn)
                .await
        }
        Profile::Contractor => {
            diesel::delete(contractor_refs::table.find(id))
                .execute(conn)
                .await
        }
    }
    .map(|_| ())
}

/// A site as workforce announced it at `as_of` (the event's `occurred_at`), unless a newer event has
/// been taken already.
pub async fn upsert_site(
    conn: &mut AsyncPgConnection,
    site: &SiteChanged,
    as_of: DateTime<Utc>,
) -> QueryResult<()> {
    use diesel::query_dsl::methods::FilterDsl;
    use site_refs as s;
    let upsert = diesel::insert_into(s::table)
        .values((
            s::id.eq(site.site_id),
            s::contractor_id.eq(site.contractor_id),
            s::name.eq(&site.name),
            s::is_active.eq(site.is_active),
            s::as_of.eq(as_of),
        ))
        .on_conflict(s::id)
        .do_update()
        .set((
            s::contractor_id.eq(excluded(s::contractor_id)),
            s::name.eq(excluded(s::name)),
            s::is_active.eq(excluded(s::is_active)),
            s::as_of.eq(excluded(s::as_of)),
            s::updated_at.eq(now),
        ));
    FilterDsl::filter(upsert, s::as_of.le(excluded(s::as_of)))
        .execute(conn)
        .await
        .map(|_| ())
}

/// Forgets a deleted site (requests that named it keep no site).
pub async fn delete_site(conn: &mut AsyncPgConnection, id: Uuid) -> QueryResult<()> {
    diesel::delete(site_refs::table.find(id))
        .execute(conn)
        .await
        .map(|_| ())
}

/// Forgets the sites of a deleted contractor (workforce deletes them with the profile, unannounced).
pub async fn delete_sites_of(conn: &mut AsyncPgConnection, contractor: Uuid) -> QueryResult<()> {
    diesel::delete(site_refs::table.filter(site_refs::contractor_id.eq(contractor)))
        .execute(conn)
        .await
        .map(|_| ())
}

/// Whether workforce has announced a site with this id (and not deleted it).
pub async fn site_exists(conn: &mut AsyncPgConnection, id: Uuid) -> QueryResult<bool> {
    diesel::select(exists(site_refs::table.find(id)))
        .get_result(conn)
        .await
}

/// The user's phone, if identity has announced them.
pub async fn phone_of(conn: &mut AsyncPgConnection, user: Uuid) -> QueryResult<Option<String>> {
    use hm_platform::projections::schema::user_refs as u;
    u::table
        .find(user)
        .select(u::phone)
        .first(conn)
        .await
        .optional()
}

/// A profile and whose it is.
#[derive(Debug, Clone, QueryableByName)]
pub struct ProfileOf {
    #[diesel(sql_type = SqlUuid)]
    pub id: Uuid,
    #[diesel(sql_type = SqlUuid)]
    pub user_id: Uuid,
    /// The user's full name, else phone (empty while identity's user is unknown here).
    #[diesel(sql_type = Text)]
    pub name: String,
}

// Raw SQL: the name comes from the database's `person_name()` over the user projection, and the table
// is chosen at run time.
const PROFILE: &str =
    "SELECT p.id, p.user_id, coalesce(person_name(u.first_name, u.last_name, u.phone), '') AS name
    FROM {t} p LEFT JOIN user_refs u ON u.id = p.user_id";

/// The user's profile of that kind, if they have one.
pub async fn profile_of_user(
    conn: &mut AsyncPgConnection,
    kind: Profile,
    user: Uuid,
) -> QueryResult<Option<ProfileOf>> {
    diesel::sql_query(format!(
        "{} WHERE p.user_id = $1",
        PROFILE.replace("{t}", kind.table())
    ))
    .bind::<SqlUuid, _>(user)
    .get_result(conn)
    .await
    .optional()
}

/// The profile with this id, if it exists.
pub async fn profile(
    conn: &mut AsyncPgConnection,
    kind: Profile,
    id: Uuid,
) -> QueryResult<Option<ProfileOf>> {
    diesel::sql_query(format!(
        "{} WHERE p.id = $1",
        PROFILE.replace("{t}", kind.table())
    ))
    .bind::<SqlUuid, _>(id)
    .get_result(conn)
    .await
    .optional()
}

/// The active service with this id, if catalog has announced it.
pub async fn active_service(conn: &mut AsyncPgConnection, id: Uuid) -> QueryResult<bool> {
    diesel::select(exists(
        service_refs::table
            .filter(service_refs::id.eq(id))
            .filter(service_refs::is_active.eq(true)),
    ))
    .get_result(conn)
    .await
}

diesel::define_sql_function! {
    /// The database's `person_name()`: full name, else phone.
    fn person_name(first: Text, last: Text, phone: Text) -> Nullable<Text>;
}

/// How a user is shown (full name, else phone; empty while identity's user is unknown here).
pub async fn display_name(conn: &mut AsyncPgConnection, user: Uuid) -> QueryResult<String> {
    use hm_platform::projections::schema::user_refs as u;
    let name: Option<Option<String>> = u::table
        .find(user)
        .select(person_name(u::first_name, u::last_name, u::phone))
        .first(conn)
        .await
        .optional()?;
    Ok(name.flatten().unwrap_or_default())
}

/// The active service `service` names: by id, else by slug, alias, name or English title (the one
/// resolution every service uses, `hm_platform::projections::resolve_services`).
pub async fn service_named(conn: &mut AsyncPgConnection, service: &str) -> Result<Uuid> {
    if let Ok(id) = Uuid::parse_str(service) {
        return if active_service(conn, id).await? {
            Ok(id)
        } else {
            Err(JobsError::UnknownService(id.to_string()))
        };
    }
    hm_platform::projections::resolve_services(conn, &[service.to_owned()])
        .await?
        .into_iter()
        .next()
        .flatten()
        .ok_or_else(|| JobsError::UnknownService(service.to_owned()))
}

/// The id `service` names, when one was sent.
pub async fn resolve(conn: &mut AsyncPgConnection, service: Option<&str>) -> Result<Option<Uuid>> {
    match service {
        Some(s) => service_named(conn, s).await.map(Some),
        None => Ok(None),
    }
}

/// Like [`resolve`], but an id is passed on unchecked: the write that uses it checks it.
pub async fn resolve_name(
    conn: &mut AsyncPgConnection,
    service: Option<&str>,
) -> Result<Option<Uuid>> {
    match service.map(|s| (s, Uuid::parse_str(s))) {
        Some((_, Ok(id))) => Ok(Some(id)),
        Some((name, Err(_))) => service_named(conn, name).await.map(Some),
        None => Ok(None),
    }
}
