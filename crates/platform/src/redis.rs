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

/// Checks every counter against its limit and, when none has reached it, counts this action in each;
/// every count then lives `window` from its last increment. One script, so concurrent actions cannot
/// both slip under a limit.
const COUNT_WITHIN: &str = r"
    for i = 1, #KEYS do
        if tonumber(redis.call('GET', KEYS[i]) or '0') >= tonumber(ARGV[i]) then return i end
    end
    local window = ARGV[#KEYS + 1]
    for i = 1, #KEYS do
        redis.call('INCR', KEYS[i])
        redis.call('PEXPIRE', KEYS[i], window)
    end
    return 0
";

/// Takes back one count from each counter (never below zero).
const UNCOUNT: &str = r"
    for i = 1, #KEYS do
        if tonumber(redis.call('GET', KEYS[i]) or '0') > 0 then redis.call('DECR', KEYS[i]) end
    end
    return 0
";

/// At most `limit` actions per `key` (a [`Keys`] key) while its counter lives, for every `(key, limit)`
/// at once: when none of the counters has reached its limit, the action is counted in each (each counter
/// then lives `window` from now: a fresh TTL on every counted action, DOMAIN §4.7's rate limit) and
/// `None` is returned; otherwise nothing is counted and the index of the first limit reached is returned.
/// Redis out of reach or slower than 250 ms: the action goes ahead uncounted (a limit never takes a
/// service down) and a warning is logged.
pub async fn count_within(
    pool: &RedisPool,
    limits: &[(&str, u32)],
    window: Duration,
) -> Option<usize> {
    let window_ms = u64::try_from(window.as_millis()).unwrap_or(u64::MAX).max(1);
    let attempt = async {
        let mut conn = pool.get().await.map_err(|e| e.to_string())?;
        let script = redis::Script::new(COUNT_WITHIN);
        let mut call = script.prepare_invoke();
        for (key, _) in limits {
            call.key(*key);
        }
        for (_, limit) in limits {
            call.arg(*limit);
        }
        call.arg(window_ms);
        let reached: i64 = call
            .invoke_async(&mut conn)
            .await
            .map_err(|e| e.to_string())?;
        Ok::<_, String>(usize::try_from(reached).ok().and_then(|i| i.checked_sub(1)))
    };
    let outcome = tokio::time::timeout(THROTTLE_TIMEOUT, attempt)
        .await
        .unwrap_or_else(|_| Err("timed out".to_owned()));
    match outcome {
        Ok(reached) => reached,
        Err(error) => {
            tracing::warn!(%error, "rate limit skipped: redis unavailable");
            None
        }
    }
}

/// Gives back the count [`count_within`] took for `keys` (the action it allowed failed); best effort.
pub async fn uncount(pool: &RedisPool, keys: &[&str]) {
    let attempt = async {
        let mut conn = pool.get().await.map_err(|e| e.to_string())?;
        let script = redis::Script::new(UNCOUNT);
        let mut call = script.prepare_invoke();
        for key in keys {
            call.key(*key);
        }
        call.invoke_async::<i64>(&mut conn)
            .await
            .map_err(|e| e.to_string())
    };
    let outcome = tokio::time::timeout(THROTTLE_TIMEOUT, attempt)
        .await
        .unwrap_or_else(|_| Err("timed out".to_owned()));
    if let Err(error) = outcome {
        tracing::warn!(%error, "rate limit count not given back");
    }
}
