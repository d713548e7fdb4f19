//! Kiosks over HTTP: registration with a one-time device token, token-authenticated daily marks and
//! check-in / check-out (double check-in and check-out without check-in refused), geofence distance.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use hm_contracts::Role;
use hm_platform::testing::EventTap;
use reqwest::Method;
use serde_json::{json, Value};
use std::time::Duration;
use uuid::Uuid;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn kiosks_authenticate_with_their_token_and_keep_one_open_check_in() {
    let api = common::Api::start().await;
    let (keys, app) = (&api.keys, &api.app);
    let mut events = EventTap::bind(&app.bus, "workforce.attendance.*").await;
    let call = |method: Method,
                path: &str,
                bearer: Option<&str>,
                kiosk: Option<&str>,
                body: Option<Value>| {
        let (path, bearer, kiosk) = (
            path.to_owned(),
            bearer.map(str::to_owned),
            kiosk.map(str::to_owned),
        );
        let api = &api;
        async move {
            api.send(method, &path, bearer.as_deref(), kiosk.as_deref(), body)
                .await
        }
    };
    let contractor = keys.mint(Uuid::new_v4(), Role::Contractor);
    let (worker_user, _) = api.with_user("+919900001111", Role::Worker, "", "").await;

    let (status, _) = call(
        Method::POST,
        "/api/v1/kiosks/",
        Some(&contractor),
        None,
        Some(json!({"device_uuid": "KIOSK_001", "location_name": "Gate 1"})),
    )
    .await;
    assert_eq!(status, 403, "a contractor profile is needed");
    call(
        Method::POST,
        "/api/v1/contractors/",
        Some(&contractor),
        None,
        Some(json!({"company_name": "VC"})),
    )
    .await;
    let (status, kiosk) = call(Method::POST, "/api/v1/kiosks/", Some(&contractor), None, Some(json!({
        "device_uuid": "KIOSK_001", "location_name": "Green Valley Gate", "latitude": 26.85, "longitude": 80.95, "geofence_radius_m": 150
    }))).await;
    assert_eq!(status, 201, "{kiosk}");
    let token = kiosk["device_token"].as_str().unwrap().to_owned();
    assert_eq!(token.len(), 64);
    let kiosk_id = kiosk["id"].as_str().unwrap().to_owned();
    let (status, body) = call(
        Method::POST,
        "/api/v1/kiosks/",
        Some(&contractor),
        None,
        Some(json!({"device_uuid": "KIOSK_001", "location_name": "x"})),
    )
    .await;
    assert_eq!(
        (status, body),
        (
            400,
            json!({"device_uuid": ["kiosk with this device uuid already exists."]})
        )
    );
    let (_, listed) = call(
        Method::GET,
        "/api/v1/kiosks/",
        Some(&contractor),
        None,
        None,
    )
    .await;
    assert!(
        listed[0].get("device_token").is_none(),
        "the token is shown once"
    );

    // Wrong or missing token: 401, nothing recorded.
    let check = json!({"worker_id": worker_user, "kiosk_id": kiosk_id, "latitude": 26.8501, "longitude": 80.9501});
    for bad in [None, Some("0".repeat(64).as_str()), Some("short")] {
        let (status, body) = call(
            Method::POST,
            "/api/v1/attendance/kiosk/check-in/",
            None,
            bad,
            Some(check.clone()),
        )
        .await;
        assert_eq!(
            (status, body),
            (401, json!({"detail": "Invalid kiosk credentials."}))
        );
    }
    let (status, log) = call(
        Method::POST,
        "/api/v1/attendance/kiosk/check-in/",
        None,
        Some(&token),
        Some(check.clone()),
    )
    .await;
    assert_eq!(status, 201, "{log}");
    assert_eq!(log["within_geofence"], true);
    assert!(log["distance_m"].as_f64().unwrap() < 20.0);
    let (status, body) = call(
        Method::POST,
        "/api/v1/attendance/kiosk/check-in/",
        None,
        Some(&token),
        Some(check.clone()),
    )
    .await;
    assert_eq!(
        (status, body),
        (400, json!({"error": "Worker is already checked in."}))
    );
    let (status, out) = call(
        Method::POST,
        "/api/v1/attendance/kiosk/check-out/",
        None,
        Some(&token),
        Some(check.clone()),
    )
    .await;
    assert_eq!(status, 200, "{out}");
    assert!(out["duration_hours"].as_f64().unwrap() >= 0.0);
    let (status, body) = call(
        Method::POST,
        "/api/v1/attendance/kiosk/check-out/",
        None,
        Some(&token),
        Some(check.clone()),
    )
    .await;
    assert_eq!(
        (status, body),
        (400, json!({"error": "Worker is not checked in."}))
    );
    let kinds: Vec<_> = events
        .next_by_type(2, Duration::from_secs(10), "checked_in and checked_out")
        .await
        .into_iter()
        .map(|event| event["type"].clone())
        .collect();
    assert_eq!(
        kinds,
        [
            "workforce.attendance.checked_in",
            "workforce.attendance.checked_out"
        ]
    );
    // Far from the kiosk: recorded, flagged outside the geofence.
    let (_, far) = call(Method::POST, "/api/v1/attendance/kiosk/check-in/", None, Some(&token),
        Some(json!({"worker_id": worker_user, "kiosk_id": kiosk_id, "latitude": 26.86, "longitude": 80.95}))).await;
    assert_eq!(far["within_geofence"], false);

    // The daily mark (API §5.17): 201, then 200 the same day; unknown worker 404.
    let mark = json!({"worker_id": worker_user, "kiosk_id": kiosk_id, "device_id": "KIOSK_001"});
    let (status, first) = call(
        Method::POST,
        "/api/v1/attendance/kiosk/",
        None,
        Some(&token),
        Some(mark.clone()),
    )
    .await;
    assert_eq!(status, 201, "{first}");
    assert_eq!(first["kiosk_name"], "Green Valley Gate");
    assert_eq!(first["worker_phone"], "+919900001111");
    let (status, again) = call(
        Method::POST,
        "/api/v1/attendance/kiosk/",
        None,
        Some(&token),
        Some(mark),
    )
    .await;
    assert_eq!((status, again["id"].clone()), (200, first["id"].clone()));
    let (status, body) = call(
        Method::POST,
        "/api/v1/attendance/kiosk/",
        None,
        Some(&token),
        Some(json!({"worker_id": Uuid::new_v4(), "kiosk_id": kiosk_id})),
    )
    .await;
    assert_eq!((status, body), (404, json!({"detail": "Worker not found"})));
    let (status, day) = call(
        Method::GET,
        &format!("/api/v1/attendance/site/{kiosk_id}/"),
        Some(&contractor),
        None,
        None,
    )
    .await;
    assert_eq!((status, day.as_array().unwrap().len()), (200, 1));
    let (status, day) = call(
        Method::GET,
        &format!("/api/v1/attendance/site/{kiosk_id}/?date=yesterday"),
        Some(&contractor),
        None,
        None,
    )
    .await;
    assert_eq!((status, day), (200, json!([])));
}

/// Registers a kiosk for a new contractor; its id and device token.
async fn kiosk(api: &common::Api, device: &str) -> (String, String) {
    let contractor = api.keys.mint(Uuid::new_v4(), Role::Contractor);
    api.send(
        Method::POST,
        "/api/v1/contractors/",
        Some(&contractor),
        None,
        Some(json!({"company_name": "VC"})),
    )
    .await;
    let (status, k) = api
        .send(
            Method::POST,
            "/api/v1/kiosks/",
            Some(&contractor),
            None,
            Some(json!({"device_uuid": device, "location_name": format!("Site {device}")})),
        )
        .await;
    assert_eq!(status, 201, "{k}");
    (
        k["id"].as_str().unwrap().to_owned(),
        k["device_token"].as_str().unwrap().to_owned(),
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn daily_kiosk_marks_follow_the_attendance_checklist() {
    let api = common::Api::start().await;
    let (kiosk_id, token) = kiosk(&api, "KIOSK_001").await;
    let reader = api.keys.mint(Uuid::new_v4(), Role::Worker);
    let mut users: Vec<Uuid> = Vec::new();
    for i in 0..3 {
        let phone = format!("+91990000111{i}");
        users.push(api.with_user(&phone, Role::Worker, "", "").await.0);
    }
    let mark = |worker: Uuid, device: &str| {
        let (api, token) = (&api, token.clone());
        let body = json!({"worker_id": worker, "kiosk_id": kiosk_id, "device_id": device});
        async move {
            api.send(
                Method::POST,
                "/api/v1/attendance/kiosk/",
                None,
                Some(&token),
                Some(body),
            )
            .await
        }
    };
    // AT1 / AT3: 201, then 200 the same day with the device updated; one record.
    let (status, first) = mark(users[0], "KIOSK_001").await;
    assert_eq!(status, 201, "{first}");
    assert_eq!(
        (&first["worker"], &first["method"], &first["device_id"]),
        (&json!(users[0]), &json!("stub"), &json!("KIOSK_001"))
    );
    let (status, second) = mark(users[0], "KIOSK_002").await;
    assert_eq!((status, &second["device_id"]), (200, &json!("KIOSK_002")));
    assert_eq!(
        api.count(&format!(
            "SELECT count(*) FROM attendance WHERE worker_id = '{}'",
            users[0]
        ))
        .await,
        1
    );
    // AT5: an unknown user.
    let (status, body) = mark(Uuid::nil(), "KIOSK_001").await;
    assert_eq!((status, body), (404, json!({"detail": "Worker not found"})));
    // AT6 / AT7: today's marks of two workers, yesterday's of a third.
    mark(users[1], "KIOSK_001").await;
    // SQL: a mark dated yesterday, which the store (it marks today) never writes.
    api.sql(&format!(
        "INSERT INTO attendance (id, worker_id, kiosk_id, device_id, date) VALUES
           (gen_random_uuid(), '{}', '{kiosk_id}', 'KIOSK_001', (now() AT TIME ZONE 'UTC')::date - 1)",
        users[2]
    ))
    .await;
    let day = |query: String| {
        let (api, reader, kiosk_id) = (&api, reader.clone(), kiosk_id.clone());
        async move {
            api.send(
                Method::GET,
                &format!("/api/v1/attendance/site/{kiosk_id}/{query}"),
                Some(&reader),
                None,
                None,
            )
            .await
        }
    };
    let workers = |list: &Value| -> Vec<Value> {
        let mut w: Vec<Value> = list
            .as_array()
            .unwrap()
            .iter()
            .map(|m| m["worker"].clone())
            .collect();
        w.sort_by_key(|v| v.to_string());
        w
    };
    let (status, today) = day(String::new()).await;
    assert_eq!(status, 200);
    let mut expected = vec![json!(users[0]), json!(users[1])];
    expected.sort_by_key(|v| v.to_string());
    assert_eq!(workers(&today), expected);
    let yesterday = chrono::Utc::now().date_naive() - chrono::Duration::days(1);
    let (_, before) = day(format!("?date={yesterday}")).await;
    assert_eq!(workers(&before), [json!(users[2])]);
    // AT8 / AT9: a reader must sign in; an unreadable date is an empty list.
    let (status, _) = api
        .send(
            Method::GET,
            &format!("/api/v1/attendance/site/{kiosk_id}/"),
            None,
            None,
            None,
        )
        .await;
    assert_eq!(status, 401);
    assert_eq!(day("?date=invalid-date".into()).await, (200, json!([])));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn daily_marks_are_refused_while_the_biometric_stub_is_off() {
    let api = common::Api::start_with(|c| c.biometric_stub = false).await;
    let (kiosk_id, token) = kiosk(&api, "KIOSK_009").await;
    let user = Uuid::new_v4();
    let (status, body) = api
        .send(
            Method::POST,
            "/api/v1/attendance/kiosk/",
            None,
            Some(&token),
            Some(json!({"worker_id": user, "kiosk_id": kiosk_id})),
        )
        .await;
    assert_eq!(
        (status, body),
        (403, json!({"detail": "Biometric stub is not enabled"}))
    );
    assert_eq!(api.count("SELECT count(*) FROM attendance").await, 0);
}
