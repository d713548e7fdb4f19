//! Contractor profiles (DOMAIN §3.2); the rating travels as text at its column's scale.

use super::Count;
use chrono::{DateTime, Utc};
use diesel::sql_types::{BigInt, Bool, Int4, Text, Timestamptz, Uuid as SqlUuid};
use diesel::OptionalExtension;
use diesel::{QueryResult, QueryableByName};
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use uuid::Uuid;

#[derive(Debug, Clone, QueryableByName)]
pub struct Contractor {
    #[diesel(sql_type = SqlUuid)]
    pub id: Uuid,
    #[diesel(sql_type = SqlUuid)]
    pub user_id: Uuid,
    #[diesel(sql_type = Text)]
    pub user_phone: String,
    #[diesel(sql_type = Text)]
    pub user_name: String,
    #[diesel(sql_type = Text)]
    pub company_name: String,
    #[diesel(sql_type = Text)]
    pub license_number: String,
    #[diesel(sql_type = Text)]
    pub gst_number: String,
    #[diesel(sql_type = Text)]
    pub address: String,
    #[diesel(sql_type = Text)]
    pub city: String,
    #[diesel(sql_type = Text)]
    pub state: String,
    #[diesel(sql_type = Text)]
    pub postal_code: String,
    #[diesel(sql_type = Text)]
    pub website: String,
    #[diesel(sql_type = Int4)]
    pub experience_years: i32,
    #[diesel(sql_type = Text)]
    pub rating: String,
    #[diesel(sql_type = Int4)]
    pub total_projects: i32,
    #[diesel(sql_type = Bool)]
    pub is_active: bool,
    #[diesel(sql_type = Timestamptz)]
    pub created_at: DateTime<Utc>,
    #[diesel(sql_type = Timestamptz)]
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

const SELECT: &str = "\
SELECT c.id, c.user_id, coalesce(u.phone, '') AS user_phone,
       person_name(u.first_name, u.last_name, u.phone) AS user_name,
       c.company_name, c.license_number, c.gst_number, c.address, c.city, c.state, c.postal_code, c.website,
       c.experience_years, c.rating::text AS rating, c.total_projects, c.is_active, c.created_at, c.updated_at
FROM contractor_profiles c
LEFT JOIN user_refs u ON u.id = c.user_id";

pub async fn by_id(conn: &mut AsyncPgConnection, id: Uuid) -> QueryResult<Option<Contractor>> {
    diesel::sql_query(format!("{SELECT} WHERE c.id = $1"))
        .bind::<SqlUuid, _>(id)
        .get_result(conn)
        .await
        .optional()
}

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
    let count: Count = diesel::sql_query("SELECT count(*) AS n FROM contractor_profiles")
        .get_result(conn)
        .await?;
    Ok((rows, count.n))
}

pub async fn insert(
    conn: &mut AsyncPgConnection,
    id: Uuid,
    user_id: Uuid,
    e: &Editable,
) -> QueryResult<()> {
    diesel::sql_query(
        "INSERT INTO contractor_profiles (id, user_id, company_name, license_number, gst_number, address, city,
             state, postal_code, website, experience_years, is_active)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)",
    )
    .bind::<SqlUuid, _>(id)
    .bind::<SqlUuid, _>(user_id)
    .bind::<Text, _>(&e.company_name)
    .bind::<Text, _>(&e.license_number)
    .bind::<Text, _>(&e.gst_number)
    .bind::<Text, _>(&e.address)
    .bind::<Text, _>(&e.city)
    .bind::<Text, _>(&e.state)
    .bind::<Text, _>(&e.postal_code)
    .bind::<Text, _>(&e.website)
    .bind::<Int4, _>(e.experience_years)
    .bind::<Bool, _>(e.is_active)
    .execute(conn)
    .await
    .map(|_| ())
}

pub async fn update(conn: &mut AsyncPgConnection, id: Uuid, e: &Editable) -> QueryResult<()> {
    diesel::sql_query(
        "UPDATE contractor_profiles SET company_name = $2, license_number = $3, gst_number = $4, address = $5,
             city = $6, state = $7, postal_code = $8, website = $9, experience_years = $10, is_active = $11,
             updated_at = now()
         WHERE id = $1",
    )
    .bind::<SqlUuid, _>(id)
    .bind::<Text, _>(&e.company_name)
    .bind::<Text, _>(&e.license_number)
    .bind::<Text, _>(&e.gst_number)
    .bind::<Text, _>(&e.address)
    .bind::<Text, _>(&e.city)
    .bind::<Text, _>(&e.state)
    .bind::<Text, _>(&e.postal_code)
    .bind::<Text, _>(&e.website)
    .bind::<Int4, _>(e.experience_years)
    .bind::<Bool, _>(e.is_active)
    .execute(conn)
    .await
    .map(|_| ())
}

pub async fn delete(conn: &mut AsyncPgConnection, id: Uuid) -> QueryResult<()> {
    diesel::sql_query("DELETE FROM contractor_profiles WHERE id = $1")
        .bind::<SqlUuid, _>(id)
        .execute(conn)
        .await
        .map(|_| ())
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
