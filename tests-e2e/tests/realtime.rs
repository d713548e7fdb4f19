//! Realtime through the gateway (issue #18): a browser page receives a booking's status change and the
//! worker's live position over `/ws/bookings/{id}/` (tests-e2e/browser/realtime.mjs, Debian's chromium).
#![allow(clippy::unwrap_used, clippy::expect_used)]

use hm_e2e::{Stack, Timer};
use reqwest::Method;
use serde_json::json;
use std::path::Path;
use std::process::Command;

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_browser_follows_a_booking_live() {
    let _total = Timer::start("realtime browser: total");
    let stack = Stack::start().await;
    let (worker, _) = stack.login("+919833300001", "worker").await;
    let (status, profile) = stack
        .call(
            Method::POST,
            "/api/v1/workers/",
            Some(&worker),
            Some(json!({"skills": ["plumber"]})),
        )
        .await;
    assert_eq!(status, 201, "{profile}");
    let (customer, _) = stack.login("+919833300002", "employer").await;
    let service = stack.service_id("plumber").await;
    let (status, booking) = stack
        .call(
            Method::POST,
            "/api/v1/bookings/",
            Some(&customer),
            Some(json!({"service": service, "address": "Flat 3, Powai"})),
        )
        .await;
    assert_eq!(status, 201, "{booking}");
    let id = booking["id"].as_str().unwrap().to_owned();
    let admin = stack.admin_login().await;
    stack
        .until(
            "assign",
            Method::POST,
            &format!("/api/v1/bookings/{id}/assign/"),
            Some(&admin),
            Some(json!({"worker_id": profile["id"]})),
            |s, b| s == 200 && b["status"] == "confirmed",
        )
        .await;
    // Notifications knows the booking's parties once its events arrived.
    stack
        .until(
            "the booking reaches notifications",
            Method::GET,
            &format!("/api/v1/bookings/{id}/timeline/"),
            Some(&customer),
            None,
            |s, b| s == 200 && b.to_string().contains("worker_assigned"),
        )
        .await;

    let browser_dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("browser");
    let _t = Timer::start("realtime browser: the page's socket");
    let status = Command::new("node")
        .arg(browser_dir.join("realtime.mjs"))
        .current_dir(&browser_dir)
        .env("GATEWAY_URL", &stack.gateway)
        .env("BOOKING_ID", &id)
        .env("CUSTOMER_TOKEN", &customer)
        .env("WORKER_TOKEN", &worker)
        .status()
        .expect("node runs (make e2e installs playwright-core and chromium)");
    assert!(
        status.success(),
        "the browser's socket journey failed (see above)"
    );
}
