//! The SMS attempt log: one row per attempt (never the code) and the provider's delivery report.

use diesel::sql_types::{Integer, Nullable, Text, Uuid as SqlUuid};
use diesel::QueryResult;
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use hm_platform::db::Count;
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
    let c: Count = diesel::sql_query("SELECT count(*) AS n FROM sms_log WHERE request_id = $1")
        .bind::<SqlUuid, _>(request_id)
        .get_result(conn)
        .await?;
    Ok(u32::try_from(c.n).unwrap_or(u32::MAX))
}

pub async fn record(conn: &mut AsyncPgConnection, a: &Attempt<'_>) -> QueryResult<()> {
    diesel::sql_query(
        "INSERT INTO sms_log (id, request_id, phone, provider, attempt, status, error, provider_message_id)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
    )
    .bind::<SqlUuid, _>(Uuid::new_v4())
    .bind::<SqlUuid, _>(a.request_id)
    .bind::<Text, _>(a.phone)
    .bind::<Text, _>(a.provider)
    .bind::<Integer, _>(i32::try_from(a.attempt).unwrap_or(i32::MAX))
    .bind::<Text, _>(a.status)
    .bind::<Nullable<Text>, _>(a.error.as_deref())
    .bind::<Nullable<Text>, _>(a.provider_message_id.as_deref())
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
    diesel::sql_query(
        "UPDATE sms_log SET delivery_status = $2, delivery_error_code = $3, updated_at = now()
         WHERE provider_message_id = $1",
    )
    .bind::<Text, _>(provider_message_id)
    .bind::<Text, _>(status)
    .bind::<Nullable<Text>, _>(error_code)
    .execute(conn)
    .await
}
