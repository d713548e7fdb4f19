//! The transactional outbox: a service writes its events in the same transaction as its state change;
//! the relay publishes them with confirms and marks them sent. A broker outage delays events, it never
//! loses them, and a crash between publish and mark only ever duplicates (consumers are idempotent).
//!
//! The relay is woken in-process by the writes of its own process ([`outbox_written`]), not by a
//! `NOTIFY` trigger: PostgreSQL serialises the commits of every transaction that notifies (one global
//! lock held until the commit record is flushed, so no group commit), which capped every service's
//! writes at a few hundred transactions a second (issue #20). Every replica runs a relay, so each
//! replica's own wake-up covers its own writes; polling covers the rest (a seed run by another process).

use super::schema::outbox;
use super::{Broker, Publishable};
use crate::db::{DbPool, Prepared};
use crate::metrics::Metrics;
use chrono::{DateTime, Utc};
use diesel::deserialize::{FromSql, FromSqlRow};
use diesel::pg::{Pg, PgValue};
use diesel::prelude::*;
use diesel::sql_types::Jsonb;
use diesel_async::scoped_futures::ScopedFutureExt;
use diesel_async::{AsyncConnection, AsyncPgConnection, RunQueryDsl};
use hm_contracts::Event;
use serde::de::IgnoredAny;
use serde::Serialize;
use std::borrow::Cow;
use std::sync::{Arc, LazyLock};
use std::time::Duration;
use tokio::sync::watch;
use tokio::task::JoinHandle;
use uuid::Uuid;

const BATCH: i64 = 200;
/// Relay loops per process. Each claims its own batch (`SKIP LOCKED`), so some publish while others
/// wait for the broker's confirms and their commits: with one loop the outbox lag p99 was 199 ms at
/// about 2,000 bookings/s, with four 78.6 ms (`make bench-bookings`, issue #20). Consumers take events in any order
/// (ARCHITECTURE §7: replicas' relays already interleave).
const LOOPS: usize = 4;
const POLL_INTERVAL: Duration = Duration::from_millis(1000);
const RETRY_DELAY: Duration = Duration::from_millis(500);
/// After a write of its process, the relay looks again after 2, 4, … 64 ms: the bell rings before the
/// writer's transaction commits, and the row is visible only once it has.
const CHASE_FIRST: Duration = Duration::from_millis(2);
const CHASE_LAST: Duration = Duration::from_millis(64);

/// Rung by every outbox write of this process; each relay of the process watches it.
static WRITTEN: LazyLock<watch::Sender<()>> = LazyLock::new(|| watch::channel(()).0);

/// Tells the relays of this process that an outbox row is being written: [`enqueue`] rings it, and so
/// must a statement that inserts into `outbox` itself (with an [`OutboxRow`]). Ringing before the
/// commit is fine (the relay chases the commit for 126 ms); not ringing only delays the event to the
/// relay's next poll (1 s).
pub fn outbox_written() {
    WRITTEN.send_replace(());
}

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
    /// inserts it into `outbox (id, event_type, envelope, created_at)` itself, then calls
    /// [`outbox_written`]; [`enqueue`] otherwise.
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
    outbox_written();
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
}

/// Stops the relay after one last drain.
pub struct RelayHandle {
    stop: watch::Sender<bool>,
    task: JoinHandle<()>,
}

impl RelayHandle {
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
    pub fn new(pool: DbPool, broker: Arc<Broker>, metrics: Metrics) -> Self {
        Relay {
            pool,
            broker,
            metrics,
        }
    }

    /// Starts [`LOOPS`] loops, each claiming its own batches; the broker connection is closed once all
    /// have made their last drain.
    pub fn spawn(self) -> RelayHandle {
        let (stop, stopped) = watch::channel(false);
        let relay = Arc::new(self);
        let loops: Vec<_> = (0..LOOPS)
            .map(|_| tokio::spawn(relay.clone().run(stopped.clone())))
            .collect();
        let task = tokio::spawn(async move {
            for task in loops {
                let _ = task.await;
            }
            relay.broker.close().await;
        });
        RelayHandle { stop, task }
    }

    async fn run(self: Arc<Self>, mut stopped: watch::Receiver<bool>) {
        let mut written = WRITTEN.subscribe();
        // The next look after a write of this process, while the relay chases its commit.
        let mut chase: Option<Duration> = None;
        loop {
            let delay = match self.drain().await {
                Ok(()) => match chase {
                    Some(step) => {
                        chase = (step < CHASE_LAST).then_some(step * 2);
                        step
                    }
                    None => POLL_INTERVAL,
                },
                Err(e) => {
                    tracing::warn!(error = %e, "outbox relay: publish failed, will retry");
                    RETRY_DELAY
                }
            };
            if *stopped.borrow() {
                return;
            }
            tokio::select! {
                Ok(()) = written.changed() => chase = Some(CHASE_FIRST),
                _ = tokio::time::sleep(delay) => {}
                _ = stopped.changed() => {
                    // Flush what is committed before going away (ARCHITECTURE §9).
                    if let Err(e) = self.drain().await {
                        tracing::warn!(error = %e, "outbox relay: final flush incomplete");
                    }
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
                let rows: Vec<(Uuid, String, JsonText, DateTime<Utc>)> = outbox::table
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
                // batch, their envelopes as stored, and exactly the confirmed prefix is marked sent.
                let mut sent = Vec::with_capacity(rows.len());
                let (mut events, mut batch) = (Vec::with_capacity(rows.len()), Vec::with_capacity(rows.len()));
                for (id, event_type, JsonText(json), created_at) in rows.iter() {
                    match serde_json::from_slice::<Event<IgnoredAny>>(json) {
                        Ok(event) => {
                            events.push(Stored { event, json });
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

/// A `jsonb` value as the JSON text PostgreSQL sends: its binary format is a version byte (1) and the
/// text, which the relay publishes as it is.
#[derive(Debug, FromSqlRow)]
struct JsonText(Vec<u8>);

impl FromSql<Jsonb, Pg> for JsonText {
    fn from_sql(value: PgValue<'_>) -> diesel::deserialize::Result<Self> {
        match value.as_bytes() {
            [1, json @ ..] => Ok(JsonText(json.to_vec())),
            _ => Err("unsupported jsonb format version".into()),
        }
    }
}

/// An outbox row's envelope as stored, with the fields the message's properties carry.
struct Stored<'a> {
    event: Event<IgnoredAny>,
    json: &'a [u8],
}

impl Publishable for Stored<'_> {
    fn routing_key(&self) -> &str {
        &self.event.event_type
    }

    fn properties(&self) -> lapin::BasicProperties {
        super::broker::event_properties(&self.event, None)
    }

    fn body(&self) -> Result<Cow<'_, [u8]>, serde_json::Error> {
        Ok(Cow::Borrowed(self.json))
    }
}
