//! Every replica hears every event it asks for (ARCHITECTURE §12.6: the realtime fan-out). Beside a
//! service's shared, durable queue, where replicas compete so that each event is stored once, a
//! broadcast is one replica's own queue: server-named, exclusive and auto-deleted with its connection,
//! bound to the routing keys the replica forwards to its WebSocket clients. Delivery is best effort (API
//! §10, DOMAIN §5.6): what is published while a replica is disconnected from the broker does not reach it.

use super::broker::connection_properties;
use super::{BusConfig, BusError};
use futures_util::StreamExt;
use hm_contracts::Event;
use lapin::options::{
    BasicConsumeOptions, ExchangeDeclareOptions, QueueBindOptions, QueueDeclareOptions,
};
use lapin::types::FieldTable;
use lapin::{Channel, Connection, ExchangeKind};
use std::time::Duration;
use tokio::sync::{mpsc, watch};
use tokio::task::JoinHandle;

/// How many received events may wait for the replica; beyond, new ones are dropped and logged (a stalled
/// reader never holds the broker connection back).
const BACKLOG: usize = 4096;

/// A replica's broadcast subscription: [`Broadcast::next`] gives the events in the order received.
pub struct Broadcast {
    events: mpsc::Receiver<Event>,
    stop: watch::Sender<bool>,
    task: JoinHandle<()>,
}

impl Broadcast {
    /// Declares this replica's queue bound to `bindings` on `config`'s exchange (so nothing published
    /// from now on is missed) and receives in the background, reconnecting after broker outages.
    pub async fn subscribe(config: &BusConfig, bindings: &[&str]) -> Result<Broadcast, BusError> {
        let bindings: Vec<String> = bindings.iter().map(|b| (*b).to_owned()).collect();
        let first = connect(config, &bindings).await?;
        let (sender, events) = mpsc::channel(BACKLOG);
        let (stop, stopped) = watch::channel(false);
        let task = tokio::spawn(run(config.clone(), bindings, first, sender, stopped));
        Ok(Broadcast { events, stop, task })
    }

    /// The next event, or `None` once the subscription has stopped.
    pub async fn next(&mut self) -> Option<Event> {
        self.events.recv().await
    }

    /// Stops receiving and closes the connection (the queue goes with it).
    pub async fn shutdown(self) {
        let _ = self.stop.send(true);
        let _ = self.task.await;
    }
}

async fn connect(
    config: &BusConfig,
    bindings: &[String],
) -> Result<(Connection, Channel, String), BusError> {
    let attempt = async {
        let conn = Connection::connect(&config.amqp_url, connection_properties()).await?;
        let channel = conn.create_channel().await?;
        let durable = ExchangeDeclareOptions {
            durable: true,
            ..Default::default()
        };
        channel
            .exchange_declare(
                &config.exchange,
                ExchangeKind::Topic,
                durable,
                FieldTable::default(),
            )
            .await?;
        let own = QueueDeclareOptions {
            exclusive: true,
            auto_delete: true,
            ..Default::default()
        };
        let queue = channel
            .queue_declare("", own, FieldTable::default())
            .await?;
        let name = queue.name().to_string();
        for key in bindings {
            channel
                .queue_bind(
                    &name,
                    &config.exchange,
                    key,
                    QueueBindOptions::default(),
                    FieldTable::default(),
                )
                .await?;
        }
        Ok::<_, lapin::Error>((conn, channel, name))
    };
    tokio::time::timeout(Duration::from_secs(5), attempt)
        .await
        .map_err(|_| BusError::Unreachable("connect timed out".into()))?
        .map_err(|e| BusError::Unreachable(e.to_string()))
}

async fn run(
    config: BusConfig,
    bindings: Vec<String>,
    first: (Connection, Channel, String),
    sender: mpsc::Sender<Event>,
    mut stopped: watch::Receiver<bool>,
) {
    let mut session = Some(first);
    let mut backoff = Duration::from_millis(200);
    while !*stopped.borrow() && !sender.is_closed() {
        let current = match session.take() {
            Some(s) => Ok(s),
            None => connect(&config, &bindings).await,
        };
        match current {
            Ok((conn, channel, queue)) => {
                backoff = Duration::from_millis(200);
                if let Err(e) = receive(&channel, &queue, &sender, &mut stopped).await {
                    tracing::warn!(error = %e, "broadcast interrupted");
                }
                let _ = conn.close(200, "broadcast done").await;
            }
            Err(e) => tracing::warn!(error = %e, "broadcast cannot connect"),
        }
        tokio::select! {
            _ = tokio::time::sleep(backoff) => {}
            _ = stopped.changed() => {}
        }
        backoff = (backoff * 2).min(Duration::from_secs(5));
    }
}

async fn receive(
    channel: &Channel,
    queue: &str,
    sender: &mpsc::Sender<Event>,
    stopped: &mut watch::Receiver<bool>,
) -> Result<(), lapin::Error> {
    let no_ack = BasicConsumeOptions {
        no_ack: true,
        ..Default::default()
    };
    let mut deliveries = channel
        .basic_consume(queue, queue, no_ack, FieldTable::default())
        .await?;
    loop {
        tokio::select! {
            next = deliveries.next() => match next {
                Some(Ok(delivery)) => match serde_json::from_slice::<Event>(&delivery.data) {
                    Ok(event) => match sender.try_send(event) {
                        Ok(()) => {}
                        Err(mpsc::error::TrySendError::Full(dropped)) => {
                            tracing::warn!(event_type = %dropped.event_type, "broadcast backlog full: dropped");
                        }
                        Err(mpsc::error::TrySendError::Closed(_)) => return Ok(()),
                    },
                    Err(e) => tracing::warn!(error = %e, "broadcast: not an event envelope"),
                },
                Some(Err(e)) => return Err(e),
                None => return Ok(()),
            },
            _ = stopped.changed() => return Ok(()),
        }
    }
}
