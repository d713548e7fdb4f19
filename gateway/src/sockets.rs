//! WebSockets through the gateway (API §10, issue #18): a route marked `websocket = true` takes the
//! client's upgrade, opens the same socket on its upstream (path, query and the offered subprotocols
//! passed on, so `?token=` and `jwt, <token>` reach the service that checks them) and relays frames
//! both ways until either side closes; the upstream's close code (4001, 4003, …) reaches the client.
//! Origins are those CORS allows (a client without `Origin`, a native app, is let through).

use crate::config::CorsConfig;
use crate::gate::Gateway;
use crate::routing::{Route, Upstream};
use actix_web::http::header::{self, HeaderMap};
use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};
use actix_ws::{CloseCode, Message, MessageStream, Session};
use awc::ws::Frame;
use bytestring::ByteString;
use futures_util::{SinkExt, StreamExt};
use hm_platform::error::ApiError;
use std::time::Duration;

/// The subprotocol the services select when a client offers it (the token follows it in the list).
const JWT_PROTOCOL: &str = "jwt";
/// The largest frame relayed: the services' messages are small JSON objects.
const MAX_FRAME: usize = 64 * 1024;

/// Whether `req` asks to become a WebSocket (`Upgrade: websocket`).
pub fn is_upgrade(req: &HttpRequest) -> bool {
    req.headers()
        .get(header::UPGRADE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.eq_ignore_ascii_case("websocket"))
}

/// Whether the handshake's `Origin` may open a socket: none (not a browser), the gateway's own (its
/// pages, the admin console), any when CORS allows all, else one of `CORS_ALLOWED_ORIGINS`.
pub fn origin_allowed(cors: &CorsConfig, headers: &HeaderMap) -> bool {
    let Some(origin) = headers.get(header::ORIGIN).and_then(|v| v.to_str().ok()) else {
        return true;
    };
    let own = headers
        .get(header::HOST)
        .and_then(|v| v.to_str().ok())
        .zip(origin.split_once("://"))
        .is_some_and(|(host, (_, authority))| host.eq_ignore_ascii_case(authority));
    own || cors.allow_all || cors.origins.iter().any(|o| o == origin)
}

/// The upstream client of sockets, one per worker thread: apart from the HTTP client's pool, whose
/// slots a socket would hold for its whole life, and without a connection limit (the sockets are
/// bounded by the upstream's own limits and the process's descriptors).
pub struct SocketClient(pub awc::Client);

impl SocketClient {
    pub fn new(connect_timeout: Duration) -> SocketClient {
        SocketClient(
            awc::Client::builder()
                .connector(awc::Connector::new().timeout(connect_timeout).limit(0))
                .disable_redirects()
                .no_default_headers()
                .disable_timeout()
                .finish(),
        )
    }
}

/// Checks the client's handshake, opens the socket upstream, then answers the client (101) and relays
/// in the background. A bad handshake is a 400; the upstream refusing or unreachable an HTTP error
/// before any upgrade: 502, 503 or 504.
pub async fn tunnel(
    req: &HttpRequest,
    payload: web::Payload,
    gateway: &Gateway,
    route: &Route,
    upstream: &Upstream,
    client_addr: &crate::gate::ClientAddr,
    client: &SocketClient,
) -> Result<HttpResponse, ApiError> {
    if !origin_allowed(&gateway.cors, req.headers()) {
        return Err(ApiError::detail(
            StatusCode::FORBIDDEN,
            "Origin not allowed.",
        ));
    }
    // The client's handshake first: a bogus one costs no upstream connection. Nothing is sent until
    // the response is returned, so an upstream failure below still answers with an HTTP error.
    let (response, session, stream) =
        actix_ws::handle_with_protocols(req, payload, &[JWT_PROTOCOL]).map_err(|_| {
            ApiError::detail(StatusCode::BAD_REQUEST, "Not a valid WebSocket handshake.")
        })?;
    let path = req.uri().path_and_query().map_or("/", |pq| pq.as_str());
    let mut request = client
        .0
        .ws(format!("{}{path}", upstream.url))
        .max_frame_size(MAX_FRAME);
    let protocols = offered(req.headers());
    if !protocols.is_empty() {
        request = request.protocols(protocols);
    }
    for (name, value) in
        &crate::proxy::upstream_headers(req, gateway.trusted_proxy_hops, client_addr)
    {
        if !name.as_str().starts_with("sec-websocket-") {
            request = request.header(name.clone(), value.clone());
        }
    }
    let connected = tokio::time::timeout(route.timeout, request.connect()).await;
    let (_, upstream_socket) = match connected {
        Ok(Ok(pair)) => pair,
        Ok(Err(awc::error::WsClientError::InvalidResponseStatus(status))) => {
            tracing::warn!(upstream = %upstream.name, %status, "upstream refused the socket");
            return Err(ApiError::coded(
                StatusCode::BAD_GATEWAY,
                "Upstream refused the WebSocket.",
                "upstream_refused",
            ));
        }
        Ok(Err(e)) => {
            tracing::warn!(upstream = %upstream.name, error = %e, "upstream socket failed");
            return Err(ApiError::unavailable(
                "Service unavailable.",
                "upstream_unavailable",
            ));
        }
        Err(_) => {
            return Err(ApiError::coded(
                StatusCode::GATEWAY_TIMEOUT,
                "Upstream timed out.",
                "upstream_timeout",
            ));
        }
    };
    let stream = stream.max_frame_size(MAX_FRAME);
    actix_web::rt::spawn(relay(session, stream, upstream_socket));
    Ok(response)
}

/// The subprotocols the client offered, in its order.
fn offered(headers: &HeaderMap) -> Vec<String> {
    headers
        .get_all(header::SEC_WEBSOCKET_PROTOCOL)
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .map(|p| p.trim().to_owned())
        .filter(|p| !p.is_empty())
        .collect()
}

/// How long one frame may take to go out to either side before that side is taken for dead.
const SEND_DEADLINE: Duration = Duration::from_secs(30);
/// Silence from the upstream (which pings every `WS_HEARTBEAT_SECS`, 25 s) after which it is taken for
/// dead and the client is told to reconnect (1011).
const UPSTREAM_SILENCE: Duration = Duration::from_secs(90);

/// Whether `send` went out within [`SEND_DEADLINE`].
async fn within<E>(send: impl std::future::Future<Output = Result<(), E>>) -> bool {
    matches!(tokio::time::timeout(SEND_DEADLINE, send).await, Ok(Ok(())))
}

/// Frames both ways until a side closes (its close passed on and answered) or goes away; a side that
/// takes nothing for [`SEND_DEADLINE`], or an upstream silent for [`UPSTREAM_SILENCE`], ends it.
async fn relay<U>(mut session: Session, mut client: MessageStream, mut upstream: U)
where
    U: futures_util::Stream<Item = Result<Frame, awc::error::WsProtocolError>>
        + futures_util::Sink<Message>
        + Unpin,
{
    let mut watchdog = tokio::time::interval(UPSTREAM_SILENCE / 3);
    let mut heard = tokio::time::Instant::now();
    let reason = loop {
        let sent = tokio::select! {
            from_client = client.recv() => match from_client {
                Some(Ok(Message::Close(reason))) => {
                    within(upstream.send(Message::Close(reason.clone()))).await;
                    break reason;
                }
                Some(Ok(message)) => within(upstream.send(message)).await,
                Some(Err(_)) | None => {
                    within(upstream.send(Message::Close(None))).await;
                    return;
                }
            },
            from_upstream = upstream.next() => {
                heard = tokio::time::Instant::now();
                match from_upstream {
                    Some(Ok(Frame::Text(bytes))) => match ByteString::try_from(bytes) {
                        Ok(text) => within(session.text(text)).await,
                        Err(_) => break Some(CloseCode::Invalid.into()),
                    },
                    Some(Ok(Frame::Binary(bytes))) => within(session.binary(bytes)).await,
                    Some(Ok(Frame::Continuation(item))) => within(session.continuation(item)).await,
                    Some(Ok(Frame::Ping(bytes))) => within(session.ping(&bytes)).await,
                    Some(Ok(Frame::Pong(bytes))) => within(session.pong(&bytes)).await,
                    Some(Ok(Frame::Close(reason))) => break reason,
                    Some(Err(_)) | None => break Some(CloseCode::Error.into()),
                }
            }
            _ = watchdog.tick() => {
                if heard.elapsed() < UPSTREAM_SILENCE {
                    continue;
                }
                tracing::warn!("upstream socket silent: closing the client's");
                within(upstream.send(Message::Close(None))).await;
                break Some(CloseCode::Error.into());
            }
        };
        if !sent {
            within(upstream.send(Message::Close(None))).await;
            return;
        }
    };
    let _ = tokio::time::timeout(SEND_DEADLINE, session.close(reason)).await;
}
