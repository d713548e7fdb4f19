//! Issuing and rotating token pairs: the access token is stateless, the refresh token is registered so it
//! can be rotated, revoked at logout, and its family revoked on reuse (ARCHITECTURE §5).

use crate::domain::tokens;
use crate::error::Result;
use crate::store::refresh_tokens;
use crate::AppState;
use chrono::Utc;
use diesel_async::AsyncPgConnection;
use hm_contracts::Role;
use hm_platform::auth::TokenType;
use uuid::Uuid;

pub struct Issued {
    pub access: String,
    pub refresh: String,
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
    let sign = |token_type, lifetime| {
        let claims = tokens::claims(
            &settings.auth,
            token_type,
            user_id,
            role,
            tokens::new_jti(),
            now,
            lifetime,
        );
        let token = settings
            .signing_key
            .sign(&claims)
            .map_err(|e| crate::error::IdentityError::Internal(e.to_string()))?;
        Ok::<_, crate::error::IdentityError>((token, claims))
    };
    let (access, _) = sign(TokenType::Access, settings.access_lifetime)?;
    let (refresh, refresh_claims) = sign(TokenType::Refresh, settings.refresh_lifetime)?;
    let expires_at = chrono::DateTime::from_timestamp(refresh_claims.exp, 0).unwrap_or(now);
    let jti = refresh_claims.jti.unwrap_or_default();
    refresh_tokens::insert(conn, &jti, user_id, family_id, expires_at).await?;
    Ok(Issued { access, refresh })
}
