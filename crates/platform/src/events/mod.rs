//! The event bus of ARCHITECTURE §7: one durable topic exchange, a transactional outbox drained by a
//! relay with publisher confirms, and idempotent consumers with an inbox, retries and a dead-letter queue.

mod broadcast;
mod broker;
#[cfg(feature = "testing")]
pub(crate) use broker::connection_properties;
mod consumer;
mod outbox;
pub mod schema;

pub use broadcast::Broadcast;
pub use broker::{Broker, BusError, Publishable};
pub use consumer::{prepare_queue, Consumer, ConsumerHandle, Handler, HandlerError, HandlerResult};
pub use outbox::{enqueue, outbox_written, OutboxRow, Relay, RelayHandle};

use crate::config::{self, ConfigError};

#[derive(Debug, Clone)]
pub struct BusConfig {
    pub amqp_url: String,
    pub exchange: String,
    /// Name of this service's queue; the retry and dead-letter queues are named after it.
    pub queue: String,
    /// Deletes the service's queues after this long unused (tests only; production queues are permanent).
    pub queue_expires_ms: Option<u32>,
    pub max_retries: u32,
    pub retry_base_ms: u32,
}

impl BusConfig {
    pub fn from_env(service_name: &str) -> Result<Self, ConfigError> {
        Ok(BusConfig {
            amqp_url: config::string("AMQP_URL", "amqp://guest:guest@127.0.0.1:5672/%2f"),
            exchange: config::string("EVENTS_EXCHANGE", "hunarmitra.events"),
            queue: config::optional("EVENTS_QUEUE")
                .unwrap_or_else(|| format!("{service_name}.events")),
            queue_expires_ms: None,
            max_retries: config::parse("EVENTS_MAX_RETRIES", 5)?,
            retry_base_ms: config::parse("EVENTS_RETRY_BASE_MS", 500)?,
        })
    }

    pub fn retry_queue(&self) -> String {
        format!("{}.retry", self.queue)
    }

    pub fn dead_letter_queue(&self) -> String {
        format!("{}.dlq", self.queue)
    }
}
