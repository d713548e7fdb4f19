//! Feature flags, addressed by key.

use super::{render, write};
use crate::error::Result;
use crate::routes::fields::{Create, FlagFields, Patch};
use crate::store::flags;
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
    let flag = write(&state, move |c| {
        flags::create(c, key, enabled, description, correlation).boxed_local()
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
    let flag = write(&state, move |c| {
        flags::change(c, key, f.enabled, f.description, correlation).boxed_local()
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
    write(&state, move |c| {
        flags::remove(c, key, correlation).boxed_local()
    })
    .await?;
    Ok(Reply::empty())
}
