//! The OTP audit log (`otp_logs`): every code sent and every verification, with who asked.

use crate::domain::otp::OtpAction;
use crate::schema::otp_logs;
use diesel::prelude::*;
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use ipnet::IpNet;
use uuid::Uuid;

/// Who asked: recorded on every audit row.
#[derive(Debug, Clone, Default)]
pub struct Client {
    pub ip: Option<IpNet>,
    pub user_agent: String,
}

/// Appends one audit row.
pub async fn append(
    conn: &mut AsyncPgConnection,
    phone: &str,
    request_id: Uuid,
    action: OtpAction,
    client: &Client,
) -> QueryResult<()> {
    diesel::insert_into(otp_logs::table)
        .values((
            otp_logs::id.eq(Uuid::new_v4()),
            otp_logs::phone.eq(phone),
            otp_logs::request_id.eq(request_id),
            otp_logs::action.eq(action.as_str()),
            otp_logs::ip_address.eq(client.ip),
            otp_logs::user_agent.eq(&client.user_agent),
        ))
        .execute(conn)
        .await
        .map(|_| ())
}

/// Appends one audit row, which must never fail a login: a lost row is logged instead.
pub async fn record(
    conn: &mut AsyncPgConnection,
    phone: &str,
    request_id: Uuid,
    action: OtpAction,
    client: &Client,
) {
    if let Err(e) = append(conn, phone, request_id, action, client).await {
        tracing::warn!(error = %e, action = action.as_str(), "could not write the OTP audit row");
    }
}
