//! What catalog publishes, through the outbox in the same transaction as the write, and what it consumes
//! (proto-docs/events.md): workers' new skills, and its own service events, which refresh the cached
//! documents once the write is committed.

use crate::cache::DocCache;
use crate::store::services::Service;
use diesel_async::AsyncPgConnection;
use hm_contracts::events::{types, Event, SkillRequested, SkillResolved};
use hm_platform::events::{enqueue, Handler, HandlerResult};

/// What a write appends to the outbox (built where the writes are, in `store::outbox`).
pub use crate::store::outbox::{config_changed, SOURCE};
pub use crate::store::services::service_changed;

/// The event types catalog's queue is bound to.
pub const CONSUMED: [&str; 2] = [types::SKILL_REQUESTED, types::SERVICE_CREATED];

/// Finds or creates the services workers' skills name; refreshes the cached documents once a new
/// service is committed (one made from a skill is written here, by a consumer, where no request's
/// write bumps the cache; for an admin's, the bump comes twice, harmlessly).
pub struct Incoming {
    pub cache: DocCache,
}

impl Handler for Incoming {
    async fn handle(&self, conn: &mut AsyncPgConnection, event: &Event) -> HandlerResult {
        match event.event_type.as_str() {
            types::SKILL_REQUESTED => {
                // Found or made, the service is announced as any write of it is, then the answer.
                let request: SkillRequested = event.payload()?;
                let (service, created) = crate::skills::resolve(conn, &request).await?;
                let correlation = event.correlation_id.clone();
                if created {
                    enqueue(conn, service_changed(&service, true, correlation.clone())).await?;
                }
                enqueue(
                    conn,
                    skill_resolved(&request, &service, created, correlation),
                )
                .await?;
            }
            types::SERVICE_CREATED if event.source == SOURCE => {
                self.cache.invalidate().await;
            }
            _ => {}
        }
        Ok(())
    }
}

/// `catalog.skill.resolved`: the answer to a worker's new skill.
pub fn skill_resolved(
    request: &SkillRequested,
    service: &Service,
    created: bool,
    correlation: Option<String>,
) -> Event<SkillResolved> {
    Event::new(
        SOURCE,
        types::SKILL_RESOLVED,
        correlation,
        SkillResolved {
            request_id: request.request_id,
            worker_id: request.worker_id,
            service: service_changed(service, created, None).data,
            created,
        },
    )
}
