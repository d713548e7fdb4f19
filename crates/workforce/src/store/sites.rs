//! Construction sites (DOMAIN §3.3): contractors manage their own, admins all. Every change is announced
//! (`workforce.site.*`) in its transaction: jobs keeps the sites emergency requests name.

use super::{contractors, numeric, NumericText};
use crate::domain::sites::may_see;
use crate::domain::Caller;
use crate::error::WorkforceError;
use crate::events::published;
use crate::schema::sites;
use chrono::{DateTime, NaiveDate, Utc};
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Nullable, Text, Uuid as SqlUuid};
use diesel::QueryableByName;
use diesel_async::scoped_futures::ScopedFutureExt;
use diesel_async::{AsyncConnection, AsyncPgConnection, RunQueryDsl};
use hm_contracts::events::{types, SiteChanged};
use hm_platform::paging::Paging;
use serde_json::Value;
use uuid::Uuid;

pub use crate::domain::sites::Editable;

/// A site with its contractor's user and company name and its active assignments.
#[derive(Debug, Clone, QueryableByName)]
#[diesel(table_name = sites)]
pub struct Site {
    pub id: Uuid,
    pub contractor_id: Uuid,
    #[diesel(sql_type = SqlUuid)]
    pub contractor_user_id: Uuid,
    #[diesel(sql_type = Text)]
    pub contractor_name: String,
    pub name: String,
    pub address: String,
    #[diesel(sql_type = Nullable<Text>)]
    pub lat: Option<String>,
    #[diesel(sql_type = Nullable<Text>)]
    pub lng: Option<String>,
    pub phone: String,
    pub is_active: bool,
    pub start_date: Option<NaiveDate>,
    pub end_date: Option<NaiveDate>,
    pub metadata: Value,
    #[diesel(sql_type = BigInt)]
    pub assigned_workers_count: i64,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl Editable {
    /// The site's current fields.
    pub fn of(s: &Site) -> Editable {
        Editable {
            name: s.name.clone(),
            address: s.address.clone(),
            lat: s.lat.clone(),
            lng: s.lng.clone(),
            phone: s.phone.clone(),
            is_active: s.is_active,
            start_date: s.start_date,
            end_date: s.end_date,
            metadata: s.metadata.clone(),
        }
    }
}

// Raw SQL: the contractor's join and the count of active assignments.
const SELECT: &str = "\
SELECT s.id, s.contractor_id, c.user_id AS contractor_user_id, c.company_name AS contractor_name, s.name,
       s.address, s.lat::text AS lat, s.lng::text AS lng, s.phone, s.is_active, s.start_date, s.end_date,
       s.metadata,
       (SELECT count(*) FROM site_assignments a WHERE a.site_id = s.id AND a.is_active) AS assigned_workers_count,
       s.created_at, s.updated_at
FROM sites s JOIN contractor_profiles c ON c.id = s.contractor_id";

/// The site with this id, if any.
pub async fn by_id(conn: &mut AsyncPgConnection, id: Uuid) -> QueryResult<Option<Site>> {
    diesel::sql_query(format!("{SELECT} WHERE s.id = $1"))
        .bind::<SqlUuid, _>(id)
        .get_result(conn)
        .await
        .optional()
}

/// Newest first; only `contractor`'s sites unless `None` (staff see all).
async fn page(
    conn: &mut AsyncPgConnection,
    contractor: Option<Uuid>,
    limit: i64,
    offset: i64,
) -> QueryResult<(Vec<Site>, i64)> {
    let rows = diesel::sql_query(format!(
        "{SELECT} WHERE ($1::uuid IS NULL OR s.contractor_id = $1) ORDER BY s.created_at DESC, s.id LIMIT $2 OFFSET $3"
    ))
    .bind::<Nullable<SqlUuid>, _>(contractor)
    .bind::<BigInt, _>(limit)
    .bind::<BigInt, _>(offset)
    .load(conn)
    .await?;
    let mut count = sites::table.count().into_boxed();
    if let Some(contractor) = contractor {
        count = count.filter(sites::contractor_id.eq(contractor));
    }
    Ok((rows, count.get_result(conn).await?))
}

/// The contractor's site with this name, if any.
pub async fn id_by_name(
    conn: &mut AsyncPgConnection,
    contractor: Uuid,
    name: &str,
) -> QueryResult<Option<Uuid>> {
    sites::table
        .filter(sites::contractor_id.eq(contractor))
        .filter(sites::name.eq(name))
        .order(sites::created_at)
        .select(sites::id)
        .first(conn)
        .await
        .optional()
}

/// A new site of `contractor`.
pub async fn insert(
    conn: &mut AsyncPgConnection,
    id: Uuid,
    contractor: Uuid,
    e: &Editable,
) -> QueryResult<()> {
    diesel::insert_into(sites::table)
        .values((
            sites::id.eq(id),
            sites::contractor_id.eq(contractor),
            fields(e),
        ))
        .execute(conn)
        .await
        .map(|_| ())
}

/// The writable columns set to `e`.
#[allow(clippy::type_complexity)]
fn fields(
    e: &Editable,
) -> (
    diesel::dsl::Eq<sites::name, &String>,
    diesel::dsl::Eq<sites::address, &String>,
    diesel::dsl::Eq<sites::lat, NumericText<'_>>,
    diesel::dsl::Eq<sites::lng, NumericText<'_>>,
    diesel::dsl::Eq<sites::phone, &String>,
    diesel::dsl::Eq<sites::is_active, bool>,
    diesel::dsl::Eq<sites::start_date, Option<NaiveDate>>,
    diesel::dsl::Eq<sites::end_date, Option<NaiveDate>>,
    diesel::dsl::Eq<sites::metadata, &Value>,
) {
    (
        sites::name.eq(&e.name),
        sites::address.eq(&e.address),
        sites::lat.eq(numeric(e.lat.as_deref())),
        sites::lng.eq(numeric(e.lng.as_deref())),
        sites::phone.eq(&e.phone),
        sites::is_active.eq(e.is_active),
        sites::start_date.eq(e.start_date),
        sites::end_date.eq(e.end_date),
        sites::metadata.eq(&e.metadata),
    )
}

async fn update(conn: &mut AsyncPgConnection, id: Uuid, e: &Editable) -> QueryResult<()> {
    diesel::update(sites::table.find(id))
        .set((fields(e), sites::updated_at.eq(diesel::dsl::now)))
        .execute(conn)
        .await
        .map(|_| ())
}

/// Deletes the site (its assignments and attendance go with it) and announces it
/// (`workforce.site.deleted`), in one transaction.
pub async fn delete(
    conn: &mut AsyncPgConnection,
    site: &Site,
    correlation: Option<String>,
) -> Result<(), WorkforceError> {
    conn.transaction(|conn| {
        async move {
            diesel::delete(sites::table.find(site.id))
                .execute(conn)
                .await?;
            let event = published::site(types::SITE_DELETED, changed(site), correlation);
            hm_platform::events::enqueue(conn, event).await?;
            Ok::<_, WorkforceError>(())
        }
        .scope_boxed()
    })
    .await
}

/// The site as `workforce.site.*` carry it.
pub fn changed(site: &Site) -> SiteChanged {
    SiteChanged {
        site_id: site.id,
        contractor_id: site.contractor_id,
        name: site.name.clone(),
        is_active: site.is_active,
    }
}

/// Reads the site as written and announces it (`kind`); the site.
pub async fn announce(
    conn: &mut AsyncPgConnection,
    kind: &str,
    id: Uuid,
    correlation: Option<String>,
) -> QueryResult<Site> {
    let site = by_id(conn, id)
        .await?
        .ok_or(diesel::result::Error::NotFound)?;
    let event = published::site(kind, changed(&site), correlation);
    hm_platform::events::enqueue(conn, event).await?;
    Ok(site)
}

/// The caller's contractor profile (`None` for an admin without one); refused for a caller who is
/// neither a contractor nor an admin.
pub async fn own_contractor(
    conn: &mut AsyncPgConnection,
    caller: Caller,
) -> Result<Option<Uuid>, WorkforceError> {
    let own = contractors::by_user(conn, caller.user).await?.map(|c| c.id);
    if own.is_none() && !caller.admin {
        return Err(WorkforceError::NotAContractor);
    }
    Ok(own)
}

/// Site `id` if the caller (of contractor profile `own`) sees it; otherwise it does not exist for them.
pub async fn visible(
    conn: &mut AsyncPgConnection,
    caller: Caller,
    own: Option<Uuid>,
    id: Uuid,
) -> Result<Site, WorkforceError> {
    by_id(conn, id)
        .await?
        .filter(|s| may_see(caller.admin, own, s.contractor_id))
        .ok_or(WorkforceError::SiteNotFound)
}

/// The page P-STD asks for of the sites of `contractor` (all for `None`): its number, the total and
/// the sites.
pub async fn list_page(
    conn: &mut AsyncPgConnection,
    contractor: Option<Uuid>,
    paging: Paging,
) -> Result<(i64, i64, Vec<Site>), WorkforceError> {
    let (_, count) = page(conn, contractor, 0, 0).await?;
    let number = paging.resolve(count)?;
    let offset = (number - 1) * paging.per_page;
    let (rows, count) = page(conn, contractor, paging.per_page, offset).await?;
    Ok((number, count, rows))
}

/// Who a new site belongs to: the contractor an admin names (which must exist), else the caller's own
/// profile; an admin without one must name one.
pub async fn new_site_owner(
    conn: &mut AsyncPgConnection,
    caller: Caller,
    named: Option<Uuid>,
    own: Option<Uuid>,
) -> Result<Uuid, WorkforceError> {
    match (caller.admin, named, own) {
        (true, Some(id), _) => Ok(contractors::by_id(conn, id)
            .await?
            .ok_or(WorkforceError::UnknownContractor(id))?
            .id),
        (_, _, Some(own)) => Ok(own),
        (_, _, None) => Err(WorkforceError::ContractorRequired),
    }
}

/// Creates a site of `contractor` and announces it (`workforce.site.created`), in one transaction; the
/// site as stored.
pub async fn create(
    conn: &mut AsyncPgConnection,
    contractor: Uuid,
    e: &Editable,
    correlation: Option<String>,
) -> Result<Site, WorkforceError> {
    let id = Uuid::new_v4();
    conn.transaction(|conn| {
        async move {
            insert(conn, id, contractor, e).await?;
            Ok::<_, WorkforceError>(announce(conn, types::SITE_CREATED, id, correlation).await?)
        }
        .scope_boxed()
    })
    .await
}

/// Writes the site's fields and announces it (`workforce.site.updated`), in one transaction; the site as
/// stored.
pub async fn change(
    conn: &mut AsyncPgConnection,
    id: Uuid,
    e: &Editable,
    correlation: Option<String>,
) -> Result<Site, WorkforceError> {
    conn.transaction(|conn| {
        async move {
            update(conn, id, e).await?;
            Ok::<_, WorkforceError>(announce(conn, types::SITE_UPDATED, id, correlation).await?)
        }
        .scope_boxed()
    })
    .await
}
