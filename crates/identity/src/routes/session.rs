//! Issuing and rotating token pairs: the access token is stateless, the refresh token is registered so it
//! can be rotated, revoked at logout, and its family revoked on reuse (ARCHITECTURE §5).

use crate::domain::tokens;
use crate::error::Result;
use crate::store::refresh_tokens::{self, StoredToken};
use crate::AppState;
use chrono::Utc;
use diesel_async::AsyncPgConnection;
use hm_contracts::Role;
use hm_platform::auth::TokenType;
use uuid::Uuid;

pub struct Issued {
    pub access: String,
    pub refresh: String,
    /// The refresh token's `jti` (its row in the registry).
    pub refresh_jti: String,
}

/// Signs a pair for `user_id` and records the refresh token in `family_id` (a new login starts one).
pub async fn issue(
    state: &AppState,
    conn: &mut AsyncPgConnection,
    user_id: Uuid,
    role: Role,
    family_id: Uuid,
) -> Result<Issued> {
    let settings = &state.config.tokens;
    let now = Utc::now();
    let access = sign(
        state,
        &tokens::claims(
            audience(&settings.auth),
            TokenType::Access,
            user_id,
            role,
            tokens::new_jti(),
            now,
            settings.access_lifetime,
        ),
    )?;
    let jti = tokens::new_jti();
    let claims = tokens::claims(
        audience(&settings.auth),
        TokenType::Refresh,
        user_id,
        role,
        jti.clone(),
        now,
        settings.refresh_lifetime,
    );
    let refresh = sign(state, &claims)?;
    let at = |seconds: i64| chrono::DateTime::from_timestamp(seconds, 0).unwrap_or(now);
    refresh_tokens::insert(
        conn,
        &jti,
        user_id,
        family_id,
        at(claims.iat),
        at(claims.exp),
    )
    .await?;
    Ok(Issued {
        access,
        refresh,
        refresh_jti: jti,
    })
}

/// The pair of a refresh token already issued (`stored`, a successor at rotation): the same refresh
/// token, signed again from its recorded claims (Ed25519 signatures are deterministic, so the bytes
/// are the same while the key is), and a fresh access token. Nothing new is recorded.
pub fn reissue(state: &AppState, stored: &StoredToken, role: Role) -> Result<Issued> {
    let settings = &state.config.tokens;
    let mut claims = tokens::claims(
        audience(&settings.auth),
        TokenType::Refresh,
        stored.user_id,
        role,
        stored.jti.clone(),
        stored.issued_at,
        settings.refresh_lifetime,
    );
    claims.exp = stored.expires_at.timestamp();
    let refresh = sign(state, &claims)?;
    let access = sign(
        state,
        &tokens::claims(
            audience(&settings.auth),
            TokenType::Access,
            stored.user_id,
            role,
            tokens::new_jti(),
            Utc::now(),
            settings.access_lifetime,
        ),
    )?;
    Ok(Issued {
        access,
        refresh,
        refresh_jti: stored.jti.clone(),
    })
}

fn audience(auth: &hm_platform::auth::AuthConfig) -> tokens::Audience<'_> {
    tokens::Audience {
        issuer: &auth.issuer,
        audience: &auth.audience,
    }
}

fn sign(state: &AppState, claims: &hm_platform::auth::Claims) -> Result<String> {
    state
        .config
        .tokens
        .signing_key
        .sign(claims)
        .map_err(|e| crate::error::IdentityError::Internal(e.to_string()))
}
