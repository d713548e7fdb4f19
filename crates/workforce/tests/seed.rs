//! `hm-workforce seed`: waits for identity's users and catalog's services to arrive as events, then
//! creates the demo data of CONFIG §4.2 once.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use diesel_async::AsyncConnection;
use hm_contracts::events::{types, ServiceChanged, UserRegistered};
use hm_contracts::{Event, Role};
use std::time::Duration;
use uuid::Uuid;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_demo_data_is_seeded_once_after_users_and_services_arrive() {
    let api = common::Api::start().await;
    let mut conn = diesel_async::AsyncPgConnection::establish(&api.app.db.url)
        .await
        .unwrap();
    let error = hm_workforce::seed::run(&mut conn, Duration::ZERO)
        .await
        .unwrap_err()
        .to_string();
    assert!(
        error.contains("user +919876543210") && error.contains("service plumber"),
        "{error}"
    );

    // identity and catalog announce them while the seeder waits.
    let others = hm_platform::testing::publisher(&api.app.bus);
    let seeding = tokio::spawn({
        let url = api.app.db.url.clone();
        async move {
            let mut conn = diesel_async::AsyncPgConnection::establish(&url)
                .await
                .unwrap();
            hm_workforce::seed::run(&mut conn, Duration::from_secs(20)).await
        }
    });
    let users = [
        ("+919876543210", Role::Worker, "Raju", "Kumar"),
        ("+919876543211", Role::Contractor, "Vikram", "Singh"),
        ("+919876543212", Role::Worker, "Sunil", "Yadav"),
    ];
    for (phone, role, first, last) in users {
        let event = Event::new(
            "identity",
            types::USER_REGISTERED,
            None,
            UserRegistered {
                user_id: Uuid::new_v4(),
                phone: phone.into(),
                role,
                first_name: first.into(),
                last_name: last.into(),
            },
        );
        others
            .publish(&event.into_json().unwrap(), None)
            .await
            .unwrap();
    }
    for (order, slug, name) in [(1, "plumber", "Plumber"), (2, "electrician", "Electrician")] {
        let event = Event::new(
            "catalog",
            types::SERVICE_CREATED,
            None,
            ServiceChanged {
                service_id: Uuid::new_v4(),
                slug: slug.into(),
                name: name.into(),
                title_en: name.into(),
                title_hi: String::new(),
                category: "construction".into(),
                is_active: true,
                display_order: order,
                aliases: if slug == "plumber" {
                    vec!["plumbing".into()]
                } else {
                    Vec::new()
                },
            },
        );
        others
            .publish(&event.into_json().unwrap(), None)
            .await
            .unwrap();
    }
    let done = seeding.await.unwrap().expect("seeded");
    assert!(done.contains("created worker +919876543210"), "{done}");

    // What a client sees.
    let (status, raju) = api
        .send(
            reqwest::Method::GET,
            "/api/v1/workers/?skill=plumbing",
            None,
            None,
            None,
        )
        .await;
    assert_eq!(status, 200);
    assert_eq!(raju["count"], 1);
    let raju = &raju["results"][0];
    assert_eq!(
        (
            &raju["user_name"],
            &raju["availability_status"],
            &raju["rating"],
            &raju["price_amount"],
            &raju["min_charge"],
            &raju["experience_years"],
            &raju["services_list"]
        ),
        (
            &"Raju Kumar".into(),
            &"available".into(),
            &"4.50".into(),
            &"600.00".into(),
            &"300.00".into(),
            &5.into(),
            &serde_json::json!(["Plumber"])
        )
    );
    let rows = api
        .count(
            "SELECT count(*) FROM site_attendance a JOIN sites s ON s.id = a.site_id
             WHERE s.name = 'Green Valley Construction Site'",
        )
        .await;
    assert_eq!(rows, 14, "two workers, seven days");
    let raju = "FROM site_attendance a JOIN worker_profiles w ON w.id = a.worker_id
                JOIN user_refs u ON u.id = w.user_id WHERE u.phone = '+919876543210' AND a.status = 'present'";
    assert_eq!(
        api.count(&format!("SELECT count(*) {raju}")).await,
        5,
        "present the last five days"
    );
    assert_eq!(
        api.count(&format!(
            "SELECT count(*) {raju} AND a.attendance_date < (now() AT TIME ZONE 'UTC')::date
               AND to_char(a.checkin_time AT TIME ZONE 'Asia/Kolkata', 'HH24:MI') = '09:00'"
        ))
        .await,
        4,
        "in at 09:00 IST"
    );
    assert_eq!(
        api.count("SELECT count(*) FROM site_attendance WHERE checkin_time > now()")
            .await,
        0,
        "no check-in in the future"
    );
    let sunil_busy = api
        .count("SELECT count(*) FROM worker_profiles WHERE availability_status = 'busy' AND price_amount = 500 AND min_charge IS NULL")
        .await;
    assert_eq!(sunil_busy, 1);
    assert_eq!(api.count("SELECT count(*) FROM sites").await, 2);
    assert_eq!(
        api.count("SELECT count(*) FROM site_assignments WHERE is_active")
            .await,
        2
    );
    assert_eq!(
        api.count("SELECT count(*) FROM outbox WHERE event_type IN ('workforce.worker.created', 'workforce.contractor.created')")
            .await,
        3,
        "identity learns the profiles"
    );

    // Again: nothing new.
    let again = hm_workforce::seed::run(&mut conn, Duration::ZERO)
        .await
        .unwrap();
    assert!(again.contains("already present"), "{again}");
    assert_eq!(
        api.count("SELECT (SELECT count(*) FROM worker_profiles) + (SELECT count(*) FROM contractor_profiles) + (SELECT count(*) FROM sites) + (SELECT count(*) FROM site_attendance)")
            .await,
        2 + 1 + 2 + 14
    );
}
