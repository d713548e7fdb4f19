//! The event bus against real PostgreSQL and RabbitMQ: an event written while the broker is unreachable
//! is delivered once it is back; a redelivered event has one effect; failures retry, poison goes to the DLQ.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use diesel_async::{AsyncConnection, AsyncPgConnection};
use hm_contracts::Event;
use hm_platform::db;
use hm_platform::events::{
    self, Broker, BusConfig, Consumer, Handler, HandlerError, HandlerResult, Relay,
};
use hm_platform::metrics::Metrics;
use hm_platform::testing::{self, eventually, ChaosProxy, DeadLetters, EventTap, TestDb};
use serde_json::json;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_event_written_while_the_broker_is_down_is_delivered_after_it_returns() {
    let db = TestDb::new("platform", vec![]).await;
    let proxy = ChaosProxy::start("127.0.0.1:5672").await;
    let bus = testing::bus_config("platform");
    let mut delivered = EventTap::bind(&bus, "test.thing.happened").await;

    let relay_bus = BusConfig {
        amqp_url: format!("amqp://guest:guest@{}/%2f", proxy.addr()),
        ..bus.clone()
    };
    let pool = db::pool(&db.url, 2).unwrap();
    let relay = Relay::new(pool, Broker::new(relay_bus), Metrics::new("t").unwrap()).spawn();

    proxy.cut();
    let mut conn = AsyncPgConnection::establish(&db.url).await.unwrap();
    let event = Event::new(
        "platform",
        "test.thing.happened",
        Some("req-1".into()),
        json!({"n": 1}),
    );
    let id = event.id;
    events::enqueue(&mut conn, event).await.unwrap();
    // While the broker is unreachable nothing arrives and the row waits in the outbox.
    assert!(delivered.next(Duration::from_millis(1500)).await.is_none());

    proxy.restore();
    let (envelope, _) = delivered
        .next(Duration::from_secs(15))
        .await
        .expect("delivered after restore");
    assert_eq!(envelope["id"], id.to_string());
    assert_eq!(envelope["correlation_id"], "req-1");
    assert_eq!(envelope["data"], json!({"n": 1}));
    // Exactly once from the relay's side: marked published, and no second copy follows.
    assert!(delivered.next(Duration::from_millis(1500)).await.is_none());
    relay.shutdown().await;
}

struct Counting {
    applied: Arc<AtomicUsize>,
    fail_first: usize,
    seen: AtomicUsize,
    poison: bool,
}

impl Handler for Counting {
    async fn handle(&self, _: &mut AsyncPgConnection, _: &Event) -> HandlerResult {
        if self.poison {
            return Err(HandlerError::Permanent("cannot ever work".into()));
        }
        if self.seen.fetch_add(1, Ordering::SeqCst) < self.fail_first {
            return Err(HandlerError::Retryable("database hiccup".into()));
        }
        self.applied.fetch_add(1, Ordering::SeqCst);
        Ok(())
    }
}

async fn consumer(
    db: &TestDb,
    bus: &BusConfig,
    fail_first: usize,
    poison: bool,
) -> (Arc<AtomicUsize>, events::ConsumerHandle) {
    let applied = Arc::new(AtomicUsize::new(0));
    let handler = Counting {
        applied: applied.clone(),
        fail_first,
        seen: AtomicUsize::new(0),
        poison,
    };
    let handle = Consumer::new(
        bus.clone(),
        &["test.#"],
        &[],
        handler,
        db::pool(&db.url, 2).unwrap(),
        Metrics::new("t").unwrap(),
    )
    .spawn()
    .await
    .unwrap();
    (applied, handle)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_redelivered_event_has_one_effect() {
    let db = TestDb::new("platform", vec![]).await;
    let bus = testing::bus_config("platform");
    let (applied, handle) = consumer(&db, &bus, 0, false).await;
    let broker = Broker::new(bus.clone());
    let event = Event::new("platform", "test.once", None, json!({}))
        .into_json()
        .unwrap();
    for _ in 0..3 {
        broker.publish(&event, None).await.unwrap();
    }
    let other = Event::new("platform", "test.once", None, json!({}))
        .into_json()
        .unwrap();
    broker.publish(&other, None).await.unwrap();
    let done = eventually(Duration::from_secs(10), || async {
        (applied.load(Ordering::SeqCst) == 2).then_some(())
    })
    .await;
    assert!(done.is_some());
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert_eq!(
        applied.load(Ordering::SeqCst),
        2,
        "three copies of one event, one effect"
    );
    handle.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn failures_are_retried_with_back_off() {
    let db = TestDb::new("platform", vec![]).await;
    let bus = testing::bus_config("platform");
    let (applied, handle) = consumer(&db, &bus, 2, false).await;
    let event = Event::new("platform", "test.flaky", None, json!({}))
        .into_json()
        .unwrap();
    Broker::new(bus.clone())
        .publish(&event, None)
        .await
        .unwrap();
    let done = eventually(Duration::from_secs(10), || async {
        (applied.load(Ordering::SeqCst) == 1).then_some(())
    })
    .await;
    assert!(done.is_some(), "applied after two retries");
    handle.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn poison_messages_end_in_the_dead_letter_queue_with_their_error() {
    let db = TestDb::new("platform", vec![]).await;
    let bus = testing::bus_config("platform");
    let (applied, handle) = consumer(&db, &bus, 0, true).await;
    let event = Event::new("platform", "test.poison", None, json!({}))
        .into_json()
        .unwrap();
    Broker::new(bus.clone())
        .publish(&event, None)
        .await
        .unwrap();
    let mut dlq = DeadLetters::watch(&bus).await;
    let message = dlq.next().await;
    let headers = message.properties.headers().clone().unwrap();
    let error = match headers.inner().get("x-error") {
        Some(lapin::types::AMQPValue::LongString(s)) => {
            String::from_utf8_lossy(s.as_bytes()).into_owned()
        }
        other => format!("{other:?}"),
    };
    assert!(error.contains("cannot ever work"), "{error}");
    let envelope: serde_json::Value = serde_json::from_slice(&message.data).unwrap();
    assert_eq!(envelope["id"], event.id.to_string());
    assert_eq!(applied.load(Ordering::SeqCst), 0);
    handle.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_dead_lettered_message_keeps_no_longer_than_its_expiry() {
    let db = TestDb::new("platform", vec![]).await;
    let bus = testing::bus_config("platform");
    let (_, handle) = consumer(&db, &bus, 0, true).await;
    let mut dlq = DeadLetters::watch(&bus).await;
    // Like an OTP: published to live 30 s; poison, so it is parked at once.
    let event = Event::new("platform", "test.secret", None, json!({"code": "1234"}))
        .into_json()
        .unwrap();
    Broker::new(bus.clone())
        .publish(&event, Some(Duration::from_secs(30)))
        .await
        .unwrap();
    let message = dlq.next().await;
    let left: u64 = message
        .properties
        .expiration()
        .as_ref()
        .expect("the parked copy expires too")
        .to_string()
        .parse()
        .unwrap();
    assert!(left > 20_000 && left <= 30_000, "{left} ms left");
    // A message without an expiry is kept until someone looks at it.
    let plain = Event::new("platform", "test.plain", None, json!({}))
        .into_json()
        .unwrap();
    Broker::new(bus.clone())
        .publish(&plain, None)
        .await
        .unwrap();
    let message = dlq.next().await;
    assert!(message.properties.expiration().is_none());
    handle.shutdown().await;
}

/// Records the `n` of each event it applies and writes an effect (an outbox row) first; `n == 7` then
/// fails for good.
struct Ordered {
    seen: Arc<std::sync::Mutex<Vec<i64>>>,
}

impl Handler for Ordered {
    async fn handle(&self, conn: &mut AsyncPgConnection, event: &Event) -> HandlerResult {
        let n = event.data["n"].as_i64().unwrap_or(-1);
        let effect = Event::new("platform", "test.effect", None, json!({ "n": n }));
        events::enqueue(conn, effect).await?;
        if n == 7 {
            return Err(HandlerError::Permanent("poison in the middle".into()));
        }
        self.seen.lock().unwrap().push(n);
        Ok(())
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_backlog_is_applied_in_order_and_a_poison_event_in_it_undoes_only_itself() {
    let db = TestDb::new("platform", vec![]).await;
    let bus = testing::bus_config("platform");
    // The queue exists and fills before the consumer starts: it receives the backlog at once.
    events::prepare_queue(&bus, &["test.#"]).await.unwrap();
    let broker = Broker::new(bus.clone());
    for n in 0..20 {
        let event = Event::new("platform", "test.backlog", None, json!({ "n": n }))
            .into_json()
            .unwrap();
        broker.publish(&event, None).await.unwrap();
    }
    let seen = Arc::new(std::sync::Mutex::new(Vec::new()));
    let handle = Consumer::new(
        bus.clone(),
        &["test.#"],
        &[],
        Ordered { seen: seen.clone() },
        db::pool(&db.url, 2).unwrap(),
        Metrics::new("t").unwrap(),
    )
    .spawn()
    .await
    .unwrap();
    let mut dlq = DeadLetters::watch(&bus).await;
    let parked = dlq.next().await;
    let envelope: serde_json::Value = serde_json::from_slice(&parked.data).unwrap();
    assert_eq!(envelope["data"]["n"], 7);
    let all = eventually(Duration::from_secs(10), || async {
        (seen.lock().unwrap().len() == 19).then_some(())
    })
    .await;
    assert!(all.is_some(), "applied: {:?}", seen.lock().unwrap());
    let expected: Vec<i64> = (0..20).filter(|n| *n != 7).collect();
    assert_eq!(
        *seen.lock().unwrap(),
        expected,
        "applied once each, in order"
    );
    handle.shutdown().await;

    // The database holds the effects and inbox entries of the 19, and nothing of the poison event.
    let client = db.client().await;
    let effects: Vec<i64> = client
        .query(
            "SELECT (envelope->'data'->>'n')::bigint FROM outbox WHERE event_type = 'test.effect' \
             ORDER BY 1",
            &[],
        )
        .await
        .unwrap()
        .iter()
        .map(|row| row.get(0))
        .collect();
    assert_eq!(effects, expected);
    let inbox: i64 = client
        .query_one(
            "SELECT count(*) FROM inbox WHERE event_type = 'test.backlog'",
            &[],
        )
        .await
        .unwrap()
        .get(0);
    assert_eq!(inbox, 19);
}
