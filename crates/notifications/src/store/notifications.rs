//! In-app notifications (DOMAIN §5.1). Broadcasts (no user) are never in a user's list.

use crate::schema::notifications;
use chrono::{DateTime, Utc};
use diesel::pg::Pg;
use diesel::prelude::*;
use diesel::sql_types::{Bool, Nullable};
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use serde_json::Value;
use uuid::Uuid;

#[derive(Debug, Clone, Queryable)]
pub struct Notification {
    pub id: Uuid,
    pub user_id: Option<Uuid>,
    pub title: String,
    pub message: String,
    pub kind: String,
    pub data: Value,
    pub is_read: bool,
    pub channel: String,
    pub metadata: Value,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// The columns of a [`Notification`], in its order.
const COLUMNS: (
    notifications::id,
    notifications::user_id,
    notifications::title,
    notifications::message,
    notifications::type_,
    notifications::data,
    notifications::is_read,
    notifications::channel,
    notifications::metadata,
    notifications::created_at,
    notifications::updated_at,
) = (
    notifications::id,
    notifications::user_id,
    notifications::title,
    notifications::message,
    notifications::type_,
    notifications::data,
    notifications::is_read,
    notifications::channel,
    notifications::metadata,
    notifications::created_at,
    notifications::updated_at,
);

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
    diesel::insert_into(notifications::table)
        .values((
            notifications::id.eq(Uuid::new_v4()),
            notifications::user_id.eq(n.user_id),
            notifications::title.eq(n.title),
            notifications::message.eq(n.message),
            notifications::type_.eq(n.kind),
            notifications::data.eq(n.data),
            notifications::channel.eq(n.channel),
        ))
        .returning(COLUMNS)
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

/// The user's notifications `f` selects.
type Condition = Box<dyn BoxableExpression<notifications::table, Pg, SqlType = Nullable<Bool>>>;

fn matching(user: Uuid, f: &Filter) -> Condition {
    let mut c: Condition = Box::new(notifications::user_id.eq(user));
    if let Some(read) = f.is_read {
        c = Box::new(c.and(notifications::is_read.eq(read).nullable()));
    }
    if let Some(kind) = &f.kind {
        c = Box::new(c.and(notifications::type_.eq(kind.clone()).nullable()));
    }
    if let Some(from) = f.from {
        c = Box::new(c.and(notifications::created_at.ge(from).nullable()));
    }
    if let Some(to) = f.to {
        c = Box::new(c.and(notifications::created_at.le(to).nullable()));
    }
    c
}

/// One page of the user's notifications (newest first) and how many match.
pub async fn page(
    conn: &mut AsyncPgConnection,
    user: Uuid,
    f: &Filter,
    limit: i64,
    offset: i64,
) -> QueryResult<(Vec<Notification>, i64)> {
    let count = notifications::table
        .filter(matching(user, f))
        .count()
        .get_result(conn)
        .await?;
    let rows = notifications::table
        .filter(matching(user, f))
        .order((notifications::created_at.desc(), notifications::id))
        .limit(limit)
        .offset(offset)
        .select(COLUMNS)
        .load(conn)
        .await?;
    Ok((rows, count))
}

/// The user's own notification with this id.
pub async fn own(
    conn: &mut AsyncPgConnection,
    user: Uuid,
    id: Uuid,
) -> QueryResult<Option<Notification>> {
    notifications::table
        .find(id)
        .filter(notifications::user_id.eq(user))
        .select(COLUMNS)
        .get_result(conn)
        .await
        .optional()
}

/// Marks the user's unread notifications matching `f` (or only `id`) read and, when that changed any,
/// announces their new unread count ([`announce_unread`]), in one transaction; how many changed.
pub async fn mark_read(
    conn: &mut AsyncPgConnection,
    user: Uuid,
    f: &Filter,
    id: Option<Uuid>,
) -> QueryResult<usize> {
    use diesel_async::scoped_futures::ScopedFutureExt;
    use diesel_async::AsyncConnection;
    conn.transaction(|conn| {
        async move {
            let mut target = diesel::update(notifications::table)
                .filter(matching(user, f))
                .filter(notifications::is_read.eq(false))
                .into_boxed();
            if let Some(id) = id {
                target = target.filter(notifications::id.eq(id));
            }
            let changed = target
                .set((
                    notifications::is_read.eq(true),
                    notifications::updated_at.eq(diesel::dsl::now),
                ))
                .execute(conn)
                .await?;
            if changed > 0 {
                announce_unread(conn, user).await?;
            }
            Ok(changed)
        }
        .scope_boxed()
    })
    .await
}

/// Counts `user`'s unread notifications and announces the count
/// (`notifications.unread_count.changed`), in the caller's transaction, after the change that moved it.
/// Changes of one user's count take turns (a transaction-scoped advisory lock on the user), so each
/// count sees every change committed before it and the event written last (the latest `occurred_at`)
/// holds the latest count.
pub async fn announce_unread(conn: &mut AsyncPgConnection, user: Uuid) -> QueryResult<()> {
    use hm_contracts::events::{types, UnreadCountChanged};
    // Raw SQL: an advisory lock is a function returning `void`, which the builder cannot select.
    diesel::sql_query(
        "SELECT pg_advisory_xact_lock(hashtextextended('notifications.unread:' || $1::text, 0))",
    )
    .bind::<diesel::sql_types::Uuid, _>(user)
    .execute(conn)
    .await?;
    let count = unread(conn, user).await?;
    let event = hm_contracts::Event::new(
        crate::notifier::SOURCE,
        types::UNREAD_COUNT_CHANGED,
        None,
        UnreadCountChanged {
            user_id: user,
            unread: count,
        },
    );
    hm_platform::events::enqueue(conn, event).await
}

/// How many people one transaction of [`announce_all_unread`] takes.
pub const ANNOUNCE_BATCH: i64 = 500;

/// Announces the unread count of every person who has notifications ([`announce_unread`]),
/// `ANNOUNCE_BATCH` to a transaction, in the order of their ids: how a service that keeps the counts
/// (jobs' dashboards) learns those of notifications made before it did. The number of people.
pub async fn announce_all_unread(conn: &mut AsyncPgConnection) -> QueryResult<u64> {
    use diesel_async::scoped_futures::ScopedFutureExt;
    use diesel_async::AsyncConnection;
    let mut after = Uuid::nil();
    let mut announced = 0u64;
    loop {
        let batch: Vec<Option<Uuid>> = notifications::table
            .filter(notifications::user_id.gt(after))
            .select(notifications::user_id)
            .distinct()
            .order(notifications::user_id)
            .limit(ANNOUNCE_BATCH)
            .load(conn)
            .await?;
        let people: Vec<Uuid> = batch.into_iter().flatten().collect();
        let Some(&last) = people.last() else {
            return Ok(announced);
        };
        let count = people.len() as u64;
        conn.transaction(|conn| {
            async move {
                for &user in &people {
                    announce_unread(conn, user).await?;
                }
                Ok::<_, diesel::result::Error>(())
            }
            .scope_boxed()
        })
        .await?;
        announced += count;
        after = last;
    }
}

/// How many of `user`'s notifications are unread.
pub async fn unread(conn: &mut AsyncPgConnection, user: Uuid) -> QueryResult<i64> {
    notifications::table
        .filter(notifications::user_id.eq(user))
        .filter(notifications::is_read.eq(false))
        .count()
        .get_result(conn)
        .await
}
