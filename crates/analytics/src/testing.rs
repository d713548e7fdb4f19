//! Analytics as tests start it (the platform's `TestApp`: in-process on a free port, against the real
//! Postgres, Redis and RabbitMQ, isolated per test).

use crate::config::AnalyticsConfig;
use crate::store::writer::WriterSettings;
use hm_platform::service::CommonConfig;
use hm_platform::testing::TestService;
use std::time::Duration;

/// Analytics as tests start it: `hm_platform::testing::TestApp::init::<Analytics>()`.
pub use crate::Analytics;

impl TestService for Analytics {
    /// The built-in settings; maintenance runs only when a test calls it (every hour otherwise).
    fn config(common: CommonConfig) -> AnalyticsConfig {
        AnalyticsConfig {
            common,
            http_workers: 1,
            enabled: true,
            max_event_size: 2048,
            retention_days: 90,
            maintenance_every: Duration::from_secs(3600),
            writer: WriterSettings {
                tasks: 2,
                batch: 1000,
                queue: 1024,
            },
        }
    }
}
