//! Help Now through the gateway (issue #18, API §8, DOMAIN §4.7): 30 workers onboard with a position and
//! go available, each with a socket on `/ws/notifications/`; a signed-in customer presses Help Now; the 5
//! nearest (and only they) get their `emergency_dispatch` message; one accepts and a second is refused;
//! the customer's socket sees the acceptance and then the worker's live positions.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use hm_e2e::{Options, Stack, Timer, ADMIN_EMAIL, ADMIN_PASSWORD};
use hm_platform::testing::ws::{self, Received, Via};
use reqwest::Method;
use serde_json::json;
use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::Duration;

/// Where the customer is (Hazratganj, Lucknow); worker `i` stands `i` × 300 m north of it.
const HERE: (f64, f64) = (26.8467, 80.9462);
const STEP_DEG: f64 = 0.0027;

struct Worker {
    token: String,
    profile: String,
    socket: ws::Socket,
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn help_now_reaches_the_nearest_workers_and_the_customer_watches() {
    let _total = Timer::start("help now: total");
    let stack = Stack::start_with(Options {
        env: &[("jobs", "EMERGENCY_AUTO_ASSIGN", "true")],
        ..Options::default()
    })
    .await;
    let plumber = stack.service_id("plumber").await;
    let mut workers = Vec::new();
    {
        let _t = Timer::start("help now: 30 workers onboard, located and available");
        for i in 0..30 {
            let (token, _) = stack.login(&format!("+91983440{i:04}"), "worker").await;
            let (status, profile) = stack
                .call(
                    Method::POST,
                    "/api/v1/workers/",
                    Some(&token),
                    Some(json!({"skills": ["plumber"]})),
                )
                .await;
            assert_eq!(status, 201, "{profile}");
            let here = json!({"lat": HERE.0 + STEP_DEG * i as f64, "lng": HERE.1});
            let (status, _) = stack
                .call(
                    Method::POST,
                    "/api/v1/workers/me/location/",
                    Some(&token),
                    Some(here),
                )
                .await;
            assert_eq!(status, 200);
            let (status, _) = stack
                .call(
                    Method::POST,
                    "/api/v1/workers/me/availability/",
                    Some(&token),
                    Some(json!({"is_available": true})),
                )
                .await;
            assert_eq!(status, 200);
            let mut socket = ws::connect(
                &stack.gateway,
                "/ws/notifications/",
                Some(&token),
                Via::Query,
            )
            .await;
            socket.next_of("connection_established").await;
            workers.push(Worker {
                token,
                profile: profile["id"].as_str().unwrap().to_owned(),
                socket,
            });
        }
    }
    // Jobs learns where they are from workforce's events, never by asking.
    let deadline = std::time::Instant::now() + Duration::from_secs(30);
    loop {
        let indexed = stack
            .count(
                "jobs",
                "SELECT count(*) FROM dispatch_workers WHERE is_available AND lat IS NOT NULL \
                 AND cardinality(service_ids) > 0",
            )
            .await;
        if indexed == 30 {
            break;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "jobs indexed {indexed} of 30 workers"
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }

    let (customer, _) = stack.login("+919834499999", "employer").await;
    let mut watching = ws::connect(
        &stack.gateway,
        "/ws/notifications/",
        Some(&customer),
        Via::Protocol,
    )
    .await;
    watching.next_of("connection_established").await;
    let _t = Timer::start("help now: request to acceptance");
    let (status, emergency) = stack
        .call(
            Method::POST,
            "/api/v1/emergency/requests/",
            Some(&customer),
            Some(
                json!({"contact_phone": "+919834499999", "address": "Hazratganj, Lucknow",
                        "location": {"lat": HERE.0, "lng": HERE.1}, "service_id": plumber,
                        "urgency_level": "high"}),
            ),
        )
        .await;
    assert_eq!(status, 201, "{emergency}");
    assert_eq!(emergency["status"], "dispatched", "{emergency}");
    assert_eq!(emergency["dispatch_status"], "queued");
    assert_eq!(emergency["metadata"]["candidates_notified"], 5);
    let id = emergency["id"].as_str().unwrap().to_owned();

    // The five nearest are asked, nearest first in distance; nobody else.
    for (i, w) in workers.iter_mut().enumerate().take(5) {
        let ask = w.socket.next_of("notification").await;
        assert_eq!(ask["notification_type"], "emergency_dispatch", "worker {i}");
        assert_eq!(ask["data"]["emergency_id"], id);
        let km = format!("{:.1}", 0.3 * i as f64);
        assert_eq!(
            ask["message"],
            format!("Urgent help needed {km}km away. Tap to respond immediately.")
        );
    }
    for w in workers.iter_mut().skip(5) {
        // Their own toggle and position may still be on the way; no request is.
        while let Received::Json(m) = w.socket.receive(Duration::from_millis(100)).await {
            assert_ne!(
                m["type"], "notification",
                "only the five nearest are asked: {m}"
            );
        }
    }
    // The customer's socket follows the request: created (open), then dispatched.
    let update = watching.next_of("emergency_update").await;
    assert_eq!(
        (&update["event"], &update["status"]),
        (&json!("created"), &json!("open"))
    );
    let update = watching.next_of("emergency_update").await;
    assert_eq!(
        (&update["event"], &update["status"]),
        (&json!("dispatched"), &json!("dispatched"))
    );

    // The console's Emergencies list is open in a browser; it must follow the acceptance by itself.
    let workspace = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut console = Command::new("node")
        .arg(workspace.join("browser/emergencies.mjs"))
        .current_dir(workspace.join("browser"))
        .env("GATEWAY_URL", &stack.gateway)
        .env("ADMIN_EMAIL", ADMIN_EMAIL)
        .env("ADMIN_PASSWORD", ADMIN_PASSWORD)
        .env("EMERGENCY_ID", &id)
        .env("ASKED", "5")
        .env(
            "SHOT_DIR",
            workspace.parent().unwrap().join("target/admin-console"),
        )
        .stdout(Stdio::piped())
        .spawn()
        .expect("node runs (make e2e installs playwright-core and chromium)");
    let mut lines = BufReader::new(console.stdout.take().unwrap()).lines();
    let ready = tokio::task::spawn_blocking(move || {
        let ready = lines.any(|l| l.is_ok_and(|l| l.trim() == "READY"));
        (ready, lines)
    });
    let (ready, rest) = tokio::time::timeout(Duration::from_secs(60), ready)
        .await
        .expect("the console opened its list within a minute")
        .unwrap();
    assert!(
        ready,
        "the console's browser journey stopped before it was ready"
    );

    // One accepts; the next one is too late.
    let accept = format!("/api/v1/emergency/requests/{id}/accept/");
    let (status, accepted) = stack
        .call(Method::POST, &accept, Some(&workers[2].token), None)
        .await;
    assert_eq!(
        (status, &accepted["status"]),
        (200, &json!("accepted")),
        "{accepted}"
    );
    assert_eq!(accepted["assigned_worker"], workers[2].profile);
    let (status, late) = stack
        .call(Method::POST, &accept, Some(&workers[0].token), None)
        .await;
    assert_eq!(
        (status, late),
        (
            400,
            json!({"error": "Emergency already assigned or resolved"})
        )
    );
    // The acceptance comes twice, by two paths in either order: the live update and the notification.
    let (mut update, mut told) = (None, None);
    while update.is_none() || told.is_none() {
        let message = watching.next_json().await;
        match message["type"].as_str() {
            Some("emergency_update") if message["event"] == "accepted" => update = Some(message),
            Some("notification") => told = Some(message),
            _ => {}
        }
    }
    let (update, told) = (update.unwrap(), told.unwrap());
    assert_eq!(update["assigned_worker_id"], workers[2].profile);
    assert_eq!(told["title"], "Emergency Accepted ✅");

    // The worker comes: each position they post reaches the customer live.
    for step in [3.0, 2.0, 1.0] {
        let (status, _) = stack
            .call(
                Method::POST,
                "/api/v1/workers/me/location/",
                Some(&workers[2].token),
                Some(json!({"lat": HERE.0 + STEP_DEG * step / 3.0, "lng": HERE.1})),
            )
            .await;
        assert_eq!(status, 200);
        let position = watching.next_of("location_update").await;
        assert_eq!(position["emergency_id"], id);
        assert_eq!(position["worker_id"], workers[2].profile);
        assert!(
            (position["lat"].as_f64().unwrap() - (HERE.0 + STEP_DEG * step / 3.0)).abs() < 1e-6
        );
    }

    // The console's journey goes on (dispatch log, status with notes) while the stack still runs.
    let finished = tokio::task::spawn_blocking(move || {
        for line in rest.map_while(Result::ok) {
            println!("{line}");
        }
        console.wait()
    });
    let status = tokio::time::timeout(Duration::from_secs(90), finished)
        .await
        .expect("the console's browser journey ends")
        .unwrap()
        .unwrap();
    assert!(
        status.success(),
        "the console's Emergencies journey failed (see above)"
    );
}
