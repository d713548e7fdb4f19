//! The projections a service keeps of other services' data (ARCHITECTURE §3), whole in the platform: the
//! tables (`schema`, made by the migrations under `crates/platform/projections/`), the events that keep
//! them and the upserts. A service names the ones it keeps in its [`crate::service::ServiceInfo`]; the
//! platform migrates their tables before the service's own (whose tables may refer to them) and its
//! consumer applies their events before the service's handler sees any other.
//!
//! - [`Projection::Users`]: `user_refs (id, phone, role, first_name, last_name, is_active, ekyc_status,
//!   …)`, from
//!   `identity.user.registered|updated`.
//! - [`Projection::Services`]: `service_refs (id, slug, name, title_en, is_active, display_order,
//!   aliases, …)`, from `catalog.service.created|updated`.
//!
//! The latest state wins; the inbox drops exact redeliveries.

pub mod schema;

use crate::db::EmbeddedMigrations;
use diesel::prelude::*;
use diesel::sql_types::{Array, Nullable, Text, Uuid as SqlUuid};
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use hm_contracts::events::{types, ServiceChanged, UserRegistered, UserUpdated};

/// A projection of another service's data that a service keeps in its own database.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Projection {
    /// identity's users (`user_refs`).
    Users,
    /// catalog's services (`service_refs`).
    Services,
}

const USERS_MIGRATIONS: EmbeddedMigrations = crate::db::embed_migrations!("projections/users");
const SERVICES_MIGRATIONS: EmbeddedMigrations =
    crate::db::embed_migrations!("projections/services");

impl Projection {
    /// The migrations that make its table.
    pub const fn migrations(self) -> &'static EmbeddedMigrations {
        match self {
            Projection::Users => &USERS_MIGRATIONS,
            Projection::Services => &SERVICES_MIGRATIONS,
        }
    }

    /// The routing keys of the events that keep it.
    pub const fn events(self) -> &'static [&'static str] {
        match self {
            Projection::Users => &[types::USER_REGISTERED, types::USER_UPDATED],
            Projection::Services => &[types::SERVICE_CREATED, types::SERVICE_UPDATED],
        }
    }
}

/// A service's projection row from its announcement: the latest state wins.
pub async fn upsert_service(conn: &mut AsyncPgConnection, s: &ServiceChanged) -> QueryResult<()> {
    use schema::service_refs as r;
    let aliases: Vec<Option<&str>> = s.aliases.iter().map(|a| Some(a.as_str())).collect();
    let row = (
        r::id.eq(s.service_id),
        r::slug.eq(&s.slug),
        r::name.eq(&s.name),
        r::title_en.eq(&s.title_en),
        r::is_active.eq(s.is_active),
        r::display_order.eq(s.display_order),
        r::aliases.eq(&aliases),
    );
    diesel::insert_into(r::table)
        .values(row)
        .on_conflict(r::id)
        .do_update()
        .set((row, r::updated_at.eq(diesel::dsl::now)))
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
    use schema::user_refs as r;
    let row = (
        r::id.eq(user.user_id),
        r::phone.eq(&user.phone),
        r::role.eq(user.role.as_str()),
        r::first_name.eq(&user.first_name),
        r::last_name.eq(&user.last_name),
        r::is_active.eq(user.is_active),
        r::ekyc_status.eq(user.ekyc_status.as_str()),
    );
    diesel::insert_into(r::table)
        .values(row)
        .on_conflict(r::id)
        .do_update()
        .set((row, r::updated_at.eq(diesel::dsl::now)))
        .execute(conn)
        .await
        .map(|_| ())
}

/// A newly registered user is active and has done no eKYC.
pub fn registered(u: UserRegistered) -> UserUpdated {
    UserUpdated {
        user_id: u.user_id,
        phone: u.phone,
        role: u.role,
        first_name: u.first_name,
        last_name: u.last_name,
        is_active: true,
        ekyc_status: hm_contracts::EkycStatus::None,
    }
}

/// A registered user ([`registered`]), unless identity has told more of them already (an
/// `identity.user.updated` taken first, or a registration delivered again): their eKYC status is then
/// kept, as registering never changes it.
pub async fn upsert_registered(conn: &mut AsyncPgConnection, u: UserRegistered) -> QueryResult<()> {
    use schema::user_refs as r;
    let user = registered(u);
    let row = (
        r::id.eq(user.user_id),
        r::phone.eq(&user.phone),
        r::role.eq(user.role.as_str()),
        r::first_name.eq(&user.first_name),
        r::last_name.eq(&user.last_name),
        r::is_active.eq(user.is_active),
    );
    diesel::insert_into(r::table)
        .values((row, r::ekyc_status.eq(user.ekyc_status.as_str())))
        .on_conflict(r::id)
        .do_update()
        .set((row, r::updated_at.eq(diesel::dsl::now)))
        .execute(conn)
        .await
        .map(|_| ())
}

/// Applies `event` to the projection of `kept` it keeps; `false` when it keeps none of them (the
/// service's own handler takes it). The platform's consumer calls it, inside the inbox transaction.
pub async fn apply(
    conn: &mut AsyncPgConnection,
    kept: &[Projection],
    event: &hm_contracts::Event,
) -> Result<bool, crate::events::HandlerError> {
    let kind = event.event_type.as_str();
    let Some(projection) = kept.iter().find(|p| p.events().contains(&kind)) else {
        return Ok(false);
    };
    match (projection, kind) {
        (Projection::Services, _) => upsert_service(conn, &event.payload()?).await?,
        (Projection::Users, types::USER_REGISTERED) => {
            upsert_registered(conn, event.payload::<UserRegistered>()?).await?
        }
        (Projection::Users, _) => upsert_user(conn, &event.payload()?).await?,
    }
    Ok(true)
}
