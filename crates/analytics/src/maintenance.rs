//! Analytics' housekeeping as a background task (CONFIG: aggregate daily, purge weekly — here every
//! `ANALYTICS_MAINTENANCE_INTERVAL_SECONDS`, since each step is cheap and idempotent): partitions made for
//! yesterday to three days ahead, the days of the last week that ended more than [`GRACE`] ago
//! aggregated when they have no aggregate rows, and the days entirely older than
//! `ANALYTICS_RETENTION_DAYS` dropped. Every replica runs one; the
//! partition changes serialise on an advisory lock and aggregation is an idempotent upsert.

use crate::store::{aggregates, partitions};
use chrono::{DateTime, Duration as Days, NaiveDate, Utc};
use chrono_tz::Tz;
use diesel_async::AsyncPgConnection;
use hm_platform::db::DbPool;
use hm_platform::server::Periodic;
use std::time::Duration;

/// What maintenance keeps.
#[derive(Clone)]
pub struct Maintenance {
    pub pool: DbPool,
    pub zone: Tz,
    /// Days of events kept (today included).
    pub retention_days: u32,
    /// Time between rounds.
    pub every: Duration,
}

/// What one round did.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Round {
    pub partitions_made: usize,
    pub days_aggregated: Vec<NaiveDate>,
    pub days_dropped: Vec<NaiveDate>,
}

/// How long after a day ends it is aggregated: events are stamped when received and committed within
/// moments, so by then the day has all of its events.
pub const GRACE: Days = Days::minutes(15);

/// Most days of retention (a century): more is refused rather than overflowing the calendar.
pub const MAX_RETENTION_DAYS: u32 = 36_500;

/// The first day kept at `now` with `retention_days` (API: "delete events older than now − N days"):
/// the day holding that instant, so every day before it is entirely older and is dropped, and no event
/// younger than N days ever is.
pub fn first_kept(now: DateTime<Utc>, zone: Tz, retention_days: u32) -> NaiveDate {
    let days = retention_days.min(MAX_RETENTION_DAYS);
    crate::domain::report::day_of(now - Days::days(i64::from(days)), zone)
}

/// Whether `day` ended more than [`GRACE`] before `now`, so its aggregate rows are final.
pub fn is_over(day: NaiveDate, now: DateTime<Utc>, zone: Tz) -> bool {
    crate::domain::report::day_bounds(day, zone).1 + GRACE <= now
}

impl Maintenance {
    /// Starts the rounds: the first one `every` after start; a failed round is logged and the next
    /// one tries again.
    pub fn spawn(self) -> Periodic {
        let maintenance = std::sync::Arc::new(self);
        Periodic::spawn(maintenance.every, move || {
            let m = maintenance.clone();
            async move {
                match m.pool.get().await {
                    Ok(mut conn) => {
                        if let Err(e) = m.round(&mut conn).await {
                            tracing::error!(error = %e, "analytics maintenance failed; next round retries");
                        }
                    }
                    Err(e) => tracing::warn!(error = %e, "analytics maintenance: no database"),
                }
            }
        })
    }

    /// One round, on `conn`.
    pub async fn round(&self, conn: &mut AsyncPgConnection) -> diesel::QueryResult<Round> {
        let now = Utc::now();
        let today = crate::domain::report::day_of(now, self.zone);
        let ahead: Vec<NaiveDate> = (-1..=3).map(|d| today + Days::days(d)).collect();
        let partitions_made = partitions::ensure(conn, &ahead, self.zone).await?;
        let mut days_aggregated = Vec::new();
        for back in 1..=7 {
            let day = today - Days::days(back);
            if is_over(day, now, self.zone)
                && !aggregates::exists(conn, day).await?
                && aggregates::aggregate_day(conn, day, self.zone).await? > 0
            {
                days_aggregated.push(day);
            }
        }
        let first_kept = first_kept(now, self.zone, self.retention_days);
        let days_dropped = partitions::drop_before(conn, first_kept, false).await?;
        let round = Round {
            partitions_made,
            days_aggregated,
            days_dropped,
        };
        if round != Round::default() {
            tracing::info!(?round, "analytics maintenance");
        }
        Ok(round)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retention_drops_only_days_entirely_older_than_n_days() {
        let zone = chrono_tz::Asia::Kolkata;
        // 1 December 2026, 10:00 in India: now − 90 days is 2 September 10:00, so 2 September is kept.
        let now = DateTime::parse_from_rfc3339("2026-12-01T04:30:00Z")
            .map(|t| t.with_timezone(&Utc))
            .unwrap_or_default();
        let day = |m, d| NaiveDate::from_ymd_opt(2026, m, d).unwrap_or_default();
        assert_eq!(first_kept(now, zone, 90), day(9, 2));
        assert_eq!(first_kept(now, zone, 1), day(11, 30));
        assert_eq!(first_kept(now, zone, 0), day(12, 1));
        // A century at most, never an overflow.
        assert_eq!(
            first_kept(now, zone, u32::MAX),
            first_kept(now, zone, MAX_RETENTION_DAYS)
        );
    }

    #[test]
    fn a_day_is_over_fifteen_minutes_after_its_end() {
        let zone = chrono_tz::Asia::Kolkata;
        let day = NaiveDate::from_ymd_opt(2026, 11, 30).unwrap_or_default();
        let at = |t| {
            DateTime::parse_from_rfc3339(t)
                .map(|t| t.with_timezone(&Utc))
                .unwrap_or_default()
        };
        // Midnight in India is 18:30 UTC.
        assert!(!is_over(day, at("2026-11-30T18:40:00Z"), zone));
        assert!(is_over(day, at("2026-11-30T18:45:00Z"), zone));
    }
}
