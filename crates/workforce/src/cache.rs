//! Short-lived JSON documents in Redis under workforce's prefix (API §1.8). Best effort: a Redis outage
//! costs a recomputation, never a failed request.

use hm_platform::redis::{redis, Keys, RedisPool};
use std::time::Duration;

/// Workforce's corner of Redis.
#[derive(Clone)]
pub struct Cache {
    redis: RedisPool,
    keys: Keys,
}

impl Cache {
    pub fn new(redis: RedisPool, keys: Keys) -> Self {
        Cache { redis, keys }
    }

    pub async fn get(&self, name: &str) -> Option<Vec<u8>> {
        let mut conn = self.redis.get().await.ok()?;
        redis::cmd("GET")
            .arg(self.keys.key(name))
            .query_async(&mut conn)
            .await
            .map_err(|e| tracing::warn!(error = %e, "cache read failed"))
            .ok()
            .flatten()
    }

    pub async fn put(&self, name: &str, body: &[u8], ttl: Duration) {
        let Ok(mut conn) = self.redis.get().await else {
            tracing::warn!("cache unavailable");
            return;
        };
        let stored: Result<(), _> = redis::cmd("SET")
            .arg(self.keys.key(name))
            .arg(body)
            .arg("EX")
            .arg(ttl.as_secs().max(1))
            .query_async(&mut conn)
            .await;
        if let Err(e) = stored {
            tracing::warn!(error = %e, "cache write failed");
        }
    }
}
