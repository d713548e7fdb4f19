//! Workforce's one error enum as clients see it (issue #17): every refusal carries its stable code in
//! `X-Error-Code`, next to the body it always had; and the online toggle leaves a busy worker busy.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use hm_contracts::Role;
use reqwest::Method;
use serde_json::{json, Value};
use uuid::Uuid;

/// Status, `X-Error-Code` and JSON body of one call.
async fn coded(
    api: &common::Api,
    method: Method,
    path: &str,
    bearer: Option<&str>,
    body: Option<Value>,
) -> (u16, String, Value) {
    let mut request = reqwest::Client::new().request(method, format!("{}{}", api.app.base, path));
    if let Some(token) = bearer {
        request = request.bearer_auth(token);
    }
    if let Some(body) = body {
        request = request.json(&body);
    }
    let res = request.send().await.unwrap();
    let code = res
        .headers()
        .get("x-error-code")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned();
    let status = res.status().as_u16();
    (status, code, res.json().await.unwrap_or(Value::Null))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn refusals_carry_their_code_next_to_the_body_they_always_had() {
    let api = common::Api::start().await;
    let worker = api.keys.mint(Uuid::new_v4(), Role::Worker);
    assert_eq!(
        coded(
            &api,
            Method::GET,
            "/api/v1/workers/me/",
            Some(&worker),
            None
        )
        .await,
        (
            404,
            "not_a_worker".into(),
            json!({"error": "User is not a registered worker"})
        )
    );
    assert_eq!(
        coded(&api, Method::GET, "/api/v1/sites/", Some(&worker), None).await,
        (
            403,
            "not_a_contractor".into(),
            json!({"detail": "You do not have permission to perform this action."})
        )
    );
    assert_eq!(
        coded(
            &api,
            Method::GET,
            "/api/v1/workers/nearby/?lat=91&lng=80",
            None,
            None
        )
        .await,
        (
            400,
            "invalid_point".into(),
            json!({"error": "Invalid or missing lat/lng parameters"})
        )
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_online_toggle_leaves_a_busy_worker_busy() {
    let api = common::Api::start().await;
    let token = api.keys.mint(Uuid::new_v4(), Role::Worker);
    let (status, created) = api
        .send(
            Method::POST,
            "/api/v1/workers/",
            Some(&token),
            None,
            Some(json!({"availability_status": "busy"})),
        )
        .await;
    assert_eq!(status, 201, "{created}");
    for available in [true, false] {
        let (status, body) = api
            .send(
                Method::POST,
                "/api/v1/workers/me/availability/",
                Some(&token),
                None,
                Some(json!({ "is_available": available })),
            )
            .await;
        assert_eq!(status, 200, "{body}");
        let (_, me) = api
            .send(Method::GET, "/api/v1/workers/me/", Some(&token), None, None)
            .await;
        assert_eq!(me["is_available"], available);
        assert_eq!(me["availability_status"], "busy");
    }
    let (_, body) = api
        .send(
            Method::PATCH,
            &format!("/api/v1/workers/{}/", created["id"].as_str().unwrap()),
            Some(&token),
            None,
            Some(json!({"availability_status": "offline"})),
        )
        .await;
    assert_eq!(body["availability_status"], "offline");
    api.send(
        Method::POST,
        "/api/v1/workers/me/availability/",
        Some(&token),
        None,
        Some(json!({"is_available": true})),
    )
    .await;
    let (_, me) = api
        .send(Method::GET, "/api/v1/workers/me/", Some(&token), None, None)
        .await;
    assert_eq!(me["availability_status"], "available");
}
