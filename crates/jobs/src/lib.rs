//! hm-jobs: job postings and applications, bookings and their status machine, cash-first payments,
//! emergency "Help Now" requests and their dispatch.

pub mod cache;
pub mod config;
pub mod domain;
pub mod error;
pub mod events;
mod routes;
pub mod schema;
pub mod seed;
pub mod store;
pub mod sweep;
#[cfg(feature = "testing")]
pub mod testing;

use cache::DashboardCache;
use config::{DashboardSettings, EmergencySettings, JobsConfig};
use hm_platform::auth::TokenVerifier;
use hm_platform::db::{self, DbPool};
use hm_platform::projections::Projection;
use hm_platform::redis::{Keys, RedisPool};
use hm_platform::server::{Application, Foundation, ServiceInfo};
use hm_platform::service::Service;
use std::sync::Arc;

/// What handlers share.
#[derive(Clone)]
pub struct AppState {
    pub db: DbPool,
    /// Throttles (live tracking: one position per booking and user every 2 s) and the emergency rate
    /// limit.
    pub redis: RedisPool,
    pub keys: Keys,
    /// `ENABLE_PAYMENTS`: online payments accepted (otherwise cash-first, DOMAIN §4.3).
    pub enable_payments: bool,
    /// `PAYMENT_WEBHOOK_SECRET`: the key webhooks are signed with, when set.
    pub webhook_secret: Option<String>,
    /// `FEATURE_EMERGENCY` and `EMERGENCY_*`.
    pub emergency: EmergencySettings,
    /// `DASHBOARD_*` and `FEATURE_CONTRACTOR_SITES`.
    pub dashboards: DashboardSettings,
    /// The role dashboards' copies in Redis.
    pub dashboard_cache: DashboardCache,
}

pub use hm_platform::server::StartError;

/// The jobs service (`hm_platform::service::Service`): its description and how it starts.
pub struct Jobs;

impl Service for Jobs {
    type Config = JobsConfig;
    const INFO: ServiceInfo = ServiceInfo {
        name: "jobs",
        title: "HunarMitra jobs",
        description:
            "Job postings and applications, bookings, cash-first payments, emergency requests.",
        constraints: store::CONSTRAINTS,
        migrations: &[db::embed_migrations!("migrations")],
        consumed: &events::CONSUMED,
        projections: &[Projection::Users, Projection::Services],
        ..ServiceInfo::NONE
    };

    /// Migrates (unless disabled), connects, starts the outbox relay, the event consumer and (with
    /// emergencies on) the emergency timeout sweep, and binds the HTTP server.
    async fn build(config: JobsConfig) -> Result<Application, StartError> {
        let mut base = Foundation::start(&config.common, Self::INFO).await?;
        base.consume(events::Incoming).await?;
        if config.emergency.enabled {
            let sweeper = sweep::Sweeper {
                pool: base.pool.clone(),
                timeout: config.emergency.response_timeout,
                every: config.emergency.sweep_interval,
            }
            .spawn();
            base.on_stop(sweeper.on_stop());
        }
        let state = actix_web::web::Data::new(AppState {
            db: base.pool.clone(),
            redis: base.redis.clone(),
            keys: Keys::new(config.common.redis_key_prefix.clone()),
            enable_payments: config.enable_payments,
            webhook_secret: config.webhook_secret.clone(),
            emergency: config.emergency,
            dashboards: config.dashboards,
            dashboard_cache: DashboardCache::new(
                base.redis.clone(),
                Keys::new(config.common.redis_key_prefix.clone()),
                config.dashboards.cache_ttl,
                config.dashboards.max_stale,
            ),
        });
        let verifier = Arc::new(TokenVerifier::new(config.common.auth.clone()));
        base.serve(config.http_workers, verifier, move |cfg| {
            cfg.app_data(state.clone());
            routes::configure(cfg);
        })
    }
}
