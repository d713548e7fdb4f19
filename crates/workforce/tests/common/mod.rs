//! Workforce on a free port (real Postgres, Redis, RabbitMQ) with tokens from a test key, and one way to
//! call it.
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)]

use hm_platform::testing::{JwksServer, TestKeys};
use hm_workforce::testing::Spawned;
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
        configure: impl FnOnce(&mut hm_workforce::config::WorkforceConfig),
    ) -> Api {
        let keys = TestKeys::default();
        let (jwks, auth) = keys.serve().await;
        let app = hm_workforce::testing::spawn_with(auth, configure).await;
        Api {
            app,
            keys,
            http: reqwest::Client::new(),
            _jwks: jwks,
        }
    }

    /// One request: an optional bearer token, an optional kiosk token, an optional JSON body.
    pub async fn send(
        &self,
        method: Method,
        path: &str,
        bearer: Option<&str>,
        kiosk_token: Option<&str>,
        body: Option<Value>,
    ) -> (u16, Value) {
        let mut request = self
            .http
            .request(method, format!("{}{}", self.app.base, path));
        if let Some(token) = bearer {
            request = request.bearer_auth(token);
        }
        if let Some(token) = kiosk_token {
            request = request.header("x-kiosk-token", token);
        }
        if let Some(body) = body {
            request = request.json(&body);
        }
        let res = request.send().await.unwrap();
        let status = res.status().as_u16();
        (status, res.json::<Value>().await.unwrap_or(Value::Null))
    }

    /// A GET whose answer is not JSON: status, `Content-Type`, `Content-Disposition`, body.
    pub async fn get_text(&self, path: &str, bearer: &str) -> (u16, String, String, String) {
        let res = self
            .http
            .get(format!("{}{}", self.app.base, path))
            .bearer_auth(bearer)
            .send()
            .await
            .unwrap();
        let header = |name: &str| {
            res.headers()
                .get(name)
                .and_then(|v| v.to_str().ok())
                .unwrap_or_default()
                .to_owned()
        };
        let (status, kind, disposition) = (
            res.status().as_u16(),
            header("content-type"),
            header("content-disposition"),
        );
        (status, kind, disposition, res.text().await.unwrap())
    }

    pub async fn sql(&self, statement: &str) {
        self.app.db.sql(statement).await
    }

    pub async fn count(&self, query: &str) -> i64 {
        self.app.db.count(query).await
    }
}
