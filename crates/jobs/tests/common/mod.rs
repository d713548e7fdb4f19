//! Jobs as its tests start it: the platform's `TestApp` (its own database, Redis prefix, queues and
//! signing key), with fixtures written by jobs' own projection code.
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)]

use diesel_async::{AsyncConnection, AsyncPgConnection};
use hm_contracts::events::ServiceChanged;
use hm_contracts::Role;
use hm_jobs::config::JobsConfig;
use hm_jobs::store::refs::{self, Profile};
use hm_jobs::testing::Jobs;
use hm_platform::testing::TestApp;
use uuid::Uuid;

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

    pub async fn start_with(configure: impl FnOnce(&mut JobsConfig) + 'static) -> Api {
        let app = TestApp::init::<Jobs>().with_config(configure).start().await;
        Api { app }
    }

    async fn conn(&self) -> AsyncPgConnection {
        AsyncPgConnection::establish(&self.app.db.url)
            .await
            .expect("the test database")
    }

    /// A user as identity announced them (`user_refs`), and a token for them.
    pub async fn user(&self, phone: &str, role: Role, first: &str, last: &str) -> (Uuid, String) {
        self.app.with_user(phone, role, first, last).await
    }

    /// A worker profile as workforce announced it; its id.
    pub async fn worker_profile(&self, user: Uuid) -> Uuid {
        self.profile(Profile::Worker, user).await
    }

    /// A contractor profile as workforce announced it; its id.
    pub async fn contractor_profile(&self, user: Uuid) -> Uuid {
        self.profile(Profile::Contractor, user).await
    }

    async fn profile(&self, kind: Profile, user: Uuid) -> Uuid {
        let id = Uuid::new_v4();
        refs::upsert_profile(&mut self.conn().await, kind, id, user, None)
            .await
            .expect("the profile is recorded");
        id
    }

    /// A service as catalog announced it; its id.
    pub async fn service(&self, slug: &str, name: &str, active: bool) -> Uuid {
        let id = Uuid::new_v4();
        hm_platform::projections::upsert_service(
            &mut self.conn().await,
            &ServiceChanged {
                service_id: id,
                slug: slug.to_owned(),
                name: name.to_owned(),
                title_en: name.to_owned(),
                title_hi: String::new(),
                category: String::new(),
                is_active: active,
                display_order: 0,
                aliases: Vec::new(),
            },
        )
        .await
        .expect("the service is recorded");
        id
    }
}
