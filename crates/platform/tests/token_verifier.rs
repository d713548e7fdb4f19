//! The token verifier against a real JWKS endpoint: a request abandoned while the keys are being
//! fetched (its body refused first, its client gone) must not leave later requests without keys.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use futures_util::FutureExt;
use hm_contracts::Role;
use hm_platform::auth::{TokenType, TokenVerifier};
use hm_platform::testing::TestKeys;
use uuid::Uuid;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
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
