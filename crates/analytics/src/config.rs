//! Analytics' settings (spec/CONFIG.md: `ANALYTICS_*`), read from the environment.

use crate::store::writer::WriterSettings;
use hm_platform::config::{self, ConfigError};
use hm_platform::service::{CommonConfig, ServiceConfig};
use std::time::Duration;

#[derive(Debug, Clone)]
pub struct AnalyticsConfig {
    pub common: CommonConfig,
    pub http_workers: usize,
    /// `ANALYTICS_ENABLED` (true): false → ingestion answers 204 and stores nothing (API §12.1).
    pub enabled: bool,
    /// `ANALYTICS_MAX_EVENT_SIZE` (2048): the largest payload, in bytes as the reference measures them.
    pub max_event_size: usize,
    /// `ANALYTICS_RETENTION_DAYS` (90): days of events kept; older days' partitions are dropped.
    pub retention_days: u32,
    /// `ANALYTICS_MAINTENANCE_INTERVAL_SECONDS` (3600): how often partitions are made ahead, finished
    /// days aggregated and expired days dropped.
    pub maintenance_every: Duration,
    /// `ANALYTICS_WRITERS` (2), `ANALYTICS_WRITE_BATCH` (1000 events), `ANALYTICS_WRITE_QUEUE` (4096
    /// requests): the group commit of ingestion (`store::writer`).
    pub writer: WriterSettings,
}

impl ServiceConfig for AnalyticsConfig {
    fn from_env() -> Result<Self, ConfigError> {
        let common = CommonConfig::from_env("analytics", 8106, "hm_analytics")?;
        let retention_days: u32 = config::parse("ANALYTICS_RETENTION_DAYS", 90)?;
        if !(1..=crate::maintenance::MAX_RETENTION_DAYS).contains(&retention_days) {
            return Err(ConfigError::Invalid {
                name: "ANALYTICS_RETENTION_DAYS",
                value: retention_days.to_string(),
                reason: format!(
                    "days of events kept: 1 to {}",
                    crate::maintenance::MAX_RETENTION_DAYS
                ),
            });
        }
        Ok(AnalyticsConfig {
            common,
            http_workers: config::parse("HTTP_WORKERS", 2)?,
            enabled: config::flag("ANALYTICS_ENABLED", true)?,
            max_event_size: config::parse("ANALYTICS_MAX_EVENT_SIZE", 2048)?,
            retention_days,
            maintenance_every: Duration::from_secs(
                config::parse::<u64>("ANALYTICS_MAINTENANCE_INTERVAL_SECONDS", 3600)?.max(1),
            ),
            writer: WriterSettings {
                tasks: config::parse("ANALYTICS_WRITERS", 2)?,
                batch: config::parse("ANALYTICS_WRITE_BATCH", 1000)?,
                queue: config::parse("ANALYTICS_WRITE_QUEUE", 4096)?,
            },
        })
    }

    fn common(&self) -> &CommonConfig {
        &self.common
    }
}
