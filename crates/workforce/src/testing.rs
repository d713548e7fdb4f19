//! Workforce as tests start it: the platform's `TestApp` (in-process on a free port, against the real
//! Postgres, Redis and RabbitMQ, isolated per test).

use crate::config::WorkforceConfig;
use hm_platform::service::CommonConfig;
use hm_platform::testing::TestService;

/// Workforce as tests start it: `hm_platform::testing::TestApp::init::<Workforce>()`.
pub use crate::Workforce;

impl TestService for Workforce {
    /// One HTTP worker, the biometric stub on.
    fn config(common: CommonConfig) -> WorkforceConfig {
        WorkforceConfig {
            common,
            http_workers: 1,
            biometric_stub: true,
        }
    }
}
