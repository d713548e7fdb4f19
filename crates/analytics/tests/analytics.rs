//! Analytics end to end in one service (API §12, DOMAIN §6, TESTS §13): ingestion and its validation,
//! the reports on days of the platform's time zone, the export, aggregation and retention.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use chrono::{Duration, Utc};
use common::{spawn, spawn_with, utc};
use hm_analytics::domain::report::day_of;
use hm_analytics::maintenance::Maintenance;
use hm_analytics::store::{aggregates, partitions};
use hm_contracts::Role;
use serde_json::{json, Value};
use uuid::Uuid;

fn zone() -> chrono_tz::Tz {
    hm_platform::time::zone()
}

#[tokio::test]
async fn an_authenticated_event_is_stored_with_its_user() {
    let t = spawn().await;
    let (user, token) = t.token(Role::Worker);
    let res = t
        .ingest(
            &json!({"event_type": "page_view", "source": "android", "payload": {"page": "dashboard"}}),
            Some(&token),
        )
        .await;
    assert_eq!(res.status, 201, "{}", res.text);
    let id: Uuid = res.body["event_id"].as_str().unwrap().parse().unwrap();
    let row = t
        .db
        .client()
        .await
        .query_one(
            "SELECT user_id, event_type, source, payload::text, anonymous_id FROM analytics_events WHERE id = $1",
            &[&id],
        )
        .await
        .unwrap();
    assert_eq!(row.get::<_, Option<Uuid>>(0), Some(user));
    assert_eq!(row.get::<_, String>(1), "page_view");
    assert_eq!(row.get::<_, String>(2), "android");
    assert_eq!(row.get::<_, String>(3), r#"{"page": "dashboard"}"#);
    assert_eq!(row.get::<_, Option<String>>(4), None);
}

#[tokio::test]
async fn an_anonymous_event_keeps_its_anonymous_id_from_the_body_or_the_header() {
    let t = spawn().await;
    let res = t
        .ingest(
            &json!({"event_type": "page_view", "anonymous_id": "anon-123", "source": "web"}),
            None,
        )
        .await;
    assert_eq!(res.status, 201, "{}", res.text);
    let res = t
        .send(
            t.http
                .post(t.url("/api/v1/analytics/events/"))
                .header("X-Client-ANON-ID", "anon-from-header")
                .json(&json!({"event_type": "page_view", "anonymous_id": ""})),
        )
        .await;
    assert_eq!(res.status, 201, "{}", res.text);
    assert_eq!(
        t.count(
            "SELECT count(*) FROM analytics_events WHERE user_id IS NULL AND source = 'web' \
                 AND anonymous_id IN ('anon-123', 'anon-from-header')"
        )
        .await,
        2
    );
    // A bad token is refused rather than silently dropped.
    let res = t
        .ingest(&json!({"event_type": "page_view"}), Some("not-a-token"))
        .await;
    assert_eq!(res.status, 401);
}

#[tokio::test]
async fn a_bulk_request_stores_every_event_and_returns_their_ids_in_order() {
    let t = spawn().await;
    let (user, token) = t.token(Role::Employer);
    let res = t
        .ingest(
            &json!({"events": [
                {"event_type": "page_view"},
                {"event_type": "booking_created", "source": "ios"},
                {"event_type": "job_apply", "payload": {"job": 7}},
            ]}),
            Some(&token),
        )
        .await;
    assert_eq!(res.status, 201, "{}", res.text);
    assert_eq!(res.body["events_created"], 3);
    let ids: Vec<Uuid> = res.body["event_ids"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap().parse().unwrap())
        .collect();
    assert_eq!(ids.len(), 3);
    let client = t.db.client().await;
    for (id, kind) in ids
        .iter()
        .zip(["page_view", "booking_created", "job_apply"])
    {
        let row = client
            .query_one(
                "SELECT event_type, user_id FROM analytics_events WHERE id = $1",
                &[id],
            )
            .await
            .unwrap();
        assert_eq!(row.get::<_, String>(0), kind);
        assert_eq!(row.get::<_, Option<Uuid>>(1), Some(user));
    }
}

#[tokio::test]
async fn every_validation_message_of_the_spec_is_given() {
    let t = spawn().await;
    let long_type = "x".repeat(51);
    let long_anon = "a".repeat(256);
    let cases: Vec<(Value, Value)> = vec![
        (
            json!({}),
            json!({"event_type": ["This field is required."]}),
        ),
        (
            json!({"event_type": "  "}),
            json!({"event_type": ["This field may not be blank."]}),
        ),
        (
            json!({"event_type": null}),
            json!({"event_type": ["This field may not be null."]}),
        ),
        (
            json!({"event_type": long_type}),
            json!({"event_type": ["Ensure this field has no more than 50 characters."]}),
        ),
        (
            json!({"event_type": "page_view", "source": "mobile"}),
            json!({"source": ["\"mobile\" is not a valid choice."]}),
        ),
        (
            json!({"event_type": "page_view", "anonymous_id": long_anon}),
            json!({"anonymous_id": ["Ensure this field has no more than 255 characters."]}),
        ),
        (
            json!({"event_type": "page_view", "payload": null}),
            json!({"payload": ["This field may not be null."]}),
        ),
        // json.dumps({"data": "x" * 3000}) is 3012 bytes (AN4).
        (
            json!({"event_type": "page_view", "payload": {"data": "x".repeat(3000)}}),
            json!({"payload": ["Payload size 3012 bytes exceeds limit of 2048 bytes"]}),
        ),
        (
            json!({"events": []}),
            json!({"events": ["Events list cannot be empty"]}),
        ),
        (
            json!({"events": vec![json!({"event_type": "page_view"}); 101]}),
            json!({"events": ["Maximum 100 events per bulk request"]}),
        ),
        (
            json!({"events": "page_view"}),
            json!({"events": ["Expected a list of items but got type \"str\"."]}),
        ),
        (
            json!({"events": null}),
            json!({"events": ["This field may not be null."]}),
        ),
        // Per-item errors, aligned with the items.
        (
            json!({"events": [
                {"event_type": "page_view"},
                {"source": "web"},
                "page_view",
                {"event_type": "x", "source": "tv"},
            ]}),
            json!({"events": [
                {},
                {"event_type": ["This field is required."]},
                {"non_field_errors": ["Invalid data. Expected a dictionary, but got str."]},
                {"source": ["\"tv\" is not a valid choice."]},
            ]}),
        ),
    ];
    for (body, expected) in cases {
        let res = t.ingest(&body, None).await;
        assert_eq!(res.status, 400, "{body}: {}", res.text);
        assert_eq!(res.body, expected, "{body}");
    }
    // A bulk request with one bad event stores none of them.
    assert_eq!(t.count("SELECT count(*) FROM analytics_events").await, 0);
    // Not JSON, not an object.
    let res = t
        .send(
            t.http
                .post(t.url("/api/v1/analytics/events/"))
                .header("Content-Type", "application/json")
                .body("{\"event_type\": "),
        )
        .await;
    assert_eq!(res.status, 400, "{}", res.text);
}

#[tokio::test]
async fn payload_size_is_measured_with_non_ascii_text_escaped_as_the_reference_does() {
    let t = spawn().await;
    // "पुणे" is 12 bytes of UTF-8 but 24 as json.dumps writes it ("\u092a\u0941\u0923\u0947").
    // {"city": "<pune × n>"} is 12 + 24n bytes the reference's way, 12 + 12n in UTF-8.
    let fits = json!({"event_type": "page_view", "payload": {"city": "पुणे".repeat(84)}}); // 2028
    let res = t.ingest(&fits, None).await;
    assert_eq!(res.status, 201, "{}", res.text);
    let over = json!({"event_type": "page_view", "payload": {"city": "पुणे".repeat(85)}}); // 2052
    let res = t.ingest(&over, None).await;
    assert_eq!(res.status, 400, "{}", res.text);
    assert_eq!(
        res.body,
        json!({"payload": ["Payload size 2052 bytes exceeds limit of 2048 bytes"]})
    );
    // An emoji counts as a surrogate pair (12 bytes), not its 4 bytes of UTF-8.
    let emoji = json!({"event_type": "e", "payload": ["😀".repeat(170)]}); // 4 + 2040 = 2044
    assert_eq!(t.ingest(&emoji, None).await.status, 201);
    let emoji = json!({"event_type": "e", "payload": ["😀".repeat(171)]}); // 2056
    assert_eq!(t.ingest(&emoji, None).await.status, 400);
    assert_eq!(t.count("SELECT count(*) FROM analytics_events").await, 2);
}

#[tokio::test]
async fn disabled_analytics_answers_204_and_stores_nothing() {
    let t = spawn_with(|c| c.enabled = false).await;
    let res = t.ingest(&json!({"event_type": "page_view"}), None).await;
    assert_eq!(res.status, 204);
    assert_eq!(res.text, "");
    let res = t.ingest(&json!({"events": "not even valid"}), None).await;
    assert_eq!(res.status, 204);
    assert_eq!(t.count("SELECT count(*) FROM analytics_events").await, 0);
}

#[tokio::test]
async fn the_client_address_and_user_agent_are_recorded() {
    let t = spawn().await;
    let res = t
        .send(
            t.http
                .post(t.url("/api/v1/analytics/events/"))
                .header("User-Agent", "TestBrowser/1.0")
                .header("X-Forwarded-For", " 192.168.1.1 , 10.0.0.1")
                .json(&json!({"event_type": "page_view"})),
        )
        .await;
    assert_eq!(res.status, 201);
    let res = t
        .send(
            t.http
                .post(t.url("/api/v1/analytics/events/"))
                .header("User-Agent", "U".repeat(700))
                .header("X-Forwarded-For", "not-an-address")
                .json(&json!({"event_type": "long_agent"})),
        )
        .await;
    assert_eq!(res.status, 201);
    let client = t.db.client().await;
    let row = client
        .query_one(
            "SELECT host(ip_address), user_agent FROM analytics_events WHERE event_type = 'page_view'",
            &[],
        )
        .await
        .unwrap();
    assert_eq!(row.get::<_, String>(0), "192.168.1.1");
    assert_eq!(row.get::<_, String>(1), "TestBrowser/1.0");
    let row = client
        .query_one(
            "SELECT host(ip_address), length(user_agent) FROM analytics_events WHERE event_type = 'long_agent'",
            &[],
        )
        .await
        .unwrap();
    // Not an address: the peer's instead.
    assert_eq!(row.get::<_, String>(0), "127.0.0.1");
    assert_eq!(row.get::<_, i32>(1), 500);
}

#[tokio::test]
async fn many_requests_at_once_are_each_stored_once() {
    let t = spawn().await;
    let posts = (0..300).map(|i| {
        let t = &t;
        async move {
            t.ingest(&json!({"event_type": "burst", "payload": {"i": i}}), None)
                .await
        }
    });
    let replies = futures_util::future::join_all(posts).await;
    let mut ids = std::collections::HashSet::new();
    for res in &replies {
        assert_eq!(res.status, 201, "{}", res.text);
        assert!(ids.insert(res.body["event_id"].as_str().unwrap().to_owned()));
    }
    assert_eq!(
        t.count("SELECT count(DISTINCT (payload->>'i')) FROM analytics_events WHERE event_type = 'burst'")
            .await,
        300
    );
    assert_eq!(t.count("SELECT count(*) FROM analytics_events").await, 300);
}

#[tokio::test]
async fn the_daily_summary_counts_the_days_of_india_and_prefers_aggregate_rows() {
    let t = spawn().await;
    let (u1, u2) = (Uuid::new_v4(), Uuid::new_v4());
    // 23:59:59 on 3 January in India, then midnight of the 4th, then the 4th's evening.
    t.stored_at(
        utc("2026-01-03T18:29:59Z"),
        "page_view",
        "android",
        Some(u1),
        None,
        json!({}),
    )
    .await;
    t.stored_at(
        utc("2026-01-03T18:30:00Z"),
        "page_view",
        "android",
        Some(u1),
        None,
        json!({}),
    )
    .await;
    t.stored_at(
        utc("2026-01-04T10:00:00Z"),
        "page_view",
        "web",
        None,
        Some("anon-123"),
        json!({}),
    )
    .await;
    t.stored_at(
        utc("2026-01-04T12:00:00Z"),
        "booking_created",
        "android",
        Some(u1),
        None,
        json!({}),
    )
    .await;
    t.stored_at(
        utc("2026-01-04T13:00:00Z"),
        "page_view",
        "android",
        Some(u2),
        None,
        json!({}),
    )
    .await;
    let res = t
        .admin_get("/api/admin/analytics/daily-summary/?date=2026-01-03")
        .await;
    assert_eq!(res.status, 200, "{}", res.text);
    assert_eq!(
        res.body,
        json!({"date": "2026-01-03", "total_events": 1, "unique_users": 1, "unique_anonymous": 0,
               "events_by_type": {"page_view": 1}})
    );
    let res = t
        .admin_get("/api/admin/analytics/daily-summary/?date=2026-01-04")
        .await;
    assert_eq!(
        res.body,
        json!({"date": "2026-01-04", "total_events": 4, "unique_users": 2, "unique_anonymous": 1,
               "events_by_type": {"page_view": 3, "booking_created": 1}})
    );
    // Aggregated (AN7): per type and source; twice changes nothing (AN8).
    let mut conn = t.conn().await;
    let day = chrono::NaiveDate::from_ymd_opt(2026, 1, 4).unwrap();
    assert_eq!(
        aggregates::aggregate_day(&mut conn, day, zone())
            .await
            .unwrap(),
        3
    );
    assert_eq!(
        aggregates::aggregate_day(&mut conn, day, zone())
            .await
            .unwrap(),
        3
    );
    let client = t.db.client().await;
    let rows = client
        .query(
            "SELECT event_type, source, count, unique_users, unique_anonymous \
             FROM analytics_daily_aggregates WHERE date = '2026-01-04' ORDER BY event_type, source",
            &[],
        )
        .await
        .unwrap();
    let rows: Vec<(String, String, i64, i64, i64)> = rows
        .iter()
        .map(|r| (r.get(0), r.get(1), r.get(2), r.get(3), r.get(4)))
        .collect();
    assert_eq!(
        rows,
        vec![
            ("booking_created".into(), "android".into(), 1, 1, 0),
            ("page_view".into(), "android".into(), 2, 2, 0),
            ("page_view".into(), "web".into(), 1, 0, 1),
        ]
    );
    // From now on the day is read from its aggregate rows: an event written behind their back is not
    // counted, and the distinct counts are the largest of one row (API §12.2's approximation).
    t.stored_at(
        utc("2026-01-04T14:00:00Z"),
        "page_view",
        "android",
        Some(Uuid::new_v4()),
        None,
        json!({}),
    )
    .await;
    let res = t
        .admin_get("/api/admin/analytics/daily-summary/?date=2026-01-04")
        .await;
    assert_eq!(
        res.body,
        json!({"date": "2026-01-04", "total_events": 4, "unique_users": 2, "unique_anonymous": 1,
               "events_by_type": {"page_view": 3, "booking_created": 1}})
    );
    // Active users are counted from the events (AN10).
    let res = t
        .admin_get("/api/admin/analytics/active-users/?date=2026-01-03")
        .await;
    assert_eq!(
        res.body,
        json!({"date": "2026-01-03", "daily_active_users": 1, "unique_anonymous": 0, "total_active": 1})
    );
}

#[tokio::test]
async fn todays_reports_follow_the_events_sent_today() {
    let t = spawn().await;
    let (_, token) = t.token(Role::Worker);
    for body in [
        json!({"event_type": "page_view", "source": "android"}),
        json!({"event_type": "booking_created", "source": "android"}),
    ] {
        assert_eq!(t.ingest(&body, Some(&token)).await.status, 201);
    }
    let res = t
        .ingest(
            &json!({"event_type": "page_view", "anonymous_id": "anon-123"}),
            None,
        )
        .await;
    assert_eq!(res.status, 201);
    let res = t.admin_get("/api/admin/analytics/daily-summary/").await;
    let today = day_of(Utc::now(), zone()).to_string();
    assert_eq!(
        res.body,
        json!({"date": today, "total_events": 3, "unique_users": 1, "unique_anonymous": 1,
               "events_by_type": {"page_view": 2, "booking_created": 1}})
    );
    let res = t.admin_get("/api/admin/analytics/active-users/").await;
    assert_eq!(
        res.body,
        json!({"date": today, "daily_active_users": 1, "unique_anonymous": 1, "total_active": 2})
    );
    let res = t
        .admin_get("/api/admin/analytics/events-per-day/?days=3")
        .await;
    assert_eq!(res.status, 200, "{}", res.text);
    let days = res.body["days"].as_array().unwrap();
    assert_eq!(days.len(), 3);
    assert_eq!(
        days[2],
        json!({"date": today, "total": 3, "events_by_type": {"page_view": 2, "booking_created": 1}})
    );
    assert_eq!(days[0]["total"], 0);
}

#[tokio::test]
async fn top_services_counts_searches_per_service_within_the_dates() {
    let t = spawn().await;
    for (at, payload) in [
        ("2026-01-04T05:00:00Z", json!({"service_id": "456"})),
        ("2026-01-04T06:00:00Z", json!({"service_id": "456"})),
        ("2026-01-04T07:00:00Z", json!({"service_id": 789})),
        ("2026-01-04T08:00:00Z", json!({"query": "pipe"})),
        ("2026-01-05T19:00:00Z", json!({"service_id": "456"})), // the 6th in India
    ] {
        t.stored_at(utc(at), "service_search", "web", None, None, payload)
            .await;
    }
    t.stored_at(
        utc("2026-01-04T05:00:00Z"),
        "page_view",
        "web",
        None,
        None,
        json!({"service_id": "999"}),
    )
    .await;
    let res = t
        .admin_get("/api/admin/analytics/top-services/?date_from=2026-01-04&date_to=2026-01-05")
        .await;
    assert_eq!(res.status, 200, "{}", res.text);
    assert_eq!(
        res.body,
        json!({"top_services": [
            {"payload__service_id": "456", "count": 2},
            {"payload__service_id": 789, "count": 1},
            {"payload__service_id": null, "count": 1},
        ]})
    );
    let res = t
        .admin_get("/api/admin/analytics/top-services/?limit=1")
        .await;
    assert_eq!(
        res.body,
        json!({"top_services": [{"payload__service_id": "456", "count": 3}]})
    );
    for bad in ["limit=abc", "limit=0", "limit=-3"] {
        let res = t
            .admin_get(&format!("/api/admin/analytics/top-services/?{bad}"))
            .await;
        assert_eq!(res.status, 400, "{bad}");
        assert_eq!(
            res.body,
            json!({"limit": ["Enter a whole number from 1 to 1000."]})
        );
    }
    let res = t
        .admin_get("/api/admin/analytics/top-services/?date_from=04-01-2026")
        .await;
    assert_eq!(
        res.body,
        json!({"error": "Invalid date format. Use YYYY-MM-DD"})
    );
}

#[tokio::test]
async fn the_export_streams_csv_oldest_first_with_minimal_quoting() {
    let t = spawn().await;
    let user = Uuid::new_v4();
    let first = t
        .stored_at(
            utc("2026-01-04T05:00:00Z"),
            "=HYPERLINK(\"x\")",
            "web",
            None,
            Some("anon,1"),
            json!({"q": "a \"b\""}),
        )
        .await;
    let second = t
        .stored_at(
            utc("2026-01-04T06:00:00.25Z"),
            "page_view",
            "android",
            Some(user),
            None,
            json!({}),
        )
        .await;
    t.stored_at(
        utc("2026-01-05T06:00:00Z"),
        "page_view",
        "web",
        None,
        None,
        json!({}),
    )
    .await;
    let res = t
        .admin_get("/api/admin/analytics/export/?date=2026-01-04")
        .await;
    assert_eq!(res.status, 200, "{}", res.text);
    assert_eq!(
        res.header("content-type").unwrap(),
        "text/csv; charset=utf-8"
    );
    assert_eq!(
        res.header("content-disposition").unwrap(),
        "attachment; filename=\"events_2026-01-04.csv\""
    );
    assert_eq!(
        res.text,
        format!(
            "id,created_at,event_type,user_id,anonymous_id,source,ip_address,payload\r\n\
             {first},2026-01-04T05:00:00+00:00,\"'=HYPERLINK(\"\"x\"\")\",,\"anon,1\",web,,\"{{\"\"q\"\": \"\"a \\\"\"b\\\"\"\"\"}}\"\r\n\
             {second},2026-01-04T06:00:00.250000+00:00,page_view,{user},,android,,{{}}\r\n"
        )
    );
    let res = t
        .admin_get("/api/admin/analytics/export/?event_type=page_view")
        .await;
    assert_eq!(
        res.header("content-disposition").unwrap(),
        "attachment; filename=\"events_all.csv\""
    );
    assert_eq!(res.text.matches("\r\n").count(), 3);
    let res = t.admin_get("/api/admin/analytics/export/?limit=x").await;
    assert_eq!(res.status, 400);
}

#[tokio::test]
async fn a_long_export_is_read_page_by_page_in_order() {
    let t = spawn().await;
    let mut conn = t.conn().await;
    let start = utc("2026-02-01T00:00:00Z");
    let events: Vec<_> = (0..2500)
        .map(|i| hm_analytics::store::events::NewEvent {
            id: Uuid::new_v4(),
            // Three events per second: ties broken by id, some across the 1000-row pages.
            created_at: start + Duration::seconds(i / 3),
            user_id: None,
            anonymous_id: None,
            event_type: "tick".into(),
            source: "web".into(),
            payload: json!({"i": i}),
            ip_address: None,
            user_agent: None,
        })
        .collect();
    let refs: Vec<_> = events.iter().collect();
    hm_analytics::store::events::insert(&mut conn, &refs, zone())
        .await
        .unwrap();
    let res = t.admin_get("/api/admin/analytics/export/?limit=2100").await;
    let lines: Vec<&str> = res.text.split("\r\n").filter(|l| !l.is_empty()).collect();
    assert_eq!(lines.len(), 2101);
    let mut expected: Vec<(chrono::DateTime<Utc>, Uuid)> =
        events.iter().map(|e| (e.created_at, e.id)).collect();
    expected.sort();
    for (line, (_, id)) in lines[1..].iter().zip(&expected) {
        assert!(line.starts_with(&id.to_string()), "{line}");
    }
    let res = t.admin_get("/api/admin/analytics/export/").await;
    assert_eq!(
        res.text.split("\r\n").filter(|l| !l.is_empty()).count(),
        2501
    );
}

#[tokio::test]
async fn retention_drops_old_days_whole_and_keeps_the_rest() {
    let t = spawn_with(|c| c.retention_days = 90).await;
    let now = Utc::now();
    // Two events 100 days old, one an hour younger than 90 days (kept: "older than now − 90 days" is
    // what goes), two of today.
    for age in [
        Duration::days(100),
        Duration::days(100),
        Duration::days(90) - Duration::hours(1),
        Duration::zero(),
        Duration::zero(),
    ] {
        t.stored_at(now - age, "page_view", "web", None, None, json!({}))
            .await;
    }
    let old_day = day_of(now - Duration::days(100), zone());
    let mut conn = t.conn().await;
    // A dry run drops nothing (AN14).
    let keep_from = hm_analytics::maintenance::first_kept(now, zone(), 90);
    let would = partitions::drop_before(&mut conn, keep_from, true)
        .await
        .unwrap();
    assert_eq!(would, vec![old_day]);
    assert_eq!(t.count("SELECT count(*) FROM analytics_events").await, 5);
    let round = Maintenance {
        pool: hm_platform::db::pool(&t.db.url, 2).unwrap(),
        zone: zone(),
        retention_days: 90,
        every: std::time::Duration::from_secs(3600),
    }
    .round(&mut conn)
    .await
    .unwrap();
    assert_eq!(round.days_dropped, vec![old_day]);
    assert_eq!(t.count("SELECT count(*) FROM analytics_events").await, 3);
    assert_eq!(
        t.count(
            "SELECT count(*) FROM analytics_events WHERE created_at < now() - interval '90 days'"
        )
        .await,
        0
    );
    assert_eq!(
        t.count(&format!(
            "SELECT count(*) FROM pg_class WHERE relname = '{}'",
            partitions::name(old_day)
        ))
        .await,
        0
    );
    // Partitions are ready from yesterday to three days ahead.
    let days = partitions::days(&mut conn).await.unwrap();
    let today = day_of(now, zone());
    for d in -1..=3 {
        assert!(days.contains(&(today + Duration::days(d))), "{d}");
    }
}

#[tokio::test]
async fn a_days_report_reads_only_that_days_partition() {
    let t = spawn().await;
    t.stored_at(
        utc("2026-01-04T05:00:00Z"),
        "page_view",
        "web",
        None,
        None,
        json!({}),
    )
    .await;
    t.stored_at(
        utc("2026-01-05T05:00:00Z"),
        "page_view",
        "web",
        None,
        None,
        json!({}),
    )
    .await;
    let client = t.db.client().await;
    let plan: Vec<String> = client
        .query(
            "EXPLAIN SELECT event_type, count(*) FROM analytics_events \
             WHERE created_at >= '2026-01-03T18:30:00Z' AND created_at < '2026-01-04T18:30:00Z' \
             GROUP BY event_type",
            &[],
        )
        .await
        .unwrap()
        .iter()
        .map(|r| r.get(0))
        .collect();
    let plan = plan.join("\n");
    assert!(plan.contains("analytics_events_20260104"), "{plan}");
    assert!(!plan.contains("analytics_events_20260105"), "{plan}");
}

#[tokio::test]
async fn reports_are_for_admins_only_and_check_their_dates() {
    let t = spawn().await;
    let (_, worker) = t.token(Role::Worker);
    for path in [
        "/api/admin/analytics/daily-summary/",
        "/api/admin/analytics/top-services/",
        "/api/admin/analytics/active-users/",
        "/api/admin/analytics/export/",
        "/api/admin/analytics/events-per-day/",
    ] {
        let res = t.send(t.http.get(t.url(path)).bearer_auth(&worker)).await;
        assert_eq!(res.status, 403, "{path}");
        assert_eq!(
            res.body,
            json!({"detail": "You do not have permission to perform this action."})
        );
        let res = t.send(t.http.get(t.url(path))).await;
        assert_eq!(res.status, 401, "{path}");
    }
    for path in [
        "/api/admin/analytics/daily-summary/?date=2026-13-01",
        "/api/admin/analytics/active-users/?date=yesterday",
        "/api/admin/analytics/export/?date=2026-1-4",
    ] {
        let res = t.admin_get(path).await;
        assert_eq!(res.status, 400, "{path}");
        assert_eq!(
            res.body,
            json!({"error": "Invalid date format. Use YYYY-MM-DD"})
        );
    }
    let res = t
        .admin_get("/api/admin/analytics/events-per-day/?days=91")
        .await;
    assert_eq!(
        res.body,
        json!({"days": ["Enter a whole number from 1 to 90."]})
    );
}

#[tokio::test]
async fn the_openapi_document_documents_every_operation() {
    let t = spawn().await;
    let res = t.send(t.http.get(t.url("/openapi.json"))).await;
    assert_eq!(res.status, 200);
    hm_platform::testing::assert_openapi_document("analytics", res.text.as_bytes(), &[]);
}

#[tokio::test]
async fn schema_rs_is_what_the_migrations_make() {
    hm_platform::testing::assert_schema_generated::<hm_analytics::Analytics>(env!(
        "CARGO_MANIFEST_DIR"
    ))
    .await;
}
