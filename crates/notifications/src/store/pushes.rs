//! The push queue and delivery log (DOMAIN §5.4).

use crate::schema::{devices, outgoing_pushes};
use diesel::dsl::{now, IntervalDsl};
use diesel::prelude::*;
use diesel::sql_types::{
    BigInt, Bool, Integer, Jsonb, Nullable, Text, Timestamptz, Uuid as SqlUuid,
};
use diesel::QueryableByName;
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use serde_json::Value;
use std::time::Duration;
use uuid::Uuid;

/// How long a taken push is reserved for the worker that took it.
const LEASE_SECONDS: i32 = 60;

/// Queues the notification for every active device of `user` (every active device when `None`).
pub async fn queue(
    conn: &mut AsyncPgConnection,
    notification_id: Uuid,
    user: Option<Uuid>,
    payload: &Value,
) -> QueryResult<usize> {
    // Raw SQL: one INSERT … SELECT over the recipient's devices, ids made by Postgres.
    diesel::sql_query(
        "INSERT INTO outgoing_pushes (id, notification_id, device_id, payload)
         SELECT gen_random_uuid(), $1, d.id, $2 FROM devices d
         WHERE d.is_active AND ($3::uuid IS NULL OR d.user_id = $3)",
    )
    .bind::<SqlUuid, _>(notification_id)
    .bind::<Jsonb, _>(payload)
    .bind::<Nullable<SqlUuid>, _>(user)
    .execute(conn)
    .await
}

#[derive(Debug, Clone, QueryableByName)]
#[diesel(table_name = outgoing_pushes)]
pub struct Due {
    pub id: Uuid,
    pub device_id: Uuid,
    pub payload: Value,
    pub attempts: i32,
    #[diesel(sql_type = Text)]
    pub token: String,
    #[diesel(sql_type = Bool)]
    pub device_active: bool,
}

/// Takes up to `limit` queued pushes that are due, leasing them so no other worker takes them meanwhile.
pub async fn take_due(conn: &mut AsyncPgConnection, limit: i64) -> QueryResult<Vec<Due>> {
    // Raw SQL: a CTE that leases with `FOR UPDATE SKIP LOCKED`, joined with the devices.
    diesel::sql_query(
        "WITH due AS (
             UPDATE outgoing_pushes SET next_attempt_at = now() + make_interval(secs => $2)
             WHERE id IN (SELECT id FROM outgoing_pushes WHERE status = 'queued' AND next_attempt_at <= now()
                          ORDER BY next_attempt_at LIMIT $1 FOR UPDATE SKIP LOCKED)
             RETURNING id, device_id, payload, attempts)
         SELECT due.id, due.device_id, due.payload, due.attempts, d.registration_token AS token,
                d.is_active AS device_active
         FROM due JOIN devices d ON d.id = due.device_id",
    )
    .bind::<BigInt, _>(limit)
    .bind::<Integer, _>(LEASE_SECONDS)
    .load(conn)
    .await
}

/// What became of one attempt.
#[derive(Debug, Clone, PartialEq)]
pub enum Outcome {
    Sent(Value),
    /// Failed, and the device's token is dead: the device is deactivated.
    Unregistered(Value),
    Failed(Value),
    /// Failed for now: queued again after the delay.
    RetryIn(Value, Duration),
}

pub async fn record(
    conn: &mut AsyncPgConnection,
    push: &Due,
    outcome: &Outcome,
) -> QueryResult<()> {
    let (status, response, delay) = match outcome {
        Outcome::Sent(r) => ("sent", r, 0),
        Outcome::Unregistered(r) | Outcome::Failed(r) => ("failed", r, 0),
        Outcome::RetryIn(r, d) => ("queued", r, i32::try_from(d.as_secs()).unwrap_or(i32::MAX)),
    };
    diesel::update(outgoing_pushes::table.find(push.id))
        .set((
            outgoing_pushes::status.eq(status),
            outgoing_pushes::provider_response.eq(response),
            outgoing_pushes::attempts.eq(outgoing_pushes::attempts + 1),
            outgoing_pushes::last_attempt_at.eq(now),
            outgoing_pushes::next_attempt_at.eq(now.into_sql::<Timestamptz>() + delay.seconds()),
            outgoing_pushes::updated_at.eq(now),
        ))
        .execute(conn)
        .await?;
    if matches!(outcome, Outcome::Unregistered(_)) {
        diesel::update(devices::table.find(push.device_id))
            .set((devices::is_active.eq(false), devices::updated_at.eq(now)))
            .execute(conn)
            .await?;
    }
    Ok(())
}
