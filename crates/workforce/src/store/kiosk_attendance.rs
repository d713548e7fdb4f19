//! What kiosks record (DOMAIN §3.7–3.8): a worker's daily stub mark and their check-ins and check-outs,
//! each call authenticated by the kiosk's device token.

use super::kiosks::{authenticated, Kiosk};
use super::refs;
use crate::domain::kiosks as rules;
use crate::error::WorkforceError;
use crate::events::published;
use crate::schema::{attendance, attendance_logs};
use chrono::{DateTime, NaiveDate, Utc};
use diesel::prelude::*;
use diesel::sql_types::{Bool, Date, Double, Nullable, Text, Timestamptz, Uuid as SqlUuid};
use diesel::{OptionalExtension, QueryResult, QueryableByName};
use diesel_async::scoped_futures::ScopedFutureExt;
use diesel_async::{AsyncConnection, AsyncPgConnection, RunQueryDsl};
use hm_contracts::events::{types, AttendanceChecked};
use uuid::Uuid;

/// Refuses a worker who is not a user this service knows (from identity's events): a kiosk must not
/// record attendance for nobody, which dashboards would count as present.
async fn require_worker(conn: &mut AsyncPgConnection, worker: Uuid) -> Result<(), WorkforceError> {
    if refs::user_exists(conn, worker).await? {
        Ok(())
    } else {
        Err(WorkforceError::UnknownWorker)
    }
}

/// A kiosk's call: which kiosk, with which token.
#[derive(Debug, Clone, Copy)]
pub struct Presented<'a> {
    pub kiosk: Uuid,
    pub token: Option<&'a str>,
}

/// The day's stub mark of `worker` at the presenting kiosk (API §5.17); `true` when new.
pub async fn stub_mark(
    conn: &mut AsyncPgConnection,
    at: Presented<'_>,
    worker: Uuid,
    device_id: Option<&str>,
    date: NaiveDate,
) -> Result<(Mark, bool), WorkforceError> {
    let kiosk = authenticated(conn, at.kiosk, at.token).await?;
    require_worker(conn, worker).await?;
    Ok(mark(conn, worker, kiosk.id, device_id, date).await?)
}

/// A worker's daily kiosk attendance, with the worker's phone and the kiosk's name.
#[derive(Debug, Clone, QueryableByName)]
#[diesel(table_name = attendance)]
pub struct Mark {
    pub id: Uuid,
    pub worker_id: Uuid,
    #[diesel(sql_type = Text)]
    pub worker_phone: String,
    pub kiosk_id: Option<Uuid>,
    #[diesel(sql_type = Nullable<Text>)]
    pub kiosk_name: Option<String>,
    pub method: String,
    pub device_id: Option<String>,
    pub date: NaiveDate,
    pub timestamp: DateTime<Utc>,
    pub created_at: DateTime<Utc>,
}

// Raw SQL: joins with the kiosk and the user's projection.
const MARK: &str = "SELECT a.id, a.worker_id, coalesce(u.phone, '') AS worker_phone, a.kiosk_id,
    k.location_name AS kiosk_name, a.method, a.device_id, a.date, a.timestamp, a.created_at
    FROM attendance a LEFT JOIN kiosks k ON k.id = a.kiosk_id LEFT JOIN user_refs u ON u.id = a.worker_id";

/// How a kiosk's daily mark is taken: the biometric stub (API §5.17).
const STUB: &str = "stub";

/// The day's kiosk attendance of a worker, created or re-marked; `true` when new (API §5.17).
async fn mark(
    conn: &mut AsyncPgConnection,
    worker: Uuid,
    kiosk: Uuid,
    device_id: Option<&str>,
    date: NaiveDate,
) -> QueryResult<(Mark, bool)> {
    use crate::schema::attendance as a;
    use diesel::dsl::{now, sql};
    use diesel::upsert::excluded;
    let (id, inserted): (Uuid, bool) = diesel::insert_into(a::table)
        .values((
            a::id.eq(Uuid::new_v4()),
            a::worker_id.eq(worker),
            a::kiosk_id.eq(kiosk),
            a::method.eq(STUB),
            a::device_id.eq(device_id),
            a::date.eq(date),
        ))
        .on_conflict((a::worker_id, a::date))
        .do_update()
        .set((
            a::kiosk_id.eq(excluded(a::kiosk_id)),
            a::method.eq(STUB),
            a::device_id.eq(excluded(a::device_id)),
            a::updated_at.eq(now),
        ))
        // A row the upsert inserted has no deleting transaction yet.
        .returning((a::id, sql::<Bool>("xmax = 0")))
        .get_result(conn)
        .await?;
    let mark = diesel::sql_query(format!("{MARK} WHERE a.id = $1"))
        .bind::<SqlUuid, _>(id)
        .get_result(conn)
        .await?;
    Ok((mark, inserted))
}

/// A kiosk's attendance on one day, latest first (API §5.18).
// Raw SQL: joins with the projections.
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

/// A check-in at a kiosk, and its check-out once there.
#[derive(Debug, Clone, QueryableByName, Queryable)]
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

/// The columns of a [`Log`], in its fields' order.
const LOG_COLUMNS: (
    attendance_logs::id,
    attendance_logs::worker_id,
    attendance_logs::kiosk_id,
    attendance_logs::check_in,
    attendance_logs::check_out,
    attendance_logs::distance_m,
) = (
    attendance_logs::id,
    attendance_logs::worker_id,
    attendance_logs::kiosk_id,
    attendance_logs::check_in,
    attendance_logs::check_out,
    attendance_logs::distance_m,
);

impl Log {
    /// The log as its events carry it.
    pub fn checked(&self) -> AttendanceChecked {
        AttendanceChecked {
            log_id: self.id,
            worker_user_id: self.worker_id,
            kiosk_id: self.kiosk_id,
            check_in: self.check_in,
            check_out: self.check_out,
            distance_m: self.distance_m,
        }
    }
}

/// Checks `worker` in at the presenting kiosk, `position` its distance from the kiosk, and announces it
/// (`workforce.attendance.checked_in`), in one transaction; a worker already checked in anywhere is
/// refused. The log and its kiosk.
pub async fn check_in(
    conn: &mut AsyncPgConnection,
    at: Presented<'_>,
    worker: Uuid,
    position: Option<(f64, f64)>,
    correlation: Option<String>,
) -> Result<(Log, Kiosk), WorkforceError> {
    let kiosk = authenticated(conn, at.kiosk, at.token).await?;
    require_worker(conn, worker).await?;
    let distance = rules::distance_m(kiosk.latitude.zip(kiosk.longitude), position);
    let kiosk_id = kiosk.id;
    let log = conn
        .transaction(|conn| {
            async move {
                let log = open_log(conn, worker, kiosk_id, distance)
                    .await?
                    .ok_or(WorkforceError::AlreadyCheckedIn)?;
                let event =
                    published::attendance(types::ATTENDANCE_CHECKED_IN, log.checked(), correlation);
                hm_platform::events::enqueue(conn, event).await?;
                Ok::<_, WorkforceError>(log)
            }
            .scope_boxed()
        })
        .await?;
    Ok((log, kiosk))
}

/// Checks `worker` out at the presenting kiosk and announces it (`workforce.attendance.checked_out`),
/// in one transaction; a worker not checked in is refused. The log and the kiosk.
pub async fn check_out(
    conn: &mut AsyncPgConnection,
    at: Presented<'_>,
    worker: Uuid,
    correlation: Option<String>,
) -> Result<(Log, Kiosk), WorkforceError> {
    let kiosk = authenticated(conn, at.kiosk, at.token).await?;
    let log = conn
        .transaction(|conn| {
            async move {
                let log = close_log(conn, worker)
                    .await?
                    .ok_or(WorkforceError::NotCheckedIn)?;
                let event = published::attendance(
                    types::ATTENDANCE_CHECKED_OUT,
                    log.checked(),
                    correlation,
                );
                hm_platform::events::enqueue(conn, event).await?;
                Ok::<_, WorkforceError>(log)
            }
            .scope_boxed()
        })
        .await?;
    Ok((log, kiosk))
}

/// Opens a check-in; `None` when the worker is already checked in somewhere (the partial unique index).
async fn open_log(
    conn: &mut AsyncPgConnection,
    worker: Uuid,
    kiosk: Uuid,
    distance_m: Option<f64>,
) -> QueryResult<Option<Log>> {
    use diesel::upsert::DecoratableTarget;
    diesel::insert_into(attendance_logs::table)
        .values((
            attendance_logs::id.eq(Uuid::new_v4()),
            attendance_logs::worker_id.eq(worker),
            attendance_logs::kiosk_id.eq(kiosk),
            attendance_logs::distance_m.eq(distance_m),
        ))
        .on_conflict(attendance_logs::worker_id)
        .filter_target(attendance_logs::check_out.is_null())
        .do_nothing()
        .returning(LOG_COLUMNS)
        .get_result(conn)
        .await
        .optional()
}

/// Closes the worker's open check-in; `None` when there is none.
async fn close_log(conn: &mut AsyncPgConnection, worker: Uuid) -> QueryResult<Option<Log>> {
    // Never before the check-in, whatever the clocks did.
    let out = diesel::dsl::sql::<Nullable<Timestamptz>>("greatest(now(), check_in)");
    diesel::update(
        attendance_logs::table
            .filter(attendance_logs::worker_id.eq(worker))
            .filter(attendance_logs::check_out.is_null()),
    )
    .set((
        attendance_logs::check_out.eq(out),
        attendance_logs::updated_at.eq(diesel::dsl::now),
    ))
    .returning(LOG_COLUMNS)
    .get_result(conn)
    .await
    .optional()
}
