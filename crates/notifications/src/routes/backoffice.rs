//! The back office's notifications (issue #9, admins only): every notification and the SMS attempt log
//! with search and filters, and the numbers of the dashboard.

use crate::error::Result;
use crate::store::backoffice::{self, NotificationRow, NotificationsStats, SmsLogRow};
use crate::AppState;
use actix_web::HttpRequest;
use hm_platform::admin;
use hm_platform::auth::AdminUser;
use hm_platform::paging::LinkedPage;
use hm_platform::reply::Reply;
use paperclip::actix::{api_v2_operation, web};

/// Every notification (broadcasts too): `search` (title, message, phone), `type`, `channel`, `is_read`, `user`.
#[api_v2_operation(tags(Admin))]
pub async fn notifications(
    req: HttpRequest,
    state: web::Data<AppState>,
    _admin: AdminUser,
) -> Result<Reply<LinkedPage<NotificationRow>>> {
    Ok(admin::list_answer(&state.db, &req, &backoffice::NOTIFICATIONS).await?)
}

/// SMS attempts (never a code): `search` (phone, provider id), `status`, `provider`.
#[api_v2_operation(tags(Admin))]
pub async fn sms_log(
    req: HttpRequest,
    state: web::Data<AppState>,
    _admin: AdminUser,
) -> Result<Reply<LinkedPage<SmsLogRow>>> {
    Ok(admin::list_answer(&state.db, &req, &backoffice::SMS_LOG).await?)
}

/// Unread notifications, the last hour's OTP messages sent and failed, devices and pushes.
#[api_v2_operation(tags(Admin))]
pub async fn stats(
    state: web::Data<AppState>,
    _admin: AdminUser,
) -> Result<Reply<NotificationsStats>> {
    let mut conn = state.db.get().await?;
    let doc: NotificationsStats = admin::document(&mut conn, backoffice::STATS).await?;
    Ok(Reply::json(doc))
}
