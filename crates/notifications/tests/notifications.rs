//! In-app notifications from real events on a real broker, read over HTTP: the spec's texts, one
//! notification per event however often it is delivered, only the owner's, P-NTF pages, filters and
//! marking read.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use hm_contracts::events::{types, ApplicationChanged, BookingChanged};
use hm_contracts::{Event, Role};
use hm_platform::testing::{eventually, publisher};
use reqwest::Method;
use serde_json::{json, Value};
use std::time::Duration;
use uuid::Uuid;

fn booking(status: &str, customer: Uuid, worker: Option<Uuid>) -> Event {
    Event::new(
        "jobs",
        if status == "requested" {
            types::BOOKING_CREATED
        } else {
            types::BOOKING_STATUS_CHANGED
        },
        None,
        BookingChanged {
            booking_id: Uuid::from_u128(7),
            user_id: customer,
            worker_id: worker,
            worker_user_id: worker,
            worker_name: worker.map(|_| "Raju Kumar".to_owned()),
            service_id: Uuid::new_v4(),
            service_name: "Tap Repair".into(),
            status: status.into(),
            previous_status: None,
            eta_minutes: None,
            actor_id: customer,
            actor_name: "Amit Verma".into(),
            payment_method: "cash".into(),
            payment_status: "n/a".into(),
        },
    )
    .into_json()
    .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn events_become_the_owners_notifications_once() {
    let api = common::Api::start().await;
    let bus = publisher(&api.app.bus);
    let (amit, raju, poster) = (Uuid::new_v4(), Uuid::new_v4(), Uuid::new_v4());
    let requested = booking("requested", amit, None);
    bus.publish(&requested, None).await.unwrap();
    bus.publish(&requested, None).await.unwrap(); // redelivered: no second notification
    bus.publish(&booking("on_the_way", amit, Some(raju)), None)
        .await
        .unwrap();
    let application = Event::new(
        "jobs",
        types::APPLICATION_CREATED,
        None,
        ApplicationChanged {
            application_id: Uuid::new_v4(),
            job_id: Uuid::new_v4(),
            job_title: "Fix wooden door".into(),
            poster_id: poster,
            worker_id: Uuid::new_v4(),
            worker_user_id: raju,
            worker_name: "Ravi Kumar".into(),
            status: "applied".into(),
            reason: None,
        },
    )
    .into_json()
    .unwrap();
    bus.publish(&application, None).await.unwrap();
    let all = eventually(Duration::from_secs(10), || async {
        let n = api.app.db.count("SELECT count(*) FROM inbox").await;
        (n == 3).then_some(())
    })
    .await;
    assert!(all.is_some(), "three distinct events handled");
    assert_eq!(
        api.app.db.count("SELECT count(*) FROM notifications").await,
        4,
        "requested (customer), on the way (customer, worker), application (poster)"
    );

    let amit_token = api.keys.mint(amit, Role::Employer);
    assert_eq!(
        api.call(Method::GET, "/api/v1/notifications/", None, None)
            .await
            .0,
        401
    );
    let (status, page) = api
        .call(
            Method::GET,
            "/api/v1/notifications/",
            Some(&amit_token),
            None,
        )
        .await;
    assert_eq!(status, 200);
    assert_eq!(page["count"], 2);
    let newest = &page["results"][0];
    assert_eq!(
        (
            &newest["title"],
            &newest["message"],
            &newest["type"],
            &newest["is_read"]
        ),
        (
            &json!("Booking On The Way"),
            &json!("Your booking for Tap Repair is now on the way."),
            &json!("booking_status"),
            &json!(false)
        )
    );
    assert_eq!(
        newest["data"],
        json!({"booking_id": Uuid::from_u128(7), "status": "on_the_way", "service": "Tap Repair"})
    );
    let poster_token = api.keys.mint(poster, Role::Employer);
    let (_, theirs) = api
        .call(
            Method::GET,
            "/api/v1/notifications/",
            Some(&poster_token),
            None,
        )
        .await;
    assert_eq!(
        theirs["results"][0]["message"],
        "Ravi Kumar applied for \"Fix wooden door\""
    );
    let poster_note = theirs["results"][0]["id"].as_str().unwrap().to_owned();
    // Someone else's notification does not exist for the caller.
    assert_eq!(
        api.call(
            Method::GET,
            &format!("/api/v1/notifications/{poster_note}/"),
            Some(&amit_token),
            None
        )
        .await,
        (
            404,
            json!({"detail": "No Notification matches the given query."})
        )
    );
    assert_eq!(
        api.call(
            Method::PATCH,
            &format!("/api/v1/notifications/{poster_note}/mark_read/"),
            Some(&amit_token),
            None
        )
        .await
        .0,
        404
    );

    // Pages of one, with absolute links; filters; marking read.
    let (_, first) = api
        .call(
            Method::GET,
            "/api/v1/notifications/?page_size=1",
            Some(&amit_token),
            None,
        )
        .await;
    assert_eq!(first["results"].as_array().unwrap().len(), 1);
    assert!(first["next"]
        .as_str()
        .unwrap()
        .ends_with("/api/v1/notifications/?page_size=1&page=2"));
    assert_eq!(first["previous"], Value::Null);
    let (status, _) = api
        .call(
            Method::GET,
            "/api/v1/notifications/?page=3&page_size=1",
            Some(&amit_token),
            None,
        )
        .await;
    assert_eq!(status, 404);
    let id = newest["id"].as_str().unwrap();
    let (status, body) = api
        .call(
            Method::PATCH,
            &format!("/api/v1/notifications/{id}/mark_read/"),
            Some(&amit_token),
            None,
        )
        .await;
    assert_eq!(
        (status, body),
        (
            200,
            json!({"status": "success", "message": "Notification marked as read"})
        )
    );
    let (_, read) = api
        .call(
            Method::GET,
            "/api/v1/notifications/?is_read=TRUE",
            Some(&amit_token),
            None,
        )
        .await;
    assert_eq!(read["count"], 1);
    let (_, unread) = api
        .call(
            Method::GET,
            "/api/v1/notifications/unread_count/",
            Some(&amit_token),
            None,
        )
        .await;
    assert_eq!(unread, json!({"unread_count": 1}));
    let (_, all) = api
        .call(
            Method::PATCH,
            "/api/v1/notifications/mark_all_read/",
            Some(&amit_token),
            None,
        )
        .await;
    assert_eq!(
        all,
        json!({"status": "success", "count": 1, "message": "1 notifications marked as read"}),
        "only those that changed are counted"
    );
    let (status, body) = api
        .call(
            Method::GET,
            "/api/v1/notifications/?date_from=yesterday",
            Some(&amit_token),
            None,
        )
        .await;
    assert_eq!(status, 400, "{body}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn nothing_is_created_while_notifications_are_off() {
    let api = common::Api::start_with(|c| c.enabled = false).await;
    let bus = publisher(&api.app.bus);
    bus.publish(&booking("requested", Uuid::new_v4(), None), None)
        .await
        .unwrap();
    let handled = eventually(Duration::from_secs(10), || async {
        (api.app.db.count("SELECT count(*) FROM inbox").await == 1).then_some(())
    })
    .await;
    assert!(handled.is_some());
    assert_eq!(
        api.app.db.count("SELECT count(*) FROM notifications").await,
        0
    );
}
