//! hm-workforce: worker and contractor profiles, nearby search, sites, kiosks and attendance.

pub mod cache;
pub mod config;
pub mod domain;
pub mod error;
pub mod events;
pub(crate) mod routes;
pub mod schema;
pub mod seed;
pub mod store;
#[cfg(feature = "testing")]
pub mod testing;
pub mod views;

use config::WorkforceConfig;
use hm_platform::auth::TokenVerifier;
use hm_platform::db::{self, DbPool};
use hm_platform::projections::Projection;
use hm_platform::server::{Application, Foundation, ServiceInfo};
use hm_platform::service::Service;
use std::sync::Arc;

/// What handlers share.
#[derive(Clone)]
pub struct AppState {
    pub db: DbPool,
    pub cache: cache::Cache,
    /// `FEATURE_BIOMETRIC_STUB`: the daily kiosk mark of API §5.17 is accepted.
    pub biometric_stub: bool,
}

pub use hm_platform::server::StartError;

/// The workforce service (`hm_platform::service::Service`): its description and how it starts.
pub struct Workforce;

impl Service for Workforce {
    type Config = WorkforceConfig;
    const INFO: ServiceInfo = ServiceInfo {
        name: "workforce",
        title: "HunarMitra workforce",
        description: "Worker and contractor profiles, nearby search, sites, kiosks and attendance.",
        constraints: store::CONSTRAINTS,
        migrations: &[db::embed_migrations!("migrations")],
        consumed: &events::CONSUMED,
        projections: &[Projection::Users, Projection::Services],
        ..ServiceInfo::NONE
    };

    /// Migrates (unless disabled), connects, starts the outbox relay and the event consumer, and binds the
    /// HTTP server.
    async fn build(config: WorkforceConfig) -> Result<Application, StartError> {
        let mut base = Foundation::start(&config.common, Self::INFO).await?;
        base.consume(events::Incoming).await?;
        let state = actix_web::web::Data::new(AppState {
            db: base.pool.clone(),
            cache: cache::Cache::new(
                base.redis.clone(),
                hm_platform::redis::Keys::new(config.common.redis_key_prefix.clone()),
            ),
            biometric_stub: config.biometric_stub,
        });
        let verifier = Arc::new(TokenVerifier::new(config.common.auth.clone()));
        base.serve(config.http_workers, verifier, move |cfg| {
            cfg.app_data(state.clone());
            routes::configure(cfg);
        })
    }
}
