//! Jobs as tests start it (the platform's `TestApp`: in-process on a free port, against the real
//! Postgres, Redis and RabbitMQ, isolated per test).

use crate::config::{DashboardSettings, EmergencySettings, JobsConfig};
use hm_platform::service::CommonConfig;
use hm_platform::testing::TestService;

/// Jobs as tests start it: `hm_platform::testing::TestApp::init::<Jobs>()`.
pub use crate::Jobs;

impl TestService for Jobs {
    /// One worker, cash only (payments off), unsigned webhooks; emergencies as CONFIG's defaults, except
    /// a per-IP limit no test meets by accident (every test calls from 127.0.0.1); dashboards as
    /// CONFIG's defaults.
    fn config(common: CommonConfig) -> JobsConfig {
        JobsConfig {
            common,
            http_workers: 1,
            enable_payments: false,
            webhook_secret: None,
            emergency: EmergencySettings {
                ip_rate_limit_per_minute: 1000,
                ..EmergencySettings::default()
            },
            dashboards: DashboardSettings::default(),
        }
    }
}
