//! The back office's identity (issue #9, admins only): users with search and filters, activation, names
//! and eKYC verification (each change announced as `identity.user.updated`; deactivation also ends the
//! user's sessions), the OTP audit log, and the numbers of the dashboard.

use crate::domain::user::may_set_activation;
use crate::error::{IdentityError, Result};
use crate::store::backoffice::{self, IdentityStats, OtpLogRow, UserRow};
use crate::store::users;
use crate::AppState;
use actix_web::HttpRequest;
use diesel_async::AsyncPgConnection;
use hm_contracts::EkycStatus;
use hm_platform::admin;
use hm_platform::auth::AdminUser;
use hm_platform::input::{FromInput, Input, Text as TextRule, Valid};
use hm_platform::paging::LinkedPage;
use hm_platform::reply::Reply;
use paperclip::actix::{api_v2_operation, web, Apiv2Schema};
use uuid::Uuid;

/// Users, newest first: `search` (phone, email, names), `role`, `is_active`, `ekyc_status`, `page`,
/// `page_size`.
#[api_v2_operation(tags(Admin))]
pub async fn users_list(
    req: HttpRequest,
    state: web::Data<AppState>,
    _admin: AdminUser,
) -> Result<Reply<LinkedPage<UserRow>>> {
    let mut conn = state.db.get().await?;
    let page = admin::list(&mut conn, &req, &backoffice::USERS).await?;
    let keyring = state.config.encryption.as_ref();
    Ok(Reply::json(LinkedPage {
        count: page.count,
        next: page.next,
        previous: page.previous,
        results: page.results.into_iter().map(|u| u.shown(keyring)).collect(),
    }))
}

/// The back office's row of user `id` ([`IdentityError::NoSuchUser`] when there is none).
async fn user_row(conn: &mut AsyncPgConnection, state: &AppState, id: &str) -> Result<UserRow> {
    let row = admin::one(conn, &backoffice::USERS, id)
        .await?
        .ok_or(IdentityError::NoSuchUser)?;
    Ok(row.shown(state.config.encryption.as_ref()))
}

// One user (no doc comment: it would become the operation's summary in the checked-in document).
#[api_v2_operation(tags(Admin))]
pub async fn user(
    state: web::Data<AppState>,
    _admin: AdminUser,
    id: web::Path<String>,
) -> Result<Reply<UserRow>> {
    let mut conn = state.db.get().await?;
    Ok(Reply::json(user_row(&mut conn, &state, &id).await?))
}

/// What an admin may change of a user.
#[derive(Debug, Apiv2Schema)]
pub struct UserPatch {
    pub is_active: Option<bool>,
    pub first_name: Option<String>,
    pub last_name: Option<String>,
    /// `none`, `ocr_scanned` or `verified`: staff mark a user's eKYC `verified` here (DOMAIN §1.5: the
    /// back office only), or send it back.
    pub ekyc_status: Option<String>,
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
        let ekyc_status = input
            .has("ekyc_status")
            .then(|| input.choice("ekyc_status", &EkycStatus::NAMES, None))
            .flatten();
        Some(UserPatch {
            is_active,
            first_name,
            last_name,
            ekyc_status,
        })
    }
}

impl UserPatch {
    fn change(&self) -> users::AdminChange<'_> {
        users::AdminChange {
            is_active: self.is_active,
            first_name: self.first_name.as_deref(),
            last_name: self.last_name.as_deref(),
            ekyc_status: self.ekyc_status.as_deref(),
        }
    }
}

/// Activates or deactivates a user, corrects their name, or sets their eKYC status (`verified` once staff
/// checked their identity). A deactivated user cannot log in and their refresh tokens are revoked; their
/// access tokens run out within their lifetime.
#[api_v2_operation(tags(Admin))]
pub async fn user_update(
    state: web::Data<AppState>,
    admin: AdminUser,
    id: web::Path<String>,
    body: Valid<UserPatch>,
) -> Result<Reply<UserRow>> {
    let id = Uuid::parse_str(&id).map_err(|_| IdentityError::NoSuchUser)?;
    let patch = body.0;
    if !may_set_activation(admin.id, id, patch.is_active) {
        return Err(IdentityError::CannotDeactivateSelf);
    }
    let mut conn = state.db.get().await?;
    users::change_by_admin(&mut conn, id, patch.change()).await?;
    Ok(Reply::json(
        user_row(&mut conn, &state, &id.to_string()).await?,
    ))
}

hm_platform::admin_lists! {
    /// The OTP audit log, newest first: `search` (phone), `action`.
    otp_logs => OtpLogRow, backoffice::OTP_LOGS;
}

/// Users by role and state, and the last hour's OTP requests and failed verifications.
#[api_v2_operation(tags(Admin))]
pub async fn stats(state: web::Data<AppState>, _admin: AdminUser) -> Result<Reply<IdentityStats>> {
    let mut conn = state.db.get().await?;
    let doc: IdentityStats = admin::document(&mut conn, backoffice::STATS).await?;
    Ok(Reply::json(doc))
}

#[derive(Debug, serde::Deserialize, Apiv2Schema)]
pub struct HoursQuery {
    /// Hours up to the current one (default 48, at most 720).
    pub hours: Option<String>,
}

/// One hour of the OTP chart.
#[derive(Debug, serde::Serialize, Apiv2Schema)]
pub struct OtpHour {
    /// The hour's start, ISO 8601 in the platform's time zone.
    pub hour: String,
    /// OTPs asked for.
    pub requests: i64,
    /// Wrong or expired codes entered.
    pub verify_failures: i64,
    pub verify_successes: i64,
}

/// OTP requests and verifications per hour (the console's chart).
#[derive(Debug, serde::Serialize, Apiv2Schema)]
pub struct OtpPerHour {
    /// Oldest first, the current hour last; every hour present.
    pub hours: Vec<OtpHour>,
}

/// OTP requests, failed and successful verifications per hour over the last `hours` (the current one
/// included, hours of the platform's zone): the console's chart. 400
/// `{"hours": ["Enter a whole number from 1 to 720."]}`.
#[api_v2_operation(tags(Admin))]
pub async fn otp_per_hour(
    state: web::Data<AppState>,
    _admin: AdminUser,
    query: hm_platform::input::Query<HoursQuery>,
) -> Result<Reply<OtpPerHour>> {
    let hours = hm_platform::input::whole_number("hours", query.hours.as_deref(), 48, 720)?;
    let mut conn = state.db.get().await?;
    let series = backoffice::otp_per_hour(&mut conn, hours, hm_platform::time::zone()).await?;
    Ok(Reply::json(OtpPerHour {
        hours: series
            .into_iter()
            .map(
                |(hour, requests, verify_failures, verify_successes)| OtpHour {
                    hour: hm_platform::time::render(hour),
                    requests,
                    verify_failures,
                    verify_successes,
                },
            )
            .collect(),
    }))
}
