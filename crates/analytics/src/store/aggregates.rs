//! Daily aggregates (DOMAIN §6.2): counts per (day, type, source) of a day that is over, so reports of
//! past days read a few rows instead of the day's partition.

use crate::domain::report::day_bounds;
use chrono::NaiveDate;
use chrono_tz::Tz;
use diesel::sql_types::{Date, Timestamptz};
use diesel::{ExpressionMethods, QueryDsl};
use diesel_async::{AsyncPgConnection, RunQueryDsl};

use crate::schema::analytics_daily_aggregates as agg;

/// Counts `day`'s events per (type, source) — events, distinct users, distinct anonymous ids — into the
/// aggregate table, replacing that day's rows (idempotent: run twice, the same rows). Returns the rows
/// written. `day` must be over (the caller checks): a day still filling would be read from its rows.
///
/// One `INSERT … SELECT … GROUP BY … ON CONFLICT` (the aggregation happens in the database; the query
/// builder cannot insert from a grouped select with `count(DISTINCT …)`).
pub async fn aggregate_day(
    conn: &mut AsyncPgConnection,
    day: NaiveDate,
    zone: Tz,
) -> diesel::QueryResult<usize> {
    let (start, end) = day_bounds(day, zone);
    diesel::sql_query(
        "INSERT INTO analytics_daily_aggregates \
         (id, date, event_type, source, count, unique_users, unique_anonymous, meta) \
         SELECT gen_random_uuid(), $1, event_type, source, count(*), count(DISTINCT user_id), \
                count(DISTINCT anonymous_id), '{}' \
         FROM analytics_events WHERE created_at >= $2 AND created_at < $3 \
         GROUP BY event_type, source \
         ON CONFLICT (date, event_type, source) DO UPDATE SET \
           count = EXCLUDED.count, unique_users = EXCLUDED.unique_users, \
           unique_anonymous = EXCLUDED.unique_anonymous, updated_at = now()",
    )
    .bind::<Date, _>(day)
    .bind::<Timestamptz, _>(start)
    .bind::<Timestamptz, _>(end)
    .execute(conn)
    .await
}

/// Whether `day` has aggregate rows.
pub async fn exists(conn: &mut AsyncPgConnection, day: NaiveDate) -> diesel::QueryResult<bool> {
    diesel::select(diesel::dsl::exists(agg::table.filter(agg::date.eq(day))))
        .get_result(conn)
        .await
}
