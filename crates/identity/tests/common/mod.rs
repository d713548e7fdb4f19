//! Spawns identity on port 0 against the real Postgres, Redis and RabbitMQ, isolated per test.
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)]

use hm_identity::config::IdentityConfig;
pub use hm_identity::testing::Options;
use hm_platform::events::BusConfig;
pub use hm_platform::testing::EventTap as Listener;
use hm_platform::testing::{ChaosProxy, TestDb};
use serde_json::{json, Value};

pub struct TestApp {
    pub base: String,
    pub http: reqwest::Client,
    pub db: TestDb,
    pub bus: BusConfig,
    pub config: IdentityConfig,
    pub handle: actix_web::dev::ServerHandle,
}

pub async fn spawn(opts: Options) -> TestApp {
    let spawned = hm_identity::testing::spawn(opts).await;
    TestApp {
        base: spawned.base,
        http: reqwest::Client::new(),
        db: spawned.db,
        bus: spawned.bus,
        config: spawned.config,
        handle: spawned.handle,
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
