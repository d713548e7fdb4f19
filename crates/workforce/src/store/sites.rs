//! Sites and their worker assignments (DOMAIN §3.3–3.4).

use super::Count;
use chrono::{DateTime, NaiveDate, Utc};
use diesel::sql_types::{BigInt, Bool, Date, Jsonb, Nullable, Text, Timestamptz, Uuid as SqlUuid};
use diesel::OptionalExtension;
use diesel::{QueryResult, QueryableByName};
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use serde_json::Value;
use uuid::Uuid;

#[derive(Debug, Clone, QueryableByName)]
pub struct Site {
    #[diesel(sql_type = SqlUuid)]
    pub id: Uuid,
    #[diesel(sql_type = SqlUuid)]
    pub contractor_id: Uuid,
    #[diesel(sql_type = SqlUuid)]
    pub contractor_user_id: Uuid,
    #[diesel(sql_type = Text)]
    pub contractor_name: String,
    #[diesel(sql_type = Text)]
    pub name: String,
    #[diesel(sql_type = Text)]
    pub address: String,
    #[diesel(sql_type = Nullable<Text>)]
    pub lat: Option<String>,
    #[diesel(sql_type = Nullable<Text>)]
    pub lng: Option<String>,
    #[diesel(sql_type = Text)]
    pub phone: String,
    #[diesel(sql_type = Bool)]
    pub is_active: bool,
    #[diesel(sql_type = Nullable<Date>)]
    pub start_date: Option<NaiveDate>,
    #[diesel(sql_type = Nullable<Date>)]
    pub end_date: Option<NaiveDate>,
    #[diesel(sql_type = Jsonb)]
    pub metadata: Value,
    #[diesel(sql_type = BigInt)]
    pub assigned_workers_count: i64,
    #[diesel(sql_type = Timestamptz)]
    pub created_at: DateTime<Utc>,
    #[diesel(sql_type = Timestamptz)]
    pub updated_at: DateTime<Utc>,
}

/// The writable fields of a site.
#[derive(Debug, Clone, Default)]
pub struct Editable {
    pub name: String,
    pub address: String,
    pub lat: Option<String>,
    pub lng: Option<String>,
    pub phone: String,
    pub is_active: bool,
    pub start_date: Option<NaiveDate>,
    pub end_date: Option<NaiveDate>,
    pub metadata: Value,
}

impl Editable {
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

const SELECT: &str = "\
SELECT s.id, s.contractor_id, c.user_id AS contractor_user_id, c.company_name AS contractor_name, s.name,
       s.address, s.lat::text AS lat, s.lng::text AS lng, s.phone, s.is_active, s.start_date, s.end_date,
       s.metadata,
       (SELECT count(*) FROM site_assignments a WHERE a.site_id = s.id AND a.is_active) AS assigned_workers_count,
       s.created_at, s.updated_at
FROM sites s JOIN contractor_profiles c ON c.id = s.contractor_id";

pub async fn by_id(conn: &mut AsyncPgConnection, id: Uuid) -> QueryResult<Option<Site>> {
    diesel::sql_query(format!("{SELECT} WHERE s.id = $1"))
        .bind::<SqlUuid, _>(id)
        .get_result(conn)
        .await
        .optional()
}

/// Newest first; only `contractor`'s sites unless `None` (staff see all).
pub async fn page(
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
    let count: Count = diesel::sql_query(
        "SELECT count(*) AS n FROM sites WHERE ($1::uuid IS NULL OR contractor_id = $1)",
    )
    .bind::<Nullable<SqlUuid>, _>(contractor)
    .get_result(conn)
    .await?;
    Ok((rows, count.n))
}

/// The contractor's site with this name, if any.
pub async fn id_by_name(
    conn: &mut AsyncPgConnection,
    contractor: Uuid,
    name: &str,
) -> QueryResult<Option<Uuid>> {
    #[derive(QueryableByName)]
    struct Id {
        #[diesel(sql_type = SqlUuid)]
        id: Uuid,
    }
    diesel::sql_query(
        "SELECT id FROM sites WHERE contractor_id = $1 AND name = $2 ORDER BY created_at LIMIT 1",
    )
    .bind::<SqlUuid, _>(contractor)
    .bind::<Text, _>(name)
    .get_result::<Id>(conn)
    .await
    .optional()
    .map(|row| row.map(|r| r.id))
}

pub async fn insert(
    conn: &mut AsyncPgConnection,
    id: Uuid,
    contractor: Uuid,
    e: &Editable,
) -> QueryResult<()> {
    diesel::sql_query(
        "INSERT INTO sites (id, contractor_id, name, address, lat, lng, phone, is_active, start_date, end_date, metadata)
         VALUES ($1, $2, $3, $4, $5::numeric, $6::numeric, $7, $8, $9, $10, $11)",
    )
    .bind::<SqlUuid, _>(id)
    .bind::<SqlUuid, _>(contractor)
    .bind::<Text, _>(&e.name)
    .bind::<Text, _>(&e.address)
    .bind::<Nullable<Text>, _>(&e.lat)
    .bind::<Nullable<Text>, _>(&e.lng)
    .bind::<Text, _>(&e.phone)
    .bind::<Bool, _>(e.is_active)
    .bind::<Nullable<Date>, _>(e.start_date)
    .bind::<Nullable<Date>, _>(e.end_date)
    .bind::<Jsonb, _>(&e.metadata)
    .execute(conn)
    .await
    .map(|_| ())
}

pub async fn update(conn: &mut AsyncPgConnection, id: Uuid, e: &Editable) -> QueryResult<()> {
    diesel::sql_query(
        "UPDATE sites SET name = $2, address = $3, lat = $4::numeric, lng = $5::numeric, phone = $6, is_active = $7,
             start_date = $8, end_date = $9, metadata = $10, updated_at = now()
         WHERE id = $1",
    )
    .bind::<SqlUuid, _>(id)
    .bind::<Text, _>(&e.name)
    .bind::<Text, _>(&e.address)
    .bind::<Nullable<Text>, _>(&e.lat)
    .bind::<Nullable<Text>, _>(&e.lng)
    .bind::<Text, _>(&e.phone)
    .bind::<Bool, _>(e.is_active)
    .bind::<Nullable<Date>, _>(e.start_date)
    .bind::<Nullable<Date>, _>(e.end_date)
    .bind::<Jsonb, _>(&e.metadata)
    .execute(conn)
    .await
    .map(|_| ())
}

pub async fn delete(conn: &mut AsyncPgConnection, id: Uuid) -> QueryResult<()> {
    diesel::sql_query("DELETE FROM sites WHERE id = $1")
        .bind::<SqlUuid, _>(id)
        .execute(conn)
        .await
        .map(|_| ())
}

#[derive(Debug, Clone, QueryableByName)]
pub struct Assignment {
    #[diesel(sql_type = SqlUuid)]
    pub id: Uuid,
    #[diesel(sql_type = SqlUuid)]
    pub site_id: Uuid,
    #[diesel(sql_type = Text)]
    pub site_name: String,
    #[diesel(sql_type = SqlUuid)]
    pub worker_id: Uuid,
    #[diesel(sql_type = Text)]
    pub worker_name: String,
    #[diesel(sql_type = Text)]
    pub worker_phone: String,
    #[diesel(sql_type = Nullable<SqlUuid>)]
    pub assigned_by: Option<Uuid>,
    #[diesel(sql_type = Nullable<Text>)]
    pub assigned_by_name: Option<String>,
    #[diesel(sql_type = Timestamptz)]
    pub assigned_at: DateTime<Utc>,
    #[diesel(sql_type = Text)]
    pub role_on_site: String,
    #[diesel(sql_type = Bool)]
    pub is_active: bool,
    #[diesel(sql_type = Timestamptz)]
    pub created_at: DateTime<Utc>,
}

const ASSIGNMENT: &str = "\
SELECT a.id, a.site_id, s.name AS site_name, a.worker_id,
       person_name(u.first_name, u.last_name, u.phone) AS worker_name,
       coalesce(u.phone, '') AS worker_phone, a.assigned_by,
       CASE WHEN a.assigned_by IS NULL THEN NULL
            ELSE person_name(b.first_name, b.last_name, b.phone) END AS assigned_by_name,
       a.assigned_at, a.role_on_site, a.is_active, a.created_at
FROM site_assignments a
JOIN sites s ON s.id = a.site_id
JOIN worker_profiles w ON w.id = a.worker_id
LEFT JOIN user_refs u ON u.id = w.user_id
LEFT JOIN user_refs b ON b.id = a.assigned_by";

/// Assigns a worker (or re-activates the assignment, with the new role).
pub async fn assign(
    conn: &mut AsyncPgConnection,
    site: Uuid,
    worker: Uuid,
    by: Uuid,
    role: &str,
) -> QueryResult<Assignment> {
    #[derive(QueryableByName)]
    struct Id {
        #[diesel(sql_type = SqlUuid)]
        id: Uuid,
    }
    let id: Id = diesel::sql_query(
        "INSERT INTO site_assignments (id, site_id, worker_id, assigned_by, role_on_site)
         VALUES ($1, $2, $3, $4, $5)
         ON CONFLICT (site_id, worker_id) DO UPDATE
             SET is_active = true, role_on_site = excluded.role_on_site, updated_at = now()
         RETURNING id",
    )
    .bind::<SqlUuid, _>(Uuid::new_v4())
    .bind::<SqlUuid, _>(site)
    .bind::<SqlUuid, _>(worker)
    .bind::<SqlUuid, _>(by)
    .bind::<Text, _>(role)
    .get_result(conn)
    .await?;
    diesel::sql_query(format!("{ASSIGNMENT} WHERE a.id = $1"))
        .bind::<SqlUuid, _>(id.id)
        .get_result(conn)
        .await
}

/// The site's active assignments, newest first.
pub async fn assigned(conn: &mut AsyncPgConnection, site: Uuid) -> QueryResult<Vec<Assignment>> {
    diesel::sql_query(format!(
        "{ASSIGNMENT} WHERE a.site_id = $1 AND a.is_active ORDER BY a.assigned_at DESC, a.id"
    ))
    .bind::<SqlUuid, _>(site)
    .load(conn)
    .await
}

#[derive(Debug, Clone, QueryableByName)]
pub struct Mark {
    #[diesel(sql_type = SqlUuid)]
    pub id: Uuid,
    #[diesel(sql_type = SqlUuid)]
    pub site_id: Uuid,
    #[diesel(sql_type = Text)]
    pub site_name: String,
    #[diesel(sql_type = SqlUuid)]
    pub worker_id: Uuid,
    #[diesel(sql_type = Text)]
    pub worker_name: String,
    #[diesel(sql_type = Text)]
    pub worker_phone: String,
    #[diesel(sql_type = Date)]
    pub attendance_date: NaiveDate,
    #[diesel(sql_type = Text)]
    pub status: String,
    #[diesel(sql_type = Nullable<Timestamptz>)]
    pub checkin_time: Option<DateTime<Utc>>,
    #[diesel(sql_type = Nullable<Timestamptz>)]
    pub checkout_time: Option<DateTime<Utc>>,
    #[diesel(sql_type = Nullable<SqlUuid>)]
    pub marked_by: Option<Uuid>,
    #[diesel(sql_type = Nullable<Text>)]
    pub marked_by_name: Option<String>,
    #[diesel(sql_type = Text)]
    pub notes: String,
    #[diesel(sql_type = Timestamptz)]
    pub created_at: DateTime<Utc>,
    #[diesel(sql_type = Timestamptz)]
    pub updated_at: DateTime<Utc>,
}

const MARK: &str = "\
SELECT m.id, m.site_id, s.name AS site_name, m.worker_id,
       person_name(u.first_name, u.last_name, u.phone) AS worker_name,
       coalesce(u.phone, '') AS worker_phone, m.attendance_date, m.status, m.checkin_time, m.checkout_time,
       m.marked_by,
       CASE WHEN m.marked_by IS NULL THEN NULL
            ELSE person_name(b.first_name, b.last_name, b.phone) END AS marked_by_name,
       m.notes, m.created_at, m.updated_at
FROM site_attendance m
JOIN sites s ON s.id = m.site_id
JOIN worker_profiles w ON w.id = m.worker_id
LEFT JOIN user_refs u ON u.id = w.user_id
LEFT JOIN user_refs b ON b.id = m.marked_by";

/// What a contractor marks for one worker on one day.
#[derive(Debug, Clone)]
pub struct Marking {
    pub worker: Uuid,
    pub date: NaiveDate,
    pub status: String,
    pub checkin_time: Option<DateTime<Utc>>,
    pub checkout_time: Option<DateTime<Utc>>,
    pub notes: String,
    pub marked_by: Uuid,
}

/// Upsert on (site, worker, date) (API §5.14); `true` when the row is new.
pub async fn mark(
    conn: &mut AsyncPgConnection,
    site: Uuid,
    m: &Marking,
) -> QueryResult<(Mark, bool)> {
    #[derive(QueryableByName)]
    struct Id {
        #[diesel(sql_type = SqlUuid)]
        id: Uuid,
        #[diesel(sql_type = Bool)]
        inserted: bool,
    }
    let id: Id = diesel::sql_query(
        "INSERT INTO site_attendance (id, site_id, worker_id, attendance_date, status, checkin_time, checkout_time,
             marked_by, notes)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
         ON CONFLICT (site_id, worker_id, attendance_date) DO UPDATE
             SET status = excluded.status, checkin_time = excluded.checkin_time,
                 checkout_time = excluded.checkout_time, marked_by = excluded.marked_by,
                 notes = excluded.notes, updated_at = now()
         RETURNING id, (xmax = 0) AS inserted",
    )
    .bind::<SqlUuid, _>(Uuid::new_v4())
    .bind::<SqlUuid, _>(site)
    .bind::<SqlUuid, _>(m.worker)
    .bind::<Date, _>(m.date)
    .bind::<Text, _>(&m.status)
    .bind::<Nullable<Timestamptz>, _>(m.checkin_time)
    .bind::<Nullable<Timestamptz>, _>(m.checkout_time)
    .bind::<SqlUuid, _>(m.marked_by)
    .bind::<Text, _>(&m.notes)
    .get_result(conn)
    .await?;
    let mark = diesel::sql_query(format!("{MARK} WHERE m.id = $1"))
        .bind::<SqlUuid, _>(id.id)
        .get_result(conn)
        .await?;
    Ok((mark, id.inserted))
}

/// The site's attendance on one day, newest marks first.
pub async fn day(
    conn: &mut AsyncPgConnection,
    site: Uuid,
    date: NaiveDate,
) -> QueryResult<Vec<Mark>> {
    diesel::sql_query(format!(
        "{MARK} WHERE m.site_id = $1 AND m.attendance_date = $2 ORDER BY m.updated_at DESC, m.id"
    ))
    .bind::<SqlUuid, _>(site)
    .bind::<Date, _>(date)
    .load(conn)
    .await
}

/// The site's attendance from `from` to `to` (inclusive), by day then worker: the CSV export.
pub async fn range(
    conn: &mut AsyncPgConnection,
    site: Uuid,
    from: NaiveDate,
    to: NaiveDate,
) -> QueryResult<Vec<Mark>> {
    diesel::sql_query(format!(
        "{MARK} WHERE m.site_id = $1 AND m.attendance_date BETWEEN $2 AND $3
         ORDER BY m.attendance_date DESC, worker_name, m.id"
    ))
    .bind::<SqlUuid, _>(site)
    .bind::<Date, _>(from)
    .bind::<Date, _>(to)
    .load(conn)
    .await
}

/// The site's latest marks and assignments, newest first: what its dashboard shows as activity.
pub async fn recent_marks(
    conn: &mut AsyncPgConnection,
    site: Uuid,
    limit: i64,
) -> QueryResult<Vec<Mark>> {
    diesel::sql_query(format!(
        "{MARK} WHERE m.site_id = $1 ORDER BY m.updated_at DESC, m.id LIMIT $2"
    ))
    .bind::<SqlUuid, _>(site)
    .bind::<BigInt, _>(limit)
    .load(conn)
    .await
}
