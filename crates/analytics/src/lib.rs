//! hm-analytics: product events from the apps (API §12, DOMAIN §6) — single and bulk ingestion with
//! group commit, the admin reports, the streamed CSV export, and retention by dropping day partitions.
//! Its own service and database (not a module of notifications): it is the platform's fastest-growing,
//! most write-heavy table, so its load, storage and retention never touch the transactional services.

pub mod config;
pub mod domain;
pub mod error;
pub mod events;
pub mod maintenance;
mod routes;
pub mod schema;
pub mod store;
#[cfg(feature = "testing")]
pub mod testing;

use chrono::Duration as Days;
use config::AnalyticsConfig;
use hm_platform::auth::TokenVerifier;
use hm_platform::db::{self, DbPool};
use hm_platform::server::{Application, Foundation, ServiceInfo};
use hm_platform::service::Service;
use std::sync::Arc;
use store::writer::Writer;

/// What handlers share.
#[derive(Clone)]
pub struct AppState {
    pub config: Arc<AnalyticsConfig>,
    pub db: DbPool,
    pub writer: Writer,
}

pub use hm_platform::server::StartError;

/// The analytics service (`hm_platform::service::Service`): its description and how it starts.
pub struct Analytics;

impl Service for Analytics {
    type Config = AnalyticsConfig;
    const INFO: ServiceInfo = ServiceInfo {
        name: "analytics",
        title: "HunarMitra analytics",
        description: "Product events from the apps (single and bulk), daily reports, top services, active users and the CSV export.",
        migrations: &[db::embed_migrations!("migrations")],
        consumed: &events::CONSUMED,
        ..ServiceInfo::NONE
    };

    /// Migrates (unless disabled), makes the partitions of yesterday to three days ahead (so the first
    /// events find theirs), starts the writers and the maintenance task, and binds the HTTP server.
    async fn build(config: AnalyticsConfig) -> Result<Application, StartError> {
        let mut base = Foundation::start(&config.common, Self::INFO).await?;
        let zone = hm_platform::time::zone();
        {
            let mut conn = base.pool.get().await?;
            let today = domain::report::day_of(chrono::Utc::now(), zone);
            let days: Vec<_> = (-1..=3).map(|d| today + Days::days(d)).collect();
            store::partitions::ensure(&mut conn, &days, zone).await?;
        }
        let (writer, writers) = Writer::spawn(base.pool.clone(), zone, config.writer);
        let maintenance = maintenance::Maintenance {
            pool: base.pool.clone(),
            zone,
            retention_days: config.retention_days,
            every: config.maintenance_every,
        }
        .spawn();
        base.on_stop(maintenance.on_stop());
        base.on_stop(Box::new(move || Box::pin(writers.shutdown())));
        let state = actix_web::web::Data::new(AppState {
            config: Arc::new(config.clone()),
            db: base.pool.clone(),
            writer,
        });
        let verifier = Arc::new(TokenVerifier::new(config.common.auth.clone()));
        base.serve(config.http_workers, verifier, move |cfg| {
            cfg.app_data(state.clone());
            routes::configure(cfg);
        })
    }
}
