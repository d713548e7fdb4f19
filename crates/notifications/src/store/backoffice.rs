//! What the back office reads of notifications (issue #9): the admin listings and the dashboard's numbers.

use hm_platform::admin::{Filter, Listing, BOOL};
use paperclip::actix::Apiv2Schema;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::marker::PhantomData;
use uuid::Uuid;

/// A notification as the back office lists it (`NOTIFICATIONS`); broadcasts have no user.
#[derive(Debug, Deserialize, Serialize, Apiv2Schema)]
#[serde(deny_unknown_fields)]
pub struct NotificationRow {
    pub id: Uuid,
    /// The recipient; `null` for a broadcast.
    pub user_id: Option<Uuid>,
    /// The recipient's phone, when the user is known.
    pub user_phone: Option<String>,
    pub title: String,
    pub message: String,
    /// The notification type, e.g. `booking_status`.
    #[serde(rename = "type")]
    pub kind: String,
    /// `push`, `in_app`, `email` or `both`.
    pub channel: String,
    pub is_read: bool,
    /// What the notification is about (an object, free-form).
    pub data: Value,
    /// ISO 8601 with offset, as Postgres writes it.
    pub created_at: String,
}

pub const NOTIFICATIONS: Listing<NotificationRow> = Listing {
    select: "SELECT n.id, n.user_id, u.phone AS user_phone, n.title, n.message, n.type, n.channel, n.is_read,
             n.data, n.created_at FROM notifications n LEFT JOIN user_refs u ON u.id = n.user_id",
    id: "n.id",
    search: &["n.title", "n.message", "u.phone"],
    filters: &[
        Filter { param: "type", column: "n.type", choices: Some(&crate::domain::TYPES) },
        Filter { param: "channel", column: "n.channel", choices: Some(&crate::domain::CHANNELS) },
        Filter { param: "is_read", column: "n.is_read", choices: BOOL },
        Filter { param: "user", column: "n.user_id", choices: None },
    ],
    order: "n.created_at DESC, n.id",
    row: PhantomData,
};

/// One attempt to send an OTP message (`SMS_LOG`), never the code, with the provider's delivery report.
#[derive(Debug, Deserialize, Serialize, Apiv2Schema)]
#[serde(deny_unknown_fields)]
pub struct SmsLogRow {
    pub id: Uuid,
    /// The OTP request the message carried.
    pub request_id: Uuid,
    pub phone: String,
    /// `twilio`, `dev`, …
    pub provider: String,
    /// 1 for the first attempt.
    pub attempt: i64,
    /// `sent`, `failed`, `rejected` or `expired`.
    pub status: String,
    pub error: Option<String>,
    /// The provider's message id (Twilio's SID).
    pub provider_message_id: Option<String>,
    /// The provider's last delivery report, e.g. `delivered`.
    pub delivery_status: Option<String>,
    pub delivery_error_code: Option<String>,
    /// ISO 8601 with offset, as Postgres writes it.
    pub created_at: String,
}

pub const SMS_LOG: Listing<SmsLogRow> = Listing {
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
    row: PhantomData,
};

/// The dashboard's numbers of notifications (`STATS`).
#[derive(Debug, Deserialize, Serialize, Apiv2Schema)]
#[serde(deny_unknown_fields)]
pub struct NotificationsStats {
    /// Unread notifications of users (broadcasts are never read).
    pub notifications_unread: i64,
    pub notifications_total: i64,
    pub otp_sms_sent_last_hour: i64,
    /// Failed, rejected and expired attempts in the last hour.
    pub otp_sms_failed_last_hour: i64,
    pub devices_active: i64,
    pub pushes_queued: i64,
    pub pushes_failed: i64,
}

/// The dashboard's numbers, one JSON document (a [`NotificationsStats`]).
pub const STATS: &str = "SELECT jsonb_build_object(
             'notifications_unread', (SELECT count(*) FROM notifications WHERE NOT is_read AND user_id IS NOT NULL),
             'notifications_total', (SELECT count(*) FROM notifications),
             'otp_sms_sent_last_hour', (SELECT count(*) FROM sms_log
                 WHERE status = 'sent' AND created_at > now() - interval '1 hour'),
             'otp_sms_failed_last_hour', (SELECT count(*) FROM sms_log
                 WHERE status IN ('failed', 'rejected', 'expired') AND created_at > now() - interval '1 hour'),
             'devices_active', (SELECT count(*) FROM devices WHERE is_active),
             'pushes_queued', (SELECT count(*) FROM outgoing_pushes WHERE status = 'queued'),
             'pushes_failed', (SELECT count(*) FROM outgoing_pushes WHERE status = 'failed')
         ) AS row";
