//! hm-catalog: services (skills), themes, banners, feature flags, translations, help pages, FAQs, media
//! and the app-config document the mobile app boots from.

pub mod cache;
pub mod config;
pub mod domain;
pub mod error;
pub mod events;
mod routes;
pub mod schema;
pub mod seed;
pub mod storage;
pub mod store;
#[cfg(feature = "testing")]
pub mod testing;

use config::CatalogConfig;
use hm_platform::auth::TokenVerifier;
use hm_platform::db::{self, DbPool, EmbeddedMigrations};
use hm_platform::events::{Broker, Relay};
use hm_platform::health::Readiness;
use hm_platform::metrics::Metrics;
use hm_platform::redis::Keys;
use hm_platform::server::{self, Application, ServiceInfo, Shared};
use std::sync::Arc;

pub const MIGRATIONS: EmbeddedMigrations = db::embed_migrations!("migrations");

pub const INFO: ServiceInfo = ServiceInfo {
    name: "catalog",
    title: "HunarMitra catalog",
    description: "Services, themes, banners, feature flags, translations, help, media and the app-config document.",
};

/// What handlers share.
#[derive(Clone)]
pub struct AppState {
    pub config: Arc<CatalogConfig>,
    pub db: DbPool,
    pub cache: cache::DocCache,
    pub storage: storage::Storage,
}

#[derive(Debug, thiserror::Error)]
pub enum StartError {
    #[error(transparent)]
    Db(#[from] db::DbError),
    #[error(transparent)]
    Redis(#[from] hm_platform::redis::RedisSetupError),
    #[error("REDIS_URL: {0}")]
    RedisUrl(#[from] redis::RedisError),
    #[error(transparent)]
    Metrics(#[from] hm_platform::metrics::MetricsError),
    #[error("http: {0}")]
    Io(#[from] std::io::Error),
}

/// Migrates (unless disabled), connects, starts the outbox relay, and binds the HTTP server.
pub async fn build(config: CatalogConfig) -> Result<Application, StartError> {
    let common = &config.common;
    if common.run_migrations {
        db::migrate(&common.database_url, MIGRATIONS).await?;
    }
    let pool = db::pool(&common.database_url, common.db_pool_size)?;
    let redis = hm_platform::redis::pool(&common.redis_url, common.db_pool_size)?;
    let broker = Broker::new(common.events.clone());
    let metrics = Metrics::new(INFO.name)?;
    let verifier = TokenVerifier::new(common.auth.clone());
    let relay = Relay::new(
        pool.clone(),
        broker.clone(),
        metrics.clone(),
        &common.database_url,
    )
    .spawn();

    let listener = server::bind(&common.host, common.port)?;
    let port = listener.local_addr()?.port();
    let state = AppState {
        cache: cache::DocCache::new(
            redis.clone(),
            redis::Client::open(common.redis_url.as_str())?,
            Keys::new(common.redis_key_prefix.clone()),
        ),
        storage: storage::Storage::new(&config.storage),
        config: Arc::new(config.clone()),
        db: pool.clone(),
    };
    let shared = Shared {
        metrics: actix_web::web::Data::new(metrics),
        readiness: actix_web::web::Data::new(Readiness {
            db: Some(pool.clone()),
            redis: Some(redis),
            broker: Some(broker),
        }),
        verifier: actix_web::web::Data::new(verifier),
    };
    let state = actix_web::web::Data::new(state);
    let pool_data = actix_web::web::Data::new(pool);
    let server = server::http_server(listener, INFO, shared, config.http_workers, move |cfg| {
        // Uploads stream through `Multipart` (bounded by MAX_UPLOAD_BYTES as they are read), so the
        // 1 MiB limit of JSON bodies stays as it is.
        cfg.app_data(state.clone()).app_data(pool_data.clone());
        routes::configure(cfg);
    })?;
    tracing::info!(port, "catalog listening");
    Ok(Application::new(port, server, Some(relay), vec![]))
}
