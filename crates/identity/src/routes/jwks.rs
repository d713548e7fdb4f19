//! `GET /.well-known/jwks.json`: the public keys that verify identity's tokens (current and retired).

use crate::AppState;
use actix_web::HttpResponse;
use hm_platform::auth::Jwks;
use paperclip::actix::{api_v2_operation, web};

/// Token signing keys (JWKS)
#[api_v2_operation(tags(Auth))]
pub async fn jwks(state: web::Data<AppState>) -> HttpResponse {
    let tokens = &state.config.tokens;
    let keys = std::iter::once(&tokens.signing_key)
        .chain(tokens.previous_keys.iter())
        .map(|k| k.jwk().clone())
        .collect();
    HttpResponse::Ok()
        .insert_header(("Cache-Control", "public, max-age=300"))
        .json(Jwks { keys })
}
