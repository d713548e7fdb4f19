//! The WebSockets of API §10 against a real broker and database: who may connect (4001, 4003), the
//! `jwt` subprotocol, the §10.3 messages on their channels, `ping`/`mark_read`, a new notification
//! pushed live, heartbeats reaping a silent client, a token expiring mid-connection, and two replicas
//! that each deliver to their own sockets.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use hm_contracts::events::{types, BookingChanged, BookingLocation};
use hm_contracts::tokens::TokenType;
use hm_contracts::{Event, Role};
use hm_notifications::testing::Notifications;
use hm_platform::testing::ws::{self, Received, Via};
use hm_platform::testing::{eventually, publisher};
use reqwest::Method;
use serde_json::json;
use std::time::Duration;
use uuid::Uuid;

const WAIT: Duration = Duration::from_secs(10);

fn booking_event(kind: &str, booking: Uuid, customer: Uuid, worker: Uuid, status: &str) -> Event {
    Event::new(
        "jobs",
        kind,
        None,
        BookingChanged {
            booking_id: booking,
            user_id: customer,
            worker_id: Some(Uuid::from_u128(7)),
            worker_user_id: Some(worker),
            worker_name: Some("Raju Kumar".into()),
            service_id: Uuid::new_v4(),
            service_name: "Tap Repair".into(),
            status: status.into(),
            previous_status: Some("confirmed".into()),
            eta_minutes: Some(12),
            actor_id: worker,
            actor_name: "Raju Kumar".into(),
            payment_method: "cash".into(),
            payment_status: "n/a".into(),
        },
    )
    .into_json()
    .unwrap()
}

/// A booking of `customer` with `worker` assigned, known to notifications (its projection written).
async fn known_booking(api: &common::Api, customer: Uuid, worker: Uuid) -> Uuid {
    let booking = Uuid::new_v4();
    let bus = publisher(&api.app.bus);
    let created = booking_event(
        types::BOOKING_ASSIGNED,
        booking,
        customer,
        worker,
        "confirmed",
    );
    bus.publish(&created, None).await.unwrap();
    let token = api.keys.mint(customer, Role::Employer);
    let path = format!("/api/v1/bookings/{booking}/timeline/");
    eventually(WAIT, || async {
        (api.call(Method::GET, &path, Some(&token), None).await.0 == 200).then_some(())
    })
    .await
    .expect("the booking reaches notifications");
    booking
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_socket_without_a_valid_token_is_closed_with_4001() {
    let api = common::Api::start().await;
    for path in [
        "/ws/notifications/",
        "/ws/bookings/00000000-0000-0000-0000-000000000001/",
    ] {
        let mut anonymous = ws::connect(&api.base, path, None, Via::Query).await;
        assert_eq!(anonymous.close_code(WAIT).await, Some(4001), "{path}");
        let mut forged = ws::connect(&api.base, path, Some("not.a.jwt"), Via::Query).await;
        assert_eq!(forged.close_code(WAIT).await, Some(4001), "{path}");
    }
    let stale = api
        .keys
        .key
        .sign(
            &api.keys
                .claims(Uuid::new_v4(), Role::Worker, TokenType::Access, -10),
        )
        .unwrap();
    let mut expired = ws::connect(&api.base, "/ws/notifications/", Some(&stale), Via::Query).await;
    assert_eq!(expired.close_code(WAIT).await, Some(4001));
    let refresh = api
        .keys
        .key
        .sign(
            &api.keys
                .claims(Uuid::new_v4(), Role::Worker, TokenType::Refresh, 600),
        )
        .unwrap();
    let mut wrong_type =
        ws::connect(&api.base, "/ws/notifications/", Some(&refresh), Via::Query).await;
    assert_eq!(wrong_type.close_code(WAIT).await, Some(4001));

    // Not a handshake at all: an HTTP answer in the spec's envelope.
    let (status, body) = api
        .call(Method::GET, "/ws/notifications/", None, None)
        .await;
    assert_eq!(status, 426);
    assert!(body["detail"].as_str().unwrap().contains("WebSocket"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_booking_socket_is_for_its_customer_its_worker_and_staff() {
    let api = common::Api::start().await;
    let (customer, worker) = (Uuid::new_v4(), Uuid::new_v4());
    let booking = known_booking(&api, customer, worker).await;
    let path = format!("/ws/bookings/{booking}/");
    let welcome = json!({"type": "connection_established", "booking_id": booking,
                         "message": "Connected to booking updates"});
    for (user, role) in [
        (customer, Role::Employer),
        (worker, Role::Worker),
        (Uuid::new_v4(), Role::Admin),
    ] {
        let token = api.keys.mint(user, role);
        let mut socket = ws::connect(&api.base, &path, Some(&token), Via::Query).await;
        assert_eq!(socket.next_json().await, welcome, "{role:?}");
    }
    let (_, stranger) = api.user(Role::Worker);
    let mut refused = ws::connect(&api.base, &path, Some(&stranger), Via::Query).await;
    assert_eq!(refused.close_code(WAIT).await, Some(4003));
    let unknown = format!("/ws/bookings/{}/", Uuid::new_v4());
    let mut nothing = ws::connect(&api.base, &unknown, Some(&stranger), Via::Query).await;
    assert_eq!(nothing.close_code(WAIT).await, Some(4003));
    let mut malformed = ws::connect(
        &api.base,
        "/ws/bookings/not-a-uuid/",
        Some(&stranger),
        Via::Query,
    )
    .await;
    assert_eq!(malformed.close_code(WAIT).await, Some(4003));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_browser_names_its_token_in_the_jwt_subprotocol_and_gets_jwt_back() {
    let api = common::Api::start().await;
    let (_, token) = api.user(Role::Worker);
    let mut socket =
        ws::connect(&api.base, "/ws/notifications/", Some(&token), Via::Protocol).await;
    assert_eq!(socket.protocol.as_deref(), Some("jwt"));
    assert_eq!(
        socket.next_json().await,
        json!({"type": "connection_established", "message": "Connected to notifications"})
    );
    socket.send_json(&json!({"type": "ping"})).await;
    assert_eq!(socket.next_json().await, json!({"type": "pong"}));
    // Anything else is ignored; the socket stays open.
    socket
        .send_json(&json!({"type": "subscribe", "channel": "user_x"}))
        .await;
    socket.send_json(&json!({"type": "ping"})).await;
    assert_eq!(socket.next_json().await, json!({"type": "pong"}));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn booking_events_reach_the_booking_channel_in_order() {
    let api = common::Api::start().await;
    let (customer, worker) = (Uuid::new_v4(), Uuid::new_v4());
    let booking = known_booking(&api, customer, worker).await;
    let token = api.keys.mint(customer, Role::Employer);
    let path = format!("/ws/bookings/{booking}/");
    let mut socket = ws::connect(&api.base, &path, Some(&token), Via::Query).await;
    socket.next_of("connection_established").await;
    // Another booking's events never reach this socket.
    let bus = publisher(&api.app.bus);
    let other = booking_event(
        types::BOOKING_STATUS_CHANGED,
        Uuid::new_v4(),
        customer,
        worker,
        "on_the_way",
    );
    bus.publish(&other, None).await.unwrap();
    let moved = booking_event(
        types::BOOKING_STATUS_CHANGED,
        booking,
        customer,
        worker,
        "on_the_way",
    );
    bus.publish(&moved, None).await.unwrap();
    let position = Event::new(
        "jobs",
        types::BOOKING_LOCATION_UPDATED,
        None,
        BookingLocation {
            booking_id: booking,
            user_id: customer,
            worker_id: Some(Uuid::from_u128(7)),
            lat: 28.6139,
            lng: 77.209,
            timestamp: "2026-01-03T11:05:00Z".parse().unwrap(),
            actor_id: worker,
            actor_name: "Raju Kumar".into(),
        },
    )
    .into_json()
    .unwrap();
    bus.publish(&position, None).await.unwrap();

    let status = socket.next_json().await;
    assert_eq!(status["type"], "booking_status");
    assert_eq!(status["booking_id"], booking.to_string());
    assert_eq!(status["status"], "on_the_way");
    assert_eq!(status["event_type"], "booking_on_the_way");
    assert_eq!(status["eta_minutes"], 12);
    let location = socket.next_json().await;
    assert_eq!(
        location,
        json!({"type": "location_update", "booking_id": booking, "lat": 28.6139, "lng": 77.209,
               "timestamp": "2026-01-03T11:05:00+00:00", "actor": "Raju Kumar",
               "worker_id": Uuid::from_u128(7)})
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_new_notification_is_pushed_live_and_mark_read_marks_it() {
    let api = common::Api::start().await;
    let (user, token) = api
        .with_user("+919900000101", Role::Worker, "Raju", "Kumar")
        .await;
    let mut socket = ws::connect(&api.base, "/ws/notifications/", Some(&token), Via::Query).await;
    socket.next_of("connection_established").await;
    let (_, admin) = api.user(Role::Admin);
    let body = json!({"user_id": user, "title": "Hello", "message": "Live", "type": "system",
                      "data": {"k": 1}});
    let (status, created) = api
        .call(
            Method::POST,
            "/api/v1/notifications/test/",
            Some(&admin),
            Some(body),
        )
        .await;
    assert_eq!(status, 201, "{created}");
    let live = socket.next_of("notification").await;
    assert_eq!(live["id"], created["id"]);
    assert_eq!(live["user"], user.to_string());
    assert_eq!(live["title"], "Hello");
    assert_eq!(live["message"], "Live");
    assert_eq!(live["notification_type"], "system");
    assert_eq!(live["data"], json!({"k": 1}));
    assert_eq!(live["is_read"], false);
    assert_eq!(live["created_at"], created["created_at"]);

    socket
        .send_json(&json!({"type": "mark_read", "notification_id": created["id"]}))
        .await;
    let path = format!("/api/v1/notifications/{}/", created["id"].as_str().unwrap());
    let read = eventually(WAIT, || async {
        let (_, n) = api.call(Method::GET, &path, Some(&token), None).await;
        (n["is_read"] == true).then_some(())
    })
    .await;
    assert!(read.is_some(), "mark_read over the socket marks it read");

    // Someone else's notification is not theirs to mark.
    let (other, other_token) = api
        .with_user("+919900000102", Role::Worker, "Ravi", "Das")
        .await;
    let body = json!({"user_id": other, "title": "Theirs", "message": "x"});
    let (_, theirs) = api
        .call(
            Method::POST,
            "/api/v1/notifications/test/",
            Some(&admin),
            Some(body),
        )
        .await;
    socket
        .send_json(&json!({"type": "mark_read", "notification_id": theirs["id"]}))
        .await;
    socket.send_json(&json!({"type": "ping"})).await;
    socket.next_of("pong").await;
    let path = format!("/api/v1/notifications/{}/", theirs["id"].as_str().unwrap());
    let (_, n) = api.call(Method::GET, &path, Some(&other_token), None).await;
    assert_eq!(n["is_read"], false);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_silent_client_is_reaped_and_an_expiring_token_closes_with_4001() {
    let api = common::Api::start_with(|c| {
        c.sockets.heartbeat = Duration::from_secs(1);
        c.sockets.idle_timeout = Duration::from_secs(2);
    })
    .await;
    let (_, token) = api.user(Role::Worker);
    let mut silent = ws::connect(&api.base, "/ws/notifications/", Some(&token), Via::Query).await;
    // Not reading means not answering the server's pings.
    tokio::time::sleep(Duration::from_millis(3500)).await;
    assert_eq!(silent.close_code(WAIT).await, Some(1001));

    let short = api
        .keys
        .key
        .sign(
            &api.keys
                .claims(Uuid::new_v4(), Role::Worker, TokenType::Access, 2),
        )
        .unwrap();
    let mut expiring = ws::connect(&api.base, "/ws/notifications/", Some(&short), Via::Query).await;
    expiring.next_of("connection_established").await;
    assert_eq!(expiring.close_code(WAIT).await, Some(4001));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn each_of_two_replicas_delivers_to_its_own_sockets() {
    let api = common::Api::start().await;
    let second = api.app.replica::<Notifications>(|_| {}).await;
    let (user, token) = api
        .with_user("+919900000103", Role::Employer, "Amit", "Verma")
        .await;
    let mut on_first = ws::connect(&api.base, "/ws/notifications/", Some(&token), Via::Query).await;
    let mut on_second = ws::connect(
        &second.base,
        "/ws/notifications/",
        Some(&token),
        Via::Protocol,
    )
    .await;
    on_first.next_of("connection_established").await;
    on_second.next_of("connection_established").await;
    let (_, admin) = api.user(Role::Admin);
    let body = json!({"user_id": user, "title": "Both", "message": "Everywhere"});
    let (status, created) = api
        .call(
            Method::POST,
            "/api/v1/notifications/test/",
            Some(&admin),
            Some(body),
        )
        .await;
    assert_eq!(status, 201);
    assert_eq!(on_first.next_of("notification").await["id"], created["id"]);
    assert_eq!(on_second.next_of("notification").await["id"], created["id"]);
    // Stored once, although two replicas consume the same queue.
    let count = api
        .db
        .count(&format!(
            "SELECT count(*) FROM notifications WHERE user_id = '{user}'"
        ))
        .await;
    assert_eq!(count, 1);
    assert!(matches!(
        on_first.receive(Duration::from_millis(300)).await,
        Received::Nothing
    ));
}

fn emergency_event(kind: &str, e: &hm_contracts::events::EmergencyChanged) -> Event {
    Event::new("jobs", kind, None, e.clone())
        .into_json()
        .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn help_now_reaches_the_asked_workers_the_requester_and_staff_live() {
    use hm_contracts::events::{EmergencyCandidate, EmergencyChanged, GeoPoint};
    let api = common::Api::start().await;
    let (worker, worker_token) = api
        .with_user("+919900000111", Role::Worker, "Ravi", "Das")
        .await;
    let (requester, requester_token) = api
        .with_user("+919900000112", Role::Employer, "Amit", "Verma")
        .await;
    let (admin, admin_token) = api
        .with_user("+919900000113", Role::Admin, "Asha", "Rao")
        .await;
    let mut asked = ws::connect(
        &api.base,
        "/ws/notifications/",
        Some(&worker_token),
        Via::Query,
    )
    .await;
    let mut waiting = ws::connect(
        &api.base,
        "/ws/notifications/",
        Some(&requester_token),
        Via::Query,
    )
    .await;
    let mut staff = ws::connect(
        &api.base,
        "/ws/notifications/",
        Some(&admin_token),
        Via::Query,
    )
    .await;
    for socket in [&mut asked, &mut waiting, &mut staff] {
        socket.next_of("connection_established").await;
    }
    let id = Uuid::new_v4();
    let dispatched = EmergencyChanged {
        emergency_id: id,
        status: "dispatched".into(),
        previous_status: Some("open".into()),
        urgency: "high".into(),
        contact_phone: "+919900000112".into(),
        created_by: Some(requester),
        service_id: None,
        service_name: None,
        address: "Gomti Nagar, Lucknow".into(),
        location: GeoPoint {
            lat: 26.8467,
            lng: 80.9462,
        },
        site_id: None,
        assigned_worker_id: None,
        assigned_contractor_id: None,
        candidates: vec![EmergencyCandidate {
            worker_id: Uuid::new_v4(),
            worker_user_id: worker,
            distance_km: 0.84,
        }],
        worker_id: None,
        worker_user_id: None,
        worker_name: None,
        notes: None,
        actor_id: None,
        actor_name: None,
        escalation_reason: None,
        timed_out: false,
    };
    let bus = publisher(&api.app.bus);
    bus.publish(
        &emergency_event(types::EMERGENCY_DISPATCHED, &dispatched),
        None,
    )
    .await
    .unwrap();

    let ask = asked.next_of("notification").await;
    assert_eq!(ask["notification_type"], "emergency_dispatch");
    assert_eq!(ask["title"], "🚨 Emergency Request Nearby");
    assert_eq!(
        ask["message"],
        "Urgent help needed 0.8km away. Tap to respond immediately."
    );
    assert_eq!(ask["data"]["emergency_id"], id.to_string());
    assert_eq!(ask["data"]["address"], "Gomti Nagar, Lucknow");
    for socket in [&mut waiting, &mut staff] {
        let update = socket.next_of("emergency_update").await;
        assert_eq!(
            (
                &update["event"],
                &update["emergency_id"],
                &update["candidates_notified"]
            ),
            (&json!("dispatched"), &json!(id), &json!(1))
        );
    }
    // A worker's socket is not staff: it never hears the back-office channel.
    assert!(matches!(
        asked.receive(Duration::from_millis(300)).await,
        Received::Nothing
    ));

    let escalated = EmergencyChanged {
        escalation_reason: Some("No worker acceptance within timeout".into()),
        timed_out: true,
        candidates: Vec::new(),
        ..dispatched
    };
    bus.publish(
        &emergency_event(types::EMERGENCY_ESCALATED, &escalated),
        None,
    )
    .await
    .unwrap();
    let alert = staff.next_of("notification").await;
    assert_eq!(alert["user"], admin.to_string());
    assert_eq!(alert["title"], "🚨 Emergency Needs Attention");
    assert_eq!(
        alert["data"]["reason"],
        "No worker acceptance within timeout"
    );
    let (_, list) = api
        .call(
            Method::GET,
            "/api/v1/notifications/?type=emergency_dispatch",
            Some(&worker_token),
            None,
        )
        .await;
    assert_eq!(list["count"], 1, "{list}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_booking_socket_opened_as_the_booking_is_made_is_admitted() {
    let api = common::Api::start().await;
    let (customer, worker) = (Uuid::new_v4(), Uuid::new_v4());
    let booking = Uuid::new_v4();
    let created = booking_event(
        types::BOOKING_CREATED,
        booking,
        customer,
        worker,
        "requested",
    );
    publisher(&api.app.bus)
        .publish(&created, None)
        .await
        .unwrap();
    // At once, before notifications has necessarily taken the event in.
    let token = api.keys.mint(customer, Role::Employer);
    let path = format!("/ws/bookings/{booking}/");
    let mut socket = ws::connect(&api.base, &path, Some(&token), Via::Query).await;
    assert_eq!(socket.next_json().await["type"], "connection_established");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_client_over_its_limits_is_closed_with_1008() {
    let api = common::Api::start_with(|c| {
        c.sockets.max_per_user = 2;
        c.sockets.max_messages_per_sec = 5;
    })
    .await;
    let (_, token) = api.user(Role::Worker);
    let open = || ws::connect(&api.base, "/ws/notifications/", Some(&token), Via::Query);
    let mut first = open().await;
    let mut second = open().await;
    first.next_of("connection_established").await;
    second.next_of("connection_established").await;
    let mut third = open().await;
    assert_eq!(third.close_code(WAIT).await, Some(1008), "a third socket");
    // Another user is not affected.
    let (_, other) = api.user(Role::Worker);
    let mut theirs = ws::connect(&api.base, "/ws/notifications/", Some(&other), Via::Query).await;
    theirs.next_of("connection_established").await;
    // A closed socket gives its seat back.
    first.stream.close(None).await.unwrap();
    let reopened = eventually(WAIT, || async {
        let mut again = open().await;
        match again.receive(WAIT).await {
            Received::Json(m) if m["type"] == "connection_established" => Some(again),
            _ => None,
        }
    })
    .await;
    assert!(reopened.is_some(), "a seat came back");

    // Five messages a second are fine; a flood is not.
    for _ in 0..5 {
        second.send_json(&json!({"type": "ping"})).await;
    }
    for _ in 0..5 {
        second.next_of("pong").await;
    }
    for _ in 0..20 {
        second.send_json(&json!({"type": "ping"})).await;
    }
    assert_eq!(second.close_code(WAIT).await, Some(1008), "a flood");
}
