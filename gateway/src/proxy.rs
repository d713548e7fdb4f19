//! Forwarding a gated request to its upstream (ARCHITECTURE §6): pooled keep-alive connections, bodies
//! streamed both ways, hop-by-hop and client-forged internal headers removed, `X-Forwarded-*` and
//! `X-Request-Id` set, the route's timeout and body limit applied, and one retry of an idempotent
//! request whose connection failed before the upstream saw it.

use crate::gate::{ClientAddr, Gateway};
use actix_web::body::{BodyStream, BoxBody, SizedStream};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::error::ParseError;
use actix_web::http::header::{self, HeaderMap, HeaderName, HeaderValue};
use actix_web::http::{Method, StatusCode};
use actix_web::{web, FromRequest, HttpRequest, HttpResponse};
use awc::error::SendRequestError;
use bytes::{Bytes, BytesMut};
use futures_util::{Stream, StreamExt};
use hm_platform::error::ApiError;
use hm_platform::telemetry::{RequestId, REQUEST_ID_HEADER};
use std::cell::Cell;
use std::pin::Pin;
use std::rc::Rc;
use std::task::{Context, Poll};
use std::time::{Duration, Instant};

/// How long a pooled upstream connection may stay idle: shorter than the services' own keep-alive
/// (75 s, `hm_platform::server`), so the gateway never reuses a connection the upstream is closing.
pub const UPSTREAM_IDLE: Duration = Duration::from_secs(60);

/// One per worker thread: awc's pool is per client and not shared across threads.
pub fn client(connect_timeout: Duration) -> awc::Client {
    awc::Client::builder()
        .connector(
            awc::Connector::new()
                .timeout(connect_timeout)
                .conn_keep_alive(UPSTREAM_IDLE)
                .limit(256),
        )
        .disable_redirects()
        .no_default_headers()
        .disable_timeout()
        .finish()
}

/// Headers that describe one connection, never the message (RFC 9110 §7.6.1).
fn is_hop_by_hop(name: &HeaderName) -> bool {
    matches!(
        name.as_str(),
        "connection"
            | "keep-alive"
            | "proxy-connection"
            | "proxy-authenticate"
            | "proxy-authorization"
            | "te"
            | "trailer"
            | "transfer-encoding"
            | "upgrade"
    )
}

/// Headers only the gateway may set for an upstream; a client sending them is ignored.
fn is_gateway_owned(name: &HeaderName) -> bool {
    let n = name.as_str();
    matches!(
        n,
        "host" | "content-length" | "expect" | "forwarded" | "x-real-ip" | "x-request-id"
    ) || n.starts_with("x-forwarded-")
        || n.starts_with("x-internal-")
        || n.starts_with("x-hm-")
        || n.starts_with("x-user-")
        || n.starts_with("x-gateway-")
}

/// Names a `Connection` header lists are hop-by-hop for this message too.
fn connection_listed(headers: &HeaderMap) -> Vec<HeaderName> {
    headers
        .get_all(header::CONNECTION)
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .filter_map(|n| HeaderName::from_bytes(n.trim().as_bytes()).ok())
        .collect()
}

fn idempotent(method: &Method) -> bool {
    matches!(
        *method,
        Method::GET | Method::HEAD | Method::OPTIONS | Method::PUT | Method::DELETE
    )
}

fn unavailable() -> ApiError {
    ApiError::unavailable("Service unavailable.", "upstream_unavailable")
}

fn too_large() -> ApiError {
    ApiError::detail(StatusCode::PAYLOAD_TOO_LARGE, "Request body is too large.")
}

/// Serves a request the gate matched to route `index` of the table, for the client at `client` (the
/// address the gate vouched for): the upstream's response, or the error envelope. The gate calls it
/// itself, so a proxied request walks no actix router and extracts no handler arguments.
pub async fn forward(
    req: ServiceRequest,
    gateway: &Gateway,
    index: usize,
    client: ClientAddr,
) -> ServiceResponse<BoxBody> {
    let (req, mut payload) = req.into_parts();
    let sent = match web::Payload::from_request(&req, &mut payload).await {
        Ok(payload) => send(&req, payload, gateway, index, &client).await,
        Err(e) => return ServiceResponse::from_err(e, req),
    };
    match sent {
        Ok(res) => ServiceResponse::new(req, res),
        Err(e) => ServiceResponse::from_err(e, req),
    }
}

async fn send(
    req: &HttpRequest,
    payload: web::Payload,
    gateway: &Gateway,
    index: usize,
    client_addr: &ClientAddr,
) -> Result<HttpResponse, ApiError> {
    let route = gateway.table.route(index);
    let upstream = gateway.table.upstream_of(route);
    if route.websocket && crate::sockets::is_upgrade(req) {
        let sockets = req
            .app_data::<web::Data<crate::sockets::SocketClient>>()
            .ok_or_else(|| ApiError::internal("socket client missing"))?;
        return crate::sockets::tunnel(
            req,
            payload,
            gateway,
            route,
            upstream,
            client_addr,
            sockets,
        )
        .await;
    }
    let client = req
        .app_data::<web::Data<awc::Client>>()
        .ok_or_else(|| ApiError::internal("upstream client missing"))?;
    let declared_len = content_length(req.headers());
    if declared_len.is_some_and(|n| n > route.max_body_bytes as u64) {
        return Err(too_large());
    }
    let uri = upstream
        .uri_for(req.uri().path_and_query())
        .ok_or_else(|| ApiError::internal("the upstream's address is invalid"))?;
    let started = Instant::now();
    // Headers are made for each attempt (a retry is rare) rather than cloned for a possible one.
    let request = || {
        let mut request = client
            .request(req.method().clone(), uri.clone())
            .timeout(route.timeout);
        *request.headers_mut() = upstream_headers(req, gateway.trusted_proxy_hops, client_addr);
        request
    };
    let send_buffered = |body: &Bytes| match body.is_empty() {
        true => request().send(),
        false => request().send_body(body.clone()),
    };
    let oversized = Rc::new(Cell::new(false));
    let result = if idempotent(req.method()) {
        // Small by nature (queries, JSON for PUT), so kept in memory to be sent twice if need be.
        let body = read_limited(payload, route.max_body_bytes).await?;
        match send_buffered(&body).await {
            Err(e) if retryable(&e) => {
                tracing::info!(upstream = %upstream.name, error = %e, "retrying idempotent request once");
                send_buffered(&body).await
            }
            other => other,
        }
    } else {
        let stream = Limited {
            inner: payload,
            left: route.max_body_bytes,
            tripped: oversized.clone(),
        };
        match declared_len {
            Some(len) => request().send_body(SizedStream::new(len, stream)),
            None => request().send_body(BodyStream::new(stream)),
        }
        .await
    };
    let elapsed = started.elapsed().as_secs_f64();
    let res = match result {
        Ok(res) => res,
        Err(e) => {
            let (outcome, error) = if oversized.get() {
                ("too_large", too_large())
            } else {
                classify(&e)
            };
            tracing::warn!(upstream = %upstream.name, route = %route.prefix, error = %e, "upstream request failed");
            gateway
                .metrics
                .upstream_response(&upstream.name, outcome, elapsed);
            return Err(error);
        }
    };
    gateway
        .metrics
        .upstream_response(&upstream.name, res.status().as_str(), elapsed);
    Ok(client_response(req, res))
}

/// The connection failed before any response arrived (refused, or dropped by an upstream restarting or
/// closing an idle connection): safe to try once more when the method is idempotent.
fn retryable(e: &SendRequestError) -> bool {
    matches!(
        e,
        SendRequestError::Connect(_)
            | SendRequestError::Send(_)
            | SendRequestError::Response(ParseError::Io(_) | ParseError::Incomplete)
    )
}

fn classify(e: &SendRequestError) -> (&'static str, ApiError) {
    match e {
        SendRequestError::Connect(_) => ("unavailable", unavailable()),
        SendRequestError::Timeout => (
            "timeout",
            ApiError::coded(
                StatusCode::GATEWAY_TIMEOUT,
                "Upstream timed out.",
                "upstream_timeout",
            ),
        ),
        SendRequestError::Body(_) => (
            "client_body",
            ApiError::detail(StatusCode::BAD_REQUEST, "Request body could not be read."),
        ),
        _ => (
            "error",
            ApiError::coded(StatusCode::BAD_GATEWAY, "Bad gateway.", "upstream_error"),
        ),
    }
}

/// The headers the upstream receives: the client's, minus hop-by-hop and gateway-owned ones, plus who
/// the client is (`X-Forwarded-For`/`X-Real-IP`: `client`, the one address the gateway trusts, from
/// `gate::client_ip`), how and where it called (`X-Forwarded-Proto`/`-Host`) and which request this is
/// (`X-Request-Id`).
pub(crate) fn upstream_headers(
    req: &HttpRequest,
    trusted_hops: usize,
    client: &ClientAddr,
) -> HeaderMap {
    let incoming = req.headers();
    let listed = connection_listed(incoming);
    let mut out = HeaderMap::with_capacity(incoming.len() + 4);
    for (name, value) in incoming {
        if !is_hop_by_hop(name) && !is_gateway_owned(name) && !listed.contains(name) {
            out.append(name.clone(), value.clone());
        }
    }
    let trusted = |name: &str| {
        (trusted_hops > 0)
            .then(|| incoming.get(name).cloned())
            .flatten()
    };
    let proto = trusted("x-forwarded-proto").unwrap_or_else(|| {
        HeaderValue::from_static(if req.app_config().secure() {
            "https"
        } else {
            "http"
        })
    });
    let host = trusted("x-forwarded-host").or_else(|| incoming.get(header::HOST).cloned());
    // Only the address the gateway vouches for, so a service reading the first X-Forwarded-For entry
    // (actix's `realip_remote_addr`, identity's per-IP OTP limit) sees the client, never a forged one.
    out.insert(
        HeaderName::from_static("x-forwarded-for"),
        client.text.clone(),
    );
    out.insert(HeaderName::from_static("x-real-ip"), client.text.clone());
    out.insert(HeaderName::from_static("x-forwarded-proto"), proto);
    if let Some(host) = host {
        out.insert(HeaderName::from_static("x-forwarded-host"), host);
    }
    if let Some(id) = RequestId::of(req).and_then(|id| HeaderValue::from_str(&id).ok()) {
        out.insert(REQUEST_ID_HEADER, id);
    }
    out
}

/// A `Content-Length` header's value: ASCII digits only.
fn content_length(headers: &HeaderMap) -> Option<u64> {
    headers
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .filter(|v| hm_platform::input::numbers::is_ascii_digits(v))
        .and_then(|v| v.parse::<u64>().ok())
}

/// The client's response: the upstream's status, headers (minus hop-by-hop; the request id is set by
/// the middleware) and body, streamed.
fn client_response<S>(req: &HttpRequest, res: awc::ClientResponse<S>) -> HttpResponse
where
    S: Stream<Item = Result<Bytes, awc::error::PayloadError>> + Unpin + 'static,
{
    let mut builder = HttpResponse::build(res.status());
    let listed = connection_listed(res.headers());
    for (name, value) in res.headers() {
        if !is_hop_by_hop(name)
            && name != header::CONTENT_LENGTH
            && name != REQUEST_ID_HEADER
            && !listed.contains(name)
        {
            builder.append_header((name.clone(), value.clone()));
        }
    }
    let length = content_length(res.headers());
    if req.method() == Method::HEAD {
        // The GET's length, without its body (the codec sends no body for HEAD).
        return match length {
            Some(len) => builder.body(SizedStream::new(
                len,
                futures_util::stream::empty::<Result<Bytes, actix_web::Error>>(),
            )),
            // A GET sent in chunks has no length to tell.
            None => {
                builder.streaming(futures_util::stream::empty::<Result<Bytes, actix_web::Error>>())
            }
        };
    }
    if res.status() == StatusCode::NO_CONTENT || res.status() == StatusCode::NOT_MODIFIED {
        return builder.finish();
    }
    match length {
        Some(len) => builder.body(SizedStream::new(len, res)),
        None => builder.streaming(res),
    }
}

async fn read_limited(mut payload: web::Payload, limit: usize) -> Result<Bytes, ApiError> {
    let mut body = BytesMut::new();
    while let Some(chunk) = payload.next().await {
        let chunk = chunk.map_err(|_| {
            ApiError::detail(StatusCode::BAD_REQUEST, "Request body could not be read.")
        })?;
        if body.len() + chunk.len() > limit {
            return Err(too_large());
        }
        body.extend_from_slice(&chunk);
    }
    Ok(body.freeze())
}

/// A request body passed through as it arrives, cut off once it exceeds the route's limit.
struct Limited {
    inner: web::Payload,
    left: usize,
    tripped: Rc<Cell<bool>>,
}

#[derive(Debug, thiserror::Error)]
#[error("request body exceeds the route's limit")]
struct BodyTooLarge;

impl Stream for Limited {
    type Item = Result<Bytes, Box<dyn std::error::Error>>;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        match Pin::new(&mut self.inner).poll_next(cx) {
            Poll::Ready(Some(Ok(chunk))) => {
                if chunk.len() > self.left {
                    self.tripped.set(true);
                    return Poll::Ready(Some(Err(Box::new(BodyTooLarge))));
                }
                self.left -= chunk.len();
                Poll::Ready(Some(Ok(chunk)))
            }
            Poll::Ready(Some(Err(e))) => Poll::Ready(Some(Err(Box::new(e)))),
            Poll::Ready(None) => Poll::Ready(None),
            Poll::Pending => Poll::Pending,
        }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use crate::gate::client_ip;
    use actix_web::test::TestRequest;

    #[test]
    fn upstream_sees_no_hop_by_hop_or_forged_internal_headers() {
        let req = TestRequest::default()
            .peer_addr("10.1.2.3:4000".parse().unwrap())
            .insert_header(("connection", "keep-alive, x-secret"))
            .insert_header(("x-secret", "1"))
            .insert_header(("keep-alive", "timeout=5"))
            .insert_header(("te", "trailers"))
            .insert_header(("x-forwarded-for", "6.6.6.6"))
            .insert_header(("x-user-id", "someone-else"))
            .insert_header(("x-internal-token", "forged"))
            .insert_header(("host", "api.hunarmitra.in"))
            .insert_header(("authorization", "Bearer abc"))
            .insert_header(("accept-language", "hi"))
            .to_http_request();
        let out = upstream_headers(&req, 0, &ClientAddr::new(client_ip(&req, 0)));
        for gone in [
            "connection",
            "x-secret",
            "keep-alive",
            "te",
            "x-user-id",
            "x-internal-token",
            "host",
        ] {
            assert!(out.get(gone).is_none(), "{gone} should be stripped");
        }
        assert_eq!(out.get("x-forwarded-for").unwrap(), "10.1.2.3");
        assert_eq!(out.get("x-real-ip").unwrap(), "10.1.2.3");
        assert_eq!(out.get("x-forwarded-host").unwrap(), "api.hunarmitra.in");
        assert_eq!(out.get("x-forwarded-proto").unwrap(), "http");
        assert_eq!(out.get("authorization").unwrap(), "Bearer abc");
        assert_eq!(out.get("accept-language").unwrap(), "hi");
    }

    #[test]
    fn behind_a_trusted_proxy_the_client_it_saw_is_forwarded() {
        let req = TestRequest::default()
            .peer_addr("10.0.0.2:4000".parse().unwrap())
            .insert_header(("x-forwarded-for", "203.0.113.9"))
            .insert_header(("x-forwarded-proto", "https"))
            .to_http_request();
        let out = upstream_headers(&req, 1, &ClientAddr::new(client_ip(&req, 1)));
        assert_eq!(out.get("x-forwarded-for").unwrap(), "203.0.113.9");
        assert_eq!(out.get("x-real-ip").unwrap(), "203.0.113.9");
        assert_eq!(out.get("x-forwarded-proto").unwrap(), "https");
    }
}
