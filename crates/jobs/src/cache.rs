//! The role dashboards' cache (API §1.8, DOMAIN §7) in Redis under jobs' prefix: a fresh copy
//! `dashboard:{role}:{user_id}` (`dashboard:admin:global`) living `DASHBOARD_CACHE_TTL_SECONDS`, and a
//! stale copy `…:stale` living that long plus `DASHBOARD_CACHE_MAX_STALE_SECONDS`, served when
//! recomputing fails. Copies are the JSON bytes first computed, served verbatim. Redis is best effort:
//! out of reach or slow (past [`REDIS_TIMEOUT`]), a dashboard is computed from the database as if
//! nothing were cached; only clearing reports an outage.

use crate::domain::dashboard::{glob_literal, Clearing, Role, STALE};
use crate::error::{JobsError, Result};
use actix_web::web::Bytes;
use hm_platform::redis::{redis, Keys, RedisPool};
use std::future::Future;
use std::time::Duration;
use uuid::Uuid;

/// How long a dashboard waits for Redis before doing without it.
pub const REDIS_TIMEOUT: Duration = Duration::from_millis(300);

/// How long clearing may take before it is reported as failed.
pub const CLEAR_TIMEOUT: Duration = Duration::from_secs(10);

/// How many keys one `SCAN` step looks at when clearing by pattern.
const SCAN_COUNT: usize = 500;

/// Jobs' dashboard copies in Redis.
#[derive(Clone)]
pub struct DashboardCache {
    redis: RedisPool,
    keys: Keys,
    /// How long a fresh copy is served.
    ttl: Duration,
    /// How long a stale copy lives: the fresh copy's lifetime plus the most it may be served past it.
    stale_ttl: Duration,
}

impl DashboardCache {
    /// A cache whose fresh copies live `ttl` and stale ones up to `max_stale` longer.
    pub fn new(redis: RedisPool, keys: Keys, ttl: Duration, max_stale: Duration) -> Self {
        DashboardCache {
            redis,
            keys,
            ttl,
            stale_ttl: ttl + max_stale,
        }
    }

    /// The dashboard of `role` for `user`: the fresh copy when there is one; else `compute`d (from
    /// the database), kept fresh and stale, and served; when computing fails for want of the database,
    /// the stale copy; without one, 500 `Failed to fetch dashboard`. A refusal `compute` answers (not a
    /// worker, not a contractor) is answered as it is.
    pub async fn serve<F>(&self, role: Role, user: Uuid, compute: F) -> Result<Bytes>
    where
        F: Future<Output = Result<Vec<u8>>>,
    {
        let key = self.keys.key(role.key(user));
        if let Some(fresh) = self.get(&key).await {
            return Ok(fresh);
        }
        match compute.await {
            Ok(body) => {
                let body = Bytes::from(body);
                self.keep(&key, &body).await;
                Ok(body)
            }
            Err(e @ JobsError::Platform(_)) | Err(e @ JobsError::DashboardUnavailable) => {
                let stale = self.get(&format!("{key}{STALE}")).await;
                match stale {
                    Some(body) => {
                        tracing::warn!(error = %e, key, "dashboard served stale: recomputing failed");
                        Ok(body)
                    }
                    None => {
                        tracing::error!(error = %e, key, "dashboard neither computed nor cached");
                        Err(JobsError::DashboardUnavailable)
                    }
                }
            }
            Err(refused) => Err(refused),
        }
    }

    /// Deletes what `clearing` names, fresh and stale copies alike (`SCAN`, never `KEYS`, for a
    /// pattern); how many keys went. 500 when Redis cannot be reached or takes longer than
    /// [`CLEAR_TIMEOUT`].
    pub async fn clear(&self, clearing: &Clearing) -> Result<u64> {
        let attempt = async {
            let mut conn = self.redis.get().await.map_err(|e| e.to_string())?;
            let keys: Vec<String> = match (clearing.keys(), clearing.pattern()) {
                (Some(keys), _) => keys.into_iter().map(|k| self.keys.key(k)).collect(),
                (None, Some(pattern)) => {
                    let pattern = format!("{}{pattern}", glob_literal(self.keys.prefix()));
                    let mut found = Vec::new();
                    let mut cursor: u64 = 0;
                    loop {
                        let (next, batch): (u64, Vec<String>) = redis::cmd("SCAN")
                            .arg(cursor)
                            .arg("MATCH")
                            .arg(&pattern)
                            .arg("COUNT")
                            .arg(SCAN_COUNT)
                            .query_async(&mut conn)
                            .await
                            .map_err(|e| e.to_string())?;
                        found.extend(batch);
                        if next == 0 {
                            break;
                        }
                        cursor = next;
                    }
                    found
                }
                (None, None) => Vec::new(),
            };
            let mut deleted = 0u64;
            for chunk in keys.chunks(SCAN_COUNT) {
                deleted += redis::cmd("DEL")
                    .arg(chunk)
                    .query_async::<u64>(&mut conn)
                    .await
                    .map_err(|e| e.to_string())?;
            }
            Ok::<u64, String>(deleted)
        };
        tokio::time::timeout(CLEAR_TIMEOUT, attempt)
            .await
            .unwrap_or_else(|_| Err("timed out".to_owned()))
            .map_err(JobsError::DashboardCacheUnavailable)
    }

    /// The copy under `key`, if Redis answers in time.
    async fn get(&self, key: &str) -> Option<Bytes> {
        let attempt = async {
            let mut conn = self.redis.get().await.map_err(|e| e.to_string())?;
            redis::cmd("GET")
                .arg(key)
                .query_async::<Option<Vec<u8>>>(&mut conn)
                .await
                .map_err(|e| e.to_string())
        };
        match tokio::time::timeout(REDIS_TIMEOUT, attempt).await {
            Ok(Ok(found)) => found.map(Bytes::from),
            Ok(Err(error)) => {
                tracing::warn!(%error, key, "dashboard cache read failed");
                None
            }
            Err(_) => {
                tracing::warn!(key, "dashboard cache read timed out");
                None
            }
        }
    }

    /// Keeps `body` as the fresh and the stale copy under `key` (one `MULTI`), if Redis answers in time.
    async fn keep(&self, key: &str, body: &[u8]) {
        let attempt = async {
            let mut conn = self.redis.get().await.map_err(|e| e.to_string())?;
            redis::pipe()
                .atomic()
                .cmd("SET")
                .arg(key)
                .arg(body)
                .arg("PX")
                .arg(millis(self.ttl))
                .ignore()
                .cmd("SET")
                .arg(format!("{key}{STALE}"))
                .arg(body)
                .arg("PX")
                .arg(millis(self.stale_ttl))
                .ignore()
                .query_async::<()>(&mut conn)
                .await
                .map_err(|e| e.to_string())
        };
        match tokio::time::timeout(REDIS_TIMEOUT, attempt).await {
            Ok(Ok(())) => {}
            Ok(Err(error)) => tracing::warn!(%error, key, "dashboard not cached"),
            Err(_) => tracing::warn!(key, "dashboard not cached: redis timed out"),
        }
    }
}

/// A lifetime in whole milliseconds, at least 1.
fn millis(d: Duration) -> u64 {
    u64::try_from(d.as_millis()).unwrap_or(u64::MAX).max(1)
}
