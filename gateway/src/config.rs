//! The gateway's settings, read from the environment (deploy/.env.example lists them).

use crate::routing::{RouteError, RouteTable, DEFAULT_TABLE};
use crate::throttle::Rate;
use hm_platform::auth::AuthConfig;
use hm_platform::config::{self, ConfigError};
use std::time::Duration;

#[derive(Debug, Clone)]
pub struct GatewayConfig {
    pub host: String,
    pub port: u16,
    /// The internal listener that serves `/metrics` (issue #15: not on the clients' port); 0 picks a
    /// free one (tests).
    pub metrics_port: u16,
    pub debug: bool,
    pub log_json: bool,
    pub http_workers: usize,
    /// `None` runs throttling in process only (single replica, or tests).
    pub redis_url: Option<String>,
    pub redis_key_prefix: String,
    pub auth: AuthConfig,
    pub throttle_anon: Option<Rate>,
    pub throttle_user: Option<Rate>,
    /// How many proxies in front of the gateway append to `X-Forwarded-For` (an ingress: 1). With 0 the
    /// client-sent header is ignored and the peer address is the client, so nobody can pick their
    /// own throttle key by sending the header.
    pub trusted_proxy_hops: usize,
    pub cors: CorsConfig,
    pub table: RouteTable,
    pub connect_timeout: Duration,
    /// How long the merged OpenAPI document is reused before the upstreams are asked again.
    pub docs_ttl: Duration,
}

#[derive(Debug, Clone)]
pub struct CorsConfig {
    pub allow_all: bool,
    pub origins: Vec<String>,
}

fn rate(name: &'static str, default: &str) -> Result<Option<Rate>, ConfigError> {
    let value = config::string(name, default);
    let value = value.trim();
    if value.is_empty() || value.eq_ignore_ascii_case("none") {
        return Ok(None);
    }
    value
        .parse()
        .map(Some)
        .map_err(|reason| ConfigError::Invalid {
            name,
            value: value.to_owned(),
            reason,
        })
}

/// Loads the route table from `GATEWAY_ROUTES_FILE`, or the one built in, with `UPSTREAM_<NAME>_URL`
/// overrides applied.
pub fn route_table(max_body: usize) -> Result<RouteTable, ConfigError> {
    let (text, source) = match config::optional("GATEWAY_ROUTES_FILE") {
        Some(path) => (
            std::fs::read_to_string(&path).map_err(|e| ConfigError::Invalid {
                name: "GATEWAY_ROUTES_FILE",
                value: path.clone(),
                reason: e.to_string(),
            })?,
            path,
        ),
        None => (DEFAULT_TABLE.to_owned(), "built-in".to_owned()),
    };
    let url_override = |name: &str| {
        std::env::var(format!("UPSTREAM_{}_URL", name.to_ascii_uppercase()))
            .ok()
            .filter(|v| !v.trim().is_empty())
    };
    RouteTable::parse(&text, url_override, max_body).map_err(|e: RouteError| ConfigError::Invalid {
        name: "GATEWAY_ROUTES_FILE",
        value: source,
        reason: e.to_string(),
    })
}

impl GatewayConfig {
    pub fn from_env() -> Result<Self, ConfigError> {
        let debug = config::flag("DEBUG", false)?;
        hm_platform::telemetry::SentryConfig::from_env()?;
        let max_body = config::parse("GATEWAY_MAX_BODY_BYTES", 1024 * 1024)?;
        let origins = config::string(
            "CORS_ALLOWED_ORIGINS",
            "http://localhost:3000,http://127.0.0.1:3000",
        );
        let redis_url = config::string("REDIS_URL", "redis://127.0.0.1:6379/0");
        Ok(GatewayConfig {
            host: config::string("HOST", "0.0.0.0"),
            port: config::parse("PORT", 8000)?,
            metrics_port: config::parse("GATEWAY_METRICS_PORT", 9100)?,
            debug,
            log_json: config::flag("LOG_JSON", !debug)?,
            http_workers: config::parse("HTTP_WORKERS", 0)?,
            redis_url: (!redis_url.trim().is_empty()).then_some(redis_url),
            redis_key_prefix: config::string("REDIS_KEY_PREFIX", "gw:"),
            auth: AuthConfig::from_env()?,
            throttle_anon: rate("THROTTLE_ANON", "100/hour")?,
            throttle_user: rate("THROTTLE_USER", "1000/hour")?,
            trusted_proxy_hops: config::parse("GATEWAY_TRUSTED_PROXY_HOPS", 0)?,
            cors: CorsConfig {
                allow_all: config::flag("CORS_ALLOW_ALL_ORIGINS", false)?,
                origins: origins
                    .split(',')
                    .map(str::trim)
                    .filter(|o| !o.is_empty())
                    .map(str::to_owned)
                    .collect(),
            },
            table: route_table(max_body)?,
            connect_timeout: Duration::from_millis(config::parse(
                "GATEWAY_CONNECT_TIMEOUT_MS",
                2000,
            )?),
            docs_ttl: Duration::from_secs(config::parse("GATEWAY_DOCS_TTL_SECS", 60)?),
        })
    }
}
