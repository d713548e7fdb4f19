//! Payments over HTTP (TESTS B11–B13, P1–P5): switched off (503 / acknowledged), then on: the owner
//! opens a payment, the signed webhook completes it once however often it is delivered, the worker's
//! 80 % payout is created once, and bad or unsigned deliveries are refused.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use hm_contracts::Role;
use hm_jobs::domain::payment;
use hm_platform::testing::EventTap;
use reqwest::Method;
use serde_json::{json, Value};
use std::time::Duration;
use uuid::Uuid;

const SECRET: &str = "whsec-test";

/// A customer's booking with Raju assigned; (api, booking id, owner token).
async fn booked(payments: bool) -> (common::Api, String, String) {
    let api = common::Api::start_with(move |c| {
        c.enable_payments = payments;
        c.webhook_secret = Some(SECRET.into());
    })
    .await;
    let plumbing = api.service("plumbing", "Plumbing", true).await;
    let (_, owner) = api
        .user("+919000000001", Role::Employer, "Amit", "Verma")
        .await;
    let (raju, _) = api
        .user("+919876543210", Role::Worker, "Raju", "Kumar")
        .await;
    let profile = api.worker_profile(raju).await;
    let (_, b) = api
        .call(
            Method::POST,
            "/api/v1/bookings/",
            Some(&owner),
            Some(json!({"service": plumbing, "address": "A", "payment_method": "online"})),
        )
        .await;
    let id = b["id"].as_str().unwrap().to_owned();
    let admin = api.keys.mint(Uuid::new_v4(), Role::Admin);
    let (status, _) = api
        .call(
            Method::POST,
            &format!("/api/v1/bookings/{id}/assign/"),
            Some(&admin),
            Some(json!({"worker_id": profile})),
        )
        .await;
    assert_eq!(status, 200);
    (api, id, owner)
}

/// A webhook delivery, signed with `secret` unless `None`.
async fn deliver(api: &common::Api, body: &Value, secret: Option<&str>) -> (u16, Value) {
    let raw = body.to_string();
    let mut request = reqwest::Client::new()
        .post(format!("{}/api/v1/payments/webhook/", api.app.base))
        .header("content-type", "application/json")
        .body(raw.clone());
    if let Some(secret) = secret {
        request = request.header("x-payment-signature", payment::sign(secret, raw.as_bytes()));
    }
    let res = request.send().await.unwrap();
    (
        res.status().as_u16(),
        res.json().await.unwrap_or(Value::Null),
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn with_payments_off_creation_is_503_and_webhooks_are_only_acknowledged() {
    let (api, booking, owner) = booked(false).await;
    let body = json!({"booking_id": booking, "amount": 500.0});
    assert_eq!(
        api.call(Method::POST, "/api/v1/payments/", None, Some(body.clone()))
            .await
            .0,
        401,
        "authentication first"
    );
    for path in ["/api/v1/payments/", "/api/v1/payments/create/"] {
        for body in [body.clone(), json!({"amount": "junk"})] {
            let (status, answer) = api.call(Method::POST, path, Some(&owner), Some(body)).await;
            assert_eq!(
                (status, answer),
                (
                    503,
                    json!({"detail": "Online payments are currently disabled. Please use cash payment method.",
                             "code": "payments_disabled"})
                )
            );
        }
    }
    let (status, answer) = deliver(
        &api,
        &json!({"payment_id": "some-id", "status": "completed", "gateway_reference": "ref123"}),
        None,
    )
    .await;
    assert_eq!(
        (status, answer),
        (200, json!({"message": "Acknowledged (payments disabled)"}))
    );
    assert_eq!(api.app.db.count("SELECT count(*) FROM payments").await, 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_completed_payment_pays_the_worker_once() {
    let (api, booking, owner) = booked(true).await;
    let mut events = EventTap::bind(&api.app.bus, "payments.payment.*").await;
    // P5: only the owner (or an admin) opens a payment; bad input is a field error.
    let (_, other) = api.user("+919000005555", Role::Employer, "", "").await;
    let body = json!({"booking_id": booking, "amount": "1000.00", "gateway": "manual"});
    let (status, answer) = api
        .call(
            Method::POST,
            "/api/v1/payments/create/",
            Some(&other),
            Some(body.clone()),
        )
        .await;
    assert_eq!(
        (status, answer),
        (
            403,
            json!({"error": "Only booking owner can create payment."})
        )
    );
    let (status, answer) = api
        .call(
            Method::POST,
            "/api/v1/payments/",
            Some(&owner),
            Some(json!({"booking_id": "x", "amount": 0, "gateway": "paypal"})),
        )
        .await;
    assert_eq!(
        (status, answer),
        (
            400,
            json!({"booking_id": ["Must be a valid UUID."],
                     "amount": ["Ensure this value is greater than or equal to 0.01."],
                     "gateway": ["\"paypal\" is not a valid choice."]})
        )
    );
    let (status, _) = api
        .call(
            Method::POST,
            "/api/v1/payments/",
            Some(&owner),
            Some(json!({"booking_id": Uuid::new_v4(), "amount": 5})),
        )
        .await;
    assert_eq!(status, 404);
    // P1 / B13
    let (status, created) = api
        .call(Method::POST, "/api/v1/payments/", Some(&owner), Some(body))
        .await;
    assert_eq!(status, 201, "{created}");
    let payment_id = created["payment_id"].as_str().unwrap().to_owned();
    assert_eq!(
        (&created["amount"], &created["currency"], &created["status"]),
        (&json!("1000.00"), &json!("INR"), &json!("created"))
    );
    assert_eq!(
        created["checkout_url"],
        format!("https://mock-gateway.com/checkout/{payment_id}")
    );

    // Unsigned, wrongly signed, malformed and unknown deliveries change nothing.
    let completed = json!({"payment_id": payment_id, "status": "completed", "gateway_reference": "mock_ref_12345"});
    for secret in [None, Some("not-the-secret")] {
        assert_eq!(
            deliver(&api, &completed, secret).await,
            (401, json!({"error": "Invalid signature"}))
        );
    }
    assert_eq!(
        deliver(&api, &json!({"status": "completed"}), Some(SECRET)).await,
        (400, json!({"error": "payment_id and status required"}))
    );
    assert_eq!(
        deliver(
            &api,
            &json!({"payment_id": payment_id, "status": "refunded"}),
            Some(SECRET)
        )
        .await,
        (
            400,
            json!({"status": ["\"refunded\" is not a valid choice."]})
        )
    );
    for unknown in [json!(Uuid::new_v4()), json!("not-a-uuid")] {
        assert_eq!(
            deliver(
                &api,
                &json!({"payment_id": unknown, "status": "completed"}),
                Some(SECRET)
            )
            .await,
            (404, json!({"error": "Payment not found"}))
        );
    }
    assert_eq!(
        api.app
            .db
            .count("SELECT count(*) FROM payments WHERE status <> 'created'")
            .await,
        0
    );

    // P2–P4: delivered five times at once: one processes it, the others find it done; one payout.
    let deliveries = (0..5).map(|_| deliver(&api, &completed, Some(SECRET)));
    let answers = futures_util::future::join_all(deliveries).await;
    assert!(answers.iter().all(|(s, _)| *s == 200), "{answers:?}");
    let processed = answers
        .iter()
        .filter(|(_, a)| a["message"] == "Webhook processed")
        .count();
    assert_eq!(processed, 1, "{answers:?}");
    assert!(answers.iter().any(|(_, a)| *a
        == json!({"message": "Webhook processed", "payment_id": payment_id, "status": "completed"})));
    assert_eq!(
        api.app
            .db
            .count("SELECT count(*) FROM payouts WHERE amount = 800.00 AND status = 'pending'")
            .await,
        1
    );
    assert_eq!(
        api.app
            .db
            .count(&format!(
                "SELECT count(*) FROM payments WHERE id = '{payment_id}' AND status = 'completed'
                   AND gateway_reference = 'mock_ref_12345'"
            ))
            .await,
        1
    );
    let (_, b) = api
        .call(
            Method::GET,
            &format!("/api/v1/bookings/{booking}/"),
            Some(&owner),
            None,
        )
        .await;
    assert_eq!(b["payment_status"], "paid");
    let (event, _) = events
        .next(Duration::from_secs(10))
        .await
        .expect("succeeded");
    assert_eq!(
        (
            &event["type"],
            &event["data"]["amount"],
            &event["data"]["payout_amount"]
        ),
        (
            &json!("payments.payment.succeeded"),
            &json!("1000.00"),
            &json!("800.00")
        )
    );
    // A completed payment stays completed.
    assert_eq!(
        deliver(
            &api,
            &json!({"payment_id": payment_id, "status": "failed"}),
            Some(SECRET)
        )
        .await,
        (
            400,
            json!({"error": "Invalid payment status transition from completed to failed."})
        )
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_back_office_lists_jobs_bookings_and_payments() {
    let (api, booking, owner) = booked(true).await;
    let admin = api.keys.mint(Uuid::new_v4(), Role::Admin);
    let (status, created) = api
        .call(
            Method::POST,
            "/api/v1/payments/",
            Some(&owner),
            Some(json!({"booking_id": booking, "amount": "1000.00"})),
        )
        .await;
    assert_eq!(status, 201, "{created}");
    let completed = json!({"payment_id": created["payment_id"], "status": "completed"});
    assert_eq!(deliver(&api, &completed, Some(SECRET)).await.0, 200);
    api.app.db.sql("UPDATE bookings SET eta_minutes = 15").await;
    // A job posted by someone identity has not announced: no phone, a blank name.
    let (status, job) = api
        .call(
            Method::POST,
            "/api/v1/jobs/",
            Some(&admin),
            Some(
                json!({"title": "Fix tap", "description": "D", "service": "plumbing",
                        "budget": "1500.50", "scheduled_date": "2026-12-01T10:00:00+05:30"}),
            ),
        )
        .await;
    assert_eq!(status, 201, "{job}");

    let list = |path: &'static str| {
        let (api, admin) = (&api, &admin);
        async move {
            let (status, page) = api.call(Method::GET, path, Some(admin), None).await;
            assert_eq!(status, 200, "{path}: {page}");
            assert_eq!(page["count"], 1, "{path}: {page}");
            page["results"][0].clone()
        }
    };
    let row = list("/api/v1/admin/jobs/jobs/?status=open").await;
    assert_eq!(
        (
            &row["title"],
            &row["budget"],
            &row["poster_phone"],
            &row["poster_name"]
        ),
        (&json!("Fix tap"), &json!(1500.5), &Value::Null, &json!(""))
    );
    assert!(row["scheduled_date"].is_string(), "{row}");
    let row = list("/api/v1/admin/jobs/bookings/?payment_status=paid").await;
    assert_eq!(
        (
            &row["id"],
            &row["eta_minutes"],
            &row["user_phone"],
            &row["user_name"]
        ),
        (
            &json!(booking),
            &json!(15),
            &json!("+919000000001"),
            &json!("Amit Verma")
        )
    );
    let row = list("/api/v1/admin/jobs/payments/?status=completed").await;
    assert_eq!(
        (&row["id"], &row["amount"], &row["gateway_reference"]),
        (&created["payment_id"], &json!(1000.0), &Value::Null)
    );
    let (status, stats) = api
        .call(Method::GET, "/api/v1/admin/jobs/stats/", Some(&admin), None)
        .await;
    assert_eq!(status, 200, "{stats}");
    assert_eq!(
        stats,
        json!({"bookings_today": {"confirmed": 1}, "bookings_this_week": {"confirmed": 1},
               "bookings_total": 1, "jobs_open": 1, "payments_completed_today": 1})
    );
    // The console's chart: every day of the span, every status, India's days.
    let chart = |days: &'static str| {
        let (api, admin) = (&api, &admin);
        async move {
            let path = format!("/api/v1/admin/jobs/stats/bookings-per-day/?days={days}");
            api.call(Method::GET, &path, Some(admin), None).await
        }
    };
    let (status, per_day) = chart("5").await;
    assert_eq!(status, 200, "{per_day}");
    let today = hm_platform::time::local(chrono::Utc::now()).date_naive();
    let days = per_day["days"].as_array().unwrap();
    assert_eq!(days.len(), 5);
    assert_eq!(per_day["statuses"].as_array().unwrap().len(), 7);
    assert_eq!(days[4]["date"], json!(today.to_string()));
    assert_eq!(days[4]["by_status"]["confirmed"], 1);
    assert_eq!(days[4]["by_status"]["requested"], 0);
    assert_eq!(
        days[0]["date"],
        json!((today - chrono::Duration::days(4)).to_string())
    );
    api.db
        .sql("UPDATE bookings SET created_at = now() - interval '3 days'")
        .await;
    let (_, per_day) = chart("5").await;
    assert_eq!(per_day["days"][1]["by_status"]["confirmed"], 1, "{per_day}");
    assert_eq!(per_day["days"][4]["by_status"]["confirmed"], 0, "{per_day}");
    for bad in ["0", "367", "x"] {
        let (status, body) = chart(bad).await;
        assert_eq!(status, 400, "{bad}");
        assert_eq!(
            body,
            json!({"days": ["Enter a whole number from 1 to 366."]})
        );
    }
}
