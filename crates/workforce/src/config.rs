//! Workforce's settings, read from the environment.

use hm_platform::config::{self, ConfigError};
use hm_platform::service::{CommonConfig, ServiceConfig};

/// Workforce's settings.
#[derive(Debug, Clone)]
pub struct WorkforceConfig {
    pub common: CommonConfig,
    pub http_workers: usize,
    /// `FEATURE_BIOMETRIC_STUB` (default true).
    pub biometric_stub: bool,
}

impl ServiceConfig for WorkforceConfig {
    fn from_env() -> Result<Self, ConfigError> {
        Ok(WorkforceConfig {
            common: CommonConfig::from_env("workforce", 8103, "hm_workforce")?,
            http_workers: config::parse("HTTP_WORKERS", 2)?,
            biometric_stub: config::flag("FEATURE_BIOMETRIC_STUB", true)?,
        })
    }

    fn common(&self) -> &CommonConfig {
        &self.common
    }
}
