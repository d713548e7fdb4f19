//! A site's daily numbers as other services project them (`workforce.site.stats_changed`): its active
//! assignments and who is present on a day, counted inside the transaction of every change of either
//! (an assignment, an attendance mark, a worker profile's deletion, which takes its assignments and
//! marks with it), so jobs' contractor dashboard (API §11.3) never asks workforce.

use crate::events::published;
use chrono::NaiveDate;
use diesel::sql_types::{BigInt, Date, Uuid as SqlUuid};
use diesel::{OptionalExtension, QueryResult, QueryableByName};
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use hm_contracts::events::SiteStatsChanged;
use uuid::Uuid;

/// The counts of a site on a day.
#[derive(Debug, QueryableByName)]
struct Counted {
    #[diesel(sql_type = SqlUuid)]
    contractor_id: Uuid,
    #[diesel(sql_type = BigInt)]
    active_assignments: i64,
    #[diesel(sql_type = BigInt)]
    present: i64,
}

/// Counts site `site`'s numbers on `date` and announces them (`workforce.site.stats_changed`) in the
/// caller's transaction, after the change. Changes of one site's numbers take turns (a transaction-scoped
/// advisory lock on the site), so each count sees every change committed before it and the event
/// written last (the latest `occurred_at`) holds the latest numbers. A site that no longer exists is not
/// announced (its `workforce.site.deleted` says enough).
pub async fn announce(
    conn: &mut AsyncPgConnection,
    site: Uuid,
    date: NaiveDate,
    correlation: Option<String>,
) -> QueryResult<()> {
    // Raw SQL: an advisory lock is a function returning `void`, which the builder cannot select.
    diesel::sql_query(
        "SELECT pg_advisory_xact_lock(hashtextextended('workforce.site_stats:' || $1::text, 0))",
    )
    .bind::<SqlUuid, _>(site)
    .execute(conn)
    .await?;
    // Raw SQL: two counts beside the site's contractor in one round trip.
    let counted: Option<Counted> = diesel::sql_query(
        "SELECT s.contractor_id,
                (SELECT count(*) FROM site_assignments a WHERE a.site_id = s.id AND a.is_active)
                    AS active_assignments,
                (SELECT count(*) FROM site_attendance m
                 WHERE m.site_id = s.id AND m.attendance_date = $2 AND m.status = 'present') AS present
         FROM sites s WHERE s.id = $1",
    )
    .bind::<SqlUuid, _>(site)
    .bind::<Date, _>(date)
    .get_result(conn)
    .await
    .optional()?;
    let Some(c) = counted else {
        return Ok(());
    };
    let stats = SiteStatsChanged {
        site_id: site,
        contractor_id: c.contractor_id,
        date,
        active_assignments: c.active_assignments,
        present: c.present,
    };
    hm_platform::events::enqueue(conn, published::site_stats(stats, correlation)).await
}

/// A site whose numbers a worker's deletion changes.
#[derive(Debug, QueryableByName)]
struct Touched {
    #[diesel(sql_type = SqlUuid)]
    site_id: Uuid,
}

/// The sites where worker profile `worker` is actively assigned or was marked on `date`: whose numbers
/// on `date` its deletion changes (read before deleting it).
pub async fn sites_of_worker(
    conn: &mut AsyncPgConnection,
    worker: Uuid,
    date: NaiveDate,
) -> QueryResult<Vec<Uuid>> {
    // Raw SQL: a UNION of two tables' site ids, in one order (the announcements lock the sites in it,
    // so two deletions never wait for each other in a circle).
    let touched: Vec<Touched> = diesel::sql_query(
        "SELECT site_id FROM site_assignments WHERE worker_id = $1 AND is_active
         UNION SELECT site_id FROM site_attendance WHERE worker_id = $1 AND attendance_date = $2
         ORDER BY site_id",
    )
    .bind::<SqlUuid, _>(worker)
    .bind::<Date, _>(date)
    .load(conn)
    .await?;
    Ok(touched.into_iter().map(|t| t.site_id).collect())
}

/// Announces every site's numbers today, [`super::workers::ANNOUNCE_BATCH`] sites to a transaction, in
/// the order of their ids: how jobs' dashboards learn the numbers of assignments and marks made before
/// they were announced. The number of sites announced.
pub async fn announce_all(conn: &mut AsyncPgConnection) -> QueryResult<u64> {
    use crate::schema::sites as s;
    use diesel::{ExpressionMethods, QueryDsl};
    use diesel_async::scoped_futures::ScopedFutureExt;
    use diesel_async::AsyncConnection;
    let today = today();
    let mut after = Uuid::nil();
    let mut announced = 0u64;
    loop {
        let batch: Vec<Uuid> = s::table
            .filter(s::id.gt(after))
            .order(s::id)
            .limit(super::workers::ANNOUNCE_BATCH)
            .select(s::id)
            .load(conn)
            .await?;
        let Some(&last) = batch.last() else {
            return Ok(announced);
        };
        let count = batch.len() as u64;
        conn.transaction(|conn| {
            async move {
                for &site in &batch {
                    announce(conn, site, today, None).await?;
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

/// Today as attendance counts days (UTC, DOMAIN §0: the day `attendance_date` defaults to).
pub fn today() -> NaiveDate {
    chrono::Utc::now().date_naive()
}
