//! Translations, help pages and FAQs.

use crate::error::{CatalogError, Result};
use crate::schema::{faqs, help_pages, translations};
use crate::store::outbox::config_changed;
use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel::upsert::excluded;
use diesel_async::scoped_futures::ScopedFutureExt;
use diesel_async::AsyncConnection;
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use hm_platform::events::enqueue;
use uuid::Uuid;

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = translations)]
pub struct Translation {
    pub id: Uuid,
    pub key: String,
    pub lang: String,
    pub value: String,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

pub async fn translations(
    conn: &mut AsyncPgConnection,
    lang: &str,
) -> QueryResult<Vec<(String, String)>> {
    translations::table
        .filter(translations::lang.eq(lang))
        .order(translations::key.asc())
        .select((translations::key, translations::value))
        .load(conn)
        .await
}

pub async fn all_translations(conn: &mut AsyncPgConnection) -> QueryResult<Vec<Translation>> {
    translations::table
        .order((translations::key.asc(), translations::lang.asc()))
        .select(Translation::as_select())
        .load(conn)
        .await
}

/// Sets `key` in `lang`, creating or replacing it.
pub async fn upsert_translation(
    conn: &mut AsyncPgConnection,
    key: &str,
    lang: &str,
    value: &str,
) -> QueryResult<Translation> {
    diesel::insert_into(translations::table)
        .values((
            translations::id.eq(Uuid::new_v4()),
            translations::key.eq(key),
            translations::lang.eq(lang),
            translations::value.eq(value),
        ))
        .on_conflict((translations::key, translations::lang))
        .do_update()
        .set((
            translations::value.eq(excluded(translations::value)),
            translations::updated_at.eq(Utc::now()),
        ))
        .returning(Translation::as_returning())
        .get_result(conn)
        .await
}

pub async fn delete_translation(
    conn: &mut AsyncPgConnection,
    key: &str,
    lang: &str,
) -> QueryResult<bool> {
    diesel::delete(
        translations::table
            .filter(translations::key.eq(key))
            .filter(translations::lang.eq(lang)),
    )
    .execute(conn)
    .await
    .map(|n| n > 0)
}

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = help_pages)]
pub struct HelpPage {
    pub id: Uuid,
    pub slug: String,
    pub title: String,
    pub content_html: String,
    pub lang: String,
    pub is_active: bool,
    pub sort_order: i32,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

#[derive(Debug, Clone, Insertable, AsChangeset)]
#[diesel(table_name = help_pages)]
pub struct NewHelpPage {
    pub id: Uuid,
    pub slug: String,
    pub title: String,
    pub content_html: String,
    pub lang: String,
    pub is_active: bool,
    pub sort_order: i32,
}

#[derive(Debug, Clone, Default, AsChangeset)]
#[diesel(table_name = help_pages)]
pub struct HelpPageChanges {
    pub slug: Option<String>,
    pub title: Option<String>,
    pub content_html: Option<String>,
    pub lang: Option<String>,
    pub is_active: Option<bool>,
    pub sort_order: Option<i32>,
    pub updated_at: Option<DateTime<Utc>>,
}

/// Active pages, optionally in one language: order, then title (DOMAIN §2.7).
pub async fn active_pages(
    conn: &mut AsyncPgConnection,
    lang: Option<&str>,
) -> QueryResult<Vec<HelpPage>> {
    let mut query = help_pages::table
        .filter(help_pages::is_active.eq(true))
        .into_boxed();
    if let Some(lang) = lang {
        query = query.filter(help_pages::lang.eq(lang));
    }
    query
        .order((help_pages::sort_order.asc(), help_pages::title.asc()))
        .select(HelpPage::as_select())
        .load(conn)
        .await
}

pub async fn all_pages(conn: &mut AsyncPgConnection) -> QueryResult<Vec<HelpPage>> {
    help_pages::table
        .order((help_pages::sort_order.asc(), help_pages::title.asc()))
        .select(HelpPage::as_select())
        .load(conn)
        .await
}

pub async fn active_page(
    conn: &mut AsyncPgConnection,
    slug: &str,
) -> QueryResult<Option<HelpPage>> {
    help_pages::table
        .filter(help_pages::slug.eq(slug))
        .filter(help_pages::is_active.eq(true))
        .select(HelpPage::as_select())
        .first(conn)
        .await
        .optional()
}

pub async fn insert_page(conn: &mut AsyncPgConnection, new: &NewHelpPage) -> QueryResult<HelpPage> {
    diesel::insert_into(help_pages::table)
        .values(new)
        .returning(HelpPage::as_returning())
        .get_result(conn)
        .await
}

/// Seeding: insert or refresh by slug (CONFIG §4.5).
pub async fn upsert_page(conn: &mut AsyncPgConnection, new: &NewHelpPage) -> QueryResult<HelpPage> {
    diesel::insert_into(help_pages::table)
        .values(new)
        .on_conflict(help_pages::slug)
        .do_update()
        .set((
            help_pages::title.eq(&new.title),
            help_pages::content_html.eq(&new.content_html),
            help_pages::lang.eq(&new.lang),
            help_pages::sort_order.eq(new.sort_order),
            help_pages::updated_at.eq(Utc::now()),
        ))
        .returning(HelpPage::as_returning())
        .get_result(conn)
        .await
}

pub async fn update_page(
    conn: &mut AsyncPgConnection,
    id: Uuid,
    changes: &HelpPageChanges,
) -> QueryResult<Option<HelpPage>> {
    diesel::update(help_pages::table.find(id))
        .set(changes)
        .returning(HelpPage::as_returning())
        .get_result(conn)
        .await
        .optional()
}

pub async fn delete_page(conn: &mut AsyncPgConnection, id: Uuid) -> QueryResult<bool> {
    diesel::delete(help_pages::table.find(id))
        .execute(conn)
        .await
        .map(|n| n > 0)
}

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = faqs)]
pub struct Faq {
    pub id: Uuid,
    pub question: String,
    pub answer: String,
    pub lang: String,
    pub sort_order: i32,
    pub is_active: bool,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

#[derive(Debug, Clone, Insertable)]
#[diesel(table_name = faqs)]
pub struct NewFaq {
    pub id: Uuid,
    pub question: String,
    pub answer: String,
    pub lang: String,
    pub sort_order: i32,
    pub is_active: bool,
}

#[derive(Debug, Clone, Default, AsChangeset)]
#[diesel(table_name = faqs)]
pub struct FaqChanges {
    pub question: Option<String>,
    pub answer: Option<String>,
    pub lang: Option<String>,
    pub sort_order: Option<i32>,
    pub is_active: Option<bool>,
    pub updated_at: Option<DateTime<Utc>>,
}

/// Active FAQs, optionally in one language: order, then question (DOMAIN §2.8).
pub async fn active_faqs(
    conn: &mut AsyncPgConnection,
    lang: Option<&str>,
) -> QueryResult<Vec<Faq>> {
    let mut query = faqs::table.filter(faqs::is_active.eq(true)).into_boxed();
    if let Some(lang) = lang {
        query = query.filter(faqs::lang.eq(lang));
    }
    query
        .order((faqs::sort_order.asc(), faqs::question.asc()))
        .select(Faq::as_select())
        .load(conn)
        .await
}

pub async fn all_faqs(conn: &mut AsyncPgConnection) -> QueryResult<Vec<Faq>> {
    faqs::table
        .order((faqs::sort_order.asc(), faqs::question.asc()))
        .select(Faq::as_select())
        .load(conn)
        .await
}

pub async fn active_faq(conn: &mut AsyncPgConnection, id: Uuid) -> QueryResult<Option<Faq>> {
    faqs::table
        .find(id)
        .filter(faqs::is_active.eq(true))
        .select(Faq::as_select())
        .first(conn)
        .await
        .optional()
}

pub async fn insert_faq(conn: &mut AsyncPgConnection, new: &NewFaq) -> QueryResult<Faq> {
    diesel::insert_into(faqs::table)
        .values(new)
        .returning(Faq::as_returning())
        .get_result(conn)
        .await
}

/// Seeding: insert or refresh by (question, lang) (CONFIG §4.5).
pub async fn upsert_faq(conn: &mut AsyncPgConnection, new: &NewFaq) -> QueryResult<Faq> {
    diesel::insert_into(faqs::table)
        .values(new)
        .on_conflict((faqs::question, faqs::lang))
        .do_update()
        .set((
            faqs::answer.eq(&new.answer),
            faqs::sort_order.eq(new.sort_order),
            faqs::updated_at.eq(Utc::now()),
        ))
        .returning(Faq::as_returning())
        .get_result(conn)
        .await
}

pub async fn update_faq(
    conn: &mut AsyncPgConnection,
    id: Uuid,
    changes: &FaqChanges,
) -> QueryResult<Option<Faq>> {
    diesel::update(faqs::table.find(id))
        .set(changes)
        .returning(Faq::as_returning())
        .get_result(conn)
        .await
        .optional()
}

pub async fn delete_faq(conn: &mut AsyncPgConnection, id: Uuid) -> QueryResult<bool> {
    diesel::delete(faqs::table.find(id))
        .execute(conn)
        .await
        .map(|n| n > 0)
}

/// Sets `key` in `lang` (created or replaced) and appends `catalog.config.changed`, in one transaction.
pub async fn set_translation(
    conn: &mut AsyncPgConnection,
    key: String,
    lang: String,
    value: String,
    correlation: Option<String>,
) -> Result<Translation> {
    conn.transaction(move |conn| {
        async move {
            let t = upsert_translation(conn, &key, &lang, &value).await?;
            let event = config_changed(
                "translation",
                Some(t.id),
                "updated",
                Some(format!("{key}:{lang}")),
                correlation,
            );
            enqueue(conn, event).await?;
            Ok(t)
        }
        .scope_boxed()
    })
    .await
}

/// Deletes `key` in `lang` and appends `catalog.config.changed`, in one transaction.
pub async fn remove_translation(
    conn: &mut AsyncPgConnection,
    key: String,
    lang: String,
    correlation: Option<String>,
) -> Result<()> {
    conn.transaction(move |conn| {
        async move {
            if !delete_translation(conn, &key, &lang).await? {
                return Err(CatalogError::TranslationNotFound);
            }
            let event = config_changed(
                "translation",
                None,
                "deleted",
                Some(format!("{key}:{lang}")),
                correlation,
            );
            enqueue(conn, event).await?;
            Ok(())
        }
        .scope_boxed()
    })
    .await
}

/// Creates a help page and appends `catalog.config.changed`, in one transaction.
pub async fn create_page(
    conn: &mut AsyncPgConnection,
    new: NewHelpPage,
    correlation: Option<String>,
) -> Result<HelpPage> {
    conn.transaction(move |conn| {
        async move {
            let page = insert_page(conn, &new).await?;
            let event = config_changed("help_page", Some(page.id), "created", None, correlation);
            enqueue(conn, event).await?;
            Ok(page)
        }
        .scope_boxed()
    })
    .await
}

/// Changes a help page and appends `catalog.config.changed`, in one transaction.
pub async fn change_page(
    conn: &mut AsyncPgConnection,
    id: Uuid,
    changes: HelpPageChanges,
    correlation: Option<String>,
) -> Result<HelpPage> {
    conn.transaction(move |conn| {
        async move {
            let page = update_page(conn, id, &changes)
                .await?
                .ok_or(CatalogError::HelpPageNotFound)?;
            let event = config_changed("help_page", Some(id), "updated", None, correlation);
            enqueue(conn, event).await?;
            Ok(page)
        }
        .scope_boxed()
    })
    .await
}

/// Creates an FAQ and appends `catalog.config.changed`, in one transaction.
pub async fn create_faq(
    conn: &mut AsyncPgConnection,
    new: NewFaq,
    correlation: Option<String>,
) -> Result<Faq> {
    conn.transaction(move |conn| {
        async move {
            let faq = insert_faq(conn, &new).await?;
            let event = config_changed("faq", Some(faq.id), "created", None, correlation);
            enqueue(conn, event).await?;
            Ok(faq)
        }
        .scope_boxed()
    })
    .await
}

/// Changes an FAQ and appends `catalog.config.changed`, in one transaction.
pub async fn change_faq(
    conn: &mut AsyncPgConnection,
    id: Uuid,
    changes: FaqChanges,
    correlation: Option<String>,
) -> Result<Faq> {
    conn.transaction(move |conn| {
        async move {
            let faq = update_faq(conn, id, &changes)
                .await?
                .ok_or(CatalogError::FaqNotFound)?;
            let event = config_changed("faq", Some(id), "updated", None, correlation);
            enqueue(conn, event).await?;
            Ok(faq)
        }
        .scope_boxed()
    })
    .await
}
