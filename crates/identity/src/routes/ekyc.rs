//! eKYC (API §3.5–3.6): a user (or staff) uploads the last four Aadhaar digits, which are sealed at rest
//! (`crate::ekyc`) and only ever shown masked; the status endpoint tells how far the user's eKYC is.
//!
//! Checks, in this order: authentication (401), the user exists (404, also for a `user_id` that is not a
//! UUID), the caller is that user or staff (403), the body (400), eKYC is configured (503). The 503 comes
//! last so that it tells nobody anything the 404 and 403 do not already tell.

use super::dto::{EkycStatusBody, EkycUploadBody, EkycUploaded};
use super::RawBody;
use crate::domain::ekyc;
use crate::domain::user::User;
use crate::ekyc::{Keyring, Sealed};
use crate::error::{IdentityError, Result};
use crate::store::{ekyc as stored, users};
use crate::AppState;
use actix_web::http::header::CONTENT_TYPE;
use actix_web::HttpRequest;
use diesel_async::AsyncPgConnection;
use hm_platform::auth::AuthUser;
use hm_platform::input::read_fields;
use hm_platform::reply::Reply;
use hm_platform::telemetry::RequestId;
use paperclip::actix::{api_v2_operation, web};
use uuid::Uuid;

/// The user named by the path and their stored value, if `auth` may see them: 401 for a caller whose
/// account is gone or inactive, 404 for no such user (or not a UUID), 403 for someone else's.
async fn owner_for(
    conn: &mut AsyncPgConnection,
    auth: &AuthUser,
    user_id: &str,
) -> Result<(User, Option<Sealed>)> {
    let caller = users::signed_in(conn, auth.id).await?;
    let id = Uuid::parse_str(user_id).map_err(|_| IdentityError::NoSuchUser)?;
    let found = stored::of_user(conn, id)
        .await?
        .ok_or(IdentityError::NoSuchUser)?;
    if !ekyc::may_access(&caller, id) {
        return Err(IdentityError::EkycPermissionDenied);
    }
    Ok(found)
}

/// The eKYC keys, or 503 when identity has none.
fn keyring(state: &AppState) -> Result<&Keyring> {
    state
        .config
        .encryption
        .as_ref()
        .ok_or(IdentityError::EkycNotConfigured)
}

/// Upload the last four Aadhaar digits
///
/// The caller must be the user or staff. The digits are encrypted at rest and `ekyc_status` becomes
/// `ocr_scanned` (on every upload, a re-upload after verification included). The answer shows them
/// masked (`XXXX-1234`). Errors: 401 (no or bad token), 404 `{"detail":"No User matches the given
/// query."}` (no such user, or a `user_id` that is not a UUID), 403 `{"error":"Permission denied"}`
/// (another user's), 400 `{"aadhaar_last4":"This field is required"}` (missing, null or empty) or
/// `{"aadhaar_last4":"Must be exactly 4 digits (last 4 of Aadhaar only)"}` (anything but a string of
/// exactly four ASCII digits), 503 `{"error":"eKYC is not configured"}` (no `ENCRYPTION_KEY`).
#[api_v2_operation(tags(Auth))]
pub async fn upload(
    req: HttpRequest,
    state: web::Data<AppState>,
    auth: AuthUser,
    user_id: web::Path<String>,
    body: RawBody<EkycUploadBody>,
) -> Result<Reply<EkycUploaded>> {
    let mut conn = state.db.get().await?;
    let (owner, _) = owner_for(&mut conn, &auth, &user_id).await?;
    let fields = read_fields(req.headers().get(CONTENT_TYPE), body.0).await?;
    let digits = EkycUploadBody::read(&fields)
        .map_err(IdentityError::EkycInvalid)?
        .aadhaar_last4;
    let sealed = keyring(&state)?.seal(owner.id, &digits)?;
    let user = stored::record_upload(&mut conn, owner.id, &sealed, RequestId::of(&req)).await?;
    Ok(Reply::json(EkycUploaded::new(&user, &digits)))
}

/// A user's eKYC status
///
/// The caller must be the user or staff. `aadhaar_masked` is there only when digits are stored:
/// `XXXX-1234`, or `XXXX-****` when they cannot be decrypted. Errors: 401, 404 `{"detail":"No User
/// matches the given query."}`, 403 `{"error":"Permission denied"}`, 503 `{"error":"eKYC is not
/// configured"}`.
#[api_v2_operation(tags(Auth))]
pub async fn status(
    state: web::Data<AppState>,
    auth: AuthUser,
    user_id: web::Path<String>,
) -> Result<Reply<EkycStatusBody>> {
    let mut conn = state.db.get().await?;
    let (owner, sealed) = owner_for(&mut conn, &auth, &user_id).await?;
    let ring = keyring(&state)?;
    let shown = crate::ekyc::read(Some(ring), owner.id, sealed.as_ref());
    Ok(Reply::json(EkycStatusBody {
        ekyc_status: owner.ekyc_status.to_string(),
        aadhaar_masked: shown.masked(),
    }))
}
