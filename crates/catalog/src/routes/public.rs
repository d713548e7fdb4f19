//! Public reads of API §4: the app-config family of documents (cached, with ETags), services, flags,
//! CMS banners, help pages, FAQs and the TTS stub.

use crate::cache::Document;
use crate::error::Result;
use crate::storage::Storage;
use crate::store::banners::{AppBanner, PromoBanner};
use crate::store::content::{Faq, HelpPage};
use crate::store::services::Service;
use crate::store::themes::Theme;
use crate::store::{banners, content, flags, services, themes};
use crate::AppState;
use actix_web::http::StatusCode;
use actix_web::HttpRequest;
use hm_platform::input::Query;
use hm_platform::reply::Reply;
use hm_platform::ApiError;
use paperclip::actix::{api_v2_operation, web};
use serde::Deserialize;
use serde_json::{json, Map, Value};
use uuid::Uuid;

/// `GET /api/v1/theme/`: the fixed legacy document (API §4.2).
#[api_v2_operation(tags(Config))]
pub async fn legacy_theme() -> Result<Reply<200>> {
    Ok(Reply::json(json!({
        "colors": {
            "primary": "#FF6B35", "secondary": "#004E89", "accent": "#F77F00",
            "success": "#06D6A0", "warning": "#FFD23F", "error": "#EF476F",
            "background": "#FFFFFF", "surface": "#F8F9FA",
            "text_primary": "#212529", "text_secondary": "#6C757D"
        },
        "logo_url": "https://minio.local/static/logo.png",
        "fonts": ["Roboto", "Open Sans", "Lato"],
        "feature_flags": {
            "enable_attendance": true, "enable_payments": false, "enable_job_matching": true,
            "enable_notifications": true, "enable_chat": false
        },
        "app_version": "1.0.0",
        "min_supported_version": "1.0.0"
    })))
}

/// The built-in theme when none is active (DOMAIN §2.9).
fn default_theme() -> Theme {
    Theme {
        id: Uuid::nil(),
        name: "Default".into(),
        primary_color: "#2563EB".into(),
        accent_color: "#F59E0B".into(),
        background_color: "#F9FAFB".into(),
        logo_s3_key: "static/logo.png".into(),
        hero_image_s3_key: String::new(),
        fonts: json!([{"family": "Inter", "s3_key": "static/fonts/default.woff"}]),
        metadata: json!({}),
        active: true,
        created_by: None,
        created_at: chrono::Utc::now(),
        updated_at: chrono::Utc::now(),
    }
}

fn fonts(theme: &Theme, storage: &Storage) -> Vec<Value> {
    theme
        .fonts
        .as_array()
        .map(|list| {
            list.iter()
                .map(|f| {
                    let key = f.get("s3_key").and_then(Value::as_str).unwrap_or("");
                    json!({"family": f.get("family").cloned().unwrap_or(Value::Null), "url": storage.public_url(key)})
                })
                .collect()
        })
        .unwrap_or_default()
}

pub fn service_json(s: &Service, storage: &Storage) -> Value {
    json!({
        "id": s.id,
        "slug": s.slug,
        "name": s.name,
        "title_en": s.title_en,
        "title_hi": s.title_hi,
        "category": s.category,
        "description": s.description,
        "icon_url": storage.public_url(&s.icon_s3_key),
        "display_order": s.display_order,
    })
}

fn app_banner_json(b: &AppBanner, storage: &Storage) -> Value {
    json!({
        "id": b.id,
        "title": b.title,
        "subtitle": b.subtitle,
        "image_url": storage.public_url(&b.image_s3_key),
        "action": b.action,
    })
}

async fn build_app_config(state: &AppState) -> Result<Value> {
    let mut conn = state.db.get().await?;
    let theme = themes::active(&mut conn)
        .await?
        .unwrap_or_else(default_theme);
    let categories = services::active(&mut conn).await?;
    let banners = banners::active_app(&mut conn).await?;
    let storage = &state.storage;
    Ok(json!({
        "app": {
            "name": "HunarMitra",
            "version": "1.0.0",
            "supported_locales": ["en", "hi", "mr"],
            "support_phone": "+91-1800-XXX-XXXX"
        },
        "theme": {
            "name": theme.name,
            "primary_color": theme.primary_color,
            "accent_color": theme.accent_color,
            "background_color": theme.background_color,
            "logo_url": storage.public_url(&theme.logo_s3_key),
            "fonts": fonts(&theme, storage),
        },
        "categories": categories.iter().map(|s| json!({
            "id": s.id, "slug": s.slug, "name": s.name, "icon_url": storage.public_url(&s.icon_s3_key)
        })).collect::<Vec<_>>(),
        "banners": banners.iter().map(|b| app_banner_json(b, storage)).collect::<Vec<_>>(),
        "features": {
            "attendance_kiosk": true, "ekyc": false, "auto_assign_emergency": true,
            "enable_notifications": true, "enable_dark_mode": true
        },
        "meta": {"config_version": "1.0", "cache_ttl_seconds": Document::AppConfig.ttl_secs()}
    }))
}

/// `GET /api/v1/app-config/`: everything the app needs to boot, cached, with an ETag (API §4.3).
#[api_v2_operation(tags(Config))]
pub async fn app_config(req: HttpRequest, state: web::Data<AppState>) -> Result<Reply<200, 304>> {
    let doc = state
        .cache
        .get_or_build(Document::AppConfig, || build_app_config(&state))
        .await?;
    Ok(doc.respond(&req, Document::AppConfig.ttl_secs()))
}

/// Marks "no active theme" through the cache: the 404 is cached like a document.
const NO_THEME: &str = "none";

async fn build_theme_config(state: &AppState) -> Result<Value> {
    let mut conn = state.db.get().await?;
    let Some(theme) = themes::active(&mut conn).await? else {
        return Ok(json!({ NO_THEME: true }));
    };
    let storage = &state.storage;
    let fonts = fonts(&theme, storage);
    let font_family = fonts
        .first()
        .and_then(|f| f.get("family").cloned())
        .unwrap_or(Value::Null);
    Ok(json!({
        "name": theme.name,
        "primary_color": theme.primary_color,
        "secondary_color": theme.accent_color,
        "background_color": theme.background_color,
        "logo_url": storage.public_url(&theme.logo_s3_key),
        "hero_image_url": storage.public_url(&theme.hero_image_s3_key),
        "fonts": fonts,
        "font_family": font_family,
    }))
}

/// `GET /api/v1/config/theme/` and `/api/v1/core/theme/active/`: the active theme (API §4.4).
#[api_v2_operation(tags(Config))]
pub async fn theme_config(req: HttpRequest, state: web::Data<AppState>) -> Result<Reply<200, 304>> {
    let doc = state
        .cache
        .get_or_build(Document::ThemeConfig, || build_theme_config(&state))
        .await?;
    if doc.body.starts_with(b"{\"none\"") {
        return Err(ApiError::error(StatusCode::NOT_FOUND, "No active theme configured").into());
    }
    Ok(doc.respond(&req, Document::ThemeConfig.ttl_secs()))
}

#[derive(Debug, Deserialize, paperclip::actix::Apiv2Schema)]
pub struct LangQuery {
    /// `en` (default) or `hi`
    pub lang: Option<String>,
}

fn supported_lang(lang: Option<&str>) -> std::result::Result<&'static str, ApiError> {
    match lang.map(|l| l.trim().to_ascii_lowercase()).as_deref() {
        None | Some("") | Some("en") => Ok("en"),
        Some("hi") => Ok("hi"),
        Some(_) => Err(ApiError::error(
            StatusCode::BAD_REQUEST,
            crate::domain::INVALID_LANG,
        )),
    }
}

async fn build_translations(state: &AppState, lang: &str) -> Result<Value> {
    let mut conn = state.db.get().await?;
    let mut map = Map::new();
    if lang != "en" {
        // Hindi falls back to English key by key (API §4.5).
        for (key, value) in content::translations(&mut conn, "en").await? {
            map.insert(key, Value::String(value));
        }
    }
    for (key, value) in content::translations(&mut conn, lang).await? {
        map.insert(key, Value::String(value));
    }
    Ok(Value::Object(map))
}

/// `GET /api/v1/config/i18n/?lang=` and `/api/v1/core/translations/` (API §4.5).
#[api_v2_operation(tags(Config))]
pub async fn translations(
    req: HttpRequest,
    state: web::Data<AppState>,
    query: Query<LangQuery>,
) -> Result<Reply<200, 304>> {
    let lang = supported_lang(query.lang.as_deref())?;
    let document = Document::Translations(lang);
    let doc = state
        .cache
        .get_or_build(document, || build_translations(&state, lang))
        .await?;
    Ok(doc.respond(&req, document.ttl_secs()))
}

/// `GET /api/v1/services/`: active services in display order, a bare list (API §4.6).
#[api_v2_operation(tags(Services))]
pub async fn list_services(state: web::Data<AppState>) -> Result<Reply<200>> {
    let mut conn = state.db.get().await?;
    let list = services::active(&mut conn).await?;
    Ok(Reply::json(
        list.iter()
            .map(|s| service_json(s, &state.storage))
            .collect::<Vec<_>>(),
    ))
}

/// `GET /api/v1/services/{slug}/`: one active service.
#[api_v2_operation(tags(Services))]
pub async fn get_service(
    state: web::Data<AppState>,
    slug: web::Path<String>,
) -> Result<Reply<200>> {
    let mut conn = state.db.get().await?;
    let service = services::active_by_slug(&mut conn, &slug)
        .await?
        .ok_or_else(|| ApiError::no_match("Service"))?;
    Ok(Reply::json(service_json(&service, &state.storage)))
}

async fn build_flags(state: &AppState) -> Result<Value> {
    let mut conn = state.db.get().await?;
    let map: Map<String, Value> = flags::all(&mut conn)
        .await?
        .into_iter()
        .map(|f| (f.key, Value::Bool(f.enabled)))
        .collect();
    Ok(Value::Object(map))
}

/// `GET /api/v1/flags/`: every feature flag's key → enabled, cached (API §4.7).
#[api_v2_operation(tags(Config))]
pub async fn feature_flags(
    req: HttpRequest,
    state: web::Data<AppState>,
) -> Result<Reply<200, 304>> {
    let doc = state
        .cache
        .get_or_build(Document::FeatureFlags, || build_flags(&state))
        .await?;
    Ok(doc.respond(&req, Document::FeatureFlags.ttl_secs()))
}

#[derive(Debug, Deserialize, paperclip::actix::Apiv2Schema)]
pub struct SlotQuery {
    /// Only this slot, e.g. `home_top`.
    pub slot: Option<String>,
}

pub fn promo_json(b: &PromoBanner) -> Value {
    json!({
        "id": b.id, "title": b.title, "image_url": b.image_url, "link": b.link,
        "slot": b.slot, "priority": b.priority,
    })
}

/// `GET /api/v1/cms/banners/?slot=`: promo banners visible now (API §4.8).
#[api_v2_operation(tags(Content))]
pub async fn cms_banners(
    state: web::Data<AppState>,
    query: Query<SlotQuery>,
) -> Result<Reply<200>> {
    let mut conn = state.db.get().await?;
    let slot = query
        .slot
        .as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty());
    let list = banners::visible_promo(&mut conn, slot, chrono::Utc::now()).await?;
    Ok(Reply::json(list.iter().map(promo_json).collect::<Vec<_>>()))
}

/// `lang` filters only when it is one of the content languages (API §4.9).
fn content_lang(lang: Option<&str>) -> Option<&str> {
    lang.filter(|l| crate::domain::LANGS.contains(l))
}

pub fn help_json(p: &HelpPage) -> Value {
    json!({"id": p.id, "slug": p.slug, "title": p.title, "content_html": p.content_html, "lang": p.lang, "order": p.sort_order})
}

pub fn faq_json(f: &Faq) -> Value {
    json!({"id": f.id, "question": f.question, "answer": f.answer, "lang": f.lang, "order": f.sort_order})
}

/// `GET /api/v1/help/?lang=`: active help pages.
#[api_v2_operation(tags(Content))]
pub async fn help_pages(state: web::Data<AppState>, query: Query<LangQuery>) -> Result<Reply<200>> {
    let mut conn = state.db.get().await?;
    let list = content::active_pages(&mut conn, content_lang(query.lang.as_deref())).await?;
    Ok(Reply::json(list.iter().map(help_json).collect::<Vec<_>>()))
}

/// `GET /api/v1/help/{slug}/`
#[api_v2_operation(tags(Content))]
pub async fn help_page(state: web::Data<AppState>, slug: web::Path<String>) -> Result<Reply<200>> {
    let mut conn = state.db.get().await?;
    let page = content::active_page(&mut conn, &slug)
        .await?
        .ok_or_else(|| ApiError::no_match("HelpPage"))?;
    Ok(Reply::json(help_json(&page)))
}

/// `GET /api/v1/faqs/?lang=`: active FAQs.
#[api_v2_operation(tags(Content))]
pub async fn faqs(state: web::Data<AppState>, query: Query<LangQuery>) -> Result<Reply<200>> {
    let mut conn = state.db.get().await?;
    let list = content::active_faqs(&mut conn, content_lang(query.lang.as_deref())).await?;
    Ok(Reply::json(list.iter().map(faq_json).collect::<Vec<_>>()))
}

/// `GET /api/v1/faqs/{id}/`
#[api_v2_operation(tags(Content))]
pub async fn faq(state: web::Data<AppState>, id: web::Path<String>) -> Result<Reply<200>> {
    let id = Uuid::parse_str(&id).map_err(|_| ApiError::not_found())?;
    let mut conn = state.db.get().await?;
    let faq = content::active_faq(&mut conn, id)
        .await?
        .ok_or_else(|| ApiError::no_match("FAQ"))?;
    Ok(Reply::json(faq_json(&faq)))
}

/// `GET /api/v1/tts/?lang=&text=`: the stub (API §4.10).
#[api_v2_operation(tags(Content))]
pub async fn tts(state: web::Data<AppState>, query: Query<LangQuery>) -> Result<Reply<200>> {
    let lang = supported_lang(query.lang.as_deref())?;
    Ok(Reply::json(json!({
        "url": state.storage.public_url(&format!("audio/tts_stub_{lang}.mp3")),
        "lang": lang,
        "note": "This is a stub TTS response. Upload real audio files to MinIO for production.",
    })))
}
