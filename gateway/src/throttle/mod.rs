//! Global throttling (ARCHITECTURE §6, API §1.7): a sliding window of request timestamps per client,
//! kept in Redis with Redis's own clock so every gateway replica shares the limit and replicas with
//! skewed clocks agree, answered from a replica-local budget synchronised with Redis so that most
//! requests wait for no Redis round trip (`shared.rs` documents how, and the error bound). When Redis is
//! unreachable the same window is kept in process (per replica, `memory.rs`) until Redis answers again;
//! the metrics say which one is in use.
//!
//! One multiplexed connection per gateway (redis's `ConnectionManager`, reconnecting by itself) rather
//! than a pool: calls pipeline over it, with no per-call checkout or health `PING`.

mod memory;
mod shared;

use crate::metrics::GatewayMetrics;
use memory::MemoryWindows;
use shared::SharedLimit;
use std::sync::Arc;
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

pub struct Throttle {
    shared: Option<Arc<SharedLimit>>,
    memory: MemoryWindows,
    metrics: GatewayMetrics,
}

impl Throttle {
    /// `redis`: the shared store; `None` limits in process only. Connecting happens on first use, so
    /// the gateway starts (and serves) while Redis is down. With Redis, starts the task that sends
    /// in-process admissions to it, so this is called within a Tokio runtime.
    pub fn new(redis: Option<redis::Client>, metrics: GatewayMetrics) -> Self {
        metrics.set_throttle_backend(redis.is_some());
        Throttle {
            shared: redis.map(SharedLimit::start),
            memory: MemoryWindows::default(),
            metrics,
        }
    }

    /// Counts a request against `key` (already namespaced by the caller) and says whether it may pass.
    pub async fn check(&self, key: &str, rate: Rate) -> Decision {
        if let Some(shared) = &self.shared {
            if shared.available() {
                match shared.check(key, rate).await {
                    Ok((decision, in_process)) => {
                        self.metrics.throttle_decided(in_process);
                        self.metrics.set_throttle_backend(true);
                        return decision;
                    }
                    Err(e) => {
                        tracing::warn!(error = %e, "throttle: Redis failed; limiting in process")
                    }
                }
                self.metrics.set_throttle_backend(false);
            }
            self.metrics.throttle_fallback();
        }
        self.memory.check(key, rate, Instant::now())
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
}
