//! Workers' availability over time (`availability_transitions`), from workforce's toggles
//! (`workforce.worker.availability_changed`): each toggle as of the event that told it, so the admin
//! console charts "workers online over the day" (`GET /api/admin/dashboard/workers-online/`). A row
//! holds the toggle's state and the state just before it (`was_available`), kept true when a late event
//! lands between two others, so the changes after any instant sum to how the number online moved since
//! then.

use crate::domain::dashboard::{self, CHART_STEP_MINUTES};
use crate::schema::{availability_transitions as t, dispatch_workers as d};
use chrono::{DateTime, Utc};
use diesel::dsl::now;
use diesel::sql_types::{BigInt, Double, Timestamptz};
use diesel::{ExpressionMethods, OptionalExtension, QueryDsl, QueryResult, QueryableByName};
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use uuid::Uuid;

/// Records that worker profile `profile` toggled to `available` (or not) as of `at` (the event's
/// `occurred_at`), inside the consumer's transaction, which holds the worker's dispatch-index row
/// locked. Every toggle is kept, whatever order they arrive in: one delivered late goes between the rows
/// around it and the row after it then changes from the state it set; the latest row's state is the
/// index's `history_available`, the number online the chart counts back from.
pub async fn record(
    conn: &mut AsyncPgConnection,
    profile: Uuid,
    at: DateTime<Utc>,
    available: bool,
) -> QueryResult<()> {
    let before: Option<bool> = t::table
        .filter(t::profile_id.eq(profile))
        .filter(t::at.lt(at))
        .order(t::at.desc())
        .select(t::is_available)
        .first(conn)
        .await
        .optional()?;
    diesel::insert_into(t::table)
        .values((
            t::id.eq(Uuid::new_v4()),
            t::profile_id.eq(profile),
            t::at.eq(at),
            t::is_available.eq(available),
            t::was_available.eq(before.unwrap_or(false)),
        ))
        // Two toggles of the same instant: the one taken last wins, as in the dispatch index.
        .on_conflict((t::profile_id, t::at))
        .do_update()
        .set((t::is_available.eq(available), t::updated_at.eq(now)))
        .execute(conn)
        .await?;
    let next: Option<DateTime<Utc>> = t::table
        .filter(t::profile_id.eq(profile))
        .filter(t::at.gt(at))
        .order(t::at.asc())
        .select(t::at)
        .first(conn)
        .await
        .optional()?;
    match next {
        Some(next) => diesel::update(
            t::table
                .filter(t::profile_id.eq(profile))
                .filter(t::at.eq(next)),
        )
        .set((t::was_available.eq(available), t::updated_at.eq(now)))
        .execute(conn)
        .await
        .map(|_| ()),
        None => diesel::update(d::table.find(profile))
            .set(d::history_available.eq(available))
            .execute(conn)
            .await
            .map(|_| ()),
    }
}

/// The net change of one chart bucket.
#[derive(Debug, QueryableByName)]
struct Bucket {
    #[diesel(sql_type = BigInt)]
    steps: i64,
    #[diesel(sql_type = BigInt)]
    delta: i64,
}

/// Workers online at each of `points` (the chart's, 15 minutes apart, [`dashboard::chart_points`]):
/// the number online now by the history (its latest toggles: `history_available`, by a partial index)
/// less every change after each point. Reads the changes since the first point by the history's index on `at`, grouped by
/// bucket in the database; a point after now shows the number online now.
pub async fn online_at(
    conn: &mut AsyncPgConnection,
    points: &[DateTime<Utc>],
) -> QueryResult<Vec<i64>> {
    let Some(&start) = points.first() else {
        return Ok(Vec::new());
    };
    let online_now: i64 = d::table
        .filter(d::history_available)
        .count()
        .get_result(conn)
        .await?;
    // Raw SQL: bucketing by a computed step and summing signed changes is beyond the builder.
    let buckets: Vec<Bucket> = diesel::sql_query(
        "SELECT ceil(extract(epoch FROM (at - $1)) / $2)::bigint AS steps,
                sum(CASE WHEN is_available THEN 1 ELSE -1 END)::bigint AS delta
         FROM availability_transitions
         WHERE at > $1 AND is_available <> was_available
         GROUP BY 1",
    )
    .bind::<Timestamptz, _>(start)
    .bind::<Double, _>((CHART_STEP_MINUTES * 60) as f64)
    .load(conn)
    .await?;
    let changes: Vec<(usize, i64)> = buckets
        .into_iter()
        .map(|b| (dashboard::chart_bucket(b.steps), b.delta))
        .collect();
    Ok(dashboard::online_series(online_now, &changes)
        .into_iter()
        .take(points.len())
        .collect())
}
