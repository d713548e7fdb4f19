//! What the back office reads of identity (issue #9): the admin listings and the dashboard's numbers.

use crate::ekyc::{Keyring, Sealed};
use hm_contracts::EkycStatus;
use hm_platform::admin::{Filter, Listing, BOOL};
use paperclip::actix::Apiv2Schema;
use serde::{Deserialize, Serialize};
use std::marker::PhantomData;
use uuid::Uuid;

pub const ROLES: &[&str] = &["worker", "contractor", "employer", "admin"];

/// A user as the back office shows it, the stored Aadhaar digits masked.
#[derive(Debug, Serialize, Apiv2Schema)]
pub struct UserRow {
    pub id: Uuid,
    pub phone: Option<String>,
    pub email: Option<String>,
    pub role: String,
    pub first_name: String,
    pub last_name: String,
    pub language_preference: String,
    pub is_phone_verified: bool,
    pub is_active: bool,
    pub is_staff: bool,
    pub has_worker_profile: bool,
    pub has_contractor_profile: bool,
    /// `none`, `ocr_scanned` or `verified` (DOMAIN §1.5).
    pub ekyc_status: String,
    /// `null` when no Aadhaar digits are stored, `XXXX-1234` when they are, `XXXX-****` when they cannot be
    /// decrypted (unknown key, eKYC not configured).
    pub aadhaar_masked: Option<String>,
    /// ISO 8601 with offset, as Postgres writes it.
    pub created_at: String,
    pub updated_at: String,
}

/// A user as `USERS` selects them: the listed columns and the sealed eKYC value (hex) with its key id,
/// which only [`UserListed::shown`] reads.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct UserListed {
    pub id: Uuid,
    pub phone: Option<String>,
    pub email: Option<String>,
    pub role: String,
    pub first_name: String,
    pub last_name: String,
    pub language_preference: String,
    pub is_phone_verified: bool,
    pub is_active: bool,
    pub is_staff: bool,
    pub has_worker_profile: bool,
    pub has_contractor_profile: bool,
    pub ekyc_status: String,
    aadhaar_sealed: Option<String>,
    aadhaar_key_id: Option<String>,
    pub created_at: String,
    pub updated_at: String,
}

impl UserListed {
    /// The stored value, if any.
    fn sealed(&self) -> Option<Sealed> {
        let key_id = self.aadhaar_key_id.clone()?;
        // Postgres' hex always reads; were it not to, the empty value shows as unreadable.
        let bytes = hex::decode(self.aadhaar_sealed.as_deref()?).unwrap_or_default();
        Some(Sealed { bytes, key_id })
    }

    /// The row the back office shows, its eKYC value opened with `keyring` (if eKYC is configured).
    pub fn shown(self, keyring: Option<&Keyring>) -> UserRow {
        let masked = crate::ekyc::read(keyring, self.id, self.sealed().as_ref()).masked();
        UserRow {
            id: self.id,
            phone: self.phone,
            email: self.email,
            role: self.role,
            first_name: self.first_name,
            last_name: self.last_name,
            language_preference: self.language_preference,
            is_phone_verified: self.is_phone_verified,
            is_active: self.is_active,
            is_staff: self.is_staff,
            has_worker_profile: self.has_worker_profile,
            has_contractor_profile: self.has_contractor_profile,
            ekyc_status: self.ekyc_status,
            aadhaar_masked: masked,
            created_at: self.created_at,
            updated_at: self.updated_at,
        }
    }
}

// Raw SQL: the platform's admin listings add search, filters and paging to a SELECT (one JSON row each).
// The sealed bytes travel as plain hex (`to_jsonb` of a bytea would be `\x`-prefixed text).
pub const USERS: Listing<UserListed> = Listing {
    select: "SELECT id, phone, email, role, first_name, last_name, language_preference, is_phone_verified,
             is_active, is_staff, has_worker_profile, has_contractor_profile, ekyc_status,
             encode(aadhaar_last4_encrypted, 'hex') AS aadhaar_sealed, aadhaar_key_id, created_at,
             updated_at FROM users",
    id: "id",
    search: &["phone", "email", "first_name", "last_name"],
    filters: &[
        Filter { param: "role", column: "role", choices: Some(ROLES) },
        Filter { param: "is_active", column: "is_active", choices: BOOL },
        Filter { param: "ekyc_status", column: "ekyc_status", choices: Some(&EkycStatus::NAMES) },
    ],
    order: "created_at DESC, id",
    row: PhantomData,
};

/// One OTP audit entry (`OTP_LOGS`): `action` is `request`, `verify_success` or `verify_fail`.
#[derive(Debug, Deserialize, Serialize, Apiv2Schema)]
#[serde(deny_unknown_fields)]
pub struct OtpLogRow {
    pub id: Uuid,
    pub phone: String,
    pub request_id: Uuid,
    pub action: String,
    pub ip_address: Option<String>,
    pub user_agent: String,
    pub created_at: String,
}

// Raw SQL: an admin listing (see `USERS`); `host(inet)` renders the address as the API shows it.
pub const OTP_LOGS: Listing<OtpLogRow> = Listing {
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
    row: PhantomData,
};

/// Users of each role.
#[derive(Debug, Deserialize, Serialize, Apiv2Schema)]
#[serde(deny_unknown_fields)]
pub struct UsersByRole {
    pub worker: i64,
    pub contractor: i64,
    pub employer: i64,
    pub admin: i64,
}

/// The dashboard's numbers of identity (`STATS`).
#[derive(Debug, Deserialize, Serialize, Apiv2Schema)]
#[serde(deny_unknown_fields)]
pub struct IdentityStats {
    pub users_by_role: UsersByRole,
    pub users_active: i64,
    pub users_inactive: i64,
    pub otp_requests_last_hour: i64,
    pub otp_verify_failures_last_hour: i64,
}

/// The dashboard's numbers, one JSON document (an [`IdentityStats`]).
// Raw SQL: one jsonb document of filtered counts over two tables, which the query builder cannot say.
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

#[derive(diesel::QueryableByName)]
struct HourCounts {
    #[diesel(sql_type = diesel::sql_types::Timestamptz)]
    hour: chrono::DateTime<chrono::Utc>,
    #[diesel(sql_type = diesel::sql_types::BigInt)]
    requests: i64,
    #[diesel(sql_type = diesel::sql_types::BigInt)]
    verify_failures: i64,
    #[diesel(sql_type = diesel::sql_types::BigInt)]
    verify_successes: i64,
}

/// OTP audit counts per clock hour of `zone`, `hours` of them ending with the current one, oldest first:
/// `(hour's start, requests, failed verifications, successful verifications)`, every hour present (the
/// console's chart; India's hours start at :30 UTC).
///
/// Raw SQL: filtered counts grouped by `date_trunc` in a zone, which the query builder cannot say.
pub async fn otp_per_hour(
    conn: &mut diesel_async::AsyncPgConnection,
    hours: i64,
    zone: chrono_tz::Tz,
) -> diesel::QueryResult<Vec<(chrono::DateTime<chrono::Utc>, i64, i64, i64)>> {
    use chrono::{DurationRound, TimeDelta, Utc};
    use diesel_async::RunQueryDsl;
    let now = Utc::now().with_timezone(&zone);
    let current = now
        .duration_trunc(TimeDelta::hours(1))
        .unwrap_or(now)
        .with_timezone(&Utc);
    let first = current - TimeDelta::hours(hours - 1);
    let rows: Vec<HourCounts> = diesel::sql_query(
        "SELECT date_trunc('hour', created_at, $2) AS hour, \
                count(*) FILTER (WHERE action = 'request') AS requests, \
                count(*) FILTER (WHERE action = 'verify_fail') AS verify_failures, \
                count(*) FILTER (WHERE action = 'verify_success') AS verify_successes \
         FROM otp_logs WHERE created_at >= $1 GROUP BY 1",
    )
    .bind::<diesel::sql_types::Timestamptz, _>(first)
    .bind::<diesel::sql_types::Text, _>(zone.name())
    .load(conn)
    .await?;
    Ok((0..hours)
        .map(|i| {
            let hour = first + TimeDelta::hours(i);
            rows.iter()
                .find(|r| r.hour == hour)
                .map_or((hour, 0, 0, 0), |r| {
                    (hour, r.requests, r.verify_failures, r.verify_successes)
                })
        })
        .collect())
}
