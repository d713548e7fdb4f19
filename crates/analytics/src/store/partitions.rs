//! The day partitions of `analytics_events` (DOMAIN §6): one table per day of the platform's time zone,
//! `analytics_events_YYYYMMDD`, covering that day's local midnight to the next. Made ahead of time by
//! the maintenance task (and on demand when a write finds none), dropped whole when older than
//! `ANALYTICS_RETENTION_DAYS` — retention is a `DROP TABLE`, never a mass `DELETE`.
//!
//! DDL cannot take bind parameters, so these statements are built as text from values this module makes
//! itself (a date, UTC instants), never from client input. Replicas serialise on one advisory lock.

use crate::domain::report::day_bounds;
use chrono::{NaiveDate, SecondsFormat};
use chrono_tz::Tz;
use diesel::sql_types::Text;
use diesel::QueryableByName;
use diesel_async::scoped_futures::ScopedFutureExt;
use diesel_async::{AsyncConnection, AsyncPgConnection, RunQueryDsl};

/// The advisory lock every partition change takes (`hm-analytics` partitions).
const LOCK: i64 = 0x616e_616c_7974; // "analyt"

const PREFIX: &str = "analytics_events_";

/// The partition holding `day`'s events.
pub fn name(day: NaiveDate) -> String {
    format!("{PREFIX}{}", day.format("%Y%m%d"))
}

/// The day a partition's name says it holds.
pub fn day_of_name(name: &str) -> Option<NaiveDate> {
    let digits = name.strip_prefix(PREFIX)?;
    (digits.len() == 8)
        .then(|| NaiveDate::parse_from_str(digits, "%Y%m%d").ok())
        .flatten()
}

#[derive(QueryableByName)]
struct Partition {
    #[diesel(sql_type = Text)]
    name: String,
}

/// The days that have a partition, oldest first.
pub async fn days(conn: &mut AsyncPgConnection) -> diesel::QueryResult<Vec<NaiveDate>> {
    let rows: Vec<Partition> = diesel::sql_query(
        "SELECT c.relname::text AS name FROM pg_inherits i \
         JOIN pg_class c ON c.oid = i.inhrelid \
         WHERE i.inhparent = 'analytics_events'::regclass",
    )
    .load(conn)
    .await?;
    let mut days: Vec<NaiveDate> = rows.iter().filter_map(|p| day_of_name(&p.name)).collect();
    days.sort_unstable();
    Ok(days)
}

/// Makes the partitions of `days` that do not exist yet; returns how many it made.
pub async fn ensure(
    conn: &mut AsyncPgConnection,
    days: &[NaiveDate],
    zone: Tz,
) -> diesel::QueryResult<usize> {
    let days = days.to_vec();
    conn.transaction::<_, diesel::result::Error, _>(|conn| {
        async move {
            diesel::sql_query(format!("SELECT pg_advisory_xact_lock({LOCK})"))
                .execute(conn)
                .await?;
            let existing = self::days(conn).await?;
            let mut made = 0;
            for day in days.iter().filter(|d| !existing.contains(d)) {
                let (start, end) = day_bounds(*day, zone);
                diesel::sql_query(format!(
                    "CREATE TABLE {} PARTITION OF analytics_events FOR VALUES FROM ('{}') TO ('{}')",
                    name(*day),
                    start.to_rfc3339_opts(SecondsFormat::Micros, true),
                    end.to_rfc3339_opts(SecondsFormat::Micros, true),
                ))
                .execute(conn)
                .await?;
                made += 1;
            }
            Ok(made)
        }
        .scope_boxed()
    })
    .await
}

/// Drops every partition of a day before `first_kept` (retention: whole days); returns the days dropped.
/// With `dry_run`, drops nothing and returns what it would drop.
pub async fn drop_before(
    conn: &mut AsyncPgConnection,
    first_kept: NaiveDate,
    dry_run: bool,
) -> diesel::QueryResult<Vec<NaiveDate>> {
    conn.transaction::<_, diesel::result::Error, _>(|conn| {
        async move {
            diesel::sql_query(format!("SELECT pg_advisory_xact_lock({LOCK})"))
                .execute(conn)
                .await?;
            let old: Vec<NaiveDate> = self::days(conn)
                .await?
                .into_iter()
                .filter(|d| *d < first_kept)
                .collect();
            if !dry_run {
                for day in &old {
                    diesel::sql_query(format!("DROP TABLE {}", name(*day)))
                        .execute(conn)
                        .await?;
                }
            }
            Ok(old)
        }
        .scope_boxed()
    })
    .await
}

/// How many events `day`'s partition holds (0 without one): for the purge's report.
pub async fn count(conn: &mut AsyncPgConnection, day: NaiveDate) -> diesel::QueryResult<i64> {
    #[derive(QueryableByName)]
    struct Rows {
        #[diesel(sql_type = diesel::sql_types::BigInt)]
        n: i64,
    }
    if !days(conn).await?.contains(&day) {
        return Ok(0);
    }
    let rows: Rows = diesel::sql_query(format!("SELECT count(*) AS n FROM {}", name(day)))
        .get_result(conn)
        .await?;
    Ok(rows.n)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_and_days_round_trip() {
        let day = NaiveDate::from_ymd_opt(2026, 1, 4).unwrap_or_default();
        assert_eq!(name(day), "analytics_events_20260104");
        assert_eq!(day_of_name("analytics_events_20260104"), Some(day));
        assert_eq!(day_of_name("analytics_events_2026010"), None);
        assert_eq!(day_of_name("other_20260104"), None);
    }
}
