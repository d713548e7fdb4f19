//! The analytics binary: `serve` (default), `migrate` (hm_platform::cli), `aggregate-daily`, `purge`.

use chrono::{Duration as Days, NaiveDate, Utc};
use clap::Subcommand;
use hm_analytics::config::AnalyticsConfig;
use hm_analytics::domain::report::day_of;
use hm_analytics::maintenance::{first_kept, is_over, MAX_RETENTION_DAYS};
use hm_analytics::store::{aggregates, partitions};
use hm_analytics::Analytics;
use hm_platform::cli::{self, CommandError, Commands};
use std::process::ExitCode;

#[derive(Debug, Subcommand)]
enum Command {
    /// Count a finished day's events per type and source into the aggregate table (DOMAIN §6.2;
    /// idempotent). The service also does this by itself for the last week.
    AggregateDaily {
        /// `YYYY-MM-DD` in the platform's time zone; default yesterday.
        #[arg(long)]
        date: Option<String>,
    },
    /// Drop the days of events entirely older than now − N days (whole day partitions).
    Purge {
        /// N (0 keeps today only); default ANALYTICS_RETENTION_DAYS.
        #[arg(long)]
        days: Option<u32>,
        /// Print what would be dropped, drop nothing.
        #[arg(long)]
        dry_run: bool,
    },
}

impl Commands<AnalyticsConfig> for Command {
    async fn run(self, config: AnalyticsConfig) -> Result<(), CommandError> {
        let zone = hm_platform::time::zone();
        let today = day_of(Utc::now(), zone);
        let mut conn = cli::connect(&config.common).await?;
        match self {
            Command::AggregateDaily { date } => {
                let day = match date {
                    None => today - Days::days(1),
                    Some(raw) => hm_platform::time::parse_date(raw.trim()).ok_or_else(|| {
                        CommandError::Usage(format!("--date {raw}: use YYYY-MM-DD"))
                    })?,
                };
                if !is_over(day, Utc::now(), zone) {
                    return Err(CommandError::Usage(format!(
                        "--date {day}: a day is aggregated once it has been over for 15 minutes"
                    )));
                }
                let rows = aggregates::aggregate_day(&mut conn, day, zone).await?;
                println!("analytics: {day} aggregated into {rows} rows");
            }
            Command::Purge { days, dry_run } => {
                let days = days.unwrap_or(config.retention_days);
                if days > MAX_RETENTION_DAYS {
                    return Err(CommandError::Usage(format!(
                        "--days {days}: at most {MAX_RETENTION_DAYS}"
                    )));
                }
                let keep_from: NaiveDate = first_kept(Utc::now(), zone, days);
                let old = partitions::drop_before(&mut conn, keep_from, true).await?;
                let mut events = 0;
                for day in &old {
                    events += partitions::count(&mut conn, *day).await?;
                }
                if !dry_run {
                    partitions::drop_before(&mut conn, keep_from, false).await?;
                }
                let verb = if dry_run { "would drop" } else { "dropped" };
                println!(
                    "analytics: {verb} {} days before {keep_from} ({events} events)",
                    old.len()
                );
            }
        }
        Ok(())
    }
}

fn main() -> ExitCode {
    cli::main::<Analytics, Command>()
}
