//! The SMS attempt log: one row per attempt (never the code) and the provider's delivery report.

use crate::schema::sms_log;
use diesel::prelude::*;
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use uuid::Uuid;

pub struct Attempt<'a> {
    pub request_id: Uuid,
    pub phone: &'a str,
    pub provider: &'static str,
    pub attempt: u32,
    /// `sent`, `failed`, `rejected` or `expired`.
    pub status: &'static str,
    pub error: Option<String>,
    pub provider_message_id: Option<String>,
}

/// How many attempts this OTP request has had.
pub async fn attempts(conn: &mut AsyncPgConnection, request_id: Uuid) -> QueryResult<u32> {
    let n: i64 = sms_log::table
        .filter(sms_log::request_id.eq(request_id))
        .count()
        .get_result(conn)
        .await?;
    Ok(u32::try_from(n).unwrap_or(u32::MAX))
}

pub async fn record(conn: &mut AsyncPgConnection, a: &Attempt<'_>) -> QueryResult<()> {
    diesel::insert_into(sms_log::table)
        .values((
            sms_log::id.eq(Uuid::new_v4()),
            sms_log::request_id.eq(a.request_id),
            sms_log::phone.eq(a.phone),
            sms_log::provider.eq(a.provider),
            sms_log::attempt.eq(i32::try_from(a.attempt).unwrap_or(i32::MAX)),
            sms_log::status.eq(a.status),
            sms_log::error.eq(a.error.as_deref()),
            sms_log::provider_message_id.eq(a.provider_message_id.as_deref()),
        ))
        .execute(conn)
        .await
        .map(|_| ())
}

/// Records a delivery report on the message it is about; how many rows it touched (0: unknown message).
pub async fn report_delivery(
    conn: &mut AsyncPgConnection,
    provider_message_id: &str,
    status: &str,
    error_code: Option<&str>,
) -> QueryResult<usize> {
    diesel::update(sms_log::table.filter(sms_log::provider_message_id.eq(provider_message_id)))
        .set((
            sms_log::delivery_status.eq(status),
            sms_log::delivery_error_code.eq(error_code),
            sms_log::updated_at.eq(diesel::dsl::now),
        ))
        .execute(conn)
        .await
}
