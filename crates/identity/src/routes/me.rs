//! `GET /api/v1/auth/me/`: the caller's own account.

use super::dto::MeBody;
use crate::error::Result;
use crate::store::users;
use crate::AppState;
use hm_platform::auth::AuthUser;
use paperclip::actix::{api_v2_operation, web};

/// The signed-in user
#[api_v2_operation(tags(Auth))]
pub async fn me(state: web::Data<AppState>, auth: AuthUser) -> Result<web::Json<MeBody>> {
    let mut conn = state.db.get().await?;
    let user = users::signed_in(&mut conn, auth.id).await?;
    Ok(web::Json(MeBody::new(
        &user,
        hm_platform::time::render(user.created_at),
    )))
}
