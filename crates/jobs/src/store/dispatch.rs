//! The dispatch index (`dispatch_workers`, DOMAIN §4.7): every worker's position, online toggle, rating
//! and services as workforce's events told them (never a request to workforce), and the search an
//! emergency's dispatch starts from: available, located workers inside the bounding box of the radius
//! (the partial index on `(lat, lng) WHERE is_available`), offering the service when one is named.

use crate::domain::dispatch::{BoundingBox, Candidate, IndexedWorker, Point, WorkerNews};
use crate::schema::{dispatch_workers as d, worker_refs as w};
use chrono::{DateTime, Utc};
use diesel::dsl::now;
use diesel::{ExpressionMethods, PgArrayExpressionMethods, QueryDsl, QueryResult};
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use uuid::Uuid;

/// A row of the index as stored: the worker, then when each source last spoke.
type Row = (
    (
        Uuid,
        Option<f64>,
        Option<f64>,
        bool,
        f64,
        Vec<Option<Uuid>>,
        bool,
        Option<DateTime<Utc>>,
    ),
    (
        Option<DateTime<Utc>>,
        Option<DateTime<Utc>>,
        Option<DateTime<Utc>>,
    ),
);

fn indexed(row: Row) -> IndexedWorker {
    let (
        (user_id, lat, lng, is_available, rating, ids, is_verified, last_seen),
        (profile_at, location_at, availability_at),
    ) = row;
    IndexedWorker {
        user_id,
        position: lat.zip(lng).map(|(lat, lng)| Point { lat, lng }),
        is_available,
        rating,
        service_ids: ids.into_iter().flatten().collect(),
        is_verified,
        last_seen,
        profile_at,
        location_at,
        availability_at,
    }
}

/// Takes what one workforce event says of worker profile `profile` into the index (inside the
/// consumer's transaction): the row is made if missing (and the profile's reference with it, so a
/// position that arrives before the profile is kept), locked, and each source written only when the
/// event is newer than what it holds ([`IndexedWorker::apply`]).
pub async fn take(
    conn: &mut AsyncPgConnection,
    profile: Uuid,
    news: &WorkerNews,
) -> QueryResult<()> {
    diesel::insert_into(w::table)
        .values((w::id.eq(profile), w::user_id.eq(news.user_id)))
        .on_conflict_do_nothing()
        .execute(conn)
        .await?;
    diesel::insert_into(d::table)
        .values((d::profile_id.eq(profile), d::user_id.eq(news.user_id)))
        .on_conflict(d::profile_id)
        .do_nothing()
        .execute(conn)
        .await?;
    let row: Row = d::table
        .find(profile)
        .select((
            (
                d::user_id,
                d::lat,
                d::lng,
                d::is_available,
                d::rating,
                d::service_ids,
                d::is_verified,
                d::last_seen,
            ),
            (d::profile_at, d::location_at, d::availability_at),
        ))
        .for_update()
        .first(conn)
        .await?;
    let mut worker = indexed(row);
    worker.apply(news);
    let ids: Vec<Option<Uuid>> = worker.service_ids.iter().copied().map(Some).collect();
    diesel::update(d::table.find(profile))
        .set((
            d::user_id.eq(worker.user_id),
            d::lat.eq(worker.position.map(|p| p.lat)),
            d::lng.eq(worker.position.map(|p| p.lng)),
            d::is_available.eq(worker.is_available),
            d::rating.eq(worker.rating),
            d::service_ids.eq(ids),
            d::is_verified.eq(worker.is_verified),
            d::last_seen.eq(worker.last_seen),
            d::profile_at.eq(worker.profile_at),
            d::location_at.eq(worker.location_at),
            d::availability_at.eq(worker.availability_at),
            d::updated_at.eq(now),
        ))
        .execute(conn)
        .await
        .map(|_| ())
}

/// A worker the search found: profile, user, latitude, longitude, rating.
type Found = (Uuid, Uuid, Option<f64>, Option<f64>, f64);

/// The available workers positioned inside the bounding box of `radius_km` around `center`, offering
/// `service` when one is named: the candidates [`crate::domain::dispatch::rank`] measures and orders.
pub async fn candidates(
    conn: &mut AsyncPgConnection,
    center: Point,
    radius_km: f64,
    service: Option<Uuid>,
) -> QueryResult<Vec<Candidate>> {
    let b = BoundingBox::around(center, radius_km);
    let mut query = d::table
        .filter(d::is_available)
        .filter(d::lat.between(b.min_lat, b.max_lat))
        .filter(d::lng.between(b.min_lng, b.max_lng))
        .select((d::profile_id, d::user_id, d::lat, d::lng, d::rating))
        .into_boxed();
    if let Some(service) = service {
        query = query.filter(d::service_ids.contains(vec![Some(service)]));
    }
    let rows: Vec<Found> = query.load(conn).await?;
    Ok(rows
        .into_iter()
        .filter_map(|(worker_id, user_id, lat, lng, rating)| {
            Some(Candidate {
                worker_id,
                user_id,
                position: Point {
                    lat: lat?,
                    lng: lng?,
                },
                rating,
            })
        })
        .collect())
}
