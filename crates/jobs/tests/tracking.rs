//! Live tracking over HTTP against the real Postgres, Redis and RabbitMQ (API §7.7): validation with
//! DRF's messages, 404 and 403, the assigned worker's and an admin's positions recorded on the booking
//! and announced, and at most one position per booking and user every 2 s.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use chrono::{DateTime, Utc};
use diesel::{ExpressionMethods, QueryDsl};
use diesel_async::{AsyncConnection, AsyncPgConnection, RunQueryDsl};
use hm_contracts::Role;
use hm_jobs::schema::bookings;
use hm_platform::testing::EventTap;
use reqwest::Method;
use serde_json::{json, Value};
use std::time::Duration;
use uuid::Uuid;

/// A booking of Amit's assigned to Raju, and who else is around.
struct Tracked {
    api: common::Api,
    booking: String,
    amit: String,
    raju: String,
    raju_profile: Uuid,
    stranger: String,
    admin: String,
}

impl Tracked {
    async fn new() -> Tracked {
        let api = common::Api::start().await;
        let plumbing = api.service("plumbing", "Plumbing", true).await;
        let (_, amit) = api
            .user("+919000000001", Role::Employer, "Amit", "Verma")
            .await;
        let (raju_id, raju) = api
            .user("+919876543210", Role::Worker, "Raju", "Kumar")
            .await;
        let raju_profile = api.worker_profile(raju_id).await;
        let (_, stranger) = api
            .user("+919876543299", Role::Worker, "Sita", "Devi")
            .await;
        let admin = api.keys.mint(Uuid::new_v4(), Role::Admin);
        let (status, booked) = api
            .call(
                Method::POST,
                "/api/v1/bookings/",
                Some(&amit),
                Some(json!({"service": plumbing, "address": "123 Test Lane"})),
            )
            .await;
        assert_eq!(status, 201, "{booked}");
        let booking = booked["id"].as_str().unwrap().to_owned();
        let (status, assigned) = api
            .call(
                Method::POST,
                &format!("/api/v1/bookings/{booking}/assign/"),
                Some(&admin),
                Some(json!({"worker_id": raju_profile})),
            )
            .await;
        assert_eq!(status, 200, "{assigned}");
        Tracked {
            api,
            booking,
            amit,
            raju,
            raju_profile,
            stranger,
            admin,
        }
    }

    async fn post(&self, booking: &str, token: &str, body: Value) -> (u16, Value) {
        self.api
            .call(
                Method::POST,
                &format!("/api/v1/tracking/{booking}/"),
                Some(token),
                Some(body),
            )
            .await
    }

    /// The booking's `last_location` and `last_location_time` as stored.
    async fn stored(&self) -> (Option<Value>, Option<DateTime<Utc>>) {
        let mut conn = AsyncPgConnection::establish(&self.api.db.url)
            .await
            .unwrap();
        bookings::table
            .filter(bookings::id.eq(Uuid::parse_str(&self.booking).unwrap()))
            .select((bookings::last_location, bookings::last_location_time))
            .first(&mut conn)
            .await
            .unwrap()
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_positions_get_drf_messages_and_change_nothing() {
    let t = Tracked::new().await;
    let b = t.booking.clone();
    let cases = [
        (
            json!({"lat": 90.5, "lng": 77.2}),
            json!({"lat": ["Ensure this value is less than or equal to 90.0."]}),
        ),
        (
            json!({"lat": 28.6, "lng": -180.5}),
            json!({"lng": ["Ensure this value is greater than or equal to -180.0."]}),
        ),
        (
            json!({"lng": 77.2}),
            json!({"lat": ["This field is required."]}),
        ),
        (
            json!({"lat": "north", "lng": null}),
            json!({"lat": ["A valid number is required."], "lng": ["This field may not be null."]}),
        ),
        (
            json!({"lat": 28.6, "lng": 77.2, "timestamp": null}),
            json!({"timestamp": ["This field may not be null."]}),
        ),
        (
            json!({"lat": 28.6, "lng": 77.2, "timestamp": "2999-01-01T00:00:00Z"}),
            json!({"timestamp": ["Timestamp cannot be in the future"]}),
        ),
    ];
    for (body, errors) in cases {
        let (status, answer) = t.post(&b, &t.raju, body.clone()).await;
        assert_eq!((status, answer), (400, errors), "{body}");
    }
    assert_eq!(t.stored().await, (None, None));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn only_the_assigned_worker_or_an_admin_posts_positions() {
    let t = Tracked::new().await;
    let here = json!({"lat": 28.6139, "lng": 77.209});
    let (status, body) = t
        .post(&Uuid::new_v4().to_string(), &t.raju, here.clone())
        .await;
    assert_eq!(
        (status, body),
        (
            404,
            json!({"detail": "No Booking matches the given query."})
        )
    );
    let (status, body) = t.post("not-a-booking", &t.raju, here.clone()).await;
    assert_eq!((status, body), (404, json!({"detail": "Not found."})));
    let refused = json!({"error": "Only assigned worker or admin can update location"});
    for token in [&t.amit, &t.stranger] {
        let (status, body) = t.post(&t.booking, token, here.clone()).await;
        assert_eq!((status, body), (403, refused.clone()));
    }
    let (status, _) = t
        .api
        .call(
            Method::POST,
            &format!("/api/v1/tracking/{}/", t.booking),
            None,
            Some(here.clone()),
        )
        .await;
    assert_eq!(status, 401);
    assert_eq!(t.stored().await, (None, None));
    let (status, body) = t.post(&t.booking, &t.admin, here).await;
    assert_eq!(status, 200, "{body}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_position_is_recorded_announced_and_throttled_per_booking_and_user() {
    let t = Tracked::new().await;
    let mut events = EventTap::bind(&t.api.app.bus, "jobs.booking.location_updated").await;
    let taken = "2026-01-03T11:05:00Z";
    let (status, body) = t
        .post(
            &t.booking,
            &t.raju,
            json!({"lat": 28.6139, "lng": "77.209", "timestamp": taken}),
        )
        .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(
        body,
        json!({"status": "success", "message": "Location updated", "booking_id": t.booking,
               "location": {"lat": 28.6139, "lng": 77.209,
                            "timestamp": "2026-01-03T16:35:00+05:30"}})
    );
    let (location, time) = t.stored().await;
    assert_eq!(location, Some(json!({"lat": 28.6139, "lng": 77.209})));
    assert_eq!(time, Some(taken.parse::<DateTime<Utc>>().unwrap()));
    let (event, _) = events
        .next(Duration::from_secs(10))
        .await
        .expect("location announced");
    assert_eq!(
        event["data"],
        json!({"booking_id": t.booking, "user_id": event["data"]["user_id"],
               "worker_id": t.raju_profile, "lat": 28.6139, "lng": 77.209,
               "timestamp": "2026-01-03T11:05:00Z", "actor_id": event["data"]["actor_id"],
               "actor_name": "Raju Kumar"})
    );

    // A second position within 2 s: 429 with Retry-After, nothing recorded or announced.
    let (status, body) = t
        .post(&t.booking, &t.raju, json!({"lat": 1.0, "lng": 2.0}))
        .await;
    assert_eq!(
        (status, body),
        (
            429,
            json!({"detail": "Request was throttled. Expected available in 2 seconds."})
        )
    );
    assert_eq!(
        t.stored().await.0,
        Some(json!({"lat": 28.6139, "lng": 77.209}))
    );
    assert!(events.next(Duration::from_millis(500)).await.is_none());
    // Another user (an admin) is throttled apart; after the window Raju posts again.
    let (status, _) = t
        .post(&t.booking, &t.admin, json!({"lat": 1.5, "lng": 2.5}))
        .await;
    assert_eq!(status, 200);
    tokio::time::sleep(Duration::from_millis(2100)).await;
    let (status, body) = t
        .post(&t.booking, &t.raju, json!({"lat": 28.62, "lng": 77.21}))
        .await;
    assert_eq!(status, 200, "{body}");
    let (location, time) = t.stored().await;
    assert_eq!(location, Some(json!({"lat": 28.62, "lng": 77.21})));
    assert!(time.unwrap() > taken.parse::<DateTime<Utc>>().unwrap());
}
