//! Admin writes under `/api/v1/admin/catalog/...` (role `admin`). Every write runs in one transaction
//! with its event in the outbox, then bumps the cache generation so the next public read shows it.

use super::fields::{
    AppBannerFields, Create, FaqFields, FlagFields, HelpPageFields, Patch, PromoBannerFields,
    ServiceFields, ThemeFields, TranslationFields,
};
use super::public::ServiceView;
use crate::domain::{self, slugify};
use crate::error::{CatalogError, Result};
use crate::events;
use crate::storage::Storage;
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
use hm_platform::reply::NoBody;
use hm_platform::reply::Reply;
use hm_platform::telemetry::RequestId;
use hm_platform::ApiError;
use paperclip::actix::{api_v2_operation, web, Apiv2Schema};
use paperclip::v2::models::{DataType, DefaultSchemaRaw};
use paperclip::v2::schema::Apiv2Schema as Schema;
use serde::Serialize;
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
) -> Result<Reply<NoBody, 204>> {
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

/// A timestamp on the wire (API §1.3): ISO 8601 in the configured zone.
fn render(at: chrono::DateTime<Utc>) -> String {
    hm_platform::time::render(at)
}

// ---- services ---------------------------------------------------------------------------------------

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
    Ok(Reply::json(admin_service(&service, &state.storage)))
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
        .ok_or_else(|| ApiError::no_match("Service"))?;
    Ok(Reply::json(admin_service(&s, &state.storage)))
}

async fn change_service(
    req: &HttpRequest,
    state: &AppState,
    id: Uuid,
    changes: ServiceChanges,
) -> Result<Reply<AdminService>> {
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

// ---- themes -----------------------------------------------------------------------------------------

/// A theme as the back office sees it.
#[derive(Debug, Serialize, Apiv2Schema)]
pub struct AdminTheme {
    pub id: Uuid,
    pub name: String,
    /// `#RRGGBB`
    pub primary_color: String,
    pub accent_color: String,
    pub background_color: String,
    pub logo_s3_key: String,
    pub logo_url: Option<String>,
    pub hero_image_s3_key: String,
    pub hero_image_url: Option<String>,
    /// As stored: `[{"family": "Inter", "s3_key": "static/fonts/inter.woff"}]`.
    pub fonts: StoredFonts,
    /// Free-form object.
    pub metadata: Value,
    /// The one active theme.
    pub active: bool,
    /// The admin who made it.
    pub created_by: Option<Uuid>,
    /// ISO 8601 with offset.
    pub created_at: String,
    pub updated_at: String,
}

/// A theme's fonts as stored (a JSON array): `[{"family": "Inter", "s3_key": "static/fonts/inter.woff"}]`.
#[derive(Debug, Serialize)]
#[serde(transparent)]
pub struct StoredFonts(Value);

impl Schema for StoredFonts {
    fn raw_schema() -> DefaultSchemaRaw {
        let text = || {
            Box::new(DefaultSchemaRaw {
                data_type: Some(DataType::String),
                ..Default::default()
            })
        };
        let mut font = DefaultSchemaRaw {
            data_type: Some(DataType::Object),
            ..Default::default()
        };
        font.properties.insert("family".into(), text());
        font.properties.insert("s3_key".into(), text());
        // Every write checks both are there (`ThemeFields`).
        font.required = ["family".to_owned(), "s3_key".to_owned()].into();
        DefaultSchemaRaw {
            data_type: Some(DataType::Array),
            items: Some(Box::new(font)),
            ..Default::default()
        }
    }
}

fn admin_theme(t: &Theme, storage: &Storage) -> AdminTheme {
    AdminTheme {
        id: t.id,
        name: t.name.clone(),
        primary_color: t.primary_color.clone(),
        accent_color: t.accent_color.clone(),
        background_color: t.background_color.clone(),
        logo_s3_key: t.logo_s3_key.clone(),
        logo_url: storage.public_url(&t.logo_s3_key),
        hero_image_s3_key: t.hero_image_s3_key.clone(),
        hero_image_url: storage.public_url(&t.hero_image_s3_key),
        fonts: StoredFonts(t.fonts.clone()),
        metadata: t.metadata.clone(),
        active: t.active,
        created_by: t.created_by,
        created_at: render(t.created_at),
        updated_at: render(t.updated_at),
    }
}

#[api_v2_operation(tags(Admin))]
pub async fn list_themes(
    state: web::Data<AppState>,
    _admin: AdminUser,
) -> Result<Reply<Vec<AdminTheme>>> {
    let mut conn = state.db.get().await?;
    let list = themes::all(&mut conn).await?;
    Ok(Reply::json(
        list.iter()
            .map(|t| admin_theme(t, &state.storage))
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
) -> Result<Reply<AdminTheme, 201>> {
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
    Ok(Reply::json(admin_theme(&theme, &state.storage)))
}

#[api_v2_operation(tags(Admin))]
pub async fn update_theme(
    req: HttpRequest,
    state: web::Data<AppState>,
    _admin: AdminUser,
    id: web::Path<String>,
    body: Valid<Patch<ThemeFields>>,
) -> Result<Reply<AdminTheme>> {
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
    Ok(Reply::json(admin_theme(&theme, &state.storage)))
}

/// Make this the one active theme ("publish"), deactivating the others in the same transaction.
#[api_v2_operation(tags(Admin))]
pub async fn activate_theme(
    req: HttpRequest,
    state: web::Data<AppState>,
    _admin: AdminUser,
    id: web::Path<String>,
) -> Result<Reply<AdminTheme>> {
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
    Ok(Reply::json(admin_theme(&theme, &state.storage)))
}

#[api_v2_operation(tags(Admin))]
pub async fn delete_theme(
    req: HttpRequest,
    state: web::Data<AppState>,
    _admin: AdminUser,
    id: web::Path<String>,
) -> Result<Reply<NoBody, 204>> {
    remove(&req, &state, &id, Removable::Theme).await
}

// ---- app banners -------------------------------------------------------------------------------------

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
) -> Result<Reply<NoBody, 204>> {
    remove(&req, &state, &id, Removable::PromoBanner).await
}

// ---- feature flags -----------------------------------------------------------------------------------

/// A feature flag as the back office sees it.
#[derive(Debug, Serialize, Apiv2Schema)]
pub struct AdminFlag {
    pub id: Uuid,
    /// Upper case with underscores, e.g. `FEATURE_CSR`.
    pub key: String,
    pub enabled: bool,
    pub description: String,
    /// ISO 8601 with offset.
    pub created_at: String,
    pub updated_at: String,
}

fn admin_flag(f: &flags::Flag) -> AdminFlag {
    AdminFlag {
        id: f.id,
        key: f.key.clone(),
        enabled: f.enabled,
        description: f.description.clone(),
        created_at: render(f.created_at),
        updated_at: render(f.updated_at),
    }
}

#[api_v2_operation(tags(Admin))]
pub async fn list_flags(
    state: web::Data<AppState>,
    _admin: AdminUser,
) -> Result<Reply<Vec<AdminFlag>>> {
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
) -> Result<Reply<AdminFlag, 201>> {
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
) -> Result<Reply<AdminFlag>> {
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
) -> Result<Reply<NoBody, 204>> {
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

/// A translated string as the back office lists it.
#[derive(Debug, Serialize, Apiv2Schema)]
pub struct AdminTranslation {
    pub id: Uuid,
    /// e.g. `apply_now`
    pub key: String,
    /// `en` or `hi`
    pub lang: String,
    pub value: String,
    /// ISO 8601 with offset.
    pub updated_at: String,
}

/// A translated string as it was set.
#[derive(Debug, Serialize, Apiv2Schema)]
pub struct SavedTranslation {
    pub id: Uuid,
    pub key: String,
    /// `en` or `hi`
    pub lang: String,
    pub value: String,
}

#[api_v2_operation(tags(Admin))]
pub async fn list_translations(
    state: web::Data<AppState>,
    _admin: AdminUser,
) -> Result<Reply<Vec<AdminTranslation>>> {
    let mut conn = state.db.get().await?;
    let list = content::all_translations(&mut conn).await?;
    Ok(Reply::json(
        list.into_iter()
            .map(|t| AdminTranslation {
                id: t.id,
                key: t.key,
                lang: t.lang,
                value: t.value,
                updated_at: render(t.updated_at),
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
) -> Result<Reply<SavedTranslation>> {
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
    Ok(Reply::json(SavedTranslation {
        id: t.id,
        key: t.key,
        lang: t.lang,
        value: t.value,
    }))
}

#[api_v2_operation(tags(Admin))]
pub async fn delete_translation(
    req: HttpRequest,
    state: web::Data<AppState>,
    _admin: AdminUser,
    path: web::Path<(String, String)>,
) -> Result<Reply<NoBody, 204>> {
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
) -> Result<Reply<NoBody, 204>> {
    remove(&req, &state, &id, Removable::Faq).await
}

/// Services in all and active.
#[derive(Debug, Serialize, Apiv2Schema)]
pub struct ServiceCounts {
    pub total: usize,
    pub active: usize,
}

/// Feature flags in all and enabled.
#[derive(Debug, Serialize, Apiv2Schema)]
pub struct FlagCounts {
    pub total: usize,
    pub enabled: usize,
}

/// The dashboard's numbers of the catalog.
#[derive(Debug, Serialize, Apiv2Schema)]
pub struct CatalogStats {
    pub services: ServiceCounts,
    /// The active theme's name; `null` when none is active.
    pub active_theme: Option<String>,
    pub app_banners_active: usize,
    /// Promo banners visible now.
    pub promo_banners_visible: usize,
    pub feature_flags: FlagCounts,
}

/// Counts for the admin console's dashboard.
#[api_v2_operation(tags(Admin))]
pub async fn stats(state: web::Data<AppState>, _admin: AdminUser) -> Result<Reply<CatalogStats>> {
    let mut conn = state.db.get().await?;
    let all = services::all(&mut conn).await?;
    let active_theme = themes::active(&mut conn).await?;
    let app_banners = banners::active_app(&mut conn).await?;
    let promos = banners::visible_promo(&mut conn, None, Utc::now()).await?;
    let flag_list = flags::all(&mut conn).await?;
    Ok(Reply::json(CatalogStats {
        services: ServiceCounts {
            total: all.len(),
            active: all.iter().filter(|s| s.is_active).count(),
        },
        active_theme: active_theme.map(|t| t.name),
        app_banners_active: app_banners.len(),
        promo_banners_visible: promos.len(),
        feature_flags: FlagCounts {
            total: flag_list.len(),
            enabled: flag_list.iter().filter(|f| f.enabled).count(),
        },
    }))
}
