//! Push registrations (API §9.4–9.6): anyone registers a token (an admin may register it for a user),
//! owners unregister and list theirs, admins manage every device.

use crate::error::{NotificationsError, Result};
use crate::store::devices::{self, Device, DeviceInput};
use crate::store::refs;
use crate::AppState;
use hm_platform::auth::{AdminUser, AuthUser, MaybeAuthUser};
use hm_platform::input::{FromInput, Input, Text, Valid};
use hm_platform::reply::{NoBody, Reply};
use hm_platform::time::render;
use paperclip::actix::{api_v2_operation, web, Apiv2Schema};
use serde::Serialize;
use serde_json::{Map, Value};
use uuid::Uuid;

pub const PLATFORMS: [&str; 3] = ["android", "ios", "web"];

/// "Device JSON" (API §9.4): one push registration.
#[derive(Debug, Serialize, Apiv2Schema)]
pub struct DeviceView {
    pub id: Uuid,
    /// The owner; `null` for an anonymous registration.
    pub user: Option<Uuid>,
    /// The owner's phone, when the owner is known.
    pub user_phone: Option<String>,
    /// `android`, `ios` or `web`.
    pub platform: String,
    /// The FCM token.
    pub registration_token: String,
    /// ISO 8601 in the platform's time zone, e.g. `2026-01-03T16:20:05+05:30`.
    pub last_seen: String,
    pub is_active: bool,
    /// Model, OS and app version (an object, free-form).
    pub metadata: Value,
    pub created_at: String,
}

impl From<&Device> for DeviceView {
    fn from(d: &Device) -> Self {
        DeviceView {
            id: d.id,
            user: d.user_id,
            user_phone: d.user_phone.clone(),
            platform: d.platform.clone(),
            registration_token: d.registration_token.clone(),
            last_seen: render(d.last_seen),
            is_active: d.is_active,
            metadata: d.metadata.clone(),
            created_at: render(d.created_at),
        }
    }
}

/// `POST /api/v1/devices/unregister/`
#[derive(Debug, Serialize, Apiv2Schema)]
pub struct Unregistered {
    /// Always `unregistered`.
    pub status: String,
    /// Registrations of the token deactivated (at least 1).
    pub devices_updated: usize,
}

fn metadata(input: &mut Input) -> Option<Value> {
    match input.json("metadata", false) {
        None => Some(Value::Object(Map::new())),
        Some(v @ Value::Object(_)) => Some(v),
        Some(_) => {
            input.error("metadata", "Must be a JSON object.");
            None
        }
    }
}

/// A device as registered or written by an admin.
#[derive(Debug, Apiv2Schema)]
pub struct DeviceBody {
    /// The FCM token, at most 500 characters.
    pub registration_token: String,
    /// `android`, `ios` or `web`.
    pub platform: String,
    /// Model, OS and app version (an object, default `{}`).
    pub metadata: Value,
    /// The owner; honoured only when an admin sends it.
    pub user_id: Option<Uuid>,
    /// Admin writes only (default true).
    pub is_active: Option<bool>,
}

impl FromInput for DeviceBody {
    fn from_input(input: &mut Input) -> Option<Self> {
        let registration_token = input.text("registration_token", Text::required(500));
        let platform = input.choice("platform", &PLATFORMS, None);
        let metadata = metadata(input);
        let user_id = input.uuid("user_id", false);
        let is_active = if input.has("is_active") {
            input.boolean("is_active", false)
        } else {
            None
        };
        Some(DeviceBody {
            registration_token: registration_token?,
            platform: platform?,
            metadata: metadata?,
            user_id,
            is_active,
        })
    }
}

/// An admin's partial edit.
#[derive(Debug, Apiv2Schema)]
pub struct DevicePatch {
    pub registration_token: Option<String>,
    pub platform: Option<String>,
    pub metadata: Option<Value>,
    pub user_id: Option<Uuid>,
    pub is_active: Option<bool>,
}

impl FromInput for DevicePatch {
    fn from_input(input: &mut Input) -> Option<Self> {
        let registration_token = input
            .has("registration_token")
            .then(|| input.text("registration_token", Text::required(500)))
            .flatten();
        let platform = input
            .has("platform")
            .then(|| input.choice("platform", &PLATFORMS, None))
            .flatten();
        let metadata = input.has("metadata").then(|| metadata(input)).flatten();
        let user_id = input.uuid("user_id", false);
        let is_active = input
            .has("is_active")
            .then(|| input.boolean("is_active", false))
            .flatten();
        Some(DevicePatch {
            registration_token,
            platform,
            metadata,
            user_id,
            is_active,
        })
    }
}

/// 404 `{"error": "User not found"}` for an owner nobody knows.
async fn known_user(state: &AppState, user: Option<Uuid>) -> Result<()> {
    if let Some(id) = user {
        let mut conn = state.db.get().await?;
        if !refs::user_exists(&mut conn, id).await? {
            return Err(NotificationsError::UnknownOwner);
        }
    }
    Ok(())
}

/// Registers a push token (201 new, 200 known): the caller's, an admin's pick, or nobody's.
#[api_v2_operation(tags(Devices))]
pub async fn register(
    state: web::Data<AppState>,
    caller: MaybeAuthUser,
    body: Valid<DeviceBody>,
) -> Result<Reply<DeviceView, 201, 200>> {
    let body = body.0;
    let owner = match &caller.0 {
        Some(admin) if admin.is_admin() && body.user_id.is_some() => {
            known_user(&state, body.user_id).await?;
            body.user_id
        }
        Some(user) => Some(user.id),
        None => None,
    };
    let mut conn = state.db.get().await?;
    let (id, created) = devices::register(
        &mut conn,
        &DeviceInput {
            user_id: owner,
            platform: body.platform,
            registration_token: body.registration_token,
            metadata: body.metadata,
            is_active: true,
        },
    )
    .await?;
    let device = devices::get(&mut conn, id)
        .await?
        .ok_or(NotificationsError::NotFound)?;
    Ok(Reply::json_when(created, DeviceView::from(&device)))
}

/// `POST /api/v1/devices/unregister/`
#[derive(Debug, Apiv2Schema)]
pub struct UnregisterBody {
    pub registration_token: String,
}

impl FromInput for UnregisterBody {
    fn from_input(input: &mut Input) -> Option<Self> {
        Some(UnregisterBody {
            registration_token: input.text("registration_token", Text::required(500))?,
        })
    }
}

/// Deactivates the caller's token (an admin's: anyone's).
#[api_v2_operation(tags(Devices))]
pub async fn unregister(
    state: web::Data<AppState>,
    auth: AuthUser,
    body: Valid<UnregisterBody>,
) -> Result<Reply<Unregistered>> {
    let owner = (!auth.is_admin()).then_some(auth.id);
    let mut conn = state.db.get().await?;
    let n = devices::unregister(&mut conn, &body.registration_token, owner).await?;
    if n == 0 {
        return Err(NotificationsError::UnknownToken);
    }
    Ok(Reply::json(Unregistered {
        status: "unregistered".into(),
        devices_updated: n,
    }))
}

/// The caller's devices (an admin's: all), inactive ones too, last seen first.
#[api_v2_operation(tags(Devices))]
pub async fn list(state: web::Data<AppState>, auth: AuthUser) -> Result<Reply<Vec<DeviceView>>> {
    let user = (!auth.is_admin()).then_some(auth.id);
    let mut conn = state.db.get().await?;
    let rows = devices::list(&mut conn, user).await?;
    Ok(Reply::json(
        rows.iter().map(DeviceView::from).collect::<Vec<_>>(),
    ))
}

/// The device, if the caller owns it or is an admin (404 otherwise, as if absent).
async fn visible(state: &AppState, auth: &AuthUser, id: &str) -> Result<Device> {
    let id = Uuid::parse_str(id).map_err(|_| NotificationsError::NotFound)?;
    let mut conn = state.db.get().await?;
    devices::get(&mut conn, id)
        .await?
        .filter(|d| auth.is_admin() || d.user_id == Some(auth.id))
        .ok_or(NotificationsError::NoSuchDevice)
}

#[api_v2_operation(tags(Devices))]
pub async fn get(
    state: web::Data<AppState>,
    auth: AuthUser,
    id: web::Path<String>,
) -> Result<Reply<DeviceView>> {
    Ok(Reply::json(DeviceView::from(
        &visible(&state, &auth, &id).await?,
    )))
}

/// Admin: a device written directly.
#[api_v2_operation(tags(Devices))]
pub async fn create(
    state: web::Data<AppState>,
    _admin: AdminUser,
    body: Valid<DeviceBody>,
) -> Result<Reply<DeviceView, 201>> {
    let body = body.0;
    known_user(&state, body.user_id).await?;
    let mut conn = state.db.get().await?;
    let input = DeviceInput {
        user_id: body.user_id,
        platform: body.platform,
        registration_token: body.registration_token,
        metadata: body.metadata,
        is_active: body.is_active.unwrap_or(true),
    };
    let id = devices::create(&mut conn, &input).await?;
    let device = devices::get(&mut conn, id)
        .await?
        .ok_or(NotificationsError::NotFound)?;
    Ok(Reply::json(DeviceView::from(&device)))
}

async fn write(state: &AppState, id: Uuid, input: DeviceInput) -> Result<Reply<DeviceView>> {
    known_user(state, input.user_id).await?;
    let mut conn = state.db.get().await?;
    devices::update(&mut conn, id, &input)
        .await?
        .ok_or(NotificationsError::NoSuchDevice)?;
    let device = devices::get(&mut conn, id)
        .await?
        .ok_or(NotificationsError::NotFound)?;
    Ok(Reply::json(DeviceView::from(&device)))
}

/// Admin: every field replaced.
#[api_v2_operation(tags(Devices))]
pub async fn replace(
    state: web::Data<AppState>,
    admin: AdminUser,
    id: web::Path<String>,
    body: Valid<DeviceBody>,
) -> Result<Reply<DeviceView>> {
    let current = visible(&state, &admin, &id).await?;
    let body = body.0;
    let input = DeviceInput {
        user_id: body.user_id,
        platform: body.platform,
        registration_token: body.registration_token,
        metadata: body.metadata,
        is_active: body.is_active.unwrap_or(true),
    };
    write(&state, current.id, input).await
}

/// Admin: the fields sent replaced.
#[api_v2_operation(tags(Devices))]
pub async fn patch(
    state: web::Data<AppState>,
    admin: AdminUser,
    id: web::Path<String>,
    body: Valid<DevicePatch>,
) -> Result<Reply<DeviceView>> {
    let current = visible(&state, &admin, &id).await?;
    let body = body.0;
    let input = DeviceInput {
        user_id: body.user_id.or(current.user_id),
        platform: body.platform.unwrap_or(current.platform),
        registration_token: body
            .registration_token
            .unwrap_or(current.registration_token),
        metadata: body.metadata.unwrap_or(current.metadata),
        is_active: body.is_active.unwrap_or(current.is_active),
    };
    write(&state, current.id, input).await
}

#[api_v2_operation(tags(Devices))]
pub async fn delete(
    state: web::Data<AppState>,
    admin: AdminUser,
    id: web::Path<String>,
) -> Result<Reply<NoBody, 204>> {
    let current = visible(&state, &admin, &id).await?;
    let mut conn = state.db.get().await?;
    devices::delete(&mut conn, current.id).await?;
    Ok(Reply::empty())
}
