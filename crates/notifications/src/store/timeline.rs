//! Activity history (DOMAIN §5.2), newest first.

use crate::schema::timeline_events;
use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use serde_json::Value;
use uuid::Uuid;

pub use crate::domain::timeline::Entry;

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = timeline_events)]
pub struct TimelineEvent {
    pub id: Uuid,
    pub booking_id: Option<Uuid>,
    pub job_id: Option<Uuid>,
    pub event_type: String,
    pub actor_display: String,
    pub payload: Value,
    pub created_at: DateTime<Utc>,
}

pub async fn insert(conn: &mut AsyncPgConnection, e: &Entry) -> QueryResult<()> {
    // The column holds 255 characters.
    let actor: String = e.actor_display.chars().take(255).collect();
    diesel::insert_into(timeline_events::table)
        .values((
            timeline_events::id.eq(Uuid::new_v4()),
            timeline_events::booking_id.eq(e.booking_id),
            timeline_events::job_id.eq(e.job_id),
            timeline_events::related_user_id.eq(e.related_user_id),
            timeline_events::event_type.eq(e.event_type),
            timeline_events::actor_display.eq(actor),
            timeline_events::payload.eq(&e.payload),
            timeline_events::created_at.eq(e.at),
            timeline_events::updated_at.eq(e.at),
        ))
        .execute(conn)
        .await
        .map(|_| ())
}

/// A booking's timeline, newest first.
pub async fn of_booking(
    conn: &mut AsyncPgConnection,
    booking: Uuid,
) -> QueryResult<Vec<TimelineEvent>> {
    timeline_events::table
        .filter(timeline_events::booking_id.eq(booking))
        .order((timeline_events::created_at.desc(), timeline_events::id))
        .select(TimelineEvent::as_select())
        .load(conn)
        .await
}
