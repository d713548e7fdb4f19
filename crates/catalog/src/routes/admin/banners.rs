//! App banners (the app config's carousel) and promo banners (slots, windows, priorities).

use super::{remove, render, uuid, write};
use crate::error::Result;
use crate::routes::fields::{AppBannerFields, Create, Patch, PromoBannerFields};
use crate::storage::Storage;
use crate::store::banners::{
    self, AppBanner, AppBannerChanges, NewAppBanner, NewPromoBanner, PromoBannerChanges,
};
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
use serde_json::{json, Value};
use uuid::Uuid;

/// An app banner as the back office sees it.
#[derive(Debug, Serialize, Apiv2Schema)]
pub struct AdminAppBanner {
    pub id: Uuid,
    pub title: String,
    pub subtitle: String,
    pub image_s3_key: String,
    pub image_url: Option<String>,
    /// `{"type": "route"|"url", "value": "…"}` or `{}`.
    pub action: Value,
    pub display_order: i32,
    pub active: bool,
    /// ISO 8601 with offset.
    pub created_at: String,
    pub updated_at: String,
}

fn admin_app_banner(b: &AppBanner, storage: &Storage) -> AdminAppBanner {
    AdminAppBanner {
        id: b.id,
        title: b.title.clone(),
        subtitle: b.subtitle.clone(),
        image_s3_key: b.image_s3_key.clone(),
        image_url: storage.public_url(&b.image_s3_key),
        action: b.action.clone(),
        display_order: b.display_order,
        active: b.active,
        created_at: render(b.created_at),
        updated_at: render(b.updated_at),
    }
}

#[api_v2_operation(tags(Admin))]
pub async fn list_app_banners(
    state: web::Data<AppState>,
    _admin: AdminUser,
) -> Result<Reply<Vec<AdminAppBanner>>> {
    let mut conn = state.db.get().await?;
    let list = banners::all_app(&mut conn).await?;
    Ok(Reply::json(
        list.iter()
            .map(|b| admin_app_banner(b, &state.storage))
            .collect::<Vec<_>>(),
    ))
}

#[api_v2_operation(tags(Admin))]
pub async fn create_app_banner(
    req: HttpRequest,
    state: web::Data<AppState>,
    _admin: AdminUser,
    body: Valid<Create<AppBannerFields>>,
) -> Result<Reply<AdminAppBanner, 201>> {
    let Valid(Create(f)) = body;
    let new = NewAppBanner {
        id: Uuid::new_v4(),
        title: f.title.unwrap_or_default(),
        subtitle: f.subtitle.unwrap_or_default(),
        image_s3_key: f.image_s3_key.unwrap_or_default(),
        action: f.action.unwrap_or_else(|| json!({})),
        display_order: f.display_order.unwrap_or(0),
        active: f.active.unwrap_or(true),
    };
    let correlation = RequestId::of(&req);
    let banner = write(&state, move |c| {
        banners::create_app(c, new, correlation).boxed_local()
    })
    .await?;
    Ok(Reply::json(admin_app_banner(&banner, &state.storage)))
}

#[api_v2_operation(tags(Admin))]
pub async fn update_app_banner(
    req: HttpRequest,
    state: web::Data<AppState>,
    _admin: AdminUser,
    id: web::Path<String>,
    body: Valid<Patch<AppBannerFields>>,
) -> Result<Reply<AdminAppBanner>> {
    let id = uuid(&id)?;
    let Valid(Patch(f)) = body;
    let changes = AppBannerChanges {
        title: f.title,
        subtitle: f.subtitle,
        image_s3_key: f.image_s3_key,
        action: f.action,
        display_order: f.display_order,
        active: f.active,
        updated_at: Some(Utc::now()),
    };
    let correlation = RequestId::of(&req);
    let banner = write(&state, move |c| {
        banners::change_app(c, id, changes, correlation).boxed_local()
    })
    .await?;
    Ok(Reply::json(admin_app_banner(&banner, &state.storage)))
}

#[api_v2_operation(tags(Admin))]
pub async fn delete_app_banner(
    req: HttpRequest,
    state: web::Data<AppState>,
    _admin: AdminUser,
    id: web::Path<String>,
) -> Result<Reply<NoBody, 204>> {
    remove(&req, &state, &id, Removable::AppBanner).await
}

// ---- promo banners -----------------------------------------------------------------------------------

/// A promo banner as the back office sees it: the public fields, then its state and window.
#[derive(Debug, Serialize, Apiv2Schema)]
pub struct AdminPromoBanner {
    pub id: Uuid,
    pub title: String,
    /// Full public URL of the image.
    pub image_url: String,
    /// Click-through URL.
    pub link: Option<String>,
    /// e.g. `home_top`
    pub slot: String,
    /// Higher first.
    pub priority: i32,
    pub active: bool,
    /// ISO 8601 with offset; `null` for "always".
    pub starts_at: Option<String>,
    pub ends_at: Option<String>,
    pub created_at: String,
    pub updated_at: String,
}

fn admin_promo(b: &banners::PromoBanner) -> AdminPromoBanner {
    AdminPromoBanner {
        id: b.id,
        title: b.title.clone(),
        image_url: b.image_url.clone(),
        link: b.link.clone(),
        slot: b.slot.clone(),
        priority: b.priority,
        active: b.active,
        starts_at: b.starts_at.map(render),
        ends_at: b.ends_at.map(render),
        created_at: render(b.created_at),
        updated_at: render(b.updated_at),
    }
}

#[api_v2_operation(tags(Admin))]
pub async fn list_promo_banners(
    state: web::Data<AppState>,
    _admin: AdminUser,
) -> Result<Reply<Vec<AdminPromoBanner>>> {
    let mut conn = state.db.get().await?;
    let list = banners::all_promo(&mut conn).await?;
    Ok(Reply::json(
        list.iter().map(admin_promo).collect::<Vec<_>>(),
    ))
}

#[api_v2_operation(tags(Admin))]
pub async fn create_promo_banner(
    req: HttpRequest,
    state: web::Data<AppState>,
    _admin: AdminUser,
    body: Valid<Create<PromoBannerFields>>,
) -> Result<Reply<AdminPromoBanner, 201>> {
    let Valid(Create(f)) = body;
    let new = NewPromoBanner {
        id: Uuid::new_v4(),
        title: f.title.unwrap_or_default(),
        image_url: f.image_url.unwrap_or_default(),
        link: f.link.flatten(),
        slot: f.slot.unwrap_or_else(|| "home_top".into()),
        priority: f.priority.unwrap_or(0),
        active: f.active.unwrap_or(true),
        starts_at: f.starts_at.flatten(),
        ends_at: f.ends_at.flatten(),
    };
    let correlation = RequestId::of(&req);
    let banner = write(&state, move |c| {
        banners::create_promo(c, new, correlation).boxed_local()
    })
    .await?;
    Ok(Reply::json(admin_promo(&banner)))
}

#[api_v2_operation(tags(Admin))]
pub async fn update_promo_banner(
    req: HttpRequest,
    state: web::Data<AppState>,
    _admin: AdminUser,
    id: web::Path<String>,
    body: Valid<Patch<PromoBannerFields>>,
) -> Result<Reply<AdminPromoBanner>> {
    let id = uuid(&id)?;
    let Valid(Patch(f)) = body;
    let changes = PromoBannerChanges {
        title: f.title,
        image_url: f.image_url,
        link: f.link,
        slot: f.slot,
        priority: f.priority,
        active: f.active,
        starts_at: f.starts_at,
        ends_at: f.ends_at,
        updated_at: Some(Utc::now()),
    };
    let correlation = RequestId::of(&req);
    let banner = write(&state, move |c| {
        banners::change_promo(c, id, changes, correlation).boxed_local()
    })
    .await?;
    Ok(Reply::json(admin_promo(&banner)))
}

#[api_v2_operation(tags(Admin))]
pub async fn delete_promo_banner(
    req: HttpRequest,
    state: web::Data<AppState>,
    _admin: AdminUser,
    id: web::Path<String>,
) -> Result<Reply<NoBody, 204>> {
    remove(&req, &state, &id, Removable::PromoBanner).await
}
