//! The sign-in flows behind the auth endpoints (DOMAIN §1.2): OTP challenges and their limits in Redis,
//! the SMS hand-over, the audit log, and the session the store opens; admin sign-in with a password.

use crate::domain::otp::{self, Failure, OtpAction};
use crate::domain::user::{parse_role, User};
use crate::error::{IdentityError, Result};
use crate::events;
use crate::passwords;
use crate::signing::Issued;
use crate::store::challenges::{self, Challenge, Limits};
use crate::store::otp_logs::{self, Client};
use crate::store::sessions::{self, PhoneLogin};
use crate::store::users;
use crate::AppState;
use uuid::Uuid;

/// A code handed over for SMS delivery.
pub struct OtpSent {
    pub request_id: Uuid,
    /// The code itself: `dev_otp` in debug, never stored.
    pub code: String,
    pub is_existing_user: bool,
}

/// Starts a challenge for `phone` (the user's `role` if the login creates them): within the limits, a
/// new code is stored as its hash and handed to SMS delivery. A code that cannot be handed over does not
/// count against the limits.
pub async fn request_otp(
    state: &AppState,
    phone: &str,
    role: Option<&str>,
    client: &Client,
    correlation: Option<String>,
) -> Result<OtpSent> {
    let settings = &state.config.otp;
    let ip = client
        .ip
        .map(|ip| ip.addr().to_string())
        .unwrap_or_default();
    let is_existing_user = {
        let mut conn = state.db.get().await?;
        users::phone_exists(&mut conn, phone).await?
    };
    let mut redis = state.redis.get().await?;
    let limits = Limits {
        per_minute: settings.per_minute,
        per_hour: settings.per_hour,
        per_ip_hour: settings.per_ip_hour,
    };
    if let Some(limited) = challenges::reserve(&mut redis, &state.keys, phone, &ip, &limits).await?
    {
        return Err(IdentityError::TooManyRequests(limited));
    }
    let code = otp::new_code(settings.use_fixed, settings.length);
    let request_id = Uuid::new_v4();
    let challenge = Challenge {
        phone: phone.to_owned(),
        otp_hash: otp::hash(&code, phone, &state.config.secret_key),
        role: role.unwrap_or("worker").to_owned(),
    };
    let ttl = settings.ttl;
    challenges::store(
        &mut redis,
        &state.keys,
        request_id,
        &challenge,
        ttl.as_secs(),
    )
    .await?;
    let sent = events::publish_otp(&state.broker, request_id, phone, &code, ttl, correlation).await;
    if let Err(e) = sent {
        // Nothing was sent, so nothing may count: the challenge and the rate-limit slot go back.
        let _ = challenges::discard(&mut redis, &state.keys, request_id).await;
        let _ = challenges::release(&mut redis, &state.keys, phone, &ip).await;
        return Err(e.into());
    }
    tracing::debug!(%request_id, otp = %code, "OTP issued");
    audit(state, phone, request_id, OtpAction::Request, client).await;
    Ok(OtpSent {
        request_id,
        code,
        is_existing_user,
    })
}

/// Exchanges the code of challenge `request_id` for a session, creating the user on first login. A
/// challenge is single-use and is burned after `OTP_MAX_VERIFY_ATTEMPTS` wrong codes.
pub async fn verify_otp(
    state: &AppState,
    request_id: Uuid,
    code: &str,
    client: &Client,
    correlation: Option<String>,
) -> Result<PhoneLogin> {
    let challenge = redeem(state, request_id, code, client).await?;
    let mut conn = state.db.get().await?;
    let login = sessions::sign_in_by_phone(
        &mut conn,
        &state.config.tokens,
        &challenge.phone,
        parse_role(&challenge.role),
        correlation,
    )
    .await?;
    let phone = login.user.phone.clone().unwrap_or_default();
    otp_logs::record(
        &mut conn,
        &phone,
        request_id,
        OtpAction::VerifySuccess,
        client,
    )
    .await;
    Ok(login)
}

/// The challenge `request_id` if `code` is its code, consumed; a wrong code is audited and counted.
async fn redeem(
    state: &AppState,
    request_id: Uuid,
    code: &str,
    client: &Client,
) -> Result<Challenge> {
    let mut redis = state.redis.get().await?;
    let Some(challenge) = challenges::load(&mut redis, &state.keys, request_id).await? else {
        return Err(IdentityError::ChallengeUnknown);
    };
    let secret_key = &state.config.secret_key;
    if !otp::matches(code, &challenge.phone, secret_key, &challenge.otp_hash) {
        audit(
            state,
            &challenge.phone,
            request_id,
            OtpAction::VerifyFail,
            client,
        )
        .await;
        let max = state.config.otp.max_verify_attempts;
        return Err(
            match challenges::record_failure(&mut redis, &state.keys, request_id, max).await? {
                Failure::Counted => IdentityError::WrongCode,
                Failure::Burned => IdentityError::ChallengeBurned,
                Failure::Gone => IdentityError::ChallengeUnknown,
            },
        );
    }
    if !challenges::consume(&mut redis, &state.keys, request_id).await? {
        // A concurrent verify of the same code won.
        return Err(IdentityError::ChallengeUnknown);
    }
    Ok(challenge)
}

/// Audit rows must never fail a login: no connection, like a failed insert, is logged instead.
async fn audit(
    state: &AppState,
    phone: &str,
    request_id: Uuid,
    action: OtpAction,
    client: &Client,
) {
    match state.db.get().await {
        Ok(mut conn) => otp_logs::record(&mut conn, phone, request_id, action, client).await,
        Err(e) => {
            tracing::warn!(error = %e, action = action.as_str(), "could not write the OTP audit row")
        }
    }
}

/// Back-office sign-in: a pair for the active staff account with this email and password, else
/// [`IdentityError::BadCredentials`].
pub async fn admin(state: &AppState, email: &str, password: String) -> Result<(User, Issued)> {
    let mut conn = state.db.get().await?;
    let found = users::admin_by_email(&mut conn, email).await?;
    // Verify against a dummy hash when the account is missing, so timing does not reveal which emails exist.
    let (user, hash) = match found {
        Some((user, hash)) => (Some(user), hash),
        None => (None, passwords::DUMMY_HASH.to_owned()),
    };
    let password_ok = passwords::verify(password, hash).await;
    let user = match user {
        Some(user) if password_ok && user.is_active => user,
        _ => return Err(IdentityError::BadCredentials),
    };
    let issued = sessions::issue(
        &mut conn,
        &state.config.tokens,
        user.id,
        user.role,
        Uuid::new_v4(),
    )
    .await?;
    Ok((user, issued))
}
