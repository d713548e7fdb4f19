//! Push registrations (DOMAIN §5.3), upserted by token, newest seen first.

use crate::schema::devices;
use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel::sql_types::{Bool, Jsonb, Nullable, Text, Uuid as SqlUuid};
use diesel::QueryableByName;
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use hm_platform::projections::schema::user_refs;
use serde_json::Value;
use std::collections::HashMap;
use uuid::Uuid;

#[derive(Debug, Clone)]
pub struct Device {
    pub id: Uuid,
    pub user_id: Option<Uuid>,
    /// The owner's phone, from the user projection.
    pub user_phone: Option<String>,
    pub platform: String,
    pub registration_token: String,
    pub last_seen: DateTime<Utc>,
    pub is_active: bool,
    pub metadata: Value,
    pub created_at: DateTime<Utc>,
}

/// A device as stored: [`Device`] but its owner's phone.
type Stored = (
    Uuid,
    Option<Uuid>,
    String,
    String,
    DateTime<Utc>,
    bool,
    Value,
    DateTime<Utc>,
);

/// The columns of [`Stored`].
macro_rules! stored {
    () => {
        devices::table.select((
            devices::id,
            devices::user_id,
            devices::platform,
            devices::registration_token,
            devices::last_seen,
            devices::is_active,
            devices::metadata,
            devices::created_at,
        ))
    };
}

/// `rows` with their owners' phones from the platform's user projection (one query for all of them:
/// the projection's table is the platform's, so diesel cannot join it to `devices`).
async fn with_owners(conn: &mut AsyncPgConnection, rows: Vec<Stored>) -> QueryResult<Vec<Device>> {
    let owners: Vec<Uuid> = rows.iter().filter_map(|row| row.1).collect();
    let phones: HashMap<Uuid, String> = user_refs::table
        .filter(user_refs::id.eq_any(&owners))
        .select((user_refs::id, user_refs::phone))
        .load::<(Uuid, String)>(conn)
        .await?
        .into_iter()
        .collect();
    let device = |(
        id,
        user_id,
        platform,
        registration_token,
        last_seen,
        is_active,
        metadata,
        created_at,
    ): Stored| Device {
        id,
        user_id,
        user_phone: user_id.and_then(|u| phones.get(&u).cloned()),
        platform,
        registration_token,
        last_seen,
        is_active,
        metadata,
        created_at,
    };
    Ok(rows.into_iter().map(device).collect())
}

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
    // Raw SQL: `RETURNING (xmax = 0)` tells a new row from an updated one; the builder cannot say it.
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
    let row: Option<Stored> = stored!()
        .filter(devices::id.eq(id))
        .get_result(conn)
        .await
        .optional()?;
    Ok(with_owners(conn, row.into_iter().collect()).await?.pop())
}

/// The devices of `user` (every device for `None`), inactive ones included, last seen first.
pub async fn list(conn: &mut AsyncPgConnection, user: Option<Uuid>) -> QueryResult<Vec<Device>> {
    let mut query = stored!()
        .order((devices::last_seen.desc(), devices::id))
        .into_boxed();
    if let Some(user) = user {
        query = query.filter(devices::user_id.eq(user));
    }
    let rows: Vec<Stored> = query.load(conn).await?;
    with_owners(conn, rows).await
}

/// Deactivates the token, if `owner` (when given) holds it; how many rows changed.
pub async fn unregister(
    conn: &mut AsyncPgConnection,
    token: &str,
    owner: Option<Uuid>,
) -> QueryResult<usize> {
    let mut target = diesel::update(devices::table)
        .filter(devices::registration_token.eq(token))
        .into_boxed();
    if let Some(owner) = owner {
        target = target.filter(devices::user_id.eq(owner));
    }
    target
        .set((
            devices::is_active.eq(false),
            devices::last_seen.eq(diesel::dsl::now),
            devices::updated_at.eq(diesel::dsl::now),
        ))
        .execute(conn)
        .await
}

/// An admin's edit: every field replaced. `None` when there is no such device.
pub async fn update(
    conn: &mut AsyncPgConnection,
    id: Uuid,
    d: &DeviceInput,
) -> QueryResult<Option<()>> {
    let n = diesel::update(devices::table.find(id))
        .set((
            devices::user_id.eq(d.user_id),
            devices::platform.eq(&d.platform),
            devices::registration_token.eq(&d.registration_token),
            devices::metadata.eq(&d.metadata),
            devices::is_active.eq(d.is_active),
            devices::last_seen.eq(diesel::dsl::now),
            devices::updated_at.eq(diesel::dsl::now),
        ))
        .execute(conn)
        .await?;
    Ok((n > 0).then_some(()))
}

/// An admin's create (a token already registered is a unique violation).
pub async fn create(conn: &mut AsyncPgConnection, d: &DeviceInput) -> QueryResult<Uuid> {
    let id = Uuid::new_v4();
    diesel::insert_into(devices::table)
        .values((
            devices::id.eq(id),
            devices::user_id.eq(d.user_id),
            devices::platform.eq(&d.platform),
            devices::registration_token.eq(&d.registration_token),
            devices::metadata.eq(&d.metadata),
            devices::is_active.eq(d.is_active),
        ))
        .execute(conn)
        .await?;
    Ok(id)
}

pub async fn delete(conn: &mut AsyncPgConnection, id: Uuid) -> QueryResult<bool> {
    diesel::delete(devices::table.find(id))
        .execute(conn)
        .await
        .map(|n| n > 0)
}
