//! A site's daily attendance (API §5.14–5.16): one mark per worker and day.

use super::{site_stats, workers};
use crate::domain::attendance::Status;
use crate::error::WorkforceError;
use crate::schema::site_attendance;
use chrono::{DateTime, NaiveDate, Utc};
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Bool, Date, Nullable, Text, Uuid as SqlUuid};
use diesel::{QueryResult, QueryableByName};
use diesel_async::scoped_futures::ScopedFutureExt;
use diesel_async::{AsyncConnection, AsyncPgConnection, RunQueryDsl};
use uuid::Uuid;

/// A worker's attendance at a site on a day, with the names of the site, the worker and who marked it.
#[derive(Debug, Clone, QueryableByName)]
#[diesel(table_name = site_attendance)]
pub struct Mark {
    pub id: Uuid,
    pub site_id: Uuid,
    #[diesel(sql_type = Text)]
    pub site_name: String,
    pub worker_id: Uuid,
    #[diesel(sql_type = Text)]
    pub worker_name: String,
    #[diesel(sql_type = Text)]
    pub worker_phone: String,
    pub attendance_date: NaiveDate,
    pub status: String,
    pub checkin_time: Option<DateTime<Utc>>,
    pub checkout_time: Option<DateTime<Utc>>,
    pub marked_by: Option<Uuid>,
    #[diesel(sql_type = Nullable<Text>)]
    pub marked_by_name: Option<String>,
    pub notes: String,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

// Raw SQL: joins with the projections and `person_name`.
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
    pub status: Status,
    pub checkin_time: Option<DateTime<Utc>>,
    pub checkout_time: Option<DateTime<Utc>>,
    pub notes: String,
    pub marked_by: Uuid,
}

/// Marks worker profile `m.worker` at the site (API §5.14) and announces the site's numbers that day,
/// in one transaction; a worker without a profile is refused. `true` when the mark is new.
pub async fn mark_worker(
    conn: &mut AsyncPgConnection,
    site: Uuid,
    m: &Marking,
    correlation: Option<String>,
) -> Result<(Mark, bool), WorkforceError> {
    conn.transaction(|conn| {
        async move {
            if workers::by_id(conn, m.worker).await?.is_none() {
                return Err(WorkforceError::WorkerNotFound);
            }
            Ok(mark(conn, site, m, correlation).await?)
        }
        .scope_boxed()
    })
    .await
}

/// Upsert on (site, worker, date) (API §5.14) and the site's numbers that day
/// (`workforce.site.stats_changed`), in the caller's transaction; `true` when the row is new.
pub async fn mark(
    conn: &mut AsyncPgConnection,
    site: Uuid,
    m: &Marking,
    correlation: Option<String>,
) -> QueryResult<(Mark, bool)> {
    use crate::schema::site_attendance as a;
    use diesel::dsl::{now, sql};
    use diesel::upsert::excluded;
    let (id, inserted): (Uuid, bool) = diesel::insert_into(a::table)
        .values((
            a::id.eq(Uuid::new_v4()),
            a::site_id.eq(site),
            a::worker_id.eq(m.worker),
            a::attendance_date.eq(m.date),
            a::status.eq(m.status.as_str()),
            a::checkin_time.eq(m.checkin_time),
            a::checkout_time.eq(m.checkout_time),
            a::marked_by.eq(m.marked_by),
            a::notes.eq(&m.notes),
        ))
        .on_conflict((a::site_id, a::worker_id, a::attendance_date))
        .do_update()
        .set((
            a::status.eq(excluded(a::status)),
            a::checkin_time.eq(excluded(a::checkin_time)),
            a::checkout_time.eq(excluded(a::checkout_time)),
            a::marked_by.eq(excluded(a::marked_by)),
            a::notes.eq(excluded(a::notes)),
            a::updated_at.eq(now),
        ))
        // A row the upsert inserted has no deleting transaction yet.
        .returning((a::id, sql::<Bool>("xmax = 0")))
        .get_result(conn)
        .await?;
    site_stats::announce(conn, site, m.date, correlation).await?;
    let mark = diesel::sql_query(format!("{MARK} WHERE m.id = $1"))
        .bind::<SqlUuid, _>(id)
        .get_result(conn)
        .await?;
    Ok((mark, inserted))
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

/// The site's marks on `date` and its ten latest marks: what its dashboard shows.
pub async fn dashboard(
    conn: &mut AsyncPgConnection,
    site: Uuid,
    date: NaiveDate,
) -> QueryResult<(Vec<Mark>, Vec<Mark>)> {
    let marks = day(conn, site, date).await?;
    let recent = recent_marks(conn, site, 10).await?;
    Ok((marks, recent))
}

/// The site's latest marks and assignments, newest first: what its dashboard shows as activity.
async fn recent_marks(
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
