//! The realtime fan-out against real RabbitMQ: every replica's broadcast receives every event bound to
//! it (unlike the shared queue, where replicas compete), and nothing it did not ask for.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use hm_contracts::Event;
use hm_platform::events::{Broadcast, Broker};
use hm_platform::testing;
use serde_json::json;
use std::time::Duration;

async fn next(b: &mut Broadcast) -> Option<Event> {
    tokio::time::timeout(Duration::from_secs(5), b.next())
        .await
        .ok()
        .flatten()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_replica_hears_every_event_it_is_bound_to() {
    let bus = testing::bus_config("broadcast");
    let mut one = Broadcast::subscribe(&bus, &["test.booking.*"])
        .await
        .unwrap();
    let mut two = Broadcast::subscribe(&bus, &["test.booking.*"])
        .await
        .unwrap();
    let broker = Broker::new(bus.clone());
    let other = Event::new("test", "test.job.posted", None, json!({"n": 0}));
    broker
        .publish(&other.into_json().unwrap(), None)
        .await
        .unwrap();
    let moved = Event::new("test", "test.booking.moved", None, json!({"n": 1}));
    let moved_id = moved.id;
    broker
        .publish(&moved.into_json().unwrap(), None)
        .await
        .unwrap();
    for replica in [&mut one, &mut two] {
        let heard = next(replica).await.expect("each replica hears it");
        assert_eq!(
            (heard.id, heard.event_type.as_str()),
            (moved_id, "test.booking.moved")
        );
        assert_eq!(heard.data, json!({"n": 1}));
        // The unbound event never arrives, and nothing arrives twice.
        assert!(
            tokio::time::timeout(Duration::from_millis(300), replica.next())
                .await
                .is_err()
        );
    }
    one.shutdown().await;
    two.shutdown().await;
}
