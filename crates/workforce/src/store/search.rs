//! The nearby search: one GiST scan of `worker_search` on (service, position), nearest first (KNN on the
//! earth cube), inside the radius's bounding box, stopping at the page size. The exact Haversine check
//! (R = 6371 km) runs only on the rows the index returns. The bench (`make bench-nearby`) calls
//! [`page`] itself.

use super::Count;
use crate::domain::geo::{Point, EARTH_RADIUS_KM};
use diesel::sql_types::{BigInt, Double, Uuid as SqlUuid};
use diesel::QueryableByName;
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use uuid::Uuid;

/// earthdistance measures with a 6378.168 km sphere; the box is widened so it contains every point
/// within the radius on the 6371 km sphere the spec measures with.
const BOX_FACTOR: f64 = 6378.168 / EARTH_RADIUS_KM * 1.001;

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

/// Great-circle km from the cube positions alone (no join): earthdistance measures on a 6378.168 km
/// sphere, so scaling to 6371 km gives exactly the Haversine distance of DOMAIN §3.9.
const DISTANCE_KM: &str = "earth_distance(ll_to_earth($1, $2), s.position) * (6371.0 / 6378168.0)";

fn needs_profiles(q: &Query) -> bool {
    q.min_price.is_some() || q.max_price.is_some() || q.sort != Sort::Distance
}

/// `FROM … WHERE …` of a search; the profile join and the optional filters only when asked for, so
/// the common search reads the index and `worker_search` alone.
fn from_where(q: &Query) -> String {
    let service = if q.service.is_some() {
        "s.service_id = $5"
    } else {
        "s.service_id IS NULL AND $5::uuid IS NULL"
    };
    let available = match q.availability {
        Availability::Online => "s.is_available",
        Availability::Status => "s.availability_status = 'available'",
    };
    let mut sql = String::from("FROM worker_search s");
    if needs_profiles(q) {
        sql.push_str(" JOIN worker_profiles p ON p.id = s.worker_id");
    }
    sql.push_str(&format!(
        " WHERE {service} AND {available} AND earth_box(ll_to_earth($1, $2), $3) @> s.position AND {DISTANCE_KM} <= $4"
    ));
    if q.min_price.is_some() {
        sql.push_str(" AND p.price_amount >= $6::float8");
    }
    if q.max_price.is_some() {
        sql.push_str(" AND p.price_amount <= $7::float8");
    }
    if q.skill.is_some() {
        sql.push_str(
            " AND EXISTS (SELECT 1 FROM worker_services ws JOIN service_refs r ON r.id = ws.service_id
                          WHERE ws.worker_id = s.worker_id AND r.name ILIKE '%' || $8 || '%')",
        );
    }
    sql
}

#[derive(QueryableByName)]
struct Row {
    #[diesel(sql_type = SqlUuid)]
    worker_id: Uuid,
    #[diesel(sql_type = Double)]
    distance_km: f64,
    #[diesel(sql_type = BigInt)]
    total: i64,
}

/// One page of a nearby search and the number of matches (for P-STD pagination), in one scan: the
/// matches inside the radius are found through the index once, counted, and the page is the top of
/// them by distance (KNN order), price or rating.
pub async fn page(conn: &mut AsyncPgConnection, q: &Query) -> diesel::QueryResult<(Vec<Hit>, i64)> {
    use diesel::sql_types::{Nullable, Text};
    let direction = if q.descending { "DESC" } else { "ASC" };
    let (extra, order) = match q.sort {
        Sort::Distance => ("", format!("knn {direction}")),
        Sort::Price => (
            ", coalesce(p.price_amount, 999999) AS price",
            format!("price {direction}, knn"),
        ),
        Sort::Rating => (", p.rating", format!("rating {direction}, knn")),
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
    let rows: Vec<Row> = bind(format!(
        "WITH matches AS MATERIALIZED (
             SELECT s.worker_id, {DISTANCE_KM} AS distance_km, s.position <-> ll_to_earth($1, $2) AS knn{extra}
             {}
         )
         SELECT worker_id, distance_km, (SELECT count(*) FROM matches) AS total
         FROM matches ORDER BY {order} LIMIT $9 OFFSET $10",
        from_where(q)
    ))
    .bind::<BigInt, _>(q.limit)
    .bind::<BigInt, _>(q.offset)
    .load(conn)
    .await?;
    let total = match <[Row]>::first(&rows) {
        Some(row) => row.total,
        // Nothing on this page: nothing at all, or past the end / a count-only call (count needed).
        None if q.offset == 0 && q.limit > 0 => 0,
        None => {
            let count: Count = bind(format!("SELECT count(*) AS n {}", from_where(q)))
                .get_result(conn)
                .await?;
            count.n
        }
    };
    let hits = rows
        .into_iter()
        .map(|r| Hit {
            worker_id: r.worker_id,
            distance_km: r.distance_km,
        })
        .collect();
    Ok((hits, total))
}
