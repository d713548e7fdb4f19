//! Starts notifications in-process on a free port against the real Postgres, Redis and RabbitMQ, isolated per
//! test, for notifications' tests and other crates'.
#![allow(clippy::expect_used)]

use crate::config::NotificationsConfig;
use hm_platform::auth::AuthConfig;
use hm_platform::events::BusConfig;
use hm_platform::testing::{self, TestDb};

pub struct Spawned {
    pub base: String,
    pub db: TestDb,
    pub bus: BusConfig,
    pub handle: actix_web::dev::ServerHandle,
}

pub async fn spawn(auth: AuthConfig) -> Spawned {
    spawn_with(auth, |_| {}).await
}

/// [`spawn`] with settings changed by `configure` (e.g. a feature switched off).
pub async fn spawn_with(
    auth: AuthConfig,
    configure: impl FnOnce(&mut NotificationsConfig),
) -> Spawned {
    let db = TestDb::new("notifications", crate::MIGRATIONS).await;
    let bus = testing::bus_config("notifications");
    let mut config = NotificationsConfig {
        common: testing::common_config("notifications", &db.url, &bus, auth),
        http_workers: 1,
        enabled: true,
    };
    configure(&mut config);
    let app = crate::build(config).await.expect("notifications starts");
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
