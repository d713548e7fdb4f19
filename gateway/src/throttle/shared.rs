//! The limit shared by every gateway replica, kept in Redis, answered from a replica-local budget
//! (issue #20; the models are Envoy's local + global limits and Tyk's distributed limiter).
//!
//! Redis holds each client's sliding window (a sorted set of request timestamps, Redis's own clock).
//! Every replica keeps a *view* of the windows it has asked about: the count Redis last reported, the
//! admissions it has sent and not yet heard back about (`in_flight`) and those it has not sent yet
//! (`pending`). A request is decided
//!
//! - **in process**, when the view is far from the limit (a client the replica has not seen yet counts
//!   as far): it is admitted, counted as pending,
//!   and a background task sends every pending admission of every key to Redis in one script call a
//!   millisecond later (so a busy replica makes about a thousand small Redis calls a second, whatever
//!   its request rate, and no request waits for one);
//! - **by Redis**, with one blocking round trip that also carries the key's pending admissions, when the
//!   view is in the last quarter of the limit, when the
//!   replica already holds its share of admissions Redis has not counted, or when the limit is small
//!   (below 16): exactly as before this budget existed;
//! - **refused in process** while an earlier refusal from Redis still holds: a sliding window cannot
//!   free a slot before its oldest entry leaves it, whatever other replicas do.
//!
//! ## Error bound
//! A replica never holds more than `share = min(limit / 16, 32)` admissions of one key that Redis has
//! not counted; only those can be admitted without Redis knowing the key is full. So a client gets at
//! most `limit + replicas × share` requests through in a window (100/hour on two replicas: at most 112),
//! and that only when its requests reach a replica that has not seen it yet, or whose view of it is
//! older than what other replicas admitted since (a burst over several replicas at once, or a replica
//! started while the client was already near its limit). With one replica, and for a client taking
//! turns between replicas one request at a time, it is exact; limits below 16 are always exact. The window
//! may also end up to a few milliseconds early for in-process admissions (their timestamps are taken
//! when they reach Redis). Admissions made while Redis is unreachable are not sent afterwards (the
//! in-process fallback counts them, see `memory.rs`). The batch script names several keys, so the
//! shared store is one Redis (or a Sentinel-managed primary), not a Redis Cluster.

use super::{Decision, Rate};
use redis::aio::{ConnectionManager, ConnectionManagerConfig};
use std::collections::HashMap;
use std::hash::BuildHasher;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// How long a Redis call may take before the in-process window answers instead, and how long Redis is
/// then left alone before it is tried again (so an outage costs one slow request, not every request).
pub(super) const REDIS_TIMEOUT: Duration = Duration::from_millis(250);
const REDIS_RETRY_AFTER: Duration = Duration::from_secs(2);
/// How long the sender waits after a first pending admission, so that one call carries many.
const GATHER: Duration = Duration::from_millis(1);
/// Keys per script call (the calls of one batch are pipelined on the one connection).
const KEYS_PER_CALL: usize = 256;
const SHARDS: usize = 16;
/// Above this many views a shard forgets every view with nothing outstanding (they are asked again).
const VIEWS_PER_SHARD: usize = 16_384;
/// Limits below this are always decided by Redis.
const LOCAL_FROM: u32 = 16;
const MAX_SHARE: u32 = 32;

/// How many admissions of one key a replica may hold that Redis has not counted (0: none, every
/// request asks Redis).
pub(super) fn share(rate: Rate) -> u32 {
    if rate.limit < LOCAL_FROM {
        0
    } else {
        (rate.limit / 16).min(MAX_SHARE)
    }
}

// KEYS[1] = window key; ARGV = limit, window in microseconds, a unique member for this request, how many
// admissions this replica made in process that Redis has not counted yet (they are added first: they
// happened). Returns {allowed (1/0), count after, microseconds until the oldest entry expires}.
const CHECK: &str = r"
local key = KEYS[1]
local limit = tonumber(ARGV[1])
local window = tonumber(ARGV[2])
local pending = tonumber(ARGV[4])
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000000 + tonumber(t[2])
redis.call('ZREMRANGEBYSCORE', key, '-inf', now - window)
for i = 1, pending do
  redis.call('ZADD', key, now, ARGV[3] .. ':' .. i)
end
local count = redis.call('ZCARD', key)
if count < limit then
  redis.call('ZADD', key, now, ARGV[3])
  redis.call('PEXPIRE', key, math.ceil(window / 1000))
  return {1, count + 1, 0}
end
if pending > 0 then
  redis.call('PEXPIRE', key, math.ceil(window / 1000))
end
local oldest = redis.call('ZRANGE', key, 0, 0, 'WITHSCORES')
return {0, count, tonumber(oldest[2]) + window - now}
";

// KEYS = window keys; ARGV[1] = a unique member prefix, then per key: admissions to add, window in
// microseconds. Returns each key's count after.
const SYNC: &str = r"
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000000 + tonumber(t[2])
local counts = {}
for i, key in ipairs(KEYS) do
  local n = tonumber(ARGV[2 * i])
  local window = tonumber(ARGV[2 * i + 1])
  redis.call('ZREMRANGEBYSCORE', key, '-inf', now - window)
  for j = 1, n do
    redis.call('ZADD', key, now, ARGV[1] .. ':' .. i .. ':' .. j)
  end
  redis.call('PEXPIRE', key, math.ceil(window / 1000))
  counts[i] = redis.call('ZCARD', key)
end
return counts
";

/// What this replica knows of one client's shared window.
struct View {
    window: Duration,
    /// The count Redis last reported (this replica's admissions it had received included).
    counted: u32,
    /// Admissions sent to Redis, not yet answered.
    in_flight: u32,
    /// Admissions made here, not yet sent.
    pending: u32,
    /// A refusal from Redis that holds until then.
    refused_until: Option<Instant>,
    /// Redis calls about this key made / whose answer was applied (answers may arrive out of order).
    asked: u64,
    applied: u64,
}

impl View {
    fn known(&self) -> u32 {
        self.counted + self.in_flight + self.pending
    }
}

#[derive(Default)]
struct Shard {
    views: HashMap<Box<str>, View>,
    /// Keys whose `pending` went from 0 to 1 since the last batch.
    dirty: Vec<Box<str>>,
}

/// One key's admissions on their way to Redis.
struct Sent {
    key: Box<str>,
    count: u32,
    window: Duration,
    seq: u64,
}

/// The outcome of the in-process step.
enum Local {
    Decided(Decision),
    /// Ask Redis, carrying `pending` admissions; the answer is applied as call `seq`.
    AskRedis {
        pending: u32,
        seq: u64,
    },
}

pub(super) struct SharedLimit {
    client: redis::Client,
    connection: tokio::sync::OnceCell<ConnectionManager>,
    check: redis::Script,
    sync: redis::Script,
    shards: [Mutex<Shard>; SHARDS],
    hasher: std::collections::hash_map::RandomState,
    wake: tokio::sync::Notify,
    /// Milliseconds since `started` before which Redis is not tried (0 = use Redis).
    paused_until: AtomicU64,
    started: Instant,
}

impl SharedLimit {
    /// Starts the task that sends in-process admissions to Redis (needs a Tokio runtime).
    pub(super) fn start(client: redis::Client) -> Arc<Self> {
        let limit = Arc::new(SharedLimit {
            client,
            connection: tokio::sync::OnceCell::new(),
            check: redis::Script::new(CHECK),
            sync: redis::Script::new(SYNC),
            shards: Default::default(),
            hasher: Default::default(),
            wake: tokio::sync::Notify::new(),
            paused_until: AtomicU64::new(0),
            started: Instant::now(),
        });
        tokio::spawn(limit.clone().send_forever());
        limit
    }

    fn now_ms(&self) -> u64 {
        self.started.elapsed().as_millis() as u64
    }

    /// False for a while after Redis failed: the caller limits in process meanwhile.
    pub(super) fn available(&self) -> bool {
        self.now_ms() >= self.paused_until.load(Ordering::Relaxed)
    }

    fn pause(&self) {
        let until = self.now_ms() + REDIS_RETRY_AFTER.as_millis() as u64;
        self.paused_until.store(until, Ordering::Relaxed);
    }

    fn shard(&self, key: &str) -> &Mutex<Shard> {
        &self.shards[self.hasher.hash_one(key) as usize % SHARDS]
    }

    /// Counts a request against `key` and says whether it may pass, and whether that was decided in
    /// process (`true`) or by Redis; an error means Redis failed (the throttle is paused and the caller
    /// answers in process).
    pub(super) async fn check(&self, key: &str, rate: Rate) -> Result<(Decision, bool), String> {
        let (pending, seq) = match self.decide(key, rate, Instant::now()) {
            Local::Decided(decision) => return Ok((decision, true)),
            Local::AskRedis { pending, seq } => (pending, seq),
        };
        let asked = tokio::time::timeout(REDIS_TIMEOUT, self.ask(key, rate, pending)).await;
        match asked {
            Ok(Ok((decision, count))) => {
                let refused = (!decision.allowed).then_some(decision.retry_after);
                self.answered(key, pending, seq, count, refused);
                Ok((decision, false))
            }
            Ok(Err(e)) => {
                self.lost(key);
                self.pause();
                Err(e)
            }
            Err(_) => {
                self.lost(key);
                self.pause();
                Err("timed out".to_owned())
            }
        }
    }

    /// The in-process step (see the module's documentation).
    fn decide(&self, key: &str, rate: Rate, now: Instant) -> Local {
        let Ok(mut shard) = self.shard(key).lock() else {
            return Local::AskRedis { pending: 0, seq: 0 };
        };
        let shard = &mut *shard;
        let share = share(rate);
        if let Some(view) = shard.views.get_mut(key) {
            if let Some(until) = view.refused_until.filter(|t| *t > now) {
                return Local::Decided(Decision {
                    allowed: false,
                    limit: rate.limit,
                    remaining: 0,
                    retry_after: until - now,
                });
            }
            let near = rate.limit - rate.limit / 4;
            if view.window == rate.window
                && view.in_flight + view.pending < share
                && view.known() < near
            {
                if view.pending == 0 {
                    shard.dirty.push(key.into());
                }
                view.pending += 1;
                let remaining = rate.limit - view.known();
                self.wake.notify_one();
                return Local::Decided(Decision {
                    allowed: true,
                    limit: rate.limit,
                    remaining,
                    retry_after: Duration::ZERO,
                });
            }
            let pending = std::mem::take(&mut view.pending);
            view.in_flight += pending;
            view.asked += 1;
            return Local::AskRedis {
                pending,
                seq: view.asked,
            };
        }
        if shard.views.len() >= VIEWS_PER_SHARD {
            shard.views.retain(|_, v| {
                v.in_flight + v.pending > 0 || v.refused_until.is_some_and(|t| t > now)
            });
        }
        // A client this replica has not seen: admitted in process too when the limit has a share (the
        // sender's answer tells its true count a millisecond later), else asked about.
        let admit = share > 0;
        shard.views.insert(
            key.into(),
            View {
                window: rate.window,
                counted: 0,
                in_flight: 0,
                pending: u32::from(admit),
                refused_until: None,
                asked: u64::from(!admit),
                applied: 0,
            },
        );
        if !admit {
            return Local::AskRedis { pending: 0, seq: 1 };
        }
        shard.dirty.push(key.into());
        self.wake.notify_one();
        Local::Decided(Decision {
            allowed: true,
            limit: rate.limit,
            remaining: rate.limit - 1,
            retry_after: Duration::ZERO,
        })
    }

    /// Applies Redis's answer to call `seq` about `key`, which carried `sent` admissions.
    fn answered(&self, key: &str, sent: u32, seq: u64, count: u32, refused_for: Option<Duration>) {
        let Ok(mut shard) = self.shard(key).lock() else {
            return;
        };
        let Some(view) = shard.views.get_mut(key) else {
            return;
        };
        view.in_flight = view.in_flight.saturating_sub(sent);
        if seq > view.applied {
            view.applied = seq;
            view.counted = count;
            view.refused_until = refused_for.map(|wait| Instant::now() + wait);
        }
    }

    /// Redis did not answer about `key`: its view is forgotten, so the next request asks again.
    fn lost(&self, key: &str) {
        if let Ok(mut shard) = self.shard(key).lock() {
            shard.views.remove(key);
        }
    }

    async fn connection(&self) -> Result<ConnectionManager, String> {
        self.connection
            .get_or_try_init(|| {
                let config = ConnectionManagerConfig::new()
                    .set_connection_timeout(REDIS_TIMEOUT)
                    .set_response_timeout(REDIS_TIMEOUT)
                    .set_number_of_retries(1);
                ConnectionManager::new_with_config(self.client.clone(), config)
            })
            .await
            .cloned()
            .map_err(|e| e.to_string())
    }

    /// One exact check by Redis, carrying the key's `pending` in-process admissions.
    async fn ask(&self, key: &str, rate: Rate, pending: u32) -> Result<(Decision, u32), String> {
        let mut conn = self.connection().await?;
        let member: u64 = rand::random();
        let (allowed, count, wait_us): (i64, i64, i64) = self
            .check
            .key(key)
            .arg(rate.limit)
            .arg(rate.window.as_micros() as u64)
            .arg(member)
            .arg(pending)
            .invoke_async(&mut conn)
            .await
            .map_err(|e| e.to_string())?;
        let count = u32::try_from(count.max(0)).unwrap_or(u32::MAX);
        let decision = Decision {
            allowed: allowed == 1,
            limit: rate.limit,
            remaining: rate.limit.saturating_sub(count),
            retry_after: Duration::from_micros(wait_us.max(0) as u64),
        };
        Ok((decision, count))
    }

    /// Every pending admission, moved to in flight.
    fn take_pending(&self) -> Vec<Sent> {
        let mut batch = Vec::new();
        for shard in &self.shards {
            let Ok(mut shard) = shard.lock() else {
                continue;
            };
            let shard = &mut *shard;
            for key in std::mem::take(&mut shard.dirty) {
                let Some(view) = shard.views.get_mut(&key) else {
                    continue;
                };
                if view.pending == 0 {
                    continue;
                }
                let count = std::mem::take(&mut view.pending);
                view.in_flight += count;
                view.asked += 1;
                batch.push(Sent {
                    key,
                    count,
                    window: view.window,
                    seq: view.asked,
                });
            }
        }
        batch
    }

    /// Sends in-process admissions to Redis, a millisecond's worth at a time, for as long as the
    /// gateway runs.
    async fn send_forever(self: Arc<Self>) {
        loop {
            self.wake.notified().await;
            tokio::time::sleep(GATHER).await;
            let batch = self.take_pending();
            if batch.is_empty() {
                continue;
            }
            let calls = batch.chunks(KEYS_PER_CALL).map(|chunk| self.send(chunk));
            let answers =
                tokio::time::timeout(REDIS_TIMEOUT, futures_util::future::join_all(calls)).await;
            let answers = match answers {
                Ok(answers) => answers,
                Err(_) => vec![Err("timed out".to_owned())],
            };
            if let Some(Err(e)) = answers.iter().find(|a| a.is_err()) {
                tracing::warn!(error = %e, "throttle: Redis failed; limiting in process");
                self.pause();
                for sent in &batch {
                    self.lost(&sent.key);
                }
                continue;
            }
            let counts = answers.into_iter().flatten().flatten();
            for (sent, count) in batch.iter().zip(counts) {
                self.answered(&sent.key, sent.count, sent.seq, count, None);
            }
        }
    }

    /// One script call adding `chunk`'s admissions; each key's count after.
    async fn send(&self, chunk: &[Sent]) -> Result<Vec<u32>, String> {
        let mut conn = self.connection().await?;
        let mut invocation = self.sync.prepare_invoke();
        invocation.arg(rand::random::<u64>());
        for sent in chunk {
            invocation
                .key(&*sent.key)
                .arg(sent.count)
                .arg(sent.window.as_micros() as u64);
        }
        invocation
            .invoke_async(&mut conn)
            .await
            .map_err(|e| e.to_string())
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn rate(limit: u32) -> Rate {
        Rate {
            limit,
            window: Duration::from_secs(3600),
        }
    }

    fn limit() -> SharedLimit {
        SharedLimit {
            client: redis::Client::open("redis://127.0.0.1:1/").unwrap(),
            connection: tokio::sync::OnceCell::new(),
            check: redis::Script::new(CHECK),
            sync: redis::Script::new(SYNC),
            shards: Default::default(),
            hasher: Default::default(),
            wake: tokio::sync::Notify::new(),
            paused_until: AtomicU64::new(0),
            started: Instant::now(),
        }
    }

    fn allowed(local: Local) -> Option<u32> {
        match local {
            Local::Decided(d) if d.allowed => Some(d.remaining),
            _ => None,
        }
    }

    #[test]
    fn small_limits_always_ask_redis() {
        assert_eq!(share(rate(10)), 0);
        assert_eq!(share(rate(100)), 6);
        assert_eq!(share(rate(1000)), 32);
        let shared = limit();
        let now = Instant::now();
        assert!(matches!(
            shared.decide("k", rate(10), now),
            Local::AskRedis { .. }
        ));
        shared.answered("k", 0, 1, 1, None);
        assert!(matches!(
            shared.decide("k", rate(10), now),
            Local::AskRedis { .. }
        ));
    }

    #[test]
    fn a_known_key_far_from_its_limit_is_decided_in_process_up_to_its_share() {
        let shared = limit();
        let now = Instant::now();
        let r = rate(100);
        // Unknown: admitted, and sent.
        assert_eq!(allowed(shared.decide("k", r, now)), Some(99));
        let sent = shared.take_pending();
        assert_eq!((sent.len(), sent[0].count), (1, 1));
        shared.answered("k", 1, sent[0].seq, 1, None);
        // Six (the share) in process, with exact remaining counts, then Redis again.
        for i in 0..6 {
            assert_eq!(allowed(shared.decide("k", r, now)), Some(98 - i));
        }
        let Local::AskRedis { pending: 6, seq } = shared.decide("k", r, now) else {
            panic!("the share is used up");
        };
        // Redis counted the six and this one.
        shared.answered("k", 6, seq, 8, None);
        assert_eq!(allowed(shared.decide("k", r, now)), Some(91));
        // The sender takes the pending admission; its answer (another replica's 10 included) applies.
        let batch = shared.take_pending();
        assert_eq!(batch.len(), 1);
        assert_eq!(batch[0].count, 1);
        shared.answered("k", 1, batch[0].seq, 19, None);
        assert_eq!(allowed(shared.decide("k", r, now)), Some(80));
    }

    #[test]
    fn the_last_quarter_asks_redis_and_a_refusal_holds_until_the_window_frees_a_slot() {
        let shared = limit();
        let now = Instant::now();
        let r = rate(100);
        assert!(allowed(shared.decide("k", r, now)).is_some());
        let sent = shared.take_pending();
        shared.answered("k", 1, sent[0].seq, 74, None);
        assert_eq!(allowed(shared.decide("k", r, now)), Some(25));
        let Local::AskRedis { pending: 1, seq } = shared.decide("k", r, now) else {
            panic!("76 of 100 is in the last quarter");
        };
        shared.answered("k", 1, seq, 100, Some(Duration::from_secs(30)));
        match shared.decide("k", r, Instant::now()) {
            Local::Decided(d) => {
                assert!(!d.allowed);
                assert!(
                    d.retry_after > Duration::from_secs(29),
                    "{:?}",
                    d.retry_after
                );
            }
            Local::AskRedis { .. } => panic!("a refusal holds"),
        }
        // Once it no longer holds, Redis is asked again.
        let later = Instant::now() + Duration::from_secs(31);
        assert!(matches!(
            shared.decide("k", r, later),
            Local::AskRedis { .. }
        ));
    }

    #[test]
    fn an_older_answer_arriving_late_does_not_overwrite_a_newer_one() {
        let shared = limit();
        let now = Instant::now();
        let r = rate(100);
        assert!(allowed(shared.decide("k", r, now)).is_some());
        let first = shared.take_pending();
        shared.answered("k", 1, first[0].seq, 10, None);
        assert!(allowed(shared.decide("k", r, now)).is_some());
        let sent = shared.take_pending();
        for _ in 0..5 {
            assert!(allowed(shared.decide("k", r, now)).is_some());
        }
        let Local::AskRedis { pending, seq } = shared.decide("k", r, now) else {
            panic!()
        };
        shared.answered("k", pending, seq, 40, None);
        // The batch's answer was computed before (count 11) but arrives after.
        shared.answered("k", sent[0].count, sent[0].seq, 11, None);
        assert_eq!(allowed(shared.decide("k", r, now)), Some(59));
    }
}
