//! hm-identity: users, phone-OTP login, JWT issuing, refresh/logout, JWKS and admin accounts.

pub mod config;
pub mod domain;
pub mod error;
pub mod events;
pub mod passwords;
mod routes;
pub mod schema;
pub mod seed;
pub mod store;
#[cfg(feature = "testing")]
pub mod testing;

use config::IdentityConfig;
use hm_platform::auth::{Jwks, TokenVerifier};
use hm_platform::db::{self, DbPool, EmbeddedMigrations};
use hm_platform::events::{Broker, Consumer, Relay};
use hm_platform::health::Readiness;
use hm_platform::metrics::Metrics;
use hm_platform::redis::{Keys, RedisPool};
use hm_platform::server::{self, Application, ServiceInfo, Shared};
use std::sync::Arc;

pub const MIGRATIONS: EmbeddedMigrations = db::embed_migrations!("migrations");

pub const INFO: ServiceInfo = ServiceInfo {
    name: "identity",
    title: "HunarMitra identity",
    description: "Phone-OTP login, tokens (EdDSA, JWKS), refresh and logout, admin accounts.",
};

/// What handlers share.
#[derive(Clone)]
pub struct AppState {
    pub config: Arc<IdentityConfig>,
    pub db: DbPool,
    pub redis: RedisPool,
    pub keys: Keys,
    pub broker: Arc<Broker>,
    pub verifier: Arc<TokenVerifier>,
}

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

fn jwks(config: &IdentityConfig) -> Jwks {
    let t = &config.tokens;
    Jwks {
        keys: std::iter::once(&t.signing_key)
            .chain(&t.previous_keys)
            .map(|k| k.jwk().clone())
            .collect(),
    }
}

/// Migrates (unless disabled), connects, starts the outbox relay and the consumer, and binds the HTTP
/// server. The returned application runs until stopped.
pub async fn build(config: IdentityConfig) -> Result<Application, StartError> {
    let common = &config.common;
    if common.run_migrations {
        db::migrate(&common.database_url, MIGRATIONS).await?;
    }
    let pool = db::pool(&common.database_url, common.db_pool_size)?;
    let redis = hm_platform::redis::pool(&common.redis_url, common.db_pool_size)?;
    let broker = Broker::new(common.events.clone());
    let metrics = Metrics::new(INFO.name)?;
    let verifier = Arc::new(TokenVerifier::with_keys(
        config.tokens.auth.clone(),
        &jwks(&config),
    ));

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
        Arc::new(events::ProfileProjection),
        pool.clone(),
        metrics.clone(),
    )
    .spawn()
    .await?;

    let listener = server::bind(&common.host, common.port)?;
    let port = listener.local_addr()?.port();
    let state = AppState {
        keys: Keys::new(common.redis_key_prefix.clone()),
        config: Arc::new(config.clone()),
        db: pool.clone(),
        redis: redis.clone(),
        broker: broker.clone(),
        verifier: verifier.clone(),
    };
    let shared = Shared {
        metrics: actix_web::web::Data::new(metrics),
        readiness: actix_web::web::Data::new(Readiness {
            db: Some(pool.clone()),
            redis: Some(redis),
            broker: Some(broker),
        }),
        verifier: actix_web::web::Data::from(verifier),
    };
    let state = actix_web::web::Data::new(state);
    let pool_data = actix_web::web::Data::new(pool);
    let server = server::http_server(listener, INFO, shared, config.http_workers, move |cfg| {
        cfg.app_data(state.clone()).app_data(pool_data.clone());
        routes::configure(cfg);
    })?;
    tracing::info!(port, "identity listening");
    Ok(Application::new(port, server, Some(relay), vec![consumer]))
}
