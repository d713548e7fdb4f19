//! The back office's notifications (issue #9, admins only): every notification and the SMS attempt log
//! with search and filters, and the numbers of the dashboard.

use crate::error::Result;
use crate::AppState;
use actix_web::{HttpRequest, HttpResponse};
use hm_platform::admin::{self, Filter, Listing, BOOL};
use hm_platform::auth::AdminUser;
use paperclip::actix::{api_v2_operation, web};

const NOTIFICATIONS: Listing = Listing {
    select: "SELECT n.id, n.user_id, u.phone AS user_phone, n.title, n.message, n.type, n.channel, n.is_read,
             n.data, n.created_at FROM notifications n LEFT JOIN user_refs u ON u.id = n.user_id",
    id: "n.id",
    search: &["n.title", "n.message", "u.phone"],
    filters: &[
        Filter { param: "type", column: "n.type", choices: Some(&super::notifications::TYPES) },
        Filter { param: "channel", column: "n.channel", choices: Some(&super::notifications::CHANNELS) },
        Filter { param: "is_read", column: "n.is_read", choices: BOOL },
        Filter { param: "user", column: "n.user_id", choices: None },
    ],
    order: "n.created_at DESC, n.id",
};

const SMS_LOG: Listing = Listing {
    select: "SELECT id, request_id, phone, provider, attempt, status, error, provider_message_id,
             delivery_status, delivery_error_code, created_at FROM sms_log",
    id: "id",
    search: &["phone", "provider_message_id"],
    filters: &[
        Filter {
            param: "status",
            column: "status",
            choices: Some(&["sent", "failed", "rejected", "expired"]),
        },
        Filter {
            param: "provider",
            column: "provider",
            choices: None,
        },
    ],
    order: "created_at DESC, id",
};

/// Every notification (broadcasts too): `search` (title, message, phone), `type`, `channel`, `is_read`, `user`.
#[api_v2_operation(tags(Admin))]
pub async fn notifications(
    req: HttpRequest,
    state: web::Data<AppState>,
    _admin: AdminUser,
) -> Result<HttpResponse> {
    admin::list_answer(&state.db, &req, &NOTIFICATIONS).await
}

/// SMS attempts (never a code): `search` (phone, provider id), `status`, `provider`.
#[api_v2_operation(tags(Admin))]
pub async fn sms_log(
    req: HttpRequest,
    state: web::Data<AppState>,
    _admin: AdminUser,
) -> Result<HttpResponse> {
    admin::list_answer(&state.db, &req, &SMS_LOG).await
}

/// Unread notifications, the last hour's OTP messages sent and failed, devices and pushes.
#[api_v2_operation(tags(Admin))]
pub async fn stats(state: web::Data<AppState>, _admin: AdminUser) -> Result<HttpResponse> {
    let mut conn = state.db.get().await?;
    let doc = admin::document(
        &mut conn,
        "SELECT jsonb_build_object(
             'notifications_unread', (SELECT count(*) FROM notifications WHERE NOT is_read AND user_id IS NOT NULL),
             'notifications_total', (SELECT count(*) FROM notifications),
             'otp_sms_sent_last_hour', (SELECT count(*) FROM sms_log
                 WHERE status = 'sent' AND created_at > now() - interval '1 hour'),
             'otp_sms_failed_last_hour', (SELECT count(*) FROM sms_log
                 WHERE status IN ('failed', 'rejected', 'expired') AND created_at > now() - interval '1 hour'),
             'devices_active', (SELECT count(*) FROM devices WHERE is_active),
             'pushes_queued', (SELECT count(*) FROM outgoing_pushes WHERE status = 'queued'),
             'pushes_failed', (SELECT count(*) FROM outgoing_pushes WHERE status = 'failed')
         ) AS row",
    )
    .await?;
    Ok(HttpResponse::Ok().json(doc))
}
