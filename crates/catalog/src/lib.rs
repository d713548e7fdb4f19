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
pub mod skills;
pub mod storage;
pub mod store;
#[cfg(feature = "testing")]
pub mod testing;

use config::CatalogConfig;
use hm_platform::auth::TokenVerifier;
use hm_platform::db::{self, DbPool};
use hm_platform::redis::Keys;
use hm_platform::server::{Application, Foundation, ServiceInfo};
use hm_platform::service::Service;
use std::sync::Arc;

/// What handlers share.
#[derive(Clone)]
pub struct AppState {
    pub config: Arc<CatalogConfig>,
    pub db: DbPool,
    pub cache: cache::DocCache,
    pub storage: storage::Storage,
}

pub use hm_platform::server::StartError;

/// The catalog service (`hm_platform::service::Service`): its description and how it starts.
pub struct Catalog;

impl Service for Catalog {
    type Config = CatalogConfig;
    const INFO: ServiceInfo = ServiceInfo {
        name: "catalog",
        title: "HunarMitra catalog",
        description: "Services, themes, banners, feature flags, translations, help, media and the app-config document.",
        constraints: store::CONSTRAINTS,
        migrations: &[db::embed_migrations!("migrations")],
        consumed: &events::CONSUMED,
        ..ServiceInfo::NONE
    };

    /// Migrates (unless disabled), connects, starts the document cache's watcher, the outbox relay and
    /// the event consumer, and binds the HTTP server.
    async fn build(config: CatalogConfig) -> Result<Application, StartError> {
        let mut base = Foundation::start(&config.common, Self::INFO).await?;
        let keys = Keys::new(config.common.redis_key_prefix.clone());
        let (cache, watcher) = cache::DocCache::start(base.redis.clone(), &keys).await;
        base.on_stop(watcher.on_stop());
        base.consume(events::Incoming {
            cache: cache.clone(),
        })
        .await?;
        let state = actix_web::web::Data::new(AppState {
            cache,
            storage: storage::Storage::new(&config.storage),
            config: Arc::new(config.clone()),
            db: base.pool.clone(),
        });
        let verifier = Arc::new(TokenVerifier::new(config.common.auth.clone()));
        // Uploads stream through `Multipart` (bounded by MAX_UPLOAD_BYTES as they are read), so the 1 MiB
        // limit of JSON bodies stays as it is.
        base.serve(config.http_workers, verifier, move |cfg| {
            cfg.app_data(state.clone());
            routes::configure(cfg);
        })
    }
}
