//! Sites over HTTP: contractors manage their own (another's is a 404), admins any; assignments.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use hm_contracts::Role;
use reqwest::Method;
use serde_json::{json, Value};
use uuid::Uuid;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn contractors_manage_their_own_sites_and_assign_workers() {
    let api = common::Api::start().await;
    let keys = &api.keys;
    let call = |method: Method, path: String, token: &str, body: Option<Value>| {
        let token = token.to_owned();
        let api = &api;
        async move { api.send(method, &path, Some(&token), None, body).await }
    };
    let vikram = keys.mint(Uuid::new_v4(), Role::Contractor);
    let rival = keys.mint(Uuid::new_v4(), Role::Contractor);
    let worker = keys.mint(Uuid::new_v4(), Role::Worker);
    let admin = keys.mint(Uuid::new_v4(), Role::Admin);

    // Without a contractor profile: 403.
    let (status, _) = call(Method::GET, "/api/v1/sites/".into(), &vikram, None).await;
    assert_eq!(status, 403);
    for token in [&vikram, &rival] {
        let (status, _) = call(
            Method::POST,
            "/api/v1/contractors/".into(),
            token,
            Some(json!({"company_name": "Vikram Constructions"})),
        )
        .await;
        assert_eq!(status, 201);
    }
    let (status, errors) = call(
        Method::POST,
        "/api/v1/sites/".into(),
        &vikram,
        Some(json!({"lat": 26.85, "start_date": "2026-13-01"})),
    )
    .await;
    assert_eq!(status, 400, "{errors}");
    assert!(errors.get("start_date").is_some(), "{errors}");
    let (status, errors) = call(
        Method::POST,
        "/api/v1/sites/".into(),
        &vikram,
        Some(json!({"lat": 26.85, "lng": 80.95})),
    )
    .await;
    assert_eq!(
        (status, errors),
        (
            400,
            json!({"name": ["This field is required."], "address": ["This field is required."]})
        )
    );
    let (status, site) = call(Method::POST, "/api/v1/sites/".into(), &vikram, Some(json!({
        "name": "Green Valley Construction Site", "address": "Plot 42, Sector 15, Gomti Nagar, Lucknow",
        "lat": 26.85, "lng": 80.95, "phone": "+919876543200", "start_date": "2026-10-25", "metadata": {"floors": 4}
    }))).await;
    assert_eq!(status, 201, "{site}");
    assert_eq!(site["lat"], "26.850000");
    assert_eq!(site["contractor_name"], "Vikram Constructions");
    assert_eq!(site["assigned_workers_count"], 0);
    let id = site["id"].as_str().unwrap().to_owned();

    // The rival does not see it; the alias path answers the same.
    let (status, body) = call(Method::GET, format!("/api/v1/sites/{id}/"), &rival, None).await;
    assert_eq!(
        (status, body),
        (404, json!({"detail": "No Site matches the given query."}))
    );
    assert_eq!(
        call(
            Method::PATCH,
            format!("/api/v1/sites/{id}/"),
            &rival,
            Some(json!({"name": "x"}))
        )
        .await
        .0,
        404
    );
    let (_, rival_list) = call(Method::GET, "/api/v1/sites/".into(), &rival, None).await;
    assert_eq!(rival_list["count"], 0);
    let (status, mine) = call(
        Method::GET,
        format!("/api/v1/contractors/sites/{id}/"),
        &vikram,
        None,
    )
    .await;
    assert_eq!((status, mine["id"].clone()), (200, json!(id)));
    let (_, all) = call(Method::GET, "/api/v1/sites/".into(), &admin, None).await;
    assert_eq!(all["count"], 1);

    // Assign a worker, twice (re-assignment updates the role).
    let (_, profile) = call(
        Method::POST,
        "/api/v1/workers/".into(),
        &worker,
        Some(json!({})),
    )
    .await;
    let worker_id = profile["id"].as_str().unwrap().to_owned();
    let (status, body) = call(
        Method::POST,
        format!("/api/v1/sites/{id}/assign/"),
        &vikram,
        Some(json!({"worker_id": Uuid::new_v4()})),
    )
    .await;
    assert_eq!((status, body), (404, json!({"error": "Worker not found"})));
    let (status, body) = call(
        Method::POST,
        format!("/api/v1/sites/{id}/assign/"),
        &vikram,
        Some(json!({"worker_id": "nope"})),
    )
    .await;
    assert_eq!(
        (status, body),
        (400, json!({"worker_id": ["Must be a valid UUID."]}))
    );
    let (status, assignment) = call(
        Method::POST,
        format!("/api/v1/sites/{id}/assign/"),
        &vikram,
        Some(json!({"worker_id": worker_id, "role_on_site": "Plumber"})),
    )
    .await;
    assert_eq!(status, 200, "{assignment}");
    assert_eq!(assignment["role_on_site"], "Plumber");
    let (_, again) = call(
        Method::POST,
        format!("/api/v1/sites/{id}/assign/"),
        &vikram,
        Some(json!({"worker_id": worker_id, "role_on_site": "Fitter"})),
    )
    .await;
    assert_eq!(again["id"], assignment["id"]);
    assert_eq!(again["role_on_site"], "Fitter");
    let (_, workers) = call(
        Method::GET,
        format!("/api/v1/sites/{id}/workers/"),
        &vikram,
        None,
    )
    .await;
    assert_eq!(workers.as_array().unwrap().len(), 1);
    let (_, site) = call(Method::GET, format!("/api/v1/sites/{id}/"), &vikram, None).await;
    assert_eq!(site["assigned_workers_count"], 1);

    // PATCH keeps the rest; DELETE by the owner.
    let (status, patched) = call(
        Method::PATCH,
        format!("/api/v1/sites/{id}/"),
        &vikram,
        Some(json!({"is_active": false})),
    )
    .await;
    assert_eq!(status, 200);
    assert_eq!(
        (patched["is_active"].clone(), patched["metadata"].clone()),
        (json!(false), json!({"floors": 4}))
    );
    assert_eq!(
        call(
            Method::DELETE,
            format!("/api/v1/sites/{id}/"),
            &vikram,
            None
        )
        .await
        .0,
        204
    );
    assert_eq!(
        call(Method::GET, format!("/api/v1/sites/{id}/"), &vikram, None)
            .await
            .0,
        404
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn daily_site_attendance_and_the_site_dashboard() {
    let api = common::Api::start().await;
    let keys = &api.keys;
    let call = |method: Method, path: String, token: &str, body: Option<Value>| {
        let token = token.to_owned();
        let api = &api;
        async move { api.send(method, &path, Some(&token), None, body).await }
    };
    let vikram = keys.mint(Uuid::new_v4(), Role::Contractor);
    call(
        Method::POST,
        "/api/v1/contractors/".into(),
        &vikram,
        Some(json!({"company_name": "VC"})),
    )
    .await;
    let (_, site) = call(
        Method::POST,
        "/api/v1/sites/".into(),
        &vikram,
        Some(json!({"name": "Green Valley", "address": "Lucknow"})),
    )
    .await;
    let site = site["id"].as_str().unwrap().to_owned();
    let mut workers = Vec::new();
    for _ in 0..3 {
        let token = keys.mint(Uuid::new_v4(), Role::Worker);
        let (_, w) = call(
            Method::POST,
            "/api/v1/workers/".into(),
            &token,
            Some(json!({})),
        )
        .await;
        let id = w["id"].as_str().unwrap().to_owned();
        call(
            Method::POST,
            format!("/api/v1/sites/{site}/assign/"),
            &vikram,
            Some(json!({"worker_id": id})),
        )
        .await;
        workers.push(id);
    }

    let (status, created) = call(
        Method::POST,
        format!("/api/v1/sites/{site}/attendance/"),
        &vikram,
        Some(json!({"worker_id": workers[0]})),
    )
    .await;
    assert_eq!(status, 201, "{created}");
    assert_eq!(created["status"], "present");
    assert!(
        created["checkin_time"].is_string(),
        "present without a time checks in now"
    );
    let (status, updated) = call(Method::POST, format!("/api/v1/sites/{site}/attendance/"), &vikram,
        Some(json!({"worker_id": workers[0], "status": "present", "checkin_time": "2026-01-03T09:00:00", "notes": "On time"}))).await;
    assert_eq!(status, 200, "same worker, same day: updated");
    assert_eq!(updated["id"], created["id"]);
    assert_eq!(updated["notes"], "On time");
    let (status, absent) = call(
        Method::POST,
        format!("/api/v1/sites/{site}/attendance/"),
        &vikram,
        Some(json!({"worker_id": workers[1], "status": "absent"})),
    )
    .await;
    assert_eq!((status, absent["checkin_time"].clone()), (201, Value::Null));
    let (status, body) = call(
        Method::POST,
        format!("/api/v1/sites/{site}/attendance/"),
        &vikram,
        Some(json!({"worker_id": workers[2], "status": "sick"})),
    )
    .await;
    assert_eq!(
        (status, body),
        (400, json!({"status": ["\"sick\" is not a valid choice."]}))
    );
    let (status, body) = call(Method::POST, format!("/api/v1/sites/{site}/attendance/"), &vikram,
        Some(json!({"worker_id": workers[2], "checkin_time": "2026-01-03T10:00:00Z", "checkout_time": "2026-01-03T09:00:00Z"}))).await;
    assert_eq!(status, 400);
    assert!(body.get("checkout_time").is_some(), "{body}");

    let (status, list) = call(
        Method::GET,
        format!("/api/v1/sites/{site}/attendance/"),
        &vikram,
        None,
    )
    .await;
    assert_eq!(status, 200);
    assert_eq!(list.as_array().unwrap().len(), 2);
    let (status, body) = call(
        Method::GET,
        format!("/api/v1/sites/{site}/attendance/?date=03-01-2026"),
        &vikram,
        None,
    )
    .await;
    assert_eq!(
        (status, body),
        (400, json!({"error": "Invalid date format. Use YYYY-MM-DD"}))
    );

    let (status, dash) = call(
        Method::GET,
        format!("/api/v1/sites/{site}/dashboard/"),
        &vikram,
        None,
    )
    .await;
    assert_eq!(status, 200, "{dash}");
    assert_eq!(dash["total_assigned"], 3);
    assert_eq!(
        (dash["present_count"].clone(), dash["absent_count"].clone()),
        (json!(1), json!(1))
    );
    assert_eq!(dash["attendance_rate"], 33.33);
    assert_eq!(
        dash["on_site_now_count"], 0,
        "checked in on 2026-01-03, long ago"
    );
    assert_eq!(dash["recent_timeline"].as_array().unwrap().len(), 2);
    let rival = keys.mint(Uuid::new_v4(), Role::Contractor);
    call(
        Method::POST,
        "/api/v1/contractors/".into(),
        &rival,
        Some(json!({})),
    )
    .await;
    assert_eq!(
        call(
            Method::GET,
            format!("/api/v1/sites/{site}/dashboard/"),
            &rival,
            None
        )
        .await
        .0,
        404
    );

    // ST9: the attendance export, for the site's contractor.
    let today = chrono::Utc::now().date_naive();
    let (status, kind, disposition, csv) = api
        .get_text(
            &format!(
                "/api/v1/sites/{site}/attendance/export/?date_from={}",
                today - chrono::Duration::days(7)
            ),
            &vikram,
        )
        .await;
    assert_eq!(status, 200, "{csv}");
    assert_eq!(kind, "text/csv; charset=utf-8");
    assert_eq!(
        disposition,
        "attachment; filename=\"attendance_export.csv\""
    );
    let lines: Vec<&str> = csv.trim_end().split("\r\n").collect();
    assert_eq!(
        lines[0],
        "Site,Worker,Phone,Date,Status,Check-in,Check-out,Notes"
    );
    assert_eq!(lines.len(), 3, "{csv}");
    assert!(
        lines.iter().any(|l| l.ends_with(",Present,09:00,,On time")),
        "{csv}"
    );
    assert!(lines.iter().any(|l| l.ends_with(",Absent,,,")), "{csv}");
    let (status, _, _, body) = api
        .get_text(
            &format!(
                "/api/v1/sites/{site}/attendance/export/?date_from={}",
                today - chrono::Duration::days(400)
            ),
            &vikram,
        )
        .await;
    assert_eq!(status, 400, "{body}");
    let (status, _, _, _) = api
        .get_text(&format!("/api/v1/sites/{site}/attendance/export/"), &rival)
        .await;
    assert_eq!(status, 404, "another contractor's site");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_site_change_is_announced() {
    let api = common::Api::start().await;
    let mut events = hm_platform::testing::EventTap::bind(&api.app.bus, "workforce.site.*").await;
    let vikram = api.keys.mint(Uuid::new_v4(), Role::Contractor);
    let call = |method: Method, path: String, body: Option<Value>| {
        let (api, token) = (&api, vikram.clone());
        async move { api.send(method, &path, Some(&token), None, body).await }
    };
    let (status, contractor) = call(
        Method::POST,
        "/api/v1/contractors/".into(),
        Some(json!({"company_name": "Vikram Constructions"})),
    )
    .await;
    assert_eq!(status, 201);
    let (status, site) = call(
        Method::POST,
        "/api/v1/sites/".into(),
        Some(json!({"name": "Green Valley", "address": "Gomti Nagar, Lucknow"})),
    )
    .await;
    assert_eq!(status, 201, "{site}");
    let id = site["id"].as_str().unwrap().to_owned();
    let path = format!("/api/v1/sites/{id}/");
    let (status, _) = call(
        Method::PATCH,
        path.clone(),
        Some(json!({"is_active": false})),
    )
    .await;
    assert_eq!(status, 200);
    let (status, _) = call(Method::DELETE, path, None).await;
    assert_eq!(status, 204);
    let seen = events
        .next_by_type(
            3,
            std::time::Duration::from_secs(10),
            "created, updated and deleted",
        )
        .await;
    for (event, (kind, active)) in seen.iter().zip([
        ("workforce.site.created", true),
        ("workforce.site.deleted", false),
        ("workforce.site.updated", false),
    ]) {
        assert_eq!(event["type"], kind);
        assert_eq!(
            event["data"],
            json!({"site_id": id, "contractor_id": contractor["id"], "name": "Green Valley",
                   "is_active": active})
        );
    }
}
