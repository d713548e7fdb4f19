//! Whole journeys through the gateway against real processes and real infrastructure (issue #8), then
//! the same journeys under faults. Each step prints how long it took.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use hm_e2e::{infra, Stack, Timer};
use reqwest::Method;
use serde_json::json;

struct Person {
    token: String,
}

struct Worker {
    person: Person,
    profile_id: String,
}

async fn plumbing(stack: &Stack) -> String {
    stack.service_id("plumber").await
}

/// Journey 1: a worker logs in by OTP, creates a profile with skills and location, goes available.
async fn worker_onboards(stack: &Stack, phone: &str) -> Worker {
    let (token, _) = stack.login(phone, "worker").await;
    let (status, profile) = stack
        .call(
            Method::POST,
            "/api/v1/workers/",
            Some(&token),
            Some(
                // As the web client sends them: lower-case names, one the catalog does not have yet.
                json!({"skills": ["electrician", "plumber", "helper"], "price_amount": "600",
                        "price_type": "per_day", "experience_years": 5, "bio": "Plumber, Andheri East"}),
            ),
        )
        .await;
    assert_eq!(status, 201, "worker profile: {profile}");
    assert_eq!(
        profile["services_list"],
        json!(["Electrician", "Plumber", "helper"])
    );
    let (status, located) = stack
        .call(
            Method::POST,
            "/api/v1/workers/me/location/",
            Some(&token),
            Some(json!({"lat": 19.1136, "lng": 72.8697})),
        )
        .await;
    assert_eq!(status, 200, "location: {located}");
    let (status, available) = stack
        .call(
            Method::POST,
            "/api/v1/workers/me/availability/",
            Some(&token),
            Some(json!({"is_available": true})),
        )
        .await;
    assert_eq!((status, &available["is_available"]), (200, &json!(true)));
    // A customer nearby finds them.
    let nearby = stack
        .until(
            "nearby",
            Method::GET,
            "/api/v1/workers/nearby/?lat=19.1200&lng=72.8700&radius_km=5",
            None,
            None,
            |s, _| s == 200,
        )
        .await;
    assert!(
        nearby.to_string().contains(profile["id"].as_str().unwrap()),
        "{nearby}"
    );
    Worker {
        profile_id: profile["id"].as_str().unwrap().to_owned(),
        person: Person { token },
    }
}

/// Journey 2: a contractor logs in, posts a job, the worker applies, the contractor accepts.
async fn contractor_hires(stack: &Stack, phone: &str, worker: &Worker) -> Person {
    let (token, _) = stack.login(phone, "contractor").await;
    let service = plumbing(stack).await;
    let (status, job) = stack
        .call(
            Method::POST,
            "/api/v1/jobs/",
            Some(&token),
            Some(json!({"title": "Bathroom pipe fitting", "description": "Two bathrooms, site in Powai",
                        "service": service, "budget": "4500"})),
        )
        .await;
    assert_eq!(status, 201, "job: {job}");
    let job_id = job["id"].as_str().unwrap();
    // The worker's profile reaches jobs as an event: until then jobs does not know them as a worker.
    let application = stack
        .until(
            "apply",
            Method::POST,
            &format!("/api/v1/jobs/{job_id}/apply/"),
            Some(&worker.person.token),
            None,
            |s, _| s == 201,
        )
        .await;
    let (status, accepted) = stack
        .call(
            Method::POST,
            &format!(
                "/api/v1/jobs/{job_id}/applications/{}/accept/",
                application["id"].as_str().unwrap()
            ),
            Some(&token),
            None,
        )
        .await;
    assert_eq!((status, &accepted["status"]), (200, &json!("accepted")));
    let (_, job) = stack
        .call(Method::GET, &format!("/api/v1/jobs/{job_id}/"), None, None)
        .await;
    assert_eq!(job["status"], "assigned");
    Person { token }
}

/// Journey 3, first half: `customer` books plumbing online while payments are off (it becomes cash), and
/// assigns the worker (the contractor books for their own site: a booking is only reachable by its
/// owner, its worker and admins, DOMAIN §4.3).
async fn book_and_assign(stack: &Stack, customer: &Person, worker: &Worker) -> String {
    let service = plumbing(stack).await;
    let (status, booking) = stack
        .call(
            Method::POST,
            "/api/v1/bookings/",
            Some(&customer.token),
            Some(
                json!({"service": service, "address": "Site 4, Powai", "payment_method": "online"}),
            ),
        )
        .await;
    assert_eq!(status, 201, "booking: {booking}");
    assert_eq!(
        (&booking["payment_method"], &booking["payment_note"]),
        (
            &json!("cash"),
            &json!("Online payments disabled - auto-converted to cash")
        )
    );
    let id = booking["id"].as_str().unwrap().to_owned();
    let assigned = stack
        .until(
            "assign",
            Method::POST,
            &format!("/api/v1/bookings/{id}/assign/"),
            Some(&customer.token),
            Some(json!({"worker_id": worker.profile_id})),
            |s, _| s == 200,
        )
        .await;
    assert_eq!(assigned["status"], "confirmed");
    id
}

/// Journey 3, second half: the worker moves the booking through to completed.
async fn work_through(stack: &Stack, worker: &Worker, booking: &str) {
    for status in ["on_the_way", "arrived", "completed"] {
        let (code, answer) = stack
            .call(
                Method::PATCH,
                &format!("/api/v1/bookings/{booking}/status/"),
                Some(&worker.person.token),
                Some(json!({"status": status, "eta_minutes": 15})),
            )
            .await;
        assert_eq!((code, &answer["status"]), (200, &json!(status)), "{answer}");
    }
}

/// How many of `token`'s notifications are about `booking`, by title.
async fn booking_titles(stack: &Stack, token: &str, booking: &str) -> Vec<String> {
    let (_, list) = stack
        .call(
            Method::GET,
            "/api/v1/notifications/?page_size=100",
            Some(token),
            None,
        )
        .await;
    let mut titles: Vec<String> = list["results"]
        .as_array()
        .cloned()
        .unwrap_or_default()
        .iter()
        .filter(|n| n["data"]["booking_id"] == booking)
        .map(|n| n["title"].as_str().unwrap_or_default().to_owned())
        .collect();
    titles.sort();
    titles
}

/// Journey 3, the effects: the worker's completed count, everyone's notifications and the timeline —
/// each exactly once.
async fn effects_are_exact(stack: &Stack, customer: &Person, worker: &Worker, booking: &str) {
    stack
        .until(
            "completed count",
            Method::GET,
            "/api/v1/workers/me/",
            Some(&worker.person.token),
            None,
            |s, b| s == 200 && b["total_jobs_completed"] == 1,
        )
        .await;
    let customer_expected: Vec<String> = [
        "Booking Arrived",
        "Booking Completed",
        "Booking Confirmed",
        "Booking On The Way",
        "Booking Requested",
    ]
    .map(String::from)
    .to_vec();
    let worker_expected = vec!["Booking Update".to_owned(); 4];
    let start = std::time::Instant::now();
    loop {
        let c = booking_titles(stack, &customer.token, booking).await;
        let w = booking_titles(stack, &worker.person.token, booking).await;
        if c == customer_expected && w == worker_expected {
            break;
        }
        assert!(
            start.elapsed().as_secs() < 30 && c.len() <= 5 && w.len() <= 4,
            "notifications: customer {c:?}, worker {w:?}"
        );
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    let path = format!("/api/v1/bookings/{booking}/timeline/");
    let timeline = stack
        .until(
            "timeline",
            Method::GET,
            &path,
            Some(&customer.token),
            None,
            |s, b| s == 200 && b["count"].as_u64() >= Some(6),
        )
        .await;
    let mut kinds: Vec<&str> = timeline["events"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["event_type"].as_str().unwrap())
        .collect();
    assert_eq!(kinds[0], "booking_completed", "newest first: {timeline}");
    kinds.sort_unstable();
    assert_eq!(
        kinds,
        [
            "booking_arrived",
            "booking_completed",
            "booking_confirmed",
            "booking_on_the_way",
            "booking_requested",
            "worker_assigned"
        ]
    );
    // The worker reads it too.
    let (status, _) = stack
        .call(Method::GET, &path, Some(&worker.person.token), None)
        .await;
    assert_eq!(status, 200);
    // And nothing more arrives later (no duplicate effect).
    tokio::time::sleep(std::time::Duration::from_millis(500)).await;
    let (_, me) = stack
        .call(
            Method::GET,
            "/api/v1/workers/me/",
            Some(&worker.person.token),
            None,
        )
        .await;
    assert_eq!(me["total_jobs_completed"], 1);
    assert_eq!(
        booking_titles(stack, &customer.token, booking).await,
        customer_expected
    );
}

/// Journey 4: an admin changes the active theme and the next `app-config/` shows it.
async fn admin_changes_the_theme(stack: &Stack) {
    let admin = stack.admin_login().await;
    let (status, theme) = stack
        .call(
            Method::POST,
            "/api/v1/admin/catalog/themes/",
            Some(&admin),
            Some(json!({"name": "Diwali", "primary_color": "#FF9933"})),
        )
        .await;
    assert_eq!(status, 201, "{theme}");
    let (status, _) = stack
        .call(
            Method::POST,
            &format!(
                "/api/v1/admin/catalog/themes/{}/activate/",
                theme["id"].as_str().unwrap()
            ),
            Some(&admin),
            None,
        )
        .await;
    assert_eq!(status, 200);
    let (status, config) = stack
        .call(Method::GET, "/api/v1/app-config/", None, None)
        .await;
    assert_eq!(status, 200);
    assert_eq!(
        (&config["theme"]["name"], &config["theme"]["primary_color"]),
        (&json!("Diwali"), &json!("#FF9933"))
    );
}

/// Journey 3b (API §7.7): on a new booking, the assigned worker posts their position through the gateway;
/// the customer may not; the booking's timeline shows it.
async fn worker_is_tracked(stack: &Stack, customer: &Person, worker: &Worker) {
    let booking = book_and_assign(stack, customer, worker).await;
    let path = format!("/api/v1/tracking/{booking}/");
    let here = json!({"lat": 19.1136, "lng": 72.8697});
    let (status, body) = stack
        .call(
            Method::POST,
            &path,
            Some(&customer.token),
            Some(here.clone()),
        )
        .await;
    assert_eq!(
        (status, body),
        (
            403,
            json!({"error": "Only assigned worker or admin can update location"})
        )
    );
    let (status, body) = stack
        .call(Method::POST, &path, Some(&worker.person.token), Some(here))
        .await;
    assert_eq!(
        (status, &body["status"]),
        (200, &json!("success")),
        "{body}"
    );
    let timeline = stack
        .until(
            "timeline with the position",
            Method::GET,
            &format!("/api/v1/bookings/{booking}/timeline/"),
            Some(&customer.token),
            None,
            |s, b| s == 200 && b.to_string().contains("location_update"),
        )
        .await;
    let update = timeline["events"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["payload"]["event"] == "location_update")
        .unwrap();
    assert_eq!(
        (&update["payload"]["lat"], &update["payload"]["lng"]),
        (&json!(19.1136), &json!(72.8697))
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn the_platform_works_as_one_system() {
    let _total = Timer::start("journeys: total");
    let stack = {
        let _t = Timer::start("journeys: build, migrate, seed, start 7 processes");
        Stack::start().await
    };
    let worker = {
        let _t = Timer::start("journey 1: worker OTP login, profile, available");
        worker_onboards(&stack, "+919811100001").await
    };
    let contractor = {
        let _t = Timer::start("journey 2: contractor posts, worker applies, accepted");
        contractor_hires(&stack, "+919811100002", &worker).await
    };
    {
        let _t = Timer::start("journey 3: booking to completed, all effects");
        // A customer's online booking while payments are off becomes cash.
        let (customer_token, _) = stack.login("+919811100003", "employer").await;
        let service = plumbing(&stack).await;
        let (status, booking) = stack
            .call(
                Method::POST,
                "/api/v1/bookings/",
                Some(&customer_token),
                Some(json!({"service": service, "address": "Flat 12, Bandra", "payment_method": "online"})),
            )
            .await;
        assert_eq!((status, &booking["payment_method"]), (201, &json!("cash")));
        let booking = book_and_assign(&stack, &contractor, &worker).await;
        work_through(&stack, &worker, &booking).await;
        effects_are_exact(&stack, &contractor, &worker, &booking).await;
        // The hiring of journey 2 was told too.
        let (_, list) = stack
            .call(
                Method::GET,
                "/api/v1/notifications/?type=job_assigned",
                Some(&worker.person.token),
                None,
            )
            .await;
        assert_eq!(list["count"], 1, "{list}");
        let (_, list) = stack
            .call(
                Method::GET,
                "/api/v1/notifications/?type=job_application",
                Some(&contractor.token),
                None,
            )
            .await;
        assert_eq!(list["count"], 1, "{list}");
    }
    {
        let _t = Timer::start("journey 3b: the worker shares their live position");
        worker_is_tracked(&stack, &contractor, &worker).await;
    }
    {
        let _t = Timer::start("journey 4: admin activates a theme");
        admin_changes_the_theme(&stack).await;
    }
    {
        let _t = Timer::start("journey 5: the app reports events, an admin reads them");
        events_are_reported(&stack, &worker).await;
    }
}

/// The worker's app sends a screen view and a bulk of searches through the gateway; an admin reads the
/// day's summary, the top services and the export through the gateway.
async fn events_are_reported(stack: &Stack, worker: &Worker) {
    let (status, one) = stack
        .call(
            Method::POST,
            "/api/v1/analytics/events/",
            Some(&worker.person.token),
            Some(json!({"event_type": "page_view", "source": "android", "payload": {"page": "home"}})),
        )
        .await;
    assert_eq!(status, 201, "{one}");
    let (status, bulk) = stack
        .call(
            Method::POST,
            "/api/v1/analytics/events/",
            None,
            Some(json!({"events": [
                {"event_type": "service_search", "anonymous_id": "anon-e2e", "payload": {"service_id": "plumber"}},
                {"event_type": "service_search", "anonymous_id": "anon-e2e", "payload": {"service_id": "plumber"}},
            ]})),
        )
        .await;
    assert_eq!(
        (status, &bulk["events_created"]),
        (201, &json!(2)),
        "{bulk}"
    );
    let admin = stack.admin_login().await;
    let (status, summary) = stack
        .call(
            Method::GET,
            "/api/admin/analytics/daily-summary/",
            Some(&admin),
            None,
        )
        .await;
    assert_eq!(status, 200, "{summary}");
    assert_eq!(summary["total_events"], 3, "{summary}");
    assert_eq!(
        (&summary["unique_users"], &summary["unique_anonymous"]),
        (&json!(1), &json!(1))
    );
    let (_, top) = stack
        .call(
            Method::GET,
            "/api/admin/analytics/top-services/",
            Some(&admin),
            None,
        )
        .await;
    assert_eq!(
        top,
        json!({"top_services": [{"payload__service_id": "plumber", "count": 2}]})
    );
    let csv = stack
        .http()
        .get(stack.url("/api/admin/analytics/export/"))
        .bearer_auth(&admin)
        .send()
        .await
        .unwrap();
    assert_eq!(csv.status(), 200);
    let text = csv.text().await.unwrap();
    assert!(text.starts_with("id,created_at,event_type,"), "{text}");
    assert_eq!(text.matches("\r\n").count(), 4, "{text}");
    // The worker's address as the gateway saw it, not a header the app could forge.
    assert!(text.contains(",127.0.0.1,"), "{text}");
    // Not for a worker.
    let (status, _) = stack
        .call(
            Method::GET,
            "/api/admin/analytics/daily-summary/",
            Some(&worker.person.token),
            None,
        )
        .await;
    assert_eq!(status, 403);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn rabbitmq_restarted_mid_journey_loses_nothing_and_duplicates_nothing() {
    let _total = Timer::start("fault rabbitmq: total");
    let stack = Stack::start().await;
    let worker = worker_onboards(&stack, "+919822200001").await;
    let (token, _) = stack.login("+919822200002", "contractor").await;
    let contractor = Person { token };
    let booking = book_and_assign(&stack, &contractor, &worker).await;
    {
        let _t = Timer::start("fault rabbitmq: broker down while the work goes on");
        infra::rabbitmq_stop();
        // The outbox keeps the events: requests succeed while the broker is away.
        work_through(&stack, &worker, &booking).await;
        infra::rabbitmq_start();
    }
    let _t = Timer::start("fault rabbitmq: every effect once after the restart");
    effects_are_exact(&stack, &contractor, &worker, &booking).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn redis_restarted_requests_keep_being_served_and_limits_resume() {
    let _total = Timer::start("fault redis: total");
    let stack = Stack::start().await;
    let worker = worker_onboards(&stack, "+919833300001").await;
    {
        let _t = Timer::start("fault redis: served while Redis is down");
        infra::redis_stop();
        for path in [
            "/api/v1/services/",
            "/api/v1/app-config/",
            "/api/v1/workers/nearby/?lat=19.11&lng=72.87",
        ] {
            let (status, body) = stack.call(Method::GET, path, None, None).await;
            assert_eq!(status, 200, "{path}: {body}");
        }
        let (status, me) = stack
            .call(
                Method::GET,
                "/api/v1/workers/me/",
                Some(&worker.person.token),
                None,
            )
            .await;
        assert_eq!((status, &me["id"]), (200, &json!(worker.profile_id)));
        // OTP challenges live in Redis: refused cleanly, never a 500.
        let (status, body) = stack
            .call(
                Method::POST,
                "/api/v1/auth/request-otp/",
                None,
                Some(json!({"phone": "+919833300002"})),
            )
            .await;
        assert_eq!(status, 503, "{body}");
        infra::redis_start();
    }
    let _t = Timer::start("fault redis: logins and limits resume");
    let (token, _) = stack.login("+919833300003", "worker").await;
    assert!(!token.is_empty());
    // The per-phone OTP limit (1 a minute) is enforced again.
    let (status, body) = stack
        .call(
            Method::POST,
            "/api/v1/auth/request-otp/",
            None,
            Some(json!({"phone": "+919833300003"})),
        )
        .await;
    assert_eq!(
        (status, body),
        (
            429,
            json!({"error": "Too many requests. Please wait a minute."})
        )
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_killed_service_is_a_503_until_it_is_back() {
    let _total = Timer::start("fault service killed: total");
    let mut stack = Stack::start().await;
    let (token, _) = stack.login("+919844400001", "employer").await;
    let (status, _) = stack
        .call(Method::GET, "/api/v1/bookings/", Some(&token), None)
        .await;
    assert_eq!(status, 200);
    stack.kill("jobs");
    let (status, body) = stack
        .call(Method::GET, "/api/v1/bookings/", Some(&token), None)
        .await;
    assert_eq!(status, 503, "{body}");
    // The rest of the platform is unaffected.
    let (status, _) = stack
        .call(Method::GET, "/api/v1/services/", None, None)
        .await;
    assert_eq!(status, 200);
    {
        let _t = Timer::start("fault service killed: restart until served");
        stack.restart("jobs").await;
        stack
            .until(
                "bookings back",
                Method::GET,
                "/api/v1/bookings/",
                Some(&token),
                None,
                |s, _| s == 200,
            )
            .await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn dropped_postgres_connections_are_replaced_by_the_pools() {
    let _total = Timer::start("fault postgres: total");
    let stack = Stack::start().await;
    let worker = worker_onboards(&stack, "+919855500001").await;
    let (token, _) = stack.login("+919855500002", "contractor").await;
    let customer = Person { token };
    let dropped = stack.drop_db_connections().await;
    assert!(dropped > 0, "the services held connections");
    // The very next requests are served: pools verify a connection before handing it out.
    let (status, me) = stack
        .call(
            Method::GET,
            "/api/v1/workers/me/",
            Some(&worker.person.token),
            None,
        )
        .await;
    assert_eq!(status, 200, "{me}");
    let booking = book_and_assign(&stack, &customer, &worker).await;
    work_through(&stack, &worker, &booking).await;
    // And the outbox relays and consumers reconnected: every effect arrives once.
    effects_are_exact(&stack, &customer, &worker, &booking).await;
}
