//! Workforce as tests start it: the platform's `TestApp` (in-process on a free port, against the real
//! Postgres, Redis and RabbitMQ, isolated per test).

use crate::config::WorkforceConfig;
use hm_platform::server::{Application, StartError};
use hm_platform::service::{CommonConfig, ServiceInfo};
use hm_platform::testing::TestService;

/// Workforce as tests start it (`hm_platform::testing::TestApp::init::<Workforce>()`).
pub struct Workforce;

impl TestService for Workforce {
    type Config = WorkforceConfig;
    const INFO: ServiceInfo = crate::INFO;

    /// One HTTP worker, the biometric stub on.
    fn config(common: CommonConfig) -> WorkforceConfig {
        WorkforceConfig {
            common,
            http_workers: 1,
            biometric_stub: true,
        }
    }

    async fn start(config: WorkforceConfig) -> Result<Application, StartError> {
        crate::build(config).await
    }
}
