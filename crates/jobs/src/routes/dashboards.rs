//! Role dashboards (API §11, DOMAIN §7) under `/api/v1/dashboard/` and `/api/admin/dashboard/`: each
//! served from jobs' cache (API §1.8) or computed from jobs' tables and the read model other services'
//! events keep; the admin's chart of workers online over a day; and the admin's cache clearing.

use crate::domain::dashboard::{Clearing, Role};
use crate::error::{JobsError, Result};
use crate::store::dashboards::{
    self, AdminDashboard, ContractorDashboard, EmployerDashboard, Switches, WorkerDashboard,
    WorkersOnline,
};
use crate::AppState;
use actix_web::http::header::ContentType;
use hm_platform::auth::{AdminUser, AuthUser};
use hm_platform::input::{FromInput, Input, Query, Valid};
use hm_platform::reply::Reply;
use paperclip::actix::{api_v2_operation, web, Apiv2Schema};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use uuid::Uuid;

impl AppState {
    /// The feature switches the dashboards follow.
    fn switches(&self) -> Switches {
        Switches {
            payments: self.enable_payments,
            sites: self.dashboards.contractor_sites,
            emergency: self.emergency.enabled,
        }
    }
}

/// The dashboard of `role` for `user` as cached or computed now, its JSON as it was first made.
async fn dashboard<T>(state: &AppState, role: Role, user: Uuid) -> Result<Reply<T>> {
    let switches = state.switches();
    let body = state
        .dashboard_cache
        .serve(role, user, async {
            let mut conn = state.db.get().await?;
            dashboards::compute(&mut conn, role, user, switches, chrono::Utc::now()).await
        })
        .await?;
    Ok(Reply::build(|res| {
        res.insert_header(ContentType::json()).body(body)
    }))
}

/// The caller's worker dashboard (API §11.1): unread notifications, today's bookings by status, the
/// online toggle and minutes since last seen, earnings (with `ENABLE_PAYMENTS`), badges. 400 `User is
/// not a worker` without a worker profile.
#[api_v2_operation(tags(Dashboards))]
pub async fn worker(state: web::Data<AppState>, auth: AuthUser) -> Result<Reply<WorkerDashboard>> {
    dashboard(&state, Role::Worker, auth.id).await
}

/// The caller's employer dashboard (API §11.2, any role): bookings under way and awaiting
/// confirmation, the five newest with a worker coming, open emergencies.
#[api_v2_operation(tags(Dashboards))]
pub async fn employer(
    state: web::Data<AppState>,
    auth: AuthUser,
) -> Result<Reply<EmployerDashboard>> {
    dashboard(&state, Role::Employer, auth.id).await
}

/// The caller's contractor dashboard (API §11.3): active sites, workers present today, the attendance
/// rate, pending jobs. 400 `User is not a contractor` without a contractor profile.
#[api_v2_operation(tags(Dashboards))]
pub async fn contractor(
    state: web::Data<AppState>,
    auth: AuthUser,
) -> Result<Reply<ContractorDashboard>> {
    dashboard(&state, Role::Contractor, auth.id).await
}

/// The admin dashboard (API §11.4, admins; one for all of them): users, workers online, open
/// emergencies, today's bookings.
#[api_v2_operation(tags(Dashboards))]
pub async fn admin(state: web::Data<AppState>, admin: AdminUser) -> Result<Reply<AdminDashboard>> {
    dashboard(&state, Role::Admin, admin.id).await
}

#[derive(Debug, Deserialize, Apiv2Schema)]
pub struct DayQuery {
    /// `YYYY-MM-DD`, a day in the platform's time zone; default today there.
    pub date: Option<String>,
}

impl DayQuery {
    /// The day asked for, else today in the platform's time zone.
    fn day(&self) -> Result<chrono::NaiveDate> {
        match self.date.as_deref().map(str::trim) {
            None | Some("") => Ok(hm_platform::time::local(chrono::Utc::now()).date_naive()),
            Some(raw) => hm_platform::time::parse_date(raw).ok_or(JobsError::InvalidDate),
        }
    }
}

/// Workers online over a day (admins): every 15 minutes from the day's midnight, how many workers'
/// last availability change at or before that instant made them available. 400 `Invalid date format.
/// Use YYYY-MM-DD` for a bad `date`.
#[api_v2_operation(tags(Dashboards))]
pub async fn workers_online(
    state: web::Data<AppState>,
    _admin: AdminUser,
    query: Query<DayQuery>,
) -> Result<Reply<WorkersOnline>> {
    let day = query.day()?;
    let mut conn = state.db.get().await?;
    Ok(Reply::json(
        dashboards::workers_online(&mut conn, day).await?,
    ))
}

/// `POST /api/admin/dashboard/cache/clear/` (API §11.5).
#[derive(Debug, Apiv2Schema)]
pub struct ClearBody {
    /// `worker`, `employer`, `contractor` or `admin`; optional.
    pub role: Option<String>,
    /// A user's id; optional.
    pub user_id: Option<Uuid>,
}

/// Whether an optional field was left out: absent, null or blank.
fn left_out(input: &mut Input, name: &str) -> bool {
    match input.json(name, false) {
        None | Some(Value::Null) => true,
        Some(Value::String(s)) => s.trim().is_empty(),
        Some(_) => false,
    }
}

impl FromInput for ClearBody {
    fn from_input(input: &mut Input) -> Option<Self> {
        let role = if left_out(input, "role") {
            Some(None)
        } else {
            input.choice("role", &Role::NAMES, None).map(Some)
        };
        let user_id = if left_out(input, "user_id") {
            Some(None)
        } else {
            input.uuid("user_id", true).map(Some)
        };
        Some(ClearBody {
            role: role?,
            user_id: user_id?,
        })
    }
}

/// What was cleared: the body's fields echoed (null when absent).
#[derive(Debug, Serialize, Apiv2Schema)]
pub struct Cleared {
    /// Always `cache_cleared`.
    pub status: String,
    pub role: Option<String>,
    pub user_id: Option<Uuid>,
}

/// Clears cached dashboards (admins), fresh and stale copies: a role and a user, that user's dashboard
/// of that role (the admin role: the one admin dashboard); a role alone, every user's of that role; a
/// user alone, all of theirs; nothing, every dashboard. 500 when Redis cannot be reached.
#[api_v2_operation(tags(Dashboards))]
pub async fn clear_cache(
    state: web::Data<AppState>,
    _admin: AdminUser,
    body: Valid<ClearBody>,
) -> Result<Reply<Cleared>> {
    let Valid(body) = body;
    let clearing = Clearing::of(body.role.as_deref().and_then(Role::parse), body.user_id);
    let deleted = state.dashboard_cache.clear(&clearing).await?;
    tracing::info!(?clearing, deleted, "dashboard cache cleared");
    Ok(Reply::json(Cleared {
        status: "cache_cleared".into(),
        role: body.role,
        user_id: body.user_id,
    }))
}
