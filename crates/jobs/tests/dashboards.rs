//! Role dashboards over HTTP (API §11, DOMAIN §7, TESTS §12 D1–D13) against the real Postgres, Redis
//! and RabbitMQ. What other services own reaches jobs as in production, as their events on the broker
//! (identity's users and eKYC, workforce's profiles, toggles, positions, sites and site numbers,
//! notifications' unread counts); jobs' own bookings, jobs, payments and emergencies are made through
//! its API or, for history and states the API reaches only step by step, written as rows.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use chrono::{DateTime, Datelike, Duration, Utc};
use hm_contracts::events::{
    types, AvailabilityChanged, ProfileRef, SiteChanged, SiteStatsChanged, UnreadCountChanged,
    UserRegistered, UserUpdated, WorkerLocation,
};
use hm_contracts::{Event, Role};
use hm_jobs::config::JobsConfig;
use hm_platform::events::Broker;
use hm_platform::testing::{eventually, publisher, ChaosProxy};
use reqwest::Method;
use serde::Serialize;
use serde_json::{json, Value};
use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::Arc;
use uuid::Uuid;

const WORKER: &str = "/api/v1/dashboard/worker/";
const EMPLOYER: &str = "/api/v1/dashboard/employer/";
const CONTRACTOR: &str = "/api/v1/dashboard/contractor/";
const ADMIN: &str = "/api/v1/dashboard/admin/";
const CLEAR: &str = "/api/admin/dashboard/cache/clear/";

/// Jobs with a service, an admin, and a publisher standing in for the other services.
struct Dash {
    api: common::Api,
    bus: Arc<Broker>,
    /// Events published so far: jobs has taken them all once its inbox holds as many.
    sent: AtomicI64,
    admin: String,
    plumbing: Uuid,
}

impl Dash {
    async fn start() -> Dash {
        Dash::with(|_| {}).await
    }

    async fn with(configure: impl FnOnce(&mut JobsConfig) + 'static) -> Dash {
        let api = common::Api::start_with(configure).await;
        let bus = publisher(&api.app.bus);
        let plumbing = api.service("plumbing", "Plumbing", true).await;
        let admin = api.keys.mint(Uuid::new_v4(), Role::Admin);
        Dash {
            api,
            bus,
            sent: AtomicI64::new(0),
            admin,
            plumbing,
        }
    }

    /// Publishes `data` as event `kind` that occurred `at`, as its owner would.
    async fn publish(&self, kind: &str, at: DateTime<Utc>, data: impl Serialize) {
        let source = kind.split('.').next().unwrap_or_default();
        let mut event = Event::new(source, kind, None, serde_json::to_value(data).unwrap());
        event.occurred_at = at;
        self.bus.publish(&event, None).await.unwrap();
        self.sent.fetch_add(1, Ordering::SeqCst);
    }

    /// Waits until jobs has taken every event published so far.
    async fn settle(&self) {
        let want = self.sent.load(Ordering::SeqCst);
        let taken = eventually(std::time::Duration::from_secs(20), || async {
            (self.api.app.db.count("SELECT count(*) FROM inbox").await >= want).then_some(())
        })
        .await;
        assert!(taken.is_some(), "jobs took the {want} events published");
    }

    /// A user as identity announces them, with their eKYC status; their token.
    async fn person(&self, phone: &str, role: Role, ekyc: &str) -> (Uuid, String) {
        let id = Uuid::new_v4();
        self.publish(
            types::USER_REGISTERED,
            Utc::now() - Duration::hours(2),
            UserRegistered {
                user_id: id,
                phone: phone.into(),
                role,
                first_name: "Test".into(),
                last_name: phone.into(),
            },
        )
        .await;
        if ekyc != "none" {
            self.ekyc(id, phone, role, ekyc, Utc::now() - Duration::hours(1))
                .await;
        }
        (id, self.api.keys.mint(id, role))
    }

    /// The user's eKYC status, as identity announces it (`identity.user.updated`).
    async fn ekyc(&self, user: Uuid, phone: &str, role: Role, ekyc: &str, at: DateTime<Utc>) {
        self.publish(
            types::USER_UPDATED,
            at,
            UserUpdated {
                user_id: user,
                phone: phone.into(),
                role,
                first_name: "Test".into(),
                last_name: phone.into(),
                is_active: true,
                ekyc_status: ekyc.parse().unwrap(),
            },
        )
        .await;
    }

    /// A worker profile of `user` as workforce announces it (`at`): verified or not, available or not,
    /// last seen when said.
    async fn profile_event(
        &self,
        kind: &str,
        (profile, user): (Uuid, Uuid),
        at: DateTime<Utc>,
        verified: bool,
        available: bool,
        last_seen: Option<DateTime<Utc>>,
    ) {
        self.publish(
            kind,
            at,
            ProfileRef {
                profile_id: profile,
                user_id: user,
                profile: Some(
                    json!({"id": profile, "user": user, "is_available": available,
                                     "is_verified": verified, "rating": "4.00"}),
                ),
                service_ids: Some(Vec::new()),
                last_seen,
            },
        )
        .await;
    }

    /// A new worker: identity's user and workforce's profile, made an hour ago (before anything the
    /// tests have them do); (user, token, profile).
    async fn worker(
        &self,
        phone: &str,
        ekyc: &str,
        verified: bool,
        available: bool,
        last_seen: Option<DateTime<Utc>>,
    ) -> (Uuid, String, Uuid) {
        let (user, token) = self.person(phone, Role::Worker, ekyc).await;
        let profile = Uuid::new_v4();
        self.profile_event(
            types::WORKER_CREATED,
            (profile, user),
            Utc::now() - Duration::hours(1),
            verified,
            available,
            last_seen,
        )
        .await;
        (user, token, profile)
    }

    /// The worker's toggle, as workforce announces it.
    async fn toggle(&self, profile: Uuid, user: Uuid, available: bool, at: DateTime<Utc>) {
        self.publish(
            types::WORKER_AVAILABILITY_CHANGED,
            at,
            AvailabilityChanged {
                profile_id: profile,
                user_id: user,
                is_available: available,
                at,
            },
        )
        .await;
    }

    /// The worker's position, with their toggle, as workforce announces it.
    async fn moved(&self, profile: Uuid, user: Uuid, available: bool, at: DateTime<Utc>) {
        self.publish(
            types::WORKER_LOCATION_UPDATED,
            at,
            WorkerLocation {
                profile_id: profile,
                user_id: user,
                lat: 26.85,
                lng: 80.95,
                is_available: available,
                at,
            },
        )
        .await;
    }

    /// `user`'s unread notifications, as notifications announces them.
    async fn unread(&self, user: Uuid, unread: i64, at: DateTime<Utc>) {
        self.publish(
            types::UNREAD_COUNT_CHANGED,
            at,
            UnreadCountChanged {
                user_id: user,
                unread,
            },
        )
        .await;
    }

    async fn get(&self, path: &str, token: Option<&str>) -> (u16, Value) {
        self.api.call(Method::GET, path, token, None).await
    }

    /// The dashboard's body as sent: bytes and all.
    async fn raw(&self, path: &str, token: &str) -> (u16, String) {
        let res = self
            .api
            .app
            .http
            .get(format!("{}{path}", self.api.app.base))
            .bearer_auth(token)
            .send()
            .await
            .unwrap();
        (res.status().as_u16(), res.text().await.unwrap())
    }

    /// A booking of `owner`'s through the API, assigned to `worker` when given, then put in `status`,
    /// made at `created` with `eta` (history the API does not write); its id.
    async fn booking(
        &self,
        owner: &str,
        worker: Option<Uuid>,
        status: &str,
        created: DateTime<Utc>,
        eta: Option<i32>,
    ) -> Uuid {
        let (code, b) = self
            .api
            .call(
                Method::POST,
                "/api/v1/bookings/",
                Some(owner),
                Some(json!({"service": self.plumbing, "address": "12 MG Road"})),
            )
            .await;
        assert_eq!(code, 201, "{b}");
        let id: Uuid = b["id"].as_str().unwrap().parse().unwrap();
        if let Some(worker) = worker {
            let (code, body) = self
                .api
                .call(
                    Method::POST,
                    &format!("/api/v1/bookings/{id}/assign/"),
                    Some(&self.admin),
                    Some(json!({"worker_id": worker})),
                )
                .await;
            assert_eq!(code, 200, "{body}");
        }
        let eta = eta.map_or("NULL".to_owned(), |m| m.to_string());
        self.api
            .app
            .db
            .sql(&format!(
                "UPDATE bookings SET status = '{status}', created_at = '{}', eta_minutes = {eta}
                 WHERE id = '{id}'",
                created.to_rfc3339()
            ))
            .await;
        id
    }

    /// A payment of a booking, as the webhook leaves it.
    async fn payment(&self, booking: Uuid, amount: &str, status: &str, created: DateTime<Utc>) {
        self.api
            .app
            .db
            .sql(&format!(
                "INSERT INTO payments (id, booking_id, amount, status, created_at)
                 VALUES ('{}', '{booking}', {amount}, '{status}', '{}')",
                Uuid::new_v4(),
                created.to_rfc3339()
            ))
            .await;
    }

    /// An emergency request `by` someone, in `status`.
    async fn emergency(&self, by: Option<Uuid>, status: &str) {
        let by = by.map_or("NULL".to_owned(), |u| format!("'{u}'"));
        self.api
            .app
            .db
            .sql(&format!(
                "INSERT INTO emergency_requests (id, created_by, contact_phone, location_lat, location_lng,
                                                 address_text, status)
                 VALUES ('{}', {by}, '+919000000009', 26.85, 80.95, 'Gomti Nagar', '{status}')",
                Uuid::new_v4()
            ))
            .await;
    }

    async fn clear(&self, body: Value) -> (u16, Value) {
        self.api
            .call(Method::POST, CLEAR, Some(&self.admin), Some(body))
            .await
    }
}

fn minutes(n: i64) -> Duration {
    Duration::minutes(n)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_worker_dashboard_shows_what_the_worker_did_today() {
    let t = Dash::start().await;
    let now = Utc::now();
    // D1: available, not verified, seen 5 minutes ago (their toggle), eKYC never done.
    let (raju, raju_token, profile) = t
        .worker(
            "+919876543210",
            "none",
            false,
            false,
            Some(now - minutes(30)),
        )
        .await;
    t.toggle(profile, raju, true, now - minutes(5)).await;
    t.unread(raju, 3, now).await;
    let (_, _, other) = t.worker("+919876543211", "none", false, true, None).await;
    let (_, amit) = t.person("+919000000001", Role::Employer, "none").await;
    t.settle().await;
    // Today's bookings of Raju's by status; earlier ones and another worker's are not today's jobs.
    let today = Utc::now();
    for status in [
        "confirmed",
        "confirmed",
        "on_the_way",
        "completed",
        "arrived",
        "cancelled",
    ] {
        t.booking(&amit, Some(profile), status, today, None).await;
    }
    let yesterday = dashboard_day_start() - Duration::hours(1);
    t.booking(&amit, Some(profile), "confirmed", yesterday, None)
        .await;
    t.booking(&amit, Some(other), "confirmed", today, None)
        .await;
    t.booking(&amit, None, "requested", today, None).await;

    let (status, body) = t.raw(WORKER, &raju_token).await;
    assert_eq!(status, 200, "{body}");
    let dash: Value = serde_json::from_str(&body).unwrap();
    assert_eq!(
        dash,
        json!({
            "user_id": raju,
            "unread_notifications": 3,
            "today_jobs": {"assigned": 2, "on_the_way": 1, "completed": 1},
            "availability": {"is_available": true, "last_seen_minutes_ago": 5},
            "earnings": {"today": 0.0, "month_to_date": 0.0},
            "badges": ["verify_profile", "complete_kyc"]
        })
    );
    // D13: well under a kilobyte.
    assert!(body.len() < 1024, "{} bytes", body.len());
    // The mirror under /api/admin/dashboard/ is the same dashboard.
    let (status, mirrored) = t
        .get("/api/admin/dashboard/worker/", Some(&raju_token))
        .await;
    assert_eq!((status, mirrored), (200, dash));

    // D4: someone without a worker profile.
    assert_eq!(
        t.get(WORKER, Some(&amit)).await,
        (400, json!({"error": "User is not a worker"}))
    );
    // D3: without credentials, every dashboard is 401.
    for path in [WORKER, EMPLOYER, CONTRACTOR, ADMIN] {
        let (status, body) = t.get(path, None).await;
        assert_eq!(
            (status, body),
            (
                401,
                json!({"detail": "Authentication credentials were not provided."})
            ),
            "{path}"
        );
    }
}

/// The start of today (UTC): the dashboards' day.
fn dashboard_day_start() -> DateTime<Utc> {
    Utc::now()
        .date_naive()
        .and_hms_opt(0, 0, 0)
        .unwrap()
        .and_utc()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn badges_and_last_seen_follow_verification_ekyc_and_activity_in_any_order() {
    let t = Dash::start().await;
    let now = Utc::now();
    // Verified and eKYC verified: no badge; seen 12 minutes ago by the profile's own `last_seen`.
    let (_, done, _) = t
        .worker(
            "+919800000001",
            "verified",
            true,
            false,
            Some(now - minutes(12)),
        )
        .await;
    // Verified, eKYC scanned but not verified: only `complete_kyc`; never seen.
    let (_, scanned, _) = t
        .worker("+919800000002", "ocr_scanned", true, false, None)
        .await;
    // The back office verifies a worker, then an older snapshot (unverified) arrives late; identity
    // verifies the eKYC later; positions say when the worker was last active, a late one changes
    // nothing.
    let (late_user, late, profile) = t.worker("+919800000003", "none", false, false, None).await;
    t.profile_event(
        types::WORKER_UPDATED,
        (profile, late_user),
        now + Duration::seconds(2),
        true,
        true,
        None,
    )
    .await;
    t.profile_event(
        types::WORKER_UPDATED,
        (profile, late_user),
        now - minutes(60),
        false,
        false,
        None,
    )
    .await;
    t.ekyc(
        late_user,
        "+919800000003",
        Role::Worker,
        "verified",
        now + Duration::seconds(3),
    )
    .await;
    t.moved(profile, late_user, true, now - minutes(7)).await;
    t.moved(profile, late_user, false, now - minutes(40)).await;
    t.settle().await;

    let badges_and_seen = |v: &Value| {
        (
            v["badges"].clone(),
            v["availability"]["last_seen_minutes_ago"].clone(),
            v["availability"]["is_available"].clone(),
        )
    };
    let (_, d) = t.get(WORKER, Some(&done)).await;
    assert_eq!(badges_and_seen(&d), (json!([]), json!(12), json!(false)));
    let (_, d) = t.get(WORKER, Some(&scanned)).await;
    assert_eq!(
        badges_and_seen(&d),
        (json!(["complete_kyc"]), Value::Null, json!(false))
    );
    let (_, d) = t.get(WORKER, Some(&late)).await;
    assert_eq!(badges_and_seen(&d), (json!([]), json!(7), json!(true)));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn earnings_are_the_completed_payments_of_the_day_and_month_with_payments_on() {
    let t = Dash::with(|c| c.enable_payments = true).await;
    let (_, token, profile) = t.worker("+919876543210", "none", false, true, None).await;
    let (_, _, other) = t.worker("+919876543211", "none", false, true, None).await;
    let (_, amit) = t.person("+919000000001", Role::Employer, "none").await;
    t.settle().await;
    let now = Utc::now();
    let today = t
        .booking(&amit, Some(profile), "completed", now, None)
        .await;
    t.payment(today, "450.50", "completed", now).await;
    t.payment(today, "100.00", "failed", now).await;
    t.payment(today, "50.25", "completed", now).await;
    let month_start = now
        .date_naive()
        .with_day0(0)
        .unwrap()
        .and_hms_opt(0, 0, 0)
        .unwrap()
        .and_utc();
    // Earlier this month (today itself on the 1st: then it counts as today too).
    let earlier = (dashboard_day_start() - Duration::hours(1)).max(month_start);
    let before = t
        .booking(&amit, Some(profile), "completed", earlier, None)
        .await;
    t.payment(before, "1000.00", "completed", earlier).await;
    // Last month, and another worker's: not this worker's month.
    t.payment(
        before,
        "999.00",
        "completed",
        month_start - Duration::hours(2),
    )
    .await;
    let others = t.booking(&amit, Some(other), "completed", now, None).await;
    t.payment(others, "777.00", "completed", now).await;

    let (status, d) = t.get(WORKER, Some(&token)).await;
    assert_eq!(status, 200, "{d}");
    let today_expected = if earlier >= dashboard_day_start() {
        1500.75
    } else {
        500.75
    };
    assert_eq!(
        d["earnings"],
        json!({"today": today_expected, "month_to_date": 1500.75})
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_employer_dashboard_counts_the_callers_bookings_and_emergencies() {
    let t = Dash::start().await;
    let (_, _, profile) = t.worker("+919876543210", "none", true, true, None).await;
    let (amit_id, amit) = t.person("+919000000001", Role::Employer, "none").await;
    let (_, other) = t.person("+919000000002", Role::Employer, "none").await;
    t.settle().await;
    let now = Utc::now();
    // D6: requested, confirmed, completed → two active, one awaiting confirmation.
    t.booking(&amit, None, "requested", now - minutes(50), None)
        .await;
    let confirmed = t
        .booking(&amit, Some(profile), "confirmed", now - minutes(40), None)
        .await;
    t.booking(&amit, Some(profile), "completed", now - minutes(30), None)
        .await;
    // D5: on its way with the booking's own ETA; arrived counts as recent but not active.
    let coming = t
        .booking(
            &amit,
            Some(profile),
            "on_the_way",
            now - minutes(10),
            Some(12),
        )
        .await;
    let arrived = t
        .booking(&amit, Some(profile), "arrived", now - minutes(20), Some(3))
        .await;
    t.booking(&other, None, "requested", now, None).await;
    t.emergency(Some(amit_id), "open").await;
    t.emergency(Some(amit_id), "dispatched").await;
    t.emergency(Some(amit_id), "resolved").await;
    t.emergency(None, "open").await;

    let (status, d) = t.get(EMPLOYER, Some(&amit)).await;
    assert_eq!(status, 200, "{d}");
    assert_eq!(
        d,
        json!({
            "user_id": amit_id,
            "unread_notifications": 0,
            "active_requests": 3,
            "pending_confirmations": 1,
            "recent_bookings": [
                {"id": coming, "status": "on_the_way", "eta_minutes": 12},
                {"id": arrived, "status": "arrived", "eta_minutes": 3},
                {"id": confirmed, "status": "confirmed", "eta_minutes": null}
            ],
            "emergency_alerts": 2
        })
    );
    // The five newest only.
    let (_, third) = t.person("+919000000003", Role::Employer, "none").await;
    t.settle().await;
    let mut made = Vec::new();
    for i in 0..7 {
        made.push(
            t.booking(&third, Some(profile), "confirmed", now - minutes(i), None)
                .await,
        );
    }
    let (_, d) = t.get(EMPLOYER, Some(&third)).await;
    let ids: Vec<Value> = made[..5].iter().map(|id| json!(id)).collect();
    assert_eq!(
        d["recent_bookings"]
            .as_array()
            .unwrap()
            .iter()
            .map(|b| b["id"].clone())
            .collect::<Vec<_>>(),
        ids
    );
    assert_eq!(
        (&d["active_requests"], &d["pending_confirmations"]),
        (&json!(7), &json!(0))
    );

    // With emergencies switched off, none are counted.
    let off = Dash::with(|c| c.emergency.enabled = false).await;
    let (id, token) = off.person("+919000000004", Role::Employer, "none").await;
    off.settle().await;
    off.emergency(Some(id), "open").await;
    let (_, d) = off.get(EMPLOYER, Some(&token)).await;
    assert_eq!(d["emergency_alerts"], 0);
    let (_, d) = off.get(ADMIN, Some(&off.admin)).await;
    assert_eq!(d["open_emergencies"], 0);
}

/// A site of `contractor` as workforce announces it.
async fn site(t: &Dash, contractor: Uuid, active: bool) -> Uuid {
    let id = Uuid::new_v4();
    t.publish(
        types::SITE_CREATED,
        Utc::now(),
        SiteChanged {
            site_id: id,
            contractor_id: contractor,
            name: format!("Site {id}"),
            is_active: active,
        },
    )
    .await;
    id
}

/// A site's numbers on a day, as workforce announces them (`at`).
async fn stats(
    t: &Dash,
    site: Uuid,
    contractor: Uuid,
    date: chrono::NaiveDate,
    active_assignments: i64,
    present: i64,
    at: DateTime<Utc>,
) {
    t.publish(
        types::SITE_STATS_CHANGED,
        at,
        SiteStatsChanged {
            site_id: site,
            contractor_id: contractor,
            date,
            active_assignments,
            present,
        },
    )
    .await;
}

/// A contractor: identity's user and workforce's profile; (user, token, profile).
async fn contractor(t: &Dash, phone: &str) -> (Uuid, String, Uuid) {
    let (user, token) = t.person(phone, Role::Contractor, "none").await;
    let profile = Uuid::new_v4();
    t.publish(
        types::CONTRACTOR_CREATED,
        Utc::now(),
        ProfileRef {
            profile_id: profile,
            user_id: user,
            profile: None,
            service_ids: None,
            last_seen: None,
        },
    )
    .await;
    (user, token, profile)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_contractor_dashboard_counts_sites_attendance_and_pending_jobs() {
    let t = Dash::start().await;
    let (vikram_id, vikram, profile) = contractor(&t, "+919111111111").await;
    let (_, _, rival) = contractor(&t, "+919111111112").await;
    let (green, blue) = (site(&t, profile, true).await, site(&t, profile, true).await);
    site(&t, profile, false).await;
    let theirs = site(&t, rival, true).await;
    let now = Utc::now();
    let today = now.date_naive();
    let yesterday = today.pred_opt().unwrap();
    // Green: 3 of 4 present today (a late, older count changes nothing); Blue: 2 of 2; yesterday's and
    // the rival's numbers are not today's.
    stats(&t, green, profile, today, 4, 3, now).await;
    stats(&t, green, profile, today, 4, 1, now - minutes(10)).await;
    stats(&t, green, profile, yesterday, 4, 4, now - minutes(20)).await;
    stats(&t, blue, profile, today, 2, 2, now).await;
    stats(&t, theirs, rival, today, 10, 9, now).await;
    t.unread(vikram_id, 4, now).await;
    t.settle().await;
    // Jobs the contractor posted: open and assigned are pending.
    for status in ["open", "assigned", "completed", "cancelled", "open"] {
        let (code, job) = t
            .api
            .call(
                Method::POST,
                "/api/v1/jobs/",
                Some(&vikram),
                Some(json!({"title": "Tiling", "description": "Lobby", "service": t.plumbing})),
            )
            .await;
        assert_eq!(code, 201, "{job}");
        t.api
            .app
            .db
            .sql(&format!(
                "UPDATE jobs SET status = '{status}' WHERE id = '{}'",
                job["id"].as_str().unwrap()
            ))
            .await;
    }

    let (status, d) = t.get(CONTRACTOR, Some(&vikram)).await;
    assert_eq!(status, 200, "{d}");
    // D7, D8: 5 of 6 assigned workers present → 83.3 %.
    assert_eq!(
        d,
        json!({
            "contractor_id": profile,
            "unread_notifications": 4,
            "active_sites": 2,
            "workers_present_today": 5,
            "pending_job_requests": 3,
            "attendance_rate_percent": 83.3
        })
    );
    let (_, employer) = t.person("+919111111114", Role::Employer, "none").await;
    t.settle().await;
    assert_eq!(
        t.get(CONTRACTOR, Some(&employer)).await,
        (400, json!({"error": "User is not a contractor"}))
    );

    // A deleted site's numbers go with it.
    t.publish(
        types::SITE_DELETED,
        Utc::now(),
        SiteChanged {
            site_id: blue,
            contractor_id: profile,
            name: String::new(),
            is_active: true,
        },
    )
    .await;
    t.settle().await;
    t.clear(json!({})).await;
    let (_, d) = t.get(CONTRACTOR, Some(&vikram)).await;
    assert_eq!(
        (
            &d["active_sites"],
            &d["workers_present_today"],
            &d["attendance_rate_percent"]
        ),
        (&json!(1), &json!(3), &json!(75.0))
    );

    // With the sites feature off the site metrics are 0; pending jobs still count.
    let off = Dash::with(|c| c.dashboards.contractor_sites = false).await;
    let (_, token, p) = contractor(&off, "+919111111115").await;
    let s = site(&off, p, true).await;
    stats(&off, s, p, today, 3, 2, Utc::now()).await;
    off.settle().await;
    let (_, d) = off.get(CONTRACTOR, Some(&token)).await;
    assert_eq!(
        (
            &d["active_sites"],
            &d["workers_present_today"],
            &d["attendance_rate_percent"]
        ),
        (&json!(0), &json!(0), &json!(0.0))
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_admin_dashboard_is_for_admins_and_counts_the_platform() {
    let t = Dash::start().await;
    let now = Utc::now();
    // Online: available and active within 30 minutes.
    let (a, _, pa) = t.worker("+919700000001", "none", false, false, None).await;
    t.moved(pa, a, true, now - minutes(2)).await;
    let (b, _, pb) = t.worker("+919700000002", "none", false, false, None).await;
    t.toggle(pb, b, true, now - minutes(45)).await;
    let (c, worker_token, pc) = t.worker("+919700000003", "none", false, false, None).await;
    t.toggle(pc, c, false, now - minutes(1)).await;
    let (_, amit) = t.person("+919000000001", Role::Employer, "none").await;
    t.person("+919000000002", Role::Contractor, "none").await;
    t.settle().await;
    t.booking(&amit, None, "requested", now, None).await;
    t.booking(&amit, None, "cancelled", now, None).await;
    t.booking(
        &amit,
        None,
        "requested",
        dashboard_day_start() - minutes(1),
        None,
    )
    .await;
    t.emergency(None, "open").await;
    t.emergency(None, "dispatched").await;
    t.emergency(None, "accepted").await;

    // D9.
    let (status, d) = t.get(ADMIN, Some(&t.admin)).await;
    assert_eq!(status, 200, "{d}");
    assert_eq!(
        d,
        json!({
            "total_users": 5,
            "total_workers_online": 1,
            "open_emergencies": 2,
            "today_bookings": 2,
            "system_health": {"queue_length": 0, "last_seed_run": null}
        })
    );
    assert_eq!(
        t.get("/api/admin/dashboard/admin/", Some(&t.admin)).await,
        (200, d)
    );
    // D10.
    for path in [ADMIN, "/api/admin/dashboard/admin/"] {
        assert_eq!(
            t.get(path, Some(&worker_token)).await,
            (
                403,
                json!({"detail": "You do not have permission to perform this action."})
            )
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_dashboard_is_served_from_the_cache_until_cleared() {
    // A lifetime no step of the test outlasts: only clearing makes a dashboard new here.
    let t = Dash::with(|c| c.dashboards.cache_ttl = std::time::Duration::from_secs(120)).await;
    let (raju, raju_token, _) = t.worker("+919876543210", "none", false, true, None).await;
    let (amit_id, amit) = t.person("+919000000001", Role::Employer, "none").await;
    let (_, _, _) = t.worker("+919876543211", "none", false, true, None).await;
    t.unread(raju, 1, Utc::now()).await;
    t.unread(amit_id, 1, Utc::now()).await;
    t.settle().await;
    // D11: the second answer is the first, byte for byte, although the data changed meanwhile.
    let (_, first) = t.raw(WORKER, &raju_token).await;
    let (_, employer_first) = t.raw(EMPLOYER, &amit).await;
    t.unread(raju, 2, Utc::now()).await;
    t.unread(amit_id, 2, Utc::now()).await;
    t.settle().await;
    assert_eq!(t.raw(WORKER, &raju_token).await, (200, first.clone()));

    // Non-admins may not clear; the body is checked.
    assert_eq!(
        t.api
            .call(Method::POST, CLEAR, Some(&raju_token), Some(json!({})))
            .await
            .0,
        403
    );
    assert_eq!(
        t.clear(json!({"role": "staff", "user_id": "nope"})).await,
        (
            400,
            json!({"role": ["\"staff\" is not a valid choice."],
                   "user_id": ["Must be a valid UUID."]})
        )
    );
    // Another user's dashboard of that role: Raju's stays.
    assert_eq!(
        t.clear(json!({"role": "worker", "user_id": Uuid::new_v4()}))
            .await
            .0,
        200
    );
    assert_eq!(t.raw(WORKER, &raju_token).await.1, first);
    // His own: recomputed.
    assert_eq!(
        t.clear(json!({"role": "worker", "user_id": raju})).await,
        (
            200,
            json!({"status": "cache_cleared", "role": "worker", "user_id": raju})
        )
    );
    let (_, after) = t.get(WORKER, Some(&raju_token)).await;
    assert_eq!(after["unread_notifications"], 2);
    assert_eq!(t.raw(EMPLOYER, &amit).await.1, employer_first);

    // A role alone clears every user's dashboard of that role (and only that role).
    t.unread(raju, 3, Utc::now()).await;
    t.unread(amit_id, 3, Utc::now()).await;
    t.settle().await;
    assert_eq!(
        t.clear(json!({"role": "worker"})).await,
        (
            200,
            json!({"status": "cache_cleared", "role": "worker", "user_id": null})
        )
    );
    assert_eq!(
        t.get(WORKER, Some(&raju_token)).await.1["unread_notifications"],
        3
    );
    assert_eq!(t.raw(EMPLOYER, &amit).await.1, employer_first);
    // A user alone clears every dashboard of theirs.
    assert_eq!(
        t.clear(json!({"user_id": amit_id, "role": null})).await.0,
        200
    );
    assert_eq!(
        t.get(EMPLOYER, Some(&amit)).await.1["unread_notifications"],
        3
    );
    // Nothing clears them all.
    t.unread(raju, 4, Utc::now()).await;
    t.settle().await;
    assert_eq!(
        t.get(WORKER, Some(&raju_token)).await.1["unread_notifications"],
        3
    );
    assert_eq!(
        t.clear(json!({})).await,
        (
            200,
            json!({"status": "cache_cleared", "role": null, "user_id": null})
        )
    );
    assert_eq!(
        t.get(WORKER, Some(&raju_token)).await.1["unread_notifications"],
        4
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_dashboard_older_than_its_ttl_is_computed_again() {
    let t = Dash::with(|c| c.dashboards.cache_ttl = std::time::Duration::from_secs(1)).await;
    let (raju, token, _) = t.worker("+919876543210", "none", false, true, None).await;
    t.unread(raju, 1, Utc::now()).await;
    t.settle().await;
    assert_eq!(
        t.get(WORKER, Some(&token)).await.1["unread_notifications"],
        1
    );
    t.unread(raju, 4, Utc::now()).await;
    t.settle().await;
    // D12: two seconds later, still 200, and the news is there.
    tokio::time::sleep(std::time::Duration::from_secs(2)).await;
    let (status, d) = t.get(WORKER, Some(&token)).await;
    assert_eq!((status, &d["unread_notifications"]), (200, &json!(4)));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn without_the_database_a_stale_copy_is_served_else_500() {
    let db = ChaosProxy::start("127.0.0.1:5432").await;
    let via = db.addr();
    let t = Dash::with(move |c| {
        c.dashboards.cache_ttl = std::time::Duration::from_secs(1);
        c.common.database_url = c.common.database_url.replace("127.0.0.1:5432", &via);
    })
    .await;
    let (_, token, _) = t.worker("+919876543210", "none", false, true, None).await;
    let (_, amit) = t.person("+919000000001", Role::Employer, "none").await;
    t.settle().await;
    let (status, fresh) = t.raw(WORKER, &token).await;
    assert_eq!(status, 200);
    db.cut();
    tokio::time::sleep(std::time::Duration::from_millis(1500)).await;
    // The fresh copy has expired and the database is gone: the stale copy, verbatim.
    assert_eq!(t.raw(WORKER, &token).await, (200, fresh));
    // Nothing cached for this one.
    assert_eq!(
        t.get(EMPLOYER, Some(&amit)).await,
        (500, json!({"error": "Failed to fetch dashboard"}))
    );
    db.restore();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn without_redis_dashboards_are_computed_and_clearing_says_so() {
    let redis = ChaosProxy::start("127.0.0.1:6379").await;
    let via = redis.addr();
    let t = Dash::with(move |c| {
        c.common.redis_url = c.common.redis_url.replace("127.0.0.1:6379", &via);
    })
    .await;
    let (raju, token, _) = t.worker("+919876543210", "none", false, true, None).await;
    t.unread(raju, 1, Utc::now()).await;
    t.settle().await;
    redis.cut();
    let (status, d) = t.get(WORKER, Some(&token)).await;
    assert_eq!((status, &d["unread_notifications"]), (200, &json!(1)));
    t.unread(raju, 2, Utc::now()).await;
    t.settle().await;
    let (status, d) = t.get(WORKER, Some(&token)).await;
    assert_eq!(
        (status, &d["unread_notifications"]),
        (200, &json!(2)),
        "nothing cached"
    );
    assert_eq!(
        t.clear(json!({"role": "worker"})).await,
        (500, json!({"error": "Dashboard cache unavailable"}))
    );
    redis.restore();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_late_unread_count_changes_nothing_newer() {
    let t = Dash::start().await;
    let (raju, token, _) = t.worker("+919876543210", "none", false, true, None).await;
    let now = Utc::now();
    t.unread(raju, 5, now).await;
    t.unread(raju, 2, now - minutes(1)).await;
    t.settle().await;
    assert_eq!(
        t.get(WORKER, Some(&token)).await.1["unread_notifications"],
        5
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn workers_online_over_a_day_every_fifteen_minutes() {
    let t = Dash::start().await;
    let zone = hm_platform::time::zone();
    let yesterday = hm_platform::time::local(Utc::now())
        .date_naive()
        .pred_opt()
        .unwrap();
    let start = yesterday
        .and_hms_opt(0, 0, 0)
        .unwrap()
        .and_local_timezone(zone)
        .earliest()
        .unwrap()
        .with_timezone(&Utc);
    let at = |m: i64| start + minutes(m);
    let (w1, _, p1) = t.worker("+919600000001", "none", false, false, None).await;
    let (w2, _, p2) = t.worker("+919600000002", "none", false, false, None).await;
    let (w3, _, p3) = t.worker("+919600000003", "none", false, false, None).await;
    let (w4, _, p4) = t.worker("+919600000004", "none", false, false, None).await;
    // The profiles were announced an hour ago (offline), after all of yesterday's toggles below: the
    // dispatch index keeps the newest state, the history every toggle.
    t.settle().await;
    // W1 online since before the day, offline at 05:05.
    t.toggle(p1, w1, true, at(-60)).await;
    t.toggle(p1, w1, false, at(305)).await;
    // W2 online 00:20–01:00.
    t.toggle(p2, w2, true, at(20)).await;
    t.toggle(p2, w2, false, at(60)).await;
    // W3 online at 01:00, offline at 02:00, online at 03:00, delivered out of order.
    t.toggle(p3, w3, true, at(180)).await;
    t.toggle(p3, w3, true, at(60)).await;
    t.toggle(p3, w3, false, at(120)).await;
    // W4 online from 00:30.
    t.toggle(p4, w4, true, at(30)).await;
    t.settle().await;

    let path = format!("/api/admin/dashboard/workers-online/?date={yesterday}");
    let (status, chart) = t.get(&path, Some(&t.admin)).await;
    assert_eq!(status, 200, "{chart}");
    assert_eq!(chart["date"], yesterday.to_string());
    assert_eq!(chart["interval_minutes"], 15);
    let points = chart["points"].as_array().unwrap();
    assert_eq!(points.len(), 96);
    assert_eq!(points[0]["at"], hm_platform::time::render(start));
    assert_eq!(points[1]["at"], hm_platform::time::render(at(15)));
    let online: Vec<i64> = points
        .iter()
        .map(|p| p["online"].as_i64().unwrap())
        .collect();
    // 00:00 W1; 00:30 W1 W2 W4; 01:00 W1 W4 W3 (W2 left); 02:00 W1 W4; 03:00 W1 W4 W3;
    // 05:15 W4 W3 (W1 left at 05:05), and so on to the end of the day and now.
    assert_eq!(
        (online[0], online[1], online[2], online[4], online[8], online[12], online[20]),
        (1, 1, 3, 3, 2, 3, 3)
    );
    assert_eq!((online[21], online[95]), (2, 2));

    // Today by default; a bad date is refused; only admins see it.
    let (_, today) = t
        .get("/api/admin/dashboard/workers-online/", Some(&t.admin))
        .await;
    assert_eq!(
        today["date"],
        hm_platform::time::local(Utc::now())
            .date_naive()
            .to_string()
    );
    assert_eq!(today["points"].as_array().unwrap().len(), 96);
    assert_eq!(
        t.get(
            "/api/admin/dashboard/workers-online/?date=2026-13-01",
            Some(&t.admin)
        )
        .await,
        (400, json!({"error": "Invalid date format. Use YYYY-MM-DD"}))
    );
    let worker = t.api.keys.mint(w1, Role::Worker);
    assert_eq!(
        t.get("/api/admin/dashboard/workers-online/", Some(&worker))
            .await
            .0,
        403
    );
}
