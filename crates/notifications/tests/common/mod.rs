//! Notifications as its tests start it: the platform's `TestApp` (its own database, Redis prefix, queues
//! and signing key), with the settings and providers a test picks.
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)]

use hm_notifications::config::NotificationsConfig;
use hm_notifications::testing::Notifications;
use hm_platform::testing::TestApp;

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

    pub async fn start_with(configure: impl FnOnce(&mut NotificationsConfig) + 'static) -> Api {
        Api::start_with_senders(None, configure).await
    }

    /// With these SMS and push providers (recording ones, usually).
    pub async fn start_with_senders(
        senders: Option<hm_notifications::Senders>,
        configure: impl FnOnce(&mut NotificationsConfig) + 'static,
    ) -> Api {
        let app = TestApp::init::<Notifications>()
            .with_config(move |test| {
                test.senders = senders;
                configure(&mut test.config);
            })
            .start()
            .await;
        Api { app }
    }

    /// A token for a new user of `role`, and the user's id.
    pub fn user(&self, role: hm_contracts::Role) -> (uuid::Uuid, String) {
        self.app.token(role)
    }

    /// The raw client, for requests `call` does not make (forms, custom headers).
    pub fn http(&self) -> &reqwest::Client {
        &self.app.http
    }
}
