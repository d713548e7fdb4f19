//! Services (skills) as the back office manages them: every one, inactive ones included.

use super::{render, uuid, write};
use crate::domain;
use crate::error::{CatalogError, Result};
use crate::routes::fields::{Create, Patch, ServiceFields};
use crate::routes::public::ServiceView;
use crate::storage::Storage;
use crate::store::services::{self, NewService, ServiceChanges};
use crate::AppState;
use actix_web::HttpRequest;
use chrono::Utc;
use futures_util::FutureExt;
use hm_platform::auth::AdminUser;
use hm_platform::input::Valid;
use hm_platform::reply::Reply;
use hm_platform::telemetry::RequestId;
use paperclip::actix::{api_v2_operation, web, Apiv2Schema};
use serde::Serialize;
use uuid::Uuid;

/// A service as the back office sees it: the public fields, then its state, object key, the skill
/// review fields (DOMAIN §2.1) and timestamps.
#[derive(Debug, Serialize, Apiv2Schema)]
pub struct AdminService {
    pub id: Uuid,
    pub slug: String,
    pub name: String,
    pub title_en: String,
    pub title_hi: String,
    pub category: String,
    pub description: String,
    /// Public URL of the icon; `null` when storage has none for its key.
    pub icon_url: Option<String>,
    pub display_order: i32,
    pub is_active: bool,
    /// Object key of the icon, e.g. `services/icons/plumber.png`.
    pub icon_s3_key: String,
    /// Other slugs that name it (`plumbing` for `plumber`).
    pub aliases: Vec<String>,
    /// Created from a worker's skill, for staff to review.
    pub auto_created: bool,
    /// The user whose skill created it.
    pub requested_by: Option<Uuid>,
    /// ISO 8601 with offset.
    pub created_at: String,
    pub updated_at: String,
}

fn admin_service(s: &services::Service, storage: &Storage) -> AdminService {
    let ServiceView {
        id,
        slug,
        name,
        title_en,
        title_hi,
        category,
        description,
        icon_url,
        display_order,
    } = ServiceView::new(s, storage);
    AdminService {
        id,
        slug,
        name,
        title_en,
        title_hi,
        category,
        description,
        icon_url,
        display_order,
        is_active: s.is_active,
        icon_s3_key: s.icon_s3_key.clone(),
        // Staff review services made from workers' skills (DOMAIN §2.1): withdraw or rename them.
        aliases: s.aliases.clone(),
        auto_created: s.auto_created,
        requested_by: s.requested_by,
        created_at: render(s.created_at),
        updated_at: render(s.updated_at),
    }
}

/// Every service, inactive ones included.
#[api_v2_operation(tags(Admin))]
pub async fn list_services(
    state: web::Data<AppState>,
    _admin: AdminUser,
) -> Result<Reply<Vec<AdminService>>> {
    let mut conn = state.db.get().await?;
    let list = services::all(&mut conn).await?;
    Ok(Reply::json(
        list.iter()
            .map(|s| admin_service(s, &state.storage))
            .collect::<Vec<_>>(),
    ))
}

/// Create a service; publishes `catalog.service.created`.
#[api_v2_operation(tags(Admin))]
pub async fn create_service(
    req: HttpRequest,
    state: web::Data<AppState>,
    _admin: AdminUser,
    body: Valid<Create<ServiceFields>>,
) -> Result<Reply<AdminService, 201>> {
    let Valid(Create(f)) = body;
    let new = new_service(f)?;
    let correlation = RequestId::of(&req);
    let service = write(&state, move |c| {
        services::create(c, new, correlation).boxed_local()
    })
    .await?;
    Ok(Reply::json(admin_service(&service, &state.storage)))
}

/// A new service from its fields: the slug given or made from the name (refused when that is not one),
/// the English title defaulting to the name.
fn new_service(f: ServiceFields) -> Result<NewService> {
    let name = f.name.unwrap_or_default();
    let slug = domain::service_slug(f.slug, &name).ok_or(CatalogError::InvalidSlug)?;
    Ok(NewService {
        id: Uuid::new_v4(),
        title_en: f
            .title_en
            .filter(|t| !t.is_empty())
            .unwrap_or_else(|| name.clone()),
        title_hi: f.title_hi.unwrap_or_default(),
        category: f.category.unwrap_or_default(),
        description: f.description.unwrap_or_default(),
        icon_s3_key: f.icon_s3_key.unwrap_or_default(),
        is_active: f.is_active.unwrap_or(true),
        display_order: f.display_order.unwrap_or(0),
        aliases: Vec::new(),
        auto_created: false,
        requested_by: None,
        name,
        slug,
    })
}

#[api_v2_operation(tags(Admin))]
pub async fn get_service(
    state: web::Data<AppState>,
    _admin: AdminUser,
    id: web::Path<String>,
) -> Result<Reply<AdminService>> {
    let id = uuid(&id)?;
    let mut conn = state.db.get().await?;
    let s = services::by_id(&mut conn, id)
        .await?
        .ok_or(CatalogError::ServiceNotFound)?;
    Ok(Reply::json(admin_service(&s, &state.storage)))
}

/// Applies `changes` to the service `id` and renders it.
async fn change_service(
    req: &HttpRequest,
    state: &AppState,
    id: Uuid,
    changes: ServiceChanges,
) -> Result<Reply<AdminService>> {
    let correlation = RequestId::of(req);
    let service = write(state, move |c| {
        services::change(c, id, changes, correlation).boxed_local()
    })
    .await?;
    Ok(Reply::json(admin_service(&service, &state.storage)))
}

/// Change a service; publishes `catalog.service.updated`.
#[api_v2_operation(tags(Admin))]
pub async fn update_service(
    req: HttpRequest,
    state: web::Data<AppState>,
    _admin: AdminUser,
    id: web::Path<String>,
    body: Valid<Patch<ServiceFields>>,
) -> Result<Reply<AdminService>> {
    let id = uuid(&id)?;
    let Valid(Patch(f)) = body;
    let changes = ServiceChanges {
        name: f.name,
        slug: f.slug,
        title_en: f.title_en.filter(|t| !t.is_empty()),
        title_hi: f.title_hi,
        category: f.category,
        description: f.description,
        icon_s3_key: f.icon_s3_key,
        is_active: f.is_active,
        display_order: f.display_order,
        updated_at: Some(Utc::now()),
    };
    change_service(&req, &state, id, changes).await
}

/// Withdraw a service (it stays for history: jobs and profiles refer to it); `is_active` becomes false.
#[api_v2_operation(tags(Admin))]
pub async fn deactivate_service(
    req: HttpRequest,
    state: web::Data<AppState>,
    _admin: AdminUser,
    id: web::Path<String>,
) -> Result<Reply<AdminService>> {
    let id = uuid(&id)?;
    let changes = ServiceChanges {
        is_active: Some(false),
        updated_at: Some(Utc::now()),
        ..Default::default()
    };
    change_service(&req, &state, id, changes).await
}
