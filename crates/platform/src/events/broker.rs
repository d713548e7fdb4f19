//! One AMQP connection per process with a confirm-mode channel, (re)opened lazily: a broker outage makes
//! publishes fail fast, and the first publish after it recovers reconnects.

use super::BusConfig;
use hm_contracts::Event;
use lapin::options::{BasicPublishOptions, ConfirmSelectOptions, ExchangeDeclareOptions};
use lapin::publisher_confirm::Confirmation;
use lapin::types::FieldTable;
use lapin::{BasicProperties, Channel, Connection, ConnectionProperties, ExchangeKind};
use serde::Serialize;
use std::borrow::Cow;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::Mutex;

/// When a message published with an expiry stops being useful (epoch milliseconds).
pub(super) const EXPIRES_AT_HEADER: &str = "x-expires-at";

const CONNECT_TIMEOUT: Duration = Duration::from_secs(3);
const CONFIRM_TIMEOUT: Duration = Duration::from_secs(5);

#[derive(Debug, thiserror::Error)]
pub enum BusError {
    #[error("broker unreachable: {0}")]
    Unreachable(String),
    #[error("broker did not confirm the message: {0}")]
    NotConfirmed(String),
    #[error("event encoding: {0}")]
    Encoding(#[from] serde_json::Error),
}

pub struct Broker {
    config: BusConfig,
    state: Mutex<Option<(Connection, Channel)>>,
}

pub(crate) fn connection_properties() -> ConnectionProperties {
    ConnectionProperties::default()
        .with_executor(tokio_executor_trait::Tokio::current())
        .with_reactor(tokio_reactor_trait::Tokio)
}

/// Opens a connection and a confirm-mode channel and makes sure the events exchange exists.
pub(super) async fn open(config: &BusConfig) -> Result<(Connection, Channel), BusError> {
    let attempt = async {
        let conn = Connection::connect(&config.amqp_url, connection_properties()).await?;
        let channel = conn.create_channel().await?;
        channel
            .confirm_select(ConfirmSelectOptions::default())
            .await?;
        channel
            .exchange_declare(
                &config.exchange,
                ExchangeKind::Topic,
                ExchangeDeclareOptions {
                    durable: true,
                    ..Default::default()
                },
                FieldTable::default(),
            )
            .await?;
        Ok::<_, lapin::Error>((conn, channel))
    };
    match tokio::time::timeout(CONNECT_TIMEOUT, attempt).await {
        Ok(Ok(pair)) => Ok(pair),
        Ok(Err(e)) => Err(BusError::Unreachable(e.to_string())),
        Err(_) => Err(BusError::Unreachable("connect timed out".into())),
    }
}

/// Publishes and waits for the broker's confirm.
pub(super) async fn publish_confirmed(
    channel: &Channel,
    exchange: &str,
    routing_key: &str,
    payload: &[u8],
    properties: BasicProperties,
) -> Result<(), BusError> {
    let send = async {
        let confirm = channel
            .basic_publish(
                exchange,
                routing_key,
                BasicPublishOptions::default(),
                payload,
                properties,
            )
            .await
            .map_err(|e| BusError::Unreachable(e.to_string()))?;
        match confirm
            .await
            .map_err(|e| BusError::Unreachable(e.to_string()))?
        {
            Confirmation::Nack(_) => Err(BusError::NotConfirmed("nack".into())),
            _ => Ok(()),
        }
    };
    tokio::time::timeout(CONFIRM_TIMEOUT, send)
        .await
        .map_err(|_| BusError::NotConfirmed("confirm timed out".into()))?
}

pub(super) fn event_properties<T>(
    event: &Event<T>,
    expiration: Option<Duration>,
) -> BasicProperties {
    let mut properties = BasicProperties::default()
        .with_content_type("application/json".into())
        .with_delivery_mode(2)
        .with_message_id(event.id.to_string().into())
        .with_type(event.event_type.clone().into())
        .with_app_id(event.source.clone().into());
    if let Some(correlation) = &event.correlation_id {
        properties = properties.with_correlation_id(correlation.clone().into());
    }
    if let Some(ttl) = expiration {
        // The absolute deadline travels with the message, so a consumer that parks it for a retry or in
        // the dead-letter queue keeps it no longer than it was meant to live (an OTP carries its code).
        let deadline = chrono::Utc::now().timestamp_millis()
            + i64::try_from(ttl.as_millis()).unwrap_or(i64::MAX / 2);
        let mut headers = lapin::types::FieldTable::default();
        headers.insert(
            EXPIRES_AT_HEADER.into(),
            lapin::types::AMQPValue::LongLongInt(deadline),
        );
        properties = properties
            .with_expiration(ttl.as_millis().to_string().into())
            .with_headers(headers);
    }
    properties
}

/// What [`Broker::publish_all`] sends: an event, whose envelope it serialises, or one whose envelope is
/// already JSON (an outbox row's, `outbox::Stored`).
pub trait Publishable {
    /// The routing key: the event's type.
    fn routing_key(&self) -> &str;
    /// The message's properties ([`event_properties`], without an expiry).
    fn properties(&self) -> BasicProperties;
    /// The message's body: the envelope as JSON.
    fn body(&self) -> Result<Cow<'_, [u8]>, serde_json::Error>;
}

impl<T: Serialize> Publishable for Event<T> {
    fn routing_key(&self) -> &str {
        &self.event_type
    }

    fn properties(&self) -> BasicProperties {
        event_properties(self, None)
    }

    fn body(&self) -> Result<Cow<'_, [u8]>, serde_json::Error> {
        serde_json::to_vec(self).map(Cow::Owned)
    }
}

impl Broker {
    /// Closes the connection (at shutdown, while the runtime still runs); a later publish reconnects.
    pub async fn close(&self) {
        let session = self.state.lock().await.take();
        if let Some((conn, _)) = session {
            let _ = conn.close(200, "shutdown").await;
        }
    }

    pub fn new(config: BusConfig) -> Arc<Self> {
        Arc::new(Broker {
            config,
            state: Mutex::new(None),
        })
    }

    pub fn config(&self) -> &BusConfig {
        &self.config
    }

    async fn channel(&self) -> Result<Channel, BusError> {
        let mut state = self.state.lock().await;
        if let Some((conn, channel)) = state.as_ref() {
            if conn.status().connected() && channel.status().connected() {
                return Ok(channel.clone());
            }
        }
        *state = None;
        let (conn, channel) = open(&self.config).await?;
        *state = Some((conn, channel.clone()));
        Ok(channel)
    }

    async fn forget(&self) {
        *self.state.lock().await = None;
    }

    /// Connects if needed; used by readiness checks.
    pub async fn ensure_connected(&self) -> Result<(), BusError> {
        self.channel().await.map(|_| ())
    }

    /// Publishes events back to back and only then waits for their confirms, in order (one broker round
    /// trip for the whole batch instead of one per event). Returns how many, counted from the first,
    /// the broker confirmed, and the error that stopped the rest.
    pub async fn publish_all<E: Publishable>(&self, events: &[E]) -> (usize, Option<BusError>) {
        let channel = match self.channel().await {
            Ok(channel) => channel,
            Err(e) => return (0, Some(e)),
        };
        let exchange = self.config.exchange.as_str();
        let run = async {
            let mut confirms = Vec::with_capacity(events.len());
            let mut stopped = None;
            for event in events {
                let payload = match event.body() {
                    Ok(payload) => payload,
                    Err(e) => {
                        stopped = Some(BusError::from(e));
                        break;
                    }
                };
                match channel
                    .basic_publish(
                        exchange,
                        event.routing_key(),
                        BasicPublishOptions::default(),
                        &payload,
                        event.properties(),
                    )
                    .await
                {
                    Ok(confirm) => confirms.push(confirm),
                    Err(e) => {
                        stopped = Some(BusError::Unreachable(e.to_string()));
                        break;
                    }
                }
            }
            let mut confirmed = 0;
            for confirm in confirms {
                match confirm.await {
                    Ok(Confirmation::Nack(_)) => {
                        return (confirmed, Some(BusError::NotConfirmed("nack".into())))
                    }
                    Ok(_) => confirmed += 1,
                    Err(e) => return (confirmed, Some(BusError::Unreachable(e.to_string()))),
                }
            }
            (confirmed, stopped)
        };
        let (confirmed, error) = tokio::time::timeout(CONFIRM_TIMEOUT, run)
            .await
            .unwrap_or((0, Some(BusError::NotConfirmed("confirm timed out".into()))));
        if error.is_some() {
            self.forget().await;
        }
        (confirmed, error)
    }

    /// Publishes one event on the exchange under its type and waits for the confirm. `expiration` drops
    /// the message once it is useless (an OTP past its lifetime).
    pub async fn publish(
        &self,
        event: &Event,
        expiration: Option<Duration>,
    ) -> Result<(), BusError> {
        let payload = serde_json::to_vec(event)?;
        let channel = self.channel().await?;
        let result = publish_confirmed(
            &channel,
            &self.config.exchange,
            &event.event_type,
            &payload,
            event_properties(event, expiration),
        )
        .await;
        if result.is_err() {
            self.forget().await;
        }
        result
    }
}
