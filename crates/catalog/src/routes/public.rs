//! Public reads of API §4: the documents the app boots from (app-config, theme, translations,
//! services, flags, CMS banners, help pages, FAQs), served from memory with ETags (`crate::cache`), and
//! the TTS stub.

use crate::cache::{Doc, Document, Index};
use crate::domain::{self, SlotFilter};
use crate::error::{CatalogError, Result};
use crate::storage::Storage;
use crate::store::banners::{AppBanner, PromoBanner};
use crate::store::content::{Faq, HelpPage};
use crate::store::services::Service;
use crate::store::themes::Theme;
use crate::store::{banners, content, flags, services, themes};
use crate::AppState;
use actix_web::HttpRequest;
use hm_platform::input::Query;
use hm_platform::reply::Reply;
use paperclip::actix::{api_v2_operation, web, Apiv2Schema};
use paperclip::v2::models::{DataType, DefaultSchemaRaw, Either};
use paperclip::v2::schema::Apiv2Schema as Schema;
use serde::{Deserialize, Serialize};
use serde_json::{json, Map, Value};
use uuid::Uuid;

/// The legacy theme's colours, each `#RRGGBB`.
#[derive(Debug, Serialize, Apiv2Schema)]
pub struct LegacyColors {
    pub primary: String,
    pub secondary: String,
    pub accent: String,
    pub success: String,
    pub warning: String,
    pub error: String,
    pub background: String,
    pub surface: String,
    pub text_primary: String,
    pub text_secondary: String,
}

/// The legacy theme's fixed feature switches.
#[derive(Debug, Serialize, Apiv2Schema)]
pub struct LegacyFeatureFlags {
    pub enable_attendance: bool,
    pub enable_payments: bool,
    pub enable_job_matching: bool,
    pub enable_notifications: bool,
    pub enable_chat: bool,
}

/// `GET /api/v1/theme/`: the fixed legacy document (API §4.2).
#[derive(Debug, Serialize, Apiv2Schema)]
pub struct LegacyTheme {
    pub colors: LegacyColors,
    pub logo_url: String,
    /// Font family names.
    pub fonts: Vec<String>,
    pub feature_flags: LegacyFeatureFlags,
    /// `major.minor.patch`
    pub app_version: String,
    pub min_supported_version: String,
}

/// `GET /api/v1/theme/`: the fixed legacy document (API §4.2).
#[api_v2_operation(tags(Config))]
pub async fn legacy_theme() -> Result<Reply<LegacyTheme>> {
    Ok(Reply::json(LegacyTheme {
        colors: LegacyColors {
            primary: "#FF6B35".into(),
            secondary: "#004E89".into(),
            accent: "#F77F00".into(),
            success: "#06D6A0".into(),
            warning: "#FFD23F".into(),
            error: "#EF476F".into(),
            background: "#FFFFFF".into(),
            surface: "#F8F9FA".into(),
            text_primary: "#212529".into(),
            text_secondary: "#6C757D".into(),
        },
        logo_url: "https://minio.local/static/logo.png".into(),
        fonts: vec!["Roboto".into(), "Open Sans".into(), "Lato".into()],
        feature_flags: LegacyFeatureFlags {
            enable_attendance: true,
            enable_payments: false,
            enable_job_matching: true,
            enable_notifications: true,
            enable_chat: false,
        },
        app_version: "1.0.0".into(),
        min_supported_version: "1.0.0".into(),
    }))
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

/// One font of a theme: its family and the public URL of its file (`null` when the storage has no
/// public URL for it).
#[derive(Debug, Serialize, Apiv2Schema)]
pub struct ThemeFont {
    /// e.g. `Inter`; `null` when the stored font names none.
    pub family: Option<String>,
    pub url: Option<String>,
}

fn fonts(theme: &Theme, storage: &Storage) -> Vec<ThemeFont> {
    theme
        .fonts
        .as_array()
        .map(|list| {
            list.iter()
                .map(|f| {
                    let key = f.get("s3_key").and_then(Value::as_str).unwrap_or("");
                    ThemeFont {
                        family: f.get("family").and_then(Value::as_str).map(str::to_owned),
                        url: storage.public_url(key),
                    }
                })
                .collect()
        })
        .unwrap_or_default()
}

/// A service (a skill) as the app lists it (API §4.6).
#[derive(Debug, Serialize, Apiv2Schema)]
pub struct ServiceView {
    pub id: Uuid,
    pub slug: String,
    pub name: String,
    pub title_en: String,
    pub title_hi: String,
    pub category: String,
    pub description: String,
    /// Public URL of the icon; `null` when storage has none for its key.
    pub icon_url: Option<String>,
    /// Ascending display position.
    pub display_order: i32,
}

impl ServiceView {
    pub fn new(s: &Service, storage: &Storage) -> Self {
        ServiceView {
            id: s.id,
            slug: s.slug.clone(),
            name: s.name.clone(),
            title_en: s.title_en.clone(),
            title_hi: s.title_hi.clone(),
            category: s.category.clone(),
            description: s.description.clone(),
            icon_url: storage.public_url(&s.icon_s3_key),
            display_order: s.display_order,
        }
    }
}

/// An active app banner as the app config shows it.
#[derive(Debug, Serialize, Apiv2Schema)]
pub struct AppBannerView {
    pub id: Uuid,
    pub title: String,
    pub subtitle: String,
    pub image_url: Option<String>,
    /// `{"type": "route"|"url", "value": "…"}` or `{}`.
    pub action: Value,
}

impl AppBannerView {
    fn new(b: &AppBanner, storage: &Storage) -> Self {
        AppBannerView {
            id: b.id,
            title: b.title.clone(),
            subtitle: b.subtitle.clone(),
            image_url: storage.public_url(&b.image_s3_key),
            action: b.action.clone(),
        }
    }
}

/// The app itself, in the app config.
#[derive(Debug, Serialize, Apiv2Schema)]
pub struct AppInfo {
    pub name: String,
    pub version: String,
    /// Language codes, e.g. `en`.
    pub supported_locales: Vec<String>,
    pub support_phone: String,
}

/// The active theme (or the built-in one) in the app config.
#[derive(Debug, Serialize, Apiv2Schema)]
pub struct AppConfigTheme {
    pub name: String,
    /// `#RRGGBB`
    pub primary_color: String,
    pub accent_color: String,
    pub background_color: String,
    pub logo_url: Option<String>,
    pub fonts: Vec<ThemeFont>,
}

/// An active service as a category of the app config.
#[derive(Debug, Serialize, Apiv2Schema)]
pub struct AppCategory {
    pub id: Uuid,
    pub slug: String,
    pub name: String,
    pub icon_url: Option<String>,
}

/// The app's fixed feature switches.
#[derive(Debug, Serialize, Apiv2Schema)]
pub struct AppFeatures {
    pub attendance_kiosk: bool,
    pub ekyc: bool,
    pub auto_assign_emergency: bool,
    pub enable_notifications: bool,
    pub enable_dark_mode: bool,
}

/// About the app config document.
#[derive(Debug, Serialize, Apiv2Schema)]
pub struct AppConfigMeta {
    pub config_version: String,
    /// Seconds the document is cached.
    pub cache_ttl_seconds: u64,
}

/// `GET /api/v1/app-config/`: everything the app needs to boot (API §4.3).
#[derive(Debug, Serialize, Apiv2Schema)]
pub struct AppConfig {
    pub app: AppInfo,
    pub theme: AppConfigTheme,
    /// Active services in display order.
    pub categories: Vec<AppCategory>,
    /// Active app banners in display order.
    pub banners: Vec<AppBannerView>,
    pub features: AppFeatures,
    pub meta: AppConfigMeta,
}

async fn build_app_config(state: &AppState) -> Result<Doc> {
    let mut conn = state.db.get().await?;
    let theme = themes::active(&mut conn)
        .await?
        .unwrap_or_else(default_theme);
    let categories = services::active(&mut conn).await?;
    let banners = banners::active_app(&mut conn).await?;
    let storage = &state.storage;
    let config = AppConfig {
        app: AppInfo {
            name: "HunarMitra".into(),
            version: "1.0.0".into(),
            supported_locales: vec!["en".into(), "hi".into(), "mr".into()],
            support_phone: "+91-1800-XXX-XXXX".into(),
        },
        theme: AppConfigTheme {
            logo_url: storage.public_url(&theme.logo_s3_key),
            fonts: fonts(&theme, storage),
            name: theme.name,
            primary_color: theme.primary_color,
            accent_color: theme.accent_color,
            background_color: theme.background_color,
        },
        categories: categories
            .iter()
            .map(|s| AppCategory {
                id: s.id,
                slug: s.slug.clone(),
                name: s.name.clone(),
                icon_url: storage.public_url(&s.icon_s3_key),
            })
            .collect(),
        banners: banners
            .iter()
            .map(|b| AppBannerView::new(b, storage))
            .collect(),
        features: AppFeatures {
            attendance_kiosk: true,
            ekyc: false,
            auto_assign_emergency: true,
            enable_notifications: true,
            enable_dark_mode: true,
        },
        meta: AppConfigMeta {
            config_version: "1.0".into(),
            cache_ttl_seconds: Document::AppConfig.ttl_secs(),
        },
    };
    Doc::json(&config, Document::AppConfig)
}

/// `GET /api/v1/app-config/`: everything the app needs to boot, cached, with an ETag (API §4.3).
#[api_v2_operation(tags(Config))]
pub async fn app_config(
    req: HttpRequest,
    state: web::Data<AppState>,
) -> Result<Reply<AppConfig, 200, 304>> {
    let doc = state
        .cache
        .get_or_build(Document::AppConfig, || build_app_config(&state))
        .await?;
    Ok(doc.respond(&req))
}

/// `GET /api/v1/config/theme/`: the active theme (API §4.4).
#[derive(Debug, Serialize, Apiv2Schema)]
pub struct ThemeConfig {
    pub name: String,
    /// `#RRGGBB`
    pub primary_color: String,
    /// The theme's accent colour.
    pub secondary_color: String,
    pub background_color: String,
    pub logo_url: Option<String>,
    pub hero_image_url: Option<String>,
    pub fonts: Vec<ThemeFont>,
    /// The first font's family.
    pub font_family: Option<String>,
}

/// What the theme document's cache holds: the active theme, or `{"none": true}` when there is none
/// (the 404 is cached like a document).
#[derive(Debug, Serialize)]
#[serde(untagged)]
enum CachedTheme {
    Active(ThemeConfig),
    Missing { none: bool },
}

/// The cached bytes of [`CachedTheme::Missing`] begin so.
const NO_THEME: &[u8] = b"{\"none\"";

async fn build_theme_config(state: &AppState) -> Result<Doc> {
    let mut conn = state.db.get().await?;
    let Some(theme) = themes::active(&mut conn).await? else {
        return Doc::json(&CachedTheme::Missing { none: true }, Document::ThemeConfig);
    };
    let storage = &state.storage;
    let fonts = fonts(&theme, storage);
    let font_family = fonts.first().and_then(|f| f.family.clone());
    let active = CachedTheme::Active(ThemeConfig {
        logo_url: storage.public_url(&theme.logo_s3_key),
        hero_image_url: storage.public_url(&theme.hero_image_s3_key),
        name: theme.name,
        primary_color: theme.primary_color,
        secondary_color: theme.accent_color,
        background_color: theme.background_color,
        fonts,
        font_family,
    });
    Doc::json(&active, Document::ThemeConfig)
}

/// `GET /api/v1/config/theme/` and `/api/v1/core/theme/active/`: the active theme (API §4.4).
#[api_v2_operation(tags(Config))]
pub async fn theme_config(
    req: HttpRequest,
    state: web::Data<AppState>,
) -> Result<Reply<ThemeConfig, 200, 304>> {
    let doc = state
        .cache
        .get_or_build(Document::ThemeConfig, || build_theme_config(&state))
        .await?;
    if doc.body.starts_with(NO_THEME) {
        return Err(CatalogError::NoActiveTheme);
    }
    Ok(doc.respond(&req))
}

#[derive(Debug, Deserialize, paperclip::actix::Apiv2Schema)]
pub struct LangQuery {
    /// `en` (default) or `hi`
    pub lang: Option<String>,
}

fn supported_lang(lang: Option<&str>) -> Result<&'static str> {
    domain::supported_lang(lang).ok_or(CatalogError::UnsupportedLanguage)
}

/// The schema of a JSON object whose keys are data and whose values are `V`s. It stays inline (no
/// name): `Reply` would look for the named type inside a map's values and leave the reference dangling.
fn keyed_object<V: Schema>() -> DefaultSchemaRaw {
    DefaultSchemaRaw {
        data_type: Some(DataType::Object),
        extra_props: Some(Either::Right(Box::new(V::schema_with_ref()))),
        ..Default::default()
    }
}

/// `GET /api/v1/config/i18n/`: translation key → text (API §4.5), keys in the order built (English's
/// keys first, then the language's own).
#[derive(Debug, Default, Serialize)]
#[serde(transparent)]
pub struct Translations(Map<String, Value>);

impl Translations {
    fn set(&mut self, key: String, text: String) {
        self.0.insert(key, Value::String(text));
    }
}

impl Schema for Translations {
    fn description() -> &'static str {
        "Translation key → text."
    }

    fn raw_schema() -> DefaultSchemaRaw {
        keyed_object::<String>()
    }
}

async fn build_translations(state: &AppState, lang: &'static str) -> Result<Doc> {
    let mut conn = state.db.get().await?;
    let mut map = Translations::default();
    if lang != "en" {
        // Hindi falls back to English key by key (API §4.5).
        for (key, value) in content::translations(&mut conn, "en").await? {
            map.set(key, value);
        }
    }
    for (key, value) in content::translations(&mut conn, lang).await? {
        map.set(key, value);
    }
    Doc::json(&map, Document::Translations(lang))
}

/// `GET /api/v1/config/i18n/?lang=` and `/api/v1/core/translations/` (API §4.5).
#[api_v2_operation(tags(Config))]
pub async fn translations(
    req: HttpRequest,
    state: web::Data<AppState>,
    query: Query<LangQuery>,
) -> Result<Reply<Translations, 200, 304>> {
    let lang = supported_lang(query.lang.as_deref())?;
    let document = Document::Translations(lang);
    let doc = state
        .cache
        .get_or_build(document, || build_translations(&state, lang))
        .await?;
    Ok(doc.respond(&req))
}

async fn build_services(state: &AppState) -> Result<Doc> {
    let mut conn = state.db.get().await?;
    let list = services::active(&mut conn).await?;
    let views: Vec<ServiceView> = list
        .iter()
        .map(|s| ServiceView::new(s, &state.storage))
        .collect();
    Doc::json(&views, Document::Services)
}

/// `GET /api/v1/services/`: active services in display order, a bare list (API §4.6), from memory
/// with an ETag.
#[api_v2_operation(tags(Services))]
pub async fn list_services(
    req: HttpRequest,
    state: web::Data<AppState>,
) -> Result<Reply<Vec<ServiceView>, 200, 304>> {
    let doc = state
        .cache
        .get_or_build(Document::Services, || build_services(&state))
        .await?;
    Ok(doc.respond(&req))
}

/// Every active service by its slug and by each alias (a slug wins over another service's alias).
async fn build_service_details(state: &AppState) -> Result<Index<String>> {
    let mut conn = state.db.get().await?;
    let list = services::active(&mut conn).await?;
    let mut docs = Vec::with_capacity(list.len());
    for service in &list {
        let view = ServiceView::new(service, &state.storage);
        docs.push(Doc::json(&view, Document::ServiceDetails)?);
    }
    let mut index = Index::default();
    for (service, doc) in list.iter().zip(&docs) {
        for alias in &service.aliases {
            index.insert(alias.clone(), doc.clone());
        }
    }
    for (service, doc) in list.iter().zip(docs) {
        index.insert(service.slug.clone(), doc);
    }
    Ok(index)
}

/// `GET /api/v1/services/{slug}/`: one active service by slug or alias, from memory with an ETag;
/// 404 when no active service has that name.
#[api_v2_operation(tags(Services))]
pub async fn get_service(
    req: HttpRequest,
    state: web::Data<AppState>,
    slug: web::Path<String>,
) -> Result<Reply<ServiceView, 200, 304>> {
    let index = state
        .cache
        .get_or_build(Document::ServiceDetails, || build_service_details(&state))
        .await?;
    let doc = index
        .get(slug.as_str())
        .ok_or(CatalogError::ServiceNotFound)?;
    Ok(doc.respond(&req))
}

/// `GET /api/v1/flags/`: feature flag key → enabled (API §4.7), keys in ascending order.
#[derive(Debug, Serialize)]
#[serde(transparent)]
pub struct FeatureFlags(Map<String, Value>);

impl Schema for FeatureFlags {
    fn description() -> &'static str {
        "Feature flag key → enabled."
    }

    fn raw_schema() -> DefaultSchemaRaw {
        keyed_object::<bool>()
    }
}

async fn build_flags(state: &AppState) -> Result<Doc> {
    let mut conn = state.db.get().await?;
    let map: Map<String, Value> = flags::all(&mut conn)
        .await?
        .into_iter()
        .map(|f| (f.key, Value::Bool(f.enabled)))
        .collect();
    Doc::json(&FeatureFlags(map), Document::FeatureFlags)
}

/// `GET /api/v1/flags/`: every feature flag's key → enabled, cached (API §4.7).
#[api_v2_operation(tags(Config))]
pub async fn feature_flags(
    req: HttpRequest,
    state: web::Data<AppState>,
) -> Result<Reply<FeatureFlags, 200, 304>> {
    let doc = state
        .cache
        .get_or_build(Document::FeatureFlags, || build_flags(&state))
        .await?;
    Ok(doc.respond(&req))
}

#[derive(Debug, Deserialize, paperclip::actix::Apiv2Schema)]
pub struct SlotQuery {
    /// Only this slot, e.g. `home_top`.
    pub slot: Option<String>,
}

/// A promo banner visible now (API §4.8).
#[derive(Debug, Serialize, Apiv2Schema)]
pub struct PromoBannerView {
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
}

impl From<&PromoBanner> for PromoBannerView {
    fn from(b: &PromoBanner) -> Self {
        PromoBannerView {
            id: b.id,
            title: b.title.clone(),
            image_url: b.image_url.clone(),
            link: b.link.clone(),
            slot: b.slot.clone(),
            priority: b.priority,
        }
    }
}

/// The promo banners of `slot` visible now, true until the next banner window opens or closes.
async fn build_promo_banners(state: &AppState, slot: SlotFilter) -> Result<Doc> {
    let document = Document::PromoBanners(slot);
    let slot = match slot {
        SlotFilter::Every => None,
        SlotFilter::Slot(slot) => Some(slot),
        // The database refuses any other slot: nothing is ever in it.
        SlotFilter::Unknown => return Doc::json(&[] as &[PromoBannerView], document),
    };
    let mut conn = state.db.get().await?;
    let now = chrono::Utc::now();
    let list = banners::visible_promo(&mut conn, slot, now).await?;
    let next_change = banners::next_promo_change(&mut conn, now).await?;
    let views: Vec<PromoBannerView> = list.iter().map(PromoBannerView::from).collect();
    Ok(Doc::json(&views, document)?.until(next_change))
}

/// `GET /api/v1/cms/banners/?slot=`: promo banners visible now (API §4.8), from memory with an ETag.
#[api_v2_operation(tags(Content))]
pub async fn cms_banners(
    req: HttpRequest,
    state: web::Data<AppState>,
    query: Query<SlotQuery>,
) -> Result<Reply<Vec<PromoBannerView>, 200, 304>> {
    let slot = domain::slot_filter(query.slot.as_deref());
    let doc = state
        .cache
        .get_or_build(Document::PromoBanners(slot), || {
            build_promo_banners(&state, slot)
        })
        .await?;
    Ok(doc.respond(&req))
}

/// An active help page.
#[derive(Debug, Serialize, Apiv2Schema)]
pub struct HelpPageView {
    pub id: Uuid,
    pub slug: String,
    pub title: String,
    /// Trusted HTML.
    pub content_html: String,
    /// `en` or `hi`
    pub lang: String,
    /// Ascending display position.
    pub order: i32,
}

impl From<&HelpPage> for HelpPageView {
    fn from(p: &HelpPage) -> Self {
        HelpPageView {
            id: p.id,
            slug: p.slug.clone(),
            title: p.title.clone(),
            content_html: p.content_html.clone(),
            lang: p.lang.clone(),
            order: p.sort_order,
        }
    }
}

/// An active FAQ.
#[derive(Debug, Serialize, Apiv2Schema)]
pub struct FaqView {
    pub id: Uuid,
    pub question: String,
    pub answer: String,
    /// `en` or `hi`
    pub lang: String,
    /// Ascending display position.
    pub order: i32,
}

impl From<&Faq> for FaqView {
    fn from(f: &Faq) -> Self {
        FaqView {
            id: f.id,
            question: f.question.clone(),
            answer: f.answer.clone(),
            lang: f.lang.clone(),
            order: f.sort_order,
        }
    }
}

async fn build_help_pages(state: &AppState, lang: Option<&'static str>) -> Result<Doc> {
    let mut conn = state.db.get().await?;
    let list = content::active_pages(&mut conn, lang).await?;
    let views: Vec<HelpPageView> = list.iter().map(HelpPageView::from).collect();
    Doc::json(&views, Document::HelpPages(lang))
}

/// `GET /api/v1/help/?lang=`: active help pages, of `lang` when it is `en` or `hi` (API §4.9), from
/// memory with an ETag.
#[api_v2_operation(tags(Content))]
pub async fn help_pages(
    req: HttpRequest,
    state: web::Data<AppState>,
    query: Query<LangQuery>,
) -> Result<Reply<Vec<HelpPageView>, 200, 304>> {
    let lang = domain::content_lang(query.lang.as_deref());
    let doc = state
        .cache
        .get_or_build(Document::HelpPages(lang), || build_help_pages(&state, lang))
        .await?;
    Ok(doc.respond(&req))
}

/// Every active help page by slug.
async fn build_help_page_details(state: &AppState) -> Result<Index<String>> {
    let mut conn = state.db.get().await?;
    let mut index = Index::default();
    for page in content::active_pages(&mut conn, None).await? {
        let doc = Doc::json(&HelpPageView::from(&page), Document::HelpPageDetails)?;
        index.insert(page.slug, doc);
    }
    Ok(index)
}

/// `GET /api/v1/help/{slug}/`: one active help page (API §4.9), from memory with an ETag.
#[api_v2_operation(tags(Content))]
pub async fn help_page(
    req: HttpRequest,
    state: web::Data<AppState>,
    slug: web::Path<String>,
) -> Result<Reply<HelpPageView, 200, 304>> {
    let index = state
        .cache
        .get_or_build(Document::HelpPageDetails, || {
            build_help_page_details(&state)
        })
        .await?;
    let doc = index
        .get(slug.as_str())
        .ok_or(CatalogError::HelpPageNotFound)?;
    Ok(doc.respond(&req))
}

async fn build_faqs(state: &AppState, lang: Option<&'static str>) -> Result<Doc> {
    let mut conn = state.db.get().await?;
    let list = content::active_faqs(&mut conn, lang).await?;
    let views: Vec<FaqView> = list.iter().map(FaqView::from).collect();
    Doc::json(&views, Document::Faqs(lang))
}

/// `GET /api/v1/faqs/?lang=`: active FAQs, of `lang` when it is `en` or `hi` (API §4.9), from memory
/// with an ETag.
#[api_v2_operation(tags(Content))]
pub async fn faqs(
    req: HttpRequest,
    state: web::Data<AppState>,
    query: Query<LangQuery>,
) -> Result<Reply<Vec<FaqView>, 200, 304>> {
    let lang = domain::content_lang(query.lang.as_deref());
    let doc = state
        .cache
        .get_or_build(Document::Faqs(lang), || build_faqs(&state, lang))
        .await?;
    Ok(doc.respond(&req))
}

/// Every active FAQ by id.
async fn build_faq_details(state: &AppState) -> Result<Index<Uuid>> {
    let mut conn = state.db.get().await?;
    let mut index = Index::default();
    for faq in content::active_faqs(&mut conn, None).await? {
        index.insert(
            faq.id,
            Doc::json(&FaqView::from(&faq), Document::FaqDetails)?,
        );
    }
    Ok(index)
}

/// `GET /api/v1/faqs/{id}/`: one active FAQ (API §4.9), from memory with an ETag; a malformed id
/// names nothing (404).
#[api_v2_operation(tags(Content))]
pub async fn faq(
    req: HttpRequest,
    state: web::Data<AppState>,
    id: web::Path<String>,
) -> Result<Reply<FaqView, 200, 304>> {
    let id = Uuid::parse_str(&id).map_err(|_| CatalogError::NotFound)?;
    let index = state
        .cache
        .get_or_build(Document::FaqDetails, || build_faq_details(&state))
        .await?;
    let doc = index.get(&id).ok_or(CatalogError::FaqNotFound)?;
    Ok(doc.respond(&req))
}

/// `GET /api/v1/tts/`: where the stub's audio for a language is (API §4.10).
#[derive(Debug, Serialize, Apiv2Schema)]
pub struct TtsStub {
    /// Public URL of the language's stub audio.
    pub url: Option<String>,
    /// `en` or `hi`
    pub lang: String,
    pub note: String,
}

/// `GET /api/v1/tts/?lang=&text=`: the stub (API §4.10).
#[api_v2_operation(tags(Content))]
pub async fn tts(state: web::Data<AppState>, query: Query<LangQuery>) -> Result<Reply<TtsStub>> {
    let lang = supported_lang(query.lang.as_deref())?;
    Ok(Reply::json(TtsStub {
        url: state
            .storage
            .public_url(&format!("audio/tts_stub_{lang}.mp3")),
        lang: lang.to_owned(),
        note: "This is a stub TTS response. Upload real audio files to MinIO for production."
            .into(),
    }))
}
