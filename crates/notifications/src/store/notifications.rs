//! In-app notifications (DOMAIN §5.1). Broadcasts (no user) are never in a user's list.

use chrono::{DateTime, Utc};
use diesel::sql_types::{BigInt, Bool, Jsonb, Nullable, Text, Timestamptz, Uuid as SqlUuid};
use diesel::{OptionalExtension, QueryResult, QueryableByName};
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use hm_platform::db::Count;
use serde_json::Value;
use uuid::Uuid;

#[derive(Debug, Clone, QueryableByName)]
pub struct Notification {
    #[diesel(sql_type = SqlUuid)]
    pub id: Uuid,
    #[diesel(sql_type = Nullable<SqlUuid>)]
    pub user_id: Option<Uuid>,
    #[diesel(sql_type = Text)]
    pub title: String,
    #[diesel(sql_type = Text)]
    pub message: String,
    #[diesel(sql_type = Text)]
    pub kind: String,
    #[diesel(sql_type = Jsonb)]
    pub data: Value,
    #[diesel(sql_type = Bool)]
    pub is_read: bool,
    #[diesel(sql_type = Text)]
    pub channel: String,
    #[diesel(sql_type = Jsonb)]
    pub metadata: Value,
    #[diesel(sql_type = Timestamptz)]
    pub created_at: DateTime<Utc>,
    #[diesel(sql_type = Timestamptz)]
    pub updated_at: DateTime<Utc>,
}

const SELECT: &str =
    "SELECT id, user_id, title, message, type AS kind, data, is_read, channel, metadata,
    created_at, updated_at FROM notifications";

/// A notification to create: for one user, or a broadcast (`user_id` `None`).
#[derive(Debug, Clone)]
pub struct NewNotification<'a> {
    pub user_id: Option<Uuid>,
    pub kind: &'a str,
    pub title: &'a str,
    pub message: &'a str,
    pub data: &'a Value,
    pub channel: &'a str,
}

pub async fn insert(
    conn: &mut AsyncPgConnection,
    n: &NewNotification<'_>,
) -> QueryResult<Notification> {
    diesel::sql_query(
        "INSERT INTO notifications (id, user_id, title, message, type, data, channel) VALUES ($1, $2, $3, $4, $5, $6, $7)
         RETURNING id, user_id, title, message, type AS kind, data, is_read, channel, metadata, created_at, updated_at",
    )
    .bind::<SqlUuid, _>(Uuid::new_v4())
    .bind::<Nullable<SqlUuid>, _>(n.user_id)
    .bind::<Text, _>(n.title)
    .bind::<Text, _>(n.message)
    .bind::<Text, _>(n.kind)
    .bind::<Jsonb, _>(n.data)
    .bind::<Text, _>(n.channel)
    .get_result(conn)
    .await
}

/// The list filters of API §9.1.
#[derive(Debug, Clone, Default)]
pub struct Filter {
    pub is_read: Option<bool>,
    pub kind: Option<String>,
    pub from: Option<DateTime<Utc>>,
    pub to: Option<DateTime<Utc>>,
}

const FILTER: &str = "user_id = $1 AND ($2::bool IS NULL OR is_read = $2) AND ($3::text IS NULL OR type = $3)
    AND ($4::timestamptz IS NULL OR created_at >= $4) AND ($5::timestamptz IS NULL OR created_at <= $5)";

/// One page of the user's notifications (newest first) and how many match.
pub async fn page(
    conn: &mut AsyncPgConnection,
    user: Uuid,
    f: &Filter,
    limit: i64,
    offset: i64,
) -> QueryResult<(Vec<Notification>, i64)> {
    let bind = |sql: String| {
        diesel::sql_query(sql)
            .into_boxed()
            .bind::<SqlUuid, _>(user)
            .bind::<Nullable<Bool>, _>(f.is_read)
            .bind::<Nullable<Text>, _>(f.kind.clone())
            .bind::<Nullable<Timestamptz>, _>(f.from)
            .bind::<Nullable<Timestamptz>, _>(f.to)
    };
    let count: Count = bind(format!(
        "SELECT count(*) AS n FROM notifications WHERE {FILTER}"
    ))
    .get_result(conn)
    .await?;
    let rows = bind(format!(
        "{SELECT} WHERE {FILTER} ORDER BY created_at DESC, id LIMIT $6 OFFSET $7"
    ))
    .bind::<BigInt, _>(limit)
    .bind::<BigInt, _>(offset)
    .load(conn)
    .await?;
    Ok((rows, count.n))
}

/// The user's own notification with this id.
pub async fn own(
    conn: &mut AsyncPgConnection,
    user: Uuid,
    id: Uuid,
) -> QueryResult<Option<Notification>> {
    diesel::sql_query(format!("{SELECT} WHERE id = $1 AND user_id = $2"))
        .bind::<SqlUuid, _>(id)
        .bind::<SqlUuid, _>(user)
        .get_result(conn)
        .await
        .optional()
}

/// Marks the user's unread notifications matching `f` read; how many changed.
pub async fn mark_read(
    conn: &mut AsyncPgConnection,
    user: Uuid,
    f: &Filter,
    id: Option<Uuid>,
) -> QueryResult<usize> {
    diesel::sql_query(format!(
        "UPDATE notifications SET is_read = true, updated_at = now()
         WHERE {FILTER} AND NOT is_read AND ($6::uuid IS NULL OR id = $6)"
    ))
    .bind::<SqlUuid, _>(user)
    .bind::<Nullable<Bool>, _>(f.is_read)
    .bind::<Nullable<Text>, _>(f.kind.clone())
    .bind::<Nullable<Timestamptz>, _>(f.from)
    .bind::<Nullable<Timestamptz>, _>(f.to)
    .bind::<Nullable<SqlUuid>, _>(id)
    .execute(conn)
    .await
}

pub async fn unread(conn: &mut AsyncPgConnection, user: Uuid) -> QueryResult<i64> {
    diesel::sql_query("SELECT count(*) AS n FROM notifications WHERE user_id = $1 AND NOT is_read")
        .bind::<SqlUuid, _>(user)
        .get_result::<Count>(conn)
        .await
        .map(|c| c.n)
}
