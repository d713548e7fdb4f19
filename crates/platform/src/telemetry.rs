//! Logging with `tracing` (JSON in production, pretty in development), the request id that ties a
//! request's log lines, its internal calls and the events it causes together, and error tracking: with
//! `SENTRY_DSN` set, the cause of every 500 goes to Sentry with the request id (ARCHITECTURE §4,
//! spec/CONFIG.md); without it nothing is sent.

use crate::config::{self, ConfigError};
use actix_web::body::MessageBody;
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::header::{HeaderName, HeaderValue};
use actix_web::http::Method;
use actix_web::middleware::{Condition, Next};
use actix_web::{Error, HttpMessage, HttpRequest};
use std::os::fd::AsFd;
use std::sync::Arc;
use std::sync::OnceLock;
use tracing::Instrument;
use tracing_subscriber::fmt::writer::BoxMakeWriter;
use tracing_subscriber::EnvFilter;

pub const REQUEST_ID_HEADER: HeaderName = HeaderName::from_static("x-request-id");

/// Error tracking settings (spec/CONFIG.md): `SENTRY_DSN` (unset: disabled), `SENTRY_ENVIRONMENT`
/// (default `production`), `SENTRY_TRACES_SAMPLE_RATE` (0–1, default 0.1: the share of requests traced).
#[derive(Debug, Clone)]
pub struct SentryConfig {
    pub dsn: Option<sentry::types::Dsn>,
    pub environment: String,
    pub traces_sample_rate: f32,
}

impl SentryConfig {
    /// Reads the settings; an unreadable DSN or a rate outside 0–1 is a [`ConfigError`] (start-up fails).
    pub fn from_env() -> Result<Self, ConfigError> {
        let dsn = config::optional("SENTRY_DSN")
            .map(|value| {
                value
                    .trim()
                    .parse()
                    .map_err(|e: sentry::types::ParseDsnError| ConfigError::Invalid {
                        name: "SENTRY_DSN",
                        reason: e.to_string(),
                        value,
                    })
            })
            .transpose()?;
        let traces_sample_rate: f32 = config::parse("SENTRY_TRACES_SAMPLE_RATE", 0.1)?;
        if !(0.0..=1.0).contains(&traces_sample_rate) {
            return Err(ConfigError::Invalid {
                name: "SENTRY_TRACES_SAMPLE_RATE",
                value: traces_sample_rate.to_string(),
                reason: "a share between 0 and 1".into(),
            });
        }
        Ok(SentryConfig {
            dsn,
            environment: config::string("SENTRY_ENVIRONMENT", "production"),
            traces_sample_rate,
        })
    }
}

/// The Sentry client of this process, kept for its lifetime (dropping it would stop sending).
static SENTRY: OnceLock<sentry::ClientInitGuard> = OnceLock::new();

/// Starts the Sentry client when `config` has a DSN (once per process). Personal data is never sent
/// (`send_default_pii` off: no cookies, no `Authorization`, no client addresses).
pub fn init_sentry(config: &SentryConfig) {
    let Some(dsn) = config.dsn.clone() else {
        return;
    };
    SENTRY.get_or_init(|| {
        sentry::init(sentry::ClientOptions {
            dsn: Some(dsn),
            environment: Some(config.environment.clone().into()),
            release: sentry::release_name!(),
            traces_sample_rate: config.traces_sample_rate,
            send_default_pii: false,
            ..Default::default()
        })
    });
}

/// Sends what Sentry still holds (at most `timeout`); at shutdown.
pub fn flush_sentry(timeout: std::time::Duration) {
    if let Some(client) = sentry::Hub::main().client() {
        client.flush(Some(timeout));
    }
}

/// The middleware that reports a request's 500 to Sentry (outermost, so it sees the final response);
/// traces requests when the sample rate is above 0. Without a client (no `SENTRY_DSN`) it is left out:
/// sentry-actix makes a hub, a request record and a scope processor for every request even then
/// (issue #20).
pub fn sentry_middleware() -> Condition<sentry_actix::Sentry> {
    let client = sentry::Hub::main().client();
    let tracing = client
        .as_ref()
        .is_some_and(|c| c.options().traces_sample_rate > 0.0);
    Condition::new(
        client.is_some(),
        sentry_actix::Sentry::builder()
            .start_transaction(tracing)
            .finish(),
    )
}

/// Installs the global subscriber once (later calls — tests start many apps — are no-ops), and the
/// Sentry client when `SENTRY_DSN` is set (settings already checked by the service's config).
pub fn init(json: bool, debug: bool) {
    if let Ok(config) = SentryConfig::from_env() {
        init_sentry(&config);
    }
    let default = if debug { "info,hm=debug" } else { "info" };
    let filter = EnvFilter::try_from_env("RUST_LOG").unwrap_or_else(|_| EnvFilter::new(default));
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_target(false);
    if json {
        // Production: lines go out through a handle of their own on standard output, written without
        // std's `Stdout` lock. Each line is formatted whole and written with one `write(2)`, which the
        // kernel keeps whole, so worker threads logging at once never wait for each other (issue #20:
        // the lock's contention cost a futex sleep and wake-up every few requests).
        let out = std::io::stdout()
            .as_fd()
            .try_clone_to_owned()
            .ok()
            .map(|fd| Arc::new(std::fs::File::from(fd)));
        let writer = match &out {
            Some(out) => BoxMakeWriter::new(out.clone()),
            None => BoxMakeWriter::new(std::io::stdout),
        };
        // The request span once (its id), not again as a one-element span list.
        let installed = builder
            .with_writer(writer)
            .json()
            .flatten_event(true)
            .with_span_list(false)
            .try_init();
        if let (Ok(()), Some(out)) = (installed, out) {
            let _ = ACCESS_LOG.set(out);
        }
    } else {
        let _ = builder.try_init();
    }
}

/// Where JSON access lines go: the handle on standard output that the subscriber writes through (set
/// by [`init`] in JSON mode).
static ACCESS_LOG: OnceLock<Arc<std::fs::File>> = OnceLock::new();

thread_local! {
    /// The line being written, kept between requests so that writing one allocates nothing.
    static ACCESS_LINE: std::cell::RefCell<Vec<u8>> = const { std::cell::RefCell::new(Vec::new()) };
}

/// Writes the access log line of one request (`elapsed_ms`: milliseconds until the response head),
/// at level INFO, so `RUST_LOG` filters it like any line. In JSON mode the line is formatted here, in
/// the shape of the subscriber's own lines, and written with one `write(2)`: the subscriber collects
/// an event's fields into a map of JSON values first, which cost more than the rest of the access
/// log's work. Otherwise it is an ordinary `tracing` event.
fn access_log(request_id: &str, method: &Method, path: &str, status: u16, elapsed_ms: f64) {
    if !tracing::enabled!(tracing::Level::INFO) {
        return;
    }
    let Some(out) = ACCESS_LOG.get() else {
        tracing::info!(request_id, method = %method, path, status, elapsed_ms, "served");
        return;
    };
    ACCESS_LINE.with_borrow_mut(|line| {
        line.clear();
        let now = chrono::Utc::now();
        if access_line(line, now, request_id, method, path, status, elapsed_ms).is_ok() {
            // A line lost to a full or closed stdout is not worth failing a request over.
            let _ = std::io::Write::write_all(&mut &**out, line);
        }
    });
}

/// One access line, in the shape of the subscriber's JSON lines (`flatten_event`).
#[derive(serde::Serialize)]
struct AccessLine<'a> {
    timestamp: String,
    level: &'static str,
    message: &'static str,
    request_id: &'a str,
    method: &'a str,
    path: &'a str,
    status: u16,
    elapsed_ms: f64,
}

/// Appends `{"timestamp":…,"level":"INFO","message":"served","request_id":…,"method":…,"path":…,
/// "status":…,"elapsed_ms":…}` and a newline to `line`.
fn access_line(
    line: &mut Vec<u8>,
    now: chrono::DateTime<chrono::Utc>,
    request_id: &str,
    method: &Method,
    path: &str,
    status: u16,
    elapsed_ms: f64,
) -> serde_json::Result<()> {
    let record = AccessLine {
        timestamp: now.to_rfc3339_opts(chrono::SecondsFormat::Micros, true),
        level: "INFO",
        message: "served",
        request_id,
        method: method.as_str(),
        path,
        status,
        elapsed_ms,
    };
    serde_json::to_writer(&mut *line, &record)?;
    line.push(b'\n');
    Ok(())
}

/// The request id of the request being served.
#[derive(Debug, Clone)]
pub struct RequestId(pub String);

impl RequestId {
    /// The id of `req`, if the middleware ran (it always does in a service built by `server`).
    pub fn of(req: &HttpRequest) -> Option<String> {
        req.extensions().get::<RequestId>().map(|r| r.0.clone())
    }
}

fn acceptable(id: &str) -> bool {
    !id.is_empty() && id.len() <= 128 && id.bytes().all(|b| b.is_ascii_graphic())
}

/// Takes `X-Request-Id` from the caller (the gateway sets it) or makes one, serves the request inside a
/// span that carries it (so every line logged meanwhile names the request, ARCHITECTURE §4), writes
/// the access log line (`served`: request id, method, path, status, `elapsed_ms`) and echoes the id on
/// the response.
///
/// The span carries the id alone, and the access line is written after it has closed, by
/// [`access_log`]: through `tracing`'s JSON formatter, the span and the line were a quarter of the
/// gateway's instructions per request (issue #20, callgrind).
pub async fn request_id(
    req: ServiceRequest,
    next: Next<impl MessageBody>,
) -> Result<ServiceResponse<impl MessageBody>, Error> {
    let id = req
        .headers()
        .get(REQUEST_ID_HEADER)
        .and_then(|v| v.to_str().ok())
        .filter(|v| acceptable(v))
        .map(str::to_owned)
        .unwrap_or_else(|| uuid::Uuid::new_v4().to_string());
    req.extensions_mut().insert(RequestId(id.clone()));
    // The request's Sentry scope (bound by `sentry_middleware`): a 500's report names the request.
    sentry::configure_scope(|scope| scope.set_tag("request_id", &id));
    let method = req.method().clone();
    // A clone of the `Uri` shares its bytes: the path is not copied.
    let uri = req.uri().clone();
    let span = tracing::info_span!("request", request_id = %id);
    let started = std::time::Instant::now();
    let mut res = next.call(req).instrument(span).await?;
    let elapsed_ms = started.elapsed().as_secs_f64() * 1000.0;
    access_log(&id, &method, uri.path(), res.status().as_u16(), elapsed_ms);
    if let Ok(value) = HeaderValue::from_str(&id) {
        res.headers_mut().insert(REQUEST_ID_HEADER, value);
    }
    Ok(res)
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn an_access_line_is_one_json_object_whatever_the_path() {
        let now = chrono::DateTime::parse_from_rfc3339("2026-12-01T10:20:09.123456Z")
            .unwrap()
            .to_utc();
        let mut line = Vec::new();
        let path = "/api/v1/x\"}\n\u{0}\\\u{0939}";
        access_line(&mut line, now, "r-1", &Method::PATCH, path, 404, 0.25).unwrap();
        assert_eq!(line.last(), Some(&b'\n'));
        assert_eq!(line.iter().filter(|&&b| b == b'\n').count(), 1);
        let value: serde_json::Value = serde_json::from_slice(&line).unwrap();
        assert_eq!(
            value,
            serde_json::json!({
                "timestamp": "2026-12-01T10:20:09.123456Z",
                "level": "INFO",
                "message": "served",
                "request_id": "r-1",
                "method": "PATCH",
                "path": path,
                "status": 404,
                "elapsed_ms": 0.25,
            })
        );
    }
}
