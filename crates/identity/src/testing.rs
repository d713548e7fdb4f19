//! Identity as tests start it (the platform's `TestApp`: in-process on a free port, against the real
//! Postgres, Redis and RabbitMQ, isolated per test). Used by identity's tests and by other crates' tests
//! that need a real token issuer (the gateway's, through [`spawn`]).
#![allow(clippy::expect_used)]

use crate::config::{IdentityConfig, OtpSettings, TokenSettings};
use crate::ekyc::{EncryptionKey, Keyring};
use hm_platform::auth::{AuthConfig, SigningKey};
use hm_platform::service::CommonConfig;
use hm_platform::testing::{TestApp, TestService};
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// Identity as tests start it: `hm_platform::testing::TestApp::init::<Identity>()`.
pub use crate::Identity;

pub const ISSUER: &str = "hunarmitra-identity";
pub const AUDIENCE: &str = "hunarmitra";

impl TestService for Identity {
    /// Debug on (the dev OTP is returned), one OTP a minute and five an hour per phone, a fresh signing
    /// key identity trusts by itself (no JWKS round trip), a fresh eKYC key.
    fn config(common: CommonConfig) -> IdentityConfig {
        let auth = AuthConfig {
            issuer: ISSUER.into(),
            audience: AUDIENCE.into(),
            jwks_url: None,
        };
        IdentityConfig {
            common: CommonConfig {
                auth: auth.clone(),
                ..common
            },
            secret_key: "test-secret".into(),
            otp: OtpSettings {
                ttl: Duration::from_secs(300),
                length: 4,
                per_minute: 1,
                per_hour: 5,
                per_ip_hour: 300,
                max_verify_attempts: 5,
                use_fixed: false,
            },
            tokens: TokenSettings {
                auth,
                signing_key: SigningKey::generate().expect("a fresh key"),
                previous_keys: vec![],
                access_lifetime: Duration::from_secs(3600),
                refresh_lifetime: Duration::from_secs(7 * 86400),
                reuse_grace: Duration::from_secs(10),
            },
            encryption: Some(test_keyring()),
            http_workers: 1,
        }
    }
}

/// A fresh eKYC key: a keyring with it as the current key and no retired one.
pub fn test_keyring() -> Keyring {
    let key = crate::ekyc::generate_key().expect("randomness for a key");
    Keyring::new(
        EncryptionKey::parse(&key).expect("a generated key reads"),
        vec![],
    )
}

/// The settings tests change most, as one value (the defaults are [`Identity`]'s test settings).
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

impl Options {
    /// Writes these options into a test instance's settings.
    pub fn apply(self, config: &mut IdentityConfig) {
        config.common.debug = self.debug;
        config.otp.per_minute = self.per_minute;
        config.otp.per_hour = self.per_hour;
        config.otp.per_ip_hour = self.per_ip_hour;
        config.otp.ttl = self.ttl;
        config.tokens.reuse_grace = self.reuse_grace;
        if let Some(via) = self.amqp_via {
            config.common.events.amqp_url = format!("amqp://guest:guest@{via}/%2f");
        }
    }
}

/// A running identity: the platform's [`TestApp`] (its base URL, database, bus, server handle) and the
/// settings it runs with (its signing key among them). Its `keys` mint tokens identity accepts.
pub struct Spawned {
    pub app: TestApp,
    pub config: IdentityConfig,
}

impl std::ops::Deref for Spawned {
    type Target = TestApp;

    fn deref(&self) -> &TestApp {
        &self.app
    }
}

/// Starts identity with `opts` (a thin wrapper over `TestApp::init::<Identity>()`).
pub async fn spawn(opts: Options) -> Spawned {
    spawn_with(move |config| opts.apply(config)).await
}

/// Starts identity with its test settings changed by `configure`.
pub async fn spawn_with(configure: impl FnOnce(&mut IdentityConfig) + 'static) -> Spawned {
    let seen = Arc::new(Mutex::new(None));
    let record = seen.clone();
    let mut app = TestApp::init::<Identity>()
        .with_config(configure)
        .with_config(move |config| {
            *record.lock().expect("the settings cell") = Some(config.clone());
        })
        .start()
        .await;
    let config = seen
        .lock()
        .expect("the settings cell")
        .take()
        .expect("identity's settings were made");
    // Tokens minted by the test are identity's own (signed with its key), so identity accepts them.
    app.keys = hm_platform::testing::TestKeys {
        key: config.tokens.signing_key.clone(),
        config: config.tokens.auth.clone(),
    };
    Spawned { app, config }
}
