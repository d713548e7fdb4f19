//! The gateway's own series, registered next to the request metrics every service has: what each
//! upstream answered and how fast, what was throttled, and whether throttling runs on Redis.

use hm_platform::metrics::{Metrics, MetricsError, LATENCY_BUCKETS};
use prometheus::{HistogramOpts, HistogramVec, IntCounter, IntCounterVec, IntGauge, Opts};

#[derive(Clone)]
pub struct GatewayMetrics {
    upstream_responses: IntCounterVec,
    upstream_latency: HistogramVec,
    throttled: IntCounterVec,
    throttle_fallback: IntCounter,
    throttle_redis: IntGauge,
    /// Throttle decisions made from the replica-local budget / by a Redis round trip.
    decided_in_process: IntCounter,
    decided_by_redis: IntCounter,
}

impl GatewayMetrics {
    pub fn register(metrics: &Metrics) -> Result<Self, MetricsError> {
        let upstream_responses = IntCounterVec::new(
            Opts::new(
                "gateway_upstream_responses_total",
                "Proxied requests by upstream and outcome (HTTP status, or unavailable/timeout/error)",
            ),
            &["upstream", "outcome"],
        )?;
        let upstream_latency = HistogramVec::new(
            HistogramOpts::new(
                "gateway_upstream_duration_seconds",
                "Time until the upstream's response head arrived",
            )
            .buckets(LATENCY_BUCKETS.to_vec()),
            &["upstream"],
        )?;
        let throttled = IntCounterVec::new(
            Opts::new(
                "gateway_throttled_total",
                "Requests refused with 429, by scope",
            ),
            &["scope"],
        )?;
        let throttle_fallback = IntCounter::new(
            "gateway_throttle_fallback_total",
            "Throttle checks answered in process because Redis was unreachable",
        )?;
        let throttle_redis = IntGauge::new(
            "gateway_throttle_redis_up",
            "1 while throttling runs on Redis (shared by replicas), 0 while it runs in process",
        )?;
        let decisions = IntCounterVec::new(
            Opts::new(
                "gateway_throttle_decisions_total",
                "Throttle checks on the shared limit, by where they were decided (process: the \
                 replica-local budget; redis: a round trip)",
            ),
            &["by"],
        )?;
        let registry = metrics.registry();
        registry.register(Box::new(decisions.clone()))?;
        registry.register(Box::new(upstream_responses.clone()))?;
        registry.register(Box::new(upstream_latency.clone()))?;
        registry.register(Box::new(throttled.clone()))?;
        registry.register(Box::new(throttle_fallback.clone()))?;
        registry.register(Box::new(throttle_redis.clone()))?;
        Ok(GatewayMetrics {
            upstream_responses,
            upstream_latency,
            throttled,
            throttle_fallback,
            throttle_redis,
            decided_in_process: decisions.with_label_values(&["process"]),
            decided_by_redis: decisions.with_label_values(&["redis"]),
        })
    }

    pub fn upstream_response(&self, upstream: &str, outcome: &str, seconds: f64) {
        self.upstream_responses
            .with_label_values(&[upstream, outcome])
            .inc();
        self.upstream_latency
            .with_label_values(&[upstream])
            .observe(seconds);
    }

    pub fn throttled(&self, scope: &str) {
        self.throttled.with_label_values(&[scope]).inc();
    }

    /// One decision on the shared limit: from the local budget (`in_process`) or by Redis.
    pub fn throttle_decided(&self, in_process: bool) {
        match in_process {
            true => self.decided_in_process.inc(),
            false => self.decided_by_redis.inc(),
        }
    }

    pub fn throttle_fallback(&self) {
        self.throttle_fallback.inc();
    }

    pub fn set_throttle_backend(&self, redis: bool) {
        self.throttle_redis.set(i64::from(redis));
    }
}
