//! What jobs publishes and consumes (proto-docs/events.md). Catalog's services, identity's users and
//! workforce's worker and contractor profiles are local projections, so a request never asks another
//! service.

use crate::store::refs::{self, Profile};
use diesel_async::AsyncPgConnection;
use hm_contracts::events::{types, ProfileRef, ServiceChanged, UserRegistered, UserUpdated};
use hm_contracts::Event;
use hm_platform::events::{Handler, HandlerFuture};
use hm_platform::projections;

/// What jobs publishes is built where it is written, in the store's transaction: `store::outbox`.
pub use crate::store::outbox::SOURCE;

/// The events whose projections jobs keeps.
pub const CONSUMED: [&str; 10] = [
    types::SERVICE_CREATED,
    types::SERVICE_UPDATED,
    types::USER_REGISTERED,
    types::USER_UPDATED,
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
    fn handle<'a>(
        &'a self,
        conn: &'a mut AsyncPgConnection,
        event: &'a Event,
    ) -> HandlerFuture<'a> {
        Box::pin(async move {
            match event.event_type.as_str() {
                types::SERVICE_CREATED | types::SERVICE_UPDATED => {
                    let service: ServiceChanged = event.payload()?;
                    projections::upsert_service(conn, &service).await?;
                }
                types::USER_REGISTERED => {
                    let user: UserRegistered = event.payload()?;
                    projections::upsert_user(conn, &projections::registered(user)).await?;
                }
                types::USER_UPDATED => {
                    let user: UserUpdated = event.payload()?;
                    projections::upsert_user(conn, &user).await?;
                }
                kind @ (types::WORKER_CREATED
                | types::WORKER_UPDATED
                | types::WORKER_DELETED
                | types::CONTRACTOR_CREATED
                | types::CONTRACTOR_UPDATED
                | types::CONTRACTOR_DELETED) => {
                    let p: ProfileRef = event.payload()?;
                    let table = if kind.starts_with("workforce.worker") {
                        Profile::Worker
                    } else {
                        Profile::Contractor
                    };
                    if !kind.ends_with("deleted") {
                        refs::upsert_profile(
                            conn,
                            table,
                            p.profile_id,
                            p.user_id,
                            p.profile.as_ref(),
                        )
                        .await?;
                    } else {
                        refs::delete_profile(conn, table, p.profile_id).await?;
                    }
                }
                _ => {}
            }
            Ok(())
        })
    }
}
