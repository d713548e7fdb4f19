//! hm-jobs: job postings and applications, bookings and their status machine, cash-first payments.

pub mod config;
pub mod domain;
pub mod error;
pub mod events;
mod routes;
pub mod seed;
pub mod store;
#[cfg(feature = "testing")]
pub mod testing;

use config::JobsConfig;
use hm_platform::auth::TokenVerifier;
use hm_platform::db::{self, DbPool, EmbeddedMigrations};
use hm_platform::events::{Broker, Consumer, Relay};
use hm_platform::health::Readiness;
use hm_platform::metrics::Metrics;
use hm_platform::server::{self, Application, ServiceInfo, Shared};
use std::sync::Arc;

/// What handlers share.
#[derive(Clone)]
pub struct AppState {
    pub db: DbPool,
    /// `ENABLE_PAYMENTS`: online payments accepted (otherwise cash-first, DOMAIN §4.3).
    pub enable_payments: bool,
    /// `PAYMENT_WEBHOOK_SECRET`: the key webhooks are signed with, when set.
    pub webhook_secret: Option<String>,
}

pub const MIGRATIONS: EmbeddedMigrations = db::embed_migrations!("migrations");

pub const INFO: ServiceInfo = ServiceInfo {
    name: "jobs",
    title: "HunarMitra jobs",
    description: "Job postings and applications, bookings, cash-first payments.",
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
pub async fn build(config: JobsConfig) -> Result<Application, StartError> {
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
            redis: Some(redis),
            broker: Some(broker),
        }),
        verifier: actix_web::web::Data::new(TokenVerifier::new(common.auth.clone())),
    };
    let state = actix_web::web::Data::new(AppState {
        db: pool.clone(),
        enable_payments: config.enable_payments,
        webhook_secret: config.webhook_secret.clone(),
    });
    let pool_data = actix_web::web::Data::new(pool);
    let server = server::http_server(listener, INFO, shared, config.http_workers, move |cfg| {
        cfg.app_data(state.clone()).app_data(pool_data.clone());
        routes::configure(cfg);
    })?;
    tracing::info!(port, "jobs listening");
    Ok(Application::new(port, server, Some(relay), vec![consumer]))
}
