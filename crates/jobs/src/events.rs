//! What jobs publishes and consumes (proto-docs/events.md). Catalog's services, identity's users and
//! workforce's worker and contractor profiles are local projections, so a request never asks another
//! service.

use crate::store::refs::{self, Profile};
use diesel_async::AsyncPgConnection;
use hm_contracts::events::{types, ProfileRef};
use hm_contracts::Event;
use hm_platform::events::{Handler, HandlerResult};

/// What jobs publishes is built where it is written, in the store's transaction: `store::outbox`.
pub use crate::store::outbox::SOURCE;

/// The events of workforce's profiles, whose projections jobs keeps itself (users and services are the
/// platform's projections: `INFO.projections`).
pub const CONSUMED: [&str; 6] = [
    types::WORKER_CREATED,
    types::WORKER_UPDATED,
    types::WORKER_DELETED,
    types::CONTRACTOR_CREATED,
    types::CONTRACTOR_UPDATED,
    types::CONTRACTOR_DELETED,
];

/// Keeps the projections in step: upserts of the latest state; the inbox drops exact redeliveries.
pub struct Incoming;

impl Handler for Incoming {
    async fn handle(&self, conn: &mut AsyncPgConnection, event: &Event) -> HandlerResult {
        let kind = event.event_type.as_str();
        let profiles = [
            types::WORKER_CREATED,
            types::WORKER_UPDATED,
            types::WORKER_DELETED,
            types::CONTRACTOR_CREATED,
            types::CONTRACTOR_UPDATED,
            types::CONTRACTOR_DELETED,
        ];
        if !profiles.contains(&kind) {
            return Ok(());
        }
        let table = if kind.starts_with("workforce.worker") {
            Profile::Worker
        } else {
            Profile::Contractor
        };
        let p: ProfileRef = event.payload()?;
        if kind.ends_with("deleted") {
            refs::delete_profile(conn, table, p.profile_id).await?;
        } else {
            refs::upsert_profile(conn, table, p.profile_id, p.user_id, p.profile.as_ref()).await?;
        }
        Ok(())
    }
}
