//! The projections a service keeps (hm_platform::projections) against real PostgreSQL and RabbitMQ: their
//! tables are what the platform's schema module says, and a consumer that keeps them applies their events
//! itself and hands the service's handler only the rest.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use diesel::prelude::*;
use diesel_async::{AsyncConnection, AsyncPgConnection, RunQueryDsl};
use hm_contracts::events::{types, ServiceChanged, UserRegistered};
use hm_contracts::{Event, Role};
use hm_platform::db;
use hm_platform::events::{Broker, Consumer, Handler, HandlerResult};
use hm_platform::metrics::Metrics;
use hm_platform::projections::schema::{service_refs, user_refs};
use hm_platform::projections::Projection;
use hm_platform::testing::{self, eventually, TestDb};
use serde_json::json;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;
use uuid::Uuid;

const KEPT: [Projection; 2] = [Projection::Users, Projection::Services];

#[tokio::test]
async fn projection_schema_is_what_the_migrations_make() {
    let sets = KEPT.iter().map(|p| p.migrations()).collect();
    testing::assert_print_schema(
        "projections",
        sets,
        env!("CARGO_MANIFEST_DIR"),
        "src/projections/schema.rs",
    )
    .await;
}

struct Counting(Arc<AtomicUsize>);

impl Handler for Counting {
    async fn handle(&self, _: &mut AsyncPgConnection, _: &Event) -> HandlerResult {
        self.0.fetch_add(1, Ordering::SeqCst);
        Ok(())
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_consumer_keeps_its_projections_and_hands_on_the_rest() {
    let db = TestDb::new("projections", KEPT.iter().map(|p| p.migrations()).collect()).await;
    let bus = testing::bus_config("projections");
    let handled = Arc::new(AtomicUsize::new(0));
    let bindings = [types::USER_REGISTERED, types::SERVICE_CREATED, "test.other"];
    let consumer = Consumer::new(
        bus.clone(),
        &bindings,
        &KEPT,
        Counting(handled.clone()),
        db::pool(&db.url, 2).unwrap(),
        Metrics::new("t").unwrap(),
    )
    .spawn()
    .await
    .unwrap();

    let (user, service) = (Uuid::new_v4(), Uuid::new_v4());
    let registered = UserRegistered {
        user_id: user,
        phone: "+919876543210".into(),
        role: Role::Worker,
        first_name: "Asha".into(),
        last_name: "Devi".into(),
    };
    let created = ServiceChanged {
        service_id: service,
        slug: "plumber".into(),
        name: "Plumber".into(),
        title_en: "Plumber".into(),
        title_hi: "प्लंबर".into(),
        category: "home".into(),
        is_active: true,
        display_order: 1,
        aliases: vec!["plumbing".into()],
    };
    let broker = Broker::new(bus.clone());
    for (kind, data) in [
        (types::USER_REGISTERED, json!(registered)),
        (types::SERVICE_CREATED, json!(created)),
        ("test.other", json!({})),
    ] {
        let event = Event::new("platform", kind, None, data)
            .into_json()
            .unwrap();
        broker.publish(&event, None).await.unwrap();
    }

    let mut conn = AsyncPgConnection::establish(&db.url).await.unwrap();
    let kept = eventually(Duration::from_secs(10), || {
        let url = db.url.clone();
        async move {
            let mut conn = AsyncPgConnection::establish(&url).await.ok()?;
            let name: String = user_refs::table
                .find(user)
                .select(user_refs::first_name)
                .first(&mut conn)
                .await
                .ok()?;
            let aliases: Vec<Option<String>> = service_refs::table
                .find(service)
                .select(service_refs::aliases)
                .first(&mut conn)
                .await
                .ok()?;
            Some((name, aliases))
        }
    })
    .await;
    assert_eq!(
        kept,
        Some(("Asha".to_owned(), vec![Some("plumbing".to_owned())]))
    );
    let handed_on = eventually(Duration::from_secs(10), || async {
        (AtomicUsize::load(&handled, Ordering::SeqCst) == 1).then_some(())
    })
    .await;
    assert!(handed_on.is_some(), "the other event reaches the handler");
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(
        AtomicUsize::load(&handled, Ordering::SeqCst),
        1,
        "the projections' events never reach the service's handler"
    );
    let (role, ekyc): (String, String) = user_refs::table
        .find(user)
        .select((user_refs::role, user_refs::ekyc_status))
        .first(&mut conn)
        .await
        .unwrap();
    assert_eq!(
        (role.as_str(), ekyc.as_str()),
        ("worker", "none"),
        "registered users have done no eKYC"
    );
    consumer.shutdown().await;
}

#[tokio::test]
async fn a_database_made_before_the_platform_owned_the_projections_is_brought_up_to_date() {
    use diesel_async::SimpleAsyncConnection;
    let db = TestDb::new("projections_legacy", vec![]).await;
    let mut conn = AsyncPgConnection::establish(&db.url).await.unwrap();
    // service_refs as a service's own first migration made it, before aliases existed.
    conn.batch_execute(
        "CREATE TABLE service_refs (
             id uuid PRIMARY KEY, slug varchar(120) NOT NULL, name varchar(100) NOT NULL,
             title_en varchar(100) NOT NULL DEFAULT '', is_active boolean NOT NULL DEFAULT true,
             display_order integer NOT NULL DEFAULT 0,
             created_at timestamptz NOT NULL DEFAULT now(), updated_at timestamptz NOT NULL DEFAULT now())",
    )
    .await
    .unwrap();
    let sets = KEPT.iter().map(|p| p.migrations()).collect();
    assert_eq!(db::migrate(&db.url, sets).await.unwrap(), 3);
    let service = ServiceChanged {
        service_id: Uuid::new_v4(),
        slug: "plumber".into(),
        name: "Plumber".into(),
        title_en: "Plumber".into(),
        title_hi: "प्लंबर".into(),
        category: "home".into(),
        is_active: true,
        display_order: 1,
        aliases: vec!["plumbing".into()],
    };
    hm_platform::projections::upsert_service(&mut conn, &service)
        .await
        .unwrap();
    let found = hm_platform::projections::resolve_services(&mut conn, &["PLUMBING".into()])
        .await
        .unwrap();
    assert_eq!(found, vec![Some(service.service_id)]);
}

#[tokio::test]
async fn a_registration_taken_after_an_update_keeps_the_ekyc_status() {
    let db = TestDb::new("projections", KEPT.iter().map(|p| p.migrations()).collect()).await;
    let mut conn = AsyncPgConnection::establish(&db.url).await.unwrap();
    let user = Uuid::new_v4();
    hm_platform::projections::upsert_user(
        &mut conn,
        &hm_contracts::events::UserUpdated {
            user_id: user,
            phone: "+919876543210".into(),
            role: Role::Worker,
            first_name: "Asha".into(),
            last_name: "Devi".into(),
            is_active: true,
            ekyc_status: hm_contracts::EkycStatus::Verified,
        },
    )
    .await
    .unwrap();
    // The registration, delivered late (or again), does not reset the eKYC status.
    hm_platform::projections::upsert_registered(
        &mut conn,
        UserRegistered {
            user_id: user,
            phone: "+919876543210".into(),
            role: Role::Worker,
            first_name: "Asha".into(),
            last_name: "Devi".into(),
        },
    )
    .await
    .unwrap();
    let ekyc: String = user_refs::table
        .find(user)
        .select(user_refs::ekyc_status)
        .first(&mut conn)
        .await
        .unwrap();
    assert_eq!(ekyc, "verified");
}
