//! Emergency requests and their dispatch logs as rows: read with the names the API shows (service,
//! assigned worker, notified workers), and written one statement at a time (the operations in
//! `store::emergency` own the transactions).

use crate::domain::dispatch::Ranked;
use crate::domain::emergency::{EmergencyStatus, LogStatus};
use crate::schema::{emergency_dispatch_logs as l, emergency_requests as e};
use crate::store::numeric;
use chrono::{DateTime, Utc};
use diesel::dsl::{exists, now};
use diesel::sql_types::{BigInt, Nullable, Text, Uuid as SqlUuid};
use diesel::{ExpressionMethods, OptionalExtension, QueryDsl, QueryResult, QueryableByName};
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use serde_json::Value;
use uuid::Uuid;

/// A request with its service's name and its assigned worker's user, name and phone.
#[derive(Debug, Clone, QueryableByName)]
#[diesel(table_name = e)]
pub struct Emergency {
    pub id: Uuid,
    pub created_by: Option<Uuid>,
    pub contact_phone: String,
    pub site_id: Option<Uuid>,
    /// Decimal (9,6) as text: `"26.846700"`.
    #[diesel(sql_type = Text)]
    pub location_lat: String,
    #[diesel(sql_type = Text)]
    pub location_lng: String,
    pub address_text: String,
    pub service_id: Option<Uuid>,
    #[diesel(sql_type = Nullable<Text>)]
    pub service_name: Option<String>,
    pub service_description: String,
    pub urgency_level: String,
    pub status: EmergencyStatus,
    pub assigned_worker_id: Option<Uuid>,
    #[diesel(sql_type = Nullable<SqlUuid>)]
    pub assigned_worker_user_id: Option<Uuid>,
    /// Full name, else phone; null without an assigned worker.
    #[diesel(sql_type = Nullable<Text>)]
    pub assigned_worker_name: Option<String>,
    /// Null without an assigned worker, or while identity has not announced their user.
    #[diesel(sql_type = Nullable<Text>)]
    pub assigned_worker_phone: Option<String>,
    pub assigned_contractor_id: Option<Uuid>,
    pub metadata: Value,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl Emergency {
    /// Where it is, in degrees.
    pub fn location(&self) -> hm_contracts::events::GeoPoint {
        let degrees = |text: &str| text.parse::<f64>().unwrap_or_default();
        hm_contracts::events::GeoPoint {
            lat: degrees(&self.location_lat),
            lng: degrees(&self.location_lng),
        }
    }
}

// Raw SQL: joins the projections with `person_name()` and renders the coordinates at their scale.
const SELECT: &str = "\
SELECT e.id, e.created_by, e.contact_phone, e.site_id, e.location_lat::text AS location_lat,
       e.location_lng::text AS location_lng, e.address_text, e.service_id, s.name AS service_name,
       e.service_description, e.urgency_level, e.status, e.assigned_worker_id,
       w.user_id AS assigned_worker_user_id,
       CASE WHEN w.id IS NULL THEN NULL
            ELSE coalesce(person_name(wu.first_name, wu.last_name, wu.phone), '') END AS assigned_worker_name,
       wu.phone AS assigned_worker_phone, e.assigned_contractor_id, e.metadata, e.created_at, e.updated_at
FROM emergency_requests e
LEFT JOIN service_refs s ON s.id = e.service_id
LEFT JOIN worker_refs w ON w.id = e.assigned_worker_id
LEFT JOIN user_refs wu ON wu.id = w.user_id";

/// The request, as the API shows it.
// Raw SQL: the joined `SELECT` above.
pub async fn by_id(conn: &mut AsyncPgConnection, id: Uuid) -> QueryResult<Option<Emergency>> {
    diesel::sql_query(format!("{SELECT} WHERE e.id = $1"))
        .bind::<SqlUuid, _>(id)
        .get_result(conn)
        .await
        .optional()
}

/// Locks the request's row for the rest of the transaction (so two changes are decided one after the
/// other, each on the state the other left) and reads it.
pub async fn lock(conn: &mut AsyncPgConnection, id: Uuid) -> QueryResult<Option<Emergency>> {
    let locked: Option<Uuid> = e::table
        .find(id)
        .select(e::id)
        .for_update()
        .first(conn)
        .await
        .optional()?;
    match locked {
        Some(id) => by_id(conn, id).await,
        None => Ok(None),
    }
}

/// Whether worker profile `worker` was dispatched to request `id`.
pub async fn notified(conn: &mut AsyncPgConnection, id: Uuid, worker: Uuid) -> QueryResult<bool> {
    diesel::select(exists(
        l::table
            .filter(l::emergency_id.eq(id))
            .filter(l::worker_id.eq(worker)),
    ))
    .get_result(conn)
    .await
}

/// Whose requests a list shows: everything (`None`: an admin), or those `user` made, those their worker
/// profile was dispatched to or assigned, and those escalated to their contractor profile.
#[derive(Debug, Clone, Copy, Default)]
pub struct Scope {
    pub user: Option<Uuid>,
    pub worker: Option<Uuid>,
    pub contractor: Option<Uuid>,
}

/// The list filters of API §8.2 (already checked against their choices).
#[derive(Debug, Clone, Default)]
pub struct Filter {
    pub status: Option<String>,
    pub urgency_level: Option<String>,
}

// The visibility of API §8.2 (`$1` user, `$2` their worker profile, `$3` their contractor profile; all
// null for an admin) and the filters (`$4`, `$5`).
const VISIBLE: &str = "($1::uuid IS NULL
        OR e.created_by = $1
        OR e.assigned_worker_id = $2
        OR e.assigned_contractor_id = $3
        OR EXISTS (SELECT 1 FROM emergency_dispatch_logs l WHERE l.emergency_id = e.id AND l.worker_id = $2))
    AND ($4::text IS NULL OR e.status = $4)
    AND ($5::text IS NULL OR e.urgency_level = $5)";

#[derive(QueryableByName)]
struct Counted {
    #[diesel(sql_type = BigInt)]
    n: i64,
}

/// How many requests `scope` sees that `filter` selects.
// Raw SQL: the visibility condition the page shares, whose sub-select and optional parameters the query
// builder would spell a second time.
pub async fn count(
    conn: &mut AsyncPgConnection,
    scope: Scope,
    filter: &Filter,
) -> QueryResult<i64> {
    let counted: Counted = diesel::sql_query(format!(
        "SELECT count(*) AS n FROM emergency_requests e WHERE {VISIBLE}"
    ))
    .bind::<Nullable<SqlUuid>, _>(scope.user)
    .bind::<Nullable<SqlUuid>, _>(scope.worker)
    .bind::<Nullable<SqlUuid>, _>(scope.contractor)
    .bind::<Nullable<Text>, _>(filter.status.as_deref())
    .bind::<Nullable<Text>, _>(filter.urgency_level.as_deref())
    .get_result(conn)
    .await?;
    Ok(counted.n)
}

/// One page of the requests `scope` sees that `filter` selects, newest first.
// Raw SQL: the joined `SELECT` above with the visibility condition [`count`] shares.
pub async fn page(
    conn: &mut AsyncPgConnection,
    scope: Scope,
    filter: &Filter,
    limit: i64,
    offset: i64,
) -> QueryResult<Vec<Emergency>> {
    diesel::sql_query(format!(
        "{SELECT} WHERE {VISIBLE} ORDER BY e.created_at DESC, e.id LIMIT $6 OFFSET $7"
    ))
    .bind::<Nullable<SqlUuid>, _>(scope.user)
    .bind::<Nullable<SqlUuid>, _>(scope.worker)
    .bind::<Nullable<SqlUuid>, _>(scope.contractor)
    .bind::<Nullable<Text>, _>(filter.status.as_deref())
    .bind::<Nullable<Text>, _>(filter.urgency_level.as_deref())
    .bind::<BigInt, _>(limit)
    .bind::<BigInt, _>(offset)
    .load(conn)
    .await
}

/// The fields a requester (or an admin's edit) writes; coordinates as validated decimal text.
#[derive(Debug, Clone, PartialEq)]
pub struct Fields {
    pub contact_phone: String,
    pub lat: String,
    pub lng: String,
    pub address: String,
    pub service_id: Option<Uuid>,
    pub service_description: String,
    pub urgency_level: String,
    pub site_id: Option<Uuid>,
}

impl Fields {
    /// The request's current fields.
    pub fn of(x: &Emergency) -> Fields {
        Fields {
            contact_phone: x.contact_phone.clone(),
            lat: x.location_lat.clone(),
            lng: x.location_lng.clone(),
            address: x.address_text.clone(),
            service_id: x.service_id,
            service_description: x.service_description.clone(),
            urgency_level: x.urgency_level.clone(),
            site_id: x.site_id,
        }
    }
}

/// A new `open` request.
pub async fn insert(
    conn: &mut AsyncPgConnection,
    id: Uuid,
    created_by: Option<Uuid>,
    f: &Fields,
) -> QueryResult<()> {
    diesel::insert_into(e::table)
        .values((
            e::id.eq(id),
            e::created_by.eq(created_by),
            e::contact_phone.eq(&f.contact_phone),
            e::location_lat.eq(numeric(&f.lat)?),
            e::location_lng.eq(numeric(&f.lng)?),
            e::address_text.eq(&f.address),
            e::service_id.eq(f.service_id),
            e::service_description.eq(&f.service_description),
            e::urgency_level.eq(&f.urgency_level),
            e::site_id.eq(f.site_id),
        ))
        .execute(conn)
        .await
        .map(|_| ())
}

/// Writes the requester's fields.
pub async fn update_fields(conn: &mut AsyncPgConnection, id: Uuid, f: &Fields) -> QueryResult<()> {
    diesel::update(e::table.find(id))
        .set((
            e::contact_phone.eq(&f.contact_phone),
            e::location_lat.eq(numeric(&f.lat)?),
            e::location_lng.eq(numeric(&f.lng)?),
            e::address_text.eq(&f.address),
            e::service_id.eq(f.service_id),
            e::service_description.eq(&f.service_description),
            e::urgency_level.eq(&f.urgency_level),
            e::site_id.eq(f.site_id),
            e::updated_at.eq(now),
        ))
        .execute(conn)
        .await
        .map(|_| ())
}

/// A new status and metadata.
pub async fn write_status(
    conn: &mut AsyncPgConnection,
    id: Uuid,
    status: EmergencyStatus,
    metadata: &Value,
) -> QueryResult<()> {
    diesel::update(e::table.find(id))
        .set((
            e::status.eq(status.as_str()),
            e::metadata.eq(metadata),
            e::updated_at.eq(now),
        ))
        .execute(conn)
        .await
        .map(|_| ())
}

/// Gives the request to the worker who accepted it.
pub async fn write_accepted(
    conn: &mut AsyncPgConnection,
    id: Uuid,
    worker: Uuid,
    metadata: &Value,
) -> QueryResult<()> {
    diesel::update(e::table.find(id))
        .set((
            e::status.eq(EmergencyStatus::Accepted.as_str()),
            e::assigned_worker_id.eq(worker),
            e::metadata.eq(metadata),
            e::updated_at.eq(now),
        ))
        .execute(conn)
        .await
        .map(|_| ())
}

/// An admin's escalation: the metadata, and the contractor it goes to when one is named.
pub async fn write_escalation(
    conn: &mut AsyncPgConnection,
    id: Uuid,
    contractor: Option<Uuid>,
    metadata: &Value,
) -> QueryResult<()> {
    let row = diesel::update(e::table.find(id));
    match contractor {
        Some(contractor) => {
            row.set((
                e::assigned_contractor_id.eq(contractor),
                e::metadata.eq(metadata),
                e::updated_at.eq(now),
            ))
            .execute(conn)
            .await
        }
        None => {
            row.set((e::metadata.eq(metadata), e::updated_at.eq(now)))
                .execute(conn)
                .await
        }
    }
    .map(|_| ())
}

/// The dispatched requests made at or before `cutoff` that nobody has escalated yet, marked escalated
/// with `keys` (DOMAIN §4.7's timeout sweep): their ids. One conditional statement: with several
/// replicas sweeping at once, a row escalated by one no longer matches for the other, which waits on its
/// lock and re-reads it.
pub async fn escalate_timed_out(
    conn: &mut AsyncPgConnection,
    cutoff: DateTime<Utc>,
    keys: Value,
) -> QueryResult<Vec<Uuid>> {
    use diesel::PgJsonbExpressionMethods;
    diesel::update(e::table)
        .filter(e::status.eq(EmergencyStatus::Dispatched.as_str()))
        .filter(e::created_at.le(cutoff))
        .filter(diesel::dsl::not(e::metadata.has_key("escalation_needed")))
        .set((
            e::metadata.eq(e::metadata.concat(keys)),
            e::updated_at.eq(now),
        ))
        .returning(e::id)
        .get_results(conn)
        .await
}

/// Deletes the request (its logs go with it); whether it existed.
pub async fn delete(conn: &mut AsyncPgConnection, id: Uuid) -> QueryResult<bool> {
    diesel::delete(e::table.find(id))
        .execute(conn)
        .await
        .map(|n| n > 0)
}

/// A worker a request was dispatched to, with their name and phone.
#[derive(Debug, Clone, QueryableByName)]
#[diesel(table_name = l)]
pub struct DispatchLog {
    pub id: Uuid,
    pub emergency_id: Uuid,
    /// The request's contact phone.
    #[diesel(sql_type = Text)]
    pub emergency_contact: String,
    pub worker_id: Uuid,
    #[diesel(sql_type = SqlUuid)]
    pub worker_user_id: Uuid,
    /// Full name, else phone; blank while identity has not announced the user.
    #[diesel(sql_type = Text)]
    pub worker_name: String,
    #[diesel(sql_type = Text)]
    pub worker_phone: String,
    pub attempt_time: DateTime<Utc>,
    pub status: LogStatus,
    pub response_time: Option<DateTime<Utc>>,
    pub raw_response: Value,
}

/// The request's dispatch logs, latest attempt first and, within one dispatch, nearest first (DOMAIN
/// §4.8).
// Raw SQL: joins the worker's user with `person_name()`.
pub async fn logs(conn: &mut AsyncPgConnection, id: Uuid) -> QueryResult<Vec<DispatchLog>> {
    diesel::sql_query(
        "SELECT l.id, l.emergency_id, e.contact_phone AS emergency_contact, l.worker_id,
                w.user_id AS worker_user_id,
                coalesce(person_name(u.first_name, u.last_name, u.phone), '') AS worker_name,
                coalesce(u.phone, '') AS worker_phone, l.attempt_time, l.status, l.response_time,
                l.raw_response
         FROM emergency_dispatch_logs l
         JOIN emergency_requests e ON e.id = l.emergency_id
         JOIN worker_refs w ON w.id = l.worker_id
         LEFT JOIN user_refs u ON u.id = w.user_id
         WHERE l.emergency_id = $1
         ORDER BY l.attempt_time DESC, (l.raw_response->>'distance_km')::float8, l.id",
    )
    .bind::<SqlUuid, _>(id)
    .load(conn)
    .await
}

/// One `notified` log per chosen worker, with what dispatch measured (`raw`).
pub async fn insert_logs(
    conn: &mut AsyncPgConnection,
    id: Uuid,
    chosen: &[(Ranked, Value)],
) -> QueryResult<()> {
    let rows: Vec<_> = chosen
        .iter()
        .map(|(ranked, raw)| {
            (
                l::id.eq(Uuid::new_v4()),
                l::emergency_id.eq(id),
                l::worker_id.eq(ranked.candidate.worker_id),
                l::status.eq(LogStatus::Notified.as_str()),
                l::raw_response.eq(raw),
            )
        })
        .collect();
    diesel::insert_into(l::table)
        .values(rows)
        .execute(conn)
        .await
        .map(|_| ())
}

/// The worker's answer: their `notified` logs of request `id` move to `to` (`accepted` or `declined`)
/// with the time they answered; how many moved.
pub async fn answer_logs(
    conn: &mut AsyncPgConnection,
    id: Uuid,
    worker: Uuid,
    to: LogStatus,
) -> QueryResult<usize> {
    diesel::update(l::table)
        .filter(l::emergency_id.eq(id))
        .filter(l::worker_id.eq(worker))
        .filter(l::status.eq(LogStatus::Notified.as_str()))
        .set((
            l::status.eq(to.as_str()),
            l::response_time.eq(now),
            l::updated_at.eq(now),
        ))
        .execute(conn)
        .await
}

/// The still-`notified` logs of the escalated requests `ids` time out (nobody answered).
pub async fn time_out_logs(conn: &mut AsyncPgConnection, ids: &[Uuid]) -> QueryResult<usize> {
    diesel::update(l::table)
        .filter(l::emergency_id.eq_any(ids))
        .filter(l::status.eq(LogStatus::Notified.as_str()))
        .set((
            l::status.eq(LogStatus::Timeout.as_str()),
            l::updated_at.eq(now),
        ))
        .execute(conn)
        .await
}
