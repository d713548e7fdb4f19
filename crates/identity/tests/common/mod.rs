//! Spawns identity on port 0 against the real Postgres, Redis and RabbitMQ, isolated per test.
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)]

use hm_identity::config::{IdentityConfig, OtpSettings, TokenSettings};
use hm_platform::auth::{AuthConfig, SigningKey};
use hm_platform::config::CommonConfig;
use hm_platform::events::BusConfig;
pub use hm_platform::testing::EventTap as Listener;
use hm_platform::testing::{self, ChaosProxy, TestDb};
use serde_json::{json, Value};
use std::time::Duration;

pub struct TestApp {
    pub base: String,
    pub http: reqwest::Client,
    pub db: TestDb,
    pub bus: BusConfig,
    pub config: IdentityConfig,
    pub handle: actix_web::dev::ServerHandle,
}

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

pub async fn spawn(opts: Options) -> TestApp {
    let db = TestDb::new("identity", hm_identity::MIGRATIONS).await;
    let mut bus = testing::bus_config("identity");
    if let Some(via) = &opts.amqp_via {
        bus.amqp_url = format!("amqp://guest:guest@{via}/%2f");
    }
    let auth = AuthConfig {
        issuer: "hunarmitra-identity".into(),
        audience: "hunarmitra".into(),
        jwks_url: None,
    };
    let config = IdentityConfig {
        common: CommonConfig {
            service_name: "identity",
            host: "127.0.0.1".into(),
            port: 0,
            debug: opts.debug,
            log_json: false,
            database_url: db.url.clone(),
            db_pool_size: 4,
            run_migrations: false,
            redis_url: testing::redis_url(),
            redis_key_prefix: testing::redis_prefix("identity"),
            events: bus.clone(),
            auth: auth.clone(),
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
            signing_key: SigningKey::generate().unwrap(),
            previous_keys: vec![],
            access_lifetime: Duration::from_secs(3600),
            refresh_lifetime: Duration::from_secs(7 * 86400),
            reuse_grace: opts.reuse_grace,
        },
        http_workers: 1,
    };
    let app = hm_identity::build(config.clone())
        .await
        .expect("identity starts");
    let base = format!("http://127.0.0.1:{}", app.port());
    let handle = app.handle();
    tokio::spawn(app.run_until_stopped());
    TestApp {
        base,
        http: reqwest::Client::new(),
        db,
        bus,
        config,
        handle,
    }
}

impl TestApp {
    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.base, path)
    }

    pub async fn post(&self, path: &str, body: Value) -> (u16, Value) {
        let res = self
            .http
            .post(self.url(path))
            .json(&body)
            .send()
            .await
            .unwrap();
        let status = res.status().as_u16();
        let text = res.text().await.unwrap();
        (status, serde_json::from_str(&text).unwrap_or(Value::Null))
    }

    pub async fn post_auth(&self, path: &str, token: &str, body: Value) -> (u16, String) {
        let res = self
            .http
            .post(self.url(path))
            .bearer_auth(token)
            .json(&body)
            .send()
            .await
            .unwrap();
        (res.status().as_u16(), res.text().await.unwrap())
    }

    /// request-otp then verify-otp with the dev code; returns the login response.
    pub async fn login(&self, phone: &str, role: &str) -> Value {
        let (status, otp) = self
            .post(
                "/api/v1/auth/request-otp/",
                json!({"phone": phone, "role": role}),
            )
            .await;
        assert_eq!(status, 200, "{otp}");
        let (status, body) = self
            .post(
                "/api/v1/auth/verify-otp/",
                json!({"request_id": otp["request_id"], "otp": otp["dev_otp"]}),
            )
            .await;
        assert_eq!(status, 200, "{body}");
        body
    }

    pub async fn sql(&self, statement: &str) {
        let (client, connection) = tokio_postgres::connect(&self.db.url, tokio_postgres::NoTls)
            .await
            .unwrap();
        tokio::spawn(connection);
        client.batch_execute(statement).await.unwrap();
    }

    pub async fn count(&self, query: &str) -> i64 {
        let (client, connection) = tokio_postgres::connect(&self.db.url, tokio_postgres::NoTls)
            .await
            .unwrap();
        tokio::spawn(connection);
        client.query_one(query, &[]).await.unwrap().get(0)
    }
}

pub async fn chaos_amqp() -> ChaosProxy {
    ChaosProxy::start("127.0.0.1:5672").await
}
