//! Identity as its tests start it: the platform's `TestApp` (its own database, Redis prefix, queues and
//! signing key), with the settings a test picks, and the few requests identity's tests repeat.
#![allow(dead_code, unused_imports, clippy::unwrap_used, clippy::expect_used)]

use hm_identity::config::IdentityConfig;
pub use hm_identity::testing::Options;
use hm_identity::testing::Spawned;
pub use hm_platform::testing::EventTap as Listener;
use hm_platform::testing::{ChaosProxy, TestApp};
use serde_json::{json, Value};

pub struct Api {
    pub app: TestApp,
    /// The settings identity runs with (its signing key among them).
    pub config: IdentityConfig,
}

impl std::ops::Deref for Api {
    type Target = TestApp;

    fn deref(&self) -> &TestApp {
        &self.app
    }
}

pub async fn spawn(opts: Options) -> Api {
    let Spawned { app, config } = hm_identity::testing::spawn(opts).await;
    Api { app, config }
}

/// Identity with its test settings changed by `configure` (e.g. no eKYC key).
pub async fn spawn_with(configure: impl FnOnce(&mut IdentityConfig) + 'static) -> Api {
    let Spawned { app, config } = hm_identity::testing::spawn_with(configure).await;
    Api { app, config }
}

impl Api {
    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.base, path)
    }

    pub async fn post(&self, path: &str, body: Value) -> (u16, Value) {
        self.call(reqwest::Method::POST, path, None, Some(body))
            .await
    }

    /// A bearer request whose answer may not be JSON (a 205 has no body): status and text.
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

    /// A connection to the test's database, for fixtures written by identity's own store code.
    pub async fn conn(&self) -> diesel_async::AsyncPgConnection {
        <diesel_async::AsyncPgConnection as diesel_async::AsyncConnection>::establish(&self.db.url)
            .await
            .unwrap()
    }

    /// Deactivates the user with this phone as the back office's store code does (without the
    /// announcement and token revocation of a back-office change: only the flag).
    pub async fn deactivate(&self, phone: &str) {
        let mut conn = self.conn().await;
        let user = hm_identity::store::users::by_phone(&mut conn, phone)
            .await
            .unwrap()
            .expect("the user exists");
        let change = hm_identity::store::users::AdminChange {
            is_active: Some(false),
            ..Default::default()
        };
        assert!(
            hm_identity::store::users::admin_update(&mut conn, user.id, &change)
                .await
                .unwrap()
        );
    }

    pub async fn sql(&self, statements: &str) {
        self.db.sql(statements).await
    }

    pub async fn count(&self, query: &str) -> i64 {
        self.db.count(query).await
    }
}

/// An admin's bearer token (an admin account made in the test database, signed in by password).
pub async fn admin_token(app: &Api) -> String {
    let hash = hm_identity::passwords::hash("correct horse".into())
        .await
        .unwrap();
    let mut conn = app.conn().await;
    hm_identity::store::users::upsert_admin(&mut conn, "ops@hunarmitra.com", &hash)
        .await
        .unwrap();
    let (status, body) = app
        .post(
            "/api/v1/auth/admin/login/",
            json!({"email": "ops@hunarmitra.com", "password": "correct horse"}),
        )
        .await;
    assert_eq!(status, 200, "{body}");
    body["access"].as_str().unwrap().to_owned()
}

pub async fn chaos_amqp() -> ChaosProxy {
    ChaosProxy::start("127.0.0.1:5672").await
}
