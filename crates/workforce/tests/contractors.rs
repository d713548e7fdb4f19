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
    let (vikram, token) = api
        .with_user("+919900001111", Role::Contractor, "Vikram", "Singh")
        .await;

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
    assert_eq!(
        (
            &created["phone"],
            &created["user_phone"],
            &created["user_name"]
        ),
        (
            &json!("+919900001111"),
            &json!("+919900001111"),
            &json!("Vikram Singh")
        ),
        "CT1"
    );
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

/// A job as jobs publishes it.
fn job_event(kind: &str, job_id: Uuid, contractor: Uuid, status: &str) -> hm_contracts::Event {
    hm_contracts::Event::new(
        "jobs",
        kind,
        None,
        hm_contracts::events::JobChanged {
            job_id,
            poster_id: Uuid::new_v4(),
            contractor_id: Some(contractor),
            service_id: Uuid::new_v4(),
            status: status.into(),
        },
    )
    .into_json()
    .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_contractor_dashboard_counts_kiosks_check_ins_and_pending_jobs() {
    use hm_contracts::events::types;
    let api = common::Api::start().await;
    let (keys, app) = (&api.keys, &api.app);
    let call = |path: String, token: Option<String>| {
        let api = &api;
        async move {
            api.send(Method::GET, &path, token.as_deref(), None, None)
                .await
        }
    };
    let owner = Uuid::new_v4();
    let token = keys.mint(owner, Role::Contractor);
    let (_, profile) = api
        .send(
            Method::POST,
            "/api/v1/contractors/",
            Some(&token),
            None,
            Some(json!({"company_name": "Test Construction Co."})),
        )
        .await;
    let id = profile["id"].as_str().unwrap().to_owned();
    let (_, fresh) = api
        .send(
            Method::POST,
            "/api/v1/contractors/",
            Some(&keys.mint(Uuid::new_v4(), Role::Contractor)),
            None,
            Some(json!({"company_name": "Fresh Co."})),
        )
        .await;
    let path = format!("/api/v1/contractors/{id}/dashboard/");

    // CT3: kiosks KIOSK001 and KIOSK002 active, KIOSK003 not; today two workers checked in at the
    // active ones (one of them twice), a third only yesterday and a fourth at the inactive kiosk.
    // SQL: the store never writes these — kiosks with fixed ids and no token, an inactive one, a
    // check-in yesterday, check-ins at an inactive kiosk and of workers with no user.
    api.sql(&format!(
        "INSERT INTO kiosks (id, contractor_id, device_uuid, location_name, is_active, token_hash) VALUES
           ('00000000-0000-0000-0000-000000000001', '{id}', 'KIOSK001', 'A', true, ''),
           ('00000000-0000-0000-0000-000000000002', '{id}', 'KIOSK002', 'B', true, ''),
           ('00000000-0000-0000-0000-000000000003', '{id}', 'KIOSK003', 'C', false, '');
         INSERT INTO attendance_logs (id, worker_id, kiosk_id, check_in, check_out) VALUES
           (gen_random_uuid(), '00000000-0000-0000-0000-0000000000a1', '00000000-0000-0000-0000-000000000001', now(), now()),
           (gen_random_uuid(), '00000000-0000-0000-0000-0000000000a1', '00000000-0000-0000-0000-000000000002', now(), NULL),
           (gen_random_uuid(), '00000000-0000-0000-0000-0000000000a2', '00000000-0000-0000-0000-000000000002', now(), NULL),
           (gen_random_uuid(), '00000000-0000-0000-0000-0000000000a3', '00000000-0000-0000-0000-000000000001', now() - interval '1 day', now() - interval '1 day'),
           (gen_random_uuid(), '00000000-0000-0000-0000-0000000000a4', '00000000-0000-0000-0000-000000000003', now(), NULL);"
    ))
    .await;
    // Jobs of this contractor: open, assigned, completed (one posted open then completed), as jobs
    // publishes them.
    let jobs = hm_platform::testing::publisher(&app.bus);
    let contractor = Uuid::parse_str(&id).unwrap();
    let (open, assigned, done) = (Uuid::new_v4(), Uuid::new_v4(), Uuid::new_v4());
    for event in [
        job_event(types::JOB_POSTED, open, contractor, "open"),
        job_event(types::JOB_POSTED, assigned, contractor, "open"),
        job_event(types::JOB_STATUS_CHANGED, assigned, contractor, "assigned"),
        job_event(types::JOB_POSTED, done, contractor, "open"),
        job_event(types::JOB_STATUS_CHANGED, done, contractor, "completed"),
    ] {
        jobs.publish(&event, None).await.unwrap();
    }
    let settled = format!(
        "SELECT count(*) FROM job_refs WHERE id = '{open}' OR (id = '{assigned}' AND status = 'assigned')
           OR (id = '{done}' AND status = 'completed')"
    );
    let projected = hm_platform::testing::eventually(Duration::from_secs(10), || async {
        (api.count(&settled).await == 3).then_some(())
    })
    .await;
    assert!(projected.is_some(), "jobs projected");

    assert_eq!(call(path.clone(), None).await.0, 401, "CT4");
    let (status, _) = call(
        path.clone(),
        Some(keys.mint(Uuid::new_v4(), Role::Contractor)),
    )
    .await;
    assert_eq!(status, 403, "another contractor's dashboard");
    let (status, body) = call(path.clone(), Some(token.clone())).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(
        body,
        json!({"active_sites": 2, "workers_present_today": 2, "pending_jobs": 2})
    );
    let (status, body) = call(path.clone(), Some(keys.mint(Uuid::new_v4(), Role::Admin))).await;
    assert_eq!(
        (status, body["pending_jobs"].clone()),
        (200, json!(2)),
        "admins see any"
    );

    // Cached for 60 s: a new check-in does not show until then. SQL: at a kiosk with no token, which
    // the store's check-in refuses.
    api.sql(
        "INSERT INTO attendance_logs (id, worker_id, kiosk_id) VALUES
           (gen_random_uuid(), '00000000-0000-0000-0000-0000000000a5', '00000000-0000-0000-0000-000000000001')",
    )
    .await;
    let (_, cached) = call(path.clone(), Some(token.clone())).await;
    assert_eq!(cached["workers_present_today"], 2);

    // CT5: a fresh contractor has nothing yet; unknown ids are 404.
    let fresh_owner_path = format!(
        "/api/v1/contractors/{}/dashboard/",
        fresh["id"].as_str().unwrap()
    );
    let (status, body) = call(
        fresh_owner_path,
        Some(keys.mint(Uuid::new_v4(), Role::Admin)),
    )
    .await;
    assert_eq!(
        (status, body),
        (
            200,
            json!({"active_sites": 0, "workers_present_today": 0, "pending_jobs": 0})
        )
    );
    let (status, body) = call(
        format!("/api/v1/contractors/{}/dashboard/", Uuid::new_v4()),
        Some(token.clone()),
    )
    .await;
    assert_eq!(
        (status, body),
        (
            404,
            json!({"detail": "No ContractorProfile matches the given query."})
        )
    );
    assert_eq!(
        call("/api/v1/contractors/nope/dashboard/".into(), Some(token)).await,
        (404, json!({"detail": "Not found."}))
    );
}
