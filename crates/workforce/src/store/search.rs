//! The nearby search, answered from the btree of `worker_search` alone (migration 8): the radius's
//! bounding box is one short index range per latitude band, the exact Haversine check (R = 6371 km)
//! runs on the index entries, and the matches are counted (P-STD's `count`) and the page picked from
//! them without touching the table. The bench (`make bench-nearby`) calls [`page`] itself.

use super::workers::{self, Worker};
use super::Count;
use crate::domain::geo::{Point, SearchWindow, EARTH_RADIUS_KM, FULL_SCAN_RADIUS_KM, MAX_SCANNED};
use crate::error::WorkforceError;
use diesel::sql_types::{Array, BigInt, Double, SmallInt, Uuid as SqlUuid};
use diesel::QueryableByName;
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use hm_platform::paging::{Page, Paging};
use uuid::Uuid;

/// A worker found, and how far.
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

/// What a search orders by (nearest first among equals).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Sort {
    Distance,
    Price,
    Rating,
}

/// A nearby search.
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

/// The Haversine term `h` of DOMAIN §3.9 (`domain::geo::haversine_km`) from the index entry's own
/// coordinates: distance = 2R·asin(√h), so `h` orders and bounds like the distance at a fraction of the
/// cost; the km are computed for the page's rows only.
const HAVERSINE_TERM: &str = "sin(radians(s.lat - $1) / 2) ^ 2 \
     + cos(radians($1)) * cos(radians(s.lat)) * sin(radians(s.lng - $2) / 2) ^ 2";

/// `h` for a distance: rows with `h` at most this are within `radius_km`.
fn term_for(radius_km: f64) -> f64 {
    (radius_km / (2.0 * EARTH_RADIUS_KM)).sin().powi(2)
}

fn needs_profiles(q: &Query) -> bool {
    q.min_price.is_some() || q.max_price.is_some() || q.sort != Sort::Distance
}

/// The rows of the radius's bounding box with their `h` (and the sort's column): the profile join and the
/// optional filters only when asked for, so the common search reads the index alone. `OFFSET 0` keeps
/// it a subquery, so `h` is computed once per row.
fn candidates(q: &Query, extra: &str) -> String {
    let service = if q.service.is_some() {
        "s.service_id = $5"
    } else {
        "s.service_id IS NULL AND $5::uuid IS NULL"
    };
    let available = match q.availability {
        Availability::Online => "s.is_available",
        Availability::Status => "s.availability_status = 'available'",
    };
    let mut sql = format!("SELECT s.worker_id, {HAVERSINE_TERM} AS h{extra} FROM worker_search s");
    if needs_profiles(q) {
        sql.push_str(" JOIN worker_profiles p ON p.id = s.worker_id");
    }
    sql.push_str(&format!(
        " WHERE {service} AND {available} AND s.band = ANY($4) AND s.lng BETWEEN $9 AND $10"
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
                          WHERE ws.worker_id = s.worker_id AND (r.name ILIKE '%' || $8 || '%'
                                OR r.title_en ILIKE '%' || $8 || '%'
                                OR EXISTS (SELECT 1 FROM unnest(r.aliases) a WHERE a ILIKE '%' || $8 || '%')))",
        );
    }
    sql.push_str(" OFFSET 0");
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

/// The skill filter as a LIKE fragment (`%`, `_` and `\\` taken literally).
fn like_pattern(q: &Query) -> Option<String> {
    q.skill.as_ref().map(|s| {
        s.replace('\\', "\\\\")
            .replace('%', "\\%")
            .replace('_', "\\_")
    })
}

/// `sql` over [`candidates`] with the query's ten parameters bound.
// Raw SQL: the latitude bands and the Haversine term over the index entries (migration 8).
fn bound<'a>(
    sql: String,
    q: &Query,
    window: &SearchWindow,
    skill: Option<String>,
) -> diesel::query_builder::BoxedSqlQuery<'a, diesel::pg::Pg, diesel::query_builder::SqlQuery> {
    use diesel::sql_types::{Nullable, Text};
    diesel::sql_query(sql)
        .into_boxed()
        .bind::<Double, _>(q.at.lat)
        .bind::<Double, _>(q.at.lng)
        .bind::<Double, _>(term_for(q.radius_km))
        .bind::<Array<SmallInt>, _>(window.bands.clone())
        .bind::<Nullable<SqlUuid>, _>(q.service)
        .bind::<Nullable<Double>, _>(q.min_price)
        .bind::<Nullable<Double>, _>(q.max_price)
        .bind::<Nullable<Text>, _>(skill)
        .bind::<Double, _>(window.lng_min)
        .bind::<Double, _>(window.lng_max)
}

/// The radius a search may scan (`geo::MAX_SCANNED`): the requested one up to 100 km; beyond, the
/// widest of radius, radius/2, … (never below 100 km) whose window holds at most `MAX_SCANNED` index
/// entries, each step a count that itself stops after `MAX_SCANNED + 1` entries.
pub async fn scannable_radius(conn: &mut AsyncPgConnection, q: &Query) -> diesel::QueryResult<f64> {
    let mut narrowed = q.clone();
    while narrowed.radius_km > FULL_SCAN_RADIUS_KM {
        let window = SearchWindow::around(narrowed.at, narrowed.radius_km);
        let scanned: Count = bound(
            format!(
                "SELECT count(*) AS n FROM ({} LIMIT $11) c",
                candidates(&narrowed, "")
            ),
            &narrowed,
            &window,
            like_pattern(&narrowed),
        )
        .bind::<BigInt, _>(MAX_SCANNED + 1)
        .get_result(conn)
        .await?;
        if scanned.n <= MAX_SCANNED {
            break;
        }
        narrowed.radius_km = (narrowed.radius_km / 2.0).max(FULL_SCAN_RADIUS_KM);
    }
    Ok(narrowed.radius_km)
}

/// One page of a nearby search and the number of matches (for P-STD pagination), in one index scan:
/// the matches inside the radius are counted, and the page is the top of them by distance, price or
/// rating (nearest first among equals).
pub async fn page(conn: &mut AsyncPgConnection, q: &Query) -> diesel::QueryResult<(Vec<Hit>, i64)> {
    let direction = if q.descending { "DESC" } else { "ASC" };
    let (extra, carried, order) = match q.sort {
        Sort::Distance => ("", "", format!("h {direction}")),
        Sort::Price => (
            ", coalesce(p.price_amount, 999999) AS price",
            ", price",
            format!("price {direction}, h"),
        ),
        Sort::Rating => (", p.rating", ", rating", format!("rating {direction}, h")),
    };
    let skill = like_pattern(q);
    let window = SearchWindow::around(q.at, q.radius_km);
    let bind = |sql: String| bound(sql, q, &window, skill.clone());
    let rows: Vec<Row> = bind(format!(
        "SELECT worker_id, {diameter:.1} * asin(sqrt(least(1.0, h))) AS distance_km, total
         FROM (SELECT worker_id, h{carried}, count(*) OVER () AS total
               FROM ({}) c WHERE h <= $3
               ORDER BY {order} LIMIT $11 OFFSET $12) page
         ORDER BY {order}",
        candidates(q, extra),
        diameter = 2.0 * EARTH_RADIUS_KM,
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
            let count: Count = bind(format!(
                "SELECT count(*) AS n FROM ({}) c WHERE h <= $3",
                candidates(q, "")
            ))
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

/// One page of a search as P-STD numbers it, with the profiles found and their distances: the radius
/// narrowed to what may be scanned, the last page found by counting first.
pub async fn run(
    conn: &mut AsyncPgConnection,
    mut query: Query,
    paging: Paging,
) -> Result<(i64, i64, Vec<(Worker, f64)>), WorkforceError> {
    query.radius_km = scannable_radius(conn, &query).await?;
    query.limit = paging.per_page;
    if paging.page == Page::Last {
        query.limit = 0;
        let (_, count) = page(conn, &query).await?;
        query.limit = paging.per_page;
        query.offset = paging.offset(paging.resolve(count)?);
    } else if let Page::Number(n) = paging.page {
        query.offset = paging.offset(n);
    }
    let (hits, count) = page(conn, &query).await?;
    let number = paging.resolve(count)?;
    let ids: Vec<Uuid> = hits.iter().map(|h| h.worker_id).collect();
    let profiles = workers::by_ids(conn, &ids).await?;
    let results = profiles
        .into_iter()
        .filter_map(|w| {
            hits.iter()
                .find(|h| h.worker_id == w.id)
                .map(|h| (w, h.distance_km))
        })
        .collect();
    Ok((number, count, results))
}
