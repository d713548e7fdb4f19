//! Jobs' settings, read from the environment.

use hm_platform::config::{self, ConfigError};
use hm_platform::service::{CommonConfig, ServiceConfig};
use std::time::Duration;

#[derive(Debug, Clone)]
pub struct JobsConfig {
    pub common: CommonConfig,
    pub http_workers: usize,
    /// `ENABLE_PAYMENTS` (default false): cash-first; online payments only when true (DOMAIN §4.3).
    pub enable_payments: bool,
    /// `PAYMENT_WEBHOOK_SECRET`: when set, webhooks must carry a valid HMAC-SHA-256 signature.
    pub webhook_secret: Option<String>,
    /// Emergency "Help Now" (API §8, CONFIG `EMERGENCY_*`).
    pub emergency: EmergencySettings,
    /// Role dashboards (API §11, CONFIG `DASHBOARD_*`, `FEATURE_CONTRACTOR_SITES`).
    pub dashboards: DashboardSettings,
}

/// How the role dashboards are cached and what they show (CONFIG §2.5, API §1.8).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DashboardSettings {
    /// `DASHBOARD_CACHE_TTL_SECONDS` (default 15, at least 1): how long a computed dashboard is served
    /// from the cache.
    pub cache_ttl: Duration,
    /// `DASHBOARD_CACHE_MAX_STALE_SECONDS` (default 60): how long past that a stale copy may still be
    /// served when recomputing fails (its key lives the sum of the two).
    pub max_stale: Duration,
    /// `FEATURE_CONTRACTOR_SITES` (default true): when false the contractor dashboard's site metrics
    /// (active sites, workers present, attendance rate) are 0.
    pub contractor_sites: bool,
}

impl DashboardSettings {
    /// Reads the `DASHBOARD_*` variables and `FEATURE_CONTRACTOR_SITES`; a TTL of 0 fails start-up.
    pub fn from_env() -> Result<Self, ConfigError> {
        let ttl: u64 = config::parse("DASHBOARD_CACHE_TTL_SECONDS", 15)?;
        if ttl == 0 {
            return Err(invalid("DASHBOARD_CACHE_TTL_SECONDS", ttl));
        }
        Ok(DashboardSettings {
            cache_ttl: Duration::from_secs(ttl),
            max_stale: Duration::from_secs(config::parse("DASHBOARD_CACHE_MAX_STALE_SECONDS", 60)?),
            contractor_sites: config::flag("FEATURE_CONTRACTOR_SITES", true)?,
        })
    }
}

impl Default for DashboardSettings {
    /// CONFIG's defaults.
    fn default() -> Self {
        DashboardSettings {
            cache_ttl: Duration::from_secs(15),
            max_stale: Duration::from_secs(60),
            contractor_sites: true,
        }
    }
}

/// How emergency requests are taken and dispatched (CONFIG `FEATURE_EMERGENCY`, `EMERGENCY_*`; DOMAIN
/// §4.7).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct EmergencySettings {
    /// `FEATURE_EMERGENCY` (default true): when false every emergency endpoint answers 404.
    pub enabled: bool,
    /// `EMERGENCY_AUTO_ASSIGN` (default false): dispatch nearby workers when a request is created.
    pub auto_assign: bool,
    /// `EMERGENCY_SEARCH_RADIUS_KM` (default 5): how far (haversine km) dispatch looks; positive.
    pub search_radius_km: f64,
    /// `EMERGENCY_RATE_LIMIT_PER_MINUTE` (default 1): requests per user (else contact phone) a minute.
    pub rate_limit_per_minute: u32,
    /// `EMERGENCY_RATE_LIMIT_PER_IP_PER_MINUTE` (default 10): requests per client IP a minute, so one
    /// client cannot flood by varying the phone; generous because many phones share a carrier's NAT.
    pub ip_rate_limit_per_minute: u32,
    /// `EMERGENCY_MAX_CANDIDATES` (default 5): workers notified per request; at least 1.
    pub max_candidates: usize,
    /// `EMERGENCY_RESPONSE_TIMEOUT_SECONDS` (default 45): a dispatched request nobody accepted this long
    /// after it was made is escalated.
    pub response_timeout: Duration,
    /// `EMERGENCY_SWEEP_INTERVAL_SECONDS` (default 15, at least 1): how often the timeout sweep runs.
    pub sweep_interval: Duration,
}

impl EmergencySettings {
    /// Reads the `EMERGENCY_*` variables; a radius that is not a positive number or a candidate count
    /// or sweep interval of 0 fails start-up.
    pub fn from_env() -> Result<Self, ConfigError> {
        let search_radius_km: f64 = config::parse("EMERGENCY_SEARCH_RADIUS_KM", 5.0)?;
        if !(search_radius_km.is_finite() && search_radius_km > 0.0) {
            return Err(invalid("EMERGENCY_SEARCH_RADIUS_KM", search_radius_km));
        }
        let max_candidates: usize = config::parse("EMERGENCY_MAX_CANDIDATES", 5)?;
        if max_candidates == 0 {
            return Err(invalid("EMERGENCY_MAX_CANDIDATES", max_candidates));
        }
        let sweep: u64 = config::parse("EMERGENCY_SWEEP_INTERVAL_SECONDS", 15)?;
        if sweep == 0 {
            return Err(invalid("EMERGENCY_SWEEP_INTERVAL_SECONDS", sweep));
        }
        Ok(EmergencySettings {
            enabled: config::flag("FEATURE_EMERGENCY", true)?,
            auto_assign: config::flag("EMERGENCY_AUTO_ASSIGN", false)?,
            search_radius_km,
            rate_limit_per_minute: config::parse("EMERGENCY_RATE_LIMIT_PER_MINUTE", 1)?,
            ip_rate_limit_per_minute: config::parse("EMERGENCY_RATE_LIMIT_PER_IP_PER_MINUTE", 10)?,
            max_candidates,
            response_timeout: Duration::from_secs(config::parse(
                "EMERGENCY_RESPONSE_TIMEOUT_SECONDS",
                45,
            )?),
            sweep_interval: Duration::from_secs(sweep),
        })
    }
}

impl Default for EmergencySettings {
    /// CONFIG's defaults.
    fn default() -> Self {
        EmergencySettings {
            enabled: true,
            auto_assign: false,
            search_radius_km: 5.0,
            rate_limit_per_minute: 1,
            ip_rate_limit_per_minute: 10,
            max_candidates: 5,
            response_timeout: Duration::from_secs(45),
            sweep_interval: Duration::from_secs(15),
        }
    }
}

fn invalid(name: &'static str, value: impl std::fmt::Display) -> ConfigError {
    ConfigError::Invalid {
        name,
        value: value.to_string(),
        reason: "must be greater than 0".into(),
    }
}

impl ServiceConfig for JobsConfig {
    fn from_env() -> Result<Self, ConfigError> {
        Ok(JobsConfig {
            common: CommonConfig::from_env("jobs", 8104, "hm_jobs")?,
            http_workers: config::parse("HTTP_WORKERS", 2)?,
            enable_payments: config::flag("ENABLE_PAYMENTS", false)?,
            webhook_secret: config::optional("PAYMENT_WEBHOOK_SECRET").filter(|s| !s.is_empty()),
            emergency: EmergencySettings::from_env()?,
            dashboards: DashboardSettings::from_env()?,
        })
    }

    fn common(&self) -> &CommonConfig {
        &self.common
    }
}
