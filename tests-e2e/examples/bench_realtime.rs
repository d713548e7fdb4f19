//! `make bench-realtime` (issue #18): numbers, not pass/fail, on loopback with release binaries.
//!
//! 1. Sockets: `BENCH_SOCKETS` (10,000) clients open `/ws/notifications/` through the gateway (two gateway
//!    replicas share them: a process here may hold at most `ulimit -n` descriptors, and a gateway needs two
//!    per socket) and are all held by ONE notifications instance; its RSS before and after.
//! 2. Event-to-socket latency: `notifications.notification.created` events published on the exchange at
//!    `BENCH_EVENTS_PER_SEC` (1,000) for `BENCH_SECONDS` (10) s, each to one connected user; latency from
//!    the event's `created_at` (set just before publishing) to its arrival at the client: broker,
//!    notifications' broadcast, hub, socket, gateway relay, client.
//! 3. Help Now: `BENCH_WORKERS` (10,000) located, available workers (the same users as the sockets) enter
//!    jobs' dispatch index by workforce events; `BENCH_EMERGENCIES` (100) requests are created through the
//!    gateway; latency from sending the request to the first candidate's socket receiving its
//!    `emergency_dispatch` notification.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use chrono::{DateTime, Utc};
use futures_util::StreamExt;
use hm_contracts::events::{types, NotificationCreated, ProfileRef};
use hm_contracts::{Event, Role};
use hm_e2e::{Options, Stack};
use hm_platform::testing::ws::{self, Received, Via};
use serde_json::json;
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use tokio::sync::mpsc;
use uuid::Uuid;

fn setting(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

fn rss_mib(pid: Option<u32>) -> f64 {
    let status = pid
        .and_then(|p| std::fs::read_to_string(format!("/proc/{p}/status")).ok())
        .unwrap_or_default();
    let kib: f64 = status
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.split_whitespace().next())
        .and_then(|v| v.parse().ok())
        .unwrap_or(0.0);
    kib / 1024.0
}

fn percentile(sorted: &[f64], p: f64) -> f64 {
    if sorted.is_empty() {
        return f64::NAN;
    }
    let rank = ((p / 100.0) * (sorted.len() - 1) as f64).round() as usize;
    sorted[rank.min(sorted.len() - 1)]
}

fn summary(name: &str, mut ms: Vec<f64>, expected: usize) {
    ms.sort_by(|a, b| a.total_cmp(b));
    println!(
        "{name}: {} of {expected} received; p50 {:.1} ms, p99 {:.1} ms, max {:.1} ms",
        ms.len(),
        percentile(&ms, 50.0),
        percentile(&ms, 99.0),
        ms.last().copied().unwrap_or(f64::NAN)
    );
}

/// What a socket saw: a live notification, with its latency from `created_at`, and when it arrived.
struct Arrival {
    kind: String,
    emergency: Option<String>,
    latency_ms: f64,
    at: Instant,
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    let sockets = setting("BENCH_SOCKETS", 10_000);
    let rate = setting("BENCH_EVENTS_PER_SEC", 1_000);
    let seconds = setting("BENCH_SECONDS", 10);
    let workers = setting("BENCH_WORKERS", 10_000).min(sockets);
    let emergencies = setting("BENCH_EMERGENCIES", 100);

    let started = Instant::now();
    let mut stack = Stack::start_with(Options {
        unthrottled: true,
        env: &[
            ("jobs", "EMERGENCY_AUTO_ASSIGN", "true"),
            ("jobs", "EMERGENCY_RATE_LIMIT_PER_MINUTE", "1000000"),
            ("jobs", "EMERGENCY_RATE_LIMIT_PER_IP_PER_MINUTE", "1000000"),
            ("jobs", "HTTP_WORKERS", "2"),
            ("notifications", "WS_QUEUE", "1024"),
            ("notifications", "RUST_LOG", "warn"),
            ("jobs", "RUST_LOG", "warn"),
        ],
        ..Options::default()
    })
    .await;
    let gateways = [stack.gateway.clone(), stack.add_gateway("gateway2").await];
    println!("stack up in {:.1} s", started.elapsed().as_secs_f64());
    let keys = stack.keys();
    let notifications = stack.pid("notifications");
    let rss_before = rss_mib(notifications);

    // 1. Sockets.
    let users: Vec<Uuid> = (0..sockets).map(|_| Uuid::new_v4()).collect();
    let (arrivals, mut arrived) = mpsc::unbounded_channel::<Arrival>();
    let opened = Instant::now();
    let connects = users.iter().enumerate().map(|(i, user)| {
        let token = keys.mint(*user, Role::Worker);
        let base = gateways[i % gateways.len()].clone();
        let arrivals = arrivals.clone();
        async move {
            let mut socket = ws::try_connect(&base, "/ws/notifications/", Some(&token), Via::Query)
                .await
                .ok()?;
            match socket.receive(Duration::from_secs(30)).await {
                Received::Json(hello) if hello["type"] == "connection_established" => {}
                _ => return None,
            }
            tokio::spawn(async move {
                while let Received::Json(m) = socket.receive(Duration::from_secs(3600)).await {
                    let at = Instant::now();
                    let created = m["created_at"]
                        .as_str()
                        .and_then(|t| DateTime::parse_from_rfc3339(t).ok());
                    let latency_ms = created.map_or(f64::NAN, |c| {
                        (Utc::now() - c.with_timezone(&Utc))
                            .num_microseconds()
                            .unwrap_or(0) as f64
                            / 1000.0
                    });
                    let _ = arrivals.send(Arrival {
                        kind: m["notification_type"].as_str().unwrap_or("").to_owned(),
                        emergency: m["data"]["emergency_id"].as_str().map(str::to_owned),
                        latency_ms,
                        at,
                    });
                }
            });
            Some(())
        }
    });
    let connected = futures_util::stream::iter(connects)
        .buffer_unordered(200)
        .filter(|r| std::future::ready(r.is_some()))
        .count()
        .await;
    tokio::time::sleep(Duration::from_secs(2)).await;
    let rss_after = rss_mib(notifications);
    println!(
        "sockets: {connected} of {sockets} open through {} gateways in {:.1} s; notifications RSS \
         {rss_before:.1} MiB before, {rss_after:.1} MiB with them ({:.1} MiB per 1,000 sockets); \
         gateways RSS {:.1} + {:.1} MiB",
        gateways.len(),
        opened.elapsed().as_secs_f64(),
        (rss_after - rss_before) * 1000.0 / connected.max(1) as f64,
        rss_mib(stack.pid("gateway")),
        rss_mib(stack.pid("gateway2")),
    );

    // 2. Event-to-socket latency at a steady rate.
    let broker = hm_platform::events::Broker::new(stack.bus());
    let total = rate * seconds;
    let tick = Duration::from_millis(10);
    let per_tick = (rate / 100).max(1);
    let mut interval = tokio::time::interval(tick);
    let mut sent = 0;
    let publishing = Instant::now();
    while sent < total {
        interval.tick().await;
        let batch: Vec<Event> = (0..per_tick.min(total - sent))
            .map(|n| {
                let user = users[(sent + n) * 7919 % users.len()];
                Event::new(
                    "bench",
                    types::NOTIFICATION_CREATED,
                    None,
                    NotificationCreated {
                        id: Uuid::new_v4(),
                        user_id: user,
                        title: "Bench".into(),
                        message: "event-to-socket".into(),
                        kind: "system".into(),
                        data: json!({}),
                        channel: "in_app".into(),
                        metadata: json!({}),
                        created_at: Utc::now(),
                    },
                )
                .into_json()
                .unwrap()
            })
            .collect();
        let (published, error) = broker.publish_all(&batch).await;
        if let Some(e) = error {
            println!("publish error: {e}");
        }
        sent += published.max(batch.len());
    }
    println!(
        "events: {sent} published in {:.1} s ({:.0}/s)",
        publishing.elapsed().as_secs_f64(),
        sent as f64 / publishing.elapsed().as_secs_f64()
    );
    let mut latencies = Vec::with_capacity(total);
    let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
    while latencies.len() < total {
        match tokio::time::timeout_at(deadline, arrived.recv()).await {
            Ok(Some(a)) if a.kind == "system" => latencies.push(a.latency_ms),
            Ok(Some(_)) => {}
            _ => break,
        }
    }
    summary(
        &format!("event-to-socket at {rate}/s over {} sockets", connected),
        latencies,
        total,
    );
    println!(
        "notifications RSS after the events: {:.1} MiB",
        rss_mib(notifications)
    );

    // 3. Help Now with located workers.
    help_now(
        &mut stack,
        &gateways[0],
        &users[..workers],
        emergencies,
        &mut arrived,
    )
    .await;
}

/// Puts `workers` (their user ids) on a 20 km square around Lucknow, available and offering no particular
/// service, then creates `count` emergencies at random points inside it and times the first candidate's
/// message.
async fn help_now(
    stack: &mut Stack,
    gateway: &str,
    workers: &[Uuid],
    count: usize,
    arrived: &mut mpsc::UnboundedReceiver<Arrival>,
) {
    if count == 0 || workers.is_empty() {
        return;
    }
    let broker = hm_platform::events::Broker::new(stack.bus());
    let (lat0, lng0) = (26.75, 80.85);
    let mut events = Vec::with_capacity(workers.len());
    for (i, user) in workers.iter().enumerate() {
        let profile = Uuid::new_v4();
        let lat = lat0 + 0.18 * ((i * 7919) % 1000) as f64 / 1000.0;
        let lng = lng0 + 0.2 * ((i * 104_729) % 1000) as f64 / 1000.0;
        // As workforce announces a profile: its position, availability and rating in the profile JSON.
        events.push(
            Event::new(
                "workforce",
                types::WORKER_CREATED,
                None,
                ProfileRef {
                    profile_id: profile,
                    user_id: *user,
                    profile: Some(json!({"id": profile, "user": user, "user_name": format!("Bench Worker {i}"),
                                         "latitude": format!("{lat:.6}"), "longitude": format!("{lng:.6}"),
                                         "is_available": true, "rating": format!("{:.2}", 3.0 + (i % 20) as f64 / 10.0)})),
                    service_ids: Some(Vec::new()),
                    last_seen: None,
                },
            )
            .into_json()
            .unwrap(),
        );
    }
    let indexing = Instant::now();
    for chunk in events.chunks(500) {
        broker.publish_all(chunk).await;
    }
    let indexed = loop {
        let n = stack
            .count(
                "jobs",
                "SELECT count(*) FROM dispatch_workers WHERE is_available",
            )
            .await;
        if n as usize >= workers.len() || indexing.elapsed() > Duration::from_secs(120) {
            break n;
        }
        tokio::time::sleep(Duration::from_millis(250)).await;
    };
    println!(
        "help now: {indexed} located workers indexed by jobs in {:.1} s",
        indexing.elapsed().as_secs_f64()
    );
    let http = reqwest::Client::new();
    let first: Arc<Mutex<HashMap<String, Instant>>> = Arc::default();
    let mut sent_at = HashMap::new();
    let mut refused = 0;
    for n in 0..count {
        let lat = lat0 + 0.02 + 0.14 * ((n * 37) % 100) as f64 / 100.0;
        let lng = lng0 + 0.02 + 0.16 * ((n * 61) % 100) as f64 / 100.0;
        let body = json!({"contact_phone": format!("+9198{:08}", n), "address": "Bench Lane",
                          "location": {"lat": format!("{lat:.6}"), "lng": format!("{lng:.6}")},
                          "urgency_level": "high"});
        let t0 = Instant::now();
        let res = http
            .post(format!("{gateway}/api/v1/emergency/requests/"))
            .json(&body)
            .send()
            .await
            .unwrap();
        let status = res.status().as_u16();
        let created: serde_json::Value = res.json().await.unwrap_or_default();
        match created["id"].as_str() {
            Some(id) if status == 201 => {
                sent_at.insert(id.to_owned(), t0);
            }
            _ => refused += 1,
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
        while let Ok(a) = arrived.try_recv() {
            if let (Some(e), "emergency_dispatch") = (a.emergency, a.kind.as_str()) {
                first.lock().unwrap().entry(e).or_insert(a.at);
            }
        }
    }
    let deadline = tokio::time::Instant::now() + Duration::from_secs(5);
    while let Ok(Some(a)) = tokio::time::timeout_at(deadline, arrived.recv()).await {
        if let (Some(e), "emergency_dispatch") = (a.emergency, a.kind.as_str()) {
            first.lock().unwrap().entry(e).or_insert(a.at);
        }
    }
    let first = first.lock().unwrap();
    let latencies: Vec<f64> = sent_at
        .iter()
        .filter_map(|(id, t0)| first.get(id).map(|t| (*t - *t0).as_secs_f64() * 1000.0))
        .collect();
    if refused > 0 {
        println!("help now: {refused} requests not created");
    }
    summary(
        &format!(
            "help now request-to-first-candidate ({} workers)",
            workers.len()
        ),
        latencies,
        sent_at.len(),
    );
}
