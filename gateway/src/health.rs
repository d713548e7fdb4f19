//! `GET /api/v1/health/` (API §4.1): `{"status":"ok"}` while the gateway serves; with `?verbose=1` it
//! also asks every upstream's `/readyz` (in parallel, briefly) and reports each one.

use crate::gate::Gateway;
use actix_web::{web, HttpResponse};
use hm_platform::input::Query;
use serde::Deserialize;
use serde_json::{json, Map, Value};
use std::time::{Duration, Instant};

const PROBE_TIMEOUT: Duration = Duration::from_secs(2);

pub struct UpstreamProbe {
    http: reqwest::Client,
}

impl Default for UpstreamProbe {
    fn default() -> Self {
        UpstreamProbe {
            http: reqwest::Client::builder()
                .timeout(PROBE_TIMEOUT)
                .build()
                .unwrap_or_default(),
        }
    }
}

#[derive(Deserialize)]
pub struct HealthQuery {
    verbose: Option<String>,
}

pub async fn health(
    query: Query<HealthQuery>,
    gateway: web::Data<Gateway>,
    probe: web::Data<UpstreamProbe>,
) -> HttpResponse {
    let verbose = query
        .verbose
        .as_deref()
        .is_some_and(|v| matches!(v.to_ascii_lowercase().as_str(), "1" | "true" | "yes" | "on"));
    if !verbose {
        return HttpResponse::Ok().json(json!({"status": "ok"}));
    }
    let checks = gateway.table.upstreams.iter().map(|u| {
        let http = &probe.http;
        async move {
            let started = Instant::now();
            let report = match http.get(format!("{}/readyz", u.url)).send().await {
                Ok(res) => {
                    let ready = res.status().is_success();
                    let checks = res.json::<Value>().await.ok().and_then(|b| b.get("checks").cloned());
                    let mut r = json!({
                        "status": if ready { "ok" } else { "not_ready" },
                        "latency_ms": (started.elapsed().as_secs_f64() * 10_000.0).round() / 10.0,
                    });
                    if let Some(checks) = checks {
                        r["checks"] = checks;
                    }
                    r
                }
                Err(e) => json!({
                    "status": "unavailable",
                    "detail": if e.is_timeout() { "timed out".to_owned() } else { "connection failed".to_owned() },
                }),
            };
            (u.name.clone(), report)
        }
    });
    let reports = futures_util::future::join_all(checks).await;
    let all_ok = reports.iter().all(|(_, r)| r["status"] == "ok");
    let upstreams: Map<String, Value> = reports.into_iter().collect();
    HttpResponse::Ok().json(json!({
        "status": if all_ok { "ok" } else { "degraded" },
        "upstreams": upstreams,
    }))
}
