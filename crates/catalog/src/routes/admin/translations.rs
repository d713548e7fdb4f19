//! Translated strings, addressed by language and key.

use super::{render, write};
use crate::error::Result;
use crate::routes::fields::{Create, TranslationFields};
use crate::store::content;
use crate::AppState;
use actix_web::HttpRequest;
use futures_util::FutureExt;
use hm_platform::auth::AdminUser;
use hm_platform::input::Valid;
use hm_platform::reply::{NoBody, Reply};
use hm_platform::telemetry::RequestId;
use paperclip::actix::{api_v2_operation, web, Apiv2Schema};
use serde::Serialize;
use uuid::Uuid;

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
    let t = write(&state, move |c| {
        content::set_translation(c, key, lang, value, correlation).boxed_local()
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
    write(&state, move |c| {
        content::remove_translation(c, key, lang, correlation).boxed_local()
    })
    .await?;
    Ok(Reply::empty())
}
