//! Workforce keeps catalog's services and identity's users as local projections, from real events on
//! a real broker; a redelivered event changes nothing the second time.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use hm_contracts::events::{types, ServiceChanged, UserRegistered};
use hm_contracts::{Event, Role};
use hm_platform::auth::AuthConfig;
use hm_platform::events::Broker;
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
    let spawned = hm_workforce::testing::spawn(AuthConfig {
        issuer: "i".into(),
        audience: "a".into(),
        jwks_url: None,
    })
    .await;
    let (db, bus, handle) = (&spawned.db, spawned.bus.clone(), spawned.handle.clone());

    // What catalog and identity publish.
    let catalog = Broker::new(hm_platform::events::BusConfig {
        queue: "unused".into(),
        ..bus.clone()
    });
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
