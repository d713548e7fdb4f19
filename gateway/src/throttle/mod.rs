//! Global throttling (ARCHITECTURE §6, API §1.7): a sliding window of request timestamps per client,
//! kept in Redis by one atomic Lua script so every gateway replica shares the limit, with Redis's own
//! clock so replicas with skewed clocks agree. When Redis is unreachable the same window is kept in
//! process (per replica) until Redis answers again; the metrics say which one is in use.
//!
//! One multiplexed connection per gateway (redis's `ConnectionManager`, reconnecting by itself) rather
//! than a pool: requests pipeline over it, and there is no per-request checkout or health `PING`, which
//! on this hot path would double the Redis round trips.

use crate::metrics::GatewayMetrics;
use redis::aio::{ConnectionManager, ConnectionManagerConfig};
use std::collections::{HashMap, VecDeque};
use std::hash::BuildHasher;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// `N/period` as DRF writes it: the period's first letter is s, m, h or d (`100/hour`, `5/min`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Rate {
    pub limit: u32,
    pub window: Duration,
}

impl std::str::FromStr for Rate {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, String> {
        let bad = || format!("{s:?} is not a rate like 100/hour");
        let (n, period) = s.trim().split_once('/').ok_or_else(bad)?;
        let limit: u32 = n.trim().parse().map_err(|_| bad())?;
        let seconds = match period.trim().chars().next() {
            Some('s') => 1,
            Some('m') => 60,
            Some('h') => 3600,
            Some('d') => 86_400,
            _ => return Err(bad()),
        };
        if limit == 0 {
            return Err(format!(
                "{s:?}: the limit must be at least 1 (leave it empty to disable)"
            ));
        }
        Ok(Rate {
            limit,
            window: Duration::from_secs(seconds),
        })
    }
}

/// The outcome of one check.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Decision {
    pub allowed: bool,
    pub limit: u32,
    pub remaining: u32,
    /// When refused: how long until the oldest request in the window leaves it.
    pub retry_after: Duration,
}

impl Decision {
    /// Whole seconds for `Retry-After` and the 429 body (at least 1, as DRF rounds up).
    pub fn retry_after_secs(&self) -> u64 {
        let ms = self.retry_after.as_millis() as u64;
        ms.div_ceil(1000).max(1)
    }
}

// KEYS[1] = window key; ARGV = limit, window in microseconds, a unique member for this request.
// Returns {allowed (1/0), count after, microseconds until the oldest entry expires}.
const SLIDING_WINDOW: &str = r"
local key = KEYS[1]
local limit = tonumber(ARGV[1])
local window = tonumber(ARGV[2])
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000000 + tonumber(t[2])
redis.call('ZREMRANGEBYSCORE', key, '-inf', now - window)
local count = redis.call('ZCARD', key)
if count < limit then
  redis.call('ZADD', key, now, ARGV[3])
  redis.call('PEXPIRE', key, math.ceil(window / 1000))
  return {1, count + 1, 0}
end
local oldest = redis.call('ZRANGE', key, 0, 0, 'WITHSCORES')
return {0, count, tonumber(oldest[2]) + window - now}
";

/// How long a Redis call may take before the in-process window answers instead, and how long Redis is
/// then left alone before it is tried again (so an outage costs one slow request, not every request).
const REDIS_TIMEOUT: Duration = Duration::from_millis(250);
const REDIS_RETRY_AFTER: Duration = Duration::from_secs(2);

pub struct Throttle {
    redis: Option<redis::Client>,
    connection: tokio::sync::OnceCell<ConnectionManager>,
    script: redis::Script,
    memory: MemoryWindows,
    /// Milliseconds since `started` before which Redis is not tried (0 = use Redis).
    redis_paused_until: AtomicU64,
    started: Instant,
    metrics: GatewayMetrics,
}

impl Throttle {
    /// `redis`: the shared store; `None` limits in process only. Connecting happens on first use, so
    /// the gateway starts (and serves) while Redis is down.
    pub fn new(redis: Option<redis::Client>, metrics: GatewayMetrics) -> Self {
        metrics.set_throttle_backend(redis.is_some());
        Throttle {
            redis,
            connection: tokio::sync::OnceCell::new(),
            script: redis::Script::new(SLIDING_WINDOW),
            memory: MemoryWindows::default(),
            redis_paused_until: AtomicU64::new(0),
            started: Instant::now(),
            metrics,
        }
    }

    fn now_ms(&self) -> u64 {
        self.started.elapsed().as_millis() as u64
    }

    /// Counts a request against `key` (already namespaced by the caller) and says whether it may pass.
    pub async fn check(&self, key: &str, rate: Rate) -> Decision {
        if let Some(client) = &self.redis {
            if self.now_ms() >= self.redis_paused_until.load(Ordering::Relaxed) {
                match tokio::time::timeout(REDIS_TIMEOUT, self.check_redis(client, key, rate)).await
                {
                    Ok(Ok(decision)) => {
                        self.metrics.set_throttle_backend(true);
                        return decision;
                    }
                    Ok(Err(e)) => {
                        tracing::warn!(error = %e, "throttle: Redis failed; limiting in process")
                    }
                    Err(_) => tracing::warn!("throttle: Redis timed out; limiting in process"),
                }
                self.redis_paused_until.store(
                    self.now_ms() + REDIS_RETRY_AFTER.as_millis() as u64,
                    Ordering::Relaxed,
                );
                self.metrics.set_throttle_backend(false);
            }
            self.metrics.throttle_fallback();
        }
        self.memory.check(key, rate, Instant::now())
    }

    async fn check_redis(
        &self,
        client: &redis::Client,
        key: &str,
        rate: Rate,
    ) -> Result<Decision, String> {
        let mut conn = self
            .connection
            .get_or_try_init(|| {
                let config = ConnectionManagerConfig::new()
                    .set_connection_timeout(REDIS_TIMEOUT)
                    .set_response_timeout(REDIS_TIMEOUT)
                    .set_number_of_retries(1);
                ConnectionManager::new_with_config(client.clone(), config)
            })
            .await
            .map_err(|e| e.to_string())?
            .clone();
        let member: u64 = rand::random();
        let (allowed, count, wait_us): (i64, i64, i64) = self
            .script
            .key(key)
            .arg(rate.limit)
            .arg(rate.window.as_micros() as u64)
            .arg(member)
            .invoke_async(&mut conn)
            .await
            .map_err(|e| e.to_string())?;
        Ok(Decision {
            allowed: allowed == 1,
            limit: rate.limit,
            remaining: rate.limit.saturating_sub(count.max(0) as u32),
            retry_after: Duration::from_micros(wait_us.max(0) as u64),
        })
    }
}

const SHARDS: usize = 16;
/// A shard is swept of idle windows when it holds more keys than this.
const SWEEP_ABOVE: usize = 10_000;

/// The in-process fallback: the same sliding window, per replica, bounded in memory.
#[derive(Default)]
struct MemoryWindows {
    shards: [Mutex<HashMap<String, Window>>; SHARDS],
    hasher: std::collections::hash_map::RandomState,
}

struct Window {
    span: Duration,
    hits: VecDeque<Instant>,
}

impl MemoryWindows {
    fn check(&self, key: &str, rate: Rate, now: Instant) -> Decision {
        let shard = &self.shards[self.hasher.hash_one(key) as usize % SHARDS];
        let Ok(mut map) = shard.lock() else {
            // A poisoned lock means a panic elsewhere; let traffic through rather than fail it.
            return Decision {
                allowed: true,
                limit: rate.limit,
                remaining: rate.limit,
                retry_after: Duration::ZERO,
            };
        };
        if map.len() > SWEEP_ABOVE {
            map.retain(|_, w| {
                w.hits
                    .back()
                    .is_some_and(|t| now.duration_since(*t) < w.span)
            });
        }
        let window = map.entry(key.to_owned()).or_insert_with(|| Window {
            span: rate.window,
            hits: VecDeque::new(),
        });
        window.span = rate.window;
        while window
            .hits
            .front()
            .is_some_and(|t| now.duration_since(*t) >= rate.window)
        {
            window.hits.pop_front();
        }
        let count = window.hits.len() as u32;
        if count < rate.limit {
            window.hits.push_back(now);
            Decision {
                allowed: true,
                limit: rate.limit,
                remaining: rate.limit - count - 1,
                retry_after: Duration::ZERO,
            }
        } else {
            let oldest = window.hits.front().copied().unwrap_or(now);
            Decision {
                allowed: false,
                limit: rate.limit,
                remaining: 0,
                retry_after: rate.window.saturating_sub(now.duration_since(oldest)),
            }
        }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn rates_are_read_as_drf_writes_them() {
        let hour = Rate {
            limit: 100,
            window: Duration::from_secs(3600),
        };
        assert_eq!("100/hour".parse::<Rate>(), Ok(hour));
        assert_eq!("100/h".parse::<Rate>(), Ok(hour));
        assert_eq!(
            "5/min".parse::<Rate>().unwrap().window,
            Duration::from_secs(60)
        );
        assert_eq!(
            "1/day".parse::<Rate>().unwrap().window,
            Duration::from_secs(86_400)
        );
        assert_eq!("10/second".parse::<Rate>().unwrap().limit, 10);
        for bad in ["100", "x/hour", "100/week", "0/hour", "-1/hour", "100/"] {
            assert!(bad.parse::<Rate>().is_err(), "{bad}");
        }
    }

    #[test]
    fn memory_window_slides() {
        let windows = MemoryWindows::default();
        let rate = Rate {
            limit: 3,
            window: Duration::from_secs(10),
        };
        let t0 = Instant::now();
        for i in 0..3 {
            let d = windows.check("k", rate, t0 + Duration::from_secs(i));
            assert!(d.allowed);
            assert_eq!(d.remaining, 2 - i as u32);
        }
        let refused = windows.check("k", rate, t0 + Duration::from_secs(4));
        assert!(!refused.allowed);
        assert_eq!(refused.retry_after_secs(), 6);
        // Another client is not affected.
        assert!(
            windows
                .check("other", rate, t0 + Duration::from_secs(4))
                .allowed
        );
        // Once the first request is 10 s old, one more fits.
        assert!(
            windows
                .check("k", rate, t0 + Duration::from_secs(10))
                .allowed
        );
        assert!(
            !windows
                .check("k", rate, t0 + Duration::from_secs(10))
                .allowed
        );
    }
}
