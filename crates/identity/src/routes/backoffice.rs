//! The back office's identity (issue #9, admins only): users with search and filters, activation and
//! names (each change announced as `identity.user.updated`; deactivation also ends the user's sessions),
//! the OTP audit log, and the numbers of the dashboard.

use crate::error::Result;
use crate::events;
use crate::store::backoffice::{self, IdentityStats, OtpLogRow, UserRow};
use crate::store::{refresh_tokens, users};
use crate::AppState;
use actix_web::http::StatusCode;
use actix_web::HttpRequest;
use diesel_async::scoped_futures::ScopedFutureExt;
use diesel_async::AsyncConnection;
use hm_platform::admin;
use hm_platform::auth::AdminUser;
use hm_platform::error::FieldErrors;
use hm_platform::input::{FromInput, Input, Text as TextRule, Valid};
use hm_platform::paging::LinkedPage;
use hm_platform::reply::Reply;
use hm_platform::ApiError;
use paperclip::actix::{api_v2_operation, web, Apiv2Schema};
use uuid::Uuid;

/// Users, newest first: `search` (phone, email, names), `role`, `is_active`, `page`, `page_size`.
#[api_v2_operation(tags(Admin))]
pub async fn users_list(
    req: HttpRequest,
    state: web::Data<AppState>,
    _admin: AdminUser,
) -> Result<Reply<LinkedPage<UserRow>>> {
    Ok(admin::list_answer(&state.db, &req, &backoffice::USERS).await?)
}

#[api_v2_operation(tags(Admin))]
pub async fn user(
    state: web::Data<AppState>,
    _admin: AdminUser,
    id: web::Path<String>,
) -> Result<Reply<UserRow>> {
    let mut conn = state.db.get().await?;
    let row = admin::one(&mut conn, &backoffice::USERS, &id)
        .await?
        .ok_or_else(|| ApiError::no_match("User"))?;
    Ok(Reply::json(row))
}

/// What an admin may change of a user.
#[derive(Debug, Apiv2Schema)]
pub struct UserPatch {
    pub is_active: Option<bool>,
    pub first_name: Option<String>,
    pub last_name: Option<String>,
}

impl FromInput for UserPatch {
    fn from_input(input: &mut Input) -> Option<Self> {
        let is_active = input
            .has("is_active")
            .then(|| input.boolean("is_active", true))
            .flatten();
        let first_name = input
            .has("first_name")
            .then(|| input.text("first_name", TextRule::optional(50)))
            .flatten();
        let last_name = input
            .has("last_name")
            .then(|| input.text("last_name", TextRule::optional(50)))
            .flatten();
        Some(UserPatch {
            is_active,
            first_name,
            last_name,
        })
    }
}

/// Activates or deactivates a user, or corrects their name. A deactivated user cannot log in and their
/// refresh tokens are revoked; their access tokens run out within their lifetime.
#[api_v2_operation(tags(Admin))]
pub async fn user_update(
    state: web::Data<AppState>,
    admin: AdminUser,
    id: web::Path<String>,
    body: Valid<UserPatch>,
) -> Result<Reply<UserRow>> {
    let id = Uuid::parse_str(&id).map_err(|_| ApiError::no_match("User"))?;
    let patch = body.0;
    if id == admin.id && patch.is_active == Some(false) {
        return Err(ApiError::fields(FieldErrors::single(
            "is_active",
            "You cannot deactivate your own account.",
        ))
        .into());
    }
    let mut conn = state.db.get().await?;
    let updated = conn
        .transaction::<_, crate::error::IdentityError, _>(|conn| {
            async move {
                let found = users::admin_update(
                    conn,
                    id,
                    patch.is_active,
                    patch.first_name.as_deref(),
                    patch.last_name.as_deref(),
                )
                .await?;
                if !found {
                    return Ok(false);
                }
                if patch.is_active == Some(false) {
                    refresh_tokens::revoke_user(conn, id).await?;
                }
                if let Some(user) = users::by_id(conn, id).await? {
                    hm_platform::events::enqueue(conn, events::user_updated(&user, None)).await?;
                }
                Ok(true)
            }
            .scope_boxed()
        })
        .await?;
    if !updated {
        return Err(
            ApiError::detail(StatusCode::NOT_FOUND, "No User matches the given query.").into(),
        );
    }
    let row = admin::one(&mut conn, &backoffice::USERS, &id.to_string())
        .await?
        .ok_or_else(|| ApiError::no_match("User"))?;
    Ok(Reply::json(row))
}

/// The OTP audit log, newest first: `search` (phone), `action`.
#[api_v2_operation(tags(Admin))]
pub async fn otp_logs(
    req: HttpRequest,
    state: web::Data<AppState>,
    _admin: AdminUser,
) -> Result<Reply<LinkedPage<OtpLogRow>>> {
    Ok(admin::list_answer(&state.db, &req, &backoffice::OTP_LOGS).await?)
}

/// Users by role and state, and the last hour's OTP requests and failed verifications.
#[api_v2_operation(tags(Admin))]
pub async fn stats(state: web::Data<AppState>, _admin: AdminUser) -> Result<Reply<IdentityStats>> {
    let mut conn = state.db.get().await?;
    let doc: IdentityStats = admin::document(&mut conn, backoffice::STATS).await?;
    Ok(Reply::json(doc))
}
