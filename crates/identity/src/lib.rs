//! hm-identity: users, phone-OTP login, JWT issuing, refresh/logout, JWKS, eKYC and admin accounts.

pub mod config;
pub mod domain;
pub mod ekyc;
pub mod error;
pub mod events;
pub mod passwords;
mod routes;
pub mod schema;
pub mod seed;
pub mod sign_in;
pub mod signing;
pub mod store;
#[cfg(feature = "testing")]
pub mod testing;

use config::IdentityConfig;
use hm_platform::auth::{Jwks, TokenVerifier};
use hm_platform::db::{self, DbPool};
use hm_platform::events::Broker;
use hm_platform::redis::{Keys, RedisPool};
use hm_platform::server::{Application, Foundation, ServiceInfo};
use hm_platform::service::Service;
use std::sync::Arc;

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

pub use hm_platform::server::StartError;

/// The public keys of identity's tokens: the signing key and the retired ones.
fn jwks(config: &IdentityConfig) -> Jwks {
    let t = &config.tokens;
    Jwks {
        keys: std::iter::once(&t.signing_key)
            .chain(&t.previous_keys)
            .map(|k| k.jwk().clone())
            .collect(),
    }
}

/// The identity service (`hm_platform::service::Service`): its description and how it starts.
pub struct Identity;

impl Service for Identity {
    type Config = IdentityConfig;
    const INFO: ServiceInfo = ServiceInfo {
        name: "identity",
        title: "HunarMitra identity",
        description: "Phone-OTP login, tokens (EdDSA, JWKS), refresh and logout, admin accounts.",
        token_ignored_paths: &["/api/v1/auth/refresh/"],
        constraints: store::CONSTRAINTS,
        migrations: &[db::embed_migrations!("migrations")],
        consumed: &events::CONSUMED,
        ..ServiceInfo::NONE
    };

    /// Migrates (unless disabled), connects, starts the outbox relay and the consumer, and binds the HTTP
    /// server. The returned application runs until stopped.
    async fn build(config: IdentityConfig) -> Result<Application, StartError> {
        let mut base = Foundation::start(&config.common, Self::INFO).await?;
        match &config.encryption {
            Some(keys) => tracing::info!(
                key_id = keys.current_id(),
                retired = keys.retired_ids().count(),
                "eKYC encryption key loaded"
            ),
            None => tracing::warn!("ENCRYPTION_KEY is not set: the eKYC endpoints answer 503"),
        }
        base.consume(events::ProfileProjection).await?;
        // Identity trusts its own keys (no JWKS round trip to itself).
        let verifier = Arc::new(TokenVerifier::with_keys(
            config.tokens.auth.clone(),
            &jwks(&config),
        ));
        let state = actix_web::web::Data::new(AppState {
            keys: Keys::new(config.common.redis_key_prefix.clone()),
            config: Arc::new(config.clone()),
            db: base.pool.clone(),
            redis: base.redis.clone(),
            broker: base.broker.clone(),
            verifier: verifier.clone(),
        });
        base.serve(config.http_workers, verifier, move |cfg| {
            cfg.app_data(state.clone());
            routes::configure(cfg);
        })
    }
}
