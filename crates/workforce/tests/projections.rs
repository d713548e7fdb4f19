//! Workforce keeps catalog's services and identity's users as local projections, from real events on
//! a real broker; a redelivered event changes nothing the second time.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use hm_contracts::events::{types, BookingCompleted, JobChanged, ServiceChanged, UserRegistered};
use hm_contracts::{Event, Role};
use hm_platform::testing::{eventually, TestDb};
use std::time::Duration;
use uuid::Uuid;

async fn query(db: &TestDb, sql: &str) -> Vec<tokio_postgres::Row> {
    let (client, connection) = tokio_postgres::connect(&db.url, tokio_postgres::NoTls)
        .await
        .unwrap();
    tokio::spawn(connection);
    client.query(sql, &[]).await.unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn services_and_users_are_projected_once_per_event() {
    let spawned = common::Api::start().await;
    let (db, handle) = (&spawned.db, spawned.handle.clone());
    // What catalog and identity publish.
    let catalog = hm_platform::testing::publisher(&spawned.bus);
    let service_id = Uuid::new_v4();
    let created = Event::new(
        "catalog",
        types::SERVICE_CREATED,
        None,
        ServiceChanged {
            service_id,
            slug: "plumbing".into(),
            name: "Plumbing".into(),
            title_en: "Plumbing".into(),
            title_hi: "प्लंबर".into(),
            category: "construction".into(),
            is_active: true,
            display_order: 1,
            aliases: Vec::new(),
        },
    )
    .into_json()
    .unwrap();
    catalog.publish(&created, None).await.unwrap();
    catalog.publish(&created, None).await.unwrap(); // redelivered
    let user_id = Uuid::new_v4();
    let user = Event::new(
        "identity",
        types::USER_REGISTERED,
        None,
        UserRegistered {
            user_id,
            phone: "+919876543210".into(),
            role: Role::Worker,
            first_name: "Raju".into(),
            last_name: "Kumar".into(),
        },
    )
    .into_json()
    .unwrap();
    catalog.publish(&user, None).await.unwrap();

    let projected = eventually(Duration::from_secs(10), || async {
        let rows = query(db, "SELECT (SELECT count(*) FROM service_refs), (SELECT count(*) FROM user_refs), (SELECT count(*) FROM inbox)").await;
        let (services, users, inbox): (i64, i64, i64) = (rows[0].get(0), rows[0].get(1), rows[0].get(2));
        (services == 1 && users == 1 && inbox == 2).then_some(())
    })
    .await;
    assert!(
        projected.is_some(),
        "one service, one user, two events recorded once each"
    );

    // A later state replaces the earlier one.
    let withdrawn = Event::new(
        "catalog",
        types::SERVICE_UPDATED,
        None,
        ServiceChanged {
            service_id,
            slug: "plumbing".into(),
            name: "Plumbing".into(),
            title_en: "Plumbing & Pipes".into(),
            title_hi: String::new(),
            category: "construction".into(),
            is_active: false,
            display_order: 1,
            aliases: Vec::new(),
        },
    )
    .into_json()
    .unwrap();
    catalog.publish(&withdrawn, None).await.unwrap();
    let updated = eventually(Duration::from_secs(10), || async {
        let rows = query(db, "SELECT title_en, is_active FROM service_refs").await;
        let (title, active): (String, bool) = (rows[0].get(0), rows[0].get(1));
        (title == "Plumbing & Pipes" && !active).then_some(())
    })
    .await;
    assert!(updated.is_some());
    let names = query(
        db,
        "SELECT first_name || ' ' || last_name, phone FROM user_refs",
    )
    .await;
    assert_eq!(names[0].get::<_, String>(0), "Raju Kumar");
    handle.stop(true).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn completed_bookings_count_once_and_ratings_average() {
    let spawned = common::Api::start().await;
    let (db, handle) = (&spawned.db, spawned.handle.clone());
    let jobs = hm_platform::testing::publisher(&spawned.bus);
    let worker = Uuid::new_v4();
    {
        use diesel_async::AsyncConnection;
        use hm_workforce::store::workers;
        let mut conn = diesel_async::AsyncPgConnection::establish(&db.url)
            .await
            .unwrap();
        let fields = workers::Editable::defaults();
        workers::insert(&mut conn, worker, Uuid::new_v4(), &fields)
            .await
            .unwrap();
        workers::set_rating(&mut conn, worker, "4.50")
            .await
            .unwrap();
    }
    let completed = |rating: Option<f64>, worker_id: Option<Uuid>| {
        Event::new(
            "jobs",
            types::BOOKING_COMPLETED,
            None,
            BookingCompleted {
                booking_id: Uuid::new_v4(),
                user_id: Uuid::new_v4(),
                worker_id,
                service_id: Uuid::new_v4(),
                completed_at: chrono::Utc::now(),
                rating,
            },
        )
        .into_json()
        .unwrap()
    };
    // The first rating replaces the seeded one (no ratings counted yet); a redelivered copy, a
    // booking without a worker and one of an unknown profile change nothing.
    let first = completed(Some(4.0), Some(worker));
    jobs.publish(&first, None).await.unwrap();
    jobs.publish(&first, None).await.unwrap();
    jobs.publish(&completed(None, None), None).await.unwrap();
    jobs.publish(&completed(Some(5.0), Some(Uuid::new_v4())), None)
        .await
        .unwrap();
    jobs.publish(&completed(Some(5.0), Some(worker)), None)
        .await
        .unwrap();
    jobs.publish(&completed(Some(9.0), Some(worker)), None)
        .await
        .unwrap(); // out of range: counted as a job, not as a rating
    let settled = eventually(Duration::from_secs(10), || async {
        let inbox: i64 = query(db, "SELECT count(*) FROM inbox").await[0].get(0);
        (inbox == 5).then_some(())
    })
    .await;
    assert!(settled.is_some(), "five distinct events handled");
    let row = &query(
        db,
        &format!("SELECT total_jobs_completed, rating::text, rating_count FROM worker_profiles WHERE id = '{worker}'"),
    )
    .await[0];
    assert_eq!(
        (
            row.get::<_, i32>(0),
            row.get::<_, String>(1),
            row.get::<_, i32>(2)
        ),
        (3, "4.50".to_owned(), 2),
        "three jobs, ratings 4 and 5 averaged"
    );

    // Job states: the newest wins even when an older one arrives late.
    let job_id = Uuid::new_v4();
    let job = |status: &str| JobChanged {
        job_id,
        poster_id: Uuid::new_v4(),
        contractor_id: None,
        service_id: Uuid::new_v4(),
        status: status.into(),
    };
    let posted = Event::new("jobs", types::JOB_POSTED, None, job("open"));
    let assigned = Event::new("jobs", types::JOB_STATUS_CHANGED, None, job("assigned"));
    jobs.publish(&assigned.into_json().unwrap(), None)
        .await
        .unwrap();
    jobs.publish(&posted.into_json().unwrap(), None)
        .await
        .unwrap();
    let status = eventually(Duration::from_secs(10), || async {
        let inbox: i64 = query(db, "SELECT count(*) FROM inbox").await[0].get(0);
        if inbox < 7 {
            return None;
        }
        let rows = query(db, "SELECT status::text FROM job_refs").await;
        Some(rows[0].get::<_, String>(0))
    })
    .await;
    assert_eq!(status.as_deref(), Some("assigned"));
    handle.stop(true).await;
}
