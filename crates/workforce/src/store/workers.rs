//! Worker profiles. Decimals travel as text (`numeric::text` keeps the column's scale, as the wire wants:
//! `"26.850000"`, `"600.00"`), so no decimal type is needed in Rust.

use super::{numeric, site_stats, skills, NumericText};
use crate::domain::workers::{running_average, Availability, PriceType};
use crate::error::WorkforceError;
use crate::events::published;
use crate::schema::worker_profiles;
use bigdecimal::BigDecimal;
use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel::sql_types::{Array, Nullable, Text, Uuid as SqlUuid};
use diesel::{QueryResult, QueryableByName};
use diesel_async::scoped_futures::ScopedFutureExt;
use diesel_async::{AsyncConnection, AsyncPgConnection, RunQueryDsl};
use hm_contracts::events::{types, WorkerLocation};
use serde_json::Value;
use uuid::Uuid;

/// A worker profile with its user's phone and name and its skills as shown.
#[derive(Debug, Clone, QueryableByName)]
#[diesel(table_name = worker_profiles)]
pub struct Worker {
    pub id: Uuid,
    pub user_id: Uuid,
    pub is_available: bool,
    pub availability_updated_at: Option<DateTime<Utc>>,
    #[diesel(sql_type = Nullable<Text>)]
    pub latitude: Option<String>,
    #[diesel(sql_type = Nullable<Text>)]
    pub longitude: Option<String>,
    pub availability_status: String,
    #[diesel(sql_type = Text)]
    pub rating: String,
    pub total_jobs_completed: i32,
    #[diesel(sql_type = Nullable<Text>)]
    pub price_amount: Option<String>,
    pub price_currency: String,
    pub price_type: String,
    #[diesel(sql_type = Nullable<Text>)]
    pub min_charge: Option<String>,
    pub bio: String,
    pub experience_years: i32,
    pub intro_audio_url: Option<String>,
    pub is_verified: bool,
    pub last_seen: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    #[diesel(sql_type = Text)]
    pub user_phone: String,
    #[diesel(sql_type = Text)]
    pub user_name: String,
    /// Display strings of the profile's services, in the order they were given.
    #[diesel(sql_type = Array<Text>)]
    pub services_list: Vec<String>,
    /// The catalog services the profile offers, in the order they were given (pending skills, not yet
    /// services, are not among them).
    #[diesel(sql_type = Array<SqlUuid>)]
    pub service_ids: Vec<Uuid>,
}

// Raw SQL: decimals as text at their scale, the user's projection and the skills' aggregate.
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
                 ) skill), '{}') AS services_list,
       coalesce((SELECT array_agg(ws.service_id ORDER BY ws.position, ws.service_id)
                 FROM worker_services ws WHERE ws.worker_id = p.id), '{}') AS service_ids
FROM worker_profiles p
LEFT JOIN user_refs u ON u.id = p.user_id";

/// The profile with this id, if any.
pub async fn by_id(conn: &mut AsyncPgConnection, id: Uuid) -> QueryResult<Option<Worker>> {
    diesel::sql_query(format!("{SELECT} WHERE p.id = $1"))
        .bind::<SqlUuid, _>(id)
        .get_result(conn)
        .await
        .optional()
}

/// The profile of this user, if any.
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
    pub availability_status: Availability,
    pub price_amount: Option<String>,
    pub price_currency: String,
    pub price_type: PriceType,
    pub min_charge: Option<String>,
    pub bio: String,
    pub experience_years: i32,
    pub intro_audio_url: Option<String>,
}

impl Editable {
    /// A new profile's fields: offline, per day, in rupees.
    pub fn defaults() -> Editable {
        Editable {
            availability_status: Availability::Offline,
            price_currency: "INR".into(),
            price_type: PriceType::PerDay,
            ..Default::default()
        }
    }

    /// The profile's current fields.
    pub fn of(w: &Worker) -> Editable {
        Editable {
            latitude: w.latitude.clone(),
            longitude: w.longitude.clone(),
            // The database admits only these names (a check constraint).
            availability_status: Availability::parse(&w.availability_status).unwrap_or_default(),
            price_amount: w.price_amount.clone(),
            price_currency: w.price_currency.clone(),
            price_type: PriceType::parse(&w.price_type).unwrap_or_default(),
            min_charge: w.min_charge.clone(),
            bio: w.bio.clone(),
            experience_years: w.experience_years,
            intro_audio_url: w.intro_audio_url.clone(),
        }
    }
}

/// A new profile of `user_id` (no event: [`create`] announces one).
pub async fn insert(
    conn: &mut AsyncPgConnection,
    id: Uuid,
    user_id: Uuid,
    e: &Editable,
) -> QueryResult<()> {
    use worker_profiles as p;
    diesel::insert_into(p::table)
        .values((
            p::id.eq(id),
            p::user_id.eq(user_id),
            fields(e),
            p::last_seen.eq(diesel::dsl::now),
        ))
        .execute(conn)
        .await
        .map(|_| ())
}

/// The writable columns set to `e`.
#[allow(clippy::type_complexity)]
fn fields(
    e: &Editable,
) -> (
    diesel::dsl::Eq<worker_profiles::latitude, NumericText<'_>>,
    diesel::dsl::Eq<worker_profiles::longitude, NumericText<'_>>,
    diesel::dsl::Eq<worker_profiles::availability_status, &'static str>,
    diesel::dsl::Eq<worker_profiles::price_amount, NumericText<'_>>,
    diesel::dsl::Eq<worker_profiles::price_currency, &String>,
    diesel::dsl::Eq<worker_profiles::price_type, &'static str>,
    diesel::dsl::Eq<worker_profiles::min_charge, NumericText<'_>>,
    diesel::dsl::Eq<worker_profiles::bio, &String>,
    diesel::dsl::Eq<worker_profiles::experience_years, i32>,
    diesel::dsl::Eq<worker_profiles::intro_audio_url, Option<&str>>,
) {
    use worker_profiles as p;
    (
        p::latitude.eq(numeric(e.latitude.as_deref())),
        p::longitude.eq(numeric(e.longitude.as_deref())),
        p::availability_status.eq(e.availability_status.as_str()),
        p::price_amount.eq(numeric(e.price_amount.as_deref())),
        p::price_currency.eq(&e.price_currency),
        p::price_type.eq(e.price_type.as_str()),
        p::min_charge.eq(numeric(e.min_charge.as_deref())),
        p::bio.eq(&e.bio),
        p::experience_years.eq(e.experience_years),
        p::intro_audio_url.eq(e.intro_audio_url.as_deref()),
    )
}

async fn update(conn: &mut AsyncPgConnection, id: Uuid, e: &Editable) -> QueryResult<bool> {
    diesel::update(worker_profiles::table.find(id))
        .set((fields(e), worker_profiles::updated_at.eq(diesel::dsl::now)))
        .execute(conn)
        .await
        .map(|n| n > 0)
}

/// What a write says beside the fields: the verification an admin set, and the owner's activity.
async fn verify_and_touch(
    conn: &mut AsyncPgConnection,
    id: Uuid,
    verified: Option<bool>,
    by_owner: bool,
) -> QueryResult<()> {
    use worker_profiles as p;
    if let Some(verified) = verified {
        diesel::update(p::table.find(id))
            .set(p::is_verified.eq(verified))
            .execute(conn)
            .await?;
    }
    if by_owner {
        diesel::update(p::table.find(id))
            .set(p::last_seen.eq(diesel::dsl::now))
            .execute(conn)
            .await?;
    }
    Ok(())
}

async fn delete(conn: &mut AsyncPgConnection, id: Uuid) -> QueryResult<bool> {
    diesel::delete(worker_profiles::table.find(id))
        .execute(conn)
        .await
        .map(|n| n > 0)
}

/// The profile with this id, else 404 (`WorkerProfile`).
pub async fn found(conn: &mut AsyncPgConnection, id: Uuid) -> Result<Worker, WorkforceError> {
    by_id(conn, id)
        .await?
        .ok_or(WorkforceError::WorkerProfileNotFound)
}

/// How a profile is shown in the events that carry it (`crate::views::worker_json`).
pub type Snapshot = fn(&Worker) -> Value;

/// A profile write as asked for: the fields, the skills when sent, and how the event shows the profile.
pub struct Write<'a> {
    pub fields: &'a Editable,
    pub skills: Option<&'a [String]>,
    /// `is_verified` as an admin set it (DOMAIN §3.1: the back office verifies workers); `None` keeps it.
    pub verified: Option<bool>,
    /// The worker edits their own profile: they were active now (`last_seen`, DOMAIN §3.1).
    pub by_owner: bool,
    pub snapshot: Snapshot,
    /// The request's id, for the events.
    pub correlation: Option<String>,
}

/// The profile as its events show it: `snapshot` of it, and its services' ids.
pub fn shown(w: &Worker, snapshot: Snapshot) -> published::Shown {
    published::Shown {
        profile: snapshot(w),
        service_ids: w.service_ids.clone(),
        last_seen: w.last_seen,
    }
}

/// Reads the profile as written and announces it (`kind`) in the outbox.
async fn announce(
    conn: &mut AsyncPgConnection,
    kind: &str,
    id: Uuid,
    user: Uuid,
    snapshot: Snapshot,
    correlation: Option<String>,
) -> QueryResult<()> {
    let profile = by_id(conn, id).await?.map(|w| shown(&w, snapshot));
    hm_platform::events::enqueue(
        conn,
        published::worker(kind, id, user, profile, correlation),
    )
    .await
}

/// Creates `user`'s profile with its skills and announces it (`workforce.worker.created`), in one
/// transaction; one profile per user is the unique constraint's to decide (store::CONSTRAINTS).
pub async fn create(
    conn: &mut AsyncPgConnection,
    id: Uuid,
    user: Uuid,
    w: Write<'_>,
) -> Result<Worker, WorkforceError> {
    conn.transaction(|conn| {
        async move {
            insert(conn, id, user, w.fields).await?;
            verify_and_touch(conn, id, w.verified, false).await?;
            if let Some(names) = w.skills {
                skills::set(conn, id, user, names, false, w.correlation.clone()).await?;
            }
            announce(
                conn,
                types::WORKER_CREATED,
                id,
                user,
                w.snapshot,
                w.correlation,
            )
            .await?;
            Ok::<_, WorkforceError>(())
        }
        .scope_boxed()
    })
    .await?;
    found(conn, id).await
}

/// Writes the profile's fields (and `is_verified` when an admin set it; `last_seen` when the owner
/// writes), replaces its skills when sent, and announces it (`workforce.worker.updated`), in one
/// transaction.
pub async fn change(
    conn: &mut AsyncPgConnection,
    id: Uuid,
    user: Uuid,
    w: Write<'_>,
) -> Result<Worker, WorkforceError> {
    conn.transaction(|conn| {
        async move {
            update(conn, id, w.fields).await?;
            verify_and_touch(conn, id, w.verified, w.by_owner).await?;
            if let Some(names) = w.skills {
                skills::set(conn, id, user, names, true, w.correlation.clone()).await?;
            }
            announce(
                conn,
                types::WORKER_UPDATED,
                id,
                user,
                w.snapshot,
                w.correlation,
            )
            .await?;
            Ok::<_, WorkforceError>(())
        }
        .scope_boxed()
    })
    .await?;
    found(conn, id).await
}

/// Deletes the profile and announces it (`workforce.worker.deleted`), in one transaction, with the new
/// numbers of the sites its assignments and today's marks leave (`workforce.site.stats_changed`).
pub async fn remove(
    conn: &mut AsyncPgConnection,
    id: Uuid,
    user: Uuid,
    correlation: Option<String>,
) -> Result<(), WorkforceError> {
    conn.transaction(|conn| {
        async move {
            let today = site_stats::today();
            let sites = site_stats::sites_of_worker(conn, id, today).await?;
            delete(conn, id).await?;
            hm_platform::events::enqueue(
                conn,
                published::worker(types::WORKER_DELETED, id, user, None, correlation.clone()),
            )
            .await?;
            for site in sites {
                site_stats::announce(conn, site, today, correlation.clone()).await?;
            }
            Ok::<_, WorkforceError>(())
        }
        .scope_boxed()
    })
    .await
}

/// The online toggle and its event (`workforce.worker.availability_changed`), in one transaction;
/// returns when it changed.
pub async fn toggle_availability(
    conn: &mut AsyncPgConnection,
    id: Uuid,
    user: Uuid,
    available: bool,
    correlation: Option<String>,
) -> Result<DateTime<Utc>, WorkforceError> {
    conn.transaction(|conn| {
        async move {
            let at = set_available(conn, id, available).await?;
            hm_platform::events::enqueue(
                conn,
                published::availability_changed(id, user, available, at, correlation),
            )
            .await?;
            Ok::<_, WorkforceError>(at)
        }
        .scope_boxed()
    })
    .await
}

/// The online toggle (API §5.5); `availability_status` follows unless the worker is busy (DOMAIN §3.1).
async fn set_available(
    conn: &mut AsyncPgConnection,
    id: Uuid,
    available: bool,
) -> QueryResult<DateTime<Utc>> {
    use diesel::dsl::{case_when, now};
    use worker_profiles as p;
    let busy = Availability::Busy.as_str();
    let toggled = if available {
        Availability::Available
    } else {
        Availability::Offline
    };
    let status =
        case_when::<_, _, Text>(p::availability_status.eq(busy), busy).otherwise(toggled.as_str());
    diesel::update(p::table.find(id))
        .set((
            p::is_available.eq(available),
            p::availability_updated_at.eq(now),
            p::last_seen.eq(now),
            p::availability_status.eq(status),
            p::updated_at.eq(now),
        ))
        .returning(p::availability_updated_at.assume_not_null())
        .get_result(conn)
        .await
}

/// A completed booking of the worker's (`jobs.booking.completed`): one more job done, and the customer's
/// rating, if any, averaged into the profile's ([`running_average`]); the profile is announced
/// (`workforce.worker.updated`, shown by `snapshot`), so jobs' bookings and emergency ranking see the new
/// rating. Runs inside the consumer's transaction; the profile's row is locked from the read to the
/// write, so two completions never average the same old rating. Returns whether the profile exists.
pub async fn record_completed_job(
    conn: &mut AsyncPgConnection,
    id: Uuid,
    rating: Option<f64>,
    snapshot: Snapshot,
    correlation: Option<String>,
) -> QueryResult<bool> {
    use worker_profiles as p;
    let current: Option<(Uuid, BigDecimal, i32)> = p::table
        .find(id)
        .select((p::user_id, p::rating, p::rating_count))
        .for_update()
        .first(conn)
        .await
        .optional()?;
    let Some((user, average, count)) = current else {
        return Ok(false);
    };
    let (average, count) = match rating {
        Some(rating) => (running_average(&average, count, rating), count + 1),
        None => (average, count),
    };
    diesel::update(p::table.find(id))
        .set((
            p::total_jobs_completed.eq(p::total_jobs_completed + 1),
            p::rating.eq(average),
            p::rating_count.eq(count),
            p::updated_at.eq(diesel::dsl::now),
        ))
        .execute(conn)
        .await?;
    announce(conn, types::WORKER_UPDATED, id, user, snapshot, correlation).await?;
    Ok(true)
}

/// An administrative rating (the seed's, DOMAIN §3.1: admin- or seed-maintained), e.g. `"4.50"`.
pub async fn set_rating(conn: &mut AsyncPgConnection, id: Uuid, rating: &str) -> QueryResult<()> {
    use worker_profiles as p;
    let rating = diesel::dsl::sql::<diesel::sql_types::Numeric>("")
        .bind::<Text, _>(rating)
        .sql("::numeric");
    diesel::update(p::table.find(id))
        .set((p::rating.eq(rating), p::updated_at.eq(diesel::dsl::now)))
        .execute(conn)
        .await
        .map(|_| ())
}

/// The worker's position (API §5.6), text decimals at the column's scale, and its event
/// (`workforce.worker.location_updated`: the position as stored, whether the worker is available), in
/// one transaction; returns the position as stored, in degrees.
pub async fn set_location(
    conn: &mut AsyncPgConnection,
    id: Uuid,
    lat: &str,
    lng: &str,
    correlation: Option<String>,
) -> Result<(f64, f64), WorkforceError> {
    conn.transaction(|conn| {
        async move {
            let moved = write_location(conn, id, lat, lng).await?;
            let position = (moved.lat, moved.lng);
            hm_platform::events::enqueue(conn, published::location_updated(moved, correlation))
                .await?;
            Ok::<_, WorkforceError>(position)
        }
        .scope_boxed()
    })
    .await
}

/// Writes the position; the worker's location event as it now stands.
async fn write_location(
    conn: &mut AsyncPgConnection,
    id: Uuid,
    lat: &str,
    lng: &str,
) -> QueryResult<WorkerLocation> {
    use diesel::dsl::now;
    use worker_profiles as p;
    type Written = (
        Uuid,
        bool,
        DateTime<Utc>,
        Option<BigDecimal>,
        Option<BigDecimal>,
    );
    let (user_id, is_available, at, lat, lng): Written = diesel::update(p::table.find(id))
        .set((
            p::latitude.eq(numeric(Some(lat))),
            p::longitude.eq(numeric(Some(lng))),
            p::last_seen.eq(now),
            p::updated_at.eq(now),
        ))
        .returning((
            p::user_id,
            p::is_available,
            p::updated_at,
            p::latitude,
            p::longitude,
        ))
        .get_result(conn)
        .await?;
    // The stored (rounded) degrees, which the answer and the event show.
    let degrees = |d: Option<BigDecimal>| {
        d.and_then(|d| d.to_string().parse::<f64>().ok())
            .unwrap_or_default()
    };
    Ok(WorkerLocation {
        profile_id: id,
        user_id,
        lat: degrees(lat),
        lng: degrees(lng),
        is_available,
        at,
    })
}

/// How many profiles (or sites) one transaction of a re-announcement takes.
pub const ANNOUNCE_BATCH: i64 = 500;

/// Announces every profile as it is now (`workforce.worker.updated`, with its verification and last
/// activity), `ANNOUNCE_BATCH` to a transaction, in the order of their ids: how a service that keeps a
/// projection of them (jobs' dashboards) learns profiles announced before it did. The number announced.
pub async fn announce_all(conn: &mut AsyncPgConnection, snapshot: Snapshot) -> QueryResult<u64> {
    use worker_profiles as p;
    let mut after = Uuid::nil();
    let mut announced = 0u64;
    loop {
        let batch: Vec<(Uuid, Uuid)> = p::table
            .filter(p::id.gt(after))
            .order(p::id)
            .limit(ANNOUNCE_BATCH)
            .select((p::id, p::user_id))
            .load(conn)
            .await?;
        let Some(&(last, _)) = batch.last() else {
            return Ok(announced);
        };
        let count = batch.len() as u64;
        conn.transaction(|conn| {
            async move {
                for &(id, user) in &batch {
                    announce(conn, types::WORKER_UPDATED, id, user, snapshot, None).await?;
                }
                Ok::<_, diesel::result::Error>(())
            }
            .scope_boxed()
        })
        .await?;
        announced += count;
        after = last;
    }
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
