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

/// The claims of a token of `token_type` for `user_id`, issued `now`, valid for `lifetime`.
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

/// Why a refresh token was revoked (`refresh_tokens.revoked_reason`, stored as the same strings).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RevokedReason {
    /// Replaced by its successor at a refresh.
    Rotated,
    /// Revoked at logout (or when the user was deactivated).
    Logout,
    /// Revoked with its whole family when a rotated token came back.
    Reuse,
}

impl RevokedReason {
    /// The stored spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            RevokedReason::Rotated => "rotated",
            RevokedReason::Logout => "logout",
            RevokedReason::Reuse => "reuse",
        }
    }

    /// Reads a stored reason; an unknown one counts as the strictest, `reuse`.
    pub fn parse(s: &str) -> Self {
        match s {
            "rotated" => RevokedReason::Rotated,
            "logout" => RevokedReason::Logout,
            _ => RevokedReason::Reuse,
        }
    }
}

/// A registered refresh token (`refresh_tokens`).
#[derive(Debug, Clone)]
pub struct StoredToken {
    pub id: Uuid,
    pub jti: String,
    pub user_id: Uuid,
    pub family_id: Uuid,
    /// The `iat` and `exp` of its claims, so the same token can be signed again.
    pub issued_at: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
    pub revoked: Option<(DateTime<Utc>, RevokedReason)>,
    /// The `jti` of the token that replaced it at rotation.
    pub replaced_by: Option<String>,
}

impl StoredToken {
    /// Where this token stands at `now` ([`standing`]).
    pub fn standing(&self, now: DateTime<Utc>, grace: chrono::Duration) -> Standing {
        standing(self.revoked, self.replaced_by.as_deref(), now, grace)
    }
}

/// Where a presented refresh token stands (ARCHITECTURE §5).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Standing {
    /// Not revoked: it may be rotated.
    Live,
    /// Rotated within the grace window: a duplicate of a refresh that just happened (requests racing
    /// from one phone); its successor's `jti`.
    JustRotated(String),
    /// Rotated before the grace window: a stolen copy, its family must be revoked.
    Reused,
    /// Revoked otherwise (logout, reuse): refused quietly.
    Revoked,
}

/// The standing of a token revoked `revoked` (when, why), replaced by `replaced_by`, at `now`.
pub fn standing(
    revoked: Option<(DateTime<Utc>, RevokedReason)>,
    replaced_by: Option<&str>,
    now: DateTime<Utc>,
    grace: chrono::Duration,
) -> Standing {
    match (revoked, replaced_by) {
        (None, _) => Standing::Live,
        (Some((at, RevokedReason::Rotated)), Some(successor)) if now - at <= grace => {
            Standing::JustRotated(successor.to_owned())
        }
        (Some((_, RevokedReason::Rotated)), _) => Standing::Reused,
        (Some(_), _) => Standing::Revoked,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_token_stands_by_when_and_why_it_was_revoked() {
        let now = Utc::now();
        let grace = chrono::Duration::seconds(10);
        let rotated = |ago| Some((now - chrono::Duration::seconds(ago), RevokedReason::Rotated));
        assert_eq!(standing(None, None, now, grace), Standing::Live);
        assert_eq!(
            standing(rotated(5), Some("next"), now, grace),
            Standing::JustRotated("next".into())
        );
        assert_eq!(
            standing(rotated(11), Some("next"), now, grace),
            Standing::Reused
        );
        assert_eq!(standing(rotated(5), None, now, grace), Standing::Reused);
        let logout = Some((now, RevokedReason::Logout));
        assert_eq!(
            standing(logout, Some("next"), now, grace),
            Standing::Revoked
        );
    }

    #[test]
    fn reasons_keep_their_stored_spelling() {
        for r in [
            RevokedReason::Rotated,
            RevokedReason::Logout,
            RevokedReason::Reuse,
        ] {
            assert_eq!(RevokedReason::parse(r.as_str()), r);
        }
        assert_eq!(RevokedReason::parse("?"), RevokedReason::Reuse);
    }
}
