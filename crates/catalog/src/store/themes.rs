//! Themes: reads, the admin's writes with their events, and which one is active.

use crate::error::{CatalogError, Result};
use crate::schema::themes;
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
#[diesel(table_name = themes)]
pub struct Theme {
    pub id: Uuid,
    pub name: String,
    pub primary_color: String,
    pub accent_color: String,
    pub background_color: String,
    pub logo_s3_key: String,
    pub hero_image_s3_key: String,
    pub fonts: Value,
    pub metadata: Value,
    pub active: bool,
    pub created_by: Option<Uuid>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

#[derive(Debug, Clone, Insertable)]
#[diesel(table_name = themes)]
pub struct NewTheme {
    pub id: Uuid,
    pub name: String,
    pub primary_color: String,
    pub accent_color: String,
    pub background_color: String,
    pub logo_s3_key: String,
    pub hero_image_s3_key: String,
    pub fonts: Value,
    pub metadata: Value,
    pub active: bool,
    pub created_by: Option<Uuid>,
}

#[derive(Debug, Clone, Default, AsChangeset)]
#[diesel(table_name = themes)]
pub struct ThemeChanges {
    pub name: Option<String>,
    pub primary_color: Option<String>,
    pub accent_color: Option<String>,
    pub background_color: Option<String>,
    pub logo_s3_key: Option<String>,
    pub hero_image_s3_key: Option<String>,
    pub fonts: Option<Value>,
    pub metadata: Option<Value>,
    pub updated_at: Option<DateTime<Utc>>,
}

pub async fn active(conn: &mut AsyncPgConnection) -> QueryResult<Option<Theme>> {
    themes::table
        .filter(themes::active.eq(true))
        .select(Theme::as_select())
        .first(conn)
        .await
        .optional()
}

/// Active first, then newest (DOMAIN §2.2).
pub async fn all(conn: &mut AsyncPgConnection) -> QueryResult<Vec<Theme>> {
    themes::table
        .order((themes::active.desc(), themes::created_at.desc()))
        .select(Theme::as_select())
        .load(conn)
        .await
}

pub async fn by_id(conn: &mut AsyncPgConnection, id: Uuid) -> QueryResult<Option<Theme>> {
    themes::table
        .find(id)
        .select(Theme::as_select())
        .first(conn)
        .await
        .optional()
}

/// Serialises every change of which theme is active (call first inside the transaction), so two
/// concurrent activations end with exactly one active theme rather than a constraint error.
pub async fn lock_activation(conn: &mut AsyncPgConnection) -> QueryResult<()> {
    // Raw SQL: an advisory lock is a function returning `void`, which the builder cannot select.
    diesel::sql_query("SELECT pg_advisory_xact_lock(hashtext('catalog.themes.active'))")
        .execute(conn)
        .await
        .map(|_| ())
}

/// Makes `id` the one active theme. Run inside a transaction after [`lock_activation`].
pub async fn activate(conn: &mut AsyncPgConnection, id: Uuid) -> QueryResult<Option<Theme>> {
    diesel::update(
        themes::table
            .filter(themes::active.eq(true))
            .filter(themes::id.ne(id)),
    )
    .set((themes::active.eq(false), themes::updated_at.eq(Utc::now())))
    .execute(conn)
    .await?;
    diesel::update(themes::table.find(id))
        .set((themes::active.eq(true), themes::updated_at.eq(Utc::now())))
        .returning(Theme::as_returning())
        .get_result(conn)
        .await
        .optional()
}

pub async fn deactivate(conn: &mut AsyncPgConnection, id: Uuid) -> QueryResult<Option<Theme>> {
    diesel::update(themes::table.find(id))
        .set((themes::active.eq(false), themes::updated_at.eq(Utc::now())))
        .returning(Theme::as_returning())
        .get_result(conn)
        .await
        .optional()
}

pub async fn insert(conn: &mut AsyncPgConnection, new: &NewTheme) -> QueryResult<Theme> {
    diesel::insert_into(themes::table)
        .values(new)
        .returning(Theme::as_returning())
        .get_result(conn)
        .await
}

pub async fn update(
    conn: &mut AsyncPgConnection,
    id: Uuid,
    changes: &ThemeChanges,
) -> QueryResult<Option<Theme>> {
    diesel::update(themes::table.find(id))
        .set(changes)
        .returning(Theme::as_returning())
        .get_result(conn)
        .await
        .optional()
}

pub async fn delete(conn: &mut AsyncPgConnection, id: Uuid) -> QueryResult<bool> {
    diesel::delete(themes::table.find(id))
        .execute(conn)
        .await
        .map(|n| n > 0)
}

/// Creates a theme (with `active`, the one active theme) and appends `catalog.config.changed`, in one
/// transaction.
pub async fn create(
    conn: &mut AsyncPgConnection,
    new: NewTheme,
    active: bool,
    correlation: Option<String>,
) -> Result<Theme> {
    conn.transaction(move |conn| {
        async move {
            let mut theme = insert(conn, &new).await?;
            if active {
                lock_activation(conn).await?;
                theme = activate(conn, theme.id).await?.unwrap_or(theme);
            }
            enqueue(
                conn,
                config_changed("theme", Some(theme.id), "created", None, correlation),
            )
            .await?;
            Ok(theme)
        }
        .scope_boxed()
    })
    .await
}

/// Changes a theme (`active`: activates or deactivates it) and appends `catalog.config.changed`, in
/// one transaction.
pub async fn change(
    conn: &mut AsyncPgConnection,
    id: Uuid,
    changes: ThemeChanges,
    active: Option<bool>,
    correlation: Option<String>,
) -> Result<Theme> {
    conn.transaction(move |conn| {
        async move {
            let mut theme = update(conn, id, &changes)
                .await?
                .ok_or(CatalogError::ThemeNotFound)?;
            match active {
                Some(true) => {
                    lock_activation(conn).await?;
                    theme = activate(conn, id).await?.unwrap_or(theme);
                }
                Some(false) => theme = deactivate(conn, id).await?.unwrap_or(theme),
                None => {}
            }
            enqueue(
                conn,
                config_changed("theme", Some(id), "updated", None, correlation),
            )
            .await?;
            Ok(theme)
        }
        .scope_boxed()
    })
    .await
}

/// Makes `id` the one active theme ("publish"), deactivating the others, and appends
/// `catalog.config.changed`, in one transaction.
pub async fn publish(
    conn: &mut AsyncPgConnection,
    id: Uuid,
    correlation: Option<String>,
) -> Result<Theme> {
    conn.transaction(move |conn| {
        async move {
            lock_activation(conn).await?;
            let theme = activate(conn, id)
                .await?
                .ok_or(CatalogError::ThemeNotFound)?;
            enqueue(
                conn,
                config_changed("theme", Some(id), "activated", None, correlation),
            )
            .await?;
            Ok(theme)
        }
        .scope_boxed()
    })
    .await
}

pub async fn by_name(conn: &mut AsyncPgConnection, name: &str) -> QueryResult<Option<Theme>> {
    themes::table
        .filter(themes::name.eq(name))
        .select(Theme::as_select())
        .first(conn)
        .await
        .optional()
}
