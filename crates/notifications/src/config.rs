//! Notifications' settings, read from the environment.

use hm_platform::config::{self, CommonConfig, ConfigError};

#[derive(Debug, Clone)]
pub struct NotificationsConfig {
    pub common: CommonConfig,
    pub http_workers: usize,
    /// `ENABLE_NOTIFICATIONS` (default true): with false, events create no notifications.
    pub enabled: bool,
}

impl NotificationsConfig {
    pub fn from_env() -> Result<Self, ConfigError> {
        Ok(NotificationsConfig {
            common: CommonConfig::from_env("notifications", 8105, "hm_notifications")?,
            http_workers: config::parse("HTTP_WORKERS", 2)?,
            enabled: config::flag("ENABLE_NOTIFICATIONS", true)?,
        })
    }
}
