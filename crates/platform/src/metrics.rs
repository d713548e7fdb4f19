//! Prometheus metrics (ARCHITECTURE §9): request count and latency by route template and status, the
//! database pool, the outbox and the consumers. One registry per running service, served at `/metrics`.

use actix_web::body::MessageBody;
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::middleware::Next;
use actix_web::{web, Error, HttpMessage, HttpResponse};
use prometheus::{
    Encoder, Histogram, HistogramOpts, HistogramVec, IntCounterVec, IntGauge, IntGaugeVec, Opts,
    Registry, TextEncoder,
};
use std::sync::Arc;

/// The buckets of every request latency histogram (services' and the gateway's upstream one), in
/// seconds: 0.5 ms to 10 s.
pub const LATENCY_BUCKETS: [f64; 14] = [
    0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0,
];

#[derive(Clone)]
pub struct Metrics {
    inner: Arc<Inner>,
}

struct Inner {
    registry: Registry,
    requests: IntCounterVec,
    latency: HistogramVec,
    pub db_pool: IntGaugeVec,
    pub outbox_lag: Histogram,
    pub outbox_pending: IntGauge,
    pub events_published: IntCounterVec,
    pub events_consumed: IntCounterVec,
    pub consumer_errors: IntCounterVec,
}

#[derive(Debug, thiserror::Error)]
#[error("metrics: {0}")]
pub struct MetricsError(#[from] prometheus::Error);

impl Metrics {
    pub fn new(service: &str) -> Result<Self, MetricsError> {
        let registry = Registry::new_custom(
            Some("hm".into()),
            Some([("service".to_owned(), service.to_owned())].into()),
        )?;
        let requests = IntCounterVec::new(
            Opts::new(
                "http_requests_total",
                "HTTP requests by method, route template and status",
            ),
            &["method", "route", "status"],
        )?;
        let latency = HistogramVec::new(
            HistogramOpts::new(
                "http_request_duration_seconds",
                "HTTP request latency by route template",
            )
            .buckets(LATENCY_BUCKETS.to_vec()),
            &["method", "route"],
        )?;
        let db_pool = IntGaugeVec::new(
            Opts::new("db_pool_connections", "Database pool connections"),
            &["state"],
        )?;
        let outbox_lag = Histogram::with_opts(
            HistogramOpts::new(
                "outbox_lag_seconds",
                "Time from outbox commit to broker confirm",
            )
            .buckets(vec![
                0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 5.0, 30.0, 120.0,
            ]),
        )?;
        let outbox_pending = IntGauge::new("outbox_pending", "Outbox rows not yet published")?;
        let events_published = IntCounterVec::new(
            Opts::new("events_published_total", "Events confirmed by the broker"),
            &["type"],
        )?;
        let events_consumed = IntCounterVec::new(
            Opts::new("events_consumed_total", "Events handled, by outcome"),
            &["type", "outcome"],
        )?;
        let consumer_errors = IntCounterVec::new(
            Opts::new("consumer_errors_total", "Event handler failures"),
            &["type"],
        )?;
        registry.register(Box::new(requests.clone()))?;
        registry.register(Box::new(latency.clone()))?;
        registry.register(Box::new(db_pool.clone()))?;
        registry.register(Box::new(outbox_lag.clone()))?;
        registry.register(Box::new(outbox_pending.clone()))?;
        registry.register(Box::new(events_published.clone()))?;
        registry.register(Box::new(events_consumed.clone()))?;
        registry.register(Box::new(consumer_errors.clone()))?;
        Ok(Metrics {
            inner: Arc::new(Inner {
                registry,
                requests,
                latency,
                db_pool,
                outbox_lag,
                outbox_pending,
                events_published,
                events_consumed,
                consumer_errors,
            }),
        })
    }

    pub fn registry(&self) -> &Registry {
        &self.inner.registry
    }

    pub fn observe_outbox_lag(&self, seconds: f64) {
        self.inner.outbox_lag.observe(seconds);
    }

    pub fn set_outbox_pending(&self, n: i64) {
        self.inner.outbox_pending.set(n);
    }

    pub fn event_published(&self, event_type: &str) {
        self.inner
            .events_published
            .with_label_values(&[event_type])
            .inc();
    }

    pub fn event_consumed(&self, event_type: &str, outcome: &str) {
        self.inner
            .events_consumed
            .with_label_values(&[event_type, outcome])
            .inc();
    }

    pub fn consumer_error(&self, event_type: &str) {
        self.inner
            .consumer_errors
            .with_label_values(&[event_type])
            .inc();
    }

    pub fn set_db_pool(&self, size: usize, available: usize) {
        self.inner
            .db_pool
            .with_label_values(&["size"])
            .set(size as i64);
        self.inner
            .db_pool
            .with_label_values(&["available"])
            .set(available as i64);
    }

    fn render(&self) -> String {
        let mut buffer = Vec::new();
        if let Err(e) = TextEncoder::new().encode(&self.inner.registry.gather(), &mut buffer) {
            tracing::warn!(error = %e, "metrics encoding failed");
        }
        String::from_utf8(buffer).unwrap_or_default()
    }
}

/// The method as a label: the standard ones by name, any other (clients may send any token) as
/// `OTHER`, so a client cannot grow the label space.
fn method_label(method: &actix_web::http::Method) -> &'static str {
    use actix_web::http::Method;
    match *method {
        Method::GET => "GET",
        Method::POST => "POST",
        Method::PUT => "PUT",
        Method::PATCH => "PATCH",
        Method::DELETE => "DELETE",
        Method::HEAD => "HEAD",
        Method::OPTIONS => "OPTIONS",
        _ => "OTHER",
    }
}

/// The `route` label of a request that the app routed by a table of its own rather than by an actix
/// resource (the gateway's route table: ARCHITECTURE §6, whether the request was then proxied or
/// refused), set as a request extension before the response. Its text is the table's pattern, e.g. `/api/v1/bookings/`: bounded like a resource
/// template, never the raw path.
#[derive(Debug, Clone)]
pub struct RouteLabel(pub Arc<str>);

/// Counts and times every request by its route template (never the raw path, which would explode the
/// label space with ids): the [`RouteLabel`] the app set, else the actix resource's pattern, else
/// `unmatched`.
pub async fn track(
    req: ServiceRequest,
    next: Next<impl MessageBody>,
) -> Result<ServiceResponse<impl MessageBody>, Error> {
    let metrics = req.app_data::<web::Data<Metrics>>().cloned();
    let method = method_label(req.method());
    let started = std::time::Instant::now();
    let res = next.call(req).await?;
    if let Some(metrics) = metrics {
        let labelled = res.request().extensions().get::<RouteLabel>().cloned();
        let pattern;
        let route = match &labelled {
            Some(RouteLabel(label)) => label,
            None => {
                pattern = res.request().match_pattern();
                pattern.as_deref().unwrap_or("unmatched")
            }
        };
        let status = res.status();
        metrics
            .inner
            .requests
            .with_label_values(&[method, route, status.as_str()])
            .inc();
        metrics
            .inner
            .latency
            .with_label_values(&[method, route])
            .observe(started.elapsed().as_secs_f64());
    }
    Ok(res)
}

/// `GET /metrics` in the Prometheus text format.
pub async fn endpoint(req: actix_web::HttpRequest, metrics: web::Data<Metrics>) -> HttpResponse {
    #[cfg(feature = "service")]
    if let Some(pool) = req.app_data::<web::Data<crate::db::DbPool>>() {
        let status = pool.status();
        metrics.set_db_pool(status.size, status.available);
    }
    #[cfg(not(feature = "service"))]
    let _ = req;
    HttpResponse::Ok()
        .content_type("text/plain; version=0.0.4")
        .body(metrics.render())
}
