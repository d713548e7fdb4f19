//! Notifications on a free port (real Postgres, Redis, RabbitMQ) with tokens from a test key, and one way to call
//! it.
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)]

use hm_notifications::testing::Spawned;
use hm_platform::testing::{JwksServer, TestKeys};
use reqwest::Method;
use serde_json::Value;

pub struct Api {
    pub app: Spawned,
    pub keys: TestKeys,
    http: reqwest::Client,
    _jwks: JwksServer,
}

impl Api {
    pub async fn start() -> Api {
        Api::start_with(|_| {}).await
    }

    pub async fn start_with(
        configure: impl FnOnce(&mut hm_notifications::config::NotificationsConfig),
    ) -> Api {
        Api::start_with_senders(None, configure).await
    }

    /// With these SMS and push providers (recording ones, usually).
    pub async fn start_with_senders(
        senders: Option<hm_notifications::Senders>,
        configure: impl FnOnce(&mut hm_notifications::config::NotificationsConfig),
    ) -> Api {
        let keys = TestKeys::default();
        let (jwks, auth) = keys.serve().await;
        let app = hm_notifications::testing::spawn_with(auth, senders, configure).await;
        Api {
            app,
            keys,
            http: reqwest::Client::new(),
            _jwks: jwks,
        }
    }

    /// A token for a new user of `role`, and the user's id.
    pub fn user(&self, role: hm_contracts::Role) -> (uuid::Uuid, String) {
        let id = uuid::Uuid::new_v4();
        (id, self.keys.mint(id, role))
    }

    /// The raw client, for requests `call` does not make (forms, custom headers).
    pub fn http(&self) -> &reqwest::Client {
        &self.http
    }

    /// One request with an optional bearer token and JSON body: status and JSON answer.
    pub async fn call(
        &self,
        method: Method,
        path: &str,
        bearer: Option<&str>,
        body: Option<Value>,
    ) -> (u16, Value) {
        let url = format!("{}{}", self.app.base, path);
        hm_platform::testing::call_json(&self.http, method, &url, bearer, body).await
    }
}
