//! Analytics as its tests start it: the platform's `TestApp` (its own database, Redis prefix, queues and
//! signing key), an admin's token, replies with their headers and bytes, and events stored at chosen
//! times with the service's own store code.
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)]

use chrono::{DateTime, Utc};
use hm_analytics::config::AnalyticsConfig;
use hm_analytics::store::events::{self, NewEvent};
use hm_analytics::testing::Analytics;
use hm_contracts::Role;
use hm_platform::testing::TestApp;
use serde_json::Value;
use uuid::Uuid;

pub struct Api {
    pub app: TestApp,
    /// An admin's token.
    pub admin: String,
}

impl std::ops::Deref for Api {
    type Target = TestApp;

    fn deref(&self) -> &TestApp {
        &self.app
    }
}

pub struct Reply {
    pub status: u16,
    pub headers: reqwest::header::HeaderMap,
    pub body: Value,
    pub text: String,
}

impl Reply {
    pub fn header(&self, name: &str) -> Option<String> {
        self.headers
            .get(name)
            .map(|v| v.to_str().unwrap().to_owned())
    }
}

pub async fn spawn() -> Api {
    spawn_with(|_| {}).await
}

/// With the test settings changed by `configure`.
pub async fn spawn_with(configure: impl FnOnce(&mut AnalyticsConfig) + 'static) -> Api {
    let app = TestApp::init::<Analytics>()
        .with_config(configure)
        .start()
        .await;
    let (_, admin) = app.token(Role::Admin);
    Api { app, admin }
}

impl Api {
    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.app.base, path)
    }

    pub async fn send(&self, request: reqwest::RequestBuilder) -> Reply {
        let res = request.send().await.unwrap();
        let status = res.status().as_u16();
        let headers = res.headers().clone();
        let text = res.text().await.unwrap();
        Reply {
            status,
            headers,
            body: serde_json::from_str(&text).unwrap_or(Value::Null),
            text,
        }
    }

    /// POST /api/v1/analytics/events/ with `body` as JSON, and a token when given.
    pub async fn ingest(&self, body: &Value, token: Option<&str>) -> Reply {
        let mut request = self
            .http
            .post(self.url("/api/v1/analytics/events/"))
            .json(body);
        if let Some(token) = token {
            request = request.bearer_auth(token);
        }
        self.send(request).await
    }

    /// An admin GET.
    pub async fn admin_get(&self, path: &str) -> Reply {
        self.send(self.http.get(self.url(path)).bearer_auth(&self.admin))
            .await
    }

    pub async fn count(&self, query: &str) -> i64 {
        self.db.count(query).await
    }

    /// A connection to the test's database.
    pub async fn conn(&self) -> diesel_async::AsyncPgConnection {
        use diesel_async::AsyncConnection;
        diesel_async::AsyncPgConnection::establish(&self.db.url)
            .await
            .unwrap()
    }

    /// Stores an event at `at` with the service's store code (its partition made when missing).
    pub async fn stored_at(
        &self,
        at: DateTime<Utc>,
        event_type: &str,
        source: &str,
        user: Option<Uuid>,
        anonymous: Option<&str>,
        payload: Value,
    ) -> Uuid {
        let event = NewEvent {
            id: Uuid::new_v4(),
            created_at: at,
            user_id: user,
            anonymous_id: anonymous.map(str::to_owned),
            event_type: event_type.into(),
            source: source.into(),
            payload,
            ip_address: None,
            user_agent: None,
        };
        events::insert(&mut self.conn().await, &[&event], hm_platform::time::zone())
            .await
            .unwrap();
        event.id
    }
}

/// `YYYY-MM-DD`'s instant `hh:mm:ss` in UTC.
pub fn utc(text: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(text)
        .unwrap()
        .with_timezone(&Utc)
}
