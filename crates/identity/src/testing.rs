//! Starts identity in-process on a free port against the real Postgres, Redis and RabbitMQ, isolated per
//! test (its own database, Redis prefix and exchange). Used by identity's tests and by other crates'
//! tests that need a real token issuer (the gateway's).
#![allow(clippy::expect_used)]

use crate::config::{IdentityConfig, OtpSettings, TokenSettings};
use hm_platform::auth::{AuthConfig, SigningKey};
use hm_platform::events::BusConfig;
use hm_platform::service::CommonConfig;
use hm_platform::testing::{self, TestDb};
use std::time::Duration;

pub struct Options {
    pub debug: bool,
    pub per_minute: u32,
    pub per_hour: u32,
    pub per_ip_hour: u32,
    pub ttl: Duration,
    pub reuse_grace: Duration,
    /// Route the broker connection through this proxy (host:port).
    pub amqp_via: Option<String>,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            debug: true,
            per_minute: 1,
            per_hour: 5,
            per_ip_hour: 300,
            ttl: Duration::from_secs(300),
            reuse_grace: Duration::from_secs(10),
            amqp_via: None,
        }
    }
}

/// A running identity and what a test needs to talk to it or look behind it.
pub struct Spawned {
    pub base: String,
    pub db: TestDb,
    pub bus: BusConfig,
    pub config: IdentityConfig,
    pub handle: actix_web::dev::ServerHandle,
}

pub const ISSUER: &str = "hunarmitra-identity";
pub const AUDIENCE: &str = "hunarmitra";

pub async fn spawn(opts: Options) -> Spawned {
    let db = TestDb::new("identity", crate::MIGRATIONS).await;
    let mut bus = testing::bus_config("identity");
    if let Some(via) = &opts.amqp_via {
        bus.amqp_url = format!("amqp://guest:guest@{via}/%2f");
    }
    let auth = AuthConfig {
        issuer: ISSUER.into(),
        audience: AUDIENCE.into(),
        jwks_url: None,
    };
    let config = IdentityConfig {
        common: CommonConfig {
            debug: opts.debug,
            ..testing::common_config("identity", &db.url, &bus, auth.clone())
        },
        secret_key: "test-secret".into(),
        otp: OtpSettings {
            ttl: opts.ttl,
            length: 4,
            per_minute: opts.per_minute,
            per_hour: opts.per_hour,
            per_ip_hour: opts.per_ip_hour,
            max_verify_attempts: 5,
            use_fixed: false,
        },
        tokens: TokenSettings {
            auth,
            signing_key: SigningKey::generate().expect("a fresh key"),
            previous_keys: vec![],
            access_lifetime: Duration::from_secs(3600),
            refresh_lifetime: Duration::from_secs(7 * 86400),
            reuse_grace: opts.reuse_grace,
        },
        http_workers: 1,
    };
    let app = crate::build(config.clone()).await.expect("identity starts");
    let base = format!("http://127.0.0.1:{}", app.port());
    let handle = app.handle();
    tokio::spawn(app.run_until_stopped());
    Spawned {
        base,
        db,
        bus,
        config,
        handle,
    }
}
