//! The claims of the tokens identity issues (ARCHITECTURE §5).

use chrono::{DateTime, Utc};
use hm_contracts::tokens::{Claims, TokenType};
use hm_contracts::Role;
use std::time::Duration;
use uuid::Uuid;

/// A fresh `jti`: 32 lowercase hex characters (API §1.4).
pub fn new_jti() -> String {
    Uuid::new_v4().simple().to_string()
}

/// Who issues the tokens and for whom (`iss`, `aud`).
#[derive(Debug, Clone, Copy)]
pub struct Audience<'a> {
    pub issuer: &'a str,
    pub audience: &'a str,
}

pub fn claims(
    auth: Audience<'_>,
    token_type: TokenType,
    user_id: Uuid,
    role: Role,
    jti: String,
    now: DateTime<Utc>,
    lifetime: Duration,
) -> Claims {
    let iat = now.timestamp();
    Claims {
        token_type,
        user_id,
        role,
        jti: Some(jti),
        iat,
        exp: iat + i64::try_from(lifetime.as_secs()).unwrap_or(i64::MAX / 2),
        iss: auth.issuer.to_owned(),
        aud: auth.audience.to_owned(),
    }
}
