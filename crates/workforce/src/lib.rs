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

use config::WorkforceConfig;
use hm_platform::auth::TokenVerifier;
use hm_platform::db::DbPool;
use hm_platform::db::{self, EmbeddedMigrations};
use hm_platform::events::{Broker, Consumer, Relay};
use hm_platform::health::Readiness;
use hm_platform::metrics::Metrics;
use hm_platform::server::{self, Application, ServiceInfo, Shared};
use std::sync::Arc;

/// What handlers share.
#[derive(Clone)]
pub struct AppState {
    pub db: DbPool,
    pub cache: cache::Cache,
    /// `FEATURE_BIOMETRIC_STUB`: the daily kiosk mark of API §5.17 is accepted.
    pub biometric_stub: bool,
}

pub const MIGRATIONS: EmbeddedMigrations = db::embed_migrations!("migrations");

pub const INFO: ServiceInfo = ServiceInfo {
    name: "workforce",
    title: "HunarMitra workforce",
    description: "Worker and contractor profiles, nearby search, sites, kiosks and attendance.",
};

#[derive(Debug, thiserror::Error)]
pub enum StartError {
    #[error(transparent)]
    Db(#[from] db::DbError),
    #[error(transparent)]
    Redis(#[from] hm_platform::redis::RedisSetupError),
    #[error(transparent)]
    Metrics(#[from] hm_platform::metrics::MetricsError),
    #[error(transparent)]
    Bus(#[from] hm_platform::events::BusError),
    #[error("http: {0}")]
    Io(#[from] std::io::Error),
}

/// Migrates (unless disabled), connects, starts the outbox relay and the event consumer, and binds the
/// HTTP server.
pub async fn build(config: WorkforceConfig) -> Result<Application, StartError> {
    let common = &config.common;
    if common.run_migrations {
        db::migrate(&common.database_url, MIGRATIONS).await?;
    }
    let pool = db::pool(&common.database_url, common.db_pool_size)?;
    let redis = hm_platform::redis::pool(&common.redis_url, common.db_pool_size)?;
    let broker = Broker::new(common.events.clone());
    let metrics = Metrics::new(INFO.name)?;
    let relay = Relay::new(
        pool.clone(),
        broker.clone(),
        metrics.clone(),
        &common.database_url,
    )
    .spawn();
    let consumer = Consumer::new(
        common.events.clone(),
        &events::CONSUMED,
        Arc::new(events::Incoming),
        pool.clone(),
        metrics.clone(),
    )
    .spawn()
    .await?;
    let listener = server::bind(&common.host, common.port)?;
    let port = listener.local_addr()?.port();
    let shared = Shared {
        metrics: actix_web::web::Data::new(metrics),
        readiness: actix_web::web::Data::new(Readiness {
            db: Some(pool.clone()),
            redis: Some(redis.clone()),
            broker: Some(broker),
        }),
        verifier: actix_web::web::Data::new(TokenVerifier::new(common.auth.clone())),
    };
    let state = actix_web::web::Data::new(AppState {
        db: pool.clone(),
        cache: cache::Cache::new(
            redis,
            hm_platform::redis::Keys::new(common.redis_key_prefix.clone()),
        ),
        biometric_stub: config.biometric_stub,
    });
    let pool_data = actix_web::web::Data::new(pool);
    let server = server::http_server(listener, INFO, shared, config.http_workers, move |cfg| {
        cfg.app_data(state.clone()).app_data(pool_data.clone());
        routes::configure(cfg);
    })?;
    tracing::info!(port, "workforce listening");
    Ok(Application::new(port, server, Some(relay), vec![consumer]))
}
