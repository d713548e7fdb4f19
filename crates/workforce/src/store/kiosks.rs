//! Kiosks, their daily attendance and their check-in/check-out logs (DOMAIN §3.6–3.8).

use chrono::{DateTime, NaiveDate, Utc};
use diesel::sql_types::{Bool, Date, Double, Int4, Nullable, Text, Timestamptz, Uuid as SqlUuid};
use diesel::OptionalExtension;
use diesel::{QueryResult, QueryableByName};
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use uuid::Uuid;

#[derive(Debug, Clone, QueryableByName)]
pub struct Kiosk {
    #[diesel(sql_type = SqlUuid)]
    pub id: Uuid,
    #[diesel(sql_type = Nullable<SqlUuid>)]
    pub contractor_id: Option<Uuid>,
    #[diesel(sql_type = Nullable<SqlUuid>)]
    pub site_id: Option<Uuid>,
    #[diesel(sql_type = Text)]
    pub device_uuid: String,
    #[diesel(sql_type = Text)]
    pub location_name: String,
    #[diesel(sql_type = Text)]
    pub address: String,
    #[diesel(sql_type = Nullable<Double>)]
    pub latitude: Option<f64>,
    #[diesel(sql_type = Nullable<Double>)]
    pub longitude: Option<f64>,
    #[diesel(sql_type = Int4)]
    pub geofence_radius_m: i32,
    #[diesel(sql_type = Bool)]
    pub is_active: bool,
    #[diesel(sql_type = Text)]
    pub token_hash: String,
    #[diesel(sql_type = Timestamptz)]
    pub created_at: DateTime<Utc>,
}

const KIOSK: &str = "SELECT id, contractor_id, site_id, device_uuid, location_name, address,
    latitude::float8 AS latitude, longitude::float8 AS longitude, geofence_radius_m, is_active, token_hash, created_at
    FROM kiosks";

pub async fn by_id(conn: &mut AsyncPgConnection, id: Uuid) -> QueryResult<Option<Kiosk>> {
    diesel::sql_query(format!("{KIOSK} WHERE id = $1"))
        .bind::<SqlUuid, _>(id)
        .get_result(conn)
        .await
        .optional()
}

/// Kiosks of a contractor (all, for `None`), newest first.
pub async fn list(
    conn: &mut AsyncPgConnection,
    contractor: Option<Uuid>,
) -> QueryResult<Vec<Kiosk>> {
    diesel::sql_query(format!(
        "{KIOSK} WHERE ($1::uuid IS NULL OR contractor_id = $1) ORDER BY created_at DESC"
    ))
    .bind::<Nullable<SqlUuid>, _>(contractor)
    .load(conn)
    .await
}

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

pub async fn insert(conn: &mut AsyncPgConnection, id: Uuid, k: &NewKiosk<'_>) -> QueryResult<()> {
    diesel::sql_query(
        "INSERT INTO kiosks (id, contractor_id, site_id, device_uuid, location_name, address, latitude, longitude,
             geofence_radius_m, token_hash)
         VALUES ($1, $2, $3, $4, $5, $6, $7::numeric, $8::numeric, $9, $10)",
    )
    .bind::<SqlUuid, _>(id)
    .bind::<Nullable<SqlUuid>, _>(k.contractor_id)
    .bind::<Nullable<SqlUuid>, _>(k.site_id)
    .bind::<Text, _>(k.device_uuid)
    .bind::<Text, _>(k.location_name)
    .bind::<Text, _>(k.address)
    .bind::<Nullable<Text>, _>(k.latitude)
    .bind::<Nullable<Text>, _>(k.longitude)
    .bind::<Int4, _>(k.geofence_radius_m)
    .bind::<Text, _>(k.token_hash)
    .execute(conn)
    .await
    .map(|_| ())
}

#[derive(Debug, Clone, QueryableByName)]
pub struct Mark {
    #[diesel(sql_type = SqlUuid)]
    pub id: Uuid,
    #[diesel(sql_type = SqlUuid)]
    pub worker_id: Uuid,
    #[diesel(sql_type = Text)]
    pub worker_phone: String,
    #[diesel(sql_type = Nullable<SqlUuid>)]
    pub kiosk_id: Option<Uuid>,
    #[diesel(sql_type = Nullable<Text>)]
    pub kiosk_name: Option<String>,
    #[diesel(sql_type = Text)]
    pub method: String,
    #[diesel(sql_type = Nullable<Text>)]
    pub device_id: Option<String>,
    #[diesel(sql_type = Date)]
    pub date: NaiveDate,
    #[diesel(sql_type = Timestamptz)]
    pub timestamp: DateTime<Utc>,
    #[diesel(sql_type = Timestamptz)]
    pub created_at: DateTime<Utc>,
}

const MARK: &str = "SELECT a.id, a.worker_id, coalesce(u.phone, '') AS worker_phone, a.kiosk_id,
    k.location_name AS kiosk_name, a.method, a.device_id, a.date, a.timestamp, a.created_at
    FROM attendance a LEFT JOIN kiosks k ON k.id = a.kiosk_id LEFT JOIN user_refs u ON u.id = a.worker_id";

/// The day's kiosk attendance of a worker, created or re-marked; `true` when new (API §5.17).
pub async fn mark(
    conn: &mut AsyncPgConnection,
    worker: Uuid,
    kiosk: Uuid,
    device_id: Option<&str>,
    date: NaiveDate,
) -> QueryResult<(Mark, bool)> {
    #[derive(QueryableByName)]
    struct Id {
        #[diesel(sql_type = SqlUuid)]
        id: Uuid,
        #[diesel(sql_type = Bool)]
        inserted: bool,
    }
    let id: Id = diesel::sql_query(
        "INSERT INTO attendance (id, worker_id, kiosk_id, method, device_id, date) VALUES ($1, $2, $3, 'stub', $4, $5)
         ON CONFLICT (worker_id, date) DO UPDATE
             SET kiosk_id = excluded.kiosk_id, method = 'stub', device_id = excluded.device_id, updated_at = now()
         RETURNING id, (xmax = 0) AS inserted",
    )
    .bind::<SqlUuid, _>(Uuid::new_v4())
    .bind::<SqlUuid, _>(worker)
    .bind::<SqlUuid, _>(kiosk)
    .bind::<Nullable<Text>, _>(device_id)
    .bind::<Date, _>(date)
    .get_result(conn)
    .await?;
    let mark = diesel::sql_query(format!("{MARK} WHERE a.id = $1"))
        .bind::<SqlUuid, _>(id.id)
        .get_result(conn)
        .await?;
    Ok((mark, id.inserted))
}

/// A kiosk's attendance on one day, latest first (API §5.18).
pub async fn day(
    conn: &mut AsyncPgConnection,
    kiosk: Uuid,
    date: NaiveDate,
) -> QueryResult<Vec<Mark>> {
    diesel::sql_query(format!(
        "{MARK} WHERE a.kiosk_id = $1 AND a.date = $2 ORDER BY a.timestamp DESC, a.id"
    ))
    .bind::<SqlUuid, _>(kiosk)
    .bind::<Date, _>(date)
    .load(conn)
    .await
}

#[derive(Debug, Clone, QueryableByName)]
pub struct Log {
    #[diesel(sql_type = SqlUuid)]
    pub id: Uuid,
    #[diesel(sql_type = SqlUuid)]
    pub worker_id: Uuid,
    #[diesel(sql_type = SqlUuid)]
    pub kiosk_id: Uuid,
    #[diesel(sql_type = Timestamptz)]
    pub check_in: DateTime<Utc>,
    #[diesel(sql_type = Nullable<Timestamptz>)]
    pub check_out: Option<DateTime<Utc>>,
    #[diesel(sql_type = Nullable<Double>)]
    pub distance_m: Option<f64>,
}

/// Opens a check-in; `None` when the worker is already checked in somewhere (the partial unique index).
pub async fn check_in(
    conn: &mut AsyncPgConnection,
    worker: Uuid,
    kiosk: Uuid,
    distance_m: Option<f64>,
) -> QueryResult<Option<Log>> {
    diesel::sql_query(
        "INSERT INTO attendance_logs (id, worker_id, kiosk_id, distance_m) VALUES ($1, $2, $3, $4)
             ON CONFLICT (worker_id) WHERE check_out IS NULL DO NOTHING
             RETURNING id, worker_id, kiosk_id, check_in, check_out, distance_m",
    )
    .bind::<SqlUuid, _>(Uuid::new_v4())
    .bind::<SqlUuid, _>(worker)
    .bind::<SqlUuid, _>(kiosk)
    .bind::<Nullable<Double>, _>(distance_m)
    .get_result(conn)
    .await
    .optional()
}

/// Closes the worker's open check-in; `None` when there is none.
pub async fn check_out(conn: &mut AsyncPgConnection, worker: Uuid) -> QueryResult<Option<Log>> {
    diesel::sql_query(
        "UPDATE attendance_logs SET check_out = greatest(now(), check_in), updated_at = now()
             WHERE worker_id = $1 AND check_out IS NULL
             RETURNING id, worker_id, kiosk_id, check_in, check_out, distance_m",
    )
    .bind::<SqlUuid, _>(worker)
    .get_result(conn)
    .await
    .optional()
}

/// A new device token for the kiosk (its hash); whether the kiosk exists.
pub async fn set_token_hash(
    conn: &mut AsyncPgConnection,
    id: Uuid,
    hash: &str,
) -> QueryResult<bool> {
    diesel::sql_query("UPDATE kiosks SET token_hash = $2, updated_at = now() WHERE id = $1")
        .bind::<SqlUuid, _>(id)
        .bind::<Text, _>(hash)
        .execute(conn)
        .await
        .map(|n| n > 0)
}
