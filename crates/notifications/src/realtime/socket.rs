//! One WebSocket of API §10: the handshake's checks (token 4001, booking party 4003, sockets per user
//! 1008), then the socket's life: the channel's messages out, `ping`/`mark_read` in (at most
//! `WS_MAX_MESSAGES_PER_SEC`, else 1008), server pings every `WS_HEARTBEAT_SECS`, closed after
//! `WS_IDLE_TIMEOUT_SECS` of silence (1001), when its token expires (4001) or when it falls behind
//! (1013).

use super::hub::Subscription;
use super::seats::Seat;
use super::Realtime;
use crate::domain::is_party;
use crate::domain::realtime::{self as messages, ClientMessage};
use crate::store::notifications::{self, Filter};
use crate::store::refs;
use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};
use actix_ws::{CloseCode, CloseReason, Closed, Message, MessageStream, Session};
use chrono::Utc;
use hm_contracts::tokens::TokenType;
use hm_platform::auth::{AuthUser, TokenVerifier};
use hm_platform::error::ApiError;
use serde_json::Value;
use std::time::Duration;
use tokio::time::Instant;
use uuid::Uuid;

/// Which socket of API §10.2 a client opens.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Watch {
    /// `/ws/notifications/`: the caller's own channel `user_{id}`.
    Notifications,
    /// `/ws/bookings/{id}/`: `booking_{id}`, for the booking's parties.
    Booking(Uuid),
}

/// The subprotocol a browser names to send its token (`new WebSocket(url, ["jwt", token])`).
pub const JWT_PROTOCOL: &str = "jwt";
/// The close code of a missing, invalid or expired token (API §10.1).
pub const UNAUTHENTICATED: u16 = 4001;
/// The close code of a booking the caller may not follow, or that does not exist (API §10.2).
pub const FORBIDDEN: u16 = 4003;
/// The close code of a client over its limits: too many sockets, too many messages (RFC 6455 policy
/// violation).
pub const POLICY: u16 = 1008;
/// The largest frame a client may send: its messages are a few dozen bytes.
const MAX_FRAME: usize = 16 * 1024;

/// Why a handshake was accepted and then closed at once.
struct Refusal(u16, &'static str);

/// Who is connected, to what.
struct Admitted {
    user: AuthUser,
    /// Held while the socket lives (`WS_MAX_PER_USER`).
    _seat: Seat,
    watch: Watch,
    channels: Vec<String>,
    welcome: Value,
    /// When the token expires: the socket closes with 4001 then.
    expires: Instant,
}

/// Answers a WebSocket handshake on `watch` (101, with `jwt` as the subprotocol when offered) and runs
/// the socket in the background; a refused caller gets its close code right after the handshake, as
/// browsers see no HTTP status. A request that is not a handshake is a 426.
pub async fn open(
    realtime: &Realtime,
    verifier: &TokenVerifier,
    req: &HttpRequest,
    body: web::Payload,
    watch: Watch,
) -> Result<HttpResponse, ApiError> {
    let (response, session, stream) = actix_ws::handle_with_protocols(req, body, &[JWT_PROTOCOL])
        .map_err(|_| {
        ApiError::detail(
            StatusCode::UPGRADE_REQUIRED,
            "This endpoint speaks WebSocket: connect with an Upgrade: websocket request.",
        )
    })?;
    match admit(realtime, verifier, req, watch).await {
        Ok(admitted) => {
            let subscription = realtime.hub.subscribe(admitted.channels.clone());
            let stream = stream.max_frame_size(MAX_FRAME);
            let realtime = realtime.clone();
            actix_web::rt::spawn(async move {
                run(realtime, session, stream, subscription, admitted).await;
            });
        }
        Err(Refusal(code, why)) => {
            actix_web::rt::spawn(async move {
                let refusal = session.close(Some(close(code, why)));
                let _ = tokio::time::timeout(Duration::from_secs(5), refusal).await;
            });
        }
    }
    Ok(response)
}

fn close(code: u16, description: &str) -> CloseReason {
    CloseReason {
        code: CloseCode::Other(code),
        description: Some(description.to_owned()),
    }
}

/// The token of a handshake: `?token=…`, else the one after `jwt` in `Sec-WebSocket-Protocol`.
fn token(req: &HttpRequest) -> Option<String> {
    #[derive(serde::Deserialize)]
    struct Query {
        token: Option<String>,
    }
    if let Ok(q) = web::Query::<Query>::from_query(req.query_string()) {
        if let Some(token) = q.into_inner().token.filter(|t| !t.is_empty()) {
            return Some(token);
        }
    }
    let offered: Vec<&str> = req
        .headers()
        .get_all("sec-websocket-protocol")
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .map(str::trim)
        .collect();
    let at = offered.iter().position(|p| *p == JWT_PROTOCOL)?;
    offered.get(at + 1).map(|t| (*t).to_owned())
}

async fn admit(
    realtime: &Realtime,
    verifier: &TokenVerifier,
    req: &HttpRequest,
    watch: Watch,
) -> Result<Admitted, Refusal> {
    let unauthenticated = Refusal(UNAUTHENTICATED, "Authentication required");
    let token = token(req).ok_or(unauthenticated)?;
    let claims = verifier
        .verify(&token, TokenType::Access)
        .await
        .map_err(|_| Refusal(UNAUTHENTICATED, "Invalid or expired token"))?;
    let left = (claims.exp - Utc::now().timestamp()).max(0);
    let expires = Instant::now() + Duration::from_secs(left.unsigned_abs());
    let user = AuthUser {
        id: claims.user_id,
        role: claims.role,
        claims,
    };
    let seat = realtime
        .seats
        .take(user.id)
        .ok_or(Refusal(POLICY, "Too many connections"))?;
    let (channels, welcome) = match watch {
        // Staff also hear the back-office's live channel (emergencies).
        Watch::Notifications if user.is_admin() => (
            vec![
                messages::user_channel(user.id),
                messages::STAFF_CHANNEL.to_owned(),
            ],
            messages::notifications_welcome(),
        ),
        Watch::Notifications => (
            vec![messages::user_channel(user.id)],
            messages::notifications_welcome(),
        ),
        Watch::Booking(id) => {
            let forbidden = Refusal(FORBIDDEN, "Not allowed to follow this booking");
            let booking = realtime
                .booking_soon(id)
                .await
                .map_err(|error| {
                    tracing::warn!(%error, "socket: booking unreadable");
                    Refusal(1011, "Try again later")
                })?
                .ok_or(forbidden)?;
            if !is_party(
                booking.user_id,
                booking.worker_user_id,
                user.id,
                user.is_admin(),
            ) {
                return Err(Refusal(FORBIDDEN, "Not allowed to follow this booking"));
            }
            (
                vec![messages::booking_channel(id)],
                messages::booking_welcome(id),
            )
        }
    };
    Ok(Admitted {
        user,
        _seat: seat,
        watch,
        channels,
        welcome,
        expires,
    })
}

/// A client's messages per second (`WS_MAX_MESSAGES_PER_SEC`), counted in one-second windows.
struct Pace {
    limit: u32,
    window: Instant,
    count: u32,
}

impl Pace {
    fn new(limit: u32) -> Pace {
        Pace {
            limit,
            window: Instant::now(),
            count: 0,
        }
    }

    /// Counts one message; false once the window holds more than the limit.
    fn allow(&mut self) -> bool {
        if self.window.elapsed() >= Duration::from_secs(1) {
            self.window = Instant::now();
            self.count = 0;
        }
        self.count += 1;
        self.count <= self.limit
    }
}

/// Whether `send` went out within `limit`: a client that takes nothing for that long (its TCP window
/// full, its reader stalled) is dropped rather than holding its task, and its closes, forever.
async fn within(
    limit: Duration,
    send: impl std::future::Future<Output = Result<(), Closed>>,
) -> bool {
    matches!(tokio::time::timeout(limit, send).await, Ok(Ok(())))
}

/// The socket's life, until either side closes it.
async fn run(
    realtime: Realtime,
    mut session: Session,
    mut stream: MessageStream,
    mut subscription: Subscription,
    who: Admitted,
) {
    let beat = realtime.config.heartbeat;
    if !within(beat, session.text(who.welcome.to_string())).await {
        return;
    }
    let mut heartbeat = tokio::time::interval_at(Instant::now() + beat, beat);
    let mut last_heard = Instant::now();
    let mut pace = Pace::new(realtime.config.max_messages_per_sec);
    let expiry = tokio::time::sleep_until(who.expires);
    tokio::pin!(expiry);
    let reason = loop {
        let sent = tokio::select! {
            frame = subscription.frames.recv() => match frame {
                Some(frame) => within(beat, session.text(frame)).await,
                None => break close(1013, "Falling behind: reconnect"),
            },
            received = stream.recv() => {
                last_heard = Instant::now();
                let counted = !matches!(received, Some(Ok(Message::Pong(_))));
                if counted && !pace.allow() {
                    break close(POLICY, "Too many messages");
                }
                match received {
                    Some(Ok(Message::Text(text))) => match ClientMessage::parse(&text) {
                        Some(ClientMessage::Ping) => within(beat, session.text(messages::PONG)).await,
                        Some(ClientMessage::MarkRead { notification_id }) => {
                            realtime.mark_read(&who, notification_id).await;
                            true
                        }
                        None => true,
                    },
                    Some(Ok(Message::Ping(bytes))) => within(beat, session.pong(&bytes)).await,
                    Some(Ok(Message::Close(reason))) => break reason.unwrap_or(CloseCode::Normal.into()),
                    Some(Ok(_)) => true,
                    Some(Err(_)) => break CloseCode::Protocol.into(),
                    None => return,
                }
            }
            _ = heartbeat.tick() => {
                if last_heard.elapsed() >= realtime.config.idle_timeout {
                    break close(1001, "Idle timeout");
                }
                within(beat, session.ping(b"")).await
            }
            _ = &mut expiry => break close(UNAUTHENTICATED, "Token expired"),
        };
        if !sent {
            return;
        }
    };
    let _ = tokio::time::timeout(beat, session.close(Some(reason))).await;
}

impl Realtime {
    /// The booking's parties, waiting up to a second for a booking the projection does not know yet: one
    /// just created or assigned may be a few milliseconds behind its events, and a client connecting
    /// right away must not be told 4003 for it.
    async fn booking_soon(&self, id: Uuid) -> Result<Option<refs::BookingRef>, String> {
        for _ in 0..5 {
            if let Some(found) = self.booking(id).await? {
                return Ok(Some(found));
            }
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
        self.booking(id).await
    }

    /// The booking's parties, as the projection knows them; `Err` says why it could not be read.
    async fn booking(&self, id: Uuid) -> Result<Option<refs::BookingRef>, String> {
        let mut conn = self.db.get().await.map_err(|e| e.to_string())?;
        refs::booking(&mut conn, id)
            .await
            .map_err(|e| e.to_string())
    }

    /// `mark_read` on a notifications socket: the caller's own notification only; failures are logged
    /// (the protocol has no reply).
    async fn mark_read(&self, who: &Admitted, id: Uuid) {
        if who.watch != Watch::Notifications {
            return;
        }
        let result = match self.db.get().await {
            Ok(mut conn) => {
                notifications::mark_read(&mut conn, who.user.id, &Filter::default(), Some(id))
                    .await
                    .map(|_| ())
                    .map_err(|e| e.to_string())
            }
            Err(e) => Err(e.to_string()),
        };
        if let Err(error) = result {
            tracing::warn!(%error, "mark_read over a socket failed");
        }
    }
}
