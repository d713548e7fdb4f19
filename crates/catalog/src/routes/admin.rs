//! Admin writes under `/api/v1/admin/catalog/...` (role `admin`). Every write runs in one transaction
//! with its event in the outbox, then bumps the cache generation so the next public read shows it.

use super::fields::{
    AppBannerFields, Create, FaqFields, FlagFields, HelpPageFields, Patch, PromoBannerFields,
    ServiceFields, ThemeFields, TranslationFields,
};
use super::public::{faq_json, help_json, promo_json, service_json};
use crate::domain::{self, slugify};
use crate::error::{CatalogError, Result};
use crate::events;
use crate::store::banners::{
    self, AppBanner, AppBannerChanges, NewAppBanner, NewPromoBanner, PromoBannerChanges,
};
use crate::store::content::{self, FaqChanges, HelpPageChanges, NewFaq, NewHelpPage};
use crate::store::flags;
use crate::store::services::{self, NewService, ServiceChanges};
use crate::store::themes::{self, NewTheme, Theme, ThemeChanges};
use crate::AppState;
use actix_web::HttpRequest;
use chrono::Utc;
use diesel_async::scoped_futures::{ScopedBoxFuture, ScopedFutureExt};
use diesel_async::{AsyncConnection, AsyncPgConnection};
use hm_platform::auth::AdminUser;
use hm_platform::error::FieldErrors;
use hm_platform::events::enqueue;
use hm_platform::input::Valid;
use hm_platform::reply::Reply;
use hm_platform::telemetry::RequestId;
use hm_platform::ApiError;
use paperclip::actix::{api_v2_operation, web};
use serde_json::{json, Value};
use uuid::Uuid;

fn uuid(raw: &str) -> Result<Uuid> {
    Uuid::parse_str(raw).map_err(|_| ApiError::not_found().into())
}

/// Runs `write` in a transaction and, once it committed, makes every cached document stale.
async fn commit<T, F>(state: &AppState, write: F) -> Result<T>
where
    T: Send + 'static,
    F: for<'c> FnOnce(&'c mut AsyncPgConnection) -> ScopedBoxFuture<'static, 'c, Result<T>>
        + Send
        + 'static,
{
    let mut pooled = state.db.get().await?;
    let conn: &mut AsyncPgConnection = &mut pooled;
    let out = conn.transaction(write).await?;
    state.cache.invalidate().await;
    Ok(out)
}

/// Enqueues `event` in the write's transaction (the outbox).
async fn record<T: serde::Serialize>(
    conn: &mut AsyncPgConnection,
    event: hm_contracts::Event<T>,
) -> Result<()> {
    enqueue(conn, event).await.map_err(CatalogError::from)
}

/// The rows an admin deletes outright (services are withdrawn instead, flags and translations are
/// addressed by key).
#[derive(Debug, Clone, Copy)]
enum Removable {
    Theme,
    AppBanner,
    PromoBanner,
    HelpPage,
    Faq,
}

impl Removable {
    fn entity(self) -> &'static str {
        match self {
            Removable::Theme => "Theme",
            Removable::AppBanner => "AppBanner",
            Removable::PromoBanner => "PromoBanner",
            Removable::HelpPage => "HelpPage",
            Removable::Faq => "FAQ",
        }
    }

    fn kind(self) -> &'static str {
        match self {
            Removable::Theme => "theme",
            Removable::AppBanner => "app_banner",
            Removable::PromoBanner => "promo_banner",
            Removable::HelpPage => "help_page",
            Removable::Faq => "faq",
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

/// `DELETE …/{id}/` of a [`Removable`]: 204, or 404 when there is no such row.
async fn remove(
    req: &HttpRequest,
    state: &AppState,
    id: &str,
    what: Removable,
) -> Result<Reply<204>> {
    let id = uuid(id)?;
    let correlation = RequestId::of(req);
    commit(state, move |conn| {
        async move {
            if !what.delete(conn, id).await? {
                return Err(ApiError::no_match(what.entity()).into());
            }
            record(
                conn,
                events::config_changed(what.kind(), Some(id), "deleted", None, correlation),
            )
            .await
        }
        .scope_boxed()
    })
    .await?;
    Ok(Reply::empty())
}

fn field_error(field: &str, message: &str) -> CatalogError {
    ApiError::fields(FieldErrors::single(field, message)).into()
}

fn stamp(v: &mut Value, created_at: chrono::DateTime<Utc>, updated_at: chrono::DateTime<Utc>) {
    v["created_at"] = json!(hm_platform::time::render(created_at));
    v["updated_at"] = json!(hm_platform::time::render(updated_at));
}

// ---- services ---------------------------------------------------------------------------------------

fn admin_service(s: &services::Service, state: &AppState) -> Value {
    let mut v = service_json(s, &state.storage);
    v["is_active"] = json!(s.is_active);
    v["icon_s3_key"] = json!(s.icon_s3_key);
    // Staff review services made from workers' skills (DOMAIN §2.1): withdraw or rename them.
    v["aliases"] = json!(s.aliases);
    v["auto_created"] = json!(s.auto_created);
    v["requested_by"] = json!(s.requested_by);
    stamp(&mut v, s.created_at, s.updated_at);
    v
}

/// Every service, inactive ones included.
#[api_v2_operation(tags(Admin))]
pub async fn list_services(state: web::Data<AppState>, _admin: AdminUser) -> Result<Reply<200>> {
    let mut conn = state.db.get().await?;
    let list = services::all(&mut conn).await?;
    Ok(Reply::json(
        list.iter()
            .map(|s| admin_service(s, &state))
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
) -> Result<Reply<201>> {
    let Valid(Create(f)) = body;
    let name = f.name.unwrap_or_default();
    let slug = f
        .slug
        .filter(|s| !s.is_empty())
        .unwrap_or_else(|| slugify(&name));
    if !domain::is_slug(&slug) {
        return Err(field_error("slug", domain::SLUG_MESSAGE));
    }
    let new = NewService {
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
    };
    let correlation = RequestId::of(&req);
    let service = commit(&state, move |conn| {
        async move {
            let s = services::insert(conn, &new).await?;
            enqueue(conn, events::service_changed(&s, true, correlation)).await?;
            Ok(s)
        }
        .scope_boxed()
    })
    .await?;
    Ok(Reply::json(admin_service(&service, &state)))
}

#[api_v2_operation(tags(Admin))]
pub async fn get_service(
    state: web::Data<AppState>,
    _admin: AdminUser,
    id: web::Path<String>,
) -> Result<Reply<200>> {
    let id = uuid(&id)?;
    let mut conn = state.db.get().await?;
    let s = services::by_id(&mut conn, id)
        .await?
        .ok_or_else(|| ApiError::no_match("Service"))?;
    Ok(Reply::json(admin_service(&s, &state)))
}

async fn change_service(
    req: &HttpRequest,
    state: &AppState,
    id: Uuid,
    changes: ServiceChanges,
) -> Result<Reply<200>> {
    let correlation = RequestId::of(req);
    let service = commit(state, move |conn| {
        async move {
            let s = services::update(conn, id, &changes)
                .await?
                .ok_or_else(|| ApiError::no_match("Service"))?;
            enqueue(conn, events::service_changed(&s, false, correlation)).await?;
            Ok(s)
        }
        .scope_boxed()
    })
    .await?;
    Ok(Reply::json(admin_service(&service, state)))
}

/// Change a service; publishes `catalog.service.updated`.
#[api_v2_operation(tags(Admin))]
pub async fn update_service(
    req: HttpRequest,
    state: web::Data<AppState>,
    _admin: AdminUser,
    id: web::Path<String>,
    body: Valid<Patch<ServiceFields>>,
) -> Result<Reply<200>> {
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
) -> Result<Reply<200>> {
    let id = uuid(&id)?;
    let changes = ServiceChanges {
        is_active: Some(false),
        updated_at: Some(Utc::now()),
        ..Default::default()
    };
    change_service(&req, &state, id, changes).await
}

// ---- themes -----------------------------------------------------------------------------------------

fn admin_theme(t: &Theme, state: &AppState) -> Value {
    let mut v = json!({
        "id": t.id, "name": t.name, "primary_color": t.primary_color, "accent_color": t.accent_color,
        "background_color": t.background_color, "logo_s3_key": t.logo_s3_key,
        "logo_url": state.storage.public_url(&t.logo_s3_key), "hero_image_s3_key": t.hero_image_s3_key,
        "hero_image_url": state.storage.public_url(&t.hero_image_s3_key), "fonts": t.fonts,
        "metadata": t.metadata, "active": t.active, "created_by": t.created_by,
    });
    stamp(&mut v, t.created_at, t.updated_at);
    v
}

#[api_v2_operation(tags(Admin))]
pub async fn list_themes(state: web::Data<AppState>, _admin: AdminUser) -> Result<Reply<200>> {
    let mut conn = state.db.get().await?;
    let list = themes::all(&mut conn).await?;
    Ok(Reply::json(
        list.iter()
            .map(|t| admin_theme(t, &state))
            .collect::<Vec<_>>(),
    ))
}

/// Create a theme; with `active: true` it becomes the one active theme.
#[api_v2_operation(tags(Admin))]
pub async fn create_theme(
    req: HttpRequest,
    state: web::Data<AppState>,
    admin: AdminUser,
    body: Valid<Create<ThemeFields>>,
) -> Result<Reply<201>> {
    let Valid(Create(f)) = body;
    let activate = f.active.unwrap_or(false);
    let new = NewTheme {
        id: Uuid::new_v4(),
        name: f.name.unwrap_or_default(),
        primary_color: f
            .primary_color
            .filter(|c| !c.is_empty())
            .unwrap_or_else(|| "#2563EB".into()),
        accent_color: f
            .accent_color
            .filter(|c| !c.is_empty())
            .unwrap_or_else(|| "#F59E0B".into()),
        background_color: f
            .background_color
            .filter(|c| !c.is_empty())
            .unwrap_or_else(|| "#F9FAFB".into()),
        logo_s3_key: f.logo_s3_key.unwrap_or_default(),
        hero_image_s3_key: f.hero_image_s3_key.unwrap_or_default(),
        fonts: f.fonts.unwrap_or_else(|| json!([])),
        metadata: f.metadata.unwrap_or_else(|| json!({})),
        active: false,
        created_by: Some(admin.id),
    };
    let correlation = RequestId::of(&req);
    let theme = commit(&state, move |conn| {
        async move {
            let mut theme = themes::insert(conn, &new).await?;
            if activate {
                themes::lock_activation(conn).await?;
                theme = themes::activate(conn, theme.id).await?.unwrap_or(theme);
            }
            record(
                conn,
                events::config_changed("theme", Some(theme.id), "created", None, correlation),
            )
            .await?;
            Ok(theme)
        }
        .scope_boxed()
    })
    .await?;
    Ok(Reply::json(admin_theme(&theme, &state)))
}

#[api_v2_operation(tags(Admin))]
pub async fn update_theme(
    req: HttpRequest,
    state: web::Data<AppState>,
    _admin: AdminUser,
    id: web::Path<String>,
    body: Valid<Patch<ThemeFields>>,
) -> Result<Reply<200>> {
    let id = uuid(&id)?;
    let Valid(Patch(f)) = body;
    let active = f.active;
    let changes = ThemeChanges {
        name: f.name,
        primary_color: f.primary_color.filter(|c| !c.is_empty()),
        accent_color: f.accent_color.filter(|c| !c.is_empty()),
        background_color: f.background_color.filter(|c| !c.is_empty()),
        logo_s3_key: f.logo_s3_key,
        hero_image_s3_key: f.hero_image_s3_key,
        fonts: f.fonts,
        metadata: f.metadata,
        updated_at: Some(Utc::now()),
    };
    let correlation = RequestId::of(&req);
    let theme = commit(&state, move |conn| {
        async move {
            let mut theme = themes::update(conn, id, &changes)
                .await?
                .ok_or_else(|| ApiError::no_match("Theme"))?;
            match active {
                Some(true) => {
                    themes::lock_activation(conn).await?;
                    theme = themes::activate(conn, id).await?.unwrap_or(theme);
                }
                Some(false) => theme = themes::deactivate(conn, id).await?.unwrap_or(theme),
                None => {}
            }
            record(
                conn,
                events::config_changed("theme", Some(id), "updated", None, correlation),
            )
            .await?;
            Ok(theme)
        }
        .scope_boxed()
    })
    .await?;
    Ok(Reply::json(admin_theme(&theme, &state)))
}

/// Make this the one active theme ("publish"), deactivating the others in the same transaction.
#[api_v2_operation(tags(Admin))]
pub async fn activate_theme(
    req: HttpRequest,
    state: web::Data<AppState>,
    _admin: AdminUser,
    id: web::Path<String>,
) -> Result<Reply<200>> {
    let id = uuid(&id)?;
    let correlation = RequestId::of(&req);
    let theme = commit(&state, move |conn| {
        async move {
            themes::lock_activation(conn).await?;
            let theme = themes::activate(conn, id)
                .await?
                .ok_or_else(|| ApiError::no_match("Theme"))?;
            record(
                conn,
                events::config_changed("theme", Some(id), "activated", None, correlation),
            )
            .await?;
            Ok(theme)
        }
        .scope_boxed()
    })
    .await?;
    Ok(Reply::json(admin_theme(&theme, &state)))
}

#[api_v2_operation(tags(Admin))]
pub async fn delete_theme(
    req: HttpRequest,
    state: web::Data<AppState>,
    _admin: AdminUser,
    id: web::Path<String>,
) -> Result<Reply<204>> {
    remove(&req, &state, &id, Removable::Theme).await
}

// ---- app banners -------------------------------------------------------------------------------------

fn admin_app_banner(b: &AppBanner, state: &AppState) -> Value {
    let mut v = json!({
        "id": b.id, "title": b.title, "subtitle": b.subtitle, "image_s3_key": b.image_s3_key,
        "image_url": state.storage.public_url(&b.image_s3_key), "action": b.action,
        "display_order": b.display_order, "active": b.active,
    });
    stamp(&mut v, b.created_at, b.updated_at);
    v
}

#[api_v2_operation(tags(Admin))]
pub async fn list_app_banners(state: web::Data<AppState>, _admin: AdminUser) -> Result<Reply<200>> {
    let mut conn = state.db.get().await?;
    let list = banners::all_app(&mut conn).await?;
    Ok(Reply::json(
        list.iter()
            .map(|b| admin_app_banner(b, &state))
            .collect::<Vec<_>>(),
    ))
}

#[api_v2_operation(tags(Admin))]
pub async fn create_app_banner(
    req: HttpRequest,
    state: web::Data<AppState>,
    _admin: AdminUser,
    body: Valid<Create<AppBannerFields>>,
) -> Result<Reply<201>> {
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
    let banner = commit(&state, move |conn| {
        async move {
            let b = banners::insert_app(conn, &new).await?;
            record(
                conn,
                events::config_changed("app_banner", Some(b.id), "created", None, correlation),
            )
            .await?;
            Ok(b)
        }
        .scope_boxed()
    })
    .await?;
    Ok(Reply::json(admin_app_banner(&banner, &state)))
}

#[api_v2_operation(tags(Admin))]
pub async fn update_app_banner(
    req: HttpRequest,
    state: web::Data<AppState>,
    _admin: AdminUser,
    id: web::Path<String>,
    body: Valid<Patch<AppBannerFields>>,
) -> Result<Reply<200>> {
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
    let banner = commit(&state, move |conn| {
        async move {
            let b = banners::update_app(conn, id, &changes)
                .await?
                .ok_or_else(|| ApiError::no_match("AppBanner"))?;
            record(
                conn,
                events::config_changed("app_banner", Some(id), "updated", None, correlation),
            )
            .await?;
            Ok(b)
        }
        .scope_boxed()
    })
    .await?;
    Ok(Reply::json(admin_app_banner(&banner, &state)))
}

#[api_v2_operation(tags(Admin))]
pub async fn delete_app_banner(
    req: HttpRequest,
    state: web::Data<AppState>,
    _admin: AdminUser,
    id: web::Path<String>,
) -> Result<Reply<204>> {
    remove(&req, &state, &id, Removable::AppBanner).await
}

// ---- promo banners -----------------------------------------------------------------------------------

fn admin_promo(b: &banners::PromoBanner) -> Value {
    let mut v = promo_json(b);
    v["active"] = json!(b.active);
    v["starts_at"] = json!(b.starts_at.map(hm_platform::time::render));
    v["ends_at"] = json!(b.ends_at.map(hm_platform::time::render));
    stamp(&mut v, b.created_at, b.updated_at);
    v
}

#[api_v2_operation(tags(Admin))]
pub async fn list_promo_banners(
    state: web::Data<AppState>,
    _admin: AdminUser,
) -> Result<Reply<200>> {
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
) -> Result<Reply<201>> {
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
    let banner = commit(&state, move |conn| {
        async move {
            let b = banners::insert_promo(conn, &new).await?;
            record(
                conn,
                events::config_changed("promo_banner", Some(b.id), "created", None, correlation),
            )
            .await?;
            Ok(b)
        }
        .scope_boxed()
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
) -> Result<Reply<200>> {
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
    let banner = commit(&state, move |conn| {
        async move {
            let b = banners::update_promo(conn, id, &changes)
                .await?
                .ok_or_else(|| ApiError::no_match("PromoBanner"))?;
            record(
                conn,
                events::config_changed("promo_banner", Some(id), "updated", None, correlation),
            )
            .await?;
            Ok(b)
        }
        .scope_boxed()
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
) -> Result<Reply<204>> {
    remove(&req, &state, &id, Removable::PromoBanner).await
}

// ---- feature flags -----------------------------------------------------------------------------------

fn admin_flag(f: &flags::Flag) -> Value {
    let mut v =
        json!({"id": f.id, "key": f.key, "enabled": f.enabled, "description": f.description});
    stamp(&mut v, f.created_at, f.updated_at);
    v
}

#[api_v2_operation(tags(Admin))]
pub async fn list_flags(state: web::Data<AppState>, _admin: AdminUser) -> Result<Reply<200>> {
    let mut conn = state.db.get().await?;
    let list = flags::all(&mut conn).await?;
    Ok(Reply::json(list.iter().map(admin_flag).collect::<Vec<_>>()))
}

#[api_v2_operation(tags(Admin))]
pub async fn create_flag(
    req: HttpRequest,
    state: web::Data<AppState>,
    _admin: AdminUser,
    body: Valid<Create<FlagFields>>,
) -> Result<Reply<201>> {
    let Valid(Create(f)) = body;
    let key = f.key.unwrap_or_default();
    let enabled = f.enabled.unwrap_or(false);
    let description = f.description.unwrap_or_default();
    let correlation = RequestId::of(&req);
    let flag = commit(&state, move |conn| {
        async move {
            let flag = flags::insert(conn, &key, enabled, &description).await?;
            record(
                conn,
                events::config_changed(
                    "feature_flag",
                    Some(flag.id),
                    "created",
                    Some(key),
                    correlation,
                ),
            )
            .await?;
            Ok(flag)
        }
        .scope_boxed()
    })
    .await?;
    Ok(Reply::json(admin_flag(&flag)))
}

#[api_v2_operation(tags(Admin))]
pub async fn update_flag(
    req: HttpRequest,
    state: web::Data<AppState>,
    _admin: AdminUser,
    key: web::Path<String>,
    body: Valid<Patch<FlagFields>>,
) -> Result<Reply<200>> {
    let Valid(Patch(f)) = body;
    let key = key.into_inner();
    let correlation = RequestId::of(&req);
    let flag = commit(&state, move |conn| {
        async move {
            let flag = flags::update(conn, &key, f.enabled, f.description.as_deref())
                .await?
                .ok_or_else(|| ApiError::no_match("FeatureFlag"))?;
            record(
                conn,
                events::config_changed(
                    "feature_flag",
                    Some(flag.id),
                    "updated",
                    Some(key),
                    correlation,
                ),
            )
            .await?;
            Ok(flag)
        }
        .scope_boxed()
    })
    .await?;
    Ok(Reply::json(admin_flag(&flag)))
}

#[api_v2_operation(tags(Admin))]
pub async fn delete_flag(
    req: HttpRequest,
    state: web::Data<AppState>,
    _admin: AdminUser,
    key: web::Path<String>,
) -> Result<Reply<204>> {
    let key = key.into_inner();
    let correlation = RequestId::of(&req);
    commit(&state, move |conn| {
        async move {
            if !flags::delete(conn, &key).await? {
                return Err(ApiError::no_match("FeatureFlag").into());
            }
            record(
                conn,
                events::config_changed("feature_flag", None, "deleted", Some(key), correlation),
            )
            .await?;
            Ok(())
        }
        .scope_boxed()
    })
    .await?;
    Ok(Reply::empty())
}

// ---- translations ------------------------------------------------------------------------------------

#[api_v2_operation(tags(Admin))]
pub async fn list_translations(
    state: web::Data<AppState>,
    _admin: AdminUser,
) -> Result<Reply<200>> {
    let mut conn = state.db.get().await?;
    let list = content::all_translations(&mut conn).await?;
    Ok(Reply::json(
        list.iter()
            .map(|t| {
                json!({"id": t.id, "key": t.key, "lang": t.lang, "value": t.value,
                "updated_at": hm_platform::time::render(t.updated_at)})
            })
            .collect::<Vec<_>>(),
    ))
}

/// Set a string in one language (created or replaced).
#[api_v2_operation(tags(Admin))]
pub async fn put_translation(
    req: HttpRequest,
    state: web::Data<AppState>,
    _admin: AdminUser,
    body: Valid<Create<TranslationFields>>,
) -> Result<Reply<200>> {
    let Valid(Create(f)) = body;
    let (key, lang, value) = (
        f.key.unwrap_or_default(),
        f.lang.unwrap_or_default(),
        f.value.unwrap_or_default(),
    );
    let correlation = RequestId::of(&req);
    let t = commit(&state, move |conn| {
        async move {
            let t = content::upsert_translation(conn, &key, &lang, &value).await?;
            record(
                conn,
                events::config_changed(
                    "translation",
                    Some(t.id),
                    "updated",
                    Some(format!("{key}:{lang}")),
                    correlation,
                ),
            )
            .await?;
            Ok(t)
        }
        .scope_boxed()
    })
    .await?;
    Ok(Reply::json(
        json!({"id": t.id, "key": t.key, "lang": t.lang, "value": t.value}),
    ))
}

#[api_v2_operation(tags(Admin))]
pub async fn delete_translation(
    req: HttpRequest,
    state: web::Data<AppState>,
    _admin: AdminUser,
    path: web::Path<(String, String)>,
) -> Result<Reply<204>> {
    let (lang, key) = path.into_inner();
    let correlation = RequestId::of(&req);
    commit(&state, move |conn| {
        async move {
            if !content::delete_translation(conn, &key, &lang).await? {
                return Err(ApiError::no_match("Translation").into());
            }
            record(
                conn,
                events::config_changed(
                    "translation",
                    None,
                    "deleted",
                    Some(format!("{key}:{lang}")),
                    correlation,
                ),
            )
            .await?;
            Ok(())
        }
        .scope_boxed()
    })
    .await?;
    Ok(Reply::empty())
}

// ---- help pages and FAQs -----------------------------------------------------------------------------

fn admin_help(p: &content::HelpPage) -> Value {
    let mut v = help_json(p);
    v["is_active"] = json!(p.is_active);
    stamp(&mut v, p.created_at, p.updated_at);
    v
}

#[api_v2_operation(tags(Admin))]
pub async fn list_help_pages(state: web::Data<AppState>, _admin: AdminUser) -> Result<Reply<200>> {
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
) -> Result<Reply<201>> {
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
    let page = commit(&state, move |conn| {
        async move {
            let p = content::insert_page(conn, &new).await?;
            record(
                conn,
                events::config_changed("help_page", Some(p.id), "created", None, correlation),
            )
            .await?;
            Ok(p)
        }
        .scope_boxed()
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
) -> Result<Reply<200>> {
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
    let page = commit(&state, move |conn| {
        async move {
            let p = content::update_page(conn, id, &changes)
                .await?
                .ok_or_else(|| ApiError::no_match("HelpPage"))?;
            record(
                conn,
                events::config_changed("help_page", Some(id), "updated", None, correlation),
            )
            .await?;
            Ok(p)
        }
        .scope_boxed()
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
) -> Result<Reply<204>> {
    remove(&req, &state, &id, Removable::HelpPage).await
}

fn admin_faq(f: &content::Faq) -> Value {
    let mut v = faq_json(f);
    v["is_active"] = json!(f.is_active);
    stamp(&mut v, f.created_at, f.updated_at);
    v
}

#[api_v2_operation(tags(Admin))]
pub async fn list_faqs(state: web::Data<AppState>, _admin: AdminUser) -> Result<Reply<200>> {
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
) -> Result<Reply<201>> {
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
    let faq = commit(&state, move |conn| {
        async move {
            let f = content::insert_faq(conn, &new).await?;
            record(
                conn,
                events::config_changed("faq", Some(f.id), "created", None, correlation),
            )
            .await?;
            Ok(f)
        }
        .scope_boxed()
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
) -> Result<Reply<200>> {
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
    let faq = commit(&state, move |conn| {
        async move {
            let f = content::update_faq(conn, id, &changes)
                .await?
                .ok_or_else(|| ApiError::no_match("FAQ"))?;
            record(
                conn,
                events::config_changed("faq", Some(id), "updated", None, correlation),
            )
            .await?;
            Ok(f)
        }
        .scope_boxed()
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
) -> Result<Reply<204>> {
    remove(&req, &state, &id, Removable::Faq).await
}

/// Counts for the admin console's dashboard.
#[api_v2_operation(tags(Admin))]
pub async fn stats(state: web::Data<AppState>, _admin: AdminUser) -> Result<Reply<200>> {
    let mut conn = state.db.get().await?;
    let all = services::all(&mut conn).await?;
    let active_theme = themes::active(&mut conn).await?;
    let app_banners = banners::active_app(&mut conn).await?;
    let promos = banners::visible_promo(&mut conn, None, Utc::now()).await?;
    let flag_list = flags::all(&mut conn).await?;
    Ok(Reply::json(json!({
        "services": {"total": all.len(), "active": all.iter().filter(|s| s.is_active).count()},
        "active_theme": active_theme.map(|t| t.name),
        "app_banners_active": app_banners.len(),
        "promo_banners_visible": promos.len(),
        "feature_flags": {"total": flag_list.len(), "enabled": flag_list.iter().filter(|f| f.enabled).count()},
    })))
}
