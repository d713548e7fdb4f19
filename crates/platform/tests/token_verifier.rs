//! The token verifier against a real JWKS endpoint: a request abandoned while the keys are being
//! fetched (its body refused first, its client gone) must not leave later requests without keys.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use futures_util::FutureExt;
use hm_contracts::Role;
use hm_platform::auth::{TokenError, TokenType, TokenVerifier};
use hm_platform::testing::TestKeys;
use uuid::Uuid;

// One thread: the fetch the first poll starts cannot finish before the caller is gone, however loaded
// the machine (on two, a preempted caller could find the keys already in).
#[tokio::test]
async fn an_abandoned_first_verification_still_brings_the_keys_in() {
    let keys = TestKeys::default();
    let (_jwks, auth) = keys.serve().await;
    let verifier = TokenVerifier::new(auth);
    let token = keys.mint(Uuid::new_v4(), Role::Worker);
    // Polled once (it starts fetching the JWKS), then dropped.
    assert!(verifier
        .verify(&token, TokenType::Access)
        .now_or_never()
        .is_none());
    let claims = verifier
        .verify(&token, TokenType::Access)
        .await
        .expect("the keys arrived although the first caller left");
    assert_eq!(claims.token_type, TokenType::Access);
}

/// Verified tokens are answered from memory (issue #20); the memory must answer exactly as a full
/// verification would: the same token of another type is refused, a token that expired since is refused
/// as expired, and a token differing in one byte from a cached one is verified (and refused) in full.
#[tokio::test]
async fn a_cached_verification_answers_as_the_full_one_would() {
    let keys = TestKeys::default();
    let verifier = keys.verifier();
    let user = Uuid::new_v4();
    // Valid for two seconds: verified once, cached, then expired while cached.
    let short = keys
        .key
        .sign(&keys.claims(user, Role::Worker, TokenType::Access, 2))
        .unwrap();
    for _ in 0..2 {
        let claims = verifier.verify(&short, TokenType::Access).await.unwrap();
        assert_eq!(claims.user_id, user);
    }
    assert!(matches!(
        verifier.verify(&short, TokenType::Refresh).await,
        Err(TokenError::WrongType)
    ));
    // Forged: the cached token's signature with another payload, and one signature character changed.
    let (signed, signature) = short.rsplit_once('.').unwrap();
    let other = keys
        .key
        .sign(&keys.claims(Uuid::new_v4(), Role::Admin, TokenType::Access, 3600))
        .unwrap();
    let (other_signed, _) = other.rsplit_once('.').unwrap();
    let spliced = format!("{other_signed}.{signature}");
    let mut flipped = short.clone().into_bytes();
    let inside = flipped.len() - 10;
    flipped[inside] = if flipped[inside] == b'A' { b'B' } else { b'A' };
    let flipped = String::from_utf8(flipped).unwrap();
    for forged in [spliced.as_str(), flipped.as_str(), signed] {
        assert!(matches!(
            verifier.verify(forged, TokenType::Access).await,
            Err(TokenError::Invalid)
        ));
    }
    tokio::time::sleep(std::time::Duration::from_millis(3100)).await;
    assert!(matches!(
        verifier.verify(&short, TokenType::Access).await,
        Err(TokenError::Expired)
    ));
}
