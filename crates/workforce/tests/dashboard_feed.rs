//! What jobs' role dashboards (API §11) learn from workforce, announced as it happens: a worker's
//! verification (set by admins only) and last activity (DOMAIN §3.1: toggle, position, own profile
//! edits) on the worker events, and a site's active assignments and who is present on a day with every
//! assignment, attendance mark and deletion of an assigned worker (`workforce.site.stats_changed`).
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use chrono::{DateTime, Utc};
use hm_contracts::Role;
use hm_platform::testing::EventTap;
use reqwest::Method;
use serde_json::{json, Value};
use std::time::Duration;
use uuid::Uuid;

/// The next event of `kind` the tap hears (others are skipped).
async fn next_of(events: &mut EventTap, kind: &str) -> Value {
    for _ in 0..10 {
        let (event, _) = events
            .next(Duration::from_secs(10))
            .await
            .unwrap_or_else(|| panic!("{kind} announced"));
        if event["type"] == kind {
            return event["data"].clone();
        }
    }
    panic!("no {kind} among the next events");
}

fn time(v: &Value) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(v.as_str().unwrap_or_else(|| panic!("a time: {v}")))
        .unwrap()
        .with_timezone(&Utc)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn admins_verify_workers_and_the_workers_own_activity_is_last_seen() {
    let api = common::Api::start().await;
    let mut events = EventTap::bind(&api.app.bus, "workforce.worker.*").await;
    let user = Uuid::new_v4();
    let raju = api.keys.mint(user, Role::Worker);
    let admin = api.keys.mint(Uuid::new_v4(), Role::Admin);
    let call = |method: Method, path: String, token: &str, body: Value| {
        let (api, token) = (&api, token.to_owned());
        async move {
            api.send(method, &path, Some(&token), None, Some(body))
                .await
        }
    };
    let last_seen = || async {
        use diesel::QueryDsl;
        use diesel_async::RunQueryDsl;
        use hm_workforce::schema::worker_profiles as p;
        let at: Option<DateTime<Utc>> = p::table
            .select(p::last_seen)
            .first(&mut api.conn().await)
            .await
            .unwrap();
        at
    };

    // A worker creating a profile was just active; nobody has verified them.
    let (status, created) = call(
        Method::POST,
        "/api/v1/workers/".into(),
        &raju,
        json!({"bio": "Plumber", "is_verified": true}),
    )
    .await;
    assert_eq!(status, 201, "{created}");
    assert_eq!(
        created["is_verified"], false,
        "a worker cannot verify themselves"
    );
    let id = created["id"].as_str().unwrap().to_owned();
    let announced = next_of(&mut events, "workforce.worker.created").await;
    assert_eq!(announced["profile"]["is_verified"], false);
    let first_seen = time(&announced["last_seen"]);
    assert_eq!(Some(first_seen), last_seen().await);

    // An admin verifies them (the back office's edit of a worker): announced, not the worker's activity.
    tokio::time::sleep(Duration::from_millis(20)).await;
    let path = format!("/api/v1/workers/{id}/");
    let (status, verified) = call(
        Method::PATCH,
        path.clone(),
        &admin,
        json!({"is_verified": true}),
    )
    .await;
    assert_eq!((status, &verified["is_verified"]), (200, &json!(true)));
    let announced = next_of(&mut events, "workforce.worker.updated").await;
    assert_eq!(announced["profile"]["is_verified"], true);
    assert_eq!(time(&announced["last_seen"]), first_seen);

    // The worker's own edit: is_verified is theirs to read only; they were active.
    tokio::time::sleep(Duration::from_millis(20)).await;
    let (status, edited) = call(
        Method::PATCH,
        path.clone(),
        &raju,
        json!({"is_verified": false, "bio": "Plumber, 5 years"}),
    )
    .await;
    assert_eq!((status, &edited["is_verified"]), (200, &json!(true)));
    let announced = next_of(&mut events, "workforce.worker.updated").await;
    let edit_seen = time(&announced["last_seen"]);
    assert!(edit_seen > first_seen, "{edit_seen} after {first_seen}");
    assert_eq!(Some(edit_seen), last_seen().await);
    // A replacement without the field keeps the verification; an admin may withdraw it.
    let (_, replaced) = call(Method::PUT, path.clone(), &raju, json!({"bio": "Plumber"})).await;
    assert_eq!(replaced["is_verified"], true);
    next_of(&mut events, "workforce.worker.updated").await;
    let (_, withdrawn) = call(
        Method::PATCH,
        path.clone(),
        &admin,
        json!({"is_verified": "no"}),
    )
    .await;
    assert_eq!(withdrawn["is_verified"], false);
    let (status, refused) = call(
        Method::PATCH,
        path.clone(),
        &admin,
        json!({"is_verified": "perhaps"}),
    )
    .await;
    assert_eq!(
        (status, refused),
        (400, json!({"is_verified": ["Must be a valid boolean."]}))
    );

    // The toggle and a position are activity too, and their events say when.
    let (status, _) = call(
        Method::POST,
        "/api/v1/workers/me/availability/".into(),
        &raju,
        json!({"is_available": true}),
    )
    .await;
    assert_eq!(status, 200);
    let toggled = next_of(&mut events, "workforce.worker.availability_changed").await;
    assert_eq!(Some(time(&toggled["at"])), last_seen().await);
    let (status, _) = call(
        Method::POST,
        "/api/v1/workers/me/location/".into(),
        &raju,
        json!({"lat": 26.85, "lng": 80.95}),
    )
    .await;
    assert_eq!(status, 200);
    let moved = next_of(&mut events, "workforce.worker.location_updated").await;
    assert_eq!(Some(time(&moved["at"])), last_seen().await);
    assert!(time(&moved["at"]) > edit_seen);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_assignment_and_mark_announces_the_sites_numbers() {
    let api = common::Api::start().await;
    let mut events = EventTap::bind(&api.app.bus, "workforce.site.stats_changed").await;
    let call = |method: Method, path: String, token: &str, body: Option<Value>| {
        let (api, token) = (&api, token.to_owned());
        async move { api.send(method, &path, Some(&token), None, body).await }
    };
    let vikram = api.keys.mint(Uuid::new_v4(), Role::Contractor);
    let (_, contractor) = call(
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
    for _ in 0..2 {
        let token = api.keys.mint(Uuid::new_v4(), Role::Worker);
        let (_, w) = call(
            Method::POST,
            "/api/v1/workers/".into(),
            &token,
            Some(json!({})),
        )
        .await;
        workers.push((w["id"].as_str().unwrap().to_owned(), token));
    }
    let today = Utc::now().date_naive();
    let yesterday = today.pred_opt().unwrap();
    let numbers = |date: chrono::NaiveDate, assigned: i64, present: i64| {
        json!({"site_id": site, "contractor_id": contractor["id"], "date": date.to_string(),
               "active_assignments": assigned, "present": present})
    };

    for (n, (worker, _)) in workers.iter().enumerate() {
        let (status, _) = call(
            Method::POST,
            format!("/api/v1/sites/{site}/assign/"),
            &vikram,
            Some(json!({"worker_id": worker, "role_on_site": "Mason"})),
        )
        .await;
        assert_eq!(status, 200);
        assert_eq!(
            next_of(&mut events, "workforce.site.stats_changed").await,
            numbers(today, n as i64 + 1, 0)
        );
    }
    // Re-assigning changes no count, and still says so.
    call(
        Method::POST,
        format!("/api/v1/sites/{site}/assign/"),
        &vikram,
        Some(json!({"worker_id": workers[0].0})),
    )
    .await;
    assert_eq!(
        next_of(&mut events, "workforce.site.stats_changed").await,
        numbers(today, 2, 0)
    );
    let mark = |worker: &str, status: &str, date: chrono::NaiveDate| json!({"worker_id": worker, "status": status, "date": date.to_string()});
    for (body, expected) in [
        (mark(&workers[0].0, "present", today), numbers(today, 2, 1)),
        (mark(&workers[1].0, "absent", today), numbers(today, 2, 1)),
        (mark(&workers[1].0, "present", today), numbers(today, 2, 2)),
        (mark(&workers[1].0, "half_day", today), numbers(today, 2, 1)),
        (
            mark(&workers[1].0, "present", yesterday),
            numbers(yesterday, 2, 1),
        ),
    ] {
        let (status, marked) = call(
            Method::POST,
            format!("/api/v1/sites/{site}/attendance/"),
            &vikram,
            Some(body),
        )
        .await;
        assert!(status == 200 || status == 201, "{marked}");
        assert_eq!(
            next_of(&mut events, "workforce.site.stats_changed").await,
            expected
        );
    }
    // A refused mark announces nothing; a deleted worker leaves the site's numbers.
    let (status, _) = call(
        Method::POST,
        format!("/api/v1/sites/{site}/attendance/"),
        &vikram,
        Some(mark(&Uuid::new_v4().to_string(), "present", today)),
    )
    .await;
    assert_eq!(status, 404);
    let (first, token) = &workers[0];
    let (status, _) = call(
        Method::DELETE,
        format!("/api/v1/workers/{first}/"),
        token,
        None,
    )
    .await;
    assert_eq!(status, 204);
    assert_eq!(
        next_of(&mut events, "workforce.site.stats_changed").await,
        numbers(today, 1, 0)
    );
    assert_eq!(
        api.count("SELECT count(*) FROM outbox WHERE event_type = 'workforce.site.stats_changed'")
            .await,
        9
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn announce_all_tells_a_late_projection_every_profile_and_sites_numbers() {
    let api = common::Api::start().await;
    let call = |method: Method, path: String, token: &str, body: Value| {
        let (api, token) = (&api, token.to_owned());
        async move {
            api.send(method, &path, Some(&token), None, Some(body))
                .await
        }
    };
    let raju = api.keys.mint(Uuid::new_v4(), Role::Worker);
    let admin = api.keys.mint(Uuid::new_v4(), Role::Admin);
    let vikram = api.keys.mint(Uuid::new_v4(), Role::Contractor);
    let (_, worker) = call(Method::POST, "/api/v1/workers/".into(), &raju, json!({})).await;
    let id = worker["id"].as_str().unwrap().to_owned();
    call(
        Method::PATCH,
        format!("/api/v1/workers/{id}/"),
        &admin,
        json!({"is_verified": true}),
    )
    .await;
    call(
        Method::POST,
        "/api/v1/contractors/".into(),
        &vikram,
        json!({"company_name": "VC"}),
    )
    .await;
    let (_, site) = call(
        Method::POST,
        "/api/v1/sites/".into(),
        &vikram,
        json!({"name": "Green Valley", "address": "Lucknow"}),
    )
    .await;
    let site = site["id"].as_str().unwrap().to_owned();
    call(
        Method::POST,
        format!("/api/v1/sites/{site}/assign/"),
        &vikram,
        json!({"worker_id": id}),
    )
    .await;
    call(
        Method::POST,
        format!("/api/v1/sites/{site}/attendance/"),
        &vikram,
        json!({"worker_id": id}),
    )
    .await;
    // Long published and forgotten; a projection that starts now missed all of it.
    api.sql("DELETE FROM outbox").await;

    let mut conn = api.conn().await;
    let workers =
        hm_workforce::store::workers::announce_all(&mut conn, hm_workforce::views::worker_json)
            .await
            .unwrap();
    let sites = hm_workforce::store::site_stats::announce_all(&mut conn)
        .await
        .unwrap();
    assert_eq!((workers, sites), (1, 1));
    let envelopes: Vec<Value> = api
        .app
        .db
        .client()
        .await
        .query("SELECT envelope::text FROM outbox ORDER BY event_type", &[])
        .await
        .unwrap()
        .iter()
        .map(|row| serde_json::from_str(row.get::<_, &str>(0)).unwrap())
        .collect();
    assert_eq!(envelopes.len(), 2);
    assert_eq!(envelopes[0]["type"], "workforce.site.stats_changed");
    assert_eq!(
        (
            &envelopes[0]["data"]["site_id"],
            &envelopes[0]["data"]["active_assignments"],
            &envelopes[0]["data"]["present"]
        ),
        (&json!(site), &json!(1), &json!(1))
    );
    assert_eq!(envelopes[1]["type"], "workforce.worker.updated");
    assert_eq!(envelopes[1]["data"]["profile"]["is_verified"], true);
    assert!(envelopes[1]["data"]["last_seen"].is_string());
}
