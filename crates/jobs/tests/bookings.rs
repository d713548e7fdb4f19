//! Bookings over HTTP against the real Postgres, Redis and RabbitMQ (TESTS B1–B10): the cash-first rule
//! with payments off and on, visibility, the status machine through the API (allowed, refused, no-op,
//! terminal), assignment, concurrent transitions, and the events other services rely on.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use hm_contracts::Role;
use hm_platform::testing::EventTap;
use reqwest::Method;
use serde_json::{json, Value};
use std::time::Duration;
use uuid::Uuid;

/// A customer, a worker with a profile, a contractor, an admin and the `plumbing` service.
struct World {
    api: common::Api,
    plumbing: Uuid,
    amit: (Uuid, String),
    raju: (Uuid, String),
    raju_profile: Uuid,
    vikram: String,
    admin: String,
}

impl World {
    async fn new(payments: bool) -> World {
        let api = common::Api::start_with(move |c| c.enable_payments = payments).await;
        let plumbing = api.service("plumbing", "Plumbing", true).await;
        let amit = api
            .user("+919000000001", Role::Employer, "Amit", "Verma")
            .await;
        let raju = api
            .user("+919876543210", Role::Worker, "Raju", "Kumar")
            .await;
        let raju_profile = api.worker_profile(raju.0).await;
        let (_, vikram) = api
            .user("+919876543211", Role::Contractor, "Vikram", "Singh")
            .await;
        let admin = api.keys.mint(Uuid::new_v4(), Role::Admin);
        World {
            api,
            plumbing,
            amit,
            raju,
            raju_profile,
            vikram,
            admin,
        }
    }

    async fn book(&self, body: Value) -> (u16, Value) {
        self.api
            .call(
                Method::POST,
                "/api/v1/bookings/",
                Some(&self.amit.1),
                Some(body),
            )
            .await
    }

    async fn status(&self, id: &str, token: &str, status: &str) -> (u16, Value) {
        self.api
            .call(
                Method::PATCH,
                &format!("/api/v1/bookings/{id}/status/"),
                Some(token),
                Some(json!({"status": status})),
            )
            .await
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bookings_are_cash_first_while_online_payments_are_off() {
    let w = World::new(false).await;
    // B6 / B1: no method → cash; the client's status is ignored.
    let (status, b) = w
        .book(json!({"service": w.plumbing, "address": "123 Test Lane", "notes": "Urgent", "status": "completed"}))
        .await;
    assert_eq!(status, 201, "{b}");
    assert_eq!(
        (
            &b["status"],
            &b["address"],
            &b["notes"],
            &b["payment_method"],
            &b["payment_status"],
            &b["payment_note"]
        ),
        (
            &json!("requested"),
            &json!("123 Test Lane"),
            &json!("Urgent"),
            &json!("cash"),
            &json!("n/a"),
            &Value::Null
        )
    );
    // B7 / B8: explicit cash, coordinates at their scale.
    let (_, b) = w
        .book(json!({"service": w.plumbing, "address": "123 Main St", "lat": 28.6, "lng": 77.2, "payment_method": "cash"}))
        .await;
    assert_eq!(
        (
            &b["payment_method"],
            &b["payment_status"],
            &b["lat"],
            &b["lng"]
        ),
        (
            &json!("cash"),
            &json!("n/a"),
            &json!("28.600000"),
            &json!("77.200000")
        )
    );
    // B9: online while payments are off → cash, with the seed README's note.
    let (status, b) = w
        .book(json!({"service": w.plumbing, "address": "123 Main St", "payment_method": "online"}))
        .await;
    assert_eq!(status, 201);
    assert_eq!(
        (
            &b["payment_method"],
            &b["payment_status"],
            &b["payment_note"]
        ),
        (
            &json!("cash"),
            &json!("n/a"),
            &json!("Online payments disabled - auto-converted to cash")
        )
    );
    // Bad input: field errors, nothing stored.
    let before = w.api.app.db.count("SELECT count(*) FROM bookings").await;
    let (status, body) = w
        .book(
            json!({"service": "3", "lat": 91, "payment_method": "card", "estimated_price": "abc"}),
        )
        .await;
    assert_eq!(status, 400);
    assert_eq!(
        body,
        json!({"address": ["This field is required."],
               "lat": ["Ensure this value is less than or equal to 90."],
               "payment_method": ["\"card\" is not a valid choice."],
               "estimated_price": ["A valid number is required."]})
    );
    // A service named by what no service is called: the id error of API §7.2.
    let (status, body) = w.book(json!({"service": "3", "address": "Site 4"})).await;
    assert_eq!(
        (status, body),
        (
            400,
            json!({"service": ["Invalid pk \"3\" - object does not exist."]})
        )
    );
    let unknown = Uuid::new_v4();
    let (status, body) = w.book(json!({"service": unknown, "address": "x"})).await;
    assert_eq!(
        (status, body),
        (
            400,
            json!({"service": [format!("Invalid pk \"{unknown}\" - object does not exist.")]})
        )
    );
    assert_eq!(
        w.api.app.db.count("SELECT count(*) FROM bookings").await,
        before
    );
    assert_eq!(
        w.api
            .app
            .db
            .count("SELECT count(*) FROM bookings WHERE payment_method = 'online'")
            .await,
        0
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn online_bookings_wait_for_payment_when_payments_are_on() {
    let w = World::new(true).await;
    let (status, b) = w
        .book(json!({"service": w.plumbing, "address": "123 Main St", "payment_method": "online"}))
        .await;
    assert_eq!(status, 201);
    assert_eq!(
        (
            &b["payment_method"],
            &b["payment_status"],
            &b["payment_note"]
        ),
        (&json!("online"), &json!("pending"), &Value::Null)
    );
    let (_, b) = w
        .book(json!({"service": w.plumbing, "address": "123 Main St", "payment_method": "none"}))
        .await;
    assert_eq!(
        (&b["payment_method"], &b["payment_status"]),
        (&json!("none"), &json!("n/a"))
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_booking_moves_through_its_status_machine_for_the_right_people_only() {
    let w = World::new(false).await;
    let mut events = EventTap::bind(&w.api.app.bus, "jobs.booking.*").await;
    let (_, b) = w
        .book(json!({"service": w.plumbing, "address": "Flat 402, Powai"}))
        .await;
    let id = b["id"].as_str().unwrap().to_owned();
    let (event, _) = events.next(Duration::from_secs(10)).await.expect("created");
    assert_eq!(event["type"], "jobs.booking.created");
    assert_eq!(
        (
            &event["data"]["actor_name"],
            &event["data"]["service_name"],
            &event["data"]["status"]
        ),
        (
            &json!("Amit Verma"),
            &json!("Plumbing"),
            &json!("requested")
        )
    );

    // Visibility: strangers get 404, as if it did not exist; the worker sees it once assigned.
    let (_, stranger) = w.api.user("+919000007777", Role::Employer, "", "").await;
    let path = format!("/api/v1/bookings/{id}/");
    assert_eq!(
        w.api.call(Method::GET, &path, Some(&stranger), None).await,
        (
            404,
            json!({"detail": "No Booking matches the given query."})
        )
    );
    assert_eq!(
        w.api
            .call(Method::GET, &path, Some(&w.raju.1), None)
            .await
            .0,
        404
    );
    let (_, mine) = w
        .api
        .call(Method::GET, "/api/v1/bookings/", Some(&w.amit.1), None)
        .await;
    assert_eq!(mine["count"], 1);
    let (_, theirs) = w
        .api
        .call(Method::GET, "/api/v1/bookings/", Some(&stranger), None)
        .await;
    assert_eq!(
        (&theirs["count"], &theirs["results"]),
        (&json!(0), &json!([]))
    );

    // Assignment: contractors and admins only (the contractor must see it: the admin assigns here).
    let assign = format!("/api/v1/bookings/{id}/assign/");
    let (status, body) = w
        .api
        .call(
            Method::POST,
            &assign,
            Some(&w.amit.1),
            Some(json!({"worker_id": w.raju_profile})),
        )
        .await;
    assert_eq!(
        (status, body),
        (
            403,
            json!({"error": "Only contractors or admins can assign workers."})
        )
    );
    let (status, body) = w
        .api
        .call(
            Method::POST,
            &assign,
            Some(&w.admin),
            Some(json!({"worker_id": Uuid::new_v4()})),
        )
        .await;
    assert_eq!(
        (status, body),
        (
            404,
            json!({"detail": "No WorkerProfile matches the given query."})
        )
    );
    let (status, assigned) = w
        .api
        .call(
            Method::POST,
            &assign,
            Some(&w.admin),
            Some(json!({"worker_id": w.raju_profile})),
        )
        .await;
    assert_eq!(status, 200, "{assigned}");
    assert_eq!(
        assigned["status"], "confirmed",
        "assigning a requested booking confirms it"
    );
    assert_eq!(assigned["worker"]["id"], json!(w.raju_profile));
    assert_eq!(assigned["user"]["phone"], "+919000000001");
    let pair = events
        .next_by_type(2, Duration::from_secs(10), "assigned and status_changed")
        .await;
    assert_eq!(
        (&pair[0]["type"], &pair[0]["data"]["worker_name"]),
        (&json!("jobs.booking.assigned"), &json!("Raju Kumar"))
    );
    assert_eq!(
        (
            &pair[1]["type"],
            &pair[1]["data"]["previous_status"],
            &pair[1]["data"]["status"]
        ),
        (
            &json!("jobs.booking.status_changed"),
            &json!("requested"),
            &json!("confirmed")
        )
    );
    assert_eq!(
        w.api
            .call(Method::GET, &path, Some(&w.raju.1), None)
            .await
            .0,
        200
    );

    // Refused: the owner cannot send the worker on the way; nobody skips a step.
    let (status, body) = w.status(&id, &w.amit.1, "on_the_way").await;
    assert_eq!(
        (status, body),
        (
            403,
            json!({"error": "Transition from confirmed to on_the_way not allowed for this user."})
        )
    );
    assert_eq!(w.status(&id, &w.admin, "completed").await.0, 403);
    let (status, body) = w.status(&id, &w.raju.1, "flying").await;
    assert_eq!(
        (status, body),
        (
            400,
            json!({"status": ["\"flying\" is not a valid choice."]})
        )
    );
    // Allowed: worker on the way (with an ETA), arrived (worker only, not even an admin), completed.
    let (status, b) = w
        .api
        .call(
            Method::PATCH,
            &format!("/api/v1/bookings/{id}/status/"),
            Some(&w.raju.1),
            Some(json!({"status": "on_the_way", "eta_minutes": 15})),
        )
        .await;
    assert_eq!(
        (status, &b["status"], &b["eta_minutes"]),
        (200, &json!("on_the_way"), &json!(15))
    );
    assert_eq!(w.status(&id, &w.admin, "arrived").await.0, 403);
    assert_eq!(w.status(&id, &w.raju.1, "arrived").await.0, 200);
    // The same status again is a no-op that tells nobody.
    assert_eq!(w.status(&id, &w.raju.1, "arrived").await.0, 200);

    // Five completions at once: one wins, the rest find it done; one `completed` event.
    let racers = (0..5).map(|_| w.status(&id, &w.raju.1, "completed"));
    let results = futures_util::future::join_all(racers).await;
    assert!(
        results
            .iter()
            .all(|(s, b)| *s == 200 && b["status"] == "completed"),
        "{results:?}"
    );
    let completed = w
        .api
        .app
        .db
        .count(&format!(
            "SELECT count(*) FROM outbox WHERE event_type = 'jobs.booking.completed'
               AND envelope->'data'->>'booking_id' = '{id}'"
        ))
        .await;
    assert_eq!(completed, 1);
    // Terminal: even the owner cannot cancel a completed booking.
    let (status, _) = w.status(&id, &w.amit.1, "cancelled").await;
    assert_eq!(status, 403);
    let mut kinds = Vec::new();
    while let Some((event, _)) = events.next(Duration::from_secs(3)).await {
        kinds.push(format!(
            "{}:{}",
            event["type"].as_str().unwrap(),
            event["data"]["status"].as_str().unwrap_or("")
        ));
    }
    // Each exactly once, in whatever order the relay's loops published them (ARCHITECTURE §7).
    let mut expected = [
        "jobs.booking.status_changed:on_the_way",
        "jobs.booking.status_changed:arrived",
        "jobs.booking.status_changed:completed",
        "jobs.booking.completed:",
    ];
    kinds.sort();
    expected.sort();
    assert_eq!(kinds, expected);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn owners_and_contractors_cancel_and_confirm() {
    let w = World::new(false).await;
    // B4: the owner cancels a requested booking.
    let (_, b) = w.book(json!({"service": w.plumbing, "address": "A"})).await;
    let id = b["id"].as_str().unwrap();
    let (status, b) = w.status(id, &w.amit.1, "cancelled").await;
    assert_eq!((status, &b["status"]), (200, &json!("cancelled")));
    // B2: the owner (or a contractor who can see it) confirms; an unrelated worker cannot even see it.
    let (_, b) = w.book(json!({"service": w.plumbing, "address": "B"})).await;
    let id = b["id"].as_str().unwrap();
    assert_eq!(w.status(id, &w.raju.1, "confirmed").await.0, 404);
    assert_eq!(
        w.status(id, &w.vikram, "confirmed").await.0,
        404,
        "not his booking"
    );
    assert_eq!(w.status(id, &w.amit.1, "confirmed").await.0, 200);
    // Edits: the owner, while requested or confirmed; not once on its way.
    let path = format!("/api/v1/bookings/{id}/");
    let (status, edited) = w
        .api
        .call(
            Method::PATCH,
            &path,
            Some(&w.amit.1),
            Some(json!({"notes": "Ring twice", "status": "completed"})),
        )
        .await;
    assert_eq!(
        (status, &edited["notes"], &edited["status"]),
        (200, &json!("Ring twice"), &json!("confirmed"))
    );
    w.api
        .call(
            Method::POST,
            &format!("/api/v1/bookings/{id}/assign/"),
            Some(&w.admin),
            Some(json!({"worker_id": w.raju_profile})),
        )
        .await;
    assert_eq!(w.status(id, &w.raju.1, "on_the_way").await.0, 200);
    let (status, body) = w
        .api
        .call(
            Method::PATCH,
            &path,
            Some(&w.amit.1),
            Some(json!({"notes": "x"})),
        )
        .await;
    assert_eq!(
        (status, body),
        (
            400,
            json!({"error": "This booking is on_the_way and can no longer be edited."})
        )
    );
    let (status, _) = w
        .api
        .call(Method::DELETE, &path, Some(&w.raju.1), None)
        .await;
    assert_eq!(status, 403, "the worker cannot delete it");
    let (status, _) = w
        .api
        .call(Method::DELETE, &path, Some(&w.amit.1), None)
        .await;
    assert_eq!(status, 204);
}

/// What a connection sent: each statement it ran, and how many it prepared for reuse.
#[derive(Debug, Default)]
struct Sent {
    runs: Vec<String>,
    prepared: usize,
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_booking_and_its_event_are_one_statement_prepared_once() {
    use diesel::connection::{Instrumentation, InstrumentationEvent};
    use diesel_async::{AsyncConnection, AsyncPgConnection};
    use hm_jobs::domain::booking::payment_terms;
    use hm_jobs::store::bookings::{self, Editable};
    use hm_jobs::store::outbox::Actor;
    use std::sync::{Arc, Mutex};

    let w = World::new(false).await;
    let mut conn = AsyncPgConnection::establish(&w.api.app.db.url)
        .await
        .unwrap();
    let sent = Arc::new(Mutex::new(Sent::default()));
    let log = sent.clone();
    conn.set_instrumentation(move |event: InstrumentationEvent<'_>| {
        let mut log = log.lock().unwrap();
        match event {
            InstrumentationEvent::StartQuery { query, .. } => log.runs.push(query.to_string()),
            InstrumentationEvent::CacheQuery { .. } => log.prepared += 1,
            _ => {}
        }
    });
    let fields = Editable {
        service_id: w.plumbing,
        address: "Flat 402, Powai".into(),
        lat: Some("19.1".into()),
        notes: Some("Urgent".into()),
        ..Editable::default()
    };
    let mut made = Vec::new();
    for _ in 0..3 {
        let cash = payment_terms(None, false);
        made.push(
            bookings::create(&mut conn, w.amit.0, &fields, cash, Some("r-1".into()))
                .await
                .unwrap(),
        );
    }
    conn.set_instrumentation(None::<Box<dyn Instrumentation>>);
    {
        let sent = sent.lock().unwrap();
        // No BEGIN, no re-read, no separate outbox insert: one statement a booking, one preparation.
        assert_eq!(sent.runs.len(), 3, "{sent:?}");
        assert_eq!(sent.prepared, 1, "{sent:?}");
    }
    // Each booking's event is the one the booking as read back makes, and nothing else was written.
    let client = w.api.app.db.client().await;
    for created in &made {
        let read = bookings::by_id(&mut conn, created.id)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(
            format!("{created:?}"),
            format!("{read:?}"),
            "answered as read back"
        );
        let rows = client
            .query(
                "SELECT envelope::text FROM outbox WHERE envelope->'data'->>'booking_id' = $1",
                &[&created.id.to_string()],
            )
            .await
            .unwrap();
        assert_eq!(rows.len(), 1);
        let stored: Value = serde_json::from_str(rows[0].get(0)).unwrap();
        let owner = Actor {
            id: read.user_id,
            name: read.user_name.clone(),
        };
        let expected = bookings::event(
            "jobs.booking.created",
            &read,
            None,
            &owner,
            Some("r-1".into()),
        );
        assert_eq!(
            stored["data"],
            serde_json::to_value(&expected.data).unwrap()
        );
        assert_eq!(
            (
                &stored["type"],
                &stored["source"],
                &stored["correlation_id"]
            ),
            (
                &json!("jobs.booking.created"),
                &json!("jobs"),
                &json!("r-1")
            )
        );
        assert_eq!(read.user_name, "Amit Verma");
    }
    assert_eq!(w.api.app.db.count("SELECT count(*) FROM outbox").await, 3);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_booking_is_never_stored_without_its_event() {
    let w = World::new(false).await;
    w.api
        .app
        .db
        .sql(
            "CREATE FUNCTION refuse() RETURNS trigger LANGUAGE plpgsql AS
               $$ BEGIN RAISE EXCEPTION 'outbox refused'; END $$;
             CREATE TRIGGER refuse BEFORE INSERT ON outbox FOR EACH ROW EXECUTE FUNCTION refuse();",
        )
        .await;
    let (status, _) = w
        .book(json!({"service": w.plumbing, "address": "123 Main St"}))
        .await;
    assert_eq!(status, 500);
    assert_eq!(w.api.app.db.count("SELECT count(*) FROM bookings").await, 0);
    w.api.app.db.sql("DROP TRIGGER refuse ON outbox").await;
    let (status, b) = w
        .book(json!({"service": w.plumbing, "address": "123 Main St"}))
        .await;
    assert_eq!(status, 201);
    let id = b["id"].as_str().unwrap();
    assert_eq!(w.api.app.db.count("SELECT count(*) FROM bookings").await, 1);
    assert_eq!(
        w.api
            .app
            .db
            .count(&format!(
                "SELECT count(*) FROM outbox WHERE envelope->'data'->>'booking_id' = '{id}'"
            ))
            .await,
        1
    );
}
