use crate::schema::otp_logs;
use diesel::prelude::*;
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use ipnet::IpNet;
use uuid::Uuid;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OtpAction {
    Request,
    VerifySuccess,
    VerifyFail,
}

impl OtpAction {
    pub fn as_str(self) -> &'static str {
        match self {
            OtpAction::Request => "request",
            OtpAction::VerifySuccess => "verify_success",
            OtpAction::VerifyFail => "verify_fail",
        }
    }
}

/// Who asked: recorded on every audit row.
#[derive(Debug, Clone, Default)]
pub struct Client {
    pub ip: Option<IpNet>,
    pub user_agent: String,
}

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
