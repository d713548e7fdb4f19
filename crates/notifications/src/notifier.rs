//! Creating a notification: the row, its pushes when push delivery is on and its channel asks for them
//! (DOMAIN §5.4), and for a person's notification the `notifications.notification.created` event that
//! every replica forwards to that person's sockets (API §10.3) and their new unread count
//! (`notifications.unread_count.changed`, for dashboards elsewhere). Events and the admin's test endpoint
//! both come through here.

use crate::domain::messages::Outgoing;
use crate::store::notifications::{self, NewNotification, Notification};
use crate::store::pushes;
use diesel::QueryResult;
use diesel_async::AsyncPgConnection;
use hm_contracts::events::{types, NotificationCreated};
use hm_contracts::Event;
use serde_json::json;
use std::sync::Arc;
use tokio::sync::Notify;

/// What the platform's own notifications go out as: in the app and, where push is on, to the phone.
pub const EVENT_CHANNEL: &str = "both";

/// The `source` of notifications' events.
pub const SOURCE: &str = "notifications";

#[derive(Clone)]
pub struct Notifier {
    push_enabled: bool,
    /// Wakes the push worker (it also polls, so a push queued in a transaction that commits later is
    /// still sent promptly).
    wake: Arc<Notify>,
}

impl Notifier {
    pub fn new(push_enabled: bool, wake: Arc<Notify>) -> Self {
        Notifier { push_enabled, wake }
    }

    /// Creates `n`; run it in the transaction that should hold the notification and its pushes together.
    /// The recipient's new unread count is the caller's to announce ([`notifications::announce_unread`]),
    /// once the transaction has created all it creates.
    async fn create(
        &self,
        conn: &mut AsyncPgConnection,
        n: &NewNotification<'_>,
    ) -> QueryResult<Notification> {
        let created = notifications::insert(conn, n).await?;
        if self.push_enabled && matches!(n.channel, "push" | "both") {
            let payload =
                json!({"title": created.title, "message": created.message, "data": created.data});
            let queued = pushes::queue(conn, created.id, created.user_id, &payload).await?;
            if queued > 0 {
                self.wake.notify_one();
            }
        }
        if let Some(user_id) = created.user_id {
            let live = NotificationCreated {
                id: created.id,
                user_id,
                title: created.title.clone(),
                message: created.message.clone(),
                kind: created.kind.clone(),
                data: created.data.clone(),
                channel: created.channel.clone(),
                metadata: created.metadata.clone(),
                created_at: created.created_at,
            };
            let event = Event::new(SOURCE, types::NOTIFICATION_CREATED, None, live);
            hm_platform::events::enqueue(conn, event).await?;
        }
        Ok(created)
    }

    /// Creates `n` now, in a transaction of its own (notification and pushes together): a send that
    /// is not part of a larger write (the admin's test send).
    pub async fn send(
        &self,
        conn: &mut AsyncPgConnection,
        n: &NewNotification<'_>,
    ) -> QueryResult<Notification> {
        use diesel_async::scoped_futures::ScopedFutureExt;
        use diesel_async::AsyncConnection;
        conn.transaction(|conn| {
            async move {
                let created = self.create(conn, n).await?;
                if let Some(user) = created.user_id {
                    notifications::announce_unread(conn, user).await?;
                }
                Ok(created)
            }
            .scope_boxed()
        })
        .await
    }

    /// The notifications an event makes, then each recipient's new unread count (in the order of their
    /// ids, so two events telling the same people never wait on each other's locks in a circle).
    pub async fn create_all(
        &self,
        conn: &mut AsyncPgConnection,
        outgoing: &[Outgoing],
    ) -> QueryResult<()> {
        for o in outgoing {
            self.create(
                conn,
                &NewNotification {
                    user_id: Some(o.user_id),
                    kind: o.kind,
                    title: &o.title,
                    message: &o.message,
                    data: &o.data,
                    channel: EVENT_CHANNEL,
                },
            )
            .await?;
        }
        let mut recipients: Vec<uuid::Uuid> = outgoing.iter().map(|o| o.user_id).collect();
        recipients.sort();
        recipients.dedup();
        for user in recipients {
            notifications::announce_unread(conn, user).await?;
        }
        Ok(())
    }
}
