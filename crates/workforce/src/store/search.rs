//! The nearby search: one GiST scan of `worker_search` on (service, position), nearest first (KNN on the
//! earth cube), inside the radius's bounding box, stopping at the page size. The exact Haversine check
//! (R = 6371 km) runs only on the rows the index returns. The bench (`make bench-nearby`) runs this very
//! SQL.

use crate::domain::geo::{Point, EARTH_RADIUS_KM};
use diesel::sql_types::{BigInt, Double, Uuid as SqlUuid};
use diesel::QueryableByName;
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use uuid::Uuid;

/// earthdistance measures with a 6378.168 km sphere; the box is widened so it contains every point
/// within the radius on the 6371 km sphere the spec measures with.
const BOX_FACTOR: f64 = 6378.168 / EARTH_RADIUS_KM * 1.001;

/// $1 lat, $2 lng, $3 box radius (m), $4 radius (km), $5 limit, $6 offset, $7 service.
pub const NEARBY_FOR_SERVICE: &str = "\
SELECT s.worker_id, 2 * 6371 * asin(least(1, sqrt(
         sin(radians(p.latitude::float8 - $1) / 2) ^ 2
         + cos(radians($1)) * cos(radians(p.latitude::float8)) * sin(radians(p.longitude::float8 - $2) / 2) ^ 2
       ))) AS distance_km
FROM worker_search s
JOIN worker_profiles p ON p.id = s.worker_id
WHERE s.service_id = $7 AND s.is_available
  AND earth_box(ll_to_earth($1, $2), $3) @> s.position
  AND 2 * 6371 * asin(least(1, sqrt(
         sin(radians(p.latitude::float8 - $1) / 2) ^ 2
         + cos(radians($1)) * cos(radians(p.latitude::float8)) * sin(radians(p.longitude::float8 - $2) / 2) ^ 2
       ))) <= $4
ORDER BY s.position <-> ll_to_earth($1, $2)
LIMIT $5 OFFSET $6";

/// The same without a service: the worker's own row (service_id NULL).
pub const NEARBY_ANY_SERVICE: &str = "\
SELECT s.worker_id, 2 * 6371 * asin(least(1, sqrt(
         sin(radians(p.latitude::float8 - $1) / 2) ^ 2
         + cos(radians($1)) * cos(radians(p.latitude::float8)) * sin(radians(p.longitude::float8 - $2) / 2) ^ 2
       ))) AS distance_km
FROM worker_search s
JOIN worker_profiles p ON p.id = s.worker_id
WHERE s.service_id IS NULL AND s.is_available
  AND earth_box(ll_to_earth($1, $2), $3) @> s.position
  AND 2 * 6371 * asin(least(1, sqrt(
         sin(radians(p.latitude::float8 - $1) / 2) ^ 2
         + cos(radians($1)) * cos(radians(p.latitude::float8)) * sin(radians(p.longitude::float8 - $2) / 2) ^ 2
       ))) <= $4
ORDER BY s.position <-> ll_to_earth($1, $2)
LIMIT $5 OFFSET $6";

/// The box radius in metres for a search radius in km.
pub fn box_metres(radius_km: f64) -> f64 {
    radius_km * 1000.0 * BOX_FACTOR
}

#[derive(Debug, Clone, QueryableByName)]
pub struct Hit {
    #[diesel(sql_type = SqlUuid)]
    pub worker_id: Uuid,
    #[diesel(sql_type = Double)]
    pub distance_km: f64,
}

/// Available workers within `radius_km` of `at`, nearest first.
pub async fn nearby(
    conn: &mut AsyncPgConnection,
    at: Point,
    radius_km: f64,
    service: Option<Uuid>,
    limit: i64,
    offset: i64,
) -> diesel::QueryResult<Vec<Hit>> {
    let sql = if service.is_some() {
        NEARBY_FOR_SERVICE
    } else {
        NEARBY_ANY_SERVICE
    };
    let query = diesel::sql_query(sql)
        .bind::<Double, _>(at.lat)
        .bind::<Double, _>(at.lng)
        .bind::<Double, _>(box_metres(radius_km))
        .bind::<Double, _>(radius_km)
        .bind::<BigInt, _>(limit)
        .bind::<BigInt, _>(offset);
    match service {
        Some(id) => query.bind::<SqlUuid, _>(id).load(conn).await,
        None => query.load(conn).await,
    }
}

/// Which availability a search honours (DOMAIN §3.1 keeps two).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Availability {
    /// `is_available` (the online toggle): `/workers/search/nearby/`.
    Online,
    /// `availability_status = 'available'`: `/workers/nearby/`.
    Status,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Sort {
    Distance,
    Price,
    Rating,
}

#[derive(Debug, Clone)]
pub struct Query {
    pub at: Point,
    pub radius_km: f64,
    pub service: Option<Uuid>,
    /// Workers offering a service whose name contains this (case-insensitive).
    pub skill: Option<String>,
    pub availability: Availability,
    pub min_price: Option<f64>,
    pub max_price: Option<f64>,
    pub sort: Sort,
    pub descending: bool,
    pub limit: i64,
    pub offset: i64,
}

const HAVERSINE: &str = "2 * 6371 * asin(least(1, sqrt(
    sin(radians(p.latitude::float8 - $1) / 2) ^ 2
    + cos(radians($1)) * cos(radians(p.latitude::float8)) * sin(radians(p.longitude::float8 - $2) / 2) ^ 2)))";

fn conditions(q: &Query) -> String {
    let service = if q.service.is_some() {
        "s.service_id = $5"
    } else {
        "s.service_id IS NULL AND $5::uuid IS NULL"
    };
    let available = match q.availability {
        Availability::Online => "s.is_available",
        Availability::Status => "s.availability_status = 'available'",
    };
    format!(
        "{service} AND {available}
         AND earth_box(ll_to_earth($1, $2), $3) @> s.position
         AND {HAVERSINE} <= $4
         AND ($6::float8 IS NULL OR p.price_amount >= $6::float8)
         AND ($7::float8 IS NULL OR p.price_amount <= $7::float8)
         AND ($8::text IS NULL OR EXISTS (
               SELECT 1 FROM worker_services ws JOIN service_refs r ON r.id = ws.service_id
               WHERE ws.worker_id = p.id AND r.name ILIKE '%' || $8 || '%'))"
    )
}

/// One page of a nearby search and the number of matches (for P-STD pagination). Nearest-first pages
/// come straight from the KNN index scan; price and rating orders sort the matches in the radius.
pub async fn page(conn: &mut AsyncPgConnection, q: &Query) -> diesel::QueryResult<(Vec<Hit>, i64)> {
    use diesel::sql_types::{Nullable, Text};
    let direction = if q.descending { "DESC" } else { "ASC" };
    let order = match q.sort {
        Sort::Distance => format!("s.position <-> ll_to_earth($1, $2) {direction}"),
        Sort::Price => format!(
            "coalesce(p.price_amount, 999999) {direction}, s.position <-> ll_to_earth($1, $2)"
        ),
        Sort::Rating => format!("p.rating {direction}, s.position <-> ll_to_earth($1, $2)"),
    };
    let skill = q.skill.as_ref().map(|s| {
        s.replace('\\', "\\\\")
            .replace('%', "\\%")
            .replace('_', "\\_")
    });
    let bind = |sql: String| {
        diesel::sql_query(sql)
            .into_boxed()
            .bind::<Double, _>(q.at.lat)
            .bind::<Double, _>(q.at.lng)
            .bind::<Double, _>(box_metres(q.radius_km))
            .bind::<Double, _>(q.radius_km)
            .bind::<Nullable<SqlUuid>, _>(q.service)
            .bind::<Nullable<Double>, _>(q.min_price)
            .bind::<Nullable<Double>, _>(q.max_price)
            .bind::<Nullable<Text>, _>(skill.clone())
    };
    let hits: Vec<Hit> = bind(format!(
        "SELECT s.worker_id, {HAVERSINE} AS distance_km
         FROM worker_search s JOIN worker_profiles p ON p.id = s.worker_id
         WHERE {} ORDER BY {order} LIMIT $9 OFFSET $10",
        conditions(q)
    ))
    .bind::<BigInt, _>(q.limit)
    .bind::<BigInt, _>(q.offset)
    .load(conn)
    .await?;
    #[derive(QueryableByName)]
    struct Count {
        #[diesel(sql_type = BigInt)]
        n: i64,
    }
    let count: Count = bind(format!(
        "SELECT count(*) AS n FROM worker_search s JOIN worker_profiles p ON p.id = s.worker_id WHERE {}",
        conditions(q)
    ))
    .get_result(conn)
    .await?;
    Ok((hits, count.n))
}
