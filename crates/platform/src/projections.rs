//! The projections every service that refers to catalog's services or identity's users keeps
//! (ARCHITECTURE §3): tables `service_refs (id, slug, name, title_en, is_active, display_order, …)` and
//! `user_refs (id, phone, role, first_name, last_name, is_active, …)` in the service's own database,
//! upserted from `catalog.service.*` and `identity.user.*` (the latest state wins; the inbox drops exact
//! redeliveries).

use diesel::sql_types::{Array, Bool, Integer, Nullable, Text, Uuid as SqlUuid};
use diesel::QueryResult;
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use hm_contracts::events::{ServiceChanged, UserRegistered, UserUpdated};

pub async fn upsert_service(conn: &mut AsyncPgConnection, s: &ServiceChanged) -> QueryResult<()> {
    // Raw SQL: the projection tables live in each service's schema.rs, not the platform's.
    diesel::sql_query(
        "INSERT INTO service_refs (id, slug, name, title_en, is_active, display_order, aliases)
         VALUES ($1, $2, $3, $4, $5, $6, $7)
         ON CONFLICT (id) DO UPDATE SET slug = excluded.slug, name = excluded.name,
             title_en = excluded.title_en, is_active = excluded.is_active,
             display_order = excluded.display_order, aliases = excluded.aliases, updated_at = now()",
    )
    .bind::<SqlUuid, _>(s.service_id)
    .bind::<Text, _>(&s.slug)
    .bind::<Text, _>(&s.name)
    .bind::<Text, _>(&s.title_en)
    .bind::<Bool, _>(s.is_active)
    .bind::<Integer, _>(s.display_order)
    .bind::<Array<Text>, _>(&s.aliases)
    .execute(conn)
    .await
    .map(|_| ())
}

/// The active services `names` name, in their order (`None` where none does): skill resolution, the
/// same for every caller (workers' skills, a job's or booking's `service` given by name). A name matches
/// a service by its slug, an alias, its name or its English title, compared as
/// [`hm_contracts::skills::key`] makes them (`"  PLUMBING "`, `Plumber`, `plumbing` → `plumber`).
pub async fn resolve_services(
    conn: &mut AsyncPgConnection,
    names: &[String],
) -> QueryResult<Vec<Option<uuid::Uuid>>> {
    #[derive(diesel::QueryableByName)]
    struct Found {
        #[diesel(sql_type = Nullable<SqlUuid>)]
        id: Option<uuid::Uuid>,
    }
    let keys: Vec<String> = names.iter().map(|n| hm_contracts::skills::key(n)).collect();
    // Raw SQL: unnest … WITH ORDINALITY keeps the names' order; the builder cannot say it.
    let rows: Vec<Found> = diesel::sql_query(
        "SELECT (SELECT s.id FROM service_refs s
                 WHERE s.is_active
                   AND (s.slug = w.key OR w.key = ANY (s.aliases) OR lower(s.name) = w.key
                        OR lower(s.title_en) = w.key OR s.slug = replace(w.key, ' ', '-'))
                 ORDER BY s.display_order, s.name LIMIT 1) AS id
         FROM unnest($1::text[]) WITH ORDINALITY AS w(key, n)
         ORDER BY w.n",
    )
    .bind::<Array<Text>, _>(&keys)
    .load(conn)
    .await?;
    Ok(rows.into_iter().map(|r| r.id).collect())
}

/// A registered user (active) or an updated one (as it says).
pub async fn upsert_user(conn: &mut AsyncPgConnection, user: &UserUpdated) -> QueryResult<()> {
    // Raw SQL: the projection tables live in each service's schema.rs, not the platform's.
    diesel::sql_query(
        "INSERT INTO user_refs (id, phone, role, first_name, last_name, is_active)
         VALUES ($1, $2, $3, $4, $5, $6)
         ON CONFLICT (id) DO UPDATE SET phone = excluded.phone, role = excluded.role,
             first_name = excluded.first_name, last_name = excluded.last_name,
             is_active = excluded.is_active, updated_at = now()",
    )
    .bind::<SqlUuid, _>(user.user_id)
    .bind::<Text, _>(&user.phone)
    .bind::<Text, _>(user.role.as_str())
    .bind::<Text, _>(&user.first_name)
    .bind::<Text, _>(&user.last_name)
    .bind::<Bool, _>(user.is_active)
    .execute(conn)
    .await
    .map(|_| ())
}

/// A newly registered user is active.
pub fn registered(u: UserRegistered) -> UserUpdated {
    UserUpdated {
        user_id: u.user_id,
        phone: u.phone,
        role: u.role,
        first_name: u.first_name,
        last_name: u.last_name,
        is_active: true,
    }
}

/// Applies `event` to the user and service projections when it is theirs (`identity.user.*`,
/// `catalog.service.*`); `false` for any other event, which the service's own handler takes. The one
/// place every consumer keeps its projections in step.
pub async fn apply(
    conn: &mut AsyncPgConnection,
    event: &hm_contracts::Event,
) -> Result<bool, crate::events::HandlerError> {
    use hm_contracts::events::types;
    match event.event_type.as_str() {
        types::SERVICE_CREATED | types::SERVICE_UPDATED => {
            upsert_service(conn, &event.payload::<ServiceChanged>()?).await?
        }
        types::USER_REGISTERED => {
            upsert_user(conn, &registered(event.payload::<UserRegistered>()?)).await?
        }
        types::USER_UPDATED => upsert_user(conn, &event.payload::<UserUpdated>()?).await?,
        _ => return Ok(false),
    }
    Ok(true)
}
