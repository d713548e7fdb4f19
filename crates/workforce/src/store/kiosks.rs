//! Kiosks (DOMAIN §3.6): registered by a contractor or an admin, authenticated by their device token.

use super::{contractors, numeric, sites};
use crate::domain::kiosks::{self as rules, Owner};
use crate::domain::Caller;
use crate::error::WorkforceError;
use crate::schema::kiosks;
use chrono::{DateTime, Utc};
use diesel::expression::SqlLiteral;
use diesel::prelude::*;
use diesel::sql_types::{Double, Nullable};
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use uuid::Uuid;

/// A kiosk, its position as floats and its token's hash.
#[derive(Debug, Clone, Queryable)]
pub struct Kiosk {
    pub id: Uuid,
    pub contractor_id: Option<Uuid>,
    pub site_id: Option<Uuid>,
    pub device_uuid: String,
    pub location_name: String,
    pub address: String,
    pub latitude: Option<f64>,
    pub longitude: Option<f64>,
    pub geofence_radius_m: i32,
    pub is_active: bool,
    pub token_hash: String,
    pub created_at: DateTime<Utc>,
}

/// The columns of a [`Kiosk`], in its fields' order: the position as floats.
#[allow(clippy::type_complexity)]
fn columns() -> (
    kiosks::id,
    kiosks::contractor_id,
    kiosks::site_id,
    kiosks::device_uuid,
    kiosks::location_name,
    kiosks::address,
    SqlLiteral<Nullable<Double>>,
    SqlLiteral<Nullable<Double>>,
    kiosks::geofence_radius_m,
    kiosks::is_active,
    kiosks::token_hash,
    kiosks::created_at,
) {
    use diesel::dsl::sql;
    (
        kiosks::id,
        kiosks::contractor_id,
        kiosks::site_id,
        kiosks::device_uuid,
        kiosks::location_name,
        kiosks::address,
        sql("kiosks.latitude::float8"),
        sql("kiosks.longitude::float8"),
        kiosks::geofence_radius_m,
        kiosks::is_active,
        kiosks::token_hash,
        kiosks::created_at,
    )
}

/// The kiosk with this id, if any.
pub async fn by_id(conn: &mut AsyncPgConnection, id: Uuid) -> QueryResult<Option<Kiosk>> {
    kiosks::table
        .find(id)
        .select(columns())
        .first(conn)
        .await
        .optional()
}

/// Kiosks of a contractor (all, for `None`), newest first.
async fn list(conn: &mut AsyncPgConnection, contractor: Option<Uuid>) -> QueryResult<Vec<Kiosk>> {
    let mut query = kiosks::table
        .select(columns())
        .order(kiosks::created_at.desc())
        .into_boxed();
    if let Some(contractor) = contractor {
        query = query.filter(kiosks::contractor_id.eq(contractor));
    }
    query.load(conn).await
}

/// A kiosk to register.
pub struct NewKiosk<'a> {
    pub contractor_id: Option<Uuid>,
    pub site_id: Option<Uuid>,
    pub device_uuid: &'a str,
    pub location_name: &'a str,
    pub address: &'a str,
    pub latitude: Option<&'a str>,
    pub longitude: Option<&'a str>,
    pub geofence_radius_m: i32,
    pub token_hash: &'a str,
}

/// Registers a kiosk.
async fn insert(conn: &mut AsyncPgConnection, id: Uuid, k: &NewKiosk<'_>) -> QueryResult<()> {
    diesel::insert_into(kiosks::table)
        .values((
            kiosks::id.eq(id),
            kiosks::contractor_id.eq(k.contractor_id),
            kiosks::site_id.eq(k.site_id),
            kiosks::device_uuid.eq(k.device_uuid),
            kiosks::location_name.eq(k.location_name),
            kiosks::address.eq(k.address),
            kiosks::latitude.eq(numeric(k.latitude)),
            kiosks::longitude.eq(numeric(k.longitude)),
            kiosks::geofence_radius_m.eq(k.geofence_radius_m),
            kiosks::token_hash.eq(k.token_hash),
        ))
        .execute(conn)
        .await
        .map(|_| ())
}

/// Registers a kiosk for `caller`: an admin names its contractor (or none: their own profile's, if
/// any), a contractor registers their own; its site must be one the owner may use. The kiosk as stored.
pub async fn register(
    conn: &mut AsyncPgConnection,
    caller: Caller,
    named: Option<Uuid>,
    mut new: NewKiosk<'_>,
) -> Result<Kiosk, WorkforceError> {
    let own = contractors::by_user(conn, caller.user).await?.map(|c| c.id);
    let contractor = match rules::owner(caller.admin, named, own) {
        None => return Err(WorkforceError::NotAContractor),
        Some(Owner::Own(own)) => own,
        Some(Owner::Named(id)) => Some(
            contractors::by_id(conn, id)
                .await?
                .ok_or(WorkforceError::UnknownContractor(id))?
                .id,
        ),
    };
    if let Some(site) = new.site_id {
        let usable = sites::by_id(conn, site)
            .await?
            .is_some_and(|s| rules::may_use_site(caller.admin, contractor, s.contractor_id));
        if !usable {
            return Err(WorkforceError::UnknownSite(site));
        }
    }
    new.contractor_id = contractor;
    let id = Uuid::new_v4();
    insert(conn, id, &new).await?;
    by_id(conn, id).await?.ok_or(WorkforceError::KioskNotFound)
}

/// The kiosks `caller` sees: an admin all, a contractor their own (others are refused).
pub async fn visible(
    conn: &mut AsyncPgConnection,
    caller: Caller,
) -> Result<Vec<Kiosk>, WorkforceError> {
    let scope = if caller.admin {
        None
    } else {
        let own = contractors::by_user(conn, caller.user).await?;
        Some(own.ok_or(WorkforceError::NotAContractor)?.id)
    };
    Ok(list(conn, scope).await?)
}

/// The active kiosk `id` whose device token is `token`, else refused (401).
pub async fn authenticated(
    conn: &mut AsyncPgConnection,
    id: Uuid,
    token: Option<&str>,
) -> Result<Kiosk, WorkforceError> {
    let token = token.ok_or(WorkforceError::InvalidKioskCredentials)?;
    let kiosk = by_id(conn, id)
        .await?
        .filter(|k| k.is_active)
        .ok_or(WorkforceError::InvalidKioskCredentials)?;
    if rules::token_matches(token, &kiosk.token_hash) {
        Ok(kiosk)
    } else {
        Err(WorkforceError::InvalidKioskCredentials)
    }
}

/// Gives kiosk `id` a new device token (the old one stops working at once); the token, shown once.
pub async fn rotate_token(
    conn: &mut AsyncPgConnection,
    id: Uuid,
) -> Result<String, WorkforceError> {
    let token = rules::new_token();
    if set_token_hash(conn, id, &rules::token_hash(&token)).await? {
        Ok(token)
    } else {
        Err(WorkforceError::KioskNotFound)
    }
}

/// A new device token for the kiosk (its hash); whether the kiosk exists.
async fn set_token_hash(conn: &mut AsyncPgConnection, id: Uuid, hash: &str) -> QueryResult<bool> {
    diesel::update(kiosks::table.find(id))
        .set((
            kiosks::token_hash.eq(hash),
            kiosks::updated_at.eq(diesel::dsl::now),
        ))
        .execute(conn)
        .await
        .map(|n| n > 0)
}
