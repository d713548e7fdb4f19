//! A worker's skills (DOMAIN §2.1): the services a profile offers (`worker_services`) and the names it
//! gave that no service matched yet (`skill_requests`, until catalog answers). Names are compared as
//! `hm_contracts::skills::key` makes them; services are found by `hm_platform::projections::resolve_services`.

use diesel::sql_types::{BigInt, SmallInt, Text, Uuid as SqlUuid};
use diesel::{OptionalExtension, QueryResult, QueryableByName};
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use uuid::Uuid;

/// New skills (names no service matched) one user may ask for in a day: a skill list is not a way to
/// write arbitrary text into the catalog.
pub const NEW_SKILLS_PER_DAY: usize = 5;

/// Holds the profile's row lock until the transaction ends: edits of one worker's skills take turns (the
/// daily count of new skills is decided one edit at a time).
pub async fn lock_worker(conn: &mut AsyncPgConnection, worker: Uuid) -> QueryResult<()> {
    diesel::sql_query("SELECT 1 FROM worker_profiles WHERE id = $1 FOR UPDATE")
        .bind::<SqlUuid, _>(worker)
        .execute(conn)
        .await
        .map(|_| ())
}

/// The keys of the new skills `user` asked for today (UTC day), resolved or not.
pub async fn asked_today(conn: &mut AsyncPgConnection, user: Uuid) -> QueryResult<Vec<String>> {
    #[derive(QueryableByName)]
    struct Key {
        #[diesel(sql_type = Text)]
        name_key: String,
    }
    let keys: Vec<Key> = diesel::sql_query(
        "SELECT DISTINCT name_key FROM skill_requests
         WHERE user_id = $1 AND created_at >= date_trunc('day', now())",
    )
    .bind::<SqlUuid, _>(user)
    .load(conn)
    .await?;
    Ok(keys.into_iter().map(|k| k.name_key).collect())
}

/// Replacing a profile's skills: its services unlinked, its open requests dropped (kept for the count).
pub async fn clear(conn: &mut AsyncPgConnection, worker: Uuid) -> QueryResult<()> {
    diesel::sql_query("DELETE FROM worker_services WHERE worker_id = $1")
        .bind::<SqlUuid, _>(worker)
        .execute(conn)
        .await?;
    diesel::sql_query(
        "UPDATE skill_requests SET dropped_at = now(), updated_at = now()
         WHERE worker_id = $1 AND service_id IS NULL AND dropped_at IS NULL",
    )
    .bind::<SqlUuid, _>(worker)
    .execute(conn)
    .await
    .map(|_| ())
}

/// The position after the profile's last skill (services and open requests share one order).
pub async fn next_position(conn: &mut AsyncPgConnection, worker: Uuid) -> QueryResult<i16> {
    #[derive(QueryableByName)]
    struct Next {
        #[diesel(sql_type = BigInt)]
        n: i64,
    }
    let next: Next = diesel::sql_query(
        "SELECT coalesce(max(position) + 1, 0)::bigint AS n FROM (
             SELECT position FROM worker_services WHERE worker_id = $1
             UNION ALL
             SELECT position FROM skill_requests
             WHERE worker_id = $1 AND service_id IS NULL AND dropped_at IS NULL) p",
    )
    .bind::<SqlUuid, _>(worker)
    .get_result(conn)
    .await?;
    Ok(i16::try_from(next.n).unwrap_or(i16::MAX))
}

/// Links `service` to the profile at `position` (already linked: unchanged).
pub async fn link(
    conn: &mut AsyncPgConnection,
    worker: Uuid,
    service: Uuid,
    position: i16,
) -> QueryResult<()> {
    diesel::sql_query(
        "INSERT INTO worker_services (worker_id, service_id, position) VALUES ($1, $2, $3)
         ON CONFLICT DO NOTHING",
    )
    .bind::<SqlUuid, _>(worker)
    .bind::<SqlUuid, _>(service)
    .bind::<SmallInt, _>(position)
    .execute(conn)
    .await
    .map(|_| ())
}

/// Records a name no service matched; `None` when the profile already has it open.
pub async fn request(
    conn: &mut AsyncPgConnection,
    worker: Uuid,
    user: Uuid,
    name: &str,
    position: i16,
) -> QueryResult<Option<Uuid>> {
    #[derive(QueryableByName)]
    struct Id {
        #[diesel(sql_type = SqlUuid)]
        id: Uuid,
    }
    let id: Option<Id> = diesel::sql_query(
        "INSERT INTO skill_requests (id, worker_id, user_id, name, name_key, position)
         VALUES ($1, $2, $3, $4, $5, $6)
         ON CONFLICT (worker_id, name_key) WHERE service_id IS NULL AND dropped_at IS NULL
         DO NOTHING RETURNING id",
    )
    .bind::<SqlUuid, _>(Uuid::new_v4())
    .bind::<SqlUuid, _>(worker)
    .bind::<SqlUuid, _>(user)
    .bind::<Text, _>(name)
    .bind::<Text, _>(hm_contracts::skills::key(name))
    .bind::<SmallInt, _>(position)
    .get_result(conn)
    .await
    .optional()?;
    Ok(id.map(|i| i.id))
}

/// Catalog's answer to a request: the open request becomes the service, linked at its position.
/// `None` when the request is no longer open (dropped by a later edit, or answered already).
pub async fn resolve(
    conn: &mut AsyncPgConnection,
    request: Uuid,
    service: Uuid,
) -> QueryResult<Option<Uuid>> {
    #[derive(QueryableByName)]
    struct Resolved {
        #[diesel(sql_type = SqlUuid)]
        worker_id: Uuid,
        #[diesel(sql_type = SmallInt)]
        position: i16,
    }
    let resolved: Option<Resolved> = diesel::sql_query(
        "UPDATE skill_requests SET service_id = $2, resolved_at = now(), updated_at = now()
         WHERE id = $1 AND service_id IS NULL AND dropped_at IS NULL
         RETURNING worker_id, position",
    )
    .bind::<SqlUuid, _>(request)
    .bind::<SqlUuid, _>(service)
    .get_result(conn)
    .await
    .optional()?;
    let Some(r) = resolved else {
        return Ok(None);
    };
    link(conn, r.worker_id, service, r.position).await?;
    Ok(Some(r.worker_id))
}
