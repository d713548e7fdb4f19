//! Phone-OTP login (API §3.1–3.4): request-otp, verify-otp, refresh, logout.

use super::dto::*;
use super::session;
use crate::domain::otp;
use crate::domain::user::parse_role;
use crate::error::{IdentityError, Result};
use crate::events;
use crate::store::challenges::{self, Challenge, Failure, Limited, Limits};
use crate::store::otp_logs::{self, Client, OtpAction};
use crate::store::refresh_tokens::{self, RevokedReason};
use crate::store::users::{self, NewPhoneUser};
use crate::AppState;
use actix_web::http::StatusCode;
use actix_web::HttpRequest;
use chrono::Utc;
use diesel_async::scoped_futures::ScopedFutureExt;
use diesel_async::AsyncConnection;
use hm_platform::auth::{AuthUser, MaybeAuthUser, TokenError, TokenType};
use hm_platform::reply::NoBody;
use hm_platform::reply::Reply;
use hm_platform::telemetry::RequestId;
use hm_platform::ApiError;
use paperclip::actix::{api_v2_operation, web};
use serde_json::json;
use uuid::Uuid;

fn client_of(req: &HttpRequest) -> Client {
    let info = req.connection_info();
    let ip = info
        .realip_remote_addr()
        .and_then(|a| {
            a.parse::<std::net::IpAddr>()
                .ok()
                .or_else(|| a.parse::<std::net::SocketAddr>().ok().map(|s| s.ip()))
        })
        .map(ipnet::IpNet::from);
    let user_agent = req
        .headers()
        .get(actix_web::http::header::USER_AGENT)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .chars()
        .take(512)
        .collect();
    Client { ip, user_agent }
}

/// Audit rows must never fail a login; a lost row is logged instead.
async fn audit(
    state: &AppState,
    phone: &str,
    request_id: Uuid,
    action: OtpAction,
    client: &Client,
) {
    let result = async {
        let mut conn = state.db.get().await.map_err(|e| e.to_string())?;
        otp_logs::append(&mut conn, phone, request_id, action, client)
            .await
            .map_err(|e| e.to_string())
    }
    .await;
    if let Err(e) = result {
        tracing::warn!(error = %e, action = action.as_str(), "could not write the OTP audit row");
    }
}

fn too_many(limited: Limited) -> IdentityError {
    let message = match limited {
        Limited::Minute => "Too many requests. Please wait a minute.",
        Limited::Hour | Limited::Ip => "Too many requests. Please try again later.",
    };
    ApiError::error(StatusCode::TOO_MANY_REQUESTS, message).into()
}

/// Start a phone-OTP challenge
///
/// Sends a one-time code by SMS. Limited to 1 request a minute and 5 an hour per phone, plus a per-IP
/// limit. `dev_otp` is only returned when the server runs with `DEBUG=true`.
#[api_v2_operation(tags(Auth))]
pub async fn request_otp(
    state: web::Data<AppState>,
    req: HttpRequest,
    _auth: MaybeAuthUser,
    body: hm_platform::input::Valid<RequestOtpBody>,
) -> Result<web::Json<RequestOtpResponse>> {
    let body = body.0;
    let client = client_of(&req);
    let ip = client
        .ip
        .map(|ip| ip.addr().to_string())
        .unwrap_or_default();
    let settings = &state.config.otp;
    let is_existing_user = {
        let mut conn = state.db.get().await?;
        users::phone_exists(&mut conn, &body.phone).await?
    };
    let mut redis = state.redis.get().await?;
    let limits = Limits {
        per_minute: settings.per_minute,
        per_hour: settings.per_hour,
        per_ip_hour: settings.per_ip_hour,
    };
    if let Some(limited) =
        challenges::reserve(&mut redis, &state.keys, &body.phone, &ip, &limits).await?
    {
        return Err(too_many(limited));
    }
    let code = if settings.use_fixed {
        otp::FIXED_OTP.to_owned()
    } else {
        otp::generate(settings.length)
    };
    let request_id = Uuid::new_v4();
    let challenge = Challenge {
        phone: body.phone.clone(),
        otp_hash: otp::hash(&code, &body.phone, &state.config.secret_key),
        role: body.role.clone().unwrap_or_else(|| "worker".into()),
    };
    challenges::store(
        &mut redis,
        &state.keys,
        request_id,
        &challenge,
        settings.ttl.as_secs(),
    )
    .await?;
    let sent = events::publish_otp(
        &state.broker,
        request_id,
        &body.phone,
        &code,
        settings.ttl,
        RequestId::of(&req),
    )
    .await;
    if let Err(e) = sent {
        // Nothing was sent, so nothing may count: the challenge and the rate-limit slot go back.
        let _ = challenges::discard(&mut redis, &state.keys, request_id).await;
        let _ = challenges::release(&mut redis, &state.keys, &body.phone, &ip).await;
        return Err(e.into());
    }
    tracing::debug!(%request_id, otp = %code, "OTP issued");
    audit(&state, &body.phone, request_id, OtpAction::Request, &client).await;
    let message = if is_existing_user {
        format!("Welcome back! OTP sent to {}", body.phone)
    } else {
        format!("OTP sent to {}", body.phone)
    };
    Ok(web::Json(RequestOtpResponse {
        request_id,
        ttl: settings.ttl.as_secs(),
        message,
        is_existing_user,
        dev_otp: state.config.common.debug.then_some(code),
    }))
}

fn bad_request(error: &str) -> IdentityError {
    ApiError::error(StatusCode::BAD_REQUEST, error).into()
}

/// Exchange a code for tokens
///
/// Creates the user on first login. A challenge is single-use and is burned after 5 wrong codes.
#[api_v2_operation(tags(Auth))]
pub async fn verify_otp(
    state: web::Data<AppState>,
    req: HttpRequest,
    _auth: MaybeAuthUser,
    body: hm_platform::input::Valid<VerifyOtpBody>,
) -> Result<web::Json<LoginResponse>> {
    let body = body.0;
    let client = client_of(&req);
    let mut redis = state.redis.get().await?;
    let Some(challenge) = challenges::load(&mut redis, &state.keys, body.request_id).await? else {
        return Err(bad_request("Invalid or expired request ID."));
    };
    if !otp::matches(
        &body.otp,
        &challenge.phone,
        &state.config.secret_key,
        &challenge.otp_hash,
    ) {
        audit(
            &state,
            &challenge.phone,
            body.request_id,
            OtpAction::VerifyFail,
            &client,
        )
        .await;
        let max = state.config.otp.max_verify_attempts;
        return Err(
            match challenges::record_failure(&mut redis, &state.keys, body.request_id, max).await? {
                Failure::Counted => bad_request("Invalid OTP."),
                Failure::Burned => {
                    bad_request("Too many failed attempts. Please request a new OTP.")
                }
                Failure::Gone => bad_request("Invalid or expired request ID."),
            },
        );
    }
    if !challenges::consume(&mut redis, &state.keys, body.request_id).await? {
        // A concurrent verify of the same code won.
        return Err(bad_request("Invalid or expired request ID."));
    }
    drop(redis);
    let correlation = RequestId::of(&req);
    let mut conn = state.db.get().await?;
    let st = state.clone();
    let (user, is_new_user, issued) = conn
        .transaction::<_, IdentityError, _>(|conn| {
            async move {
                let (user, created) = users::get_or_create_by_phone(
                    conn,
                    NewPhoneUser {
                        phone: &challenge.phone,
                        role: parse_role(&challenge.role),
                        first_name: "",
                        last_name: "",
                        language_preference: "en",
                        is_phone_verified: true,
                        password_hash: "",
                    },
                )
                .await?;
                if !user.is_active {
                    return Err(
                        ApiError::error(StatusCode::FORBIDDEN, "Account is disabled.").into(),
                    );
                }
                let user = if !user.is_phone_verified {
                    users::mark_phone_verified(conn, user.id).await?;
                    crate::domain::user::User {
                        is_phone_verified: true,
                        ..user
                    }
                } else {
                    user
                };
                if created {
                    hm_platform::events::enqueue(conn, events::user_registered(&user, correlation))
                        .await?;
                }
                let issued = session::issue(&st, conn, user.id, user.role, Uuid::new_v4()).await?;
                Ok((user, created, issued))
            }
            .scope_boxed()
        })
        .await?;
    audit(
        &state,
        &challenge_phone(&user),
        body.request_id,
        OtpAction::VerifySuccess,
        &client,
    )
    .await;
    Ok(web::Json(LoginResponse {
        access: issued.access,
        refresh: issued.refresh,
        profile_exists: user.profile_exists(),
        user: UserBody::from(&user),
        is_new_user,
    }))
}

fn challenge_phone(user: &crate::domain::user::User) -> String {
    user.phone.clone().unwrap_or_default()
}

fn refresh_error(error: TokenError) -> IdentityError {
    ApiError::body(
        StatusCode::UNAUTHORIZED,
        json!({ "detail": error.to_string(), "code": "token_not_valid" }),
    )
    .into()
}

fn blacklisted() -> IdentityError {
    ApiError::body(
        StatusCode::UNAUTHORIZED,
        json!({ "detail": "Token is blacklisted", "code": "token_not_valid" }),
    )
    .into()
}

enum Refreshed {
    Issued(session::Issued),
    ReuseDetected,
    Revoked,
    NoAccount,
}

/// Rotate a refresh token
///
/// Returns a new access and refresh token; the presented refresh token is revoked. Presenting an already
/// rotated token again (after a short grace window) revokes every token of that login.
/// How many successors a duplicate refresh follows to the family's live token (each rotated within the
/// grace window): a phone's burst, never an unbounded walk.
const MAX_SUCCESSORS_FOLLOWED: usize = 8;

async fn active_user(
    conn: &mut diesel_async::AsyncPgConnection,
    id: uuid::Uuid,
) -> Result<Option<crate::domain::user::User>> {
    Ok(users::by_id(conn, id).await?.filter(|u| u.is_active))
}

#[api_v2_operation(tags(Auth))]
pub async fn refresh(
    state: web::Data<AppState>,
    body: hm_platform::input::Valid<RefreshBody>,
) -> Result<web::Json<TokenPair>> {
    let claims = state
        .verifier
        .verify(&body.refresh, TokenType::Refresh)
        .await
        .map_err(refresh_error)?;
    let jti = claims.jti.unwrap_or_default();
    let grace = chrono::Duration::from_std(state.config.tokens.reuse_grace).unwrap_or_default();
    let mut conn = state.db.get().await?;
    let st = state.clone();
    let outcome = conn
        .transaction::<_, IdentityError, _>(|conn| {
            async move {
                // Every refresh and every revocation of a family takes the family's lock first, so
                // they take turns: a rotation cannot slip a new token past the family's revocation.
                let Some(family) = refresh_tokens::family_of(conn, &jti).await? else {
                    return Ok(Refreshed::Revoked);
                };
                refresh_tokens::lock_family(conn, family).await?;
                let Some(token) = refresh_tokens::lock_by_jti(conn, &jti).await? else {
                    return Ok(Refreshed::Revoked);
                };
                match (&token.revoked, &token.replaced_by) {
                    (None, _) => {
                        let Some(user) = active_user(conn, token.user_id).await? else {
                            return Ok(Refreshed::NoAccount);
                        };
                        let issued =
                            session::issue(&st, conn, user.id, user.role, token.family_id).await?;
                        refresh_tokens::rotate(conn, token.id, &issued.refresh_jti).await?;
                        Ok(Refreshed::Issued(issued))
                    }
                    // A duplicate of a refresh that just rotated this token (requests racing from one
                    // phone): the family's live token, reached through successors each rotated
                    // within the window, so the family keeps one chain; past that, refused quietly.
                    (Some((at, RevokedReason::Rotated)), Some(successor))
                        if Utc::now() - *at <= grace =>
                    {
                        let mut next = successor.clone();
                        for _ in 0..MAX_SUCCESSORS_FOLLOWED {
                            let Some(t) = refresh_tokens::lock_by_jti(conn, &next).await? else {
                                break;
                            };
                            match (&t.revoked, &t.replaced_by) {
                                (None, _) => {
                                    let Some(user) = active_user(conn, t.user_id).await? else {
                                        return Ok(Refreshed::NoAccount);
                                    };
                                    let issued = session::reissue(&st, &t, user.role)?;
                                    return Ok(Refreshed::Issued(issued));
                                }
                                (Some((at, RevokedReason::Rotated)), Some(s))
                                    if Utc::now() - *at <= grace =>
                                {
                                    next = s.clone();
                                }
                                _ => break,
                            }
                        }
                        Ok(Refreshed::Revoked)
                    }
                    // Reuse of a rotated token after the grace window: a stolen copy; the whole
                    // family is revoked.
                    (Some((_, RevokedReason::Rotated)), _) => {
                        refresh_tokens::revoke_family(conn, token.family_id).await?;
                        Ok(Refreshed::ReuseDetected)
                    }
                    (Some(_), _) => Ok(Refreshed::Revoked),
                }
            }
            .scope_boxed()
        })
        .await?;
    match outcome {
        Refreshed::Issued(pair) => Ok(web::Json(TokenPair {
            access: pair.access,
            refresh: pair.refresh,
        })),
        Refreshed::ReuseDetected => {
            tracing::warn!(user_id = %claims.user_id, "refresh token reuse: family revoked");
            Err(blacklisted())
        }
        Refreshed::Revoked => Err(blacklisted()),
        Refreshed::NoAccount => Err(ApiError::coded(
            StatusCode::UNAUTHORIZED,
            "No active account found for the given token.",
            "no_active_account",
        )
        .into()),
    }
}

/// Log out
///
/// Revokes the given refresh token (205). Without one, nothing is revoked (205). An invalid, expired,
/// foreign or already revoked token is a 400 with an empty body.
#[api_v2_operation(tags(Auth))]
pub async fn logout(
    state: web::Data<AppState>,
    auth: AuthUser,
    body: hm_platform::input::Valid<LogoutBody>,
) -> Result<Reply<NoBody, 205>> {
    super::me::active_user(&state, &auth).await?;
    let Some(token) = body.0.refresh else {
        return Ok(Reply::empty());
    };
    let rejected = || IdentityError::from(ApiError::empty(StatusCode::BAD_REQUEST));
    let claims = state
        .verifier
        .verify(&token, TokenType::Refresh)
        .await
        .map_err(|_| rejected())?;
    if claims.user_id != auth.id {
        return Err(rejected());
    }
    let jti = claims.jti.unwrap_or_default();
    let mut conn = state.db.get().await?;
    let revoked = conn
        .transaction::<_, IdentityError, _>(|conn| {
            async move {
                match refresh_tokens::lock_by_jti(conn, &jti).await? {
                    Some(t) if t.revoked.is_none() => {
                        refresh_tokens::revoke(conn, t.id, RevokedReason::Logout).await?;
                        Ok(true)
                    }
                    _ => Ok(false),
                }
            }
            .scope_boxed()
        })
        .await?;
    if revoked {
        Ok(Reply::empty())
    } else {
        Err(rejected())
    }
}
