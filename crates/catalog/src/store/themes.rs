use crate::schema::themes;
use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel_async::{AsyncPgConnection, RunQueryDsl};
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

pub async fn by_name(conn: &mut AsyncPgConnection, name: &str) -> QueryResult<Option<Theme>> {
    themes::table
        .filter(themes::name.eq(name))
        .select(Theme::as_select())
        .first(conn)
        .await
        .optional()
}
