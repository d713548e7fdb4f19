//! Contractor profiles (DOMAIN §3.2); the rating travels as text at its column's scale.

use crate::error::WorkforceError;
use crate::events::published;
use crate::schema::contractor_profiles;
use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Text, Uuid as SqlUuid};
use diesel::QueryableByName;
use diesel_async::scoped_futures::ScopedFutureExt;
use diesel_async::{AsyncConnection, AsyncPgConnection, RunQueryDsl};
use hm_contracts::events::types;
use uuid::Uuid;

/// A contractor profile with its user's phone and name.
#[derive(Debug, Clone, QueryableByName)]
#[diesel(table_name = contractor_profiles)]
pub struct Contractor {
    pub id: Uuid,
    pub user_id: Uuid,
    #[diesel(sql_type = Text)]
    pub user_phone: String,
    #[diesel(sql_type = Text)]
    pub user_name: String,
    pub company_name: String,
    pub license_number: String,
    pub gst_number: String,
    pub address: String,
    pub city: String,
    pub state: String,
    pub postal_code: String,
    pub website: String,
    pub experience_years: i32,
    #[diesel(sql_type = Text)]
    pub rating: String,
    pub total_projects: i32,
    pub is_active: bool,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// The writable fields (API "ContractorProfile JSON").
#[derive(Debug, Clone, PartialEq)]
pub struct Editable {
    pub company_name: String,
    pub license_number: String,
    pub gst_number: String,
    pub address: String,
    pub city: String,
    pub state: String,
    pub postal_code: String,
    pub website: String,
    pub experience_years: i32,
    pub is_active: bool,
}

impl Default for Editable {
    fn default() -> Self {
        Editable {
            company_name: String::new(),
            license_number: String::new(),
            gst_number: String::new(),
            address: String::new(),
            city: String::new(),
            state: String::new(),
            postal_code: String::new(),
            website: String::new(),
            experience_years: 0,
            is_active: true,
        }
    }
}

impl Editable {
    /// The profile's current fields.
    pub fn of(c: &Contractor) -> Editable {
        Editable {
            company_name: c.company_name.clone(),
            license_number: c.license_number.clone(),
            gst_number: c.gst_number.clone(),
            address: c.address.clone(),
            city: c.city.clone(),
            state: c.state.clone(),
            postal_code: c.postal_code.clone(),
            website: c.website.clone(),
            experience_years: c.experience_years,
            is_active: c.is_active,
        }
    }
}

// Raw SQL: the user's projection joined, with `person_name` and the rating as text.
const SELECT: &str = "\
SELECT c.id, c.user_id, coalesce(u.phone, '') AS user_phone,
       person_name(u.first_name, u.last_name, u.phone) AS user_name,
       c.company_name, c.license_number, c.gst_number, c.address, c.city, c.state, c.postal_code, c.website,
       c.experience_years, c.rating::text AS rating, c.total_projects, c.is_active, c.created_at, c.updated_at
FROM contractor_profiles c
LEFT JOIN user_refs u ON u.id = c.user_id";

/// The profile with this id, if any.
pub async fn by_id(conn: &mut AsyncPgConnection, id: Uuid) -> QueryResult<Option<Contractor>> {
    diesel::sql_query(format!("{SELECT} WHERE c.id = $1"))
        .bind::<SqlUuid, _>(id)
        .get_result(conn)
        .await
        .optional()
}

/// The profile of this user, if any.
pub async fn by_user(
    conn: &mut AsyncPgConnection,
    user_id: Uuid,
) -> QueryResult<Option<Contractor>> {
    diesel::sql_query(format!("{SELECT} WHERE c.user_id = $1"))
        .bind::<SqlUuid, _>(user_id)
        .get_result(conn)
        .await
        .optional()
}

/// Newest first, one page, and the total.
pub async fn page(
    conn: &mut AsyncPgConnection,
    limit: i64,
    offset: i64,
) -> QueryResult<(Vec<Contractor>, i64)> {
    let rows = diesel::sql_query(format!(
        "{SELECT} ORDER BY c.created_at DESC, c.id LIMIT $1 OFFSET $2"
    ))
    .bind::<BigInt, _>(limit)
    .bind::<BigInt, _>(offset)
    .load(conn)
    .await?;
    let count = contractor_profiles::table.count().get_result(conn).await?;
    Ok((rows, count))
}

/// A new profile of `user_id` (no event: [`create`] announces one).
pub async fn insert(
    conn: &mut AsyncPgConnection,
    id: Uuid,
    user_id: Uuid,
    e: &Editable,
) -> QueryResult<()> {
    diesel::insert_into(contractor_profiles::table)
        .values((
            contractor_profiles::id.eq(id),
            contractor_profiles::user_id.eq(user_id),
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
    diesel::dsl::Eq<contractor_profiles::company_name, &String>,
    diesel::dsl::Eq<contractor_profiles::license_number, &String>,
    diesel::dsl::Eq<contractor_profiles::gst_number, &String>,
    diesel::dsl::Eq<contractor_profiles::address, &String>,
    diesel::dsl::Eq<contractor_profiles::city, &String>,
    diesel::dsl::Eq<contractor_profiles::state, &String>,
    diesel::dsl::Eq<contractor_profiles::postal_code, &String>,
    diesel::dsl::Eq<contractor_profiles::website, &String>,
    diesel::dsl::Eq<contractor_profiles::experience_years, i32>,
    diesel::dsl::Eq<contractor_profiles::is_active, bool>,
) {
    use contractor_profiles as c;
    (
        c::company_name.eq(&e.company_name),
        c::license_number.eq(&e.license_number),
        c::gst_number.eq(&e.gst_number),
        c::address.eq(&e.address),
        c::city.eq(&e.city),
        c::state.eq(&e.state),
        c::postal_code.eq(&e.postal_code),
        c::website.eq(&e.website),
        c::experience_years.eq(e.experience_years),
        c::is_active.eq(e.is_active),
    )
}

async fn update(conn: &mut AsyncPgConnection, id: Uuid, e: &Editable) -> QueryResult<()> {
    diesel::update(contractor_profiles::table.find(id))
        .set((
            fields(e),
            contractor_profiles::updated_at.eq(diesel::dsl::now),
        ))
        .execute(conn)
        .await
        .map(|_| ())
}

/// The profile with this id, else 404 (`ContractorProfile`).
pub async fn found(conn: &mut AsyncPgConnection, id: Uuid) -> Result<Contractor, WorkforceError> {
    by_id(conn, id)
        .await?
        .ok_or(WorkforceError::ContractorNotFound)
}

/// Creates `user`'s profile and announces it (`workforce.contractor.created`), in one transaction; one
/// profile per user is the unique constraint's to decide (store::CONSTRAINTS).
pub async fn create(
    conn: &mut AsyncPgConnection,
    id: Uuid,
    user: Uuid,
    e: &Editable,
    correlation: Option<String>,
) -> Result<Contractor, WorkforceError> {
    conn.transaction(|conn| {
        async move {
            insert(conn, id, user, e).await?;
            let event = published::contractor(types::CONTRACTOR_CREATED, id, user, correlation);
            hm_platform::events::enqueue(conn, event).await?;
            Ok::<_, WorkforceError>(())
        }
        .scope_boxed()
    })
    .await?;
    found(conn, id).await
}

/// Writes the profile's fields and announces it (`workforce.contractor.updated`), in one transaction.
pub async fn change(
    conn: &mut AsyncPgConnection,
    id: Uuid,
    user: Uuid,
    e: &Editable,
    correlation: Option<String>,
) -> Result<Contractor, WorkforceError> {
    conn.transaction(|conn| {
        async move {
            update(conn, id, e).await?;
            let event = published::contractor(types::CONTRACTOR_UPDATED, id, user, correlation);
            hm_platform::events::enqueue(conn, event).await?;
            Ok::<_, WorkforceError>(())
        }
        .scope_boxed()
    })
    .await?;
    found(conn, id).await
}

/// Deletes the profile (its kiosks go with it) and announces it (`workforce.contractor.deleted`), in
/// one transaction.
pub async fn remove(
    conn: &mut AsyncPgConnection,
    id: Uuid,
    user: Uuid,
    correlation: Option<String>,
) -> Result<(), WorkforceError> {
    conn.transaction(|conn| {
        async move {
            diesel::delete(contractor_profiles::table.find(id))
                .execute(conn)
                .await?;
            let event = published::contractor(types::CONTRACTOR_DELETED, id, user, correlation);
            hm_platform::events::enqueue(conn, event).await?;
            Ok::<_, WorkforceError>(())
        }
        .scope_boxed()
    })
    .await
}

/// The contractor-profile dashboard (API §5.10): active kiosks, distinct workers who checked in at them
/// on `day` (UTC), and the contractor's jobs still open or assigned.
#[derive(Debug, Clone, PartialEq, QueryableByName)]
pub struct Dashboard {
    #[diesel(sql_type = BigInt)]
    pub active_sites: i64,
    #[diesel(sql_type = BigInt)]
    pub workers_present_today: i64,
    #[diesel(sql_type = BigInt)]
    pub pending_jobs: i64,
}

/// The dashboard's numbers of contractor `id` on `day`.
// Raw SQL: three counts over three tables, one with a join, in one round trip.
pub async fn dashboard(
    conn: &mut AsyncPgConnection,
    id: Uuid,
    day: chrono::NaiveDate,
) -> QueryResult<Dashboard> {
    diesel::sql_query(
        "SELECT (SELECT count(*) FROM kiosks WHERE contractor_id = $1 AND is_active) AS active_sites,
                (SELECT count(DISTINCT l.worker_id) FROM attendance_logs l
                 JOIN kiosks k ON k.id = l.kiosk_id
                 WHERE k.contractor_id = $1 AND k.is_active
                   AND l.check_in >= ($2::date)::timestamp AT TIME ZONE 'UTC'
                   AND l.check_in < ($2::date + 1)::timestamp AT TIME ZONE 'UTC') AS workers_present_today,
                (SELECT count(*) FROM job_refs WHERE contractor_id = $1 AND status IN ('open', 'assigned'))
                    AS pending_jobs",
    )
    .bind::<SqlUuid, _>(id)
    .bind::<diesel::sql_types::Date, _>(day)
    .get_result(conn)
    .await
}
