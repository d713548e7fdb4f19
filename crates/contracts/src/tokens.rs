//! The claims of the JWTs identity issues and every service verifies (API §1.4, ARCHITECTURE §5).

use crate::Role;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// `access` (sent with every request) or `refresh` (exchanged for a new pair).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum TokenType {
    Access,
    Refresh,
}

/// A token's claims: `iat` and `exp` in seconds since the epoch, `jti` 32 lowercase hex characters.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Claims {
    pub token_type: TokenType,
    pub user_id: Uuid,
    pub role: Role,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub jti: Option<String>,
    pub iat: i64,
    pub exp: i64,
    pub iss: String,
    pub aud: String,
}
