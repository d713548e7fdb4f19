//! Starts workforce in-process on a free port against the real Postgres, Redis and RabbitMQ, isolated per
//! test, for workforce's tests and other crates'.
#![allow(clippy::expect_used)]

use crate::config::WorkforceConfig;
use hm_platform::auth::AuthConfig;
use hm_platform::events::BusConfig;
use hm_platform::testing::{self, TestDb};

/// A running workforce and what it runs against.
pub struct Spawned {
    pub base: String,
    pub db: TestDb,
    pub bus: BusConfig,
    pub handle: actix_web::dev::ServerHandle,
}

/// Starts workforce with the default settings.
pub async fn spawn(auth: AuthConfig) -> Spawned {
    spawn_with(auth, |_| {}).await
}

/// [`spawn`] with settings changed by `configure` (e.g. a feature switched off).
pub async fn spawn_with(auth: AuthConfig, configure: impl FnOnce(&mut WorkforceConfig)) -> Spawned {
    let db = TestDb::new("workforce", crate::MIGRATIONS).await;
    let bus = testing::bus_config("workforce");
    let mut config = WorkforceConfig {
        common: testing::common_config("workforce", &db.url, &bus, auth),
        http_workers: 1,
        biometric_stub: true,
    };
    configure(&mut config);
    let app = crate::build(config).await.expect("workforce starts");
    let base = format!("http://127.0.0.1:{}", app.port());
    let handle = app.handle();
    tokio::spawn(app.run_until_stopped());
    Spawned {
        base,
        db,
        bus,
        handle,
    }
}
