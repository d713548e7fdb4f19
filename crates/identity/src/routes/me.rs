//! `GET /api/v1/auth/me/`: the caller's own account.

use super::dto::MeBody;
use crate::domain::user::User;
use crate::error::Result;
use crate::store::users;
use crate::AppState;
use actix_web::http::StatusCode;
use hm_platform::auth::AuthUser;
use hm_platform::ApiError;
use paperclip::actix::{api_v2_operation, web};

/// The caller's account, refusing tokens of deleted or deactivated users (API §1.4).
pub async fn active_user(state: &AppState, auth: &AuthUser) -> Result<User> {
    let mut conn = state.db.get().await?;
    match users::by_id(&mut conn, auth.id).await? {
        None => Err(
            ApiError::coded(StatusCode::UNAUTHORIZED, "User not found", "user_not_found").into(),
        ),
        Some(u) if !u.is_active => Err(ApiError::coded(
            StatusCode::UNAUTHORIZED,
            "User is inactive",
            "user_inactive",
        )
        .into()),
        Some(u) => Ok(u),
    }
}

/// The signed-in user
#[api_v2_operation(tags(Auth))]
pub async fn me(state: web::Data<AppState>, auth: AuthUser) -> Result<web::Json<MeBody>> {
    let user = active_user(&state, &auth).await?;
    Ok(web::Json(MeBody::new(
        &user,
        hm_platform::time::render(user.created_at),
    )))
}
