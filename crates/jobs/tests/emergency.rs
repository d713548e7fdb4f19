//! Emergency "Help Now" over HTTP against the real Postgres, Redis and RabbitMQ (API §8, DOMAIN §4.7–4.8,
//! TESTS §10 E1–E6): validation with the spec's messages, the rate limit, dispatch to the nearest
//! available workers offering the service (radius, ranking, count), the first acceptance winning among
//! twenty at once, declines, visibility, the admin's status changes, edits and escalations, the timeout
//! sweep, the dispatch index fed by workforce's events (a late event never overwriting a newer one), the
//! feature switch, and the events written to the outbox.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use chrono::{DateTime, Utc};
use diesel::{ExpressionMethods, QueryDsl};
use diesel_async::{AsyncConnection, AsyncPgConnection, RunQueryDsl};
use hm_contracts::events::{
    types, AvailabilityChanged, ProfileRef, ServiceChanged, SiteChanged, WorkerLocation,
};
use hm_contracts::{Event, Role};
use hm_jobs::config::EmergencySettings;
use hm_jobs::domain::dispatch::WorkerNews;
use hm_jobs::schema::{
    dispatch_workers as dw, emergency_dispatch_logs as dl, emergency_requests as er,
};
use hm_jobs::store::{dispatch, emergency, refs};
use hm_platform::events::schema::outbox;
use hm_platform::testing::{eventually, publisher};
use reqwest::Method;
use serde_json::{json, Value};
use std::time::Duration;
use uuid::Uuid;

const LUCKNOW: (f64, f64) = (26.8467, 80.9462);

/// A point `km` east of Lucknow along its parallel, in degrees.
fn east(km: f64) -> (f64, f64) {
    let per_km = (1.0 / (6371.0 * LUCKNOW.0.to_radians().cos())).to_degrees();
    (LUCKNOW.0, LUCKNOW.1 + km * per_km)
}

/// A request for help at Lucknow, as TESTS E1 sends it.
fn help(phone: &str) -> Value {
    json!({"contact_phone": phone, "location": {"lat": 26.8467, "lng": 80.9462},
           "address": "Test Address, Lucknow", "urgency_level": "high"})
}

/// A dispatch-index row: latitude, longitude, available, rating, services.
type Indexed = (Option<f64>, Option<f64>, bool, f64, Vec<Option<Uuid>>);

/// A worker in the dispatch index.
struct Worker {
    profile: Uuid,
    token: String,
}

struct Help {
    api: common::Api,
    admin: String,
}

impl Help {
    async fn start() -> Help {
        Help::with(|_| {}).await
    }

    async fn with(configure: impl FnOnce(&mut EmergencySettings) + 'static) -> Help {
        let api = common::Api::start_with(move |c| configure(&mut c.emergency)).await;
        let admin = api.keys.mint(Uuid::new_v4(), Role::Admin);
        Help { api, admin }
    }

    /// Auto-assign on, as CONFIG's other defaults otherwise.
    async fn dispatching(max_candidates: usize) -> Help {
        Help::with(move |e| {
            e.auto_assign = true;
            e.max_candidates = max_candidates;
        })
        .await
    }

    async fn conn(&self) -> AsyncPgConnection {
        AsyncPgConnection::establish(&self.api.app.db.url)
            .await
            .unwrap()
    }

    /// Worker `n` as workforce announced them (through jobs' own projection code): `km` east of
    /// Lucknow, available or not, rated, offering `services`.
    async fn worker(
        &self,
        n: u32,
        km: f64,
        rating: f64,
        available: bool,
        services: &[Uuid],
    ) -> Worker {
        let phone = format!("+91987650{n:04}");
        let (user, token) = self
            .api
            .user(&phone, Role::Worker, "Worker", &n.to_string())
            .await;
        let profile = self.api.worker_profile(user).await;
        let (lat, lng) = east(km);
        let snapshot = json!({"latitude": format!("{lat:.6}"), "longitude": format!("{lng:.6}"),
                              "is_available": available, "rating": format!("{rating:.2}")});
        let news =
            WorkerNews::from_profile(user, Some(&snapshot), Some(services.to_vec()), Utc::now());
        dispatch::take(&mut self.conn().await, profile, &news)
            .await
            .unwrap();
        Worker { profile, token }
    }

    async fn call(
        &self,
        method: Method,
        path: &str,
        token: Option<&str>,
        body: Option<Value>,
    ) -> (u16, Value) {
        self.api.call(method, path, token, body).await
    }

    /// POST a request for help.
    async fn ask(&self, token: Option<&str>, body: Value) -> (u16, Value) {
        self.call(
            Method::POST,
            "/api/v1/emergency/requests/",
            token,
            Some(body),
        )
        .await
    }

    /// A request that was created (201); its id.
    async fn asked(&self, token: Option<&str>, body: Value) -> (String, Value) {
        let (status, created) = self.ask(token, body).await;
        assert_eq!(status, 201, "{created}");
        (created["id"].as_str().unwrap().to_owned(), created)
    }

    async fn act(&self, id: &str, action: &str, token: &str) -> (u16, Value) {
        let path = format!("/api/v1/emergency/requests/{id}/{action}/");
        self.call(Method::POST, &path, Some(token), None).await
    }

    /// Status, assigned worker and metadata as stored.
    async fn stored(&self, id: &str) -> (String, Option<Uuid>, Value) {
        er::table
            .find(Uuid::parse_str(id).unwrap())
            .select((er::status, er::assigned_worker_id, er::metadata))
            .first(&mut self.conn().await)
            .await
            .unwrap()
    }

    /// The request's logs as stored: worker, status, whether a response time is set, raw response.
    async fn logs(&self, id: &str) -> Vec<(Uuid, String, bool, Value)> {
        let rows: Vec<(Uuid, String, Option<DateTime<Utc>>, Value)> = dl::table
            .filter(dl::emergency_id.eq(Uuid::parse_str(id).unwrap()))
            .select((
                dl::worker_id,
                dl::status,
                dl::response_time,
                dl::raw_response,
            ))
            .load(&mut self.conn().await)
            .await
            .unwrap();
        rows.into_iter()
            .map(|(w, s, t, raw)| (w, s, t.is_some(), raw))
            .collect()
    }

    /// The payloads of the events of type `kind` in the outbox.
    async fn events(&self, kind: &str) -> Vec<Value> {
        let envelopes: Vec<Value> = outbox::table
            .filter(outbox::event_type.eq(kind))
            .order(outbox::created_at)
            .select(outbox::envelope)
            .load(&mut self.conn().await)
            .await
            .unwrap();
        envelopes.into_iter().map(|e| e["data"].clone()).collect()
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn anyone_asks_for_help_and_gets_an_open_request() {
    let t = Help::start().await;
    let plumbing = t.api.service("plumbing", "Emergency Plumbing", true).await;
    // E1: anonymous, with the service's id.
    let mut body = help("+919900000001");
    body["service_id"] = json!(plumbing);
    let (id, created) = t.asked(None, body).await;
    let expected = json!({
        "id": id, "created_by": null, "contact_phone": "+919900000001", "site": null,
        "location_lat": "26.846700", "location_lng": "80.946200", "address_text": "Test Address, Lucknow",
        "service_required": plumbing, "service_name": "Emergency Plumbing", "service_description": "",
        "urgency_level": "high", "status": "open", "assigned_worker": null, "assigned_worker_name": null,
        "assigned_worker_phone": null, "assigned_contractor": null, "metadata": {},
        "created_at": created["created_at"], "updated_at": created["updated_at"],
        "dispatch_status": "manual"
    });
    assert_eq!(created, expected);
    assert!(created["created_at"].as_str().unwrap().ends_with("+05:30"));
    assert_eq!(t.stored(&id).await, ("open".into(), None, json!({})));
    let announced = t.events(types::EMERGENCY_CREATED).await;
    assert_eq!(announced.len(), 1);
    assert_eq!(
        announced[0],
        json!({"emergency_id": id, "status": "open", "previous_status": null, "urgency": "high",
               "contact_phone": "+919900000001", "created_by": null, "service_id": plumbing,
               "service_name": "Emergency Plumbing", "address": "Test Address, Lucknow",
               "location": {"lat": 26.8467, "lng": 80.9462}, "site_id": null, "assigned_worker_id": null,
               "assigned_contractor_id": null, "candidates": [], "worker_id": null, "worker_user_id": null,
               "worker_name": null, "notes": null, "actor_id": null, "actor_name": null,
               "escalation_reason": null, "timed_out": false})
    );

    // Signed in: the request is theirs; a slug names the service; the default urgency is high; a
    // known site is taken.
    let site = Uuid::new_v4();
    let contractor = Uuid::new_v4();
    let site_event = SiteChanged {
        site_id: site,
        contractor_id: contractor,
        name: "Green Valley".into(),
        is_active: true,
    };
    refs::upsert_site(&mut t.conn().await, &site_event, Utc::now())
        .await
        .unwrap();
    let (amit_id, amit) = t
        .api
        .user("+919000000001", Role::Employer, "Amit", "Verma")
        .await;
    let (_, mine) = t
        .asked(
            Some(&amit),
            json!({"contact_phone": "+919000000001", "location": {"lat": "26.85", "lng": 80.95},
                   "address": "Site office", "service_slug": "plumbing", "site_id": site,
                   "service_description": "Burst pipe"}),
        )
        .await;
    assert_eq!(
        (
            &mine["created_by"],
            &mine["service_required"],
            &mine["urgency_level"],
            &mine["site"],
            &mine["location_lat"],
            &mine["service_description"]
        ),
        (
            &json!(amit_id),
            &json!(plumbing),
            &json!("high"),
            &json!(site),
            &json!("26.850000"),
            &json!("Burst pipe")
        )
    );
    let announced = t.events(types::EMERGENCY_CREATED).await;
    assert_eq!(
        (&announced[1]["actor_id"], &announced[1]["actor_name"]),
        (&json!(amit_id), &json!("Amit Verma"))
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_requests_get_the_specs_messages_and_count_nothing() {
    let t = Help::start().await;
    let unknown = Uuid::new_v4();
    let with = |key: &str, value: Value| {
        let mut body = help("+919900000002");
        body[key] = value;
        body
    };
    let without = |key: &str| {
        let mut body = help("+919900000002");
        body.as_object_mut().unwrap().remove(key);
        body
    };
    let cases = [
        (
            without("location"),
            json!({"location": ["This field is required."]}),
        ),
        (
            with("location", json!({"lat": 26.8})),
            json!({"location": ["Location must include 'lat' and 'lng' fields"]}),
        ),
        (
            with("location", json!([26.8, 80.9])),
            json!({"location": ["Location must include 'lat' and 'lng' fields"]}),
        ),
        (
            with("location", json!({"lat": 95, "lng": 80.9})),
            json!({"location": ["Latitude must be between -90 and 90"]}),
        ),
        (
            with("location", json!({"lat": 26.8, "lng": -181})),
            json!({"location": ["Longitude must be between -180 and 180"]}),
        ),
        (
            with("location", json!({"lat": "north", "lng": 80.9})),
            json!({"location": ["A valid number is required."]}),
        ),
        (
            with("address", json!("   ")),
            json!({"address": ["This field may not be blank."]}),
        ),
        (
            without("contact_phone"),
            json!({"contact_phone": ["This field is required."]}),
        ),
        (
            with("contact_phone", json!("+91 99000 00000 000 000")),
            json!({"contact_phone": ["Ensure this field has no more than 20 characters."]}),
        ),
        (
            with("urgency_level", json!("urgent")),
            json!({"urgency_level": ["\"urgent\" is not a valid choice."]}),
        ),
        (
            with("service_id", json!("plumbing")),
            json!({"service_id": ["Must be a valid UUID."]}),
        ),
        (
            with("service_id", json!(unknown)),
            json!({"service_id": [format!("Invalid pk \"{unknown}\" - object does not exist.")]}),
        ),
        (
            with("service_slug", json!("astronaut")),
            json!({"service_slug": ["Object with slug=astronaut does not exist."]}),
        ),
        (
            with("site_id", json!(unknown)),
            json!({"site_id": [format!("Invalid pk \"{unknown}\" - object does not exist.")]}),
        ),
    ];
    for (body, errors) in cases {
        let (status, answer) = t.ask(None, body.clone()).await;
        assert_eq!((status, answer), (400, errors), "{body}");
    }
    // A malformed body is the platform's 400.
    let (status, _) = t.ask(None, json!("not an object")).await;
    assert_eq!(status, 400);
    assert_eq!(
        t.api
            .app
            .db
            .count("SELECT count(*) FROM emergency_requests")
            .await,
        0
    );
    // None of them counted against the phone's limit.
    let (status, body) = t.ask(None, help("+919900000002")).await;
    assert_eq!(status, 201, "{body}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_rate_limit_is_per_user_or_phone_and_per_client_ip() {
    let t = Help::with(|e| e.ip_rate_limit_per_minute = 3).await;
    let limited = json!({"detail": "Rate limit exceeded. Maximum 1 emergency request(s) per minute. Please try again later. Expected available in 60 seconds."});
    let post = |ip: &'static str, token: Option<String>, phone: &'static str| {
        let http = t.api.app.http.clone();
        let url = format!("{}/api/v1/emergency/requests/", t.api.app.base);
        async move {
            let mut request = http
                .post(url)
                .header("X-Forwarded-For", ip)
                .json(&help(phone));
            if let Some(token) = token {
                request = request.bearer_auth(token);
            }
            let res = request.send().await.unwrap();
            let status = res.status().as_u16();
            let retry = res
                .headers()
                .get("retry-after")
                .map(|v| v.to_str().unwrap().to_owned());
            (status, retry, res.json::<Value>().await.unwrap())
        }
    };
    // E2: the same phone twice within the minute.
    assert_eq!(post("10.0.0.1", None, "+919900000010").await.0, 201);
    let (status, retry, body) = post("10.0.0.1", None, "+919900000010").await;
    assert_eq!(
        (status, retry.as_deref(), body),
        (429, Some("60"), limited.clone())
    );
    // Another phone is another counter; a signed-in user is counted by their id, whatever the phone.
    assert_eq!(post("10.0.0.2", None, "+919900000011").await.0, 201);
    let (_, amit) = t.api.app.token(Role::Employer);
    assert_eq!(
        post("10.0.0.3", Some(amit.clone()), "+919900000010")
            .await
            .0,
        201
    );
    let (status, _, body) = post("10.0.0.3", Some(amit), "+919900000012").await;
    assert_eq!((status, body), (429, limited));
    // Per client IP: 10.0.0.1 has made one (the refused one was not counted); two more, then 429
    // whatever the phone; another address is not concerned.
    assert_eq!(post("10.0.0.1", None, "+919900000013").await.0, 201);
    assert_eq!(post("10.0.0.1", None, "+919900000014").await.0, 201);
    let (status, retry, body) = post("10.0.0.1", None, "+919900000015").await;
    assert_eq!(
        (status, retry.as_deref(), body),
        (
            429,
            Some("60"),
            json!({"detail": "Rate limit exceeded. Maximum 3 emergency request(s) per minute. Please try again later. Expected available in 60 seconds."})
        )
    );
    assert_eq!(post("10.0.0.9", None, "+919900000015").await.0, 201);
    assert_eq!(
        t.api
            .app
            .db
            .count("SELECT count(*) FROM emergency_requests")
            .await,
        6
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn without_redis_the_rate_limit_lets_requests_through() {
    let api =
        common::Api::start_with(|c| c.common.redis_url = "redis://127.0.0.1:9/0".into()).await;
    for _ in 0..2 {
        let (status, body) = api
            .call(
                Method::POST,
                "/api/v1/emergency/requests/",
                None,
                Some(help("+919900000019")),
            )
            .await;
        assert_eq!(status, 201, "{body}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn dispatch_notifies_the_nearest_available_workers_offering_the_service() {
    let t = Help::dispatching(3).await;
    let plumbing = t.api.service("plumbing", "Plumbing", true).await;
    let electrician = t.api.service("electrician", "Electrician", true).await;
    let near_good = t.worker(1, 1.0, 4.0, true, &[plumbing]).await;
    let near_better = t.worker(2, 1.0, 4.8, true, &[plumbing]).await;
    let further = t.worker(3, 2.5, 5.0, true, &[plumbing, electrician]).await;
    let fourth = t.worker(4, 4.0, 5.0, true, &[plumbing]).await;
    let six_km = t.worker(5, 6.0, 5.0, true, &[plumbing]).await;
    let offline = t.worker(6, 0.5, 5.0, false, &[plumbing]).await;
    let other_trade = t.worker(7, 0.3, 5.0, true, &[electrician]).await;

    // E3: auto-assign dispatches at once; the answer is the state after it.
    let mut body = help("+919900000020");
    body["service_id"] = json!(plumbing);
    let (id, created) = t.asked(None, body).await;
    assert_eq!(
        (&created["status"], &created["dispatch_status"]),
        (&json!("dispatched"), &json!("queued"))
    );
    let order = [near_better.profile, near_good.profile, further.profile];
    let metadata = &created["metadata"];
    assert_eq!(
        (
            &metadata["candidates_notified"],
            &metadata["notified_worker_ids"],
            &metadata["search_radius_km"]
        ),
        (&json!(3), &json!(order), &json!(5.0))
    );
    for key in ["dispatch_processed_at", "dispatch_queued_at"] {
        assert!(metadata[key].as_str().unwrap().ends_with("+00:00"), "{key}");
    }
    assert_eq!(t.stored(&id).await.2, *metadata);
    let mut logs = t.logs(&id).await;
    logs.sort_by(|a, b| {
        a.3["distance_km"]
            .as_f64()
            .partial_cmp(&b.3["distance_km"].as_f64())
            .unwrap()
    });
    let notified: Vec<Uuid> = logs.iter().map(|l| l.0).collect();
    for worker in [&fourth, &six_km, &offline, &other_trade] {
        assert!(!notified.contains(&worker.profile), "never notified");
    }
    assert_eq!(logs.len(), 3);
    assert!(logs.iter().all(|l| l.1 == "notified" && !l.2));
    let raw: Vec<&Value> = logs.iter().map(|l| &l.3).collect();
    assert_eq!(
        raw[2],
        &json!({"distance_km": 2.5, "worker_rating": 5.0, "search_radius_km": 5.0})
    );
    // jobs.emergency.dispatched names them, nearest and best rated first.
    let dispatched = t.events(types::EMERGENCY_DISPATCHED).await;
    assert_eq!(dispatched.len(), 1);
    let candidates: Vec<(Value, f64)> = dispatched[0]["candidates"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| (c["worker_id"].clone(), c["distance_km"].as_f64().unwrap()))
        .collect();
    assert_eq!(
        candidates,
        [
            (json!(near_better.profile), 1.0),
            (json!(near_good.profile), 1.0),
            (json!(further.profile), 2.5)
        ]
    );
    assert_eq!(
        (&dispatched[0]["status"], &dispatched[0]["service_name"]),
        (&json!("dispatched"), &json!("Plumbing"))
    );
    assert!(dispatched[0]["candidates"][0]["worker_user_id"].is_string());

    // Without a service every trade counts: the electrician 0.3 km away comes first.
    let (id, _) = t.asked(None, help("+919900000021")).await;
    let ids = t.stored(&id).await.2["notified_worker_ids"].clone();
    assert_eq!(
        ids,
        json!([other_trade.profile, near_better.profile, near_good.profile])
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_request_nobody_is_near_stays_open_and_says_why() {
    let t = Help::dispatching(5).await;
    t.worker(1, 6.0, 5.0, true, &[]).await;
    let (id, created) = t.asked(None, help("+919900000030")).await;
    assert_eq!(
        (&created["status"], &created["dispatch_status"]),
        (&json!("open"), &json!("queued"))
    );
    let metadata = &created["metadata"];
    assert_eq!(
        (&metadata["dispatch_failed"], &metadata["failure_reason"]),
        (&json!(true), &json!("No available workers in radius"))
    );
    assert!(
        metadata["dispatch_failed_at"].is_string() && metadata["dispatch_queued_at"].is_string()
    );
    assert!(t.logs(&id).await.is_empty());
    assert!(t.events(types::EMERGENCY_DISPATCHED).await.is_empty());
    // Nobody was asked: it is escalated at once, so admins hear of it now.
    assert_eq!(
        (
            &metadata["escalation_needed"],
            &metadata["escalation_reason"]
        ),
        (&json!(true), &json!("No available workers in radius"))
    );
    let escalated = t.events(types::EMERGENCY_ESCALATED).await;
    assert_eq!(escalated.len(), 1);
    assert_eq!(
        (
            &escalated[0]["emergency_id"],
            &escalated[0]["escalation_reason"],
            &escalated[0]["timed_out"]
        ),
        (
            &json!(id),
            &json!("No available workers in radius"),
            &json!(false)
        )
    );
    // With auto-assign off nothing is dispatched at all.
    let off = Help::start().await;
    off.worker(1, 0.1, 5.0, true, &[]).await;
    let (id, created) = off.asked(None, help("+919900000031")).await;
    assert_eq!(
        (
            &created["status"],
            &created["dispatch_status"],
            &created["metadata"]
        ),
        (&json!("open"), &json!("manual"), &json!({}))
    );
    assert!(off.logs(&id).await.is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn of_twenty_workers_accepting_at_once_exactly_one_wins() {
    let t = Help::dispatching(20).await;
    let mut workers = Vec::new();
    for n in 0..20 {
        workers.push(t.worker(n, 0.1 + f64::from(n) * 0.2, 4.0, true, &[]).await);
    }
    let (id, created) = t.asked(None, help("+919900000040")).await;
    assert_eq!(created["metadata"]["candidates_notified"], 20);
    let answers =
        futures_util::future::join_all(workers.iter().map(|w| t.act(&id, "accept", &w.token)))
            .await;
    let winners: Vec<usize> = answers
        .iter()
        .enumerate()
        .filter(|(_, (status, _))| *status == 200)
        .map(|(i, _)| i)
        .collect();
    assert_eq!(winners.len(), 1, "{answers:?}");
    let taken = json!({"error": "Emergency already assigned or resolved"});
    let losers = answers
        .iter()
        .filter(|(status, body)| *status == 400 && *body == taken)
        .count();
    assert_eq!(losers, 19, "{answers:?}");
    let winner = &workers[winners[0]];
    let (_, body) = &answers[winners[0]];
    // E4: the answer and the stored request name the winner.
    assert_eq!(
        (&body["status"], &body["assigned_worker"]),
        (&json!("accepted"), &json!(winner.profile))
    );
    assert_eq!(
        body["assigned_worker_name"],
        format!("Worker {}", winners[0])
    );
    assert!(body["metadata"]["accepted_at"]
        .as_str()
        .unwrap()
        .ends_with("+00:00"));
    let (status, assigned, _) = t.stored(&id).await;
    assert_eq!(
        (status.as_str(), assigned),
        ("accepted", Some(winner.profile))
    );
    for (worker, status, answered, _) in t.logs(&id).await {
        if worker == winner.profile {
            assert_eq!((status.as_str(), answered), ("accepted", true));
        } else {
            assert_eq!((status.as_str(), answered), ("notified", false));
        }
    }
    let accepted = t.events(types::EMERGENCY_ACCEPTED).await;
    assert_eq!(accepted.len(), 1);
    assert_eq!(
        (
            &accepted[0]["worker_id"],
            &accepted[0]["worker_name"],
            &accepted[0]["previous_status"],
            &accepted[0]["created_by"]
        ),
        (
            &json!(winner.profile),
            &json!(format!("Worker {}", winners[0])),
            &json!("dispatched"),
            &Value::Null
        )
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn workers_answer_what_they_were_notified_about() {
    let t = Help::dispatching(3).await;
    let first = t.worker(1, 1.0, 4.0, true, &[]).await;
    let second = t.worker(2, 2.0, 4.0, true, &[]).await;
    let third = t.worker(3, 3.0, 4.0, true, &[]).await;
    let stranger = t.worker(4, 9.0, 4.0, true, &[]).await;
    let (creator_id, creator) = t
        .api
        .user("+919000000001", Role::Employer, "Amit", "Verma")
        .await;
    let (id, _) = t.asked(Some(&creator), help("+919000000001")).await;

    // Not notified: the request does not exist for them. The creator sees it but is no worker.
    let missing = json!({"detail": "No EmergencyRequest matches the given query."});
    assert_eq!(
        t.act(&id, "accept", &stranger.token).await,
        (404, missing.clone())
    );
    assert_eq!(
        t.act(&id, "accept", &creator).await,
        (403, json!({"error": "Only workers can accept emergencies"}))
    );
    assert_eq!(
        t.act(&id, "decline", &creator).await,
        (
            403,
            json!({"error": "Only workers can decline emergencies"})
        )
    );
    assert_eq!(
        t.act("nope", "accept", &first.token).await,
        (404, json!({"detail": "Not found."}))
    );
    let unknown = Uuid::new_v4().to_string();
    assert_eq!(
        t.act(&unknown, "decline", &first.token).await,
        (404, missing)
    );

    // E5: a decline changes the worker's log, not the request; a second one finds nothing pending.
    let (status, body) = t.act(&id, "decline", &second.token).await;
    assert_eq!(
        (status, body),
        (200, json!({"status": "declined", "emergency_id": id}))
    );
    assert_eq!(
        t.act(&id, "decline", &second.token).await,
        (404, json!({"error": "No pending notification found"}))
    );
    assert_eq!(t.stored(&id).await.0, "dispatched");
    let declined = t.events(types::EMERGENCY_DECLINED).await;
    assert_eq!(declined.len(), 1);
    assert_eq!(
        (&declined[0]["worker_id"], &declined[0]["status"]),
        (&json!(second.profile), &json!("dispatched"))
    );

    // E4, then nobody else can accept; a decline after that still records the answer.
    let (status, body) = t.act(&id, "accept", &first.token).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(
        t.act(&id, "accept", &third.token).await,
        (
            400,
            json!({"error": "Emergency already assigned or resolved"})
        )
    );
    let accepted = t.events(types::EMERGENCY_ACCEPTED).await;
    assert_eq!(accepted[0]["created_by"], json!(creator_id));
    let logs = t.logs(&id).await;
    let status_of = |w: Uuid| {
        logs.iter()
            .find(|l| l.0 == w)
            .map(|l| (l.1.clone(), l.2))
            .unwrap()
    };
    assert_eq!(status_of(first.profile), ("accepted".into(), true));
    assert_eq!(status_of(second.profile), ("declined".into(), true));
    assert_eq!(status_of(third.profile), ("notified".into(), false));

    // A cancelled request is past accepting.
    let (other, _) = t.asked(None, help("+919900000050")).await;
    let path = format!("/api/v1/emergency/requests/{other}/status/");
    let (status, _) = t
        .call(
            Method::PATCH,
            &path,
            Some(&t.admin),
            Some(json!({"status": "cancelled"})),
        )
        .await;
    assert_eq!(status, 200);
    assert_eq!(
        t.act(&other, "accept", &third.token).await,
        (
            400,
            json!({"error": "Emergency already assigned or resolved"})
        )
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn each_caller_sees_only_their_requests() {
    let t = Help::dispatching(1).await;
    let worker = t.worker(1, 1.0, 4.0, true, &[]).await;
    let other_worker = t.worker(2, 2.0, 4.0, true, &[]).await;
    let (_, amit) = t
        .api
        .user("+919000000001", Role::Employer, "Amit", "Verma")
        .await;
    let (_, sita) = t
        .api
        .user("+919000000002", Role::Employer, "Sita", "Devi")
        .await;
    let (vikram_id, vikram) = t
        .api
        .user("+919000000003", Role::Contractor, "Vikram", "Singh")
        .await;
    let contractor = t.api.contractor_profile(vikram_id).await;
    let (mine, _) = t.asked(Some(&amit), help("+919000000001")).await;
    let mut low = help("+919900000060");
    low["urgency_level"] = json!("low");
    let (anonymous, _) = t.asked(None, low).await;

    let list = |token: String, query: &'static str| {
        let t = &t;
        async move {
            let path = format!("/api/v1/emergency/requests/{query}");
            let (status, body) = t.call(Method::GET, &path, Some(&token), None).await;
            assert_eq!(status, 200, "{body}");
            body
        }
    };
    let ids = |page: &Value| -> Vec<String> {
        page["results"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| r["id"].as_str().unwrap().to_owned())
            .collect()
    };
    // Admins see all, newest first, with P-STD and the filters.
    let all = list(t.admin.clone(), "").await;
    assert_eq!(
        (&all["count"], &all["next_page"], &all["prev_page"]),
        (&json!(2), &Value::Null, &Value::Null)
    );
    assert_eq!(ids(&all), [anonymous.clone(), mine.clone()]);
    assert_eq!(
        ids(&list(t.admin.clone(), "?urgency_level=low").await),
        std::slice::from_ref(&anonymous)
    );
    assert_eq!(
        ids(&list(t.admin.clone(), "?status=dispatched&per_page=1").await).len(),
        1
    );
    let (status, body) = t
        .call(
            Method::GET,
            "/api/v1/emergency/requests/?status=lost",
            Some(&t.admin),
            None,
        )
        .await;
    assert_eq!(
        (status, body),
        (
            400,
            json!({"status": ["Select a valid choice. lost is not one of the available choices."]})
        )
    );
    // The creator sees theirs, others nothing; the nearest worker was notified of both.
    assert_eq!(
        ids(&list(amit.clone(), "").await),
        std::slice::from_ref(&mine)
    );
    assert_eq!(list(sita.clone(), "").await["count"], 0);
    assert_eq!(ids(&list(worker.token.clone(), "").await).len(), 2);
    assert_eq!(list(other_worker.token.clone(), "").await["count"], 0);
    let detail = |token: String, id: String| {
        let t = &t;
        async move {
            t.call(
                Method::GET,
                &format!("/api/v1/emergency/requests/{id}/"),
                Some(&token),
                None,
            )
            .await
        }
    };
    let (status, _) = detail(sita.clone(), mine.clone()).await;
    assert_eq!(status, 404);
    let (status, _) = detail(other_worker.token.clone(), mine.clone()).await;
    assert_eq!(status, 404);
    // The detail: no assigned worker's phone, the dispatch logs with the worker's name and phone.
    let (status, shown) = detail(amit.clone(), mine.clone()).await;
    assert_eq!(status, 200, "{shown}");
    assert!(shown.get("assigned_worker_phone").is_none());
    let log = &shown["dispatch_logs"][0];
    assert_eq!(
        (
            &log["emergency"],
            &log["emergency_contact"],
            &log["worker"],
            &log["worker_name"],
            &log["worker_phone"],
            &log["status"]
        ),
        (
            &json!(mine),
            &json!("+919000000001"),
            &json!(worker.profile),
            &json!("Worker 1"),
            &json!("+919876500001"),
            &json!("notified")
        )
    );
    assert_eq!(log["raw_response"]["distance_km"], 1.0);
    // A contractor sees what is escalated to them.
    assert_eq!(list(vikram.clone(), "").await["count"], 0);
    let path = format!("/api/v1/emergency/requests/{anonymous}/escalate/");
    let (status, body) = t
        .call(
            Method::POST,
            &path,
            Some(&t.admin),
            Some(json!({"contractor_id": contractor})),
        )
        .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(
        ids(&list(vikram, "").await),
        std::slice::from_ref(&anonymous)
    );
    // The assigned worker keeps seeing it; nobody signed out sees anything.
    let (status, _) = t.act(&mine, "accept", &worker.token).await;
    assert_eq!(status, 200);
    let (status, _) = detail(worker.token.clone(), mine.clone()).await;
    assert_eq!(status, 200);
    let (status, _) = t
        .call(Method::GET, "/api/v1/emergency/requests/", None, None)
        .await;
    assert_eq!(status, 401);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn admins_alone_change_edit_escalate_and_delete() {
    let t = Help::start().await;
    let (admin_id, admin) = t
        .api
        .user("+919111111111", Role::Admin, "Asha", "Admin")
        .await;
    let (_, amit) = t
        .api
        .user("+919000000001", Role::Employer, "Amit", "Verma")
        .await;
    let (id, _) = t.asked(Some(&amit), help("+919000000001")).await;
    let path = format!("/api/v1/emergency/requests/{id}/");
    let status_path = format!("{path}status/");

    // Non-admins: 403 (API §8.6's body for the status, before the body is even read).
    let denied = json!({"detail": "You do not have permission to perform this action."});
    let (status, body) = t
        .call(
            Method::PATCH,
            &status_path,
            Some(&amit),
            Some(json!({"status": "nonsense"})),
        )
        .await;
    assert_eq!(
        (status, body),
        (403, json!({"error": "Admin access required"}))
    );
    for (method, body) in [
        (Method::PUT, Some(help("+919000000001"))),
        (Method::PATCH, Some(json!({"address": "Elsewhere"}))),
        (Method::DELETE, None),
    ] {
        assert_eq!(
            t.call(method, &path, Some(&amit), body).await,
            (403, denied.clone())
        );
    }
    let escalate = format!("{path}escalate/");
    assert_eq!(
        t.call(Method::POST, &escalate, Some(&amit), None).await,
        (403, denied)
    );

    // E6: admins list, and set the status with notes.
    let (status, _) = t
        .call(
            Method::GET,
            "/api/v1/emergency/requests/",
            Some(&admin),
            None,
        )
        .await;
    assert_eq!(status, 200);
    let (status, body) = t
        .call(
            Method::PATCH,
            &status_path,
            Some(&admin),
            Some(json!({"status": "lost"})),
        )
        .await;
    assert_eq!(
        (status, body),
        (400, json!({"status": ["\"lost\" is not a valid choice."]}))
    );
    let (status, body) = t
        .call(
            Method::PATCH,
            &status_path,
            Some(&admin),
            Some(json!({"status": "resolved", "notes": "Resolved by admin"})),
        )
        .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["status"], "resolved");
    let note = &body["metadata"]["status_notes"][0];
    assert_eq!(
        (
            &note["from_status"],
            &note["to_status"],
            &note["notes"],
            &note["updated_by"]
        ),
        (
            &json!("open"),
            &json!("resolved"),
            &json!("Resolved by admin"),
            &json!("+919111111111")
        )
    );
    assert!(note["timestamp"].as_str().unwrap().ends_with("+00:00"));
    assert_eq!(t.stored(&id).await.0, "resolved");
    let changed = t.events(types::EMERGENCY_STATUS_CHANGED).await;
    assert_eq!(
        (
            &changed[0]["previous_status"],
            &changed[0]["status"],
            &changed[0]["notes"],
            &changed[0]["actor_id"]
        ),
        (
            &json!("open"),
            &json!("resolved"),
            &json!("Resolved by admin"),
            &json!(admin_id)
        )
    );
    // A resolved request stays resolved (a note on it is still taken); nor is it escalated.
    let (status, body) = t
        .call(
            Method::PATCH,
            &status_path,
            Some(&admin),
            Some(json!({"status": "open"})),
        )
        .await;
    assert_eq!(
        (status, body),
        (
            400,
            json!({"error": "This emergency is resolved; its status can no longer change."})
        )
    );
    let (status, body) = t
        .call(
            Method::PATCH,
            &status_path,
            Some(&admin),
            Some(json!({"status": "resolved", "notes": "Called back"})),
        )
        .await;
    assert_eq!(status, 200);
    assert_eq!(
        body["metadata"]["status_notes"].as_array().unwrap().len(),
        2
    );
    assert_eq!(
        t.call(Method::POST, &escalate, Some(&admin), None).await.0,
        400
    );

    // Edits change the details, never the status.
    let (other, _) = t.asked(None, help("+919900000070")).await;
    let other_path = format!("/api/v1/emergency/requests/{other}/");
    let (status, body) = t
        .call(
            Method::PATCH,
            &other_path,
            Some(&admin),
            Some(json!({"address": "Gate 2, Lucknow", "status": "resolved", "urgency_level": "medium"})),
        )
        .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(
        (
            &body["address_text"],
            &body["status"],
            &body["urgency_level"],
            &body["contact_phone"]
        ),
        (
            &json!("Gate 2, Lucknow"),
            &json!("open"),
            &json!("medium"),
            &json!("+919900000070")
        )
    );
    let (status, body) = t
        .call(
            Method::PUT,
            &other_path,
            Some(&admin),
            Some(json!({"address": "X"})),
        )
        .await;
    assert_eq!(status, 400, "{body}");
    assert!(body.get("contact_phone").is_some() && body.get("location").is_some());

    // Escalation by hand, to a contractor that must exist.
    let other_escalate = format!("{other_path}escalate/");
    let unknown = Uuid::new_v4();
    let (status, body) = t
        .call(
            Method::POST,
            &other_escalate,
            Some(&admin),
            Some(json!({"contractor_id": unknown})),
        )
        .await;
    assert_eq!(
        (status, body),
        (
            400,
            json!({"contractor_id": [format!("Invalid pk \"{unknown}\" - object does not exist.")]})
        )
    );
    let (vikram, _) = t.api.app.token(Role::Contractor);
    let contractor = t.api.contractor_profile(vikram).await;
    let (status, body) = t
        .call(
            Method::POST,
            &other_escalate,
            Some(&admin),
            Some(json!({"contractor_id": contractor})),
        )
        .await;
    assert_eq!(status, 200, "{body}");
    let metadata = &body["metadata"];
    assert_eq!(
        (
            &metadata["escalation_needed"],
            &metadata["escalation_reason"],
            &metadata["escalated_by"],
            &body["assigned_contractor"]
        ),
        (
            &json!(true),
            &json!("Manual escalation from admin"),
            &json!("+919111111111"),
            &json!(contractor)
        )
    );
    assert!(metadata["escalated_at"].is_string());
    let escalated = t.events(types::EMERGENCY_ESCALATED).await;
    assert_eq!(
        (
            &escalated[0]["timed_out"],
            &escalated[0]["escalation_reason"],
            &escalated[0]["assigned_contractor_id"]
        ),
        (
            &json!(false),
            &json!("Manual escalation from admin"),
            &json!(contractor)
        )
    );

    // The back office lists them; deleting one removes it.
    let (status, listed) = t
        .call(
            Method::GET,
            "/api/v1/admin/jobs/emergencies/?status=open",
            Some(&admin),
            None,
        )
        .await;
    assert_eq!(status, 200, "{listed}");
    assert_eq!(listed["count"], 1);
    let row = &listed["results"][0];
    assert_eq!(
        (
            &row["id"],
            &row["escalation_needed"],
            &row["workers_notified"],
            &row["location_lat"]
        ),
        (&json!(other), &json!(true), &json!(0), &json!(26.8467))
    );
    assert_eq!(
        t.call(Method::DELETE, &other_path, Some(&admin), None)
            .await
            .0,
        204
    );
    assert_eq!(
        t.call(Method::GET, &other_path, Some(&admin), None).await.0,
        404
    );
    assert_eq!(
        t.call(Method::DELETE, &other_path, Some(&admin), None)
            .await
            .0,
        404
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_sweep_escalates_what_nobody_accepted_once() {
    // The background sweep is slow here; the test sweeps itself.
    let t = Help::with(|e| {
        e.auto_assign = true;
        e.response_timeout = Duration::from_secs(1);
        e.sweep_interval = Duration::from_secs(3600);
    })
    .await;
    let first = t.worker(1, 1.0, 4.0, true, &[]).await;
    let second = t.worker(2, 2.0, 4.0, true, &[]).await;
    let (late, _) = t.asked(None, help("+919900000080")).await;
    let (taken, _) = t.asked(None, help("+919900000081")).await;
    assert_eq!(t.act(&taken, "accept", &first.token).await.0, 200);
    assert_eq!(t.act(&late, "decline", &second.token).await.0, 200);
    let timeout = Duration::from_secs(1);
    // Not yet.
    let swept = emergency::sweep(&mut t.conn().await, timeout)
        .await
        .unwrap();
    assert!(swept.is_empty());
    tokio::time::sleep(Duration::from_millis(1200)).await;
    let swept = emergency::sweep(&mut t.conn().await, timeout)
        .await
        .unwrap();
    assert_eq!(
        swept,
        [Uuid::parse_str(&late).unwrap()],
        "the accepted one is not escalated"
    );
    let (status, _, metadata) = t.stored(&late).await;
    assert_eq!(status, "dispatched");
    assert_eq!(
        (
            &metadata["escalation_needed"],
            &metadata["escalation_reason"]
        ),
        (&json!(true), &json!("No worker acceptance within timeout"))
    );
    assert!(metadata["timed_out_at"]
        .as_str()
        .unwrap()
        .ends_with("+00:00"));
    let logs = t.logs(&late).await;
    let status_of = |w: Uuid| logs.iter().find(|l| l.0 == w).map(|l| l.1.clone()).unwrap();
    assert_eq!(
        (status_of(first.profile), status_of(second.profile)),
        ("timeout".to_owned(), "declined".to_owned())
    );
    // Once only.
    assert!(emergency::sweep(&mut t.conn().await, timeout)
        .await
        .unwrap()
        .is_empty());
    let escalated = t.events(types::EMERGENCY_ESCALATED).await;
    assert_eq!(escalated.len(), 1);
    assert_eq!(
        (
            &escalated[0]["emergency_id"],
            &escalated[0]["timed_out"],
            &escalated[0]["escalation_reason"]
        ),
        (
            &json!(late),
            &json!(true),
            &json!("No worker acceptance within timeout")
        )
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_service_sweeps_in_the_background() {
    let t = Help::with(|e| {
        e.auto_assign = true;
        e.response_timeout = Duration::from_secs(1);
        e.sweep_interval = Duration::from_secs(1);
    })
    .await;
    t.worker(1, 1.0, 4.0, true, &[]).await;
    let (id, _) = t.asked(None, help("+919900000090")).await;
    let escalated = eventually(Duration::from_secs(10), || async {
        let (_, _, metadata) = t.stored(&id).await;
        (metadata["escalation_needed"] == json!(true)).then_some(())
    })
    .await;
    assert!(escalated.is_some(), "escalated by the service's own sweep");
    tokio::time::sleep(Duration::from_millis(1500)).await;
    assert_eq!(t.events(types::EMERGENCY_ESCALATED).await.len(), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_dispatch_index_follows_workforce_events_in_any_order() {
    let t = Help::dispatching(5).await;
    let others = publisher(&t.api.app.bus);
    let publish = |event: Event| {
        let others = others.clone();
        async move { others.publish(&event, None).await.unwrap() }
    };
    let plumbing = Uuid::new_v4();
    publish(
        Event::new(
            "catalog",
            types::SERVICE_CREATED,
            None,
            ServiceChanged {
                service_id: plumbing,
                slug: "plumbing".into(),
                name: "Plumbing".into(),
                title_en: "Plumbing".into(),
                title_hi: String::new(),
                category: String::new(),
                is_active: true,
                display_order: 1,
                aliases: Vec::new(),
            },
        )
        .into_json()
        .unwrap(),
    )
    .await;
    let (profile, user) = (Uuid::new_v4(), Uuid::new_v4());
    let start = Utc::now() - chrono::Duration::minutes(10);
    let at = |minutes: i64| start + chrono::Duration::minutes(minutes);
    let stamped = |kind: &str, minutes: i64, data: Value| {
        let mut event = Event::new("workforce", kind, None, data);
        event.occurred_at = at(minutes);
        event
    };
    let (far_lat, far_lng) = east(20.0);
    let created = ProfileRef {
        profile_id: profile,
        user_id: user,
        profile: Some(
            json!({"id": profile, "user": user, "latitude": format!("{far_lat:.6}"),
                             "longitude": format!("{far_lng:.6}"), "is_available": false, "rating": "4.50"}),
        ),
        service_ids: Some(vec![plumbing]),
        last_seen: None,
    };
    publish(stamped(
        types::WORKER_CREATED,
        0,
        serde_json::to_value(&created).unwrap(),
    ))
    .await;
    // Newer: moved next to Lucknow and available; then, delivered late, an older position far away.
    let (near_lat, near_lng) = east(1.0);
    let moved = |lat: f64, lng: f64, minutes: i64| WorkerLocation {
        profile_id: profile,
        user_id: user,
        lat,
        lng,
        is_available: true,
        at: at(minutes),
    };
    let near = moved(near_lat, near_lng, 5);
    publish(stamped(
        types::WORKER_LOCATION_UPDATED,
        5,
        serde_json::to_value(&near).unwrap(),
    ))
    .await;
    let stale = moved(far_lat, far_lng, 2);
    publish(stamped(
        types::WORKER_LOCATION_UPDATED,
        2,
        serde_json::to_value(&stale).unwrap(),
    ))
    .await;
    let indexed = || async {
        let rows: Vec<Indexed> = dw::table
            .filter(dw::profile_id.eq(profile))
            .select((
                dw::lat,
                dw::lng,
                dw::is_available,
                dw::rating,
                dw::service_ids,
            ))
            .load(&mut t.conn().await)
            .await
            .unwrap();
        rows.into_iter().next()
    };
    let settled = eventually(Duration::from_secs(10), || async {
        let handled = t.api.app.db.count("SELECT count(*) FROM inbox").await;
        (handled == 4).then_some(())
    })
    .await;
    assert!(settled.is_some(), "four events handled");
    assert_eq!(
        indexed().await,
        Some((
            Some(near_lat),
            Some(near_lng),
            true,
            4.5,
            vec![Some(plumbing)]
        ))
    );
    // The index is what dispatch reads: a plumbing emergency in Lucknow reaches the worker.
    let mut body = help("+919900000100");
    body["service_id"] = json!(plumbing);
    let (_, created_request) = t.asked(None, body).await;
    assert_eq!(
        created_request["metadata"]["notified_worker_ids"],
        json!([profile])
    );

    // Offline (newer than everything so far): no longer dispatched; an older toggle changes nothing.
    let toggle = |available: bool, minutes: i64| {
        let data = AvailabilityChanged {
            profile_id: profile,
            user_id: user,
            is_available: available,
            at: at(minutes),
        };
        stamped(
            types::WORKER_AVAILABILITY_CHANGED,
            minutes,
            serde_json::to_value(&data).unwrap(),
        )
    };
    publish(toggle(false, 7)).await;
    publish(toggle(true, 6)).await;
    let offline = eventually(Duration::from_secs(10), || async {
        let handled = t.api.app.db.count("SELECT count(*) FROM inbox").await;
        (handled == 6).then_some(())
    })
    .await;
    assert!(offline.is_some());
    assert!(!indexed().await.unwrap().2, "the older toggle did not win");
    let mut body = help("+919900000101");
    body["service_id"] = json!(plumbing);
    let (_, nobody) = t.asked(None, body).await;
    assert_eq!(nobody["status"], "open");

    // Deleted: gone from the index.
    publish(stamped(
        types::WORKER_DELETED,
        8,
        json!({"profile_id": profile, "user_id": user}),
    ))
    .await;
    let gone = eventually(Duration::from_secs(10), || async {
        indexed().await.is_none().then_some(())
    })
    .await;
    assert!(gone.is_some(), "the deleted worker left the index");

    // Sites: announced, then deleted (a request that named one keeps no site).
    let site = SiteChanged {
        site_id: Uuid::new_v4(),
        contractor_id: Uuid::new_v4(),
        name: "Green Valley".into(),
        is_active: true,
    };
    publish(stamped(
        types::SITE_CREATED,
        9,
        serde_json::to_value(&site).unwrap(),
    ))
    .await;
    let known = eventually(Duration::from_secs(10), || async {
        let n = t.api.app.db.count("SELECT count(*) FROM site_refs").await;
        (n == 1).then_some(())
    })
    .await;
    assert!(known.is_some());
    let mut at_site = help("+919900000102");
    at_site["site_id"] = json!(site.site_id);
    let (id, _) = t.asked(None, at_site).await;
    publish(stamped(
        types::SITE_DELETED,
        10,
        serde_json::to_value(&site).unwrap(),
    ))
    .await;
    let dropped = eventually(Duration::from_secs(10), || async {
        let (status, body) = t
            .call(
                Method::GET,
                &format!("/api/v1/emergency/requests/{id}/"),
                Some(&t.admin),
                None,
            )
            .await;
        (status == 200 && body["site"].is_null()).then_some(())
    })
    .await;
    assert!(dropped.is_some(), "the request keeps no deleted site");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn with_the_feature_off_the_endpoints_do_not_exist() {
    let t = Help::with(|e| e.enabled = false).await;
    let not_found = json!({"detail": "Not found."});
    assert_eq!(
        t.ask(None, help("+919900000110")).await,
        (404, not_found.clone())
    );
    assert_eq!(
        t.call(
            Method::GET,
            "/api/v1/emergency/requests/",
            Some(&t.admin),
            None
        )
        .await,
        (404, not_found.clone())
    );
    let (_, worker) = t.api.app.token(Role::Worker);
    let id = Uuid::new_v4();
    assert_eq!(
        t.act(&id.to_string(), "accept", &worker).await,
        (404, not_found)
    );
    // Authentication still comes first.
    assert_eq!(
        t.call(Method::GET, "/api/v1/emergency/requests/", None, None)
            .await
            .0,
        401
    );
    assert_eq!(
        t.api
            .app
            .db
            .count("SELECT count(*) FROM emergency_requests")
            .await,
        0
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_worker_who_accepted_is_followed_on_their_way() {
    let t = Help::dispatching(2).await;
    let coming = t.worker(1, 1.0, 4.0, true, &[]).await;
    let other = t.worker(2, 2.0, 4.0, true, &[]).await;
    let (creator_id, creator) = t
        .api
        .user("+919000000011", Role::Employer, "Amit", "Verma")
        .await;
    let (id, _) = t.asked(Some(&creator), help("+919000000011")).await;
    let moved = |profile: Uuid, lat: f64| {
        Event::new(
            "workforce",
            types::WORKER_LOCATION_UPDATED,
            None,
            WorkerLocation {
                profile_id: profile,
                user_id: Uuid::new_v4(),
                lat,
                lng: LUCKNOW.1,
                is_available: true,
                at: Utc::now(),
            },
        )
        .into_json()
        .unwrap()
    };
    let bus = publisher(&t.api.app.bus);
    // Before anyone accepted, a move is only the index's.
    bus.publish(&moved(coming.profile, 26.85), None)
        .await
        .unwrap();
    let indexed = eventually(Duration::from_secs(10), || async {
        let lat: Option<f64> = dw::table
            .find(coming.profile)
            .select(dw::lat)
            .first(&mut t.conn().await)
            .await
            .unwrap();
        (lat == Some(26.85)).then_some(())
    })
    .await;
    assert!(
        indexed.is_some(),
        "the move before the acceptance reached the index"
    );
    let (status, _) = t.act(&id, "accept", &coming.token).await;
    assert_eq!(status, 200);
    bus.publish(&moved(other.profile, 26.851), None)
        .await
        .unwrap();
    bus.publish(&moved(coming.profile, 26.852), None)
        .await
        .unwrap();
    let followed = eventually(Duration::from_secs(10), || async {
        let seen = t.events(types::EMERGENCY_LOCATION_UPDATED).await;
        (!seen.is_empty()).then_some(seen)
    })
    .await
    .expect("the accepted worker's move is announced");
    assert_eq!(followed.len(), 1, "{followed:?}");
    assert_eq!(
        (
            &followed[0]["emergency_id"],
            &followed[0]["created_by"],
            &followed[0]["worker_id"],
            &followed[0]["lat"]
        ),
        (
            &json!(id),
            &json!(creator_id),
            &json!(coming.profile),
            &json!(26.852)
        )
    );
    // Resolved: no longer followed.
    let (status, _) = t
        .call(
            Method::PATCH,
            &format!("/api/v1/emergency/requests/{id}/status/"),
            Some(&t.admin),
            Some(json!({"status": "resolved"})),
        )
        .await;
    assert_eq!(status, 200);
    bus.publish(&moved(coming.profile, 26.853), None)
        .await
        .unwrap();
    tokio::time::sleep(Duration::from_millis(800)).await;
    assert_eq!(t.events(types::EMERGENCY_LOCATION_UPDATED).await.len(), 1);
}
