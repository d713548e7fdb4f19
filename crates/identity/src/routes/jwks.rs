//! `GET /.well-known/jwks.json`: the public keys that verify identity's tokens (current and retired).

use crate::AppState;
use hm_platform::auth::Jwks;
use hm_platform::reply::Reply;
use paperclip::actix::{api_v2_operation, web};

/// Token signing keys (JWKS)
#[api_v2_operation(tags(Auth))]
pub async fn jwks(state: web::Data<AppState>) -> Reply<Jwks> {
    let keys = crate::jwks(&state.config);
    Reply::build(|res| {
        res.insert_header(("Cache-Control", "public, max-age=300"))
            .json(keys)
    })
}
