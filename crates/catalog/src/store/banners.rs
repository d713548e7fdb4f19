//! App banners and promo banners: reads, the admin's writes with their events, seeding.

use crate::error::{CatalogError, Result};
use crate::schema::{app_banners, promo_banners};
use crate::store::outbox::config_changed;
use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel_async::scoped_futures::ScopedFutureExt;
use diesel_async::AsyncConnection;
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use hm_platform::events::enqueue;
use serde_json::Value;
use uuid::Uuid;

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = app_banners)]
pub struct AppBanner {
    pub id: Uuid,
    pub title: String,
    pub subtitle: String,
    pub image_s3_key: String,
    pub action: Value,
    pub display_order: i32,
    pub active: bool,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

#[derive(Debug, Clone, Insertable)]
#[diesel(table_name = app_banners)]
pub struct NewAppBanner {
    pub id: Uuid,
    pub title: String,
    pub subtitle: String,
    pub image_s3_key: String,
    pub action: Value,
    pub display_order: i32,
    pub active: bool,
}

#[derive(Debug, Clone, Default, AsChangeset)]
#[diesel(table_name = app_banners)]
pub struct AppBannerChanges {
    pub title: Option<String>,
    pub subtitle: Option<String>,
    pub image_s3_key: Option<String>,
    pub action: Option<Value>,
    pub display_order: Option<i32>,
    pub active: Option<bool>,
    pub updated_at: Option<DateTime<Utc>>,
}

/// Active app banners: display order, then newest (DOMAIN §2.3).
pub async fn active_app(conn: &mut AsyncPgConnection) -> QueryResult<Vec<AppBanner>> {
    app_banners::table
        .filter(app_banners::active.eq(true))
        .order((
            app_banners::display_order.asc(),
            app_banners::created_at.desc(),
        ))
        .select(AppBanner::as_select())
        .load(conn)
        .await
}

pub async fn all_app(conn: &mut AsyncPgConnection) -> QueryResult<Vec<AppBanner>> {
    app_banners::table
        .order((
            app_banners::display_order.asc(),
            app_banners::created_at.desc(),
        ))
        .select(AppBanner::as_select())
        .load(conn)
        .await
}

pub async fn insert_app(
    conn: &mut AsyncPgConnection,
    new: &NewAppBanner,
) -> QueryResult<AppBanner> {
    diesel::insert_into(app_banners::table)
        .values(new)
        .returning(AppBanner::as_returning())
        .get_result(conn)
        .await
}

pub async fn update_app(
    conn: &mut AsyncPgConnection,
    id: Uuid,
    changes: &AppBannerChanges,
) -> QueryResult<Option<AppBanner>> {
    diesel::update(app_banners::table.find(id))
        .set(changes)
        .returning(AppBanner::as_returning())
        .get_result(conn)
        .await
        .optional()
}

pub async fn delete_app(conn: &mut AsyncPgConnection, id: Uuid) -> QueryResult<bool> {
    diesel::delete(app_banners::table.find(id))
        .execute(conn)
        .await
        .map(|n| n > 0)
}

/// Creates an app banner and appends `catalog.config.changed`, in one transaction.
pub async fn create_app(
    conn: &mut AsyncPgConnection,
    new: NewAppBanner,
    correlation: Option<String>,
) -> Result<AppBanner> {
    conn.transaction(move |conn| {
        async move {
            let banner = insert_app(conn, &new).await?;
            let event = config_changed("app_banner", Some(banner.id), "created", None, correlation);
            enqueue(conn, event).await?;
            Ok(banner)
        }
        .scope_boxed()
    })
    .await
}

/// Changes an app banner and appends `catalog.config.changed`, in one transaction.
pub async fn change_app(
    conn: &mut AsyncPgConnection,
    id: Uuid,
    changes: AppBannerChanges,
    correlation: Option<String>,
) -> Result<AppBanner> {
    conn.transaction(move |conn| {
        async move {
            let banner = update_app(conn, id, &changes)
                .await?
                .ok_or(CatalogError::AppBannerNotFound)?;
            let event = config_changed("app_banner", Some(id), "updated", None, correlation);
            enqueue(conn, event).await?;
            Ok(banner)
        }
        .scope_boxed()
    })
    .await
}

pub async fn app_by_title(
    conn: &mut AsyncPgConnection,
    title: &str,
) -> QueryResult<Option<AppBanner>> {
    app_banners::table
        .filter(app_banners::title.eq(title))
        .select(AppBanner::as_select())
        .first(conn)
        .await
        .optional()
}

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = promo_banners)]
pub struct PromoBanner {
    pub id: Uuid,
    pub title: String,
    pub image_url: String,
    pub link: Option<String>,
    pub slot: String,
    pub priority: i32,
    pub active: bool,
    pub starts_at: Option<DateTime<Utc>>,
    pub ends_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

#[derive(Debug, Clone, Insertable)]
#[diesel(table_name = promo_banners)]
pub struct NewPromoBanner {
    pub id: Uuid,
    pub title: String,
    pub image_url: String,
    pub link: Option<String>,
    pub slot: String,
    pub priority: i32,
    pub active: bool,
    pub starts_at: Option<DateTime<Utc>>,
    pub ends_at: Option<DateTime<Utc>>,
}

#[derive(Debug, Clone, Default, AsChangeset)]
#[diesel(table_name = promo_banners)]
pub struct PromoBannerChanges {
    pub title: Option<String>,
    pub image_url: Option<String>,
    pub link: Option<Option<String>>,
    pub slot: Option<String>,
    pub priority: Option<i32>,
    pub active: Option<bool>,
    pub starts_at: Option<Option<DateTime<Utc>>>,
    pub ends_at: Option<Option<DateTime<Utc>>>,
    pub updated_at: Option<DateTime<Utc>>,
}

/// Promo banners visible at `now`, optionally in one slot: priority, then newest (DOMAIN §2.4).
pub async fn visible_promo(
    conn: &mut AsyncPgConnection,
    slot: Option<&str>,
    now: DateTime<Utc>,
) -> QueryResult<Vec<PromoBanner>> {
    let mut query = promo_banners::table
        .filter(promo_banners::active.eq(true))
        .filter(
            promo_banners::starts_at
                .is_null()
                .or(promo_banners::starts_at.le(now)),
        )
        .filter(
            promo_banners::ends_at
                .is_null()
                .or(promo_banners::ends_at.ge(now)),
        )
        .into_boxed();
    if let Some(slot) = slot {
        query = query.filter(promo_banners::slot.eq(slot));
    }
    query
        .order((
            promo_banners::priority.desc(),
            promo_banners::created_at.desc(),
        ))
        .select(PromoBanner::as_select())
        .load(conn)
        .await
}

/// The first moment after `now` at which a promo banner's visibility changes by itself: the earliest
/// start still to come or end not yet passed among active banners (DOMAIN §2.4); `None` when no window
/// is open or pending. A listing built at `now` holds until then.
pub async fn next_promo_change(
    conn: &mut AsyncPgConnection,
    now: DateTime<Utc>,
) -> QueryResult<Option<DateTime<Utc>>> {
    let start: Option<DateTime<Utc>> = promo_banners::table
        .filter(promo_banners::active.eq(true))
        .filter(promo_banners::starts_at.gt(now))
        .select(diesel::dsl::min(promo_banners::starts_at))
        .get_result(conn)
        .await?;
    let end: Option<DateTime<Utc>> = promo_banners::table
        .filter(promo_banners::active.eq(true))
        .filter(promo_banners::ends_at.ge(now))
        .select(diesel::dsl::min(promo_banners::ends_at))
        .get_result(conn)
        .await?;
    Ok(start.into_iter().chain(end).min())
}

pub async fn all_promo(conn: &mut AsyncPgConnection) -> QueryResult<Vec<PromoBanner>> {
    promo_banners::table
        .order((
            promo_banners::priority.desc(),
            promo_banners::created_at.desc(),
        ))
        .select(PromoBanner::as_select())
        .load(conn)
        .await
}

pub async fn insert_promo(
    conn: &mut AsyncPgConnection,
    new: &NewPromoBanner,
) -> QueryResult<PromoBanner> {
    diesel::insert_into(promo_banners::table)
        .values(new)
        .returning(PromoBanner::as_returning())
        .get_result(conn)
        .await
}

pub async fn update_promo(
    conn: &mut AsyncPgConnection,
    id: Uuid,
    changes: &PromoBannerChanges,
) -> QueryResult<Option<PromoBanner>> {
    diesel::update(promo_banners::table.find(id))
        .set(changes)
        .returning(PromoBanner::as_returning())
        .get_result(conn)
        .await
        .optional()
}

pub async fn delete_promo(conn: &mut AsyncPgConnection, id: Uuid) -> QueryResult<bool> {
    diesel::delete(promo_banners::table.find(id))
        .execute(conn)
        .await
        .map(|n| n > 0)
}

/// Creates a promo banner and appends `catalog.config.changed`, in one transaction.
pub async fn create_promo(
    conn: &mut AsyncPgConnection,
    new: NewPromoBanner,
    correlation: Option<String>,
) -> Result<PromoBanner> {
    conn.transaction(move |conn| {
        async move {
            let banner = insert_promo(conn, &new).await?;
            let event = config_changed(
                "promo_banner",
                Some(banner.id),
                "created",
                None,
                correlation,
            );
            enqueue(conn, event).await?;
            Ok(banner)
        }
        .scope_boxed()
    })
    .await
}

/// Changes a promo banner and appends `catalog.config.changed`, in one transaction.
pub async fn change_promo(
    conn: &mut AsyncPgConnection,
    id: Uuid,
    changes: PromoBannerChanges,
    correlation: Option<String>,
) -> Result<PromoBanner> {
    conn.transaction(move |conn| {
        async move {
            let banner = update_promo(conn, id, &changes)
                .await?
                .ok_or(CatalogError::PromoBannerNotFound)?;
            let event = config_changed("promo_banner", Some(id), "updated", None, correlation);
            enqueue(conn, event).await?;
            Ok(banner)
        }
        .scope_boxed()
    })
    .await
}

/// Seeding: the demo banners are replaced as a set (CONFIG §4.3).
pub async fn delete_promo_titled_like(
    conn: &mut AsyncPgConnection,
    prefix: &str,
) -> QueryResult<usize> {
    diesel::delete(promo_banners::table.filter(promo_banners::title.like(format!("{prefix}%"))))
        .execute(conn)
        .await
}
