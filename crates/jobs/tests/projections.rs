//! Jobs keeps catalog's services, identity's users and workforce's profiles from real events on a real
//! broker; redelivery changes nothing, and a booking shows the worker's profile as workforce last
//! announced it.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use hm_contracts::events::{types, ProfileRef, ServiceChanged, UserRegistered};
use hm_contracts::{Event, Role};
use hm_platform::testing::{eventually, publisher};
use reqwest::Method;
use serde_json::json;
use std::time::Duration;
use uuid::Uuid;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn projections_follow_the_other_services_events() {
    let api = common::Api::start().await;
    let others = publisher(&api.app.bus);
    let publish = |event: Event| {
        let others = others.clone();
        async move { others.publish(&event, None).await.unwrap() }
    };
    let service_id = Uuid::new_v4();
    let service = Event::new(
        "catalog",
        types::SERVICE_CREATED,
        None,
        ServiceChanged {
            service_id,
            slug: "plumbing".into(),
            name: "Plumbing".into(),
            title_en: "Plumbing".into(),
            title_hi: String::new(),
            category: "construction".into(),
            is_active: true,
            display_order: 1,
            aliases: Vec::new(),
        },
    )
    .into_json()
    .unwrap();
    publish(service.clone()).await;
    publish(service).await; // redelivered
    let raju = Uuid::new_v4();
    publish(
        Event::new(
            "identity",
            types::USER_REGISTERED,
            None,
            UserRegistered {
                user_id: raju,
                phone: "+919876543210".into(),
                role: Role::Worker,
                first_name: "Raju".into(),
                last_name: "Kumar".into(),
            },
        )
        .into_json()
        .unwrap(),
    )
    .await;
    let profile_id = Uuid::new_v4();
    let worker = |kind: &str, rating: &str| {
        Event::new(
            "workforce",
            kind,
            None,
            ProfileRef {
                profile_id,
                user_id: raju,
                profile: Some(json!({"id": profile_id, "user": raju, "user_name": "Raju Kumar", "rating": rating})),
                service_ids: None,
                last_seen: None,
            },
        )
        .into_json()
        .unwrap()
    };
    publish(worker(types::WORKER_CREATED, "4.50")).await;
    let settled = eventually(Duration::from_secs(10), || async {
        let n = api
            .app
            .db
            .count("SELECT (SELECT count(*) FROM service_refs) + (SELECT count(*) FROM user_refs) + (SELECT count(*) FROM worker_refs) + (SELECT count(*) FROM inbox)")
            .await;
        (n == 3 + 3).then_some(())
    })
    .await;
    assert!(settled.is_some(), "one of each, three events recorded once");

    // A booking assigned to Raju shows his profile; an update replaces it.
    let (_, amit) = api
        .user("+919000000001", Role::Employer, "Amit", "Verma")
        .await;
    let (_, b) = api
        .call(
            Method::POST,
            "/api/v1/bookings/",
            Some(&amit),
            Some(json!({"service": service_id, "address": "A"})),
        )
        .await;
    let id = b["id"].as_str().unwrap().to_owned();
    let admin = api.keys.mint(Uuid::new_v4(), Role::Admin);
    let (_, assigned) = api
        .call(
            Method::POST,
            &format!("/api/v1/bookings/{id}/assign/"),
            Some(&admin),
            Some(json!({"worker_id": profile_id})),
        )
        .await;
    assert_eq!(assigned["worker"]["rating"], "4.50");
    publish(worker(types::WORKER_UPDATED, "4.80")).await;
    let updated = eventually(Duration::from_secs(10), || async {
        let (_, b) = api
            .call(
                Method::GET,
                &format!("/api/v1/bookings/{id}/"),
                Some(&amit),
                None,
            )
            .await;
        (b["worker"]["rating"] == "4.80").then_some(())
    })
    .await;
    assert!(updated.is_some(), "the booking shows the newest profile");
    // A deleted profile can no longer be assigned.
    publish(worker(types::WORKER_DELETED, "4.80")).await;
    let gone = eventually(Duration::from_secs(10), || async {
        (api.app.db.count("SELECT count(*) FROM worker_refs").await == 0).then_some(())
    })
    .await;
    assert!(gone.is_some());
    let (status, _) = api
        .call(
            Method::POST,
            &format!("/api/v1/bookings/{id}/assign/"),
            Some(&admin),
            Some(json!({"worker_id": profile_id})),
        )
        .await;
    assert_eq!(status, 404);
}
