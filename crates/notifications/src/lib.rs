//! hm-notifications: in-app notifications made from the other services' events (issue #7, started:
//! devices, SMS and the booking timeline follow).

pub mod config;
pub mod domain;
pub mod error;
pub mod events;
mod routes;
pub mod store;
#[cfg(feature = "testing")]
pub mod testing;

use config::NotificationsConfig;
use hm_platform::auth::TokenVerifier;
use hm_platform::db::{self, DbPool, EmbeddedMigrations};
use hm_platform::server::{Application, Foundation, ServiceInfo};
use std::sync::Arc;

/// What handlers share.
#[derive(Clone)]
pub struct AppState {
    pub db: DbPool,
}

pub const MIGRATIONS: EmbeddedMigrations = db::embed_migrations!("migrations");

pub const INFO: ServiceInfo = ServiceInfo {
    name: "notifications",
    title: "HunarMitra notifications",
    description: "In-app notifications made from the platform's events.",
};

pub use hm_platform::server::StartError;

/// Migrates (unless disabled), connects, starts the outbox relay and the event consumer, and binds the
/// HTTP server.
pub async fn build(config: NotificationsConfig) -> Result<Application, StartError> {
    let mut base = Foundation::start(&config.common, INFO, MIGRATIONS).await?;
    base.consume(
        &events::CONSUMED,
        Arc::new(events::Incoming {
            enabled: config.enabled,
        }),
    )
    .await?;
    let state = actix_web::web::Data::new(AppState {
        db: base.pool.clone(),
    });
    let verifier = Arc::new(TokenVerifier::new(config.common.auth.clone()));
    base.serve(config.http_workers, verifier, move |cfg| {
        cfg.app_data(state.clone());
        routes::configure(cfg);
    })
}
