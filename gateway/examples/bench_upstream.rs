//! A service with the standard middleware of every HunarMitra service (request id and access log,
//! metrics, JSON errors, OpenAPI) and one small JSON endpoint, `GET /api/v1/bench/ping/`, for
//! `make bench-gateway` to call directly and through the gateway.

use hm_platform::auth::{AuthConfig, TokenVerifier};
use hm_platform::health::Readiness;
use hm_platform::metrics::Metrics;
use hm_platform::server::{self, ServiceInfo, Shared};
use paperclip::actix::{api_v2_operation, web};
use serde_json::json;

#[api_v2_operation]
async fn ping() -> Result<actix_web::HttpResponse, actix_web::Error> {
    Ok(actix_web::HttpResponse::Ok().json(json!({"status": "ok", "service": "bench"})))
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let port: u16 = std::env::var("PORT")
        .ok()
        .and_then(|p| p.parse().ok())
        .unwrap_or(18101);
    let workers: usize = std::env::var("HTTP_WORKERS")
        .ok()
        .and_then(|w| w.parse().ok())
        .unwrap_or(2);
    server::init_logging(true, false);
    let shared = Shared {
        metrics: actix_web::web::Data::new(Metrics::new("bench")?),
        readiness: actix_web::web::Data::new(Readiness::default()),
        verifier: actix_web::web::Data::new(TokenVerifier::new(AuthConfig::from_env()?)),
    };
    let info = ServiceInfo {
        name: "bench",
        title: "bench upstream",
        description: "One small JSON endpoint.",
        ..ServiceInfo::NONE
    };
    let listener = server::bind("127.0.0.1", port)?;
    server::http_server(listener, info, shared, workers, |cfg| {
        cfg.service(web::resource("/api/v1/bench/ping/").route(web::get().to(ping)));
    })?
    .await?;
    Ok(())
}
