//! The projections every service that refers to catalog's services or identity's users keeps
//! (ARCHITECTURE §3): tables `service_refs (id, slug, name, title_en, is_active, display_order, …)` and
//! `user_refs (id, phone, role, first_name, last_name, is_active, …)` in the service's own database,
//! upserted from `catalog.service.*` and `identity.user.*` (the latest state wins; the inbox drops exact
//! redeliveries).

use diesel::sql_types::{Bool, Integer, Text, Uuid as SqlUuid};
use diesel::QueryResult;
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use hm_contracts::events::{ServiceChanged, UserRegistered, UserUpdated};

pub async fn upsert_service(conn: &mut AsyncPgConnection, s: &ServiceChanged) -> QueryResult<()> {
    diesel::sql_query(
        "INSERT INTO service_refs (id, slug, name, title_en, is_active, display_order)
         VALUES ($1, $2, $3, $4, $5, $6)
         ON CONFLICT (id) DO UPDATE SET slug = excluded.slug, name = excluded.name,
             title_en = excluded.title_en, is_active = excluded.is_active,
             display_order = excluded.display_order, updated_at = now()",
    )
    .bind::<SqlUuid, _>(s.service_id)
    .bind::<Text, _>(&s.slug)
    .bind::<Text, _>(&s.name)
    .bind::<Text, _>(&s.title_en)
    .bind::<Bool, _>(s.is_active)
    .bind::<Integer, _>(s.display_order)
    .execute(conn)
    .await
    .map(|_| ())
}

/// A registered user (active) or an updated one (as it says).
pub async fn upsert_user(conn: &mut AsyncPgConnection, user: &UserUpdated) -> QueryResult<()> {
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
