//! What notifications knows of other services' data: users (platform projection) and who a booking
//! belongs to (from the booking events).

use diesel::sql_types::{Nullable, Text, Uuid as SqlUuid};
use diesel::{OptionalExtension, QueryResult, QueryableByName};
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use uuid::Uuid;

pub async fn user_exists(conn: &mut AsyncPgConnection, id: Uuid) -> QueryResult<bool> {
    #[derive(QueryableByName)]
    struct Found {
        #[diesel(sql_type = SqlUuid)]
        #[allow(dead_code)]
        id: Uuid,
    }
    diesel::sql_query("SELECT id FROM user_refs WHERE id = $1")
        .bind::<SqlUuid, _>(id)
        .get_result::<Found>(conn)
        .await
        .optional()
        .map(|f| f.is_some())
}

/// The user's full name, when known and set.
pub async fn user_name(conn: &mut AsyncPgConnection, id: Uuid) -> QueryResult<Option<String>> {
    #[derive(QueryableByName)]
    struct Name {
        #[diesel(sql_type = Text)]
        name: String,
    }
    let found: Option<Name> = diesel::sql_query(
        "SELECT trim(first_name || ' ' || last_name) AS name FROM user_refs WHERE id = $1",
    )
    .bind::<SqlUuid, _>(id)
    .get_result(conn)
    .await
    .optional()?;
    Ok(found.map(|n| n.name).filter(|n| !n.is_empty()))
}

#[derive(Debug, Clone, Copy, QueryableByName)]
pub struct BookingRef {
    #[diesel(sql_type = SqlUuid)]
    pub user_id: Uuid,
    #[diesel(sql_type = Nullable<SqlUuid>)]
    pub worker_user_id: Option<Uuid>,
}

/// The booking's customer and current worker, as its latest event said.
pub async fn upsert_booking(
    conn: &mut AsyncPgConnection,
    id: Uuid,
    user_id: Uuid,
    worker_user_id: Option<Uuid>,
) -> QueryResult<()> {
    diesel::sql_query(
        "INSERT INTO booking_refs (id, user_id, worker_user_id) VALUES ($1, $2, $3)
         ON CONFLICT (id) DO UPDATE SET user_id = excluded.user_id,
             worker_user_id = excluded.worker_user_id, updated_at = now()",
    )
    .bind::<SqlUuid, _>(id)
    .bind::<SqlUuid, _>(user_id)
    .bind::<Nullable<SqlUuid>, _>(worker_user_id)
    .execute(conn)
    .await
    .map(|_| ())
}

pub async fn booking(conn: &mut AsyncPgConnection, id: Uuid) -> QueryResult<Option<BookingRef>> {
    diesel::sql_query("SELECT user_id, worker_user_id FROM booking_refs WHERE id = $1")
        .bind::<SqlUuid, _>(id)
        .get_result(conn)
        .await
        .optional()
}
