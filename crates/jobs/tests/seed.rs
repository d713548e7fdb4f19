//! `hm-jobs seed`: waits for the demo people, profiles and service, then creates CONFIG §4.2's jobs
//! and bookings once.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use diesel_async::AsyncConnection;
use hm_contracts::Role;
use reqwest::Method;
use serde_json::json;
use std::time::Duration;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_demo_jobs_and_bookings_are_seeded_once() {
    let api = common::Api::start().await;
    let mut conn = diesel_async::AsyncPgConnection::establish(&api.app.db.url)
        .await
        .unwrap();
    let error = hm_jobs::seed::run(&mut conn, Duration::ZERO)
        .await
        .unwrap_err()
        .to_string();
    assert!(
        error.contains("user +919876543211") && error.contains("service plumber"),
        "{error}"
    );

    let (vikram, _) = api
        .user("+919876543211", Role::Contractor, "Vikram", "Singh")
        .await;
    let (_, amit) = api
        .user("+919000000001", Role::Employer, "Amit", "Verma")
        .await;
    let (raju, _) = api
        .user("+919876543210", Role::Worker, "Raju", "Kumar")
        .await;
    let raju_profile = api.worker_profile(raju).await;
    api.service("plumber", "Plumber", true).await;
    api.contractor_profile(vikram).await;

    let done = hm_jobs::seed::run(&mut conn, Duration::ZERO).await.unwrap();
    assert!(done.contains("job Fix leaking tap in kitchen"), "{done}");
    let (_, jobs) = api
        .call(Method::GET, "/api/v1/jobs/?sort=price", None, None)
        .await;
    assert_eq!(jobs["count"], 2);
    assert_eq!(
        (
            &jobs["results"][0]["title"],
            &jobs["results"][0]["budget"],
            &jobs["results"][0]["poster_name"]
        ),
        (
            &json!("Fix leaking tap in kitchen"),
            &json!("500.00"),
            &json!("Vikram Singh")
        )
    );
    assert_eq!(jobs["results"][1]["location"], "Bandra, Mumbai");
    let (_, bookings) = api
        .call(Method::GET, "/api/v1/bookings/", Some(&amit), None)
        .await;
    assert_eq!(bookings["count"], 2);
    let mut seen: Vec<(String, String)> = bookings["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|b| {
            (
                b["status"].as_str().unwrap().to_owned(),
                b["worker"]["id"].as_str().unwrap_or("-").to_owned(),
            )
        })
        .collect();
    seen.sort();
    assert_eq!(
        seen,
        [
            ("confirmed".to_owned(), raju_profile.to_string()),
            ("requested".to_owned(), "-".to_owned())
        ]
    );
    assert_eq!(
        api.app
            .db
            .count("SELECT count(*) FROM outbox WHERE event_type IN ('jobs.job.posted', 'jobs.booking.created')")
            .await,
        4
    );
    let again = hm_jobs::seed::run(&mut conn, Duration::ZERO).await.unwrap();
    assert_eq!(again, "jobs: demo data already present");
    assert_eq!(
        api.app
            .db
            .count("SELECT (SELECT count(*) FROM jobs) + (SELECT count(*) FROM bookings)")
            .await,
        4
    );
}
