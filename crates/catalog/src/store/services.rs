//! Services (skills): reads, the admin's writes with their events, seeding and skills' lookups.

use crate::error::{CatalogError, Result};
use crate::schema::services;
use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel_async::scoped_futures::ScopedFutureExt;
use diesel_async::AsyncConnection;
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use hm_contracts::events::{types, Event, ServiceChanged};
use hm_platform::events::enqueue;
use uuid::Uuid;

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = services)]
pub struct Service {
    pub id: Uuid,
    pub name: String,
    pub slug: String,
    pub title_en: String,
    pub title_hi: String,
    pub category: String,
    pub description: String,
    pub icon_s3_key: String,
    pub is_active: bool,
    pub display_order: i32,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    /// Other slugs that name it (`plumbing` for `plumber`).
    pub aliases: Vec<String>,
    /// Created from a worker's skill (DOMAIN §2.1), for staff to review.
    pub auto_created: bool,
    /// The user whose skill created it.
    pub requested_by: Option<Uuid>,
}

#[derive(Debug, Clone, Insertable)]
#[diesel(table_name = services)]
pub struct NewService {
    pub id: Uuid,
    pub name: String,
    pub slug: String,
    pub title_en: String,
    pub title_hi: String,
    pub category: String,
    pub description: String,
    pub icon_s3_key: String,
    pub is_active: bool,
    pub display_order: i32,
    pub aliases: Vec<String>,
    pub auto_created: bool,
    pub requested_by: Option<Uuid>,
}

#[derive(Debug, Clone, Default, AsChangeset)]
#[diesel(table_name = services)]
pub struct ServiceChanges {
    pub name: Option<String>,
    pub slug: Option<String>,
    pub title_en: Option<String>,
    pub title_hi: Option<String>,
    pub category: Option<String>,
    pub description: Option<String>,
    pub icon_s3_key: Option<String>,
    pub is_active: Option<bool>,
    pub display_order: Option<i32>,
    pub updated_at: Option<DateTime<Utc>>,
}

diesel::define_sql_function! {
    /// SQL's `lower(text)`.
    fn lower(x: diesel::sql_types::Text) -> diesel::sql_types::Text;
}

/// Active services in display order (DOMAIN §2.1).
pub async fn active(conn: &mut AsyncPgConnection) -> QueryResult<Vec<Service>> {
    services::table
        .filter(services::is_active.eq(true))
        .order((services::display_order.asc(), services::name.asc()))
        .select(Service::as_select())
        .load(conn)
        .await
}

pub async fn all(conn: &mut AsyncPgConnection) -> QueryResult<Vec<Service>> {
    services::table
        .order((services::display_order.asc(), services::name.asc()))
        .select(Service::as_select())
        .load(conn)
        .await
}

/// The active service with this slug or alias (`/api/v1/services/plumbing/` is `plumber`).
pub async fn active_by_slug(
    conn: &mut AsyncPgConnection,
    slug: &str,
) -> QueryResult<Option<Service>> {
    services::table
        .filter(
            services::slug
                .eq(slug)
                .or(services::aliases.contains(vec![slug.to_owned()])),
        )
        .filter(services::is_active.eq(true))
        .select(Service::as_select())
        .first(conn)
        .await
        .optional()
}

pub async fn by_id(conn: &mut AsyncPgConnection, id: Uuid) -> QueryResult<Option<Service>> {
    services::table
        .find(id)
        .select(Service::as_select())
        .first(conn)
        .await
        .optional()
}

pub async fn insert(conn: &mut AsyncPgConnection, new: &NewService) -> QueryResult<Service> {
    diesel::insert_into(services::table)
        .values(new)
        .returning(Service::as_returning())
        .get_result(conn)
        .await
}

pub async fn update(
    conn: &mut AsyncPgConnection,
    id: Uuid,
    changes: &ServiceChanges,
) -> QueryResult<Option<Service>> {
    diesel::update(services::table.find(id))
        .set(changes)
        .returning(Service::as_returning())
        .get_result(conn)
        .await
        .optional()
}

/// Creates a service and appends `catalog.service.created`, in one transaction.
pub async fn create(
    conn: &mut AsyncPgConnection,
    new: NewService,
    correlation: Option<String>,
) -> Result<Service> {
    conn.transaction(move |conn| {
        async move {
            let service = insert(conn, &new).await?;
            enqueue(conn, service_changed(&service, true, correlation)).await?;
            Ok(service)
        }
        .scope_boxed()
    })
    .await
}

/// Changes a service and appends `catalog.service.updated`, in one transaction.
pub async fn change(
    conn: &mut AsyncPgConnection,
    id: Uuid,
    changes: ServiceChanges,
    correlation: Option<String>,
) -> Result<Service> {
    conn.transaction(move |conn| {
        async move {
            let service = update(conn, id, &changes)
                .await?
                .ok_or(CatalogError::ServiceNotFound)?;
            enqueue(conn, service_changed(&service, false, correlation)).await?;
            Ok(service)
        }
        .scope_boxed()
    })
    .await
}

/// Seeding: insert or refresh by slug.
pub async fn upsert_by_slug(
    conn: &mut AsyncPgConnection,
    new: &NewService,
) -> QueryResult<Service> {
    diesel::insert_into(services::table)
        .values(new)
        .on_conflict(services::slug)
        .do_update()
        .set((
            services::name.eq(&new.name),
            services::title_en.eq(&new.title_en),
            services::title_hi.eq(&new.title_hi),
            services::category.eq(&new.category),
            services::description.eq(&new.description),
            services::icon_s3_key.eq(&new.icon_s3_key),
            services::display_order.eq(new.display_order),
            services::aliases.eq(&new.aliases),
            services::updated_at.eq(Utc::now()),
        ))
        .returning(Service::as_returning())
        .get_result(conn)
        .await
}

/// The service a skill's name means (DOMAIN §2.1): by slug, alias, name or English title, compared as
/// `hm_contracts::skills::key` makes them (an active one first).
pub async fn named(conn: &mut AsyncPgConnection, name: &str) -> QueryResult<Option<Service>> {
    let key = hm_contracts::skills::key(name);
    let dashed = key.replace(' ', "-");
    services::table
        .filter(
            services::slug
                .eq(&key)
                .or(services::aliases.contains(vec![key.clone()]))
                .or(lower(services::name).eq(&key))
                .or(lower(services::title_en).eq(&key))
                .or(services::slug.eq(dashed)),
        )
        .order((services::is_active.desc(), services::display_order.asc()))
        .select(Service::as_select())
        .first(conn)
        .await
        .optional()
}

/// A service created from a skill, unless one with its name or slug exists by now (then nothing):
/// concurrent requests for one new name make one service, the unique indexes decide.
pub async fn insert_if_absent(
    conn: &mut AsyncPgConnection,
    new: &NewService,
) -> QueryResult<Option<Service>> {
    diesel::insert_into(services::table)
        .values(new)
        .on_conflict_do_nothing()
        .returning(Service::as_returning())
        .get_result(conn)
        .await
        .optional()
}

/// `catalog.service.created` or `catalog.service.updated`: a service as it is now.
pub fn service_changed(
    service: &Service,
    created: bool,
    correlation: Option<String>,
) -> Event<ServiceChanged> {
    let kind = if created {
        types::SERVICE_CREATED
    } else {
        types::SERVICE_UPDATED
    };
    Event::new(
        super::outbox::SOURCE,
        kind,
        correlation,
        ServiceChanged {
            service_id: service.id,
            slug: service.slug.clone(),
            name: service.name.clone(),
            title_en: service.title_en.clone(),
            title_hi: service.title_hi.clone(),
            category: service.category.clone(),
            is_active: service.is_active,
            display_order: service.display_order,
            aliases: service.aliases.clone(),
        },
    )
}
