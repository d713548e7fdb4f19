//! The admin console in a real browser (issue #9): a stack with known data, then Debian's chromium driven
//! by playwright-core (tests-e2e/browser/admin.mjs) signs in, checks the dashboard against the data,
//! activates a theme, toggles a flag, filters bookings, deactivates a user and signs out; afterwards that
//! user's login is refused. Then (issue #19, tests-e2e/browser/charts.mjs) the home page's charts must draw
//! one point per value of their data, and the Analytics section lists today's events and exports them.
//! Screenshots land in target/admin-console/.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use hm_e2e::{Stack, Timer, ADMIN_EMAIL, ADMIN_PASSWORD};
use reqwest::Method;
use serde_json::json;
use std::path::Path;
use std::process::Command;

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn the_admin_console_works_in_a_browser() {
    let _total = Timer::start("console: total");
    let stack = Stack::start().await;
    let customer_phone = "+919877700001";
    // A seeded user who has not asked for an OTP in this run (the per-phone limit is one a minute).
    let deactivated = "+919876543212";
    {
        let _t = Timer::start("console: data to show");
        // A customer books online while payments are off (it becomes cash); a worker goes available; the
        // seed's contractor posts a job.
        let (customer, _) = stack.login(customer_phone, "employer").await;
        let plumbing = stack.service_id("plumber").await;
        let (status, _) = stack
            .call(
                Method::POST,
                "/api/v1/bookings/",
                Some(&customer),
                Some(json!({"service": plumbing, "address": "Flat 7, Thane", "payment_method": "online"})),
            )
            .await;
        assert_eq!(status, 201);
        let (worker, _) = stack.login("+919877700002", "worker").await;
        let (status, _) = stack
            .call(
                Method::POST,
                "/api/v1/workers/",
                Some(&worker),
                Some(json!({"skills": ["plumbing"]})),
            )
            .await;
        assert_eq!(status, 201);
        let (status, _) = stack
            .call(
                Method::POST,
                "/api/v1/workers/me/availability/",
                Some(&worker),
                Some(json!({"is_available": true})),
            )
            .await;
        assert_eq!(status, 200);
        let (vikram, _) = stack.login("+919876543211", "contractor").await;
        let (status, _) = stack
            .call(
                Method::POST,
                "/api/v1/jobs/",
                Some(&vikram),
                Some(json!({"title": "Tiling, 2BHK", "description": "Kitchen and bath", "service": plumbing})),
            )
            .await;
        assert_eq!(status, 201);
    }
    // The seed's users (2 workers, 1 contractor, 1 employer), this test's worker and customer, the admin;
    // three OTPs sent; the customer's "Booking Requested" unread. Wait until the events have settled.
    let expected = json!({
        "users_worker": 3, "users_contractor": 1, "users_employer": 2, "users_admin": 1,
        "workers_available_now": 1, "today_bookings": 1, "bookings_this_week": 1, "jobs_open": 1,
        // The role dashboard's admin figures (API §11.4, jobs' read model): the 6 phone users above (an
        // admin made by `create-admin` is not announced to other services), the worker available and
        // seen just now.
        "total_users": 6, "total_workers_online": 1, "open_emergencies": 0,
        "otp_sent_last_hour": 3, "otp_failed_last_hour": 0, "notifications_unread": 1,
    });
    let admin = stack.admin_login().await;
    stack
        .until(
            "notifications settled",
            Method::GET,
            "/api/v1/admin/notifications/stats/",
            Some(&admin),
            None,
            |s, b| s == 200 && b["notifications_unread"] == 1 && b["otp_sms_sent_last_hour"] == 3,
        )
        .await;
    // Jobs' read model has every user and the worker's toggle (its answer is cached 15 s, so the page
    // shows what this saw).
    stack
        .until(
            "the admin dashboard settled",
            Method::GET,
            "/api/v1/dashboard/admin/",
            Some(&admin),
            None,
            |s, b| s == 200 && b["total_users"] == 6 && b["total_workers_online"] == 1,
        )
        .await;

    let workspace = Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap();
    let browser_dir = workspace.join("tests-e2e/browser");
    let shots = workspace.join("target/admin-console");
    {
        let _t = Timer::start("console: the browser journey");
        let status = Command::new("node")
            .arg(browser_dir.join("admin.mjs"))
            .current_dir(&browser_dir)
            .env("GATEWAY_URL", &stack.gateway)
            .env("ADMIN_EMAIL", ADMIN_EMAIL)
            .env("ADMIN_PASSWORD", ADMIN_PASSWORD)
            .env("EXPECTED_STATS", expected.to_string())
            .env("CASH_BOOKINGS", "1")
            .env("DEACTIVATE_PHONE", deactivated)
            .env("SHOT_DIR", &shots)
            .status()
            .expect("node runs (make e2e installs playwright-core and chromium)");
        assert!(
            status.success(),
            "the browser journey failed (see its output above)"
        );
    }
    {
        let _t = Timer::start("console: charts and analytics in the browser");
        // Today's app events (anonymous, through the gateway), which the events chart and the Analytics
        // section must show.
        let sent = json!({"page_view": 3, "service_search": 2});
        let (status, _) = stack
            .call(
                Method::POST,
                "/api/v1/analytics/events/",
                None,
                Some(json!({"events": [
                    {"event_type": "page_view"}, {"event_type": "page_view"}, {"event_type": "page_view"},
                    {"event_type": "service_search", "payload": {"service_id": "plumber"}},
                    {"event_type": "service_search", "payload": {"service_id": "electrician"}},
                ]})),
            )
            .await;
        assert_eq!(status, 201);
        let status = Command::new("node")
            .arg(browser_dir.join("charts.mjs"))
            .current_dir(&browser_dir)
            .env("GATEWAY_URL", &stack.gateway)
            .env("ADMIN_EMAIL", ADMIN_EMAIL)
            .env("ADMIN_PASSWORD", ADMIN_PASSWORD)
            .env("EVENT_TYPES", sent.to_string())
            .env("SHOT_DIR", &shots)
            .status()
            .expect("node runs");
        assert!(status.success(), "the charts journey failed (see above)");
    }
    for shot in [
        "dashboard.png",
        "dashboard-dark.png",
        "bookings-cash.png",
        "user-tablet.png",
        "charts.png",
        "charts-dark.png",
        "analytics.png",
    ] {
        let size = std::fs::metadata(shots.join(shot))
            .map(|m| m.len())
            .unwrap_or(0);
        assert!(size > 10_000, "{shot} was saved ({size} bytes)");
    }
    // The user deactivated in the browser cannot log in any more.
    stack.assert_login_refused(deactivated).await;
}
