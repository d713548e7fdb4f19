//! Jobs' settings, read from the environment.

use hm_platform::config::{self, ConfigError};
use hm_platform::service::{CommonConfig, ServiceConfig};

#[derive(Debug, Clone)]
pub struct JobsConfig {
    pub common: CommonConfig,
    pub http_workers: usize,
    /// `ENABLE_PAYMENTS` (default false): cash-first; online payments only when true (DOMAIN §4.3).
    pub enable_payments: bool,
    /// `PAYMENT_WEBHOOK_SECRET`: when set, webhooks must carry a valid HMAC-SHA-256 signature.
    pub webhook_secret: Option<String>,
}

impl ServiceConfig for JobsConfig {
    fn from_env() -> Result<Self, ConfigError> {
        Ok(JobsConfig {
            common: CommonConfig::from_env("jobs", 8104, "hm_jobs")?,
            http_workers: config::parse("HTTP_WORKERS", 2)?,
            enable_payments: config::flag("ENABLE_PAYMENTS", false)?,
            webhook_secret: config::optional("PAYMENT_WEBHOOK_SECRET").filter(|s| !s.is_empty()),
        })
    }

    fn common(&self) -> &CommonConfig {
        &self.common
    }
}
