//! Stored events (DOMAIN §6.1): appended in batches, never updated.

use super::{is_missing_partition, partitions};
use crate::domain::report::day_of;
use chrono::{DateTime, Utc};
use chrono_tz::Tz;
use diesel::sql_types::{Array, Jsonb, Nullable, Timestamptz, Uuid as SqlUuid, Varchar};
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use ipnet::IpNet;
use serde_json::Value;
use uuid::Uuid;

/// An event ready to be stored: validated, its id and time given by the service.
#[derive(Debug, Clone)]
pub struct NewEvent {
    pub id: Uuid,
    pub created_at: DateTime<Utc>,
    /// The signed-in user, when the request carried a valid token.
    pub user_id: Option<Uuid>,
    pub anonymous_id: Option<String>,
    pub event_type: String,
    /// One of `domain::event::SOURCES`.
    pub source: String,
    pub payload: Value,
    pub ip_address: Option<IpNet>,
    /// At most 500 characters.
    pub user_agent: Option<String>,
}

/// Appends `events` in one statement (in one transaction: all or none). A day without its partition yet
/// gets one and the statement runs again.
///
/// One `INSERT … SELECT FROM unnest(…)` with an array per column: nine parameters however many rows,
/// which the query builder's multi-row `VALUES` (nine per row) cannot say.
pub async fn insert(
    conn: &mut AsyncPgConnection,
    events: &[&NewEvent],
    zone: Tz,
) -> diesel::QueryResult<()> {
    match insert_once(conn, events).await {
        Err(e) if is_missing_partition(&e) => {
            let mut days: Vec<_> = events.iter().map(|e| day_of(e.created_at, zone)).collect();
            days.sort_unstable();
            days.dedup();
            partitions::ensure(conn, &days, zone).await?;
            insert_once(conn, events).await
        }
        other => other,
    }
}

async fn insert_once(
    conn: &mut AsyncPgConnection,
    events: &[&NewEvent],
) -> diesel::QueryResult<()> {
    if events.is_empty() {
        return Ok(());
    }
    let n = events.len();
    let mut ids = Vec::with_capacity(n);
    let mut times = Vec::with_capacity(n);
    let mut users = Vec::with_capacity(n);
    let mut anonymous = Vec::with_capacity(n);
    let mut types = Vec::with_capacity(n);
    let mut sources = Vec::with_capacity(n);
    let mut payloads = Vec::with_capacity(n);
    let mut ips = Vec::with_capacity(n);
    let mut agents = Vec::with_capacity(n);
    for e in events {
        ids.push(e.id);
        times.push(e.created_at);
        users.push(e.user_id);
        anonymous.push(e.anonymous_id.as_deref());
        types.push(e.event_type.as_str());
        sources.push(e.source.as_str());
        payloads.push(&e.payload);
        ips.push(e.ip_address);
        agents.push(e.user_agent.as_deref());
    }
    diesel::sql_query(
        "INSERT INTO analytics_events \
         (id, created_at, user_id, anonymous_id, event_type, source, payload, ip_address, user_agent) \
         SELECT * FROM unnest($1, $2, $3, $4, $5, $6, $7, $8, $9)",
    )
    .bind::<Array<SqlUuid>, _>(ids)
    .bind::<Array<Timestamptz>, _>(times)
    .bind::<Array<Nullable<SqlUuid>>, _>(users)
    .bind::<Array<Nullable<Varchar>>, _>(anonymous)
    .bind::<Array<Varchar>, _>(types)
    .bind::<Array<Varchar>, _>(sources)
    .bind::<Array<Jsonb>, _>(payloads)
    .bind::<Array<Nullable<diesel::sql_types::Inet>>, _>(ips)
    .bind::<Array<Nullable<Varchar>>, _>(agents)
    .execute(conn)
    .await
    .map(|_| ())
}
