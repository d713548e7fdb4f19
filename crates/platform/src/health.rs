//! Probes (ARCHITECTURE §9): `/healthz` says the process is alive; `/readyz` says it can reach what it
//! needs (database, Redis, broker), so Kubernetes only routes to replicas that can serve.

#[cfg(feature = "service")]
use crate::db::DbPool;
#[cfg(feature = "service")]
use crate::events::Broker;
use crate::redis::RedisPool;
use actix_web::{web, HttpResponse};
#[cfg(feature = "service")]
use diesel_async::RunQueryDsl;
use serde_json::{json, Map, Value};
use std::future::Future;
#[cfg(feature = "service")]
use std::sync::Arc;
use std::time::Duration;

const CHECK_TIMEOUT: Duration = Duration::from_secs(2);

pub async fn healthz() -> HttpResponse {
    HttpResponse::Ok().json(json!({ "status": "ok" }))
}

/// What `/readyz` checks; each dependency is optional so a service lists only what it uses.
#[derive(Clone, Default)]
pub struct Readiness {
    #[cfg(feature = "service")]
    pub db: Option<DbPool>,
    pub redis: Option<RedisPool>,
    #[cfg(feature = "service")]
    pub broker: Option<Arc<Broker>>,
}

async fn check<F: Future<Output = Result<(), String>>>(f: F) -> Result<(), String> {
    tokio::time::timeout(CHECK_TIMEOUT, f)
        .await
        .map_err(|_| "timeout".to_owned())?
}

impl Readiness {
    pub async fn report(&self) -> (bool, Value) {
        let mut checks = Map::new();
        let mut ready = true;
        let mut record = |name: &str, result: Result<(), String>| {
            ready &= result.is_ok();
            checks.insert(
                name.to_owned(),
                json!(result.err().unwrap_or_else(|| "ok".to_owned())),
            );
        };
        #[cfg(feature = "service")]
        if let Some(db) = &self.db {
            record(
                "database",
                check(async {
                    let mut conn = db.get().await.map_err(|e| e.to_string())?;
                    // Raw SQL: the cheapest round trip; no table involved.
                    diesel::sql_query("SELECT 1")
                        .execute(&mut conn)
                        .await
                        .map_err(|e| e.to_string())?;
                    Ok(())
                })
                .await,
            );
        }
        if let Some(redis) = &self.redis {
            record(
                "redis",
                check(async {
                    let mut conn = redis.get().await.map_err(|e| e.to_string())?;
                    deadpool_redis::redis::cmd("PING")
                        .query_async::<String>(&mut conn)
                        .await
                        .map_err(|e| e.to_string())?;
                    Ok(())
                })
                .await,
            );
        }
        #[cfg(feature = "service")]
        if let Some(broker) = &self.broker {
            record(
                "broker",
                check(async { broker.ensure_connected().await.map_err(|e| e.to_string()) }).await,
            );
        }
        (
            ready,
            json!({ "status": if ready { "ok" } else { "unavailable" }, "checks": checks }),
        )
    }
}

pub async fn readyz(readiness: web::Data<Readiness>) -> HttpResponse {
    let (ready, body) = readiness.report().await;
    if ready {
        HttpResponse::Ok().json(body)
    } else {
        HttpResponse::ServiceUnavailable().json(body)
    }
}
