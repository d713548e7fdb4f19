//! diesel-async queries, one module per aggregate; every function takes the connection it runs on. A
//! write the admin makes is one function that owns its transaction and appends its event to the outbox
//! inside it.

pub mod banners;
pub mod content;
pub mod flags;
pub mod media;
pub mod outbox;
pub mod services;
pub mod themes;

use crate::error::{CatalogError, Result};
use diesel_async::scoped_futures::ScopedFutureExt;
use diesel_async::{AsyncConnection, AsyncPgConnection};
use hm_platform::constraints::Constraint;
use hm_platform::events::enqueue;
use uuid::Uuid;

/// The rows an admin deletes outright by id (services are withdrawn instead, flags and translations are
/// addressed by key).
#[derive(Debug, Clone, Copy)]
pub enum Removable {
    Theme,
    AppBanner,
    PromoBanner,
    HelpPage,
    Faq,
}

impl Removable {
    /// The `kind` of its `catalog.config.changed`.
    fn kind(self) -> &'static str {
        match self {
            Removable::Theme => "theme",
            Removable::AppBanner => "app_banner",
            Removable::PromoBanner => "promo_banner",
            Removable::HelpPage => "help_page",
            Removable::Faq => "faq",
        }
    }

    /// The refusal when there is no such row.
    fn missing(self) -> CatalogError {
        match self {
            Removable::Theme => CatalogError::ThemeNotFound,
            Removable::AppBanner => CatalogError::AppBannerNotFound,
            Removable::PromoBanner => CatalogError::PromoBannerNotFound,
            Removable::HelpPage => CatalogError::HelpPageNotFound,
            Removable::Faq => CatalogError::FaqNotFound,
        }
    }

    async fn delete(self, conn: &mut AsyncPgConnection, id: Uuid) -> diesel::QueryResult<bool> {
        match self {
            Removable::Theme => themes::delete(conn, id).await,
            Removable::AppBanner => banners::delete_app(conn, id).await,
            Removable::PromoBanner => banners::delete_promo(conn, id).await,
            Removable::HelpPage => content::delete_page(conn, id).await,
            Removable::Faq => content::delete_faq(conn, id).await,
        }
    }
}

/// Deletes the `what` with this id and appends `catalog.config.changed`, in one transaction.
pub async fn remove(
    conn: &mut AsyncPgConnection,
    what: Removable,
    id: Uuid,
    correlation: Option<String>,
) -> Result<()> {
    conn.transaction(move |conn| {
        async move {
            if !what.delete(conn, id).await? {
                return Err(what.missing());
            }
            let event = outbox::config_changed(what.kind(), Some(id), "deleted", None, correlation);
            enqueue(conn, event).await?;
            Ok(())
        }
        .scope_boxed()
    })
    .await
}

/// The answers to catalog's constraint violations (issue #15): DRF's unique messages, per field.
pub const CONSTRAINTS: &[Constraint] = &[
    Constraint::field(
        "services_slug_key",
        "slug",
        "service with this slug already exists.",
    ),
    Constraint::field(
        "services_name_key",
        "name",
        "service with this name already exists.",
    ),
    Constraint::field(
        "services_name_lower",
        "name",
        "service with this name already exists.",
    ),
    Constraint::field(
        "feature_flags_key_key",
        "key",
        "feature flag with this key already exists.",
    ),
    Constraint::field(
        "help_pages_slug_key",
        "slug",
        "help page with this slug already exists.",
    ),
    Constraint::field(
        "faqs_question_lang_key",
        "question",
        "FAQ with this question already exists.",
    ),
    Constraint::field(
        "promo_banners_check",
        "ends_at",
        "Must not be before starts_at.",
    ),
    Constraint::field(
        "themes_one_active",
        "active",
        "Another theme is active; activate this one instead.",
    ),
];
