//! What the back office reads of notifications (issue #9): the admin listings and the dashboard's numbers.

use hm_platform::admin::{Filter, Listing, BOOL};

pub const NOTIFICATIONS: Listing = Listing {
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
};

pub const SMS_LOG: Listing = Listing {
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

/// The dashboard's numbers, one JSON document.
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
