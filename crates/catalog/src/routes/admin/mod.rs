//! Admin writes under `/api/v1/admin/catalog/...` (role `admin`), one module per resource. Every write is
//! one store function that runs in one transaction with its event in the outbox; once it committed, the
//! cache generation is bumped so the next public read shows it.

mod banners;
mod flags;
mod help;
mod services;
mod stats;
mod themes;
mod translations;

pub use banners::*;
pub use flags::*;
pub use help::*;
pub use services::*;
pub use stats::*;
pub use themes::*;
pub use translations::*;

use crate::error::{CatalogError, Result};
use crate::store::{self, Removable};
use crate::AppState;
use actix_web::HttpRequest;
use chrono::Utc;
use diesel_async::AsyncPgConnection;
use futures_util::future::LocalBoxFuture;
use futures_util::FutureExt;
use hm_platform::reply::{NoBody, Reply};
use hm_platform::telemetry::RequestId;
use uuid::Uuid;

/// The id in a path; a malformed one names nothing (404).
fn uuid(raw: &str) -> Result<Uuid> {
    Uuid::parse_str(raw).map_err(|_| CatalogError::NotFound)
}

/// Runs one store write (it owns its transaction and appends its event) on a connection of the pool
/// and, once it committed, makes every cached document stale.
async fn write<T, F>(state: &AppState, op: F) -> Result<T>
where
    F: for<'c> FnOnce(&'c mut AsyncPgConnection) -> LocalBoxFuture<'c, Result<T>>,
{
    let mut pooled = state.db.get().await?;
    let out = op(&mut pooled).await?;
    state.cache.invalidate().await;
    Ok(out)
}

/// `DELETE …/{id}/` of a [`Removable`]: 204, or 404 when there is no such row.
async fn remove(
    req: &HttpRequest,
    state: &AppState,
    id: &str,
    what: Removable,
) -> Result<Reply<NoBody, 204>> {
    let id = uuid(id)?;
    let correlation = RequestId::of(req);
    write(state, move |c| {
        store::remove(c, what, id, correlation).boxed_local()
    })
    .await?;
    Ok(Reply::empty())
}

/// A timestamp on the wire (API §1.3): ISO 8601 in the configured zone.
fn render(at: chrono::DateTime<Utc>) -> String {
    hm_platform::time::render(at)
}
