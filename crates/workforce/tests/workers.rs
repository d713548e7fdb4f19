//! Worker profiles over HTTP against the real Postgres, Redis and RabbitMQ: ownership, validation,
//! skills from the catalog projection, the online toggle, location, and the events identity relies on.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use hm_contracts::Role;
use hm_platform::testing::EventTap;
use reqwest::Method;
use serde_json::{json, Value};
use std::time::Duration;
use uuid::Uuid;

/// The workforce API with three catalog services projected (one withdrawn).
struct T {
    api: common::Api,
}

impl std::ops::Deref for T {
    type Target = common::Api;
    fn deref(&self) -> &common::Api {
        &self.api
    }
}

impl T {
    async fn start() -> T {
        let api = common::Api::start().await;
        api.service("plumbing", "Plumbing", "Plumbing", true).await;
        api.service("electrician", "Electrician", "Electrician", true)
            .await;
        api.service("retired", "Retired", "Retired", false).await;
        T { api }
    }

    async fn get(&self, path: &str) -> (u16, Value) {
        self.api.send(Method::GET, path, None, None, None).await
    }

    async fn call(
        &self,
        method: Method,
        path: &str,
        token: Option<&str>,
        body: Option<Value>,
    ) -> (u16, Value) {
        self.api.send(method, path, token, None, body).await
    }
}
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_worker_creates_reads_and_edits_their_own_profile_only() {
    let t = T::start().await;
    let mut events = EventTap::bind(&t.app.bus, "workforce.worker.*").await;
    let (raju, raju_token) = t
        .with_user("+919876543210", Role::Worker, "Raju", "Kumar")
        .await;

    let (status, body) = t
        .call(Method::GET, "/api/v1/workers/me/", Some(&raju_token), None)
        .await;
    assert_eq!(
        (status, body),
        (404, json!({"error": "User is not a registered worker"}))
    );

    let (status, worker) = t
        .call(Method::POST, "/api/v1/workers/", Some(&raju_token), Some(json!({
            "user": Uuid::new_v4(), "skills": ["plumbing", "Electrician"], "price_amount": 600, "min_charge": "300",
            "bio": "  Expert plumber with 5 years experience ", "experience_years": 5, "latitude": 26.84671234, "longitude": "80.9462"
        })))
        .await;
    assert_eq!(status, 201, "{worker}");
    assert_eq!(
        worker["user"],
        raju.to_string(),
        "the user comes from the token"
    );
    assert_eq!(worker["user_name"], "Raju Kumar");
    assert_eq!(worker["user_phone"], "+919876543210");
    assert_eq!(worker["services_list"], json!(["Plumbing", "Electrician"]));
    assert_eq!(worker["price_amount"], "600.00");
    assert_eq!(worker["min_charge"], "300.00");
    assert_eq!(
        worker["latitude"], "26.846712",
        "rounded to the column's scale"
    );
    assert_eq!(worker["bio"], "Expert plumber with 5 years experience");
    assert_eq!(worker["availability_status"], "offline");
    let id = worker["id"].as_str().unwrap().to_owned();
    let (event, _) = events
        .next(Duration::from_secs(10))
        .await
        .expect("worker.created");
    assert_eq!(event["type"], "workforce.worker.created");
    assert_eq!(
        (&event["data"]["profile_id"], &event["data"]["user_id"]),
        (&json!(id), &json!(raju))
    );
    assert_eq!(
        event["data"]["profile"], worker,
        "the profile as the API shows it, for jobs"
    );

    let (status, body) = t
        .call(
            Method::POST,
            "/api/v1/workers/",
            Some(&raju_token),
            Some(json!({})),
        )
        .await;
    assert_eq!(
        (status, body),
        (
            400,
            json!({"error": "Worker profile already exists for this user."})
        )
    );
    let (status, public) = t
        .call(Method::GET, &format!("/api/v1/workers/{id}/"), None, None)
        .await;
    assert_eq!(status, 200);
    assert_eq!(public["id"], id);
    assert_eq!(
        t.call(Method::GET, "/api/v1/workers/not-a-uuid/", None, None)
            .await
            .0,
        404
    );

    // Somebody else's profile: 403, nothing changes; an admin may.
    let stranger = t.keys.mint(Uuid::new_v4(), Role::Worker);
    let (status, _) = t
        .call(
            Method::PATCH,
            &format!("/api/v1/workers/{id}/"),
            Some(&stranger),
            Some(json!({"bio": "mine now"})),
        )
        .await;
    assert_eq!(status, 403);
    assert_eq!(
        t.call(
            Method::DELETE,
            &format!("/api/v1/workers/{id}/"),
            Some(&stranger),
            None
        )
        .await
        .0,
        403
    );
    let admin = t.keys.mint(Uuid::new_v4(), Role::Admin);
    let (status, edited) = t
        .call(
            Method::PATCH,
            &format!("/api/v1/workers/{id}/"),
            Some(&admin),
            Some(json!({"skills": ["Electrician"], "price_type": "per_hour"})),
        )
        .await;
    assert_eq!(status, 200, "{edited}");
    assert_eq!(
        edited["services_list"],
        json!(["Electrician"]),
        "skills are replaced on update"
    );
    assert_eq!(edited["price_type"], "per_hour");
    assert_eq!(
        edited["bio"], "Expert plumber with 5 years experience",
        "PATCH keeps the rest"
    );
    let (event, _) = events
        .next(Duration::from_secs(10))
        .await
        .expect("worker.updated");
    assert_eq!(event["type"], "workforce.worker.updated");

    // Bad input: field errors, nothing stored.
    let (status, errors) = t
        .call(Method::PATCH, &format!("/api/v1/workers/{id}/"), Some(&raju_token), Some(json!({
            "latitude": 123, "longitude": 80, "price_type": "per_week", "experience_years": "lots", "skills": ["Astrologer"], "price_amount": -5
        })))
        .await;
    assert_eq!(status, 400, "{errors}");
    for field in ["latitude", "price_type", "experience_years", "price_amount"] {
        assert!(errors.get(field).is_some(), "{field}: {errors}");
    }
    let (status, errors) = t
        .call(
            Method::PATCH,
            &format!("/api/v1/workers/{id}/"),
            Some(&raju_token),
            Some(json!({"skills": ["  "]})),
        )
        .await;
    assert_eq!(
        (status, errors),
        (400, json!({"skills": ["This field may not be blank."]}))
    );
    let (_, unchanged) = t
        .call(Method::GET, &format!("/api/v1/workers/{id}/"), None, None)
        .await;
    assert_eq!(unchanged["services_list"], json!(["Electrician"]));

    // PUT replaces: what is not sent goes back to the defaults.
    let (status, put) = t
        .call(
            Method::PUT,
            &format!("/api/v1/workers/{id}/"),
            Some(&raju_token),
            Some(json!({"bio": "Plumber"})),
        )
        .await;
    assert_eq!(status, 200);
    assert_eq!(put["price_amount"], Value::Null);
    assert_eq!(put["bio"], "Plumber");

    let (status, _) = t
        .call(
            Method::DELETE,
            &format!("/api/v1/workers/{id}/"),
            Some(&raju_token),
            None,
        )
        .await;
    assert_eq!(status, 204);
    assert_eq!(
        t.call(Method::GET, &format!("/api/v1/workers/{id}/"), None, None)
            .await
            .0,
        404
    );
    // Skip to the deletion event (updated events came first).
    let mut deleted = false;
    for _ in 0..5 {
        if let Some((event, _)) = events.next(Duration::from_secs(10)).await {
            if event["type"] == "workforce.worker.deleted" {
                deleted = true;
                break;
            }
        }
    }
    assert!(deleted, "identity hears of the deletion");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_online_toggle_and_location_update_the_profile() {
    let t = T::start().await;
    let user = Uuid::new_v4();
    let token = t.keys.mint(user, Role::Worker);
    let (status, body) = t
        .call(
            Method::POST,
            "/api/v1/workers/me/availability/",
            Some(&token),
            Some(json!({"is_available": true})),
        )
        .await;
    assert_eq!(
        (status, body),
        (404, json!({"error": "Worker profile not found"}))
    );
    t.call(
        Method::POST,
        "/api/v1/workers/",
        Some(&token),
        Some(json!({"skills": ["Plumbing"]})),
    )
    .await;

    let (status, body) = t
        .call(
            Method::POST,
            "/api/v1/workers/me/availability/",
            Some(&token),
            Some(json!({})),
        )
        .await;
    assert_eq!(
        (status, body),
        (400, json!({"is_available": ["This field is required."]}))
    );
    let (status, body) = t
        .call(
            Method::POST,
            "/api/v1/workers/me/availability/",
            Some(&token),
            Some(json!({"is_available": "yes"})),
        )
        .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["status"], "success");
    assert!(body["availability_updated_at"]
        .as_str()
        .unwrap()
        .ends_with("+00:00"));
    let (_, me) = t
        .call(Method::GET, "/api/v1/workers/me/", Some(&token), None)
        .await;
    assert_eq!(me["is_available"], true);
    assert_eq!(me["availability_status"], "available");

    let (status, body) = t
        .call(
            Method::POST,
            "/api/v1/workers/me/location/",
            Some(&token),
            Some(json!({"lat": 95, "lng": "x"})),
        )
        .await;
    assert_eq!(status, 400, "{body}");
    assert!(body.get("lat").is_some() && body.get("lng").is_some());
    let (status, body) = t
        .call(
            Method::POST,
            "/api/v1/workers/me/location/",
            Some(&token),
            Some(json!({"lng": 80.9462})),
        )
        .await;
    assert_eq!(
        (status, body["lat"].clone()),
        (400, json!(["This field is required."]))
    );
    let (status, body) = t
        .call(
            Method::POST,
            "/api/v1/workers/me/location/",
            Some(&token),
            Some(json!({"lat": 26.8467, "lng": 80.9462})),
        )
        .await;
    assert_eq!(status, 200);
    assert_eq!(
        body,
        json!({"status": "success", "location": {"lat": 26.8467, "lng": 80.9462}})
    );
    let (_, me) = t
        .call(Method::GET, "/api/v1/workers/me/", Some(&token), None)
        .await;
    assert_eq!(
        (me["latitude"].clone(), me["longitude"].clone()),
        (json!("26.846700"), json!("80.946200"))
    );
    // Without a token: 401.
    assert_eq!(
        t.call(
            Method::POST,
            "/api/v1/workers/me/location/",
            None,
            Some(json!({"lat": 1, "lng": 1}))
        )
        .await
        .0,
        401
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn nearby_searches_page_sort_and_refuse_bad_parameters() {
    let t = T::start().await;
    // Workers east of central Lucknow, 1..=7 km away; even ones online; prices 700, 600, … 100.
    for i in 1..=7i64 {
        let user = Uuid::new_v4();
        let token = t.keys.mint(user, Role::Worker);
        let lng = 80.9462 + (i as f64) / (111.195 * 26.8467f64.to_radians().cos());
        let (status, w) = t
            .call(
                Method::POST,
                "/api/v1/workers/",
                Some(&token),
                Some(json!({
                    "skills": [if i % 2 == 0 { "Plumbing" } else { "Electrician" }],
                    "latitude": 26.8467, "longitude": lng, "price_amount": 800 - 100 * i,
                    "availability_status": "available"
                })),
            )
            .await;
        assert_eq!(status, 201, "{w}");
        if i % 2 == 0 {
            t.call(
                Method::POST,
                "/api/v1/workers/me/availability/",
                Some(&token),
                Some(json!({"is_available": true})),
            )
            .await;
        }
    }

    let (status, page) = t
        .get("/api/v1/workers/nearby/?lat=26.8467&lng=80.9462&radius_km=5.5&per_page=2")
        .await;
    assert_eq!(status, 200, "{page}");
    assert_eq!(page["count"], 5);
    assert_eq!(
        (page["next_page"].clone(), page["prev_page"].clone()),
        (json!(2), Value::Null)
    );
    let d: Vec<f64> = page["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["distance_km"].as_f64().unwrap())
        .collect();
    assert!(
        (d[0] - 1.0).abs() < 0.01 && (d[1] - 2.0).abs() < 0.01,
        "{d:?}"
    );
    let (_, last) = t
        .get("/api/v1/workers/nearby/?lat=26.8467&lng=80.9462&radius_km=5.5&per_page=2&page=last")
        .await;
    assert_eq!(last["results"].as_array().unwrap().len(), 1);
    assert_eq!(last["prev_page"], 2);
    let (status, body) = t
        .get("/api/v1/workers/nearby/?lat=26.8467&lng=80.9462&radius_km=5.5&per_page=2&page=9")
        .await;
    assert_eq!((status, body), (404, json!({"detail": "Invalid page."})));
    // A page number of any size is a page past the end, not an overflow.
    let (status, body) = t
        .get("/api/v1/workers/nearby/?lat=26.8467&lng=80.9462&page=99999999999999999999")
        .await;
    assert_eq!((status, body), (404, json!({"detail": "Invalid page."})));
    let (_, plumbers) = t
        .get("/api/v1/workers/nearby/?lat=26.8467&lng=80.9462&skill=plumb")
        .await;
    assert_eq!(plumbers["count"], 3);

    // The online search: only the even (online) ones, by price.
    let (status, found) = t
        .get("/api/v1/workers/search/nearby/?lat=26.8467&lng=80.9462&radius_km=10&sort_by=price")
        .await;
    assert_eq!(status, 200, "{found}");
    let prices: Vec<String> = found["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["price_amount"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(prices, ["200.00", "400.00", "600.00"]);
    let first = &found["results"][0];
    assert_eq!(first["distance_km"], "6.00");
    assert_eq!(first["service"], "Plumbing");
    assert_eq!(first["is_available"], true);
    let (_, cheap) = t.get("/api/v1/workers/search/nearby/?lat=26.8467&lng=80.9462&radius_km=10&max_price=450&min_price=abc").await;
    assert_eq!(cheap["count"], 2, "unparsable prices are ignored");

    // Any non-negative radius is a search (API §5.7–5.8): 0 finds only the exact point, a radius far
    // beyond 100 km finds everyone within it.
    for (endpoint, everyone) in [("nearby", 7), ("search/nearby", 3)] {
        for (radius, expected) in [
            ("0", 0),
            ("200", everyone),
            ("5000", everyone),
            ("20037.5", everyone),
            ("30000", everyone),
            ("1e308", everyone),
        ] {
            let path =
                format!("/api/v1/workers/{endpoint}/?lat=26.8467&lng=80.9462&radius_km={radius}");
            let (status, body) = t.get(&path).await;
            assert_eq!(status, 200, "{path}: {body}");
            assert_eq!(body["count"], expected, "{path}");
        }
    }

    for (path, error) in [
        (
            "/api/v1/workers/nearby/?lng=80.9",
            "Invalid or missing lat/lng parameters",
        ),
        (
            "/api/v1/workers/nearby/?lat=91&lng=80.9",
            "Invalid or missing lat/lng parameters",
        ),
        (
            "/api/v1/workers/nearby/?lat=26.8&lng=80.9&radius_km=far",
            "Invalid radius_km",
        ),
        (
            "/api/v1/workers/nearby/?lat=26.8&lng=80.9&radius_km=%E0%A5%AB",
            "Invalid radius_km",
        ),
        (
            "/api/v1/workers/search/nearby/?lat=26.8",
            "lat and lng parameters are required",
        ),
        (
            "/api/v1/workers/search/nearby/?lat=north&lng=80.9",
            "Invalid coordinates",
        ),
        (
            "/api/v1/workers/search/nearby/?lat=26.8&lng=80.9&radius_km=-1",
            "Invalid radius_km",
        ),
        (
            "/api/v1/workers/search/nearby/?lat=26.8&lng=80.9&service_id=7",
            "Invalid service_id",
        ),
    ] {
        let (status, body) = t.get(path).await;
        assert_eq!((status, body), (400, json!({"error": error})), "{path}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_worker_list_filters_sorts_and_pages() {
    let t = T::start().await;
    // (skill, price, rating, status, km east of Lucknow or no location)
    let rows = [
        ("Plumbing", Some(500), "4.50", "available", Some(3.0)),
        ("Plumbing", Some(300), "3.00", "busy", Some(1.0)),
        ("Electrician", None, "4.90", "available", None),
        ("Electrician", Some(800), "2.00", "offline", Some(2.0)),
    ];
    for (skill, price, rating, status, km) in rows {
        let user = Uuid::new_v4();
        let token = t.keys.mint(user, Role::Worker);
        let mut body =
            json!({"skills": [skill], "price_amount": price, "availability_status": status});
        if let Some(km) = km {
            body["latitude"] = json!(26.8467);
            body["longitude"] = json!(80.9462 + km / (111.195 * 26.8467f64.to_radians().cos()));
        }
        let (status, w) = t
            .call(Method::POST, "/api/v1/workers/", Some(&token), Some(body))
            .await;
        assert_eq!(status, 201, "{w}");
        t.sql(&format!(
            "UPDATE worker_profiles SET rating = {rating} WHERE id = '{}'",
            w["id"].as_str().unwrap()
        ))
        .await;
    }
    let prices = |v: &Value| -> Vec<Value> {
        v["results"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| r["price_amount"].clone())
            .collect()
    };

    let (status, all) = t.get("/api/v1/workers/").await;
    assert_eq!(status, 200);
    assert_eq!(all["count"], 4);
    assert_eq!(prices(&all)[0], "800.00", "newest first");
    let (_, plumbers) = t.get("/api/v1/workers/?skill=PLUMB&sort=price").await;
    assert_eq!(prices(&plumbers), [json!("300.00"), json!("500.00")]);
    let (_, cheap) = t
        .get("/api/v1/workers/?min_price=400&max_price=600&rating=junk")
        .await;
    assert_eq!(
        prices(&cheap),
        [json!("500.00")],
        "null prices are out, junk rating ignored"
    );
    let (_, good) = t.get("/api/v1/workers/?rating=4.5&sort=rating").await;
    assert_eq!(good["results"][0]["rating"], "4.90");
    assert_eq!(good["count"], 2);
    let (_, now) = t.get("/api/v1/workers/?available_now=TRUE").await;
    assert_eq!(now["count"], 2);
    let (_, near) = t
        .get("/api/v1/workers/?sort=distance&lat=26.8467&lng=80.9462")
        .await;
    assert_eq!(
        near["count"], 3,
        "no coordinates, no place in a distance order"
    );
    let d: Vec<f64> = near["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["distance_km"].as_f64().unwrap())
        .collect();
    assert!(
        (d[0] - 1.0).abs() < 0.01 && (d[2] - 3.0).abs() < 0.01,
        "{d:?}"
    );
    let (_, fallback) = t.get("/api/v1/workers/?sort=distance&lat=x").await;
    assert_eq!(fallback["count"], 4);
    assert!(fallback["results"][0].get("distance_km").is_none());
    let (_, paged) = t.get("/api/v1/workers/?per_page=3&page=2").await;
    assert_eq!(
        (
            paged["results"].as_array().unwrap().len(),
            paged["prev_page"].clone()
        ),
        (1, json!(1))
    );
    let (status, _) = t.get("/api/v1/workers/?page=3&per_page=3").await;
    assert_eq!(status, 404);
}

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

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn what_emergency_dispatch_needs_is_announced() {
    let api = common::Api::start().await;
    let plumbing = api.service("plumbing", "Plumbing", "Plumbing", true).await;
    let mut events = EventTap::bind(&api.app.bus, "workforce.worker.*").await;
    let user = Uuid::new_v4();
    let token = api.keys.mint(user, Role::Worker);
    let call = |method: Method, path: &'static str, body: Value| {
        let (api, token) = (&api, token.clone());
        async move { api.send(method, path, Some(&token), None, Some(body)).await }
    };
    let (status, created) = call(
        Method::POST,
        "/api/v1/workers/",
        json!({"skills": ["Plumbing"]}),
    )
    .await;
    assert_eq!(status, 201, "{created}");
    let id = created["id"].clone();
    // The profile's services travel with it.
    let announced = next_of(&mut events, "workforce.worker.created").await;
    assert_eq!(
        (&announced["profile_id"], &announced["service_ids"]),
        (&id, &json!([plumbing]))
    );
    let (status, _) = call(
        Method::POST,
        "/api/v1/workers/me/availability/",
        json!({"is_available": true}),
    )
    .await;
    assert_eq!(status, 200);
    let toggled = next_of(&mut events, "workforce.worker.availability_changed").await;
    assert_eq!(
        (
            &toggled["profile_id"],
            &toggled["user_id"],
            &toggled["is_available"]
        ),
        (&id, &json!(user), &json!(true))
    );

    // A position is announced as stored (six decimals), with the toggle; a refused one is not.
    let (status, body) = call(
        Method::POST,
        "/api/v1/workers/me/location/",
        json!({"lat": 26.84671234, "lng": "80.9462"}),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["location"], json!({"lat": 26.846712, "lng": 80.9462}));
    let moved = next_of(&mut events, "workforce.worker.location_updated").await;
    assert_eq!(
        moved,
        json!({"profile_id": id, "user_id": user, "lat": 26.846712, "lng": 80.9462,
               "is_available": true, "at": moved["at"]})
    );
    assert!(moved["at"].as_str().unwrap().ends_with('Z'));
    let (status, _) = call(
        Method::POST,
        "/api/v1/workers/me/location/",
        json!({"lat": 95, "lng": 80}),
    )
    .await;
    assert_eq!(status, 400);
    assert_eq!(
        api.count(
            "SELECT count(*) FROM outbox WHERE event_type = 'workforce.worker.location_updated'"
        )
        .await,
        1
    );

    // A completed, rated booking changes the profile: it is announced, with its new rating.
    let completed = hm_contracts::Event::new(
        "jobs",
        hm_contracts::events::types::BOOKING_COMPLETED,
        None,
        hm_contracts::events::BookingCompleted {
            booking_id: Uuid::new_v4(),
            user_id: Uuid::new_v4(),
            worker_id: Some(Uuid::parse_str(id.as_str().unwrap()).unwrap()),
            service_id: plumbing,
            completed_at: chrono::Utc::now(),
            rating: Some(4.0),
        },
    )
    .into_json()
    .unwrap();
    hm_platform::testing::publisher(&api.app.bus)
        .publish(&completed, None)
        .await
        .unwrap();
    let updated = next_of(&mut events, "workforce.worker.updated").await;
    assert_eq!(
        (
            &updated["profile_id"],
            &updated["profile"]["rating"],
            &updated["profile"]["total_jobs_completed"],
            &updated["service_ids"]
        ),
        (&id, &json!("4.00"), &json!(1), &json!([plumbing]))
    );
}
