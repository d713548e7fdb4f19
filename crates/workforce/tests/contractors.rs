//! Contractor profiles over HTTP: the caller's own profile, one per user, owner-or-admin edits, P-DRF
//! pages with absolute links, and the events identity's `profile_exists` depends on.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use hm_contracts::Role;
use hm_platform::testing::EventTap;
use reqwest::Method;
use serde_json::{json, Value};
use std::time::Duration;
use uuid::Uuid;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn contractors_own_their_profiles() {
    let api = common::Api::start().await;
    let (keys, app) = (&api.keys, &api.app);
    let mut events = EventTap::bind(&app.bus, "workforce.contractor.*").await;
    let call = |method: Method, path: &str, token: Option<String>, body: Option<Value>| {
        let path = path.to_owned();
        let api = &api;
        async move { api.send(method, &path, token.as_deref(), None, body).await }
    };
    let vikram = Uuid::new_v4();
    let token = keys.mint(vikram, Role::Contractor);

    assert_eq!(
        call(Method::GET, "/api/v1/contractors/", None, None)
            .await
            .0,
        401
    );
    let (status, created) = call(Method::POST, "/api/v1/contractors/", Some(token.clone()), Some(json!({
        "user": Uuid::new_v4(), "company_name": "Vikram Constructions", "license_number": "LIC-2024-001", "city": "Mumbai",
        "rating": "5.00"
    }))).await;
    assert_eq!(status, 201, "{created}");
    assert_eq!(created["user"], vikram.to_string());
    assert_eq!(created["rating"], "0.00", "read-only");
    assert_eq!(created["is_active"], true);
    let id = created["id"].as_str().unwrap().to_owned();
    let (event, _) = events
        .next(Duration::from_secs(10))
        .await
        .expect("contractor.created");
    assert_eq!(event["data"], json!({"profile_id": id, "user_id": vikram}));

    let (status, body) = call(
        Method::POST,
        "/api/v1/contractors/",
        Some(token.clone()),
        Some(json!({})),
    )
    .await;
    assert_eq!(
        (status, body),
        (
            400,
            json!({"user": ["contractor profile with this user already exists."]})
        )
    );
    let (status, body) = call(Method::POST, "/api/v1/contractors/", Some(keys.mint(Uuid::new_v4(), Role::Contractor)),
        Some(json!({"website": "not a url", "gst_number": "0123456789ABCDEFG", "experience_years": 200}))).await;
    assert_eq!(status, 400);
    for field in ["website", "gst_number", "experience_years"] {
        assert!(body.get(field).is_some(), "{field}: {body}");
    }

    let other = keys.mint(Uuid::new_v4(), Role::Contractor);
    assert_eq!(
        call(
            Method::PATCH,
            &format!("/api/v1/contractors/{id}/"),
            Some(other.clone()),
            Some(json!({"city": "Pune"}))
        )
        .await
        .0,
        403
    );
    let (status, patched) = call(
        Method::PATCH,
        &format!("/api/v1/contractors/{id}/"),
        Some(token.clone()),
        Some(json!({"city": "Pune"})),
    )
    .await;
    assert_eq!(status, 200);
    assert_eq!(
        (patched["city"].clone(), patched["company_name"].clone()),
        (json!("Pune"), json!("Vikram Constructions"))
    );
    let (status, got) = call(
        Method::GET,
        &format!("/api/v1/contractors/{id}/"),
        Some(other.clone()),
        None,
    )
    .await;
    assert_eq!((status, got["id"].clone()), (200, json!(id)));
    let (status, body) = call(
        Method::GET,
        &format!("/api/v1/contractors/{}/", Uuid::new_v4()),
        Some(other.clone()),
        None,
    )
    .await;
    assert_eq!(
        (status, body),
        (
            404,
            json!({"detail": "No ContractorProfile matches the given query."})
        )
    );

    // 25 more profiles: two pages of 20 with absolute links.
    for _ in 0..25 {
        let t = keys.mint(Uuid::new_v4(), Role::Contractor);
        assert_eq!(
            call(
                Method::POST,
                "/api/v1/contractors/",
                Some(t),
                Some(json!({"company_name": "C"}))
            )
            .await
            .0,
            201
        );
    }
    let (status, first) = call(
        Method::GET,
        "/api/v1/contractors/",
        Some(other.clone()),
        None,
    )
    .await;
    assert_eq!(status, 200);
    assert_eq!(first["count"], 26);
    assert_eq!(first["results"].as_array().unwrap().len(), 20);
    assert_eq!(first["previous"], Value::Null);
    let next = first["next"].as_str().unwrap();
    assert!(
        next.starts_with("http://127.0.0.1:") && next.ends_with("/api/v1/contractors/?page=2"),
        "{next}"
    );
    let (_, second) = call(
        Method::GET,
        "/api/v1/contractors/?page=2",
        Some(other.clone()),
        None,
    )
    .await;
    assert_eq!(second["results"].as_array().unwrap().len(), 6);
    assert!(
        second["previous"]
            .as_str()
            .unwrap()
            .ends_with("/api/v1/contractors/"),
        "page 1 has no page parameter"
    );
    let (status, body) = call(
        Method::GET,
        "/api/v1/contractors/?page=3",
        Some(other),
        None,
    )
    .await;
    assert_eq!((status, body), (404, json!({"detail": "Invalid page."})));

    assert_eq!(
        call(
            Method::DELETE,
            &format!("/api/v1/contractors/{id}/"),
            Some(token),
            None
        )
        .await
        .0,
        204
    );
    let mut deleted = false;
    for _ in 0..30 {
        match events.next(Duration::from_secs(10)).await {
            Some((event, _)) if event["type"] == "workforce.contractor.deleted" => {
                deleted = true;
                break;
            }
            Some(_) => {}
            None => break,
        }
    }
    assert!(deleted);
}
