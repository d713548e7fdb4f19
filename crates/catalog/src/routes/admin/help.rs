//! Help pages and FAQs, per language.

use super::{remove, render, uuid, write};
use crate::error::Result;
use crate::routes::fields::{Create, FaqFields, HelpPageFields, Patch};
use crate::store::content::{self, FaqChanges, HelpPageChanges, NewFaq, NewHelpPage};
use crate::store::Removable;
use crate::AppState;
use actix_web::HttpRequest;
use chrono::Utc;
use futures_util::FutureExt;
use hm_platform::auth::AdminUser;
use hm_platform::input::Valid;
use hm_platform::reply::{NoBody, Reply};
use hm_platform::telemetry::RequestId;
use paperclip::actix::{api_v2_operation, web, Apiv2Schema};
use serde::Serialize;
use uuid::Uuid;

/// A help page as the back office sees it: the public fields, then its state and timestamps.
#[derive(Debug, Serialize, Apiv2Schema)]
pub struct AdminHelpPage {
    pub id: Uuid,
    pub slug: String,
    pub title: String,
    /// Trusted HTML.
    pub content_html: String,
    /// `en` or `hi`
    pub lang: String,
    /// Ascending display position.
    pub order: i32,
    pub is_active: bool,
    /// ISO 8601 with offset.
    pub created_at: String,
    pub updated_at: String,
}

fn admin_help(p: &content::HelpPage) -> AdminHelpPage {
    AdminHelpPage {
        id: p.id,
        slug: p.slug.clone(),
        title: p.title.clone(),
        content_html: p.content_html.clone(),
        lang: p.lang.clone(),
        order: p.sort_order,
        is_active: p.is_active,
        created_at: render(p.created_at),
        updated_at: render(p.updated_at),
    }
}

#[api_v2_operation(tags(Admin))]
pub async fn list_help_pages(
    state: web::Data<AppState>,
    _admin: AdminUser,
) -> Result<Reply<Vec<AdminHelpPage>>> {
    let mut conn = state.db.get().await?;
    let list = content::all_pages(&mut conn).await?;
    Ok(Reply::json(list.iter().map(admin_help).collect::<Vec<_>>()))
}

#[api_v2_operation(tags(Admin))]
pub async fn create_help_page(
    req: HttpRequest,
    state: web::Data<AppState>,
    _admin: AdminUser,
    body: Valid<Create<HelpPageFields>>,
) -> Result<Reply<AdminHelpPage, 201>> {
    let Valid(Create(f)) = body;
    let new = NewHelpPage {
        id: Uuid::new_v4(),
        slug: f.slug.unwrap_or_default(),
        title: f.title.unwrap_or_default(),
        content_html: f.content_html.unwrap_or_default(),
        lang: f.lang.unwrap_or_else(|| "en".into()),
        is_active: f.is_active.unwrap_or(true),
        sort_order: f.order.unwrap_or(0),
    };
    let correlation = RequestId::of(&req);
    let page = write(&state, move |c| {
        content::create_page(c, new, correlation).boxed_local()
    })
    .await?;
    Ok(Reply::json(admin_help(&page)))
}

#[api_v2_operation(tags(Admin))]
pub async fn update_help_page(
    req: HttpRequest,
    state: web::Data<AppState>,
    _admin: AdminUser,
    id: web::Path<String>,
    body: Valid<Patch<HelpPageFields>>,
) -> Result<Reply<AdminHelpPage>> {
    let id = uuid(&id)?;
    let Valid(Patch(f)) = body;
    let changes = HelpPageChanges {
        slug: f.slug,
        title: f.title,
        content_html: f.content_html,
        lang: f.lang,
        is_active: f.is_active,
        sort_order: f.order,
        updated_at: Some(Utc::now()),
    };
    let correlation = RequestId::of(&req);
    let page = write(&state, move |c| {
        content::change_page(c, id, changes, correlation).boxed_local()
    })
    .await?;
    Ok(Reply::json(admin_help(&page)))
}

#[api_v2_operation(tags(Admin))]
pub async fn delete_help_page(
    req: HttpRequest,
    state: web::Data<AppState>,
    _admin: AdminUser,
    id: web::Path<String>,
) -> Result<Reply<NoBody, 204>> {
    remove(&req, &state, &id, Removable::HelpPage).await
}

/// An FAQ as the back office sees it: the public fields, then its state and timestamps.
#[derive(Debug, Serialize, Apiv2Schema)]
pub struct AdminFaq {
    pub id: Uuid,
    pub question: String,
    pub answer: String,
    /// `en` or `hi`
    pub lang: String,
    /// Ascending display position.
    pub order: i32,
    pub is_active: bool,
    /// ISO 8601 with offset.
    pub created_at: String,
    pub updated_at: String,
}

fn admin_faq(f: &content::Faq) -> AdminFaq {
    AdminFaq {
        id: f.id,
        question: f.question.clone(),
        answer: f.answer.clone(),
        lang: f.lang.clone(),
        order: f.sort_order,
        is_active: f.is_active,
        created_at: render(f.created_at),
        updated_at: render(f.updated_at),
    }
}

#[api_v2_operation(tags(Admin))]
pub async fn list_faqs(
    state: web::Data<AppState>,
    _admin: AdminUser,
) -> Result<Reply<Vec<AdminFaq>>> {
    let mut conn = state.db.get().await?;
    let list = content::all_faqs(&mut conn).await?;
    Ok(Reply::json(list.iter().map(admin_faq).collect::<Vec<_>>()))
}

#[api_v2_operation(tags(Admin))]
pub async fn create_faq(
    req: HttpRequest,
    state: web::Data<AppState>,
    _admin: AdminUser,
    body: Valid<Create<FaqFields>>,
) -> Result<Reply<AdminFaq, 201>> {
    let Valid(Create(f)) = body;
    let new = NewFaq {
        id: Uuid::new_v4(),
        question: f.question.unwrap_or_default(),
        answer: f.answer.unwrap_or_default(),
        lang: f.lang.unwrap_or_else(|| "en".into()),
        sort_order: f.order.unwrap_or(0),
        is_active: f.is_active.unwrap_or(true),
    };
    let correlation = RequestId::of(&req);
    let faq = write(&state, move |c| {
        content::create_faq(c, new, correlation).boxed_local()
    })
    .await?;
    Ok(Reply::json(admin_faq(&faq)))
}

#[api_v2_operation(tags(Admin))]
pub async fn update_faq(
    req: HttpRequest,
    state: web::Data<AppState>,
    _admin: AdminUser,
    id: web::Path<String>,
    body: Valid<Patch<FaqFields>>,
) -> Result<Reply<AdminFaq>> {
    let id = uuid(&id)?;
    let Valid(Patch(f)) = body;
    let changes = FaqChanges {
        question: f.question,
        answer: f.answer,
        lang: f.lang,
        sort_order: f.order,
        is_active: f.is_active,
        updated_at: Some(Utc::now()),
    };
    let correlation = RequestId::of(&req);
    let faq = write(&state, move |c| {
        content::change_faq(c, id, changes, correlation).boxed_local()
    })
    .await?;
    Ok(Reply::json(admin_faq(&faq)))
}

#[api_v2_operation(tags(Admin))]
pub async fn delete_faq(
    req: HttpRequest,
    state: web::Data<AppState>,
    _admin: AdminUser,
    id: web::Path<String>,
) -> Result<Reply<NoBody, 204>> {
    remove(&req, &state, &id, Removable::Faq).await
}
