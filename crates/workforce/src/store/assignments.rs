//! Workers' assignments to sites (DOMAIN §3.4).

use super::{site_stats, workers};
use crate::error::WorkforceError;
use crate::schema::site_assignments;
use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel::sql_types::{Nullable, Text, Uuid as SqlUuid};
use diesel::{QueryResult, QueryableByName};
use diesel_async::scoped_futures::ScopedFutureExt;
use diesel_async::{AsyncConnection, AsyncPgConnection, RunQueryDsl};
use uuid::Uuid;

/// A worker's assignment to a site, with the names of the site, the worker and who assigned them.
#[derive(Debug, Clone, QueryableByName)]
#[diesel(table_name = site_assignments)]
pub struct Assignment {
    pub id: Uuid,
    pub site_id: Uuid,
    #[diesel(sql_type = Text)]
    pub site_name: String,
    pub worker_id: Uuid,
    #[diesel(sql_type = Text)]
    pub worker_name: String,
    #[diesel(sql_type = Text)]
    pub worker_phone: String,
    pub assigned_by: Option<Uuid>,
    #[diesel(sql_type = Nullable<Text>)]
    pub assigned_by_name: Option<String>,
    pub assigned_at: DateTime<Utc>,
    pub role_on_site: String,
    pub is_active: bool,
    pub created_at: DateTime<Utc>,
}

// Raw SQL: joins with the projections and `person_name`.
const ASSIGNMENT: &str = "\
SELECT a.id, a.site_id, s.name AS site_name, a.worker_id,
       person_name(u.first_name, u.last_name, u.phone) AS worker_name,
       coalesce(u.phone, '') AS worker_phone, a.assigned_by,
       CASE WHEN a.assigned_by IS NULL THEN NULL
            ELSE person_name(b.first_name, b.last_name, b.phone) END AS assigned_by_name,
       a.assigned_at, a.role_on_site, a.is_active, a.created_at
FROM site_assignments a
JOIN sites s ON s.id = a.site_id
JOIN worker_profiles w ON w.id = a.worker_id
LEFT JOIN user_refs u ON u.id = w.user_id
LEFT JOIN user_refs b ON b.id = a.assigned_by";

/// Assigns worker profile `worker` to the site (or re-activates the assignment, with the new role) and
/// announces the site's numbers, in one transaction; a worker without a profile is refused.
pub async fn assign_worker(
    conn: &mut AsyncPgConnection,
    site: Uuid,
    worker: Uuid,
    by: Uuid,
    role: &str,
    correlation: Option<String>,
) -> Result<Assignment, WorkforceError> {
    conn.transaction(|conn| {
        async move {
            if workers::by_id(conn, worker).await?.is_none() {
                return Err(WorkforceError::WorkerNotFound);
            }
            Ok(assign(conn, site, worker, by, role, correlation).await?)
        }
        .scope_boxed()
    })
    .await
}

/// Assigns a worker (or re-activates the assignment, with the new role) and announces the site's
/// numbers today (`workforce.site.stats_changed`), in the caller's transaction.
pub async fn assign(
    conn: &mut AsyncPgConnection,
    site: Uuid,
    worker: Uuid,
    by: Uuid,
    role: &str,
    correlation: Option<String>,
) -> QueryResult<Assignment> {
    use crate::schema::site_assignments as a;
    use diesel::upsert::excluded;
    let id: Uuid = diesel::insert_into(a::table)
        .values((
            a::id.eq(Uuid::new_v4()),
            a::site_id.eq(site),
            a::worker_id.eq(worker),
            a::assigned_by.eq(by),
            a::role_on_site.eq(role),
        ))
        .on_conflict((a::site_id, a::worker_id))
        .do_update()
        .set((
            a::is_active.eq(true),
            a::role_on_site.eq(excluded(a::role_on_site)),
            a::updated_at.eq(diesel::dsl::now),
        ))
        .returning(a::id)
        .get_result(conn)
        .await?;
    site_stats::announce(conn, site, site_stats::today(), correlation).await?;
    diesel::sql_query(format!("{ASSIGNMENT} WHERE a.id = $1"))
        .bind::<SqlUuid, _>(id)
        .get_result(conn)
        .await
}

/// The site's active assignments, newest first.
pub async fn assigned(conn: &mut AsyncPgConnection, site: Uuid) -> QueryResult<Vec<Assignment>> {
    diesel::sql_query(format!(
        "{ASSIGNMENT} WHERE a.site_id = $1 AND a.is_active ORDER BY a.assigned_at DESC, a.id"
    ))
    .bind::<SqlUuid, _>(site)
    .load(conn)
    .await
}
