//! Worker profiles. Decimals travel as text (`numeric::text` keeps the column's scale, as the wire wants:
//! `"26.850000"`, `"600.00"`), so no decimal type is needed in Rust.

use super::Count;
use chrono::{DateTime, Utc};
use diesel::sql_types::{Array, Bool, Int4, Nullable, Text, Timestamptz, Uuid as SqlUuid};
use diesel::OptionalExtension;
use diesel::{QueryResult, QueryableByName};
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use uuid::Uuid;

#[derive(Debug, Clone, QueryableByName)]
pub struct Worker {
    #[diesel(sql_type = SqlUuid)]
    pub id: Uuid,
    #[diesel(sql_type = SqlUuid)]
    pub user_id: Uuid,
    #[diesel(sql_type = Bool)]
    pub is_available: bool,
    #[diesel(sql_type = Nullable<Timestamptz>)]
    pub availability_updated_at: Option<DateTime<Utc>>,
    #[diesel(sql_type = Nullable<Text>)]
    pub latitude: Option<String>,
    #[diesel(sql_type = Nullable<Text>)]
    pub longitude: Option<String>,
    #[diesel(sql_type = Text)]
    pub availability_status: String,
    #[diesel(sql_type = Text)]
    pub rating: String,
    #[diesel(sql_type = Int4)]
    pub total_jobs_completed: i32,
    #[diesel(sql_type = Nullable<Text>)]
    pub price_amount: Option<String>,
    #[diesel(sql_type = Text)]
    pub price_currency: String,
    #[diesel(sql_type = Text)]
    pub price_type: String,
    #[diesel(sql_type = Nullable<Text>)]
    pub min_charge: Option<String>,
    #[diesel(sql_type = Text)]
    pub bio: String,
    #[diesel(sql_type = Int4)]
    pub experience_years: i32,
    #[diesel(sql_type = Nullable<Text>)]
    pub intro_audio_url: Option<String>,
    #[diesel(sql_type = Bool)]
    pub is_verified: bool,
    #[diesel(sql_type = Nullable<Timestamptz>)]
    pub last_seen: Option<DateTime<Utc>>,
    #[diesel(sql_type = Timestamptz)]
    pub created_at: DateTime<Utc>,
    #[diesel(sql_type = Timestamptz)]
    pub updated_at: DateTime<Utc>,
    #[diesel(sql_type = Text)]
    pub user_phone: String,
    #[diesel(sql_type = Text)]
    pub user_name: String,
    /// Display strings of the profile's services, in the order they were given.
    #[diesel(sql_type = Array<Text>)]
    pub services_list: Vec<String>,
}

const SELECT: &str = "\
SELECT p.id, p.user_id, p.is_available, p.availability_updated_at,
       p.latitude::text AS latitude, p.longitude::text AS longitude, p.availability_status,
       p.rating::text AS rating, p.total_jobs_completed, p.price_amount::text AS price_amount,
       p.price_currency, p.price_type, p.min_charge::text AS min_charge, p.bio, p.experience_years,
       p.intro_audio_url, p.is_verified, p.last_seen, p.created_at, p.updated_at,
       coalesce(u.phone, '') AS user_phone,
       person_name(u.first_name, u.last_name, u.phone) AS user_name,
       coalesce((SELECT array_agg(skill.label ORDER BY skill.position, skill.label) FROM (
                     SELECT coalesce(nullif(s.title_en, ''), s.name) AS label, ws.position
                     FROM worker_services ws JOIN service_refs s ON s.id = ws.service_id
                     WHERE ws.worker_id = p.id
                     UNION ALL
                     -- A new skill is shown as written until catalog has made it a service.
                     SELECT r.name, r.position FROM skill_requests r
                     WHERE r.worker_id = p.id AND r.service_id IS NULL AND r.dropped_at IS NULL
                 ) skill), '{}') AS services_list
FROM worker_profiles p
LEFT JOIN user_refs u ON u.id = p.user_id";

pub async fn by_id(conn: &mut AsyncPgConnection, id: Uuid) -> QueryResult<Option<Worker>> {
    diesel::sql_query(format!("{SELECT} WHERE p.id = $1"))
        .bind::<SqlUuid, _>(id)
        .get_result(conn)
        .await
        .optional()
}

pub async fn by_user(conn: &mut AsyncPgConnection, user_id: Uuid) -> QueryResult<Option<Worker>> {
    diesel::sql_query(format!("{SELECT} WHERE p.user_id = $1"))
        .bind::<SqlUuid, _>(user_id)
        .get_result(conn)
        .await
        .optional()
}

/// The writable fields of a profile (API "WorkerProfile JSON"), decimals as validated text.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Editable {
    pub latitude: Option<String>,
    pub longitude: Option<String>,
    pub availability_status: String,
    pub price_amount: Option<String>,
    pub price_currency: String,
    pub price_type: String,
    pub min_charge: Option<String>,
    pub bio: String,
    pub experience_years: i32,
    pub intro_audio_url: Option<String>,
}

impl Editable {
    pub fn defaults() -> Editable {
        Editable {
            availability_status: "offline".into(),
            price_currency: "INR".into(),
            price_type: "per_day".into(),
            ..Default::default()
        }
    }

    pub fn of(w: &Worker) -> Editable {
        Editable {
            latitude: w.latitude.clone(),
            longitude: w.longitude.clone(),
            availability_status: w.availability_status.clone(),
            price_amount: w.price_amount.clone(),
            price_currency: w.price_currency.clone(),
            price_type: w.price_type.clone(),
            min_charge: w.min_charge.clone(),
            bio: w.bio.clone(),
            experience_years: w.experience_years,
            intro_audio_url: w.intro_audio_url.clone(),
        }
    }
}

pub async fn insert(
    conn: &mut AsyncPgConnection,
    id: Uuid,
    user_id: Uuid,
    e: &Editable,
) -> QueryResult<()> {
    diesel::sql_query(
        "INSERT INTO worker_profiles (id, user_id, latitude, longitude, availability_status, price_amount,
             price_currency, price_type, min_charge, bio, experience_years, intro_audio_url, last_seen)
         VALUES ($1, $2, $3::numeric, $4::numeric, $5, $6::numeric, $7, $8, $9::numeric, $10, $11, $12, now())",
    )
    .bind::<SqlUuid, _>(id)
    .bind::<SqlUuid, _>(user_id)
    .bind::<Nullable<Text>, _>(&e.latitude)
    .bind::<Nullable<Text>, _>(&e.longitude)
    .bind::<Text, _>(&e.availability_status)
    .bind::<Nullable<Text>, _>(&e.price_amount)
    .bind::<Text, _>(&e.price_currency)
    .bind::<Text, _>(&e.price_type)
    .bind::<Nullable<Text>, _>(&e.min_charge)
    .bind::<Text, _>(&e.bio)
    .bind::<Int4, _>(e.experience_years)
    .bind::<Nullable<Text>, _>(&e.intro_audio_url)
    .execute(conn)
    .await
    .map(|_| ())
}

pub async fn update(conn: &mut AsyncPgConnection, id: Uuid, e: &Editable) -> QueryResult<bool> {
    diesel::sql_query(
        "UPDATE worker_profiles SET latitude = $2::numeric, longitude = $3::numeric, availability_status = $4,
             price_amount = $5::numeric, price_currency = $6, price_type = $7, min_charge = $8::numeric,
             bio = $9, experience_years = $10, intro_audio_url = $11, updated_at = now()
         WHERE id = $1",
    )
    .bind::<SqlUuid, _>(id)
    .bind::<Nullable<Text>, _>(&e.latitude)
    .bind::<Nullable<Text>, _>(&e.longitude)
    .bind::<Text, _>(&e.availability_status)
    .bind::<Nullable<Text>, _>(&e.price_amount)
    .bind::<Text, _>(&e.price_currency)
    .bind::<Text, _>(&e.price_type)
    .bind::<Nullable<Text>, _>(&e.min_charge)
    .bind::<Text, _>(&e.bio)
    .bind::<Int4, _>(e.experience_years)
    .bind::<Nullable<Text>, _>(&e.intro_audio_url)
    .execute(conn)
    .await
    .map(|n| n > 0)
}

pub async fn delete(conn: &mut AsyncPgConnection, id: Uuid) -> QueryResult<bool> {
    diesel::sql_query("DELETE FROM worker_profiles WHERE id = $1")
        .bind::<SqlUuid, _>(id)
        .execute(conn)
        .await
        .map(|n| n > 0)
}

/// The online toggle (API §5.5); `availability_status` follows unless the worker is busy (DOMAIN §3.1).
pub async fn set_available(
    conn: &mut AsyncPgConnection,
    id: Uuid,
    available: bool,
) -> QueryResult<DateTime<Utc>> {
    #[derive(QueryableByName)]
    struct At {
        #[diesel(sql_type = Timestamptz)]
        at: DateTime<Utc>,
    }
    diesel::sql_query(
        "UPDATE worker_profiles SET is_available = $2, availability_updated_at = now(), last_seen = now(),
             availability_status = CASE WHEN availability_status = 'busy' THEN 'busy'
                                        WHEN $2 THEN 'available' ELSE 'offline' END,
             updated_at = now()
         WHERE id = $1 RETURNING availability_updated_at AS at",
    )
    .bind::<SqlUuid, _>(id)
    .bind::<Bool, _>(available)
    .get_result::<At>(conn)
    .await
    .map(|r| r.at)
}

/// A completed booking of the worker's (`jobs.booking.completed`): one more job done, and the customer's
/// rating, if any, averaged into the profile's. Returns whether the profile exists.
pub async fn record_completed_job(
    conn: &mut AsyncPgConnection,
    id: Uuid,
    rating: Option<f64>,
) -> QueryResult<bool> {
    diesel::sql_query(
        "UPDATE worker_profiles SET total_jobs_completed = total_jobs_completed + 1,
             rating = CASE WHEN $2::float8 IS NULL THEN rating
                           ELSE round((rating * rating_count + $2::numeric) / (rating_count + 1), 2) END,
             rating_count = rating_count + CASE WHEN $2::float8 IS NULL THEN 0 ELSE 1 END,
             updated_at = now()
         WHERE id = $1",
    )
    .bind::<SqlUuid, _>(id)
    .bind::<Nullable<diesel::sql_types::Double>, _>(rating)
    .execute(conn)
    .await
    .map(|n| n > 0)
}

/// An administrative rating (the seed's, DOMAIN §3.1: admin- or seed-maintained), e.g. `"4.50"`.
pub async fn set_rating(conn: &mut AsyncPgConnection, id: Uuid, rating: &str) -> QueryResult<()> {
    diesel::sql_query(
        "UPDATE worker_profiles SET rating = $2::numeric, updated_at = now() WHERE id = $1",
    )
    .bind::<SqlUuid, _>(id)
    .bind::<Text, _>(rating)
    .execute(conn)
    .await
    .map(|_| ())
}

pub async fn set_location(
    conn: &mut AsyncPgConnection,
    id: Uuid,
    lat: &str,
    lng: &str,
) -> QueryResult<()> {
    diesel::sql_query(
        "UPDATE worker_profiles SET latitude = $2::numeric, longitude = $3::numeric, last_seen = now(), updated_at = now()
         WHERE id = $1",
    )
    .bind::<SqlUuid, _>(id)
    .bind::<Text, _>(lat)
    .bind::<Text, _>(lng)
    .execute(conn)
    .await
    .map(|_| ())
}

/// Profiles by id, in the order given (ids without a profile are skipped).
pub async fn by_ids(conn: &mut AsyncPgConnection, ids: &[Uuid]) -> QueryResult<Vec<Worker>> {
    let rows: Vec<Worker> = diesel::sql_query(format!("{SELECT} WHERE p.id = ANY($1)"))
        .bind::<Array<SqlUuid>, _>(ids)
        .load(conn)
        .await?;
    let mut ordered = Vec::with_capacity(rows.len());
    for id in ids {
        if let Some(w) = rows.iter().find(|w| w.id == *id) {
            ordered.push(w.clone());
        }
    }
    Ok(ordered)
}

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

/// One page of the worker list, each with its distance when ordered by distance, and the total.
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
