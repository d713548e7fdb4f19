//! Activity history (DOMAIN §5.2), newest first.

use chrono::{DateTime, Utc};
use diesel::sql_types::{Jsonb, Nullable, Text, Timestamptz, Uuid as SqlUuid};
use diesel::{QueryResult, QueryableByName};
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use serde_json::Value;
use uuid::Uuid;

pub use crate::domain::timeline::Entry;

#[derive(Debug, Clone, QueryableByName)]
pub struct TimelineEvent {
    #[diesel(sql_type = SqlUuid)]
    pub id: Uuid,
    #[diesel(sql_type = Nullable<SqlUuid>)]
    pub booking_id: Option<Uuid>,
    #[diesel(sql_type = Nullable<SqlUuid>)]
    pub job_id: Option<Uuid>,
    #[diesel(sql_type = Text)]
    pub event_type: String,
    #[diesel(sql_type = Text)]
    pub actor_display: String,
    #[diesel(sql_type = Jsonb)]
    pub payload: Value,
    #[diesel(sql_type = Timestamptz)]
    pub created_at: DateTime<Utc>,
}

pub async fn insert(conn: &mut AsyncPgConnection, e: &Entry) -> QueryResult<()> {
    diesel::sql_query(
        "INSERT INTO timeline_events (id, booking_id, job_id, related_user_id, event_type, actor_display,
             payload, created_at, updated_at)
         VALUES ($1, $2, $3, $4, $5, left($6, 255), $7, $8, $8)",
    )
    .bind::<SqlUuid, _>(Uuid::new_v4())
    .bind::<Nullable<SqlUuid>, _>(e.booking_id)
    .bind::<Nullable<SqlUuid>, _>(e.job_id)
    .bind::<Nullable<SqlUuid>, _>(e.related_user_id)
    .bind::<Text, _>(e.event_type)
    .bind::<Text, _>(&e.actor_display)
    .bind::<Jsonb, _>(&e.payload)
    .bind::<Timestamptz, _>(e.at)
    .execute(conn)
    .await
    .map(|_| ())
}

/// A booking's timeline, newest first.
pub async fn of_booking(
    conn: &mut AsyncPgConnection,
    booking: Uuid,
) -> QueryResult<Vec<TimelineEvent>> {
    diesel::sql_query(
        "SELECT id, booking_id, job_id, event_type, actor_display, payload, created_at
         FROM timeline_events WHERE booking_id = $1 ORDER BY created_at DESC, id",
    )
    .bind::<SqlUuid, _>(booking)
    .load(conn)
    .await
}
