//! Feature flags: reads, the admin's writes with their events, seeding.

use crate::error::{CatalogError, Result};
use crate::schema::feature_flags;
use crate::store::outbox::config_changed;
use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel_async::scoped_futures::ScopedFutureExt;
use diesel_async::AsyncConnection;
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use hm_platform::events::enqueue;
use uuid::Uuid;

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = feature_flags)]
pub struct Flag {
    pub id: Uuid,
    pub key: String,
    pub enabled: bool,
    pub description: String,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

pub async fn all(conn: &mut AsyncPgConnection) -> QueryResult<Vec<Flag>> {
    feature_flags::table
        .order(feature_flags::key.asc())
        .select(Flag::as_select())
        .load(conn)
        .await
}

pub async fn by_key(conn: &mut AsyncPgConnection, key: &str) -> QueryResult<Option<Flag>> {
    feature_flags::table
        .filter(feature_flags::key.eq(key))
        .select(Flag::as_select())
        .first(conn)
        .await
        .optional()
}

pub async fn insert(
    conn: &mut AsyncPgConnection,
    key: &str,
    enabled: bool,
    description: &str,
) -> QueryResult<Flag> {
    diesel::insert_into(feature_flags::table)
        .values((
            feature_flags::id.eq(Uuid::new_v4()),
            feature_flags::key.eq(key),
            feature_flags::enabled.eq(enabled),
            feature_flags::description.eq(description),
        ))
        .returning(Flag::as_returning())
        .get_result(conn)
        .await
}

/// Seeding: create if missing, never overwrite (CONFIG §4.4).
pub async fn insert_missing(
    conn: &mut AsyncPgConnection,
    key: &str,
    enabled: bool,
    description: &str,
) -> QueryResult<usize> {
    diesel::insert_into(feature_flags::table)
        .values((
            feature_flags::id.eq(Uuid::new_v4()),
            feature_flags::key.eq(key),
            feature_flags::enabled.eq(enabled),
            feature_flags::description.eq(description),
        ))
        .on_conflict(feature_flags::key)
        .do_nothing()
        .execute(conn)
        .await
}

pub async fn update(
    conn: &mut AsyncPgConnection,
    key: &str,
    enabled: Option<bool>,
    description: Option<&str>,
) -> QueryResult<Option<Flag>> {
    diesel::update(feature_flags::table.filter(feature_flags::key.eq(key)))
        .set((
            enabled.map(|e| feature_flags::enabled.eq(e)),
            description.map(|d| feature_flags::description.eq(d)),
            feature_flags::updated_at.eq(Utc::now()),
        ))
        .returning(Flag::as_returning())
        .get_result(conn)
        .await
        .optional()
}

pub async fn delete(conn: &mut AsyncPgConnection, key: &str) -> QueryResult<bool> {
    diesel::delete(feature_flags::table.filter(feature_flags::key.eq(key)))
        .execute(conn)
        .await
        .map(|n| n > 0)
}

/// Creates a flag and appends `catalog.config.changed`, in one transaction.
pub async fn create(
    conn: &mut AsyncPgConnection,
    key: String,
    enabled: bool,
    description: String,
    correlation: Option<String>,
) -> Result<Flag> {
    conn.transaction(move |conn| {
        async move {
            let flag = insert(conn, &key, enabled, &description).await?;
            let event = config_changed(
                "feature_flag",
                Some(flag.id),
                "created",
                Some(key),
                correlation,
            );
            enqueue(conn, event).await?;
            Ok(flag)
        }
        .scope_boxed()
    })
    .await
}

/// Changes the flag `key` and appends `catalog.config.changed`, in one transaction.
pub async fn change(
    conn: &mut AsyncPgConnection,
    key: String,
    enabled: Option<bool>,
    description: Option<String>,
    correlation: Option<String>,
) -> Result<Flag> {
    conn.transaction(move |conn| {
        async move {
            let flag = update(conn, &key, enabled, description.as_deref())
                .await?
                .ok_or(CatalogError::FlagNotFound)?;
            let event = config_changed(
                "feature_flag",
                Some(flag.id),
                "updated",
                Some(key),
                correlation,
            );
            enqueue(conn, event).await?;
            Ok(flag)
        }
        .scope_boxed()
    })
    .await
}

/// Deletes the flag `key` and appends `catalog.config.changed`, in one transaction.
pub async fn remove(
    conn: &mut AsyncPgConnection,
    key: String,
    correlation: Option<String>,
) -> Result<()> {
    conn.transaction(move |conn| {
        async move {
            if !delete(conn, &key).await? {
                return Err(CatalogError::FlagNotFound);
            }
            let event = config_changed("feature_flag", None, "deleted", Some(key), correlation);
            enqueue(conn, event).await?;
            Ok(())
        }
        .scope_boxed()
    })
    .await
}
