//! Every change of a person's unread count is announced in the transaction that makes it
//! (`notifications.unread_count.changed`, for jobs' dashboards, API §11): a notification stored for them
//! (from an event or the admin's test send), one marked read (over HTTP or a socket), all marked read;
//! nothing when nothing changed, nor for a broadcast.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use hm_contracts::events::{types, BookingChanged};
use hm_contracts::{Event, Role};
use hm_platform::testing::{eventually, publisher};
use reqwest::Method;
use serde_json::json;
use std::time::Duration;
use uuid::Uuid;

fn booking(kind: &str, status: &str, customer: Uuid, worker: Option<Uuid>) -> Event {
    Event::new(
        "jobs",
        kind,
        None,
        BookingChanged {
            booking_id: Uuid::new_v4(),
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

/// The unread counts announced for `user`, in the order they were announced.
async fn announced(api: &common::Api, user: Uuid) -> Vec<i64> {
    let rows = api
        .app
        .db
        .client()
        .await
        .query(
            "SELECT (envelope -> 'data' ->> 'unread')::bigint FROM outbox
             WHERE event_type = 'notifications.unread_count.changed'
               AND envelope -> 'data' ->> 'user_id' = $1
             ORDER BY envelope ->> 'occurred_at'",
            &[&user.to_string()],
        )
        .await
        .unwrap();
    rows.iter().map(|r| r.get::<_, i64>(0)).collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn each_change_of_a_persons_unread_count_is_announced() {
    let api = common::Api::start().await;
    let bus = publisher(&api.app.bus);
    let (amit, amit_token) = api.user(Role::Employer);
    let raju = Uuid::new_v4();
    bus.publish(
        &booking(types::BOOKING_CREATED, "requested", amit, None),
        None,
    )
    .await
    .unwrap();
    bus.publish(
        &booking(
            types::BOOKING_STATUS_CHANGED,
            "on_the_way",
            amit,
            Some(raju),
        ),
        None,
    )
    .await
    .unwrap();
    let taken = eventually(Duration::from_secs(10), || async {
        (api.app.db.count("SELECT count(*) FROM inbox").await == 2).then_some(())
    })
    .await;
    assert!(taken.is_some());
    // Amit was told twice, Raju (the worker) once.
    assert_eq!(announced(&api, amit).await, [1, 2]);
    assert_eq!(announced(&api, raju).await, [1]);

    // One marked read; again: no change, nothing announced.
    let (_, list) = api
        .call(
            Method::GET,
            "/api/v1/notifications/",
            Some(&amit_token),
            None,
        )
        .await;
    let id = list["results"][0]["id"].as_str().unwrap().to_owned();
    let path = format!("/api/v1/notifications/{id}/mark_read/");
    for _ in 0..2 {
        let (status, _) = api
            .call(Method::PATCH, &path, Some(&amit_token), None)
            .await;
        assert_eq!(status, 200);
    }
    assert_eq!(announced(&api, amit).await, [1, 2, 1]);
    // All read; again: nothing to mark, nothing announced.
    for _ in 0..2 {
        let (status, _) = api
            .call(
                Method::PATCH,
                "/api/v1/notifications/mark_all_read/",
                Some(&amit_token),
                None,
            )
            .await;
        assert_eq!(status, 200);
    }
    assert_eq!(announced(&api, amit).await, [1, 2, 1, 0]);
    assert_eq!(announced(&api, raju).await, [1], "only Amit's count moved");

    // The admin's test send to a person counts; a broadcast has no recipient to count for.
    let (sunil, _) = api
        .with_user("+919876543211", Role::Worker, "Sunil", "Yadav")
        .await;
    let admin = api.keys.mint(Uuid::new_v4(), Role::Admin);
    for body in [
        json!({"user_id": sunil, "title": "Hello", "message": "Test"}),
        json!({"title": "Everyone", "message": "Broadcast"}),
    ] {
        let (status, sent) = api
            .call(
                Method::POST,
                "/api/v1/notifications/test/",
                Some(&admin),
                Some(body),
            )
            .await;
        assert_eq!(status, 201, "{sent}");
    }
    assert_eq!(announced(&api, sunil).await, [1]);
    assert_eq!(
        api.app
            .db
            .count(
                "SELECT count(*) FROM outbox WHERE event_type = 'notifications.unread_count.changed'"
            )
            .await,
        6
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn announce_all_unread_tells_a_late_projection_every_count() {
    let api = common::Api::start().await;
    let admin = api.keys.mint(Uuid::new_v4(), Role::Admin);
    let (sunil, sunil_token) = api
        .with_user("+919876543211", Role::Worker, "Sunil", "Yadav")
        .await;
    let (asha, _) = api
        .with_user("+919876543212", Role::Worker, "Asha", "Devi")
        .await;
    for user in [sunil, sunil, asha] {
        let (status, _) = api
            .call(
                Method::POST,
                "/api/v1/notifications/test/",
                Some(&admin),
                Some(json!({"user_id": user, "title": "Hello", "message": "Test"})),
            )
            .await;
        assert_eq!(status, 201);
    }
    let (status, _) = api
        .call(
            Method::PATCH,
            "/api/v1/notifications/mark_all_read/",
            Some(&sunil_token),
            None,
        )
        .await;
    assert_eq!(status, 200);
    // Long published and forgotten; a projection that starts now missed all of it.
    api.app.db.sql("DELETE FROM outbox").await;
    let people =
        hm_notifications::store::notifications::announce_all_unread(&mut diesel_conn(&api).await)
            .await
            .unwrap();
    assert_eq!(people, 2);
    assert_eq!(announced(&api, sunil).await, [0]);
    assert_eq!(announced(&api, asha).await, [1]);
}

async fn diesel_conn(api: &common::Api) -> diesel_async::AsyncPgConnection {
    use diesel_async::AsyncConnection;
    diesel_async::AsyncPgConnection::establish(&api.app.db.url)
        .await
        .unwrap()
}
