//! One replica's sockets by channel (API §10.2): a message published on a channel is queued, as one
//! shared text frame, for every socket subscribed to it on this replica.

use bytestring::ByteString;
use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, RwLock};
use tokio::sync::mpsc;

/// The channels of this replica's sockets.
pub struct Hub {
    channels: RwLock<HashMap<String, Vec<Subscriber>>>,
    next_id: AtomicU64,
    /// How many frames may wait for one socket (`WS_QUEUE`).
    queue: usize,
}

struct Subscriber {
    id: u64,
    frames: mpsc::Sender<ByteString>,
    /// Every channel the socket is on, to leave them all when it falls behind.
    channels: Arc<[String]>,
}

/// A socket's place on its channels: their frames arrive, in order, on [`Subscription::frames`], which
/// ends when the hub dropped the socket for falling behind. Dropping it leaves the channels.
pub struct Subscription {
    hub: Arc<Hub>,
    channels: Vec<String>,
    id: u64,
    pub frames: mpsc::Receiver<ByteString>,
}

impl Hub {
    pub fn new(queue: usize) -> Arc<Hub> {
        Arc::new(Hub {
            channels: RwLock::new(HashMap::new()),
            next_id: AtomicU64::new(1),
            queue: queue.max(1),
        })
    }

    /// Subscribes a socket to `channels` (e.g. `booking_{id}`, or `user_{id}` and `staff`); messages
    /// published on any of them from now on reach it.
    pub fn subscribe(self: &Arc<Self>, channels: Vec<String>) -> Subscription {
        let (sender, frames) = mpsc::channel(self.queue);
        let id = self.next_id.fetch_add(1, Ordering::Relaxed);
        let shared: Arc<[String]> = channels.clone().into();
        if let Ok(mut all) = self.channels.write() {
            for channel in &channels {
                all.entry(channel.clone()).or_default().push(Subscriber {
                    id,
                    frames: sender.clone(),
                    channels: shared.clone(),
                });
            }
        }
        Subscription {
            hub: self.clone(),
            channels,
            id,
            frames,
        }
    }

    /// Queues `frame` for every socket on `channel`; returns how many got it. A socket whose queue is
    /// full is dropped from the hub (its subscription ends and its socket closes), so one stalled client
    /// never holds the others back.
    pub fn publish(&self, channel: &str, frame: &ByteString) -> usize {
        let mut delivered = 0;
        let mut behind = Vec::new();
        if let Ok(channels) = self.channels.read() {
            for s in channels.get(channel).into_iter().flatten() {
                match s.frames.try_send(frame.clone()) {
                    Ok(()) => delivered += 1,
                    Err(mpsc::error::TrySendError::Full(_)) => {
                        behind.push((s.id, s.channels.clone()))
                    }
                    // Its socket is closing; its subscription's drop removes it.
                    Err(mpsc::error::TrySendError::Closed(_)) => {}
                }
            }
        }
        for (id, channels) in behind {
            tracing::warn!(channel, "socket fell behind: closed");
            // Off every channel, so its queue's last sender goes and its subscription ends.
            self.leave(&channels, id);
        }
        delivered
    }

    /// Sockets on this replica, over all channels.
    pub fn sockets(&self) -> usize {
        self.channels
            .read()
            .map(|c| c.values().map(Vec::len).sum())
            .unwrap_or(0)
    }

    fn leave(&self, channels: &[String], id: u64) {
        if let Ok(mut all) = self.channels.write() {
            for channel in channels {
                if let Some(subscribers) = all.get_mut(channel) {
                    subscribers.retain(|s| s.id != id);
                    if subscribers.is_empty() {
                        all.remove(channel);
                    }
                }
            }
        }
    }

    /// Whether any socket of this replica is on `channel` (no message is made for nobody).
    pub fn has(&self, channel: &str) -> bool {
        self.channels.read().is_ok_and(|c| c.contains_key(channel))
    }
}

impl Drop for Subscription {
    fn drop(&mut self) {
        self.hub.leave(&self.channels, self.id);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_message_reaches_the_sockets_of_its_channel_only() {
        let hub = Hub::new(4);
        let mut a = hub.subscribe(vec!["booking_1".into()]);
        let mut b = hub.subscribe(vec!["booking_1".into()]);
        let mut other = hub.subscribe(vec!["user_2".into()]);
        assert_eq!(hub.publish("booking_1", &ByteString::from("hello")), 2);
        assert_eq!(a.frames.recv().await.as_deref(), Some("hello"));
        assert_eq!(b.frames.recv().await.as_deref(), Some("hello"));
        assert!(other.frames.try_recv().is_err());
        drop(a);
        assert_eq!(hub.publish("booking_1", &ByteString::from("again")), 1);
        assert_eq!(hub.sockets(), 2);
        drop((b, other));
        assert_eq!(hub.sockets(), 0);
        assert_eq!(hub.publish("booking_1", &ByteString::from("nobody")), 0);
    }

    #[tokio::test]
    async fn a_socket_on_two_channels_hears_both_and_leaves_both() {
        let hub = Hub::new(4);
        let mut admin = hub.subscribe(vec!["user_1".into(), "staff".into()]);
        hub.publish("user_1", &ByteString::from("own"));
        hub.publish("staff", &ByteString::from("all staff"));
        assert_eq!(admin.frames.recv().await.as_deref(), Some("own"));
        assert_eq!(admin.frames.recv().await.as_deref(), Some("all staff"));
        assert_eq!(hub.sockets(), 2);
        drop(admin);
        assert_eq!(hub.sockets(), 0);
    }

    #[tokio::test]
    async fn a_socket_that_falls_behind_is_dropped_and_the_others_keep_receiving() {
        let hub = Hub::new(2);
        let mut slow = hub.subscribe(vec!["user_1".into()]);
        let mut quick = hub.subscribe(vec!["user_1".into()]);
        for n in 0..3 {
            hub.publish("user_1", &ByteString::from(n.to_string()));
            assert_eq!(quick.frames.recv().await.as_deref(), Some(&*n.to_string()));
        }
        // The slow socket got the two its queue holds, then its subscription ended.
        assert_eq!(slow.frames.recv().await.as_deref(), Some("0"));
        assert_eq!(slow.frames.recv().await.as_deref(), Some("1"));
        assert_eq!(slow.frames.recv().await, None);
        assert_eq!(hub.publish("user_1", &ByteString::from("3")), 1);
    }
}
