//! Phone-OTP login (API §3.1–3.4): request-otp, verify-otp, refresh, logout.

use super::dto::*;
use crate::domain::otp;
use crate::error::{IdentityError, Result};
use crate::sign_in;
use crate::store::otp_logs::Client;
use crate::store::{sessions, users};
use crate::AppState;
use actix_web::HttpRequest;
use hm_platform::auth::{AuthUser, MaybeAuthUser, TokenType};
use hm_platform::reply::NoBody;
use hm_platform::reply::Reply;
use hm_platform::telemetry::RequestId;
use paperclip::actix::{api_v2_operation, web};

fn client_of(req: &HttpRequest) -> Client {
    Client {
        ip: hm_platform::http::client_ip(req).map(ipnet::IpNet::from),
        user_agent: hm_platform::http::user_agent(req, 512),
    }
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
    let role = body.role.as_deref();
    let sent =
        sign_in::request_otp(&state, &body.phone, role, &client, RequestId::of(&req)).await?;
    Ok(web::Json(RequestOtpResponse {
        request_id: sent.request_id,
        ttl: state.config.otp.ttl.as_secs(),
        message: otp::sent_message(&body.phone, sent.is_existing_user),
        is_existing_user: sent.is_existing_user,
        dev_otp: state.config.common.debug.then_some(sent.code),
    }))
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
    let correlation = RequestId::of(&req);
    let login =
        sign_in::verify_otp(&state, body.request_id, &body.otp, &client, correlation).await?;
    Ok(web::Json(LoginResponse {
        access: login.issued.access,
        refresh: login.issued.refresh,
        profile_exists: login.user.profile_exists(),
        user: UserBody::from(&login.user),
        is_new_user: login.is_new_user,
    }))
}

// Rotate a refresh token: a new access and refresh token; the presented refresh token is revoked.
// Presenting an already rotated token again (after a short grace window) revokes every token of that
// login. (No doc comment: it would become the operation's summary in the checked-in document.)
#[api_v2_operation(tags(Auth))]
pub async fn refresh(
    state: web::Data<AppState>,
    body: hm_platform::input::Valid<RefreshBody>,
) -> Result<web::Json<TokenPair>> {
    let claims = state
        .verifier
        .verify(&body.refresh, TokenType::Refresh)
        .await
        .map_err(IdentityError::RefreshTokenInvalid)?;
    let jti = claims.jti.unwrap_or_default();
    let mut conn = state.db.get().await?;
    let pair = sessions::refresh(&mut conn, &state.config.tokens, &jti).await?;
    Ok(web::Json(TokenPair {
        access: pair.access,
        refresh: pair.refresh,
    }))
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
    let mut conn = state.db.get().await?;
    users::signed_in(&mut conn, auth.id).await?;
    let Some(token) = body.0.refresh else {
        return Ok(Reply::empty());
    };
    let claims = state
        .verifier
        .verify(&token, TokenType::Refresh)
        .await
        .map_err(|_| IdentityError::LogoutRefused)?;
    if claims.user_id != auth.id {
        return Err(IdentityError::LogoutRefused);
    }
    sessions::log_out(&mut conn, &claims.jti.unwrap_or_default()).await?;
    Ok(Reply::empty())
}
