//! The events catalog's writes append to the outbox, in the same transaction as the write
//! (proto-docs/events.md); `crate::events` publishes them under the same names.

use hm_contracts::events::{types, ConfigChanged, Event};
use uuid::Uuid;

/// The `source` of catalog's events.
pub const SOURCE: &str = "catalog";

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
