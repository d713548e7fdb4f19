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

/// Opens the socket upstream, then answers the client's handshake (101) and relays in the background.
/// The upstream refusing or unreachable is an HTTP error before any upgrade: 502, or 503.
pub async fn tunnel(
    req: &HttpRequest,
    payload: web::Payload,
    gateway: &Gateway,
    route: &Route,
    upstream: &Upstream,
    client: &awc::Client,
) -> Result<HttpResponse, ApiError> {
    if !origin_allowed(&gateway.cors, req.headers()) {
        return Err(ApiError::detail(
            StatusCode::FORBIDDEN,
            "Origin not allowed.",
        ));
    }
    let path = req.uri().path_and_query().map_or("/", |pq| pq.as_str());
    let mut request = client
        .ws(format!("{}{path}", upstream.url))
        .max_frame_size(MAX_FRAME);
    let protocols = offered(req.headers());
    if !protocols.is_empty() {
        request = request.protocols(protocols);
    }
    for (name, value) in &crate::proxy::upstream_headers(req, gateway.trusted_proxy_hops) {
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
    let (response, session, stream) =
        actix_ws::handle_with_protocols(req, payload, &[JWT_PROTOCOL]).map_err(|_| {
            ApiError::detail(StatusCode::BAD_REQUEST, "Not a valid WebSocket handshake.")
        })?;
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

/// Frames both ways until a side closes (its close passed on) or goes away.
async fn relay<U>(mut session: Session, mut client: MessageStream, mut upstream: U)
where
    U: futures_util::Stream<Item = Result<Frame, awc::error::WsProtocolError>>
        + futures_util::Sink<Message>
        + Unpin,
{
    loop {
        tokio::select! {
            from_client = client.recv() => match from_client {
                Some(Ok(Message::Close(reason))) => {
                    let _ = upstream.send(Message::Close(reason)).await;
                    return;
                }
                Some(Ok(message)) => {
                    if upstream.send(message).await.is_err() {
                        let _ = session.close(None).await;
                        return;
                    }
                }
                Some(Err(_)) | None => {
                    let _ = upstream.send(Message::Close(None)).await;
                    return;
                }
            },
            from_upstream = upstream.next() => {
                let sent = match from_upstream {
                    Some(Ok(Frame::Text(bytes))) => match ByteString::try_from(bytes) {
                        Ok(text) => session.text(text).await,
                        Err(_) => {
                            let _ = session.close(Some(CloseCode::Invalid.into())).await;
                            return;
                        }
                    },
                    Some(Ok(Frame::Binary(bytes))) => session.binary(bytes).await,
                    Some(Ok(Frame::Continuation(item))) => session.continuation(item).await,
                    Some(Ok(Frame::Ping(bytes))) => session.ping(&bytes).await,
                    Some(Ok(Frame::Pong(bytes))) => session.pong(&bytes).await,
                    Some(Ok(Frame::Close(reason))) => {
                        let _ = session.close(reason).await;
                        return;
                    }
                    Some(Err(_)) | None => {
                        let _ = session.close(None).await;
                        return;
                    }
                };
                if sent.is_err() {
                    let _ = upstream.send(Message::Close(None)).await;
                    return;
                }
            }
        }
    }
}
