//! hm-gateway: the only door mobile clients use (ARCHITECTURE §6). It routes `/api/...` paths to the
//! services by a configured table, verifies access tokens against identity's JWKS, applies the route's
//! policy and the global throttles, proxies with pooled keep-alive connections and streamed bodies, and
//! serves the merged OpenAPI document with Swagger UI and ReDoc, and the admin console at `/admin/`.

pub mod config;
pub mod console;
pub mod docs;
pub mod gate;
pub mod health;
pub mod metrics;
pub mod proxy;
pub mod routing;
pub mod sockets;
pub mod throttle;

use actix_cors::Cors;
use actix_web::middleware::{from_fn, Compress};
use actix_web::{web, App, HttpServer};
use config::{CorsConfig, GatewayConfig};
use gate::Gateway;
use hm_platform::auth::TokenVerifier;
use hm_platform::health::{self as probes, Readiness};
use hm_platform::metrics::Metrics;
use hm_platform::redis::Keys;
use hm_platform::server::Application;
use hm_platform::telemetry;
use std::sync::Arc;

#[derive(Debug, thiserror::Error)]
pub enum StartError {
    #[error("REDIS_URL: {0}")]
    Redis(#[from] redis::RedisError),
    #[error(transparent)]
    Metrics(#[from] hm_platform::metrics::MetricsError),
    #[error("http: {0}")]
    Io(#[from] std::io::Error),
}

fn cors(config: &CorsConfig) -> Cors {
    let cors = Cors::default()
        .allow_any_method()
        .allow_any_header()
        .expose_headers([
            "x-request-id",
            "retry-after",
            "x-ratelimit-limit",
            "x-ratelimit-remaining",
        ])
        .max_age(3600);
    if config.allow_all {
        return cors.allow_any_origin();
    }
    config
        .origins
        .iter()
        .fold(cors, |cors, origin| cors.allowed_origin(origin))
}

/// Binds and starts the gateway (port 0 picks a free one, as tests do); `run_until_stopped` serves.
pub async fn build(config: GatewayConfig) -> Result<Application, StartError> {
    let metrics = Metrics::new("gateway")?;
    let gateway_metrics = metrics::GatewayMetrics::register(&metrics)?;
    let redis = match &config.redis_url {
        Some(url) => Some(redis::Client::open(url.as_str())?),
        None => None,
    };
    let listener = hm_platform::server::bind(&config.host, config.port)?;
    let port = listener.local_addr()?.port();
    let metrics_listener = hm_platform::server::bind(&config.host, config.metrics_port)?;
    let metrics_port = metrics_listener.local_addr()?.port();
    let gateway = web::Data::new(Gateway {
        verifier: Arc::new(TokenVerifier::new(config.auth.clone())),
        throttle: throttle::Throttle::new(redis, gateway_metrics.clone()),
        anon_rate: config.throttle_anon,
        user_rate: config.throttle_user,
        keys: Keys::new(config.redis_key_prefix.clone()),
        trusted_proxy_hops: config.trusted_proxy_hops,
        cors: config.cors.clone(),
        metrics: gateway_metrics,
        table: config.table.clone(),
        metrics_port,
    });
    let schema = web::Data::new(docs::SchemaCache::new(config.docs_ttl));
    let probe = web::Data::new(health::UpstreamProbe::default());
    let metrics = web::Data::new(metrics);
    // The gateway stays ready while Redis is down (it throttles in process), so it checks nothing.
    let readiness = web::Data::new(Readiness::default());
    let connect_timeout = config.connect_timeout;
    let cors_config = config.cors.clone();
    let mut server = HttpServer::new(move || {
        App::new()
            .app_data(gateway.clone())
            .app_data(schema.clone())
            .app_data(probe.clone())
            .app_data(metrics.clone())
            .app_data(readiness.clone())
            .app_data(web::Data::new(proxy::client(connect_timeout)))
            .app_data(web::Data::new(sockets::SocketClient::new(connect_timeout)))
            .wrap(from_fn(gate::gate))
            .wrap(cors(&cors_config))
            .wrap(from_fn(hm_platform::metrics::track))
            .wrap(from_fn(telemetry::request_id))
            .wrap(telemetry::sentry_middleware())
            .route("/healthz", web::get().to(probes::healthz))
            .route("/healthz/", web::get().to(probes::healthz))
            .route("/readyz", web::get().to(probes::readyz))
            .route("/readyz/", web::get().to(probes::readyz))
            .route("/metrics", web::get().to(hm_platform::metrics::endpoint))
            .route("/metrics/", web::get().to(hm_platform::metrics::endpoint))
            // One static pattern per route: a resource with a list of patterns is matched by a regex
            // set, which every proxied request would pay for.
            .route("/api/v1/health", web::get().to(health::health))
            .route("/api/v1/health/", web::get().to(health::health))
            .route("/api/schema", web::get().to(docs::schema))
            .route("/api/schema/", web::get().to(docs::schema))
            // Scopes with literal prefixes, so a proxied request is told apart from these pages by a
            // string comparison (a `{file}` pattern at the top level would run a regex), and only the
            // pages are compressed, never proxied responses.
            .service(
                web::scope("/api/docs")
                    .wrap(Compress::default())
                    .route("", web::get().to(docs::swagger_ui))
                    .route("/", web::get().to(docs::swagger_ui))
                    .route("/assets/{file}", web::get().to(docs::asset)),
            )
            .service(
                web::scope("/admin")
                    .wrap(Compress::default())
                    .route("", web::get().to(console::redirect))
                    .route("/", web::get().to(console::index))
                    .route("/{file}", web::get().to(console::file)),
            )
            .service(
                web::scope("/api/redoc")
                    .wrap(Compress::default())
                    .route("", web::get().to(docs::redoc))
                    .route("/", web::get().to(docs::redoc))
                    .route("/assets/{file}", web::get().to(docs::asset)),
            )
            // The gate forwards every request its table matched (`proxy::forward`); what reaches the
            // router and matches none of the pages above is a path the gate let through unrouted.
            .default_service(web::to(hm_platform::http::not_found))
    })
    .shutdown_timeout(30);
    if config.http_workers > 0 {
        server = server.workers(config.http_workers);
    }
    // One server, two listeners: the gate tells them apart by the local port.
    let server = server.listen(listener)?.listen(metrics_listener)?.run();
    tracing::info!(
        port,
        metrics_port,
        routes = config.table.routes().len(),
        "gateway listening"
    );
    Ok(Application::new(port, server).with_metrics_port(metrics_port))
}
