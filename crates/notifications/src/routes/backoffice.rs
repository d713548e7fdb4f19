//! The back office's notifications (issue #9, admins only): every notification and the SMS attempt log
//! with search and filters, and the numbers of the dashboard.

use crate::error::Result;
use crate::store::backoffice::{self, NotificationRow, NotificationsStats, SmsLogRow};
use crate::AppState;
use hm_platform::admin;
use hm_platform::auth::AdminUser;
use hm_platform::reply::Reply;
use paperclip::actix::{api_v2_operation, web};

hm_platform::admin_lists! {
    /// Every notification (broadcasts too): `search` (title, message, phone), `type`, `channel`, `is_read`, `user`.
    notifications => NotificationRow, backoffice::NOTIFICATIONS;
    /// SMS attempts (never a code): `search` (phone, provider id), `status`, `provider`.
    sms_log => SmsLogRow, backoffice::SMS_LOG;
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
