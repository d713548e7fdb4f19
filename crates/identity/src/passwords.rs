//! Admin passwords: argon2id PHC strings, hashed and checked on the blocking pool so the async workers
//! never stall on a deliberately slow hash.

use argon2::password_hash::{
    rand_core::OsRng, PasswordHash, PasswordHasher, PasswordVerifier, SaltString,
};
use argon2::Argon2;

/// A valid argon2id hash of a random string, used when no account matches (constant-time refusal).
pub const DUMMY_HASH: &str =
    "$argon2id$v=19$m=19456,t=2,p=1$c29tZXNhbHRzb21lc2FsdA$3ZqOeD9xJ5zL1c0eY2O3wqQm7b6b2n7u0m2Qm4f2m3o";

/// Why a password could not be hashed.
#[derive(Debug, thiserror::Error)]
pub enum HashError {
    #[error("argon2: {0}")]
    Argon2(argon2::password_hash::Error),
    #[error("hashing task: {0}")]
    Task(#[from] tokio::task::JoinError),
}

/// An argon2id PHC string of `password` with a fresh salt.
pub async fn hash(password: String) -> Result<String, HashError> {
    tokio::task::spawn_blocking(move || {
        let salt = SaltString::generate(&mut OsRng);
        Argon2::default()
            .hash_password(password.as_bytes(), &salt)
            .map(|h| h.to_string())
            .map_err(HashError::Argon2)
    })
    .await?
}

pub async fn verify(password: String, hash: String) -> bool {
    tokio::task::spawn_blocking(move || {
        PasswordHash::new(&hash)
            .map(|parsed| {
                Argon2::default()
                    .verify_password(password.as_bytes(), &parsed)
                    .is_ok()
            })
            .unwrap_or(false)
    })
    .await
    .unwrap_or(false)
}

#[cfg(test)]
mod tests {
    #[tokio::test]
    async fn hashes_verify_and_differ_per_salt() -> Result<(), super::HashError> {
        let a = super::hash("s3cret-pass".into()).await?;
        let b = super::hash("s3cret-pass".into()).await?;
        assert_ne!(a, b);
        assert!(a.starts_with("$argon2id$"));
        assert!(super::verify("s3cret-pass".into(), a.clone()).await);
        assert!(!super::verify("wrong".into(), a).await);
        assert!(!super::verify("x".into(), super::DUMMY_HASH.into()).await);
        Ok(())
    }
}
