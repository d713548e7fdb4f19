//! What jobs publishes and consumes (proto-docs/events.md). Catalog's services, identity's users and
//! workforce's worker and contractor profiles and sites are local projections, workers' positions,
//! toggles, ratings and services feed the emergency dispatch index, and workers' verification, activity
//! and toggles, sites' daily numbers and people's unread notifications feed the role dashboards, so a
//! request never asks another service.

use crate::domain::dispatch::{Point, WorkerNews};
use crate::store::refs::{self, Profile};
use crate::store::{availability, dispatch, emergency, tallies};
use diesel_async::AsyncPgConnection;
use hm_contracts::events::{
    types, AvailabilityChanged, ProfileRef, SiteChanged, SiteStatsChanged, UnreadCountChanged,
    WorkerLocation,
};
use hm_contracts::Event;
use hm_platform::events::{Handler, HandlerResult};

/// What jobs publishes is built where it is written, in the store's transaction: `store::outbox`.
pub use crate::store::outbox::SOURCE;

/// Workforce's and notifications' events whose projections jobs keeps itself (users and services are
/// the platform's projections: `INFO.projections`).
pub const CONSUMED: [&str; 13] = [
    types::WORKER_CREATED,
    types::WORKER_UPDATED,
    types::WORKER_DELETED,
    types::WORKER_AVAILABILITY_CHANGED,
    types::WORKER_LOCATION_UPDATED,
    types::CONTRACTOR_CREATED,
    types::CONTRACTOR_UPDATED,
    types::CONTRACTOR_DELETED,
    types::SITE_CREATED,
    types::SITE_UPDATED,
    types::SITE_DELETED,
    types::SITE_STATS_CHANGED,
    types::UNREAD_COUNT_CHANGED,
];

/// Keeps the projections in step: upserts of the latest state (the dispatch index, sites, sites' numbers
/// and unread counts compare the events' `occurred_at`, so a late one changes nothing newer); the inbox
/// drops exact redeliveries.
pub struct Incoming;

impl Handler for Incoming {
    async fn handle(&self, conn: &mut AsyncPgConnection, event: &Event) -> HandlerResult {
        let at = event.occurred_at;
        match event.event_type.as_str() {
            types::WORKER_CREATED | types::WORKER_UPDATED => {
                let p: ProfileRef = event.payload()?;
                refs::upsert_profile(
                    conn,
                    Profile::Worker,
                    p.profile_id,
                    p.user_id,
                    p.profile.as_ref(),
                )
                .await?;
                let news =
                    WorkerNews::from_profile(p.user_id, p.profile.as_ref(), p.service_ids, at)
                        .seen(p.last_seen);
                dispatch::take(conn, p.profile_id, &news).await?;
            }
            types::WORKER_DELETED => {
                let p: ProfileRef = event.payload()?;
                // Its dispatch-index row goes with it.
                refs::delete_profile(conn, Profile::Worker, p.profile_id).await?;
            }
            types::WORKER_AVAILABILITY_CHANGED => {
                let toggled: AvailabilityChanged = event.payload()?;
                let news = WorkerNews {
                    at,
                    user_id: toggled.user_id,
                    position: None,
                    is_available: Some(toggled.is_available),
                    // Workforce stamps `last_seen` with the toggle (DOMAIN §3.1).
                    last_seen: Some(toggled.at),
                    profile: None,
                };
                dispatch::take(conn, toggled.profile_id, &news).await?;
                // After `take`, which made and locked the worker's row.
                availability::record(conn, toggled.profile_id, at, toggled.is_available).await?;
            }
            types::WORKER_LOCATION_UPDATED => {
                let moved: WorkerLocation = event.payload()?;
                let here = Point {
                    lat: moved.lat,
                    lng: moved.lng,
                };
                let news = WorkerNews {
                    at,
                    user_id: moved.user_id,
                    position: Some(Some(here)),
                    is_available: Some(moved.is_available),
                    // ... and with the position.
                    last_seen: Some(moved.at),
                    profile: None,
                };
                dispatch::take(conn, moved.profile_id, &news).await?;
                emergency::follow_worker(conn, moved.profile_id, here, moved.at).await?;
            }
            types::CONTRACTOR_CREATED | types::CONTRACTOR_UPDATED => {
                let p: ProfileRef = event.payload()?;
                refs::upsert_profile(conn, Profile::Contractor, p.profile_id, p.user_id, None)
                    .await?;
            }
            types::CONTRACTOR_DELETED => {
                let p: ProfileRef = event.payload()?;
                refs::delete_profile(conn, Profile::Contractor, p.profile_id).await?;
                refs::delete_sites_of(conn, p.profile_id).await?;
                tallies::forget_contractor(conn, p.profile_id).await?;
            }
            types::SITE_CREATED | types::SITE_UPDATED => {
                let site: SiteChanged = event.payload()?;
                refs::upsert_site(conn, &site, at).await?;
            }
            types::SITE_DELETED => {
                let site: SiteChanged = event.payload()?;
                refs::delete_site(conn, site.site_id).await?;
                tallies::forget_site(conn, site.site_id).await?;
            }
            types::SITE_STATS_CHANGED => {
                let stats: SiteStatsChanged = event.payload()?;
                tallies::take_site_stats(conn, &stats, at).await?;
            }
            types::UNREAD_COUNT_CHANGED => {
                let unread: UnreadCountChanged = event.payload()?;
                tallies::take_unread(conn, &unread, at).await?;
            }
            _ => {}
        }
        Ok(())
    }
}
