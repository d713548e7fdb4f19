//! `POST /api/v1/auth/admin/login/`: back-office sign-in with email and password (ARCHITECTURE §5).

use super::dto::{AdminLoginBody, AdminLoginResponse, MeBody};
use super::session;
use crate::error::{IdentityError, Result};
use crate::passwords;
use crate::store::users;
use crate::AppState;
use actix_web::http::StatusCode;
use hm_platform::input::Valid;
use hm_platform::ApiError;
use paperclip::actix::{api_v2_operation, web};
use uuid::Uuid;

fn refused() -> IdentityError {
    ApiError::detail(
        StatusCode::UNAUTHORIZED,
        "No active account found with the given credentials",
    )
    .into()
}

/// Admin sign-in
///
/// Returns tokens with role `admin` for an active staff account.
#[api_v2_operation(tags(Admin))]
pub async fn login(
    state: web::Data<AppState>,
    body: Valid<AdminLoginBody>,
) -> Result<web::Json<AdminLoginResponse>> {
    let body = body.0;
    let mut conn = state.db.get().await?;
    let found = users::admin_by_email(&mut conn, &body.email).await?;
    // Verify against a dummy hash when the account is missing, so timing does not reveal which emails exist.
    let (user, hash) = match found {
        Some((user, hash)) => (Some(user), hash),
        None => (None, passwords::DUMMY_HASH.to_owned()),
    };
    let password_ok = passwords::verify(body.password, hash).await;
    let user = match user {
        Some(user) if password_ok && user.is_active => user,
        _ => return Err(refused()),
    };
    let issued = session::issue(&state, &mut conn, user.id, user.role, Uuid::new_v4()).await?;
    Ok(web::Json(AdminLoginResponse {
        access: issued.access,
        refresh: issued.refresh,
        user: MeBody::new(&user, hm_platform::time::render(user.created_at)),
    }))
}
