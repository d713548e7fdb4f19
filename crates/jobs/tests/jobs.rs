//! Jobs and applications over HTTP against the real Postgres, Redis and RabbitMQ (TESTS J1–J11):
//! posting, filters and pages, poster-only edits and the status table, applying, accepting (the job is
//! assigned and the other applications closed, in one transaction) and declining, with their events.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use hm_contracts::Role;
use hm_platform::testing::EventTap;
use reqwest::Method;
use serde_json::{json, Value};
use std::time::Duration;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn jobs_are_posted_listed_and_edited_by_their_poster_only() {
    let api = common::Api::start().await;
    let mut events = EventTap::bind(&api.app.bus, "jobs.job.*").await;
    let plumbing = api.service("plumbing", "Plumbing", true).await;
    let electrical = api.service("electrician", "Electrician", true).await;
    let retired = api.service("retired", "Retired", false).await;
    let (vikram, poster) = api
        .user("+919000001111", Role::Contractor, "Vikram", "Singh")
        .await;
    let contractor = api.contractor_profile(vikram).await;
    let (_, stranger) = api.user("+919000009999", Role::Employer, "", "").await;

    assert_eq!(
        api.call(Method::POST, "/api/v1/jobs/", None, Some(json!({})))
            .await
            .0,
        401
    );
    let (status, body) = api
        .call(
            Method::POST,
            "/api/v1/jobs/",
            Some(&poster),
            Some(json!({"budget": "x"})),
        )
        .await;
    assert_eq!(status, 400);
    assert_eq!(
        body,
        json!({"title": ["This field is required."], "description": ["This field is required."],
               "service": ["This field is required."], "budget": ["A valid number is required."]})
    );
    for service in [retired, uuid::Uuid::new_v4()] {
        let (status, body) = api
            .call(
                Method::POST,
                "/api/v1/jobs/",
                Some(&poster),
                Some(json!({"title": "T", "description": "D", "service": service})),
            )
            .await;
        assert_eq!(
            (status, body),
            (
                400,
                json!({"service": [format!("Invalid pk \"{service}\" - object does not exist.")]})
            )
        );
    }

    // J2–J5's three jobs, plus 22 more for the pages of J1.
    let mut ids = Vec::new();
    for (title, budget, service) in [
        ("Fix wooden door", 1000, plumbing),
        ("Rewire shop", 5000, electrical),
        ("Bathroom pipes", 3000, plumbing),
    ] {
        let (status, job) = api
            .call(
                Method::POST,
                "/api/v1/jobs/",
                Some(&poster),
                Some(json!({"title": title, "description": "  Needs doing  ", "service": service,
                            "budget": budget, "location": "Andheri West, Mumbai", "status": "completed",
                            "latitude": 19.13600123})),
            )
            .await;
        assert_eq!(status, 201, "{job}");
        assert_eq!(
            (
                &job["status"],
                &job["poster"],
                &job["poster_name"],
                &job["description"]
            ),
            (
                &json!("open"),
                &json!(vikram),
                &json!("Vikram Singh"),
                &json!("Needs doing")
            ),
            "status and poster are not the client's to choose"
        );
        assert_eq!(job["budget"], format!("{budget}.00"));
        assert_eq!(job["latitude"], "19.136001");
        ids.push(job["id"].as_str().unwrap().to_owned());
        let (event, _) = events.next(Duration::from_secs(10)).await.expect("posted");
        assert_eq!(event["type"], "jobs.job.posted");
        assert_eq!(event["data"]["contractor_id"], json!(contractor));
    }
    for i in 0..22 {
        api.call(
            Method::POST,
            "/api/v1/jobs/",
            Some(&stranger),
            Some(json!({"title": format!("Job {i}"), "description": "D", "service": plumbing})),
        )
        .await;
    }
    let (status, page) = api.call(Method::GET, "/api/v1/jobs/", None, None).await;
    assert_eq!(status, 200);
    assert_eq!(
        (
            &page["count"],
            page["results"].as_array().unwrap().len(),
            &page["next_page"]
        ),
        (&json!(25), 20, &json!(2))
    );
    let budgets = |page: &Value| -> Vec<Value> {
        page["results"]
            .as_array()
            .unwrap()
            .iter()
            .map(|j| j["budget"].clone())
            .collect()
    };
    // J2: status; J3: budget; J4: service; J5: sort by price.
    api.call(
        Method::PATCH,
        &format!("/api/v1/jobs/{}/", ids[1]),
        Some(&poster),
        Some(json!({"status": "cancelled"})),
    )
    .await;
    let (_, open) = api
        .call(Method::GET, "/api/v1/jobs/?status=cancelled", None, None)
        .await;
    assert_eq!(open["count"], 1);
    let (_, rich) = api
        .call(
            Method::GET,
            "/api/v1/jobs/?min_price=2000&max_price=junk",
            None,
            None,
        )
        .await;
    assert_eq!(
        budgets(&rich),
        [json!("3000.00"), json!("5000.00")],
        "newest first"
    );
    let (_, wired) = api
        .call(
            Method::GET,
            &format!("/api/v1/jobs/?service_id={electrical}"),
            None,
            None,
        )
        .await;
    assert_eq!(wired["count"], 1);
    let (status, body) = api
        .call(Method::GET, "/api/v1/jobs/?service_id=3", None, None)
        .await;
    assert_eq!(
        (status, body),
        (400, json!({"service_id": ["Must be a valid UUID."]}))
    );
    let (_, cheap) = api
        .call(
            Method::GET,
            "/api/v1/jobs/?sort=price&min_price=1",
            None,
            None,
        )
        .await;
    assert_eq!(
        budgets(&cheap),
        [json!("1000.00"), json!("3000.00"), json!("5000.00")]
    );

    // Edits: the poster (or an admin) only; the status table decides changes.
    let door = &ids[0];
    let path = format!("/api/v1/jobs/{door}/");
    let (status, _) = api
        .call(
            Method::PATCH,
            &path,
            Some(&stranger),
            Some(json!({"title": "Mine now"})),
        )
        .await;
    assert_eq!(status, 403);
    let (status, body) = api
        .call(
            Method::PATCH,
            &path,
            Some(&poster),
            Some(json!({"status": "in_progress"})),
        )
        .await;
    assert_eq!(
        (status, body),
        (
            400,
            json!({"error": "Invalid status transition from open to in_progress."})
        )
    );
    let (status, body) = api
        .call(
            Method::PATCH,
            &path,
            Some(&poster),
            Some(json!({"status": "done"})),
        )
        .await;
    assert_eq!(
        (status, body),
        (400, json!({"status": ["\"done\" is not a valid choice."]}))
    );
    let (status, edited) = api
        .call(
            Method::PATCH,
            &path,
            Some(&poster),
            Some(json!({"title": "Fix oak door", "budget": null})),
        )
        .await;
    assert_eq!(status, 200, "{edited}");
    assert_eq!(
        (&edited["title"], &edited["budget"]),
        (&json!("Fix oak door"), &Value::Null)
    );
    let admin = api.keys.mint(uuid::Uuid::new_v4(), Role::Admin);
    let (status, _) = api.call(Method::DELETE, &path, Some(&stranger), None).await;
    assert_eq!(status, 403);
    let (status, _) = api.call(Method::DELETE, &path, Some(&admin), None).await;
    assert_eq!(status, 204);
    assert_eq!(
        api.call(Method::GET, &path, None, None).await,
        (404, json!({"detail": "No Job matches the given query."}))
    );
    assert_eq!(
        api.call(Method::GET, "/api/v1/jobs/not-a-uuid/", None, None)
            .await,
        (404, json!({"detail": "Not found."}))
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn workers_apply_and_one_application_wins_the_job() {
    let api = common::Api::start().await;
    let mut events = EventTap::bind(&api.app.bus, "jobs.application.*").await;
    let plumbing = api.service("plumbing", "Plumbing", true).await;
    let (employer_id, employer) = api
        .user("+919000001111", Role::Employer, "Amit", "Verma")
        .await;
    let (ravi_id, ravi) = api
        .user("+919000002222", Role::Worker, "Ravi", "Kumar")
        .await;
    let (sunil_id, sunil) = api
        .user("+919000003333", Role::Worker, "Sunil", "Yadav")
        .await;
    let ravi_profile = api.worker_profile(ravi_id).await;
    api.worker_profile(sunil_id).await;
    let (_, job) = api
        .call(
            Method::POST,
            "/api/v1/jobs/",
            Some(&employer),
            Some(json!({"title": "Fix wooden door", "description": "D", "service": plumbing, "budget": 1000})),
        )
        .await;
    let job_id = job["id"].as_str().unwrap().to_owned();
    let apply = format!("/api/v1/jobs/{job_id}/apply/");

    // J10: only workers apply.
    let (status, body) = api.call(Method::POST, &apply, Some(&employer), None).await;
    assert_eq!(
        (status, body),
        (403, json!({"error": "Only workers can apply for jobs."}))
    );
    // J6: the application, and the event the poster is told through.
    let (status, ravi_app) = api.call(Method::POST, &apply, Some(&ravi), None).await;
    assert_eq!(status, 201, "{ravi_app}");
    assert_eq!(
        (
            &ravi_app["status"],
            &ravi_app["worker"],
            &ravi_app["worker_name"],
            &ravi_app["job_title"]
        ),
        (
            &json!("applied"),
            &json!(ravi_profile),
            &json!("Ravi Kumar"),
            &json!("Fix wooden door")
        )
    );
    let (event, _) = events.next(Duration::from_secs(10)).await.expect("created");
    assert_eq!(event["type"], "jobs.application.created");
    assert_eq!(
        (&event["data"]["poster_id"], &event["data"]["worker_name"]),
        (&json!(employer_id), &json!("Ravi Kumar"))
    );
    // J7: once per worker.
    let (status, body) = api.call(Method::POST, &apply, Some(&ravi), None).await;
    assert_eq!(
        (status, body),
        (
            400,
            json!({"error": "You have already applied for this job."})
        )
    );
    let (_, sunil_app) = api.call(Method::POST, &apply, Some(&sunil), None).await;
    events.next(Duration::from_secs(10)).await.expect("created");

    let ravi_accept = format!(
        "/api/v1/jobs/{job_id}/applications/{}/accept/",
        ravi_app["id"].as_str().unwrap()
    );
    // J11: another worker cannot decide Ravi's application.
    let (status, body) = api
        .call(Method::POST, &ravi_accept, Some(&sunil), None)
        .await;
    assert_eq!(
        (status, body),
        (
            403,
            json!({"error": "Only the applicant or admin can accept this application."})
        )
    );
    let (status, body) = api
        .call(
            Method::POST,
            &format!(
                "/api/v1/jobs/{job_id}/applications/{}/accept/",
                uuid::Uuid::new_v4()
            ),
            Some(&employer),
            None,
        )
        .await;
    assert_eq!(
        (status, body),
        (
            404,
            json!({"detail": "No JobApplication matches the given query."})
        )
    );

    // J8 (accepted by the poster, as the frontend contract does): the job is Ravi's, Sunil's closed.
    let (status, accepted) = api
        .call(Method::POST, &ravi_accept, Some(&employer), None)
        .await;
    assert_eq!((status, &accepted["status"]), (200, &json!("accepted")));
    let (_, job) = api
        .call(Method::GET, &format!("/api/v1/jobs/{job_id}/"), None, None)
        .await;
    assert_eq!(
        (&job["status"], &job["assigned_worker"]),
        (&json!("assigned"), &json!(ravi_id))
    );
    let mut seen = Vec::new();
    for _ in 0..2 {
        let (event, _) = events.next(Duration::from_secs(10)).await.expect("decided");
        seen.push((
            event["type"].as_str().unwrap().to_owned(),
            event["data"]["worker_name"].as_str().unwrap().to_owned(),
        ));
    }
    seen.sort();
    assert_eq!(
        seen,
        [
            (
                "jobs.application.accepted".to_owned(),
                "Ravi Kumar".to_owned()
            ),
            (
                "jobs.application.declined".to_owned(),
                "Sunil Yadav".to_owned()
            ),
        ]
    );
    // Decided applications stay decided; a taken job takes no more applications.
    let sunil_decline = format!(
        "/api/v1/jobs/{job_id}/applications/{}/decline/",
        sunil_app["id"].as_str().unwrap()
    );
    let (status, body) = api
        .call(Method::POST, &sunil_decline, Some(&sunil), None)
        .await;
    assert_eq!(
        (status, body),
        (
            400,
            json!({"error": "This application is already declined."})
        )
    );
    let (kumar_id, kumar) = api.user("+919000004444", Role::Worker, "", "").await;
    api.worker_profile(kumar_id).await;
    let (status, body) = api.call(Method::POST, &apply, Some(&kumar), None).await;
    assert_eq!(
        (status, body),
        (
            400,
            json!({"error": "This job is not open for applications."})
        )
    );

    // J9 on a second job: declining leaves the job open.
    let (_, second) = api
        .call(
            Method::POST,
            "/api/v1/jobs/",
            Some(&employer),
            Some(json!({"title": "Paint wall", "description": "D", "service": plumbing})),
        )
        .await;
    let second_id = second["id"].as_str().unwrap().to_owned();
    let (_, app) = api
        .call(
            Method::POST,
            &format!("/api/v1/jobs/{second_id}/apply/"),
            Some(&ravi),
            None,
        )
        .await;
    let (status, declined) = api
        .call(
            Method::POST,
            &format!(
                "/api/v1/jobs/{second_id}/applications/{}/decline/",
                app["id"].as_str().unwrap()
            ),
            Some(&ravi),
            None,
        )
        .await;
    assert_eq!((status, &declined["status"]), (200, &json!("declined")));
    let (_, second) = api
        .call(
            Method::GET,
            &format!("/api/v1/jobs/{second_id}/"),
            None,
            None,
        )
        .await;
    assert_eq!(
        (&second["status"], &second["assigned_worker"]),
        (&json!("open"), &Value::Null)
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_openapi_document_documents_every_operation() {
    let api = common::Api::start().await;
    let served = reqwest::get(format!("{}/openapi.json", api.app.base))
        .await
        .unwrap()
        .bytes()
        .await
        .unwrap();
    hm_platform::testing::assert_openapi_document(
        "jobs",
        &served,
        &[
            "POST /api/v1/jobs/{id}/apply/",
            "POST /api/v1/jobs/{id}/applications/{application_id}/accept/",
            "POST /api/v1/jobs/{id}/applications/{application_id}/decline/",
            "POST /api/v1/emergency/requests/{id}/accept/",
            "POST /api/v1/emergency/requests/{id}/decline/",
        ],
    );
    let doc: Value = serde_json::from_slice(&served).unwrap();
    assert!(doc["openapi"].as_str().unwrap().starts_with("3."));
    for (path, method) in [
        ("/api/v1/payments/create/", "post"),
        ("/api/v1/payments/webhook/", "post"),
        ("/api/v1/bookings/{id}/status/", "patch"),
        ("/api/v1/emergency/requests/", "post"),
        ("/api/v1/emergency/requests/{id}/status/", "patch"),
        ("/api/v1/emergency/requests/{id}/escalate/", "post"),
    ] {
        assert!(
            doc["paths"][path][method]["requestBody"].is_object(),
            "{method} {path}: request body documented"
        );
    }
}

/// `src/schema.rs` is diesel's print-schema of the migrated database (ARCHITECTURE §2).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn schema_rs_is_what_the_migrations_make() {
    hm_platform::testing::assert_schema_generated::<hm_jobs::Jobs>(env!("CARGO_MANIFEST_DIR"))
        .await;
}
