//! Realtime delivery (API §10, ARCHITECTURE §12.6): this replica's WebSockets, fed by the events it
//! hears on its own broadcast queue (`hm_platform::events::Broadcast`), so a client connected to any
//! replica receives every message of its channel. Best effort, as DOMAIN §5.6 says: a message for a
//! socket that is not connected at that moment is not kept.

pub mod hub;
pub mod seats;
pub mod socket;

use crate::config::SocketConfig;
use crate::domain::realtime::{outbound, REALTIME_EVENTS};
use bytestring::ByteString;
use hm_platform::db::DbPool;
use hm_platform::events::{Broadcast, BusConfig, BusError};
use hm_platform::server::Stop;
use hub::Hub;
use std::sync::Arc;
use tokio::sync::watch;

/// What the sockets of this replica share.
#[derive(Clone)]
pub struct Realtime {
    pub hub: Arc<Hub>,
    /// Sockets per user on this replica (`WS_MAX_PER_USER`).
    pub seats: Arc<seats::Seats>,
    pub config: SocketConfig,
    pub db: DbPool,
}

impl Realtime {
    pub fn new(config: SocketConfig, db: DbPool) -> Realtime {
        Realtime {
            hub: Hub::new(config.queue),
            seats: seats::Seats::new(config.max_per_user),
            config,
            db,
        }
    }

    /// Subscribes this replica to the realtime events and forwards each one's messages to the hub until
    /// stopped. With `ENABLE_NOTIFICATIONS=false` nothing is forwarded (CONFIG): do not call it.
    pub async fn forward(&self, bus: &BusConfig) -> Result<Stop, BusError> {
        let mut broadcast = Broadcast::subscribe(bus, &REALTIME_EVENTS).await?;
        let (stop, mut stopped) = watch::channel(false);
        let hub = self.hub.clone();
        let zone = hm_platform::time::zone();
        let task = tokio::spawn(async move {
            loop {
                tokio::select! {
                    next = broadcast.next() => match next {
                        Some(event) => match outbound(&event, zone) {
                            Ok(messages) => {
                                for m in messages.into_iter().filter(|m| hub.has(&m.channel)) {
                                    hub.publish(&m.channel, &ByteString::from(m.message.to_string()));
                                }
                            }
                            Err(error) => {
                                tracing::warn!(%error, event_type = %event.event_type, "realtime: unreadable payload");
                            }
                        },
                        None => break,
                    },
                    _ = stopped.changed() => break,
                }
            }
            broadcast.shutdown().await;
        });
        Ok(Box::new(move || {
            Box::pin(async move {
                let _ = stop.send(true);
                let _ = task.await;
            })
        }))
    }
}
