//! Idempotent consumers: each service has one durable quorum queue bound to the event types it needs.
//! A handler runs inside a database transaction that also records the event id in `inbox`, so a
//! redelivered event has no second effect. Failures are retried with exponential back-off through a
//! delay queue; what still fails (or can never succeed) ends in the dead-letter queue with its error.

use super::broker::{connection_properties, publish_confirmed, EXPIRES_AT_HEADER};
use super::schema::inbox;
use super::{BusConfig, BusError};
use crate::db::DbPool;
use crate::metrics::Metrics;
use crate::projections::{self, Projection};
use diesel::prelude::*;
use diesel_async::scoped_futures::ScopedFutureExt;
use diesel_async::{AsyncConnection, AsyncPgConnection, RunQueryDsl};
use futures_util::StreamExt;
use hm_contracts::Event;
use lapin::message::Delivery;
use lapin::options::{
    BasicAckOptions, BasicConsumeOptions, BasicQosOptions, ConfirmSelectOptions,
    ExchangeDeclareOptions, QueueBindOptions, QueueDeclareOptions,
};
use lapin::types::{AMQPValue, FieldTable, LongString, ShortString};
use lapin::{BasicProperties, Channel, Connection, ExchangeKind};
use std::future::Future;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::watch;
use tokio::task::JoinHandle;

const ATTEMPT_HEADER: &str = "x-attempt";
const ERROR_HEADER: &str = "x-error";

#[derive(Debug, thiserror::Error)]
pub enum HandlerError {
    /// Might succeed later (a database hiccup): retried with back-off.
    #[error("{0}")]
    Retryable(String),
    /// Can never succeed (a payload that does not parse): straight to the dead-letter queue.
    #[error("{0}")]
    Permanent(String),
}

impl From<diesel::result::Error> for HandlerError {
    fn from(e: diesel::result::Error) -> Self {
        HandlerError::Retryable(e.to_string())
    }
}

impl From<serde_json::Error> for HandlerError {
    fn from(e: serde_json::Error) -> Self {
        HandlerError::Permanent(format!("payload: {e}"))
    }
}

/// What a [`Handler`] answers: `Ok` commits the inbox transaction; an error rolls it back and retries
/// or dead-letters the message as its kind says.
pub type HandlerResult = Result<(), HandlerError>;

/// Applies one event's effect using `conn`, which is inside the inbox transaction. A service implements
/// it with `async fn handle(&self, conn: &mut AsyncPgConnection, event: &Event) -> HandlerResult`.
pub trait Handler: Send + Sync + 'static {
    fn handle(
        &self,
        conn: &mut AsyncPgConnection,
        event: &Event,
    ) -> impl Future<Output = HandlerResult> + Send;
}

/// A service's consumer: its queue, the projections it keeps (applied by the platform) and its handler.
pub struct Consumer<H> {
    config: BusConfig,
    bindings: Vec<String>,
    projections: &'static [Projection],
    handler: Arc<H>,
    pool: DbPool,
    metrics: Metrics,
}

pub struct ConsumerHandle {
    stop: watch::Sender<bool>,
    task: JoinHandle<()>,
}

impl ConsumerHandle {
    pub async fn shutdown(self) {
        let _ = self.stop.send(true);
        let _ = self.task.await;
    }
}

enum Outcome {
    Applied,
    Duplicate,
}

impl<H: Handler> Consumer<H> {
    /// A consumer of the events `bindings` that keeps `projections` and hands every other event to
    /// `handler`.
    pub fn new(
        config: BusConfig,
        bindings: &[&str],
        projections: &'static [Projection],
        handler: H,
        pool: DbPool,
        metrics: Metrics,
    ) -> Self {
        Consumer {
            config,
            bindings: bindings.iter().map(|b| (*b).to_owned()).collect(),
            projections,
            handler: Arc::new(handler),
            pool,
            metrics,
        }
    }

    /// Declares the exchange, the queue with its retry and dead-letter queues, and the bindings. Safe to
    /// call repeatedly; services call it at start-up so events published before the first consume are kept.
    pub async fn declare(&self, channel: &Channel) -> Result<(), lapin::Error> {
        declare_topology(channel, &self.config, &self.bindings).await
    }

    /// Declares the topology now (so nothing published from here on is missed) and consumes in the
    /// background, reconnecting after broker outages.
    pub async fn spawn(self) -> Result<ConsumerHandle, BusError> {
        let (conn, channel) = self.connect().await?;
        let (stop, stopped) = watch::channel(false);
        let task = tokio::spawn(self.run(Some((conn, channel)), stopped));
        Ok(ConsumerHandle { stop, task })
    }

    async fn connect(&self) -> Result<(Connection, Channel), BusError> {
        let attempt = async {
            let conn = Connection::connect(&self.config.amqp_url, connection_properties()).await?;
            let channel = conn.create_channel().await?;
            channel
                .confirm_select(ConfirmSelectOptions::default())
                .await?;
            channel.basic_qos(32, BasicQosOptions::default()).await?;
            self.declare(&channel).await?;
            Ok::<_, lapin::Error>((conn, channel))
        };
        tokio::time::timeout(Duration::from_secs(5), attempt)
            .await
            .map_err(|_| BusError::Unreachable("connect timed out".into()))?
            .map_err(|e| BusError::Unreachable(e.to_string()))
    }

    async fn run(
        self,
        mut first: Option<(Connection, Channel)>,
        mut stopped: watch::Receiver<bool>,
    ) {
        let mut backoff = Duration::from_millis(200);
        while !*stopped.borrow() {
            let session = match first.take() {
                Some(pair) => Ok(pair),
                None => self.connect().await,
            };
            match session {
                Ok((conn, channel)) => {
                    backoff = Duration::from_millis(200);
                    if let Err(e) = self.consume(&channel, &mut stopped).await {
                        tracing::warn!(error = %e, queue = %self.config.queue, "consumer interrupted");
                    }
                    if *stopped.borrow() {
                        // Closed here, while the runtime still runs, rather than torn down with it.
                        let _ = conn.close(200, "shutdown").await;
                    }
                }
                Err(e) => {
                    tracing::warn!(error = %e, queue = %self.config.queue, "consumer cannot connect")
                }
            }
            tokio::select! {
                _ = tokio::time::sleep(backoff) => {}
                _ = stopped.changed() => {}
            }
            backoff = (backoff * 2).min(Duration::from_secs(5));
        }
    }

    async fn consume(
        &self,
        channel: &Channel,
        stopped: &mut watch::Receiver<bool>,
    ) -> Result<(), lapin::Error> {
        let tag = format!("{}-{}", self.config.queue, uuid::Uuid::new_v4());
        let mut deliveries = channel
            .basic_consume(
                &self.config.queue,
                &tag,
                BasicConsumeOptions::default(),
                FieldTable::default(),
            )
            .await?;
        loop {
            tokio::select! {
                next = deliveries.next() => match next {
                    Some(Ok(delivery)) => self.process(channel, delivery).await?,
                    Some(Err(e)) => return Err(e),
                    None => return Ok(()),
                },
                _ = stopped.changed() => return Ok(()),
            }
        }
    }

    async fn process(&self, channel: &Channel, delivery: Delivery) -> Result<(), lapin::Error> {
        let routing_key = delivery.routing_key.to_string();
        let result = match serde_json::from_slice::<Event>(&delivery.data) {
            Ok(event) => self.apply(&event).await,
            Err(e) => Err(HandlerError::Permanent(format!(
                "not an event envelope: {e}"
            ))),
        };
        match result {
            Ok(Outcome::Applied) => self.metrics.event_consumed(&routing_key, "applied"),
            Ok(Outcome::Duplicate) => self.metrics.event_consumed(&routing_key, "duplicate"),
            Err(error) => {
                self.metrics.consumer_error(&routing_key);
                let attempt = attempt_of(&delivery) + 1;
                let retry = matches!(error, HandlerError::Retryable(_))
                    && attempt <= self.config.max_retries;
                let remaining = remaining_ms(&delivery);
                if remaining.is_some_and(|ms| ms <= 0) {
                    // Past its lifetime: neither retried nor kept.
                    tracing::warn!(event_type = %routing_key, attempt, %error, "expired event dropped");
                    return delivery.ack(BasicAckOptions::default()).await;
                }
                let (queue, expiration) = if retry {
                    let delay = u64::from(self.config.retry_base_ms) << (attempt - 1).min(10);
                    let delay = remaining.map_or(delay, |ms| delay.min(ms.unsigned_abs()));
                    (self.config.retry_queue(), Some(delay.to_string()))
                } else {
                    (
                        self.config.dead_letter_queue(),
                        remaining.map(|ms| ms.to_string()),
                    )
                };
                tracing::warn!(event_type = %routing_key, attempt, %error, to = %queue, "event handling failed");
                let mut headers = delivery.properties.headers().clone().unwrap_or_default();
                headers.insert(
                    ATTEMPT_HEADER.into(),
                    AMQPValue::LongLongInt(i64::from(attempt)),
                );
                headers.insert(
                    ERROR_HEADER.into(),
                    AMQPValue::LongString(LongString::from(error.to_string())),
                );
                let mut properties = BasicProperties::default()
                    .with_content_type(ShortString::from("application/json"))
                    .with_delivery_mode(2)
                    .with_headers(headers);
                if let Some(ms) = expiration {
                    properties = properties.with_expiration(ms.into());
                }
                if let Err(e) =
                    publish_confirmed(channel, "", &queue, &delivery.data, properties).await
                {
                    // Not acked: the broker redelivers it, nothing is lost.
                    tracing::warn!(error = %e, "could not park a failed event; leaving it unacked");
                    return Err(lapin::Error::InvalidChannelState(
                        lapin::ChannelState::Error,
                    ));
                }
            }
        }
        delivery.ack(BasicAckOptions::default()).await
    }

    async fn apply(&self, event: &Event) -> Result<Outcome, HandlerError> {
        let mut conn = self
            .pool
            .get()
            .await
            .map_err(|e| HandlerError::Retryable(e.to_string()))?;
        let (handler, projections) = (self.handler.clone(), self.projections);
        conn.transaction::<_, HandlerError, _>(|conn| {
            async move {
                let inserted = diesel::insert_into(inbox::table)
                    .values((
                        inbox::id.eq(event.id),
                        inbox::event_type.eq(&event.event_type),
                    ))
                    .on_conflict_do_nothing()
                    .execute(conn)
                    .await?;
                if inserted == 0 {
                    return Ok(Outcome::Duplicate);
                }
                if !projections::apply(conn, projections, event).await? {
                    handler.handle(conn, event).await?;
                }
                Ok(Outcome::Applied)
            }
            .scope_boxed()
        })
        .await
    }
}

/// How long a message published with an expiry has left (negative: past it); `None` without one.
fn remaining_ms(delivery: &Delivery) -> Option<i64> {
    let headers = delivery.properties.headers().as_ref()?;
    match headers.inner().get(EXPIRES_AT_HEADER) {
        Some(AMQPValue::LongLongInt(at)) => Some(at - chrono::Utc::now().timestamp_millis()),
        _ => None,
    }
}

fn attempt_of(delivery: &Delivery) -> u32 {
    let Some(headers) = delivery.properties.headers() else {
        return 0;
    };
    match headers.inner().get(ATTEMPT_HEADER) {
        Some(AMQPValue::LongLongInt(n)) => u32::try_from(*n).unwrap_or(0),
        Some(AMQPValue::LongInt(n)) => u32::try_from(*n).unwrap_or(0),
        _ => 0,
    }
}

/// Declares a consumer's exchange, queue (with its retry and dead-letter queues) and bindings.
async fn declare_topology(
    channel: &Channel,
    cfg: &BusConfig,
    bindings: &[String],
) -> Result<(), lapin::Error> {
    channel
        .exchange_declare(
            &cfg.exchange,
            ExchangeKind::Topic,
            ExchangeDeclareOptions {
                durable: true,
                ..Default::default()
            },
            FieldTable::default(),
        )
        .await?;
    let durable = QueueDeclareOptions {
        durable: true,
        ..Default::default()
    };
    let mut dlq_args = FieldTable::default();
    let mut retry_args = FieldTable::default();
    let mut main_args = FieldTable::default();
    main_args.insert(
        "x-queue-type".into(),
        AMQPValue::LongString("quorum".into()),
    );
    main_args.insert(
        "x-dead-letter-exchange".into(),
        AMQPValue::LongString("".into()),
    );
    main_args.insert(
        "x-dead-letter-routing-key".into(),
        AMQPValue::LongString(cfg.dead_letter_queue().into()),
    );
    // Expired retry messages go back to the main queue through the default exchange.
    retry_args.insert(
        "x-dead-letter-exchange".into(),
        AMQPValue::LongString("".into()),
    );
    retry_args.insert(
        "x-dead-letter-routing-key".into(),
        AMQPValue::LongString(cfg.queue.clone().into()),
    );
    if let Some(ms) = cfg.queue_expires_ms {
        for args in [&mut dlq_args, &mut retry_args, &mut main_args] {
            args.insert("x-expires".into(), AMQPValue::LongUInt(ms));
        }
    }
    channel
        .queue_declare(&cfg.dead_letter_queue(), durable, dlq_args)
        .await?;
    channel
        .queue_declare(&cfg.retry_queue(), durable, retry_args)
        .await?;
    channel
        .queue_declare(&cfg.queue, durable, main_args)
        .await?;
    for key in bindings {
        channel
            .queue_bind(
                &cfg.queue,
                &cfg.exchange,
                key,
                QueueBindOptions::default(),
                FieldTable::default(),
            )
            .await?;
    }
    Ok(())
}

/// Declares a service's queue and bindings without consuming (its `migrate` step), so events other
/// services publish before it first runs wait in the queue instead of being dropped.
pub async fn prepare_queue(cfg: &BusConfig, bindings: &[&str]) -> Result<(), BusError> {
    let attempt = async {
        let conn = Connection::connect(&cfg.amqp_url, connection_properties()).await?;
        let channel = conn.create_channel().await?;
        let bindings: Vec<String> = bindings.iter().map(|b| (*b).to_owned()).collect();
        declare_topology(&channel, cfg, &bindings).await?;
        conn.close(200, "prepared").await?;
        // lapin's I/O thread finishes the close after the future resolves; a `migrate` command that
        // returned at once would tear the runtime down under it and log spurious connection errors.
        tokio::time::sleep(Duration::from_millis(50)).await;
        Ok::<_, lapin::Error>(())
    };
    tokio::time::timeout(Duration::from_secs(10), attempt)
        .await
        .map_err(|_| BusError::Unreachable("connect timed out".into()))?
        .map_err(|e| BusError::Unreachable(e.to_string()))
}
