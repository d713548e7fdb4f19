//! Workforce as its tests start it: the platform's `TestApp` (its own database, Redis prefix, queues
//! and signing key), plus the kiosk-token requests and non-JSON answers workforce's tests need.
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)]

use hm_platform::testing::TestApp;
use hm_workforce::config::WorkforceConfig;
use hm_workforce::testing::Workforce;
use reqwest::Method;
use serde_json::Value;

pub struct Api {
    pub app: TestApp,
}

impl std::ops::Deref for Api {
    type Target = TestApp;

    fn deref(&self) -> &TestApp {
        &self.app
    }
}

impl Api {
    pub async fn start() -> Api {
        Api::start_with(|_| {}).await
    }

    pub async fn start_with(configure: impl FnOnce(&mut WorkforceConfig) + 'static) -> Api {
        let app = TestApp::init::<Workforce>()
            .with_config(configure)
            .start()
            .await;
        Api { app }
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
        let Some(kiosk_token) = kiosk_token else {
            return self.app.call(method, path, bearer, body).await;
        };
        let mut request = self
            .app
            .http
            .request(method, format!("{}{path}", self.app.base))
            .header("x-kiosk-token", kiosk_token);
        if let Some(token) = bearer {
            request = request.bearer_auth(token);
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
            .app
            .http
            .get(format!("{}{path}", self.app.base))
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

    /// Setup no store function expresses (history, a state the service never writes).
    pub async fn sql(&self, statement: &str) {
        self.app.db.sql(statement).await
    }

    pub async fn count(&self, query: &str) -> i64 {
        self.app.db.count(query).await
    }

    /// A connection for fixtures written by workforce's own store functions.
    pub async fn conn(&self) -> diesel_async::AsyncPgConnection {
        use diesel_async::AsyncConnection;
        diesel_async::AsyncPgConnection::establish(&self.app.db.url)
            .await
            .expect("the test database")
    }
}

impl Api {
    /// A service as catalog announced it (see [`service`]); its id.
    pub async fn service(
        &self,
        slug: &str,
        name: &str,
        title_en: &str,
        is_active: bool,
    ) -> uuid::Uuid {
        service(&mut self.conn().await, slug, name, title_en, is_active).await
    }
}

/// A service as catalog announced it, recorded in the projection by the platform's own projection
/// code; its id.
pub async fn service(
    conn: &mut diesel_async::AsyncPgConnection,
    slug: &str,
    name: &str,
    title_en: &str,
    is_active: bool,
) -> uuid::Uuid {
    let id = uuid::Uuid::new_v4();
    hm_platform::projections::upsert_service(
        conn,
        &hm_contracts::events::ServiceChanged {
            service_id: id,
            slug: slug.to_owned(),
            name: name.to_owned(),
            title_en: title_en.to_owned(),
            title_hi: String::new(),
            category: String::new(),
            is_active,
            display_order: 0,
            aliases: Vec::new(),
        },
    )
    .await
    .expect("the service is recorded");
    id
}
