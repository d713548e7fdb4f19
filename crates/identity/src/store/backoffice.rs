//! What the back office reads of identity (issue #9): the admin listings and the dashboard's numbers.

use hm_platform::admin::{Filter, Listing, BOOL};

pub const ROLES: &[&str] = &["worker", "contractor", "employer", "admin"];

pub const USERS: Listing = Listing {
    select: "SELECT id, phone, email, role, first_name, last_name, language_preference, is_phone_verified,
             is_active, is_staff, has_worker_profile, has_contractor_profile, created_at, updated_at FROM users",
    id: "id",
    search: &["phone", "email", "first_name", "last_name"],
    filters: &[
        Filter { param: "role", column: "role", choices: Some(ROLES) },
        Filter { param: "is_active", column: "is_active", choices: BOOL },
    ],
    order: "created_at DESC, id",
};

pub const OTP_LOGS: Listing = Listing {
    select: "SELECT id, phone, request_id, action, host(ip_address) AS ip_address, user_agent, created_at
             FROM otp_logs",
    id: "id",
    search: &["phone"],
    filters: &[Filter {
        param: "action",
        column: "action",
        choices: Some(&["request", "verify_success", "verify_fail"]),
    }],
    order: "created_at DESC, id",
};

/// The dashboard's numbers, one JSON document.
pub const STATS: &str = "SELECT jsonb_build_object(
             'users_by_role', (SELECT jsonb_build_object(
                 'worker', count(*) FILTER (WHERE role = 'worker'),
                 'contractor', count(*) FILTER (WHERE role = 'contractor'),
                 'employer', count(*) FILTER (WHERE role = 'employer'),
                 'admin', count(*) FILTER (WHERE role = 'admin')) FROM users),
             'users_active', (SELECT count(*) FROM users WHERE is_active),
             'users_inactive', (SELECT count(*) FROM users WHERE NOT is_active),
             'otp_requests_last_hour', (SELECT count(*) FROM otp_logs
                 WHERE action = 'request' AND created_at > now() - interval '1 hour'),
             'otp_verify_failures_last_hour', (SELECT count(*) FROM otp_logs
                 WHERE action = 'verify_fail' AND created_at > now() - interval '1 hour')) AS row";
