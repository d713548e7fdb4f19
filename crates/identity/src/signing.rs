//! Signing the token pairs identity issues (ARCHITECTURE §5): the access token is stateless, the refresh
//! token is registered by the store so it can be rotated, revoked at logout, and its family revoked on
//! reuse.

use crate::config::TokenSettings;
use crate::domain::tokens::{self, StoredToken};
use crate::error::{IdentityError, Result};
use chrono::{DateTime, Utc};
use hm_contracts::Role;
use hm_platform::auth::{Claims, TokenType};
use uuid::Uuid;

/// A signed pair as the client gets it.
pub struct Issued {
    pub access: String,
    pub refresh: String,
    /// The refresh token's `jti` (its row in the registry).
    pub refresh_jti: String,
}

/// A new pair and the times of its refresh token, for the registry.
pub struct NewPair {
    pub issued: Issued,
    pub issued_at: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
}

/// Signs a new pair for `user_id`.
pub fn pair(settings: &TokenSettings, user_id: Uuid, role: Role) -> Result<NewPair> {
    let now = Utc::now();
    let access = sign(
        settings,
        &tokens::claims(
            audience(settings),
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
        audience(settings),
        TokenType::Refresh,
        user_id,
        role,
        jti.clone(),
        now,
        settings.refresh_lifetime,
    );
    let refresh = sign(settings, &claims)?;
    let at = |seconds: i64| DateTime::from_timestamp(seconds, 0).unwrap_or(now);
    Ok(NewPair {
        issued: Issued {
            access,
            refresh,
            refresh_jti: jti,
        },
        issued_at: at(claims.iat),
        expires_at: at(claims.exp),
    })
}

/// The pair of a refresh token already issued (`stored`, a successor at rotation): the same refresh
/// token, signed again from its recorded claims (Ed25519 signatures are deterministic, so the bytes
/// are the same while the key is), and a fresh access token. Nothing new is recorded.
pub fn again(settings: &TokenSettings, stored: &StoredToken, role: Role) -> Result<Issued> {
    let mut claims = tokens::claims(
        audience(settings),
        TokenType::Refresh,
        stored.user_id,
        role,
        stored.jti.clone(),
        stored.issued_at,
        settings.refresh_lifetime,
    );
    claims.exp = stored.expires_at.timestamp();
    let refresh = sign(settings, &claims)?;
    let access = sign(
        settings,
        &tokens::claims(
            audience(settings),
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

fn audience(settings: &TokenSettings) -> tokens::Audience<'_> {
    tokens::Audience {
        issuer: &settings.auth.issuer,
        audience: &settings.auth.audience,
    }
}

fn sign(settings: &TokenSettings, claims: &Claims) -> Result<String> {
    settings
        .signing_key
        .sign(claims)
        .map_err(|e| IdentityError::Signing(e.to_string()))
}
