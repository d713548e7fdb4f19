//! Jobs on a free port (real Postgres, Redis, RabbitMQ) with tokens from a test key, and one way to call
//! it.
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)]

use hm_contracts::Role;
use hm_jobs::testing::Spawned;
use hm_platform::testing::{JwksServer, TestKeys};
use reqwest::Method;
use serde_json::Value;
use uuid::Uuid;

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

    pub async fn start_with(configure: impl FnOnce(&mut hm_jobs::config::JobsConfig)) -> Api {
        let keys = TestKeys::default();
        let (jwks, auth) = keys.serve().await;
        let app = hm_jobs::testing::spawn_with(auth, configure).await;
        Api {
            app,
            keys,
            http: reqwest::Client::new(),
            _jwks: jwks,
        }
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

    /// A user as identity announced them (`user_refs`), and a token for them.
    pub async fn user(&self, phone: &str, role: Role, first: &str, last: &str) -> (Uuid, String) {
        let id = Uuid::new_v4();
        self.app
            .db
            .sql(&format!(
                "INSERT INTO user_refs (id, phone, role, first_name, last_name)
                 VALUES ('{id}', '{phone}', '{}', '{first}', '{last}')",
                role.as_str()
            ))
            .await;
        (id, self.keys.mint(id, role))
    }

    /// A worker profile as workforce announced it; its id.
    pub async fn worker_profile(&self, user: Uuid) -> Uuid {
        let id = Uuid::new_v4();
        self.app
            .db
            .sql(&format!(
                "INSERT INTO worker_refs (id, user_id) VALUES ('{id}', '{user}')"
            ))
            .await;
        id
    }

    /// A catalog service; its id.
    pub async fn service(&self, slug: &str, name: &str, active: bool) -> Uuid {
        let id = Uuid::new_v4();
        self.app
            .db
            .sql(&format!(
                "INSERT INTO service_refs (id, slug, name, title_en, is_active)
                 VALUES ('{id}', '{slug}', '{name}', '{name}', {active})"
            ))
            .await;
        id
    }
}
