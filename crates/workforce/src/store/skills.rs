//! A worker's skills (DOMAIN §2.1): the services a profile offers (`worker_services`) and the names it
//! gave that no service matched yet (`skill_requests`, until catalog answers). Names are compared as
//! `hm_contracts::skills::key` makes them; services are found by `hm_platform::projections::resolve_services`.

use crate::domain::skills as rules;
use crate::error::WorkforceError;
use crate::events::published;
use crate::schema::{skill_requests, worker_services};
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Uuid as SqlUuid};
use diesel::{OptionalExtension, QueryResult, QueryableByName};
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use uuid::Uuid;

pub use crate::domain::skills::NEW_SKILLS_PER_DAY;

/// Gives the profile the skills `names` (after its current ones, or instead of them): a name a service
/// answers to links that service; any other is a new skill (DOMAIN §2.1), shown as written and announced
/// to catalog, which creates the service (`workforce.skill.requested` → `catalog.skill.resolved`), at
/// most [`NEW_SKILLS_PER_DAY`] a day per user (else 400, nothing changed). Runs inside the caller's
/// transaction.
pub async fn set(
    conn: &mut AsyncPgConnection,
    worker: Uuid,
    user: Uuid,
    names: &[String],
    replace: bool,
    correlation: Option<String>,
) -> Result<(), WorkforceError> {
    let owned = rules::distinct(names);
    let found = hm_platform::projections::resolve_services(conn, &owned).await?;
    lock_worker(conn, worker).await?;
    let asked = asked_today(conn, user).await?;
    let new = owned.iter().zip(&found).filter(|(_, id)| id.is_none());
    if !rules::within_daily_allowance(&asked, new.map(|(name, _)| name)) {
        return Err(WorkforceError::TooManyNewSkills);
    }
    if replace {
        clear(conn, worker).await?;
    }
    let first = next_position(conn, worker).await?;
    for (i, (name, service)) in owned.iter().zip(found).enumerate() {
        let position = first.saturating_add(i16::try_from(i).unwrap_or(i16::MAX));
        match service {
            Some(service) => link(conn, worker, service, position).await?,
            None => {
                if let Some(request) = request(conn, worker, user, name, position).await? {
                    hm_platform::events::enqueue(
                        conn,
                        published::skill_requested(
                            request,
                            worker,
                            user,
                            name,
                            correlation.clone(),
                        ),
                    )
                    .await?;
                }
            }
        }
    }
    Ok(())
}

/// Holds the profile's row lock until the transaction ends: edits of one worker's skills take turns (the
/// daily count of new skills is decided one edit at a time).
async fn lock_worker(conn: &mut AsyncPgConnection, worker: Uuid) -> QueryResult<()> {
    use crate::schema::worker_profiles;
    worker_profiles::table
        .find(worker)
        .select(worker_profiles::id)
        .for_update()
        .load::<Uuid>(conn)
        .await
        .map(|_| ())
}

/// The keys of the new skills `user` asked for today (UTC day), resolved or not.
async fn asked_today(conn: &mut AsyncPgConnection, user: Uuid) -> QueryResult<Vec<String>> {
    skill_requests::table
        .filter(skill_requests::user_id.eq(user))
        .filter(
            skill_requests::created_at.ge(diesel::dsl::sql::<diesel::sql_types::Timestamptz>(
                "date_trunc('day', now())",
            )),
        )
        .select(skill_requests::name_key)
        .distinct()
        .load(conn)
        .await
}

/// Replacing a profile's skills: its services unlinked, its open requests dropped (kept for the count).
async fn clear(conn: &mut AsyncPgConnection, worker: Uuid) -> QueryResult<()> {
    use diesel::dsl::now;
    diesel::delete(worker_services::table.filter(worker_services::worker_id.eq(worker)))
        .execute(conn)
        .await?;
    diesel::update(
        skill_requests::table
            .filter(skill_requests::worker_id.eq(worker))
            .filter(skill_requests::service_id.is_null())
            .filter(skill_requests::dropped_at.is_null()),
    )
    .set((
        skill_requests::dropped_at.eq(now),
        skill_requests::updated_at.eq(now),
    ))
    .execute(conn)
    .await
    .map(|_| ())
}

/// The position after the profile's last skill (services and open requests share one order).
// Raw SQL: the max over a UNION of two tables.
async fn next_position(conn: &mut AsyncPgConnection, worker: Uuid) -> QueryResult<i16> {
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
    diesel::insert_into(worker_services::table)
        .values((
            worker_services::worker_id.eq(worker),
            worker_services::service_id.eq(service),
            worker_services::position.eq(position),
        ))
        .on_conflict_do_nothing()
        .execute(conn)
        .await
        .map(|_| ())
}

/// Records a name no service matched; `None` when the profile already has it open.
async fn request(
    conn: &mut AsyncPgConnection,
    worker: Uuid,
    user: Uuid,
    name: &str,
    position: i16,
) -> QueryResult<Option<Uuid>> {
    use diesel::upsert::DecoratableTarget;
    use skill_requests as r;
    diesel::insert_into(r::table)
        .values((
            r::id.eq(Uuid::new_v4()),
            r::worker_id.eq(worker),
            r::user_id.eq(user),
            r::name.eq(name),
            r::name_key.eq(hm_contracts::skills::key(name)),
            r::position.eq(position),
        ))
        .on_conflict((r::worker_id, r::name_key))
        .filter_target(r::service_id.is_null().and(r::dropped_at.is_null()))
        .do_nothing()
        .returning(r::id)
        .get_result(conn)
        .await
        .optional()
}

/// Catalog's answer to a request: the open request becomes the service, linked at its position.
/// `None` when the request is no longer open (dropped by a later edit, or answered already).
pub async fn resolve(
    conn: &mut AsyncPgConnection,
    request: Uuid,
    service: Uuid,
) -> QueryResult<Option<Uuid>> {
    use diesel::dsl::now;
    let resolved: Option<(Uuid, i16)> = diesel::update(
        skill_requests::table
            .find(request)
            .filter(skill_requests::service_id.is_null())
            .filter(skill_requests::dropped_at.is_null()),
    )
    .set((
        skill_requests::service_id.eq(service),
        skill_requests::resolved_at.eq(now),
        skill_requests::updated_at.eq(now),
    ))
    .returning((skill_requests::worker_id, skill_requests::position))
    .get_result(conn)
    .await
    .optional()?;
    let Some((worker, position)) = resolved else {
        return Ok(None);
    };
    link(conn, worker, service, position).await?;
    Ok(Some(worker))
}
