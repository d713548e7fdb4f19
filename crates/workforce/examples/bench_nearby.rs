//! `make bench-nearby`: nearby searches (radius 10 km, one service, available workers, 20 results) over
//! 10k, 100k and 1M synthetic workers spread over India: three quarters clustered around 20 cities
//! (σ ≈ 20 km), a quarter anywhere in the country's bounding box; half available; one to three skills of
//! seven. Runs the service's own SQL (`hm_workforce::store::search`) with 1,000 searches per size centred
//! near the cities, and prints p50/p99 per size. Each search is what the API runs for one page: the
//! nearest-first page and the count of matches (`store::search::page`, planned on every call as the
//! service sends it). Loads in bulk (the triggers' work done set-wise).
#![allow(clippy::unwrap_used, clippy::expect_used)]

use diesel_async::AsyncConnection;
use hm_workforce::domain::geo::Point;
use hm_workforce::store::search::{self, Availability, Query, Sort};
use rand::Rng;
use std::time::Instant;
use tokio_postgres::NoTls;

const CITIES: [(f64, f64); 20] = [
    (19.0760, 72.8777),
    (28.6139, 77.2090),
    (12.9716, 77.5946),
    (22.5726, 88.3639),
    (13.0827, 80.2707),
    (17.3850, 78.4867),
    (18.5204, 73.8567),
    (23.0225, 72.5714),
    (26.9124, 75.7873),
    (26.8467, 80.9462),
    (21.1458, 79.0882),
    (22.7196, 75.8577),
    (25.5941, 85.1376),
    (30.7333, 76.7794),
    (21.1702, 72.8311),
    (15.2993, 74.1240),
    (9.9312, 76.2673),
    (11.0168, 76.9558),
    (20.2961, 85.8245),
    (26.1445, 91.7362),
];

async fn connect(url: &str) -> tokio_postgres::Client {
    let (client, connection) = tokio_postgres::connect(url, NoTls).await.expect("postgres");
    tokio::spawn(connection);
    client
}

async fn load(db: &tokio_postgres::Client, from: i64, to: i64) {
    let started = Instant::now();
    // Profiles: uuids derived from the sequence number so skills can refer to them in the same pass.
    db.batch_execute(&format!(
        "SET session_replication_role = replica;
         WITH cities(lat, lng, i) AS (SELECT * FROM unnest(ARRAY[{lats}]::float8[], ARRAY[{lngs}]::float8[]) WITH ORDINALITY AS c(lat, lng, i))
         INSERT INTO worker_profiles (id, user_id, is_available, availability_status, latitude, longitude, rating, price_amount)
         SELECT md5('w' || n)::uuid, md5('u' || n)::uuid, available,
                CASE WHEN available THEN 'available' ELSE 'offline' END,
                round(least(37, greatest(6, lat))::numeric, 6), round(least(97, greatest(68, lng))::numeric, 6),
                round((random() * 5)::numeric, 2), round((200 + random() * 800)::numeric, 2)
         FROM (
           SELECT n, random() < 0.5 AS available,
                  CASE WHEN random() < 0.75 THEN c.lat + 0.18 * sqrt(-2 * ln(1 - random())) * cos(2 * pi() * random())
                       ELSE 8 + random() * 24 END AS lat,
                  CASE WHEN random() < 0.75 THEN c.lng + 0.18 * sqrt(-2 * ln(1 - random())) * cos(2 * pi() * random())
                       ELSE 68 + random() * 24 END AS lng
           FROM generate_series({from}, {to} - 1) n
           JOIN cities c ON c.i = 1 + (n % 20)
         ) g;
         INSERT INTO worker_services (worker_id, service_id, position)
         SELECT md5('w' || n)::uuid, md5('s' || ((n + k * 3) % 7))::uuid, k
         FROM generate_series({from}, {to} - 1) n, generate_series(0, (n % 3)) k
         ON CONFLICT DO NOTHING;
         INSERT INTO worker_search (worker_id, service_id, is_available, availability_status, lat, lng)
         SELECT p.id, s.service_id, p.is_available, p.availability_status, p.latitude, p.longitude
         FROM worker_profiles p
         CROSS JOIN LATERAL (SELECT NULL::uuid AS service_id
                             UNION ALL SELECT ws.service_id FROM worker_services ws WHERE ws.worker_id = p.id) s
         WHERE p.id IN (SELECT md5('w' || n)::uuid FROM generate_series({from}, {to} - 1) n);
         SET session_replication_role = origin;",
        lats = CITIES.iter().map(|c| c.0.to_string()).collect::<Vec<_>>().join(","),
        lngs = CITIES.iter().map(|c| c.1.to_string()).collect::<Vec<_>>().join(","),
    ))
    .await
    .expect("load");
    // As autovacuum leaves a settled table: statistics and the visibility map up to date.
    for table in ["worker_profiles", "worker_services", "worker_search"] {
        db.batch_execute(&format!("VACUUM ANALYZE {table}"))
            .await
            .expect("vacuum");
    }
    println!(
        "  loaded workers {from}..{to} in {:.1} s",
        started.elapsed().as_secs_f64()
    );
}

async fn measure(db: &tokio_postgres::Client, url: &str, size: i64) {
    let mut conn = diesel_async::AsyncPgConnection::establish(url)
        .await
        .expect("connect");
    let mut rng = rand::thread_rng();
    let mut times = Vec::new();
    let mut found = 0usize;
    for i in 0..1100 {
        let (lat, lng) = CITIES[rng.gen_range(0..CITIES.len())];
        let at = Point::new(
            lat + rng.gen_range(-0.1..0.1),
            lng + rng.gen_range(-0.1..0.1),
        )
        .expect("a point");
        let service: uuid::Uuid = db
            .query_one(
                "SELECT md5('s' || $1::int)::uuid",
                &[&rng.gen_range(0..7i32)],
            )
            .await
            .unwrap()
            .get(0);
        let query = Query {
            at,
            radius_km: 10.0,
            service: Some(service),
            skill: None,
            availability: Availability::Online,
            min_price: None,
            max_price: None,
            sort: Sort::Distance,
            descending: false,
            limit: 20,
            offset: 0,
        };
        let started = Instant::now();
        let (hits, _count) = search::page(&mut conn, &query).await.expect("search");
        let took = started.elapsed();
        if i >= 100 {
            // The first hundred warm the cache.
            times.push(took.as_secs_f64() * 1000.0);
            found += hits.len();
        }
    }
    times.sort_by(|a, b| a.total_cmp(b));
    let pct = |p: f64| times[((times.len() as f64 * p) as usize).min(times.len() - 1)];
    println!(
        "{size:>9} workers: p50 {:.2} ms  p99 {:.2} ms  ({} searches, {:.1} results each)",
        pct(0.50),
        pct(0.99),
        times.len(),
        found as f64 / times.len() as f64
    );
}

#[tokio::main]
async fn main() {
    let url = std::env::var("BENCH_DATABASE_URL")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/hm_bench_workforce".into());
    let (admin_url, name) = url.rsplit_once('/').expect("a database URL");
    let admin = connect(&format!("{admin_url}/postgres")).await;
    admin
        .batch_execute(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
        .await
        .unwrap();
    admin
        .batch_execute(&format!("CREATE DATABASE {name}"))
        .await
        .unwrap();
    hm_platform::db::migrate(
        &url,
        <hm_workforce::Workforce as hm_platform::service::Service>::INFO.migration_sets(),
    )
    .await
    .expect("migrate");
    let db = connect(&url).await;
    db.batch_execute(
        "INSERT INTO service_refs (id, slug, name)
         SELECT md5('s' || n)::uuid, 'service-' || n, 'Service ' || n FROM generate_series(0, 6) n",
    )
    .await
    .unwrap();
    println!("nearby search: radius 10 km, one service, available only, 20 results");
    let mut loaded = 0;
    for size in [10_000i64, 100_000, 1_000_000] {
        load(&db, loaded, size).await;
        loaded = size;
        measure(&db, &url, size).await;
    }
    if std::env::var("BENCH_KEEP").is_ok() {
        println!("kept database {name}");
        return;
    }
    admin
        .batch_execute(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
        .await
        .ok();
}
