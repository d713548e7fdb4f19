//! The booking timeline (API §7.6, DOMAIN §5.2) from real booking and payment events: newest first, for
//! the customer, the assigned worker and admins only.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use chrono::{Duration as Span, Utc};
use hm_contracts::events::{types, BookingChanged, BookingLocation, PaymentChanged};
use hm_contracts::{Event, Role};
use hm_platform::testing::{eventually, publisher};
use reqwest::Method;
use serde_json::json;
use std::time::Duration;
use uuid::Uuid;

struct Booking {
    id: Uuid,
    customer: Uuid,
    worker: Uuid,
}

impl Booking {
    fn event(&self, kind: &str, status: &str, assigned: bool, minutes_ago: i64) -> Event {
        let mut event = Event::new(
            "jobs",
            kind,
            None,
            BookingChanged {
                booking_id: self.id,
                user_id: self.customer,
                worker_id: assigned.then(Uuid::new_v4),
                worker_user_id: assigned.then_some(self.worker),
                worker_name: assigned.then(|| "Raju Kumar".to_owned()),
                service_id: Uuid::new_v4(),
                service_name: "Tap Repair".into(),
                status: status.into(),
                previous_status: None,
                eta_minutes: None,
                actor_id: self.customer,
                actor_name: "Amit Verma".into(),
                payment_method: "cash".into(),
                payment_status: "n/a".into(),
            },
        )
        .into_json()
        .unwrap();
        event.occurred_at = Utc::now() - Span::minutes(minutes_ago);
        event
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_bookings_people_read_its_history_newest_first() {
    let api = common::Api::start().await;
    let b = Booking {
        id: Uuid::new_v4(),
        customer: Uuid::new_v4(),
        worker: Uuid::new_v4(),
    };
    let bus = publisher(&api.app.bus);
    let events = [
        b.event(types::BOOKING_CREATED, "requested", false, 10),
        b.event(types::BOOKING_ASSIGNED, "confirmed", true, 8),
        b.event(types::BOOKING_STATUS_CHANGED, "confirmed", true, 8),
        b.event(types::BOOKING_STATUS_CHANGED, "on_the_way", true, 5),
    ];
    for e in &events {
        bus.publish(e, None).await.unwrap();
    }
    bus.publish(&events[3], None).await.unwrap(); // redelivered: recorded once
    let payment = Event::new(
        "jobs",
        types::PAYMENT_SUCCEEDED,
        None,
        PaymentChanged {
            payment_id: Uuid::new_v4(),
            booking_id: b.id,
            user_id: b.customer,
            worker_id: None,
            amount: "499.00".into(),
            currency: "INR".into(),
            status: "completed".into(),
            payout_amount: Some("399.20".into()),
        },
    )
    .into_json()
    .unwrap();
    bus.publish(&payment, None).await.unwrap();

    let path = format!("/api/v1/bookings/{}/timeline/", b.id);
    let customer = api.keys.mint(b.customer, Role::Employer);
    let body = eventually(Duration::from_secs(10), || async {
        let (status, body) = api.call(Method::GET, &path, Some(&customer), None).await;
        (status == 200 && body["count"] == 5).then_some(body)
    })
    .await
    .expect("five entries");
    let types_seen: Vec<&str> = body["events"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["event_type"].as_str().unwrap())
        .collect();
    assert_eq!(
        types_seen,
        [
            "payment_captured",
            "booking_on_the_way",
            "booking_confirmed",
            "worker_assigned",
            "booking_requested"
        ]
    );
    assert_eq!(body["booking_id"], b.id.to_string());
    let on_the_way = &body["events"][1];
    assert_eq!(on_the_way["booking"], b.id.to_string());
    assert_eq!(on_the_way["job"], serde_json::Value::Null);
    assert_eq!(on_the_way["actor_display"], "Amit Verma");
    assert_eq!(on_the_way["payload"]["status"], "on_the_way");
    assert_eq!(body["events"][3]["payload"]["worker_name"], "Raju Kumar");

    // The assigned worker and an admin read it; anyone else is told they may not.
    let worker = api.keys.mint(b.worker, Role::Worker);
    assert_eq!(
        api.call(Method::GET, &path, Some(&worker), None).await.0,
        200
    );
    let (_, admin) = api.user(Role::Admin);
    assert_eq!(
        api.call(Method::GET, &path, Some(&admin), None).await.0,
        200
    );
    let (_, stranger) = api.user(Role::Worker);
    let (status, answer) = api.call(Method::GET, &path, Some(&stranger), None).await;
    assert_eq!(
        (status, answer),
        (
            403,
            json!({"error": "You do not have access to this booking timeline"})
        )
    );
    assert_eq!(api.call(Method::GET, &path, None, None).await.0, 401);
    let unknown = format!("/api/v1/bookings/{}/timeline/", Uuid::new_v4());
    assert_eq!(
        api.call(Method::GET, &unknown, Some(&admin), None).await.0,
        404
    );
    let garbage = "/api/v1/bookings/not-a-uuid/timeline/";
    assert_eq!(
        api.call(Method::GET, garbage, Some(&admin), None).await.0,
        404
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_live_position_enters_the_bookings_history_once() {
    let api = common::Api::start().await;
    let b = Booking {
        id: Uuid::new_v4(),
        customer: Uuid::new_v4(),
        worker: Uuid::new_v4(),
    };
    let bus = publisher(&api.app.bus);
    bus.publish(
        &b.event(types::BOOKING_CREATED, "requested", false, 10),
        None,
    )
    .await
    .unwrap();
    let taken = Utc::now() - Span::minutes(1);
    let position = Event::new(
        "jobs",
        types::BOOKING_LOCATION_UPDATED,
        None,
        BookingLocation {
            booking_id: b.id,
            user_id: b.customer,
            worker_id: Some(Uuid::from_u128(7)),
            lat: 28.6139,
            lng: 77.209,
            timestamp: taken,
            actor_id: b.worker,
            actor_name: "Raju Kumar".into(),
        },
    )
    .into_json()
    .unwrap();
    bus.publish(&position, None).await.unwrap();
    bus.publish(&position, None).await.unwrap(); // redelivered: recorded once

    let path = format!("/api/v1/bookings/{}/timeline/", b.id);
    let customer = api.keys.mint(b.customer, Role::Employer);
    let body = eventually(Duration::from_secs(10), || async {
        let (status, body) = api.call(Method::GET, &path, Some(&customer), None).await;
        (status == 200 && body["count"] == 2).then_some(body)
    })
    .await
    .expect("two entries");
    let update = &body["events"][0];
    assert_eq!(update["event_type"], "custom");
    assert_eq!(update["actor_display"], "Raju Kumar");
    assert_eq!(update["payload"]["event"], "location_update");
    assert_eq!(
        (&update["payload"]["lat"], &update["payload"]["lng"]),
        (&json!(28.6139), &json!(77.209))
    );
    assert_eq!(
        update["payload"]["worker_id"],
        Uuid::from_u128(7).to_string()
    );
    tokio::time::sleep(Duration::from_millis(300)).await;
    let (_, again) = api.call(Method::GET, &path, Some(&customer), None).await;
    assert_eq!(again["count"], 2);
}
