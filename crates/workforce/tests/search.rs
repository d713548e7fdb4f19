//! The nearby search against the real Postgres: radius (Haversine, R = 6371 km), nearest first, service
//! and availability filters, and the search rows following profile and skill changes (triggers).
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use diesel_async::AsyncConnection;
use hm_platform::testing::TestDb;
use hm_workforce::domain::geo::Point;
use hm_workforce::store::search::{self, Availability, Hit, Query, Sort};
use hm_workforce::store::{skills, workers};
use uuid::Uuid;

async fn sql(db: &TestDb, statement: &str) {
    let (client, connection) = tokio_postgres::connect(&db.url, tokio_postgres::NoTls)
        .await
        .unwrap();
    tokio::spawn(connection);
    client.batch_execute(statement).await.unwrap();
}

async fn nearby(
    conn: &mut diesel_async::AsyncPgConnection,
    at: Point,
    radius_km: f64,
    service: Option<Uuid>,
    limit: i64,
    offset: i64,
) -> Vec<Hit> {
    let query = Query {
        at,
        radius_km,
        service,
        skill: None,
        availability: Availability::Online,
        min_price: None,
        max_price: None,
        sort: Sort::Distance,
        descending: false,
        limit,
        offset,
    };
    search::page(conn, &query).await.unwrap().0
}

/// Workers east of a point in central Mumbai at the given distances (km, along the parallel).
const ORIGIN: (f64, f64) = (19.0760, 72.8777);

fn east(km: f64) -> (f64, f64) {
    let per_degree = 6371.0 * ORIGIN.0.to_radians().cos() * std::f64::consts::PI / 180.0;
    (ORIGIN.0, ORIGIN.1 + km / per_degree)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn nearby_finds_available_workers_of_a_service_nearest_first_within_the_radius() {
    let db = TestDb::new(
        "workforce",
        <hm_workforce::Workforce as hm_platform::service::Service>::INFO.migration_sets(),
    )
    .await;
    let mut conn = diesel_async::AsyncPgConnection::establish(&db.url)
        .await
        .unwrap();
    let plumbing = common::service(&mut conn, "plumbing", "Plumbing", "", true).await;
    let painting = common::service(&mut conn, "painter", "Painter", "", true).await;
    // (name, km east, available, skill)
    let workers = [
        ("near", 1.0, true, plumbing),
        ("mid", 4.0, true, plumbing),
        ("edge", 9.9, true, plumbing),
        ("far", 10.2, true, plumbing),
        ("resting", 2.0, false, plumbing),
        ("painter", 0.5, true, painting),
    ];
    let mut ids = std::collections::HashMap::new();
    for (name, km, available, skill) in workers {
        let (id, user) = (Uuid::new_v4(), Uuid::new_v4());
        let (lat, lng) = east(km);
        let fields = workers::Editable {
            latitude: Some(format!("{lat:.6}")),
            longitude: Some(format!("{lng:.6}")),
            ..workers::Editable::defaults()
        };
        workers::insert(&mut conn, id, user, &fields).await.unwrap();
        if available {
            // Online: available, as the worker's toggle makes it.
            workers::toggle_availability(&mut conn, id, user, true, None)
                .await
                .unwrap();
        }
        skills::link(&mut conn, id, skill, 0).await.unwrap();
        ids.insert(name, id);
    }
    let at = Point::new(ORIGIN.0, ORIGIN.1).unwrap();
    let hits = nearby(&mut conn, at, 10.0, Some(plumbing), 20, 0).await;
    let found: Vec<Uuid> = hits.iter().map(|h| h.worker_id).collect();
    assert_eq!(found, [ids["near"], ids["mid"], ids["edge"]]);
    assert!(
        (hits[0].distance_km - 1.0).abs() < 0.01,
        "{}",
        hits[0].distance_km
    );
    assert!((hits[2].distance_km - 9.9).abs() < 0.01);
    // Any service: the painter too; paging.
    let all = nearby(&mut conn, at, 10.0, None, 2, 0).await;
    assert_eq!(
        all.iter().map(|h| h.worker_id).collect::<Vec<_>>(),
        [ids["painter"], ids["near"]]
    );
    let next = nearby(&mut conn, at, 10.0, None, 2, 2).await;
    assert_eq!(
        next.iter().map(|h| h.worker_id).collect::<Vec<_>>(),
        [ids["mid"], ids["edge"]]
    );

    // The search follows the profiles: going offline, moving away, losing a skill.
    sql(
        &db,
        &format!(
            "UPDATE worker_profiles SET is_available = false WHERE id = '{}'",
            ids["near"]
        ),
    )
    .await;
    let (lat, lng) = east(30.0);
    sql(
        &db,
        &format!(
            "UPDATE worker_profiles SET latitude = {lat:.6}, longitude = {lng:.6} WHERE id = '{}'",
            ids["mid"]
        ),
    )
    .await;
    sql(
        &db,
        &format!(
            "DELETE FROM worker_services WHERE worker_id = '{}'",
            ids["edge"]
        ),
    )
    .await;
    sql(&db, &format!("UPDATE worker_profiles SET is_available = true, availability_status = 'available' WHERE id = '{}'", ids["resting"])).await;
    let hits = nearby(&mut conn, at, 10.0, Some(plumbing), 20, 0).await;
    assert_eq!(
        hits.iter().map(|h| h.worker_id).collect::<Vec<_>>(),
        [ids["resting"]]
    );
    // A worker without a location is never a search row.
    sql(
        &db,
        &format!(
            "UPDATE worker_profiles SET latitude = NULL, longitude = NULL WHERE id = '{}'",
            ids["resting"]
        ),
    )
    .await;
    assert!(nearby(&mut conn, at, 10.0, Some(plumbing), 20, 0)
        .await
        .is_empty());
}
