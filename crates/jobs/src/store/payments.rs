//! Payments (DOMAIN §4.4) and payouts (§4.5). Amounts travel as text at their column's scale.

use chrono::{DateTime, Utc};
use diesel::sql_types::{Nullable, Text, Timestamptz, Uuid as SqlUuid};
use diesel::{OptionalExtension, QueryResult, QueryableByName};
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use uuid::Uuid;

#[derive(Debug, Clone, QueryableByName)]
pub struct Payment {
    #[diesel(sql_type = SqlUuid)]
    pub id: Uuid,
    #[diesel(sql_type = SqlUuid)]
    pub booking_id: Uuid,
    #[diesel(sql_type = SqlUuid)]
    pub user_id: Uuid,
    #[diesel(sql_type = Nullable<SqlUuid>)]
    pub worker_id: Option<Uuid>,
    #[diesel(sql_type = Text)]
    pub amount: String,
    #[diesel(sql_type = Text)]
    pub currency: String,
    #[diesel(sql_type = Text)]
    pub gateway: String,
    #[diesel(sql_type = Text)]
    pub status: String,
    #[diesel(sql_type = Nullable<Text>)]
    pub gateway_reference: Option<String>,
    #[diesel(sql_type = Timestamptz)]
    pub created_at: DateTime<Utc>,
}

const SELECT: &str = "\
SELECT p.id, p.booking_id, b.user_id, b.worker_id, p.amount::text AS amount, p.currency, p.gateway, p.status,
       p.gateway_reference, p.created_at
FROM payments p JOIN bookings b ON b.id = p.booking_id";

pub async fn create(
    conn: &mut AsyncPgConnection,
    booking: Uuid,
    amount: &str,
    gateway: &str,
) -> QueryResult<Payment> {
    let id = Uuid::new_v4();
    diesel::sql_query(
        "INSERT INTO payments (id, booking_id, amount, gateway) VALUES ($1, $2, $3::numeric, $4)",
    )
    .bind::<SqlUuid, _>(id)
    .bind::<SqlUuid, _>(booking)
    .bind::<Text, _>(amount)
    .bind::<Text, _>(gateway)
    .execute(conn)
    .await?;
    diesel::sql_query(format!("{SELECT} WHERE p.id = $1"))
        .bind::<SqlUuid, _>(id)
        .get_result(conn)
        .await
}

/// The payment, locked for the rest of the transaction (webhook deliveries of one payment are decided
/// one after the other).
pub async fn lock(conn: &mut AsyncPgConnection, id: Uuid) -> QueryResult<Option<Payment>> {
    diesel::sql_query(format!("{SELECT} WHERE p.id = $1 FOR UPDATE OF p"))
        .bind::<SqlUuid, _>(id)
        .get_result(conn)
        .await
        .optional()
}

/// A new status, and the gateway's reference when given; the booking's `payment_status` follows a
/// final outcome (`paid` / `failed`).
pub async fn set_status(
    conn: &mut AsyncPgConnection,
    p: &Payment,
    status: &str,
    reference: Option<&str>,
) -> QueryResult<()> {
    diesel::sql_query(
        "UPDATE payments SET status = $2, gateway_reference = coalesce($3, gateway_reference),
             updated_at = now()
         WHERE id = $1",
    )
    .bind::<SqlUuid, _>(p.id)
    .bind::<Text, _>(status)
    .bind::<Nullable<Text>, _>(reference)
    .execute(conn)
    .await?;
    let booking_status = match status {
        "completed" => "paid",
        "failed" => "failed",
        _ => return Ok(()),
    };
    diesel::sql_query("UPDATE bookings SET payment_status = $2, updated_at = now() WHERE id = $1")
        .bind::<SqlUuid, _>(p.booking_id)
        .bind::<Text, _>(booking_status)
        .execute(conn)
        .await
        .map(|_| ())
}

/// The worker's 80 % of a completed payment, once per payment; its amount when created now.
pub async fn create_payout(
    conn: &mut AsyncPgConnection,
    p: &Payment,
    worker: Uuid,
) -> QueryResult<Option<String>> {
    #[derive(QueryableByName)]
    struct Amount {
        #[diesel(sql_type = Text)]
        amount: String,
    }
    diesel::sql_query(
        "INSERT INTO payouts (id, worker_id, payment_id, amount, currency)
         SELECT $1, $2, id, round(amount * 0.80, 2), currency FROM payments WHERE id = $3
         ON CONFLICT (payment_id) DO NOTHING
         RETURNING amount::text AS amount",
    )
    .bind::<SqlUuid, _>(Uuid::new_v4())
    .bind::<SqlUuid, _>(worker)
    .bind::<SqlUuid, _>(p.id)
    .get_result::<Amount>(conn)
    .await
    .optional()
    .map(|a| a.map(|a| a.amount))
}
