//! Payments (DOMAIN §4.4) and payouts (§4.5). Amounts travel as text at their column's scale. A
//! webhook's report is decided on the locked payment and its outcome announced in the same transaction.

use super::bookings;
use super::numeric;
use crate::domain::payment::{self, PaymentStatus};
use crate::error::{JobsError, Result};
use crate::schema::{bookings as b, payments as p};
use chrono::{DateTime, Utc};
use diesel::dsl::now;
use diesel::sql_types::{Text, Uuid as SqlUuid};
use diesel::{ExpressionMethods, OptionalExtension, QueryDsl, QueryResult, QueryableByName};
use diesel_async::scoped_futures::ScopedFutureExt;
use diesel_async::{AsyncConnection, AsyncPgConnection, RunQueryDsl};
use hm_contracts::events::PaymentChanged;
use hm_platform::auth::AuthUser;
use hm_platform::events::enqueue;
use uuid::Uuid;

/// A payment with its booking's customer and worker.
#[derive(Debug, Clone, QueryableByName)]
#[diesel(table_name = p)]
pub struct Payment {
    pub id: Uuid,
    pub booking_id: Uuid,
    #[diesel(sql_type = SqlUuid)]
    pub user_id: Uuid,
    #[diesel(sql_type = diesel::sql_types::Nullable<SqlUuid>)]
    pub worker_id: Option<Uuid>,
    #[diesel(sql_type = Text)]
    pub amount: String,
    pub currency: String,
    pub gateway: String,
    pub status: PaymentStatus,
    pub gateway_reference: Option<String>,
    pub created_at: DateTime<Utc>,
}

// Raw SQL: joins the booking and renders the amount as text at its scale (`numeric::text`), and is
// locked with `FOR UPDATE OF p` below, which the builder cannot say.
const SELECT: &str = "\
SELECT p.id, p.booking_id, b.user_id, b.worker_id, p.amount::text AS amount, p.currency, p.gateway, p.status,
       p.gateway_reference, p.created_at
FROM payments p JOIN bookings b ON b.id = p.booking_id";

/// A new payment of `booking`.
async fn insert(
    conn: &mut AsyncPgConnection,
    booking: Uuid,
    amount: &str,
    gateway: &str,
) -> QueryResult<Payment> {
    let id = Uuid::new_v4();
    diesel::insert_into(p::table)
        .values((
            p::id.eq(id),
            p::booking_id.eq(booking),
            p::amount.eq(numeric(amount)?),
            p::gateway.eq(gateway),
        ))
        .execute(conn)
        .await?;
    // Raw SQL: the joined `SELECT` above (shared with `lock`'s `FOR UPDATE OF p`).
    diesel::sql_query(format!("{SELECT} WHERE p.id = $1"))
        .bind::<SqlUuid, _>(id)
        .get_result(conn)
        .await
}

/// The payment, locked for the rest of the transaction (webhook deliveries of one payment are decided
/// one after the other).
// Raw SQL: the joined `SELECT` above, locking only the payment's row (`FOR UPDATE OF p`).
async fn lock(conn: &mut AsyncPgConnection, id: Uuid) -> QueryResult<Option<Payment>> {
    diesel::sql_query(format!("{SELECT} WHERE p.id = $1 FOR UPDATE OF p"))
        .bind::<SqlUuid, _>(id)
        .get_result(conn)
        .await
        .optional()
}

/// A new status, and the gateway's reference when given; the booking's `payment_status` follows a
/// final outcome (`paid` / `failed`).
async fn write_status(
    conn: &mut AsyncPgConnection,
    payment: &Payment,
    status: PaymentStatus,
    reference: Option<&str>,
) -> QueryResult<()> {
    let row = diesel::update(p::table.find(payment.id));
    match reference {
        Some(reference) => {
            row.set((
                p::status.eq(status.as_str()),
                p::gateway_reference.eq(reference),
                p::updated_at.eq(now),
            ))
            .execute(conn)
            .await?
        }
        None => {
            row.set((p::status.eq(status.as_str()), p::updated_at.eq(now)))
                .execute(conn)
                .await?
        }
    };
    let Some(booking_status) = status.booking_payment_status() else {
        return Ok(());
    };
    diesel::update(b::table.find(payment.booking_id))
        .set((
            b::payment_status.eq(booking_status.as_str()),
            b::updated_at.eq(now),
        ))
        .execute(conn)
        .await
        .map(|_| ())
}

/// The worker's 80 % of a completed payment, once per payment; its amount when created now.
// Raw SQL: INSERT … SELECT computes the share in numeric; ON CONFLICT keeps it once per payment.
async fn create_payout(
    conn: &mut AsyncPgConnection,
    payment: &Payment,
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
    .bind::<SqlUuid, _>(payment.id)
    .get_result::<Amount>(conn)
    .await
    .optional()
    .map(|a| a.map(|a| a.amount))
}

/// Opens a payment for a booking (its owner or an admin).
pub async fn open(
    conn: &mut AsyncPgConnection,
    auth: &AuthUser,
    booking: Uuid,
    amount: &str,
    gateway: &str,
) -> Result<Payment> {
    let booking = bookings::by_id(conn, booking)
        .await?
        .ok_or(JobsError::BookingNotFound)?;
    if booking.user_id != auth.id && !auth.is_admin() {
        return Err(JobsError::NotBookingOwner);
    }
    Ok(insert(conn, booking.id, amount, gateway).await?)
}

/// What the gateway reported: `false` when the payment already had that status (nothing changes).
/// A final outcome is announced (`payments.payment.succeeded|failed`), a completion with the worker's
/// payout.
pub async fn settle(
    conn: &mut AsyncPgConnection,
    id: Uuid,
    status: PaymentStatus,
    reference: Option<&str>,
    correlation: Option<String>,
) -> Result<bool> {
    conn.transaction(|conn| {
        async move {
            let current = lock(conn, id).await?.ok_or(JobsError::PaymentNotFound)?;
            if current.status == status {
                return Ok(false);
            }
            if !payment::may_move(current.status, status) {
                return Err(JobsError::PaymentTransitionRefused {
                    from: current.status,
                    to: status,
                });
            }
            write_status(conn, &current, status, reference).await?;
            if status.booking_payment_status().is_some() {
                let payout = match (status, current.worker_id) {
                    (PaymentStatus::Completed, Some(worker)) => {
                        create_payout(conn, &current, worker).await?
                    }
                    _ => None,
                };
                let event = event(&current, status, payout, correlation);
                enqueue(conn, event).await?;
            }
            Ok(true)
        }
        .scope_boxed()
    })
    .await
}

/// `payments.payment.succeeded|failed`: a final outcome, with the worker's payout when one was made.
pub fn event(
    p: &Payment,
    status: PaymentStatus,
    payout: Option<String>,
    correlation: Option<String>,
) -> hm_contracts::Event<PaymentChanged> {
    let kind = if status == PaymentStatus::Completed {
        hm_contracts::events::types::PAYMENT_SUCCEEDED
    } else {
        hm_contracts::events::types::PAYMENT_FAILED
    };
    hm_contracts::Event::new(
        crate::store::outbox::SOURCE,
        kind,
        correlation,
        PaymentChanged {
            payment_id: p.id,
            booking_id: p.booking_id,
            user_id: p.user_id,
            worker_id: p.worker_id,
            amount: p.amount.clone(),
            currency: p.currency.clone(),
            status: status.as_str().to_owned(),
            payout_amount: payout,
        },
    )
}
