//! What a service is built from, beyond the gateway's kit (feature `service`): the same middleware,
//! probes, metrics and OpenAPI document for every service; its database migrated, its pools, broker,
//! outbox relay and consumers; and the `migrate` command. A service's `lib.rs` only lists its routes and
//! state.

use crate::auth::TokenVerifier;
use crate::config;
use crate::db::{self, DbPool, EmbeddedMigrations};
use crate::error::{document_errors, ApiError};
use crate::events::{Broker, Consumer, ConsumerHandle, Handler, Relay, RelayHandle};
use crate::health::{self, Readiness};
use crate::http::json_error_handler;
use crate::input::MAX_BODY_BYTES;
use crate::metrics::{self, Metrics};
use crate::projections::Projection;
use crate::redis::RedisPool;
use crate::server::{bind, Application, Stop};
use crate::{auth, http, telemetry};
use actix_web::dev::Server;
use actix_web::http::StatusCode;
use actix_web::middleware::{from_fn, ErrorHandlers};
use actix_web::{web, App, HttpServer};
use actix_web::{HttpResponse, ResponseError};
use paperclip::actix::OpenApiExt;
use paperclip::v2::models::DefaultOperationRaw;
use paperclip::v2::models::{DefaultApiRaw, Info};
use paperclip::v2::schema::Apiv2Errors;
use std::net::TcpListener;
use std::sync::Arc;

/// What every service reads the same way: where it listens and the infrastructure it talks to.
#[derive(Debug, Clone)]
pub struct CommonConfig {
    /// `source` of published events and the prefix of its Redis keys and queue names.
    pub service_name: &'static str,
    pub host: String,
    pub port: u16,
    pub debug: bool,
    pub log_json: bool,
    pub database_url: String,
    pub db_pool_size: usize,
    pub run_migrations: bool,
    pub redis_url: String,
    pub redis_key_prefix: String,
    pub events: crate::events::BusConfig,
    pub auth: crate::auth::AuthConfig,
}

impl CommonConfig {
    /// `default_port` and `default_db` are the service's own (ARCHITECTURE §3).
    pub fn from_env(
        service_name: &'static str,
        default_port: u16,
        default_db: &str,
    ) -> Result<Self, config::ConfigError> {
        let debug = config::flag("DEBUG", false)?;
        crate::time::check_zone()?;
        telemetry::SentryConfig::from_env()?;
        Ok(CommonConfig {
            service_name,
            host: config::string("HOST", "0.0.0.0"),
            port: config::parse("PORT", default_port)?,
            debug,
            log_json: config::flag("LOG_JSON", !debug)?,
            database_url: config::string(
                "DATABASE_URL",
                &format!("postgres://postgres@127.0.0.1:5432/{default_db}"),
            ),
            db_pool_size: config::parse("DB_POOL_SIZE", 16)?,
            run_migrations: config::flag("RUN_MIGRATIONS", true)?,
            redis_url: config::string("REDIS_URL", "redis://127.0.0.1:6379/0"),
            redis_key_prefix: config::string("REDIS_KEY_PREFIX", &format!("{service_name}:")),
            events: crate::events::BusConfig::from_env(service_name)?,
            auth: crate::auth::AuthConfig::from_env()?,
        })
    }
}

/// A service as the platform runs it (ARCHITECTURE §2): its description and how it starts. Each service
/// implements it once, on the type named after it (`hm_jobs::Jobs`); its binary ([`crate::cli::main`])
/// and its tests (`testing::TestApp`) start it through it.
pub trait Service {
    /// What [`Service::build`] takes: the service's settings (a test double's: those and what it
    /// replaces).
    type Config;
    /// The service's description.
    const INFO: ServiceInfo;
    /// Migrates (unless `RUN_MIGRATIONS=false`), connects, starts the outbox relay and the consumer,
    /// and binds the HTTP server.
    fn build(
        config: Self::Config,
    ) -> impl std::future::Future<Output = Result<Application, StartError>>;
}

/// A service's settings: the common ones and its own, read from the environment (spec/CONFIG.md); an
/// invalid value is a [`ConfigError`] naming the variable.
pub trait ServiceConfig: Sized + Send + 'static {
    fn from_env() -> Result<Self, crate::config::ConfigError>;
    fn common(&self) -> &CommonConfig;
}

/// What the platform needs to know of a service to run it (ARCHITECTURE §2): its name and titles (OpenAPI
/// document, metrics, `hm-<name>` binary), its database (migrations, constraints, the projections it
/// keeps) and the events it consumes. Each service has one, `INFO` in its `lib.rs`.
#[derive(Clone, Copy)]
pub struct ServiceInfo {
    /// `identity`, `catalog`, …: metrics, database and queue names.
    pub name: &'static str,
    /// `HunarMitra jobs`: the OpenAPI title; `--help` adds "service".
    pub title: &'static str,
    pub description: &'static str,
    /// Paths where a bearer token is not read (see [`auth::TokenIgnoredPaths`]); usually none.
    pub token_ignored_paths: &'static [&'static str],
    /// How the service's constraint violations are answered (`store::CONSTRAINTS`).
    pub constraints: &'static [crate::constraints::Constraint],
    /// The service's own migrations: `&[MIGRATIONS]` (`embed_migrations!("migrations")`); `&[]` for a
    /// server without a database of its own.
    pub migrations: &'static [EmbeddedMigrations],
    /// The routing keys of the events its handler takes (`events::CONSUMED`); its projections' events
    /// are added by the platform.
    pub consumed: &'static [&'static str],
    /// The projections of other services' data it keeps (their tables, events and upserts are the
    /// platform's).
    pub projections: &'static [Projection],
}

impl ServiceInfo {
    /// What a service states only when it has it: no paths without tokens, no constraints answered,
    /// no migrations, no events, no projections (`..ServiceInfo::NONE` after its own fields).
    pub const NONE: ServiceInfo = ServiceInfo {
        name: "",
        title: "",
        description: "",
        token_ignored_paths: &[],
        constraints: &[],
        migrations: &[],
        consumed: &[],
        projections: &[],
    };

    /// The migrations after the platform's own, in order: the projections' tables, then the service's
    /// (which may refer to them).
    pub fn migration_sets(&self) -> Vec<&'static EmbeddedMigrations> {
        let kept = self.projections.iter().map(|p| p.migrations());
        kept.chain(self.migrations).collect()
    }

    /// The routing keys its queue is bound to: what its handler takes and what its projections need.
    pub fn bindings(&self) -> Vec<&'static str> {
        let kept = self
            .projections
            .iter()
            .flat_map(|p| p.events().iter().copied());
        self.consumed.iter().copied().chain(kept).collect()
    }
}

impl std::fmt::Debug for ServiceInfo {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ServiceInfo")
            .field("name", &self.name)
            .field("consumed", &self.consumed)
            .field("projections", &self.projections)
            .finish_non_exhaustive()
    }
}

/// What every service shares with its handlers and probes.
#[derive(Clone)]
pub struct Shared {
    pub metrics: web::Data<Metrics>,
    pub readiness: web::Data<Readiness>,
    pub verifier: web::Data<TokenVerifier>,
}

/// Builds the HTTP server: `routes` registers the service's own resources and data.
pub fn http_server<F>(
    listener: TcpListener,
    info: ServiceInfo,
    shared: Shared,
    workers: usize,
    routes: F,
) -> std::io::Result<Server>
where
    F: Fn(&mut paperclip::actix::web::ServiceConfig) + Clone + Send + 'static,
{
    crate::constraints::register(info.constraints);
    let server = HttpServer::new(move || {
        let spec = DefaultApiRaw {
            info: Info {
                title: info.title.to_owned(),
                description: Some(info.description.to_owned()),
                version: env!("CARGO_PKG_VERSION").to_owned(),
                ..Default::default()
            },
            ..Default::default()
        };
        App::new()
            .app_data(web::PayloadConfig::new(MAX_BODY_BYTES))
            .app_data(shared.metrics.clone())
            .app_data(shared.readiness.clone())
            .app_data(shared.verifier.clone())
            .app_data(web::Data::new(auth::TokenIgnoredPaths(
                info.token_ignored_paths,
            )))
            .wrap(ErrorHandlers::new().default_handler(json_error_handler))
            .wrap(from_fn(auth::authenticate_bearer))
            .wrap(from_fn(http::conventions))
            .wrap(from_fn(metrics::track))
            .wrap(from_fn(telemetry::request_id))
            .wrap(telemetry::sentry_middleware())
            // Registered with the slash that `conventions` adds to `/healthz`, `/readyz`, `/metrics`.
            .route("/healthz/", web::get().to(health::healthz))
            .route("/readyz/", web::get().to(health::readyz))
            .route("/metrics/", web::get().to(metrics::endpoint))
            .route("/openapi.json", web::get().to(crate::openapi::serve))
            .wrap_api_with_spec(spec)
            .configure(routes.clone())
            .with_raw_json_spec(|app, spec| {
                let mut allowed = http::AllowedMethods::from_spec(&spec);
                for probe in ["/healthz/", "/readyz/", "/metrics/"] {
                    allowed.insert(probe, "GET, HEAD");
                }
                app.app_data(web::Data::new(allowed))
            })
            .with_raw_json_spec_v3(|app, spec| {
                let doc =
                    serde_json::to_vec_pretty(&crate::openapi::finish(spec)).unwrap_or_default();
                app.app_data(web::Data::new(crate::openapi::Document(doc.into())))
            })
            .default_service(web::to(http::not_found))
            .build()
    })
    .workers(workers.max(1))
    // Longer than the gateway keeps idle upstream connections (60 s), so the gateway never sends a
    // request on a connection this side is closing.
    .keep_alive(std::time::Duration::from_secs(75))
    .shutdown_timeout(30)
    .listen(listener)?
    .run();
    Ok(server)
}

/// Why a service (or the gateway) could not start; printed by the binary as `hm-<service>: <why>`.
#[derive(Debug, thiserror::Error)]
pub enum StartError {
    #[error(transparent)]
    Db(#[from] db::DbError),
    #[error("database unavailable: {0}")]
    DbPool(#[from] diesel_async::pooled_connection::deadpool::PoolError),
    #[error("database: {0}")]
    Query(#[from] diesel::result::Error),
    /// `store::CONSTRAINTS` names constraints the migrated schema does not have.
    #[error("store::CONSTRAINTS names constraints the schema does not have: {}", .0.join(", "))]
    MissingConstraints(Vec<&'static str>),
    #[error(transparent)]
    Redis(#[from] crate::redis::RedisSetupError),
    #[error(transparent)]
    Metrics(#[from] crate::metrics::MetricsError),
    #[error(transparent)]
    Bus(#[from] crate::events::BusError),
    #[error("http: {0}")]
    Io(#[from] std::io::Error),
    /// A service's own start-up step failed (its error type says why).
    #[error(transparent)]
    Service(Box<dyn std::error::Error + Send + Sync>),
}

impl StartError {
    /// A service's own failure.
    pub fn service(e: impl std::error::Error + Send + Sync + 'static) -> Self {
        StartError::Service(Box::new(e))
    }
}

/// Every constraint the service answers for exists in its schema (else start-up fails, naming them).
async fn check_constraints(
    pool: &DbPool,
    rules: &[crate::constraints::Constraint],
) -> Result<(), StartError> {
    if rules.is_empty() {
        return Ok(());
    }
    let mut conn = pool.get().await?;
    let missing = crate::constraints::missing(&mut conn, rules).await?;
    if missing.is_empty() {
        Ok(())
    } else {
        Err(StartError::MissingConstraints(missing))
    }
}

/// What every service starts from: its database migrated (unless `RUN_MIGRATIONS=false`), the Postgres
/// and Redis pools, the broker, metrics and the outbox relay. A service adds its consumer, its state and
/// its routes, then [`Foundation::serve`]s.
pub struct Foundation {
    pub common: CommonConfig,
    pub info: ServiceInfo,
    pub pool: DbPool,
    pub redis: RedisPool,
    pub broker: Arc<Broker>,
    pub metrics: Metrics,
    relay: RelayHandle,
    consumers: Vec<ConsumerHandle>,
    background: Vec<Stop>,
}

impl Foundation {
    pub async fn start(common: &CommonConfig, info: ServiceInfo) -> Result<Foundation, StartError> {
        if common.run_migrations {
            db::migrate(&common.database_url, info.migration_sets()).await?;
        }
        let pool = db::pool(&common.database_url, common.db_pool_size)?;
        check_constraints(&pool, info.constraints).await?;
        let redis = crate::redis::pool(&common.redis_url, common.db_pool_size)?;
        let broker = Broker::new(common.events.clone());
        let metrics = Metrics::new(info.name)?;
        let relay = Relay::new(pool.clone(), broker.clone(), metrics.clone()).spawn();
        Ok(Foundation {
            common: common.clone(),
            info,
            pool,
            redis,
            broker,
            metrics,
            relay,
            consumers: Vec::new(),
            background: Vec::new(),
        })
    }

    /// Consumes the service's events on its queue ([`ServiceInfo::bindings`]): the platform keeps its
    /// projections, `handler` takes the rest.
    pub async fn consume(&mut self, handler: impl Handler) -> Result<(), StartError> {
        let consumer = Consumer::new(
            self.common.events.clone(),
            &self.info.bindings(),
            self.info.projections,
            handler,
            self.pool.clone(),
            self.metrics.clone(),
        )
        .spawn()
        .await?;
        self.consumers.push(consumer);
        Ok(())
    }

    /// Registers how to stop a background task of the service's own (after its consumers stop).
    pub fn on_stop(&mut self, stop: Stop) {
        self.background.push(stop);
    }

    /// Binds `HOST:PORT` and serves the service's `routes` (which register its state) with the shared
    /// middleware, probes and metrics; `verifier` checks bearer tokens.
    pub fn serve<F>(
        self,
        workers: usize,
        verifier: Arc<TokenVerifier>,
        routes: F,
    ) -> Result<Application, StartError>
    where
        F: Fn(&mut paperclip::actix::web::ServiceConfig) + Clone + Send + 'static,
    {
        let listener = bind(&self.common.host, self.common.port)?;
        let port = listener.local_addr()?.port();
        let shared = Shared {
            metrics: web::Data::new(self.metrics),
            readiness: web::Data::new(Readiness {
                db: Some(self.pool.clone()),
                redis: Some(self.redis),
                broker: Some(self.broker),
            }),
            verifier: web::Data::from(verifier),
        };
        let pool = web::Data::new(self.pool);
        let server = http_server(listener, self.info, shared, workers, move |cfg| {
            cfg.app_data(pool.clone());
            routes(cfg);
        })?;
        tracing::info!(port, "{} listening", self.info.name);
        // Consumers first (no new work), then the service's own tasks, the relay last (it flushes
        // whatever they wrote to the outbox).
        let mut stops: Vec<Stop> = Vec::new();
        for consumer in self.consumers {
            stops.push(Box::new(move || Box::pin(consumer.shutdown())));
        }
        stops.extend(self.background);
        let relay = self.relay;
        stops.push(Box::new(move || Box::pin(relay.shutdown())));
        Ok(Application::new(port, server).with_stops(stops))
    }
}

/// The error of a service whose handlers fail only with an API answer or a database problem (workforce,
/// jobs, notifications): 503 `database_unavailable` when no connection can be had, 500 for a failed
/// query (cause logged), the API answer otherwise.
#[derive(Debug, thiserror::Error)]
pub enum ServiceError {
    #[error(transparent)]
    Api(#[from] ApiError),
    #[error("database: {0}")]
    Query(#[from] diesel::result::Error),
    #[error("database unavailable: {0}")]
    DbPool(#[from] diesel_async::pooled_connection::deadpool::PoolError),
}

/// The answer to a failed query: a registered constraint's rule, else a 500 (ARCHITECTURE §4). Every
/// service's error enum answers its database variant with it.
pub fn query_failed(e: &diesel::result::Error) -> ApiError {
    crate::constraints::answer(e)
}

/// The answer when no database connection can be had: 503 `database_unavailable` (`cause` logged).
pub fn database_unavailable(cause: &dyn std::fmt::Display) -> ApiError {
    tracing::error!(error = %cause, "database unavailable");
    ApiError::unavailable("Service temporarily unavailable.", "database_unavailable")
}

impl crate::error::ServiceFailure for ServiceError {
    /// An answer passed on keeps its [`ApiError::default_code`]; a database outage is
    /// `database_unavailable`; a violated rule `invalid`; any other failed query `error` (a 500).
    fn code(&self) -> &'static str {
        use diesel::result::{DatabaseErrorKind as Kind, Error};
        match self {
            ServiceError::Api(e) => e.default_code(),
            ServiceError::DbPool(_) => "database_unavailable",
            ServiceError::Query(Error::DatabaseError(
                Kind::UniqueViolation | Kind::CheckViolation | Kind::ForeignKeyViolation,
                _,
            )) => "invalid",
            ServiceError::Query(_) => "error",
        }
    }

    fn answer(&self) -> ApiError {
        self.to_api()
    }
}

impl ServiceError {
    fn to_api(&self) -> ApiError {
        match self {
            ServiceError::Api(e) => e.clone(),
            ServiceError::DbPool(e) => database_unavailable(e),
            ServiceError::Query(e) => query_failed(e),
        }
    }
}

impl ResponseError for ServiceError {
    fn status_code(&self) -> StatusCode {
        self.to_api().status()
    }

    fn error_response(&self) -> HttpResponse {
        self.to_api().error_response()
    }
}

impl Apiv2Errors for ServiceError {
    fn update_error_definitions(op: &mut DefaultOperationRaw) {
        document_errors(op, crate::error::DOCUMENTED_ERRORS);
    }
}
