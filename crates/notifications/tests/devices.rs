//! Devices (API §9.4–9.6) and push delivery (DOMAIN §5.4): registration by token, owners and admins,
//! validation; pushes queued for a notification's devices, retried, and dead tokens deactivated; the
//! admin's test notification (§9.3).
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use hm_contracts::events::{types, UserRegistered};
use hm_contracts::{Event, Role};
use hm_notifications::push::PushOutcome;
use hm_notifications::testing::{RecordingPush, RecordingSms};
use hm_notifications::Senders;
use hm_platform::testing::{eventually, publisher};
use reqwest::Method;
use serde_json::{json, Value};
use std::sync::Arc;
use std::time::Duration;
use uuid::Uuid;

const REGISTER: &str = "/api/v1/devices/register/";

async fn with_push(push: Arc<RecordingPush>) -> common::Api {
    let senders = Senders {
        sms: RecordingSms::failing(vec![]),
        push: Some(push),
    };
    common::Api::start_with_senders(Some(senders), |_| {}).await
}

/// Announces a user as identity would, and waits until notifications knows them.
async fn registered(api: &common::Api, id: Uuid, phone: &str) {
    let event = Event::new(
        "identity",
        types::USER_REGISTERED,
        None,
        UserRegistered {
            user_id: id,
            phone: phone.into(),
            role: Role::Worker,
            first_name: "Raju".into(),
            last_name: "Kumar".into(),
        },
    )
    .into_json()
    .unwrap();
    publisher(&api.app.bus).publish(&event, None).await.unwrap();
    let query = format!("SELECT count(*) FROM user_refs WHERE id = '{id}'");
    eventually(Duration::from_secs(10), || async {
        (api.app.db.count(&query).await == 1).then_some(())
    })
    .await
    .expect("the user reaches notifications");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tokens_are_registered_once_and_belong_to_their_caller() {
    let api = common::Api::start().await;
    let (raju, token) = api.user(Role::Worker);
    registered(&api, raju, "+919900000001").await;
    let body = json!({"registration_token": "fcm-token-1", "platform": "android",
                      "metadata": {"model": "Pixel 5", "os_version": "12"}});

    let (status, device) = api
        .call(Method::POST, REGISTER, Some(&token), Some(body.clone()))
        .await;
    assert_eq!(status, 201, "{device}");
    assert_eq!(device["user"], raju.to_string());
    assert_eq!(device["user_phone"], "+919900000001");
    assert_eq!(device["is_active"], true);
    assert_eq!(device["metadata"]["model"], "Pixel 5");

    // The same token again (anonymously, from the app before login): the same device, still Raju's.
    let again = json!({"registration_token": "fcm-token-1", "platform": "ios"});
    let (status, same) = api.call(Method::POST, REGISTER, None, Some(again)).await;
    assert_eq!(status, 200);
    assert_eq!(same["id"], device["id"]);
    assert_eq!(same["user"], raju.to_string());
    assert_eq!(same["platform"], "ios");
    assert_eq!(same["metadata"], json!({}));

    // The alias path registers too.
    let (status, _) = api
        .call(
            Method::POST,
            "/api/notifications/devices/register/",
            None,
            Some(json!({"registration_token": "anon-1", "platform": "web"})),
        )
        .await;
    assert_eq!(status, 201);

    // Raju lists his own; another user sees neither his list nor his device.
    let (status, list) = api
        .call(Method::GET, "/api/v1/devices/", Some(&token), None)
        .await;
    assert_eq!(status, 200);
    assert_eq!(list.as_array().unwrap().len(), 1);
    let (_, other) = api.user(Role::Worker);
    let (_, theirs) = api
        .call(Method::GET, "/api/v1/devices/", Some(&other), None)
        .await;
    assert_eq!(theirs, json!([]));
    let detail = format!("/api/v1/devices/{}/", device["id"].as_str().unwrap());
    assert_eq!(
        api.call(Method::GET, &detail, Some(&other), None).await.0,
        404
    );
    assert_eq!(
        api.call(Method::GET, &detail, Some(&token), None).await.0,
        200
    );

    // Only the owner unregisters it.
    let unregister = json!({"registration_token": "fcm-token-1"});
    let (status, answer) = api
        .call(
            Method::POST,
            "/api/v1/devices/unregister/",
            Some(&other),
            Some(unregister.clone()),
        )
        .await;
    assert_eq!(
        (status, answer),
        (404, json!({"error": "Device not found"}))
    );
    let (status, answer) = api
        .call(
            Method::POST,
            "/api/v1/devices/unregister/",
            Some(&token),
            Some(unregister),
        )
        .await;
    assert_eq!(
        (status, answer),
        (200, json!({"status": "unregistered", "devices_updated": 1}))
    );
    let (_, after) = api.call(Method::GET, &detail, Some(&token), None).await;
    assert_eq!(after["is_active"], false);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_registrations_are_refused_field_by_field() {
    let api = common::Api::start().await;
    let cases = [
        (json!({"platform": "android"}), "registration_token"),
        (
            json!({"registration_token": "t", "platform": "symbian"}),
            "platform",
        ),
        (
            json!({"registration_token": "x".repeat(501), "platform": "web"}),
            "registration_token",
        ),
        (
            json!({"registration_token": "t", "platform": "web", "metadata": [1, 2]}),
            "metadata",
        ),
    ];
    for (body, field) in cases {
        let (status, answer) = api.call(Method::POST, REGISTER, None, Some(body)).await;
        assert_eq!(status, 400, "{answer}");
        assert!(answer[field].is_array(), "{field}: {answer}");
    }
    assert_eq!(api.app.db.count("SELECT count(*) FROM devices").await, 0);
    let (_, token) = api.user(Role::Worker);
    let (status, _) = api
        .call(
            Method::POST,
            "/api/v1/devices/unregister/",
            Some(&token),
            Some(json!({})),
        )
        .await;
    assert_eq!(status, 400);
    // Without a token, unregistering and listing are refused.
    assert_eq!(
        api.call(Method::GET, "/api/v1/devices/", None, None)
            .await
            .0,
        401
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn admins_manage_devices_and_others_may_not() {
    let api = common::Api::start().await;
    let (_, admin) = api.user(Role::Admin);
    let (_, worker) = api.user(Role::Worker);
    let raju = Uuid::new_v4();
    registered(&api, raju, "+919900000002").await;
    let body = json!({"registration_token": "admin-made", "platform": "android", "user_id": raju});
    assert_eq!(
        api.call(
            Method::POST,
            "/api/v1/devices/",
            Some(&worker),
            Some(body.clone())
        )
        .await
        .0,
        403
    );
    let (status, device) = api
        .call(
            Method::POST,
            "/api/v1/devices/",
            Some(&admin),
            Some(body.clone()),
        )
        .await;
    assert_eq!(status, 201, "{device}");
    assert_eq!(device["user"], raju.to_string());
    // The token is unique.
    let (status, answer) = api
        .call(Method::POST, "/api/v1/devices/", Some(&admin), Some(body))
        .await;
    assert_eq!(status, 400);
    assert!(answer["registration_token"].is_array());
    // An owner nobody knows.
    let ghost =
        json!({"registration_token": "ghost", "platform": "ios", "user_id": Uuid::new_v4()});
    let (status, answer) = api
        .call(Method::POST, "/api/v1/devices/", Some(&admin), Some(ghost))
        .await;
    assert_eq!((status, answer), (404, json!({"error": "User not found"})));

    let path = format!("/api/v1/devices/{}/", device["id"].as_str().unwrap());
    let (status, patched) = api
        .call(
            Method::PATCH,
            &path,
            Some(&admin),
            Some(json!({"is_active": false})),
        )
        .await;
    assert_eq!(status, 200);
    assert_eq!(
        (patched["is_active"].clone(), patched["platform"].clone()),
        (json!(false), json!("android"))
    );
    assert_eq!(
        api.call(Method::PATCH, &path, Some(&worker), Some(json!({})))
            .await
            .0,
        403
    );
    assert_eq!(
        api.call(Method::DELETE, &path, Some(&admin), None).await.0,
        204
    );
    assert_eq!(
        api.call(Method::GET, &path, Some(&admin), None).await.0,
        404
    );
}

async fn pushes(api: &common::Api) -> Vec<(String, i32)> {
    api.app
        .db
        .client()
        .await
        .query(
            "SELECT status, attempts FROM outgoing_pushes ORDER BY created_at",
            &[],
        )
        .await
        .unwrap()
        .iter()
        .map(|r| (r.get(0), r.get(1)))
        .collect()
}

async fn settled(api: &common::Api, expected: Vec<(&str, i32)>) {
    let expected: Vec<(String, i32)> = expected
        .into_iter()
        .map(|(s, n)| (s.to_owned(), n))
        .collect();
    let seen = eventually(Duration::from_secs(15), || async {
        let now = pushes(api).await;
        (now == expected).then_some(())
    })
    .await;
    assert!(seen.is_some(), "pushes: {:?}", pushes(api).await);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_test_notification_is_pushed_to_the_recipients_active_devices() {
    let push = RecordingPush::answering(vec![PushOutcome::Retry(json!({"error": "HTTP 503"}))]);
    let api = with_push(push.clone()).await;
    let (_, admin) = api.user(Role::Admin);
    let raju = Uuid::new_v4();
    registered(&api, raju, "+919900000003").await;
    let raju_token = api.keys.mint(raju, Role::Worker);
    for (token, platform) in [("raju-phone", "android"), ("raju-old", "ios")] {
        let body = json!({"registration_token": token, "platform": platform});
        assert_eq!(
            api.call(Method::POST, REGISTER, Some(&raju_token), Some(body))
                .await
                .0,
            201
        );
    }
    let old = json!({"registration_token": "raju-old"});
    api.call(
        Method::POST,
        "/api/v1/devices/unregister/",
        Some(&raju_token),
        Some(old),
    )
    .await;
    // Someone else's device gets nothing.
    let (_, other) = api.user(Role::Worker);
    let body = json!({"registration_token": "other-phone", "platform": "android"});
    api.call(Method::POST, REGISTER, Some(&other), Some(body))
        .await;

    let test = json!({"user_id": raju, "title": "Hello", "message": "Push works", "channel": "push",
                      "data": {"screen": "home"}});
    let (status, created) = api
        .call(
            Method::POST,
            "/api/v1/notifications/test/",
            Some(&admin),
            Some(test),
        )
        .await;
    assert_eq!(status, 201, "{created}");
    assert_eq!(
        (created["channel"].clone(), created["type"].clone()),
        (json!("push"), json!("system"))
    );
    // Sent to the active device only: once refused with a 503, then (after its back-off) accepted.
    settled(&api, vec![("sent", 2)]).await;
    assert_eq!(
        push.sent(),
        vec![("raju-phone".to_owned(), "Hello".to_owned()); 2]
    );
    // Raju sees it in the app as well.
    let (_, list) = api
        .call(
            Method::GET,
            "/api/v1/notifications/",
            Some(&raju_token),
            None,
        )
        .await;
    assert_eq!(list["results"][0]["title"], "Hello");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_dead_token_fails_its_push_and_deactivates_the_device() {
    let push = RecordingPush::answering(vec![PushOutcome::Unregistered(
        json!({"error": {"status": "NOT_FOUND", "details": [{"errorCode": "UNREGISTERED"}]}}),
    )]);
    let api = with_push(push.clone()).await;
    let (_, admin) = api.user(Role::Admin);
    let (raju, token) = api.user(Role::Worker);
    let body = json!({"registration_token": "stale", "platform": "android"});
    let (_, device) = api
        .call(Method::POST, REGISTER, Some(&token), Some(body))
        .await;
    // A broadcast reaches every active device.
    let test = json!({"title": "Maintenance", "message": "Tonight 2-3 AM", "channel": "both"});
    let (status, created) = api
        .call(
            Method::POST,
            "/api/v1/notifications/test/",
            Some(&admin),
            Some(test),
        )
        .await;
    assert_eq!((status, created["user"].clone()), (201, Value::Null));
    settled(&api, vec![("failed", 1)]).await;
    let path = format!("/api/v1/devices/{}/", device["id"].as_str().unwrap());
    let (_, after) = api.call(Method::GET, &path, Some(&token), None).await;
    assert_eq!(after["is_active"], false);
    // Broadcasts are not in anyone's list.
    let (_, list) = api
        .call(Method::GET, "/api/v1/notifications/", Some(&token), None)
        .await;
    assert_eq!(list["count"], 0, "{raju}: {list}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_test_endpoint_is_for_admins_with_valid_bodies() {
    let api = common::Api::start().await;
    let (_, admin) = api.user(Role::Admin);
    let (_, worker) = api.user(Role::Worker);
    let path = "/api/v1/notifications/test/";
    let ok = json!({"title": "Hi", "message": "There"});
    assert_eq!(
        api.call(Method::POST, path, Some(&worker), Some(ok.clone()))
            .await
            .0,
        403
    );
    assert_eq!(api.call(Method::POST, path, None, Some(ok)).await.0, 401);
    let bad = [
        (json!({"message": "no title"}), "title"),
        (json!({"title": "x".repeat(256), "message": "m"}), "title"),
        (
            json!({"title": "t", "message": "m", "type": "gossip"}),
            "type",
        ),
        (
            json!({"title": "t", "message": "m", "channel": "pigeon"}),
            "channel",
        ),
        (
            json!({"title": "t", "message": "m", "data": "text"}),
            "data",
        ),
        (
            json!({"title": "t", "message": "m", "user_id": "nope"}),
            "user_id",
        ),
    ];
    for (body, field) in bad {
        let (status, answer) = api.call(Method::POST, path, Some(&admin), Some(body)).await;
        assert_eq!(status, 400, "{answer}");
        assert!(answer[field].is_array(), "{field}: {answer}");
    }
    let unknown = json!({"title": "t", "message": "m", "user_id": Uuid::new_v4()});
    assert_eq!(
        api.call(Method::POST, path, Some(&admin), Some(unknown))
            .await
            .0,
        404
    );
    assert_eq!(
        api.app.db.count("SELECT count(*) FROM notifications").await,
        0
    );

    let off = common::Api::start_with(|c| c.enabled = false).await;
    let (_, admin) = off.user(Role::Admin);
    let (status, answer) = off
        .call(
            Method::POST,
            path,
            Some(&admin),
            Some(json!({"title": "t", "message": "m"})),
        )
        .await;
    assert_eq!(
        (status, answer),
        (503, json!({"error": "Notifications are disabled"}))
    );
}
