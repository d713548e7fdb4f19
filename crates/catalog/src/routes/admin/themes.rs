//! Themes: the one active theme is what the app shows; a write may activate one.

use super::{remove, render, uuid, write};
use crate::error::Result;
use crate::routes::fields::{Create, Patch, ThemeFields};
use crate::storage::Storage;
use crate::store::themes::{self, NewTheme, Theme, ThemeChanges};
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
use paperclip::v2::models::{DataType, DefaultSchemaRaw};
use paperclip::v2::schema::Apiv2Schema as Schema;
use serde::Serialize;
use serde_json::{json, Value};
use uuid::Uuid;

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
    let active = f.active.unwrap_or(false);
    let new = new_theme(f, admin.id);
    let correlation = RequestId::of(&req);
    let theme = write(&state, move |c| {
        themes::create(c, new, active, correlation).boxed_local()
    })
    .await?;
    Ok(Reply::json(admin_theme(&theme, &state.storage)))
}

/// A new (inactive) theme from its fields, with the default colours where none is given.
fn new_theme(f: ThemeFields, created_by: Uuid) -> NewTheme {
    let colour = |c: Option<String>, default: &str| {
        c.filter(|c| !c.is_empty())
            .unwrap_or_else(|| default.to_owned())
    };
    NewTheme {
        id: Uuid::new_v4(),
        name: f.name.unwrap_or_default(),
        primary_color: colour(f.primary_color, "#2563EB"),
        accent_color: colour(f.accent_color, "#F59E0B"),
        background_color: colour(f.background_color, "#F9FAFB"),
        logo_s3_key: f.logo_s3_key.unwrap_or_default(),
        hero_image_s3_key: f.hero_image_s3_key.unwrap_or_default(),
        fonts: f.fonts.unwrap_or_else(|| json!([])),
        metadata: f.metadata.unwrap_or_else(|| json!({})),
        active: false,
        created_by: Some(created_by),
    }
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
    let changes = theme_changes(f);
    let correlation = RequestId::of(&req);
    let theme = write(&state, move |c| {
        themes::change(c, id, changes, active, correlation).boxed_local()
    })
    .await?;
    Ok(Reply::json(admin_theme(&theme, &state.storage)))
}

/// What a partial update changes (an empty colour changes nothing).
fn theme_changes(f: ThemeFields) -> ThemeChanges {
    ThemeChanges {
        name: f.name,
        primary_color: f.primary_color.filter(|c| !c.is_empty()),
        accent_color: f.accent_color.filter(|c| !c.is_empty()),
        background_color: f.background_color.filter(|c| !c.is_empty()),
        logo_s3_key: f.logo_s3_key,
        hero_image_s3_key: f.hero_image_s3_key,
        fonts: f.fonts,
        metadata: f.metadata,
        updated_at: Some(Utc::now()),
    }
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
    let theme = write(&state, move |c| {
        themes::publish(c, id, correlation).boxed_local()
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
