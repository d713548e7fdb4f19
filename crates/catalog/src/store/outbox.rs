//! The events catalog's writes append to the outbox, in the same transaction as the write
//! (proto-docs/events.md); `crate::events` publishes them under the same names.

use crate::store::services::Service;
use hm_contracts::events::{types, ConfigChanged, Event, ServiceChanged};
use uuid::Uuid;

/// The `source` of catalog's events.
pub const SOURCE: &str = "catalog";

/// `catalog.service.created` or `catalog.service.updated`: a service as it is now.
pub fn service_changed(
    service: &Service,
    created: bool,
    correlation: Option<String>,
) -> Event<ServiceChanged> {
    let kind = if created {
        types::SERVICE_CREATED
    } else {
        types::SERVICE_UPDATED
    };
    Event::new(
        SOURCE,
        kind,
        correlation,
        ServiceChanged {
            service_id: service.id,
            slug: service.slug.clone(),
            name: service.name.clone(),
            title_en: service.title_en.clone(),
            title_hi: service.title_hi.clone(),
            category: service.category.clone(),
            is_active: service.is_active,
            display_order: service.display_order,
            aliases: service.aliases.clone(),
        },
    )
}

/// `catalog.config.changed`: what kind of object changed (`theme`, `faq`, …), which, and how.
pub fn config_changed(
    kind: &str,
    id: Option<Uuid>,
    change: &str,
    key: Option<String>,
    correlation: Option<String>,
) -> Event<ConfigChanged> {
    Event::new(
        SOURCE,
        types::CONFIG_CHANGED,
        correlation,
        ConfigChanged {
            kind: kind.to_owned(),
            id,
            change: change.to_owned(),
            key,
        },
    )
}
