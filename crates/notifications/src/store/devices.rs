//! Push registrations (DOMAIN §5.3), upserted by token, newest seen first.

use chrono::{DateTime, Utc};
use diesel::sql_types::{Bool, Jsonb, Nullable, Text, Timestamptz, Uuid as SqlUuid};
use diesel::{OptionalExtension, QueryResult, QueryableByName};
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use serde_json::Value;
use uuid::Uuid;

#[derive(Debug, Clone, QueryableByName)]
pub struct Device {
    #[diesel(sql_type = SqlUuid)]
    pub id: Uuid,
    #[diesel(sql_type = Nullable<SqlUuid>)]
    pub user_id: Option<Uuid>,
    /// The owner's phone, from the user projection.
    #[diesel(sql_type = Nullable<Text>)]
    pub user_phone: Option<String>,
    #[diesel(sql_type = Text)]
    pub platform: String,
    #[diesel(sql_type = Text)]
    pub registration_token: String,
    #[diesel(sql_type = Timestamptz)]
    pub last_seen: DateTime<Utc>,
    #[diesel(sql_type = Bool)]
    pub is_active: bool,
    #[diesel(sql_type = Jsonb)]
    pub metadata: Value,
    #[diesel(sql_type = Timestamptz)]
    pub created_at: DateTime<Utc>,
}

const SELECT: &str = "SELECT d.id, d.user_id, u.phone AS user_phone, d.platform, d.registration_token,
    d.last_seen, d.is_active, d.metadata, d.created_at FROM devices d LEFT JOIN user_refs u ON u.id = d.user_id";

/// What a device is registered or edited with.
#[derive(Debug, Clone)]
pub struct DeviceInput {
    pub user_id: Option<Uuid>,
    pub platform: String,
    pub registration_token: String,
    pub metadata: Value,
    pub is_active: bool,
}

/// Registers `d` by its token: a new row, or the existing one with the new platform and metadata,
/// active again. An anonymous registration keeps the token's known owner. Whether it was created.
pub async fn register(conn: &mut AsyncPgConnection, d: &DeviceInput) -> QueryResult<(Uuid, bool)> {
    #[derive(QueryableByName)]
    struct Upserted {
        #[diesel(sql_type = SqlUuid)]
        id: Uuid,
        #[diesel(sql_type = Bool)]
        created: bool,
    }
    let row: Upserted = diesel::sql_query(
        "INSERT INTO devices (id, user_id, platform, registration_token, metadata, is_active)
         VALUES ($1, $2, $3, $4, $5, true)
         ON CONFLICT (registration_token) DO UPDATE SET
             user_id = COALESCE(excluded.user_id, devices.user_id), platform = excluded.platform,
             metadata = excluded.metadata, is_active = true, last_seen = now(), updated_at = now()
         RETURNING id, (xmax = 0) AS created",
    )
    .bind::<SqlUuid, _>(Uuid::new_v4())
    .bind::<Nullable<SqlUuid>, _>(d.user_id)
    .bind::<Text, _>(&d.platform)
    .bind::<Text, _>(&d.registration_token)
    .bind::<Jsonb, _>(&d.metadata)
    .get_result(conn)
    .await?;
    Ok((row.id, row.created))
}

pub async fn get(conn: &mut AsyncPgConnection, id: Uuid) -> QueryResult<Option<Device>> {
    diesel::sql_query(format!("{SELECT} WHERE d.id = $1"))
        .bind::<SqlUuid, _>(id)
        .get_result(conn)
        .await
        .optional()
}

/// The devices of `user` (every device for `None`), inactive ones included, last seen first.
pub async fn list(conn: &mut AsyncPgConnection, user: Option<Uuid>) -> QueryResult<Vec<Device>> {
    diesel::sql_query(format!(
        "{SELECT} WHERE ($1::uuid IS NULL OR d.user_id = $1) ORDER BY d.last_seen DESC, d.id"
    ))
    .bind::<Nullable<SqlUuid>, _>(user)
    .load(conn)
    .await
}

/// Deactivates the token, if `owner` (when given) holds it; how many rows changed.
pub async fn unregister(
    conn: &mut AsyncPgConnection,
    token: &str,
    owner: Option<Uuid>,
) -> QueryResult<usize> {
    diesel::sql_query(
        "UPDATE devices SET is_active = false, last_seen = now(), updated_at = now()
         WHERE registration_token = $1 AND ($2::uuid IS NULL OR user_id = $2)",
    )
    .bind::<Text, _>(token)
    .bind::<Nullable<SqlUuid>, _>(owner)
    .execute(conn)
    .await
}

/// An admin's edit: every field replaced. `None` when there is no such device.
pub async fn update(
    conn: &mut AsyncPgConnection,
    id: Uuid,
    d: &DeviceInput,
) -> QueryResult<Option<()>> {
    let n = diesel::sql_query(
        "UPDATE devices SET user_id = $2, platform = $3, registration_token = $4, metadata = $5,
             is_active = $6, last_seen = now(), updated_at = now() WHERE id = $1",
    )
    .bind::<SqlUuid, _>(id)
    .bind::<Nullable<SqlUuid>, _>(d.user_id)
    .bind::<Text, _>(&d.platform)
    .bind::<Text, _>(&d.registration_token)
    .bind::<Jsonb, _>(&d.metadata)
    .bind::<Bool, _>(d.is_active)
    .execute(conn)
    .await?;
    Ok((n > 0).then_some(()))
}

/// An admin's create (a token already registered is a unique violation).
pub async fn create(conn: &mut AsyncPgConnection, d: &DeviceInput) -> QueryResult<Uuid> {
    let id = Uuid::new_v4();
    diesel::sql_query(
        "INSERT INTO devices (id, user_id, platform, registration_token, metadata, is_active)
         VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind::<SqlUuid, _>(id)
    .bind::<Nullable<SqlUuid>, _>(d.user_id)
    .bind::<Text, _>(&d.platform)
    .bind::<Text, _>(&d.registration_token)
    .bind::<Jsonb, _>(&d.metadata)
    .bind::<Bool, _>(d.is_active)
    .execute(conn)
    .await?;
    Ok(id)
}

pub async fn delete(conn: &mut AsyncPgConnection, id: Uuid) -> QueryResult<bool> {
    diesel::sql_query("DELETE FROM devices WHERE id = $1")
        .bind::<SqlUuid, _>(id)
        .execute(conn)
        .await
        .map(|n| n > 0)
}
