//! The worker list (API §5.1): filters by skill, price, rating and availability, ordered by newest,
//! price, rating or distance, P-STD pages.

use super::workers::{by_ids, Worker};
use super::Count;
use crate::error::WorkforceError;
use diesel::sql_types::{Nullable, Text, Uuid as SqlUuid};
use diesel::{QueryResult, QueryableByName};
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use hm_platform::paging::{Page, Paging};
use uuid::Uuid;

/// The filters of the worker list (API §5.1).
#[derive(Debug, Clone, Default)]
pub struct ListFilter {
    pub skill: Option<String>,
    pub min_price: Option<f64>,
    pub max_price: Option<f64>,
    pub min_rating: Option<f64>,
    pub available_now: bool,
    pub order: ListOrder,
}

/// The order of the worker list.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub enum ListOrder {
    #[default]
    Newest,
    Price,
    Rating,
    /// Nearest to a point first; profiles without coordinates are left out.
    Distance {
        lat: f64,
        lng: f64,
    },
}

/// The page P-STD asks for of the worker list (the last one found by counting first): its number, the
/// total, and the workers with their distances.
pub async fn list_page(
    conn: &mut AsyncPgConnection,
    f: &ListFilter,
    paging: Paging,
) -> Result<(i64, i64, Vec<(Worker, Option<f64>)>), WorkforceError> {
    let offset = match paging.page {
        Page::Number(n) => paging.offset(n),
        Page::Last => {
            let (_, count) = list(conn, f, 0, 0).await?;
            paging.offset(paging.resolve(count)?)
        }
    };
    let (rows, count) = list(conn, f, paging.per_page, offset).await?;
    let page = paging.resolve(count)?;
    Ok((page, count, rows))
}

/// One page of the worker list, each with its distance when ordered by distance, and the total.
// Raw SQL: filters and orders chosen at run time, with earth_distance.
pub async fn list(
    conn: &mut AsyncPgConnection,
    f: &ListFilter,
    limit: i64,
    offset: i64,
) -> QueryResult<(Vec<(Worker, Option<f64>)>, i64)> {
    use diesel::sql_types::{BigInt, Double};
    let mut conditions = vec!["TRUE".to_owned()];
    if f.skill.is_some() {
        conditions.push(
            "EXISTS (SELECT 1 FROM worker_services ws JOIN service_refs r ON r.id = ws.service_id
                     WHERE ws.worker_id = p.id AND (r.name ILIKE '%' || $1 || '%'
                           OR r.title_en ILIKE '%' || $1 || '%'
                           OR EXISTS (SELECT 1 FROM unnest(r.aliases) a WHERE a ILIKE '%' || $1 || '%')))"
                .to_owned(),
        );
    }
    if f.min_price.is_some() {
        conditions.push("p.price_amount >= $2".to_owned());
    }
    if f.max_price.is_some() {
        conditions.push("p.price_amount <= $3".to_owned());
    }
    if f.min_rating.is_some() {
        conditions.push("p.rating >= $4".to_owned());
    }
    if f.available_now {
        conditions.push("p.availability_status = 'available'".to_owned());
    }
    let (distance, order) = match f.order {
        ListOrder::Newest => ("NULL::float8".to_owned(), "p.created_at DESC, p.id"),
        ListOrder::Price => (
            "NULL::float8".to_owned(),
            "p.price_amount ASC NULLS LAST, p.created_at DESC",
        ),
        ListOrder::Rating => (
            "NULL::float8".to_owned(),
            "p.rating DESC, p.created_at DESC",
        ),
        ListOrder::Distance { .. } => {
            conditions.push("p.latitude IS NOT NULL".to_owned());
            (
                "earth_distance(ll_to_earth($5, $6), ll_to_earth(p.latitude::float8, p.longitude::float8)) * (6371.0 / 6378168.0)"
                    .to_owned(),
                "distance_km ASC, p.id",
            )
        }
    };
    let (lat, lng) = match f.order {
        ListOrder::Distance { lat, lng } => (lat, lng),
        _ => (0.0, 0.0),
    };
    let skill = f.skill.as_ref().map(|s| {
        s.replace('\\', "\\\\")
            .replace('%', "\\%")
            .replace('_', "\\_")
    });
    let where_clause = conditions.join(" AND ");
    let bind = |sql: String| {
        diesel::sql_query(sql)
            .into_boxed()
            .bind::<Nullable<Text>, _>(skill.clone())
            .bind::<Nullable<Double>, _>(f.min_price)
            .bind::<Nullable<Double>, _>(f.max_price)
            .bind::<Nullable<Double>, _>(f.min_rating)
            .bind::<Double, _>(lat)
            .bind::<Double, _>(lng)
    };
    #[derive(QueryableByName)]
    struct Ranked {
        #[diesel(sql_type = SqlUuid)]
        id: Uuid,
        #[diesel(sql_type = Nullable<Double>)]
        distance_km: Option<f64>,
    }
    let ranked: Vec<Ranked> = bind(format!(
        "SELECT p.id, {distance} AS distance_km FROM worker_profiles p WHERE {where_clause}
         ORDER BY {order} LIMIT $7 OFFSET $8"
    ))
    .bind::<BigInt, _>(limit)
    .bind::<BigInt, _>(offset)
    .load(conn)
    .await?;
    let count: Count = bind(format!(
        "SELECT count(*) AS n FROM worker_profiles p WHERE {where_clause}"
    ))
    .get_result(conn)
    .await?;
    let ids: Vec<Uuid> = ranked.iter().map(|r| r.id).collect();
    let profiles = by_ids(conn, &ids).await?;
    let page = profiles
        .into_iter()
        .map(|w| {
            let d = ranked
                .iter()
                .find(|r| r.id == w.id)
                .and_then(|r| r.distance_km);
            (w, d)
        })
        .collect();
    Ok((page, count.n))
}
