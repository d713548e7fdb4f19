//! Job postings (DOMAIN §4.1). Decimals travel as text at their column's scale (`numeric::text`).

use super::Count;
use chrono::{DateTime, Utc};
use diesel::sql_types::{BigInt, Nullable, Text, Timestamptz, Uuid as SqlUuid};
use diesel::{OptionalExtension, QueryResult, QueryableByName};
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use uuid::Uuid;

#[derive(Debug, Clone, QueryableByName)]
pub struct Job {
    #[diesel(sql_type = SqlUuid)]
    pub id: Uuid,
    #[diesel(sql_type = SqlUuid)]
    pub poster_id: Uuid,
    #[diesel(sql_type = Text)]
    pub poster_name: String,
    #[diesel(sql_type = Nullable<SqlUuid>)]
    pub contractor_id: Option<Uuid>,
    #[diesel(sql_type = SqlUuid)]
    pub service_id: Uuid,
    #[diesel(sql_type = Text)]
    pub service_name: String,
    #[diesel(sql_type = Text)]
    pub title: String,
    #[diesel(sql_type = Text)]
    pub description: String,
    #[diesel(sql_type = Text)]
    pub status: String,
    #[diesel(sql_type = Text)]
    pub location: String,
    #[diesel(sql_type = Nullable<Text>)]
    pub latitude: Option<String>,
    #[diesel(sql_type = Nullable<Text>)]
    pub longitude: Option<String>,
    #[diesel(sql_type = Nullable<Text>)]
    pub budget: Option<String>,
    #[diesel(sql_type = Nullable<SqlUuid>)]
    pub assigned_worker_id: Option<Uuid>,
    #[diesel(sql_type = Nullable<Timestamptz>)]
    pub scheduled_date: Option<DateTime<Utc>>,
    #[diesel(sql_type = Nullable<Timestamptz>)]
    pub completion_date: Option<DateTime<Utc>>,
    #[diesel(sql_type = Nullable<Text>)]
    pub instruction_audio_url: Option<String>,
    #[diesel(sql_type = Timestamptz)]
    pub created_at: DateTime<Utc>,
    #[diesel(sql_type = Timestamptz)]
    pub updated_at: DateTime<Utc>,
}

/// The fields a poster writes.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Editable {
    pub service_id: Uuid,
    pub title: String,
    pub description: String,
    pub location: String,
    pub latitude: Option<String>,
    pub longitude: Option<String>,
    pub budget: Option<String>,
    pub scheduled_date: Option<DateTime<Utc>>,
    pub completion_date: Option<DateTime<Utc>>,
    pub instruction_audio_url: Option<String>,
}

impl Editable {
    pub fn of(j: &Job) -> Editable {
        Editable {
            service_id: j.service_id,
            title: j.title.clone(),
            description: j.description.clone(),
            location: j.location.clone(),
            latitude: j.latitude.clone(),
            longitude: j.longitude.clone(),
            budget: j.budget.clone(),
            scheduled_date: j.scheduled_date,
            completion_date: j.completion_date,
            instruction_audio_url: j.instruction_audio_url.clone(),
        }
    }
}

const SELECT: &str = "\
SELECT j.id, j.poster_id, coalesce(person_name(u.first_name, u.last_name, u.phone), '') AS poster_name,
       j.contractor_id, j.service_id, s.name AS service_name, j.title, j.description, j.status, j.location,
       j.latitude::text AS latitude, j.longitude::text AS longitude, j.budget::text AS budget,
       j.assigned_worker_id, j.scheduled_date, j.completion_date, j.instruction_audio_url,
       j.created_at, j.updated_at
FROM jobs j
JOIN service_refs s ON s.id = j.service_id
LEFT JOIN user_refs u ON u.id = j.poster_id";

pub async fn by_id(conn: &mut AsyncPgConnection, id: Uuid) -> QueryResult<Option<Job>> {
    diesel::sql_query(format!("{SELECT} WHERE j.id = $1"))
        .bind::<SqlUuid, _>(id)
        .get_result(conn)
        .await
        .optional()
}

/// Locks the job's row for the rest of the transaction (status changes and application decisions are
/// serialised per job) and returns its status.
pub async fn lock(conn: &mut AsyncPgConnection, id: Uuid) -> QueryResult<Option<String>> {
    #[derive(QueryableByName)]
    struct Status {
        #[diesel(sql_type = Text)]
        status: String,
    }
    diesel::sql_query("SELECT status FROM jobs WHERE id = $1 FOR UPDATE")
        .bind::<SqlUuid, _>(id)
        .get_result::<Status>(conn)
        .await
        .optional()
        .map(|s| s.map(|s| s.status))
}

/// The list filters of API §6.1.
#[derive(Debug, Clone, Default)]
pub struct Filter {
    pub status: Option<String>,
    pub min_price: Option<f64>,
    pub max_price: Option<f64>,
    pub service_id: Option<Uuid>,
    /// Budget ascending instead of newest first.
    pub by_price: bool,
}

/// One page of jobs and how many match.
pub async fn page(
    conn: &mut AsyncPgConnection,
    f: &Filter,
    limit: i64,
    offset: i64,
) -> QueryResult<(Vec<Job>, i64)> {
    let filter = "($1::text IS NULL OR j.status = $1)
        AND ($2::float8 IS NULL OR j.budget >= $2::float8)
        AND ($3::float8 IS NULL OR j.budget <= $3::float8)
        AND ($4::uuid IS NULL OR j.service_id = $4)";
    let order = if f.by_price {
        "j.budget ASC NULLS LAST, j.created_at DESC, j.id"
    } else {
        "j.created_at DESC, j.id"
    };
    let bind = |sql: String| {
        diesel::sql_query(sql)
            .into_boxed()
            .bind::<Nullable<Text>, _>(f.status.clone())
            .bind::<Nullable<diesel::sql_types::Double>, _>(f.min_price)
            .bind::<Nullable<diesel::sql_types::Double>, _>(f.max_price)
            .bind::<Nullable<SqlUuid>, _>(f.service_id)
    };
    let count: Count = bind(format!("SELECT count(*) AS n FROM jobs j WHERE {filter}"))
        .get_result(conn)
        .await?;
    let rows = bind(format!(
        "{SELECT} WHERE {filter} ORDER BY {order} LIMIT $5 OFFSET $6"
    ))
    .bind::<BigInt, _>(limit)
    .bind::<BigInt, _>(offset)
    .load(conn)
    .await?;
    Ok((rows, count.n))
}

pub async fn insert(
    conn: &mut AsyncPgConnection,
    id: Uuid,
    poster: Uuid,
    contractor: Option<Uuid>,
    e: &Editable,
) -> QueryResult<()> {
    diesel::sql_query(
        "INSERT INTO jobs (id, poster_id, contractor_id, service_id, title, description, location, latitude,
             longitude, budget, scheduled_date, completion_date, instruction_audio_url)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8::numeric, $9::numeric, $10::numeric, $11, $12, $13)",
    )
    .bind::<SqlUuid, _>(id)
    .bind::<SqlUuid, _>(poster)
    .bind::<Nullable<SqlUuid>, _>(contractor)
    .bind::<SqlUuid, _>(e.service_id)
    .bind::<Text, _>(&e.title)
    .bind::<Text, _>(&e.description)
    .bind::<Text, _>(&e.location)
    .bind::<Nullable<Text>, _>(&e.latitude)
    .bind::<Nullable<Text>, _>(&e.longitude)
    .bind::<Nullable<Text>, _>(&e.budget)
    .bind::<Nullable<Timestamptz>, _>(e.scheduled_date)
    .bind::<Nullable<Timestamptz>, _>(e.completion_date)
    .bind::<Nullable<Text>, _>(&e.instruction_audio_url)
    .execute(conn)
    .await
    .map(|_| ())
}

pub async fn update(conn: &mut AsyncPgConnection, id: Uuid, e: &Editable) -> QueryResult<()> {
    diesel::sql_query(
        "UPDATE jobs SET service_id = $2, title = $3, description = $4, location = $5,
             latitude = $6::numeric, longitude = $7::numeric, budget = $8::numeric, scheduled_date = $9,
             completion_date = $10, instruction_audio_url = $11, updated_at = now()
         WHERE id = $1",
    )
    .bind::<SqlUuid, _>(id)
    .bind::<SqlUuid, _>(e.service_id)
    .bind::<Text, _>(&e.title)
    .bind::<Text, _>(&e.description)
    .bind::<Text, _>(&e.location)
    .bind::<Nullable<Text>, _>(&e.latitude)
    .bind::<Nullable<Text>, _>(&e.longitude)
    .bind::<Nullable<Text>, _>(&e.budget)
    .bind::<Nullable<Timestamptz>, _>(e.scheduled_date)
    .bind::<Nullable<Timestamptz>, _>(e.completion_date)
    .bind::<Nullable<Text>, _>(&e.instruction_audio_url)
    .execute(conn)
    .await
    .map(|_| ())
}

/// A new status; `completed` stamps the completion date (DOMAIN §4.1).
pub async fn set_status(conn: &mut AsyncPgConnection, id: Uuid, status: &str) -> QueryResult<()> {
    diesel::sql_query(
        "UPDATE jobs SET status = $2, updated_at = now(),
             completion_date = CASE WHEN $2 = 'completed' THEN now() ELSE completion_date END
         WHERE id = $1",
    )
    .bind::<SqlUuid, _>(id)
    .bind::<Text, _>(status)
    .execute(conn)
    .await
    .map(|_| ())
}

/// Gives the job to a worker (an accepted application).
pub async fn assign(conn: &mut AsyncPgConnection, id: Uuid, worker_user: Uuid) -> QueryResult<()> {
    diesel::sql_query(
        "UPDATE jobs SET status = 'assigned', assigned_worker_id = $2, updated_at = now() WHERE id = $1",
    )
    .bind::<SqlUuid, _>(id)
    .bind::<SqlUuid, _>(worker_user)
    .execute(conn)
    .await
    .map(|_| ())
}

pub async fn delete(conn: &mut AsyncPgConnection, id: Uuid) -> QueryResult<()> {
    diesel::sql_query("DELETE FROM jobs WHERE id = $1")
        .bind::<SqlUuid, _>(id)
        .execute(conn)
        .await
        .map(|_| ())
}
