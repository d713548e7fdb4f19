//! What notifications knows of other services' data: users (platform projection) and who a booking
//! belongs to (from the booking events).

use crate::schema::booking_refs;
use diesel::prelude::*;
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use hm_platform::projections::schema::user_refs;
use uuid::Uuid;

pub async fn user_exists(conn: &mut AsyncPgConnection, id: Uuid) -> QueryResult<bool> {
    diesel::select(diesel::dsl::exists(user_refs::table.find(id)))
        .get_result(conn)
        .await
}

/// The active admins: who hears of an emergency's escalation (DOMAIN §4.7).
pub async fn admins(conn: &mut AsyncPgConnection) -> QueryResult<Vec<Uuid>> {
    user_refs::table
        .filter(user_refs::role.eq(hm_contracts::Role::Admin.as_str()))
        .filter(user_refs::is_active.eq(true))
        .select(user_refs::id)
        .load(conn)
        .await
}

/// The user's full name, when known and set.
pub async fn user_name(conn: &mut AsyncPgConnection, id: Uuid) -> QueryResult<Option<String>> {
    let found: Option<(String, String)> = user_refs::table
        .find(id)
        .select((user_refs::first_name, user_refs::last_name))
        .get_result(conn)
        .await
        .optional()?;
    Ok(found
        .map(|(first, last)| format!("{first} {last}").trim_matches(' ').to_owned())
        .filter(|n| !n.is_empty()))
}

#[derive(Debug, Clone, Copy, Queryable, Selectable)]
#[diesel(table_name = booking_refs)]
pub struct BookingRef {
    pub user_id: Uuid,
    pub worker_user_id: Option<Uuid>,
}

/// The booking's customer and current worker, as its latest event said.
pub async fn upsert_booking(
    conn: &mut AsyncPgConnection,
    id: Uuid,
    user_id: Uuid,
    worker_user_id: Option<Uuid>,
) -> QueryResult<()> {
    diesel::insert_into(booking_refs::table)
        .values((
            booking_refs::id.eq(id),
            booking_refs::user_id.eq(user_id),
            booking_refs::worker_user_id.eq(worker_user_id),
        ))
        .on_conflict(booking_refs::id)
        .do_update()
        .set((
            booking_refs::user_id.eq(user_id),
            booking_refs::worker_user_id.eq(worker_user_id),
            booking_refs::updated_at.eq(diesel::dsl::now),
        ))
        .execute(conn)
        .await
        .map(|_| ())
}

pub async fn booking(conn: &mut AsyncPgConnection, id: Uuid) -> QueryResult<Option<BookingRef>> {
    booking_refs::table
        .find(id)
        .select(BookingRef::as_select())
        .get_result(conn)
        .await
        .optional()
}
