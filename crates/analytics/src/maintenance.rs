//! Analytics' housekeeping as a background task (CONFIG: aggregate daily, purge weekly — here every
//! `ANALYTICS_MAINTENANCE_INTERVAL_SECONDS`, since each step is cheap and idempotent): partitions made for
//! yesterday to three days ahead, the finished days of the last week aggregated when they have no
//! aggregate rows, and days older than `ANALYTICS_RETENTION_DAYS` dropped. Every replica runs one; the
//! partition changes serialise on an advisory lock and aggregation is an idempotent upsert.

use crate::store::{aggregates, partitions};
use chrono::{Duration as Days, NaiveDate, Utc};
use chrono_tz::Tz;
use diesel_async::AsyncPgConnection;
use hm_platform::db::DbPool;
use std::time::Duration;
use tokio::sync::watch;
use tokio::task::JoinHandle;

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

/// The running task.
pub struct MaintenanceHandle {
    stop: watch::Sender<bool>,
    task: JoinHandle<()>,
}

impl MaintenanceHandle {
    /// Stops the task (a round under way finishes first) and waits for it.
    pub async fn shutdown(self) {
        let _ = self.stop.send(true);
        let _ = self.task.await;
    }
}

/// What one round did.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Round {
    pub partitions_made: usize,
    pub days_aggregated: Vec<NaiveDate>,
    pub days_dropped: Vec<NaiveDate>,
}

/// The first day kept with `retention_days` of retention on `today`.
pub fn first_kept(today: NaiveDate, retention_days: u32) -> NaiveDate {
    today - Days::days(i64::from(retention_days) - 1)
}

impl Maintenance {
    /// Starts the rounds: the next one `every` after this one.
    pub fn spawn(self) -> MaintenanceHandle {
        let (stop, mut stopped) = watch::channel(false);
        let task = tokio::spawn(async move {
            loop {
                tokio::select! {
                    _ = tokio::time::sleep(self.every) => {}
                    changed = stopped.changed() => {
                        if changed.is_err() || *stopped.borrow() {
                            break;
                        }
                    }
                }
                match self.pool.get().await {
                    Ok(mut conn) => {
                        if let Err(e) = self.round(&mut conn).await {
                            tracing::error!(error = %e, "analytics maintenance failed; next round retries");
                        }
                    }
                    Err(e) => tracing::warn!(error = %e, "analytics maintenance: no database"),
                }
            }
        });
        MaintenanceHandle { stop, task }
    }

    /// One round, on `conn`.
    pub async fn round(&self, conn: &mut AsyncPgConnection) -> diesel::QueryResult<Round> {
        let today = crate::domain::report::day_of(Utc::now(), self.zone);
        let ahead: Vec<NaiveDate> = (-1..=3).map(|d| today + Days::days(d)).collect();
        let partitions_made = partitions::ensure(conn, &ahead, self.zone).await?;
        let mut days_aggregated = Vec::new();
        for back in 1..=7 {
            let day = today - Days::days(back);
            if !aggregates::exists(conn, day).await?
                && aggregates::aggregate_day(conn, day, self.zone).await? > 0
            {
                days_aggregated.push(day);
            }
        }
        let days_dropped =
            partitions::drop_before(conn, first_kept(today, self.retention_days), false).await?;
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
    fn retention_keeps_today_and_the_days_before() {
        let today = NaiveDate::from_ymd_opt(2026, 12, 1).unwrap_or_default();
        assert_eq!(first_kept(today, 1), today);
        assert_eq!(
            first_kept(today, 90),
            NaiveDate::from_ymd_opt(2026, 9, 3).unwrap_or_default()
        );
    }
}
