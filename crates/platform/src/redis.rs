//! Redis through deadpool-redis. Every key a service writes starts with its owner prefix
//! (ARCHITECTURE §8), which tests replace with a unique one for isolation.

use deadpool_redis::{Config, Pool, Runtime, Timeouts};
use std::time::Duration;

pub use deadpool_redis::redis;
pub type RedisPool = Pool;
pub type RedisConn = deadpool_redis::Connection;

#[derive(Debug, thiserror::Error)]
#[error("redis pool: {0}")]
pub struct RedisSetupError(String);

pub fn pool(url: &str, max_size: usize) -> Result<RedisPool, RedisSetupError> {
    let mut config = Config::from_url(url);
    let mut pool_config = deadpool_redis::PoolConfig::new(max_size);
    pool_config.timeouts = Timeouts {
        wait: Some(Duration::from_secs(2)),
        create: Some(Duration::from_secs(2)),
        recycle: Some(Duration::from_secs(2)),
    };
    config.pool = Some(pool_config);
    config
        .create_pool(Some(Runtime::Tokio1))
        .map_err(|e| RedisSetupError(e.to_string()))
}

/// Builds the service's keys under its prefix.
#[derive(Debug, Clone)]
pub struct Keys {
    prefix: String,
}

impl Keys {
    pub fn new(prefix: impl Into<String>) -> Self {
        Keys {
            prefix: prefix.into(),
        }
    }

    pub fn key(&self, suffix: impl std::fmt::Display) -> String {
        format!("{}{}", self.prefix, suffix)
    }

    pub fn prefix(&self) -> &str {
        &self.prefix
    }
}

/// How long a throttle waits for Redis before letting the action go ahead.
const THROTTLE_TIMEOUT: Duration = Duration::from_millis(250);

/// At most one action per `window` for `key` (a [`Keys`] key), decided by Redis (`SET key 1 NX PX`):
/// `None` when this one may go ahead, else how long until the next may (at least 1 ms). Redis out of
/// reach or slower than 250 ms: the action goes ahead (a throttle never takes a service down, nor holds
/// a request's other resources while it waits) and a warning is logged.
pub async fn once_per(pool: &RedisPool, key: &str, window: Duration) -> Option<Duration> {
    let window_ms = u64::try_from(window.as_millis()).unwrap_or(u64::MAX).max(1);
    let attempt = async {
        let mut conn = pool.get().await.map_err(|e| e.to_string())?;
        let set: Option<String> = redis::cmd("SET")
            .arg(key)
            .arg(1)
            .arg("NX")
            .arg("PX")
            .arg(window_ms)
            .query_async(&mut conn)
            .await
            .map_err(|e| e.to_string())?;
        if set.is_some() {
            return Ok(None);
        }
        let left: i64 = redis::cmd("PTTL")
            .arg(key)
            .query_async(&mut conn)
            .await
            .map_err(|e| e.to_string())?;
        // -2: the key expired between the two commands, so the window is over.
        if left == -2 {
            return Ok(None);
        }
        Ok::<_, String>(Some(Duration::from_millis(
            left.clamp(1, window_ms as i64) as u64
        )))
    };
    let outcome = tokio::time::timeout(THROTTLE_TIMEOUT, attempt)
        .await
        .unwrap_or_else(|_| Err("timed out".to_owned()));
    match outcome {
        Ok(wait) => wait,
        Err(error) => {
            tracing::warn!(%error, key, "throttle skipped: redis unavailable");
            None
        }
    }
}

/// Forgets `key` (a throttle's window given back when the action it allowed failed); best effort.
pub async fn forget(pool: &RedisPool, key: &str) {
    let attempt = async {
        let mut conn = pool.get().await.map_err(|e| e.to_string())?;
        redis::cmd("DEL")
            .arg(key)
            .query_async::<i64>(&mut conn)
            .await
            .map_err(|e| e.to_string())
    };
    let outcome = tokio::time::timeout(THROTTLE_TIMEOUT, attempt)
        .await
        .unwrap_or_else(|_| Err("timed out".to_owned()));
    if let Err(error) = outcome {
        tracing::warn!(%error, key, "throttle key not forgotten");
    }
}
