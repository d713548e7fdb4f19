//! The in-process fallback of the throttle (ARCHITECTURE §6): the same sliding window as Redis keeps,
//! per replica, used while Redis is unreachable.

use super::{Decision, Rate};
use std::collections::{HashMap, VecDeque};
use std::hash::BuildHasher;
use std::sync::Mutex;
use std::time::{Duration, Instant};

const SHARDS: usize = 16;
/// A shard is swept of idle windows when it holds more keys than this.
const SWEEP_ABOVE: usize = 10_000;

/// The in-process fallback: the same sliding window, per replica, bounded in memory.
#[derive(Default)]
pub(super) struct MemoryWindows {
    shards: [Mutex<HashMap<String, Window>>; SHARDS],
    hasher: std::collections::hash_map::RandomState,
}

struct Window {
    span: Duration,
    hits: VecDeque<Instant>,
}

impl MemoryWindows {
    pub(super) fn check(&self, key: &str, rate: Rate, now: Instant) -> Decision {
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
