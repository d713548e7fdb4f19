//! What jobs publishes and consumes (proto-docs/events.md). Catalog's services, identity's users and
//! workforce's worker and contractor profiles and sites are local projections, and workers' positions,
//! toggles, ratings and services feed the emergency dispatch index, so a request never asks another
//! service.

use crate::domain::dispatch::{Point, WorkerNews};
use crate::store::refs::{self, Profile};
use crate::store::{dispatch, emergency};
use diesel_async::AsyncPgConnection;
use hm_contracts::events::{types, AvailabilityChanged, ProfileRef, SiteChanged, WorkerLocation};
use hm_contracts::Event;
use hm_platform::events::{Handler, HandlerResult};

/// What jobs publishes is built where it is written, in the store's transaction: `store::outbox`.
pub use crate::store::outbox::SOURCE;

/// Workforce's events whose projections jobs keeps itself (users and services are the platform's
/// projections: `INFO.projections`).
pub const CONSUMED: [&str; 11] = [
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
];

/// Keeps the projections in step: upserts of the latest state (the dispatch index and sites compare
/// the events' `occurred_at`, so a late one changes nothing newer); the inbox drops exact
/// redeliveries.
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
                    WorkerNews::from_profile(p.user_id, p.profile.as_ref(), p.service_ids, at);
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
                    profile: None,
                };
                dispatch::take(conn, toggled.profile_id, &news).await?;
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
            }
            types::SITE_CREATED | types::SITE_UPDATED => {
                let site: SiteChanged = event.payload()?;
                refs::upsert_site(conn, &site, at).await?;
            }
            types::SITE_DELETED => {
                let site: SiteChanged = event.payload()?;
                refs::delete_site(conn, site.site_id).await?;
            }
            _ => {}
        }
        Ok(())
    }
}
