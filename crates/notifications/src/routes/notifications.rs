//! The caller's in-app notifications (API §9.1–9.2): newest first with P-NTF pages and filters, one
//! read, marked read one by one or all at once, and the unread count.

use crate::domain::{CHANNELS, TYPES};
use crate::error::{NotificationsError, Result};
use crate::store::notifications::{self, Filter, NewNotification, Notification};
use crate::store::refs;
use crate::AppState;
use actix_web::HttpRequest;
use chrono::{DateTime, Utc};
use hm_platform::auth::{AdminUser, AuthUser};
use hm_platform::input::Query;
use hm_platform::input::{FromInput, Input, Text, Valid};
use hm_platform::paging::{classic_body, classic_page, page_size, LinkedPage};
use hm_platform::reply::Reply;
use hm_platform::time::{parse_datetime, render};
use paperclip::actix::{api_v2_operation, web, Apiv2Schema};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use uuid::Uuid;

/// "Notification JSON" (API §9): one in-app notification.
#[derive(Debug, Serialize, Apiv2Schema)]
pub struct NotificationBody {
    pub id: Uuid,
    /// The recipient; `null` for a broadcast.
    pub user: Option<Uuid>,
    pub title: String,
    pub message: String,
    /// The notification type, e.g. `booking_status`.
    #[serde(rename = "type")]
    pub kind: String,
    /// What the notification is about, e.g. `{"booking_id": …, "status": …}` (an object, free-form).
    pub data: Value,
    pub is_read: bool,
    /// `push`, `in_app`, `email` or `both`.
    pub channel: String,
    /// An object, free-form.
    pub metadata: Value,
    /// ISO 8601 in the platform's time zone, e.g. `2026-01-03T16:20:05+05:30`.
    pub created_at: String,
    pub updated_at: String,
}

impl From<&Notification> for NotificationBody {
    fn from(n: &Notification) -> Self {
        NotificationBody {
            id: n.id,
            user: n.user_id,
            title: n.title.clone(),
            message: n.message.clone(),
            kind: n.kind.clone(),
            data: n.data.clone(),
            is_read: n.is_read,
            channel: n.channel.clone(),
            metadata: n.metadata.clone(),
            created_at: render(n.created_at),
            updated_at: render(n.updated_at),
        }
    }
}

/// `PATCH /api/v1/notifications/{id}/mark_read/`
#[derive(Debug, Serialize, Apiv2Schema)]
pub struct MarkedRead {
    /// Always `success`.
    pub status: String,
    pub message: String,
}

/// `PATCH /api/v1/notifications/mark_all_read/`
#[derive(Debug, Serialize, Apiv2Schema)]
pub struct MarkedAllRead {
    /// Always `success`.
    pub status: String,
    /// Notifications that were unread and now are read.
    pub count: usize,
    /// `"{count} notifications marked as read"`.
    pub message: String,
}

/// `GET /api/v1/notifications/unread_count/`
#[derive(Debug, Serialize, Apiv2Schema)]
pub struct UnreadCount {
    pub unread_count: i64,
}

#[derive(Debug, Deserialize, Apiv2Schema)]
pub struct ListQuery {
    /// `true` (any case): read ones; any other value: unread ones.
    pub is_read: Option<String>,
    /// Exact notification type, e.g. `booking_status`.
    #[serde(rename = "type")]
    pub kind: Option<String>,
    /// ISO date or datetime, inclusive (a date means its midnight).
    pub date_from: Option<String>,
    pub date_to: Option<String>,
    pub page: Option<String>,
    /// Default 20, at most 100.
    pub page_size: Option<String>,
}

fn bound(name: &'static str, raw: Option<&str>) -> Result<Option<DateTime<Utc>>> {
    match raw.map(str::trim).filter(|r| !r.is_empty()) {
        None => Ok(None),
        Some(r) => parse_datetime(r)
            .map(Some)
            .ok_or(NotificationsError::InvalidDate(name)),
    }
}

fn filter(q: &ListQuery) -> Result<Filter> {
    Ok(Filter {
        is_read: q
            .is_read
            .as_deref()
            .map(|v| v.trim().eq_ignore_ascii_case("true")),
        kind: q.kind.clone().filter(|k| !k.trim().is_empty()),
        from: bound("date_from", q.date_from.as_deref())?,
        to: bound("date_to", q.date_to.as_deref())?,
    })
}

/// The caller's notifications, newest first (P-NTF).
#[api_v2_operation(tags(Notifications))]
pub async fn list(
    req: HttpRequest,
    state: web::Data<AppState>,
    auth: AuthUser,
    query: Query<ListQuery>,
) -> Result<Reply<LinkedPage<NotificationBody>>> {
    let f = filter(&query)?;
    let size = page_size(query.page_size.as_deref(), 20, 100);
    let mut conn = state.db.get().await?;
    let (_, count) = notifications::page(&mut conn, auth.id, &f, 0, 0).await?;
    let page = classic_page(query.page.as_deref(), count, size)?;
    let (rows, count) =
        notifications::page(&mut conn, auth.id, &f, size, (page - 1) * size).await?;
    Ok(Reply::json(classic_body(
        &req,
        page,
        size,
        count,
        rows.iter().map(NotificationBody::from).collect(),
    )))
}

async fn own(state: &AppState, auth: &AuthUser, id: &str) -> Result<Notification> {
    let id = Uuid::parse_str(id).map_err(|_| NotificationsError::NotFound)?;
    let mut conn = state.db.get().await?;
    notifications::own(&mut conn, auth.id, id)
        .await?
        .ok_or(NotificationsError::NoSuchNotification)
}

/// One of the caller's notifications (someone else's is 404, as if absent).
#[api_v2_operation(tags(Notifications))]
pub async fn get(
    state: web::Data<AppState>,
    auth: AuthUser,
    id: web::Path<String>,
) -> Result<Reply<NotificationBody>> {
    Ok(Reply::json(NotificationBody::from(
        &own(&state, &auth, &id).await?,
    )))
}

#[api_v2_operation(tags(Notifications))]
pub async fn mark_read(
    state: web::Data<AppState>,
    auth: AuthUser,
    id: web::Path<String>,
) -> Result<Reply<MarkedRead>> {
    let n = own(&state, &auth, &id).await?;
    let mut conn = state.db.get().await?;
    notifications::mark_read(&mut conn, auth.id, &Filter::default(), Some(n.id)).await?;
    Ok(Reply::json(MarkedRead {
        status: "success".into(),
        message: "Notification marked as read".into(),
    }))
}

/// Marks the caller's notifications (those the list's filters select) read; counts those that changed.
#[api_v2_operation(tags(Notifications))]
pub async fn mark_all_read(
    state: web::Data<AppState>,
    auth: AuthUser,
    query: Query<ListQuery>,
) -> Result<Reply<MarkedAllRead>> {
    let f = filter(&query)?;
    let mut conn = state.db.get().await?;
    let count = notifications::mark_read(&mut conn, auth.id, &f, None).await?;
    Ok(Reply::json(MarkedAllRead {
        status: "success".into(),
        count,
        message: format!("{count} notifications marked as read"),
    }))
}

#[api_v2_operation(tags(Notifications))]
pub async fn unread_count(
    state: web::Data<AppState>,
    auth: AuthUser,
) -> Result<Reply<UnreadCount>> {
    let mut conn = state.db.get().await?;
    let n = notifications::unread(&mut conn, auth.id).await?;
    Ok(Reply::json(UnreadCount { unread_count: n }))
}

/// `POST /api/v1/notifications/test/` (serde only names the fields for the OpenAPI document).
#[derive(Debug, Deserialize, Apiv2Schema)]
pub struct TestBody {
    /// The recipient; without one, a broadcast.
    pub user_id: Option<Uuid>,
    /// At most 255 characters.
    pub title: String,
    pub message: String,
    /// Default `system`.
    #[serde(rename = "type")]
    pub kind: String,
    /// Default `in_app`; `push` and `both` also push to the recipient's devices.
    pub channel: String,
    /// An object, default `{}`.
    pub data: Value,
}

impl FromInput for TestBody {
    fn from_input(input: &mut Input) -> Option<Self> {
        let user_id = input.uuid("user_id", false);
        let title = input.text("title", Text::required(255));
        let message = input.text("message", Text::required(10_000));
        let kind = input.choice("type", &TYPES, Some("system"));
        let channel = input.choice("channel", &CHANNELS, Some("in_app"));
        let data = match input.json("data", false) {
            None => Some(Value::Object(Map::new())),
            Some(v @ Value::Object(_)) => Some(v),
            Some(_) => {
                input.error("data", "Must be a JSON object.");
                None
            }
        };
        Some(TestBody {
            user_id,
            title: title?,
            message: message?,
            kind: kind?,
            channel: channel?,
            data: data?,
        })
    }
}

/// Admin: sends a notification now (to a user, or to everyone), through the same pipeline as events.
#[api_v2_operation(tags(Notifications))]
pub async fn send_test(
    state: web::Data<AppState>,
    _admin: AdminUser,
    body: Valid<TestBody>,
) -> Result<Reply<NotificationBody, 201>> {
    if !state.enabled {
        return Err(NotificationsError::Disabled);
    }
    let mut conn = state.db.get().await?;
    if let Some(user) = body.user_id {
        if !refs::user_exists(&mut conn, user).await? {
            return Err(NotificationsError::NoSuchUser);
        }
    }
    let new = NewNotification {
        user_id: body.user_id,
        kind: &body.kind,
        title: &body.title,
        message: &body.message,
        data: &body.data,
        channel: &body.channel,
    };
    let created = state.notifier.send(&mut conn, &new).await?;
    Ok(Reply::json(NotificationBody::from(&created)))
}
