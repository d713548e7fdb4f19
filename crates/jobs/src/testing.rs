//! Jobs as tests start it (the platform's `TestApp`: in-process on a free port, against the real
//! Postgres, Redis and RabbitMQ, isolated per test).

use crate::config::JobsConfig;
use hm_platform::server::{Application, StartError};
use hm_platform::service::{CommonConfig, ServiceInfo};
use hm_platform::testing::TestService;

/// Jobs as tests start it (`hm_platform::testing::TestApp::init::<Jobs>()`).
pub struct Jobs;

impl TestService for Jobs {
    type Config = JobsConfig;
    const INFO: ServiceInfo = crate::INFO;

    /// One worker, cash only (payments off), unsigned webhooks.
    fn config(common: CommonConfig) -> JobsConfig {
        JobsConfig {
            common,
            http_workers: 1,
            enable_payments: false,
            webhook_secret: None,
        }
    }

    async fn start(config: JobsConfig) -> Result<Application, StartError> {
        crate::build(config).await
    }
}
