//! `POST /api/v1/auth/admin/login/`: back-office sign-in with email and password (ARCHITECTURE §5).

use super::dto::{AdminLoginBody, AdminLoginResponse, MeBody};
use crate::error::Result;
use crate::sign_in;
use crate::AppState;
use hm_platform::input::Valid;
use paperclip::actix::{api_v2_operation, web};

/// Admin sign-in
///
/// Returns tokens with role `admin` for an active staff account.
#[api_v2_operation(tags(Admin))]
pub async fn login(
    state: web::Data<AppState>,
    body: Valid<AdminLoginBody>,
) -> Result<web::Json<AdminLoginResponse>> {
    let body = body.0;
    let (user, issued) = sign_in::admin(&state, &body.email, body.password).await?;
    Ok(web::Json(AdminLoginResponse {
        access: issued.access,
        refresh: issued.refresh,
        user: MeBody::new(&user, hm_platform::time::render(user.created_at)),
    }))
}
