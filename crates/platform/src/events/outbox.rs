//! The transactional outbox: a service writes its events in the same transaction as its state change;
//! the relay publishes them with confirms and marks them sent. A broker outage delays events, it never
//! loses them, and a crash between publish and mark only ever duplicates (consumers are idempotent).

use super::schema::outbox;
use super::Broker;
use crate::db::{DbPool, Prepared};
use crate::metrics::Metrics;
use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel_async::scoped_futures::ScopedFutureExt;
use diesel_async::{AsyncConnection, AsyncPgConnection, RunQueryDsl};
use futures_util::StreamExt;
use hm_contracts::Event;
use serde::Serialize;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::{watch, Notify};
use tokio::task::JoinHandle;
use uuid::Uuid;

const BATCH: i64 = 200;
const POLL_INTERVAL: Duration = Duration::from_millis(1000);
const RETRY_DELAY: Duration = Duration::from_millis(500);

/// An event as its outbox row stores it.
#[derive(Debug, Clone, PartialEq)]
pub struct OutboxRow {
    /// The event's id.
    pub id: Uuid,
    pub event_type: String,
    /// The whole envelope, as the relay publishes it.
    pub envelope: serde_json::Value,
    /// When the event occurred: the relay publishes oldest first, and its lag is counted from here.
    pub created_at: DateTime<Utc>,
}

impl OutboxRow {
    /// The row of `event`. A statement that writes a change and its event at once (one round trip)
    /// inserts it into `outbox (id, event_type, envelope, created_at)` itself; [`enqueue`] otherwise.
    pub fn of<T: Serialize>(event: Event<T>) -> QueryResult<OutboxRow> {
        let serialization = |e| diesel::result::Error::SerializationError(Box::new(e));
        let event = event.into_json().map_err(serialization)?;
        Ok(OutboxRow {
            id: event.id,
            event_type: event.event_type.clone(),
            envelope: serde_json::to_value(&event).map_err(serialization)?,
            created_at: event.occurred_at,
        })
    }
}

/// Writes `event` to the outbox on `conn`; call it inside the transaction that makes the change.
pub async fn enqueue<T: Serialize>(
    conn: &mut AsyncPgConnection,
    event: Event<T>,
) -> QueryResult<()> {
    let row = OutboxRow::of(event)?;
    diesel::insert_into(outbox::table)
        .values((
            outbox::id.eq(row.id),
            outbox::event_type.eq(&row.event_type),
            outbox::envelope.eq(row.envelope),
            outbox::created_at.eq(row.created_at),
        ))
        .execute(conn)
        .await
        .map(|_| ())
}

pub struct Relay {
    pool: DbPool,
    broker: Arc<Broker>,
    metrics: Metrics,
    database_url: String,
}

/// Stops the relay after one last drain.
pub struct RelayHandle {
    stop: watch::Sender<bool>,
    task: JoinHandle<()>,
    wake: Arc<Notify>,
}

impl RelayHandle {
    pub fn wake(&self) {
        self.wake.notify_one();
    }

    pub async fn shutdown(self) {
        let _ = self.stop.send(true);
        let _ = self.task.await;
    }
}

#[derive(Debug, thiserror::Error)]
enum RelayError {
    #[error("database: {0}")]
    Db(String),
    #[error("database: {0}")]
    Query(#[from] diesel::result::Error),
    #[error(transparent)]
    Bus(#[from] super::BusError),
}

impl Relay {
    pub fn new(pool: DbPool, broker: Arc<Broker>, metrics: Metrics, database_url: &str) -> Self {
        Relay {
            pool,
            broker,
            metrics,
            database_url: database_url.to_owned(),
        }
    }

    pub fn spawn(self) -> RelayHandle {
        let (stop, stopped) = watch::channel(false);
        let wake = Arc::new(Notify::new());
        let listener = tokio::spawn(listen(
            self.database_url.clone(),
            wake.clone(),
            stopped.clone(),
        ));
        let task_wake = wake.clone();
        let task = tokio::spawn(async move {
            self.run(task_wake, stopped).await;
            listener.abort();
        });
        RelayHandle { stop, task, wake }
    }

    async fn run(self, wake: Arc<Notify>, mut stopped: watch::Receiver<bool>) {
        loop {
            let delay = match self.drain().await {
                Ok(()) => POLL_INTERVAL,
                Err(e) => {
                    tracing::warn!(error = %e, "outbox relay: publish failed, will retry");
                    RETRY_DELAY
                }
            };
            if *stopped.borrow() {
                return;
            }
            tokio::select! {
                _ = wake.notified() => {}
                _ = tokio::time::sleep(delay) => {}
                _ = stopped.changed() => {
                    // Flush what is committed before going away (ARCHITECTURE §9).
                    if let Err(e) = self.drain().await {
                        tracing::warn!(error = %e, "outbox relay: final flush incomplete");
                    }
                    self.broker.close().await;
                    return;
                }
            }
        }
    }

    /// Publishes batches until the outbox is empty.
    async fn drain(&self) -> Result<(), RelayError> {
        while self.publish_batch().await? == BATCH as usize {}
        Ok(())
    }

    async fn publish_batch(&self) -> Result<usize, RelayError> {
        let mut conn = self
            .pool
            .get()
            .await
            .map_err(|e| RelayError::Db(e.to_string()))?;
        let broker = self.broker.clone();
        let metrics = self.metrics.clone();
        conn.transaction::<_, RelayError, _>(|conn| {
            async move {
                let rows: Vec<(Uuid, String, serde_json::Value, DateTime<Utc>)> = outbox::table
                    .filter(outbox::published_at.is_null())
                    .order(outbox::created_at)
                    .select((outbox::id, outbox::event_type, outbox::envelope, outbox::created_at))
                    .limit(BATCH)
                    .for_update()
                    .skip_locked()
                    .load(conn)
                    .await
                    .map_err(|e| RelayError::Db(e.to_string()))?;
                // Rows that are not events are skipped (marked sent); the rest go out as one pipelined
                // batch, and exactly the confirmed prefix is marked sent.
                let mut sent = Vec::with_capacity(rows.len());
                let (mut events, mut batch) = (Vec::with_capacity(rows.len()), Vec::with_capacity(rows.len()));
                for (id, event_type, envelope, created_at) in &rows {
                    match serde_json::from_value::<Event>(envelope.clone()) {
                        Ok(event) => {
                            events.push(event);
                            batch.push((*id, event_type, *created_at));
                        }
                        Err(e) => {
                            tracing::error!(%id, error = %e, "outbox row is not an event; skipping it");
                            sent.push(*id);
                        }
                    }
                }
                let (confirmed, failure) = broker.publish_all(&events).await;
                let now = Utc::now();
                for (id, event_type, created_at) in &batch[..confirmed] {
                    metrics.event_published(event_type);
                    let lag = (now - *created_at).num_microseconds().unwrap_or(0) as f64 / 1e6;
                    metrics.observe_outbox_lag(lag.max(0.0));
                    sent.push(*id);
                }
                if !sent.is_empty() {
                    // Prepared once: diesel caches no `= ANY($n)` filter.
                    let mark = diesel::update(outbox::table.filter(outbox::id.eq_any(&sent)))
                        .set((outbox::published_at.eq(Utc::now()), outbox::updated_at.eq(Utc::now())));
                    Prepared(mark)
                        .execute(conn)
                        .await
                        .map_err(|e| RelayError::Db(e.to_string()))?;
                }
                let pending = rows.len() - sent.len();
                metrics.set_outbox_pending(pending as i64);
                match failure {
                    // Commit what went out; the rest stays for the next attempt.
                    Some(e) if sent.is_empty() => Err(e.into()),
                    Some(e) => {
                        tracing::warn!(error = %e, sent = sent.len(), "outbox relay: partial batch");
                        Ok(0)
                    }
                    None => Ok(rows.len()),
                }
            }
            .scope_boxed()
        })
        .await
    }
}

/// Wakes the relay on `NOTIFY outbox` (sent by a trigger on insert), reconnecting when the connection
/// drops; the relay's polling covers the gaps.
async fn listen(database_url: String, wake: Arc<Notify>, stopped: watch::Receiver<bool>) {
    while !*stopped.borrow() {
        match tokio_postgres::connect(&database_url, tokio_postgres::NoTls).await {
            Ok((client, mut connection)) => {
                let mut messages =
                    futures_util::stream::poll_fn(move |cx| connection.poll_message(cx));
                let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel();
                let pump = tokio::spawn(async move {
                    while let Some(message) = messages.next().await {
                        match message {
                            Ok(tokio_postgres::AsyncMessage::Notification(_)) => {
                                if tx.send(()).is_err() {
                                    break;
                                }
                            }
                            Ok(_) => {}
                            Err(_) => break,
                        }
                    }
                });
                if client.batch_execute("LISTEN outbox").await.is_ok() {
                    while rx.recv().await.is_some() {
                        wake.notify_one();
                    }
                }
                pump.abort();
            }
            Err(e) => tracing::debug!(error = %e, "outbox listener: cannot connect"),
        }
        tokio::time::sleep(Duration::from_secs(2)).await;
    }
}
