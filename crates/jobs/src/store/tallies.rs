//! Other services' counts the dashboards show (DOMAIN §7), as their events told them: people's unread
//! notifications (`notifications.unread_count.changed` → `unread_counts`) and sites' daily numbers
//! (`workforce.site.stats_changed` → `site_day_stats`, `site_assignment_counts`). Each keeps the event
//! with the latest `occurred_at` (`as_of`): one delivered late changes nothing newer.

use crate::schema::{site_assignment_counts as sa, site_day_stats as sd, unread_counts as uc};
use chrono::{DateTime, Utc};
use diesel::dsl::now;
use diesel::query_dsl::methods::FilterDsl;
use diesel::upsert::excluded;
use diesel::{ExpressionMethods, QueryResult};
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use hm_contracts::events::{SiteStatsChanged, UnreadCountChanged};
use uuid::Uuid;

/// A person's unread count as of `as_of`, unless a newer one has been taken.
pub async fn take_unread(
    conn: &mut AsyncPgConnection,
    changed: &UnreadCountChanged,
    as_of: DateTime<Utc>,
) -> QueryResult<()> {
    let upsert = diesel::insert_into(uc::table)
        .values((
            uc::user_id.eq(changed.user_id),
            uc::unread.eq(changed.unread.max(0)),
            uc::as_of.eq(as_of),
        ))
        .on_conflict(uc::user_id)
        .do_update()
        .set((
            uc::unread.eq(excluded(uc::unread)),
            uc::as_of.eq(excluded(uc::as_of)),
            uc::updated_at.eq(now),
        ));
    FilterDsl::filter(upsert, uc::as_of.le(excluded(uc::as_of)))
        .execute(conn)
        .await
        .map(|_| ())
}

/// A site's numbers as of `as_of`: who was present that day (unless a newer event of that site and
/// day has been taken) and its active assignments (unless a newer event of that site, of any day, has
/// been taken).
pub async fn take_site_stats(
    conn: &mut AsyncPgConnection,
    stats: &SiteStatsChanged,
    as_of: DateTime<Utc>,
) -> QueryResult<()> {
    let day = diesel::insert_into(sd::table)
        .values((
            sd::id.eq(Uuid::new_v4()),
            sd::site_id.eq(stats.site_id),
            sd::day.eq(stats.date),
            sd::contractor_id.eq(stats.contractor_id),
            sd::present.eq(stats.present.max(0)),
            sd::as_of.eq(as_of),
        ))
        .on_conflict((sd::site_id, sd::day))
        .do_update()
        .set((
            sd::contractor_id.eq(excluded(sd::contractor_id)),
            sd::present.eq(excluded(sd::present)),
            sd::as_of.eq(excluded(sd::as_of)),
            sd::updated_at.eq(now),
        ));
    FilterDsl::filter(day, sd::as_of.le(excluded(sd::as_of)))
        .execute(conn)
        .await?;
    let assignments = diesel::insert_into(sa::table)
        .values((
            sa::site_id.eq(stats.site_id),
            sa::contractor_id.eq(stats.contractor_id),
            sa::active_assignments.eq(stats.active_assignments.max(0)),
            sa::as_of.eq(as_of),
        ))
        .on_conflict(sa::site_id)
        .do_update()
        .set((
            sa::contractor_id.eq(excluded(sa::contractor_id)),
            sa::active_assignments.eq(excluded(sa::active_assignments)),
            sa::as_of.eq(excluded(sa::as_of)),
            sa::updated_at.eq(now),
        ));
    FilterDsl::filter(assignments, sa::as_of.le(excluded(sa::as_of)))
        .execute(conn)
        .await
        .map(|_| ())
}

/// Forgets a deleted site's numbers.
pub async fn forget_site(conn: &mut AsyncPgConnection, site: Uuid) -> QueryResult<()> {
    diesel::delete(FilterDsl::filter(sd::table, sd::site_id.eq(site)))
        .execute(conn)
        .await?;
    diesel::delete(FilterDsl::filter(sa::table, sa::site_id.eq(site)))
        .execute(conn)
        .await
        .map(|_| ())
}

/// Forgets the numbers of a deleted contractor's sites.
pub async fn forget_contractor(conn: &mut AsyncPgConnection, contractor: Uuid) -> QueryResult<()> {
    diesel::delete(FilterDsl::filter(
        sd::table,
        sd::contractor_id.eq(contractor),
    ))
    .execute(conn)
    .await?;
    diesel::delete(FilterDsl::filter(
        sa::table,
        sa::contractor_id.eq(contractor),
    ))
    .execute(conn)
    .await
    .map(|_| ())
}
