//! Contractor profiles (API §5.9): the profile's user is the caller, only the owner or an admin edits.

use super::path_id;
use crate::error::Result;
use crate::store::contractors::{self, Contractor, Editable};
use crate::AppState;
use actix_web::HttpRequest;
use diesel_async::AsyncPgConnection;
use hm_platform::auth::AuthUser;
use hm_platform::input::Query;
use hm_platform::input::{FromInput, Input, Text, Valid};
use hm_platform::paging::{drf_body, drf_page, LinkedPage, DRF_PAGE_SIZE};
use hm_platform::reply::NoBody;
use hm_platform::reply::Reply;
use hm_platform::telemetry::RequestId;
use paperclip::actix::{api_v2_operation, web, Apiv2Schema};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// A contractor profile as the API shows it (API §5.9).
#[derive(Debug, Serialize, Apiv2Schema)]
pub struct ContractorProfile {
    pub id: Uuid,
    /// The profile's user (identity's id).
    pub user: Uuid,
    pub user_phone: String,
    /// The same as `user_phone`.
    pub phone: String,
    pub user_name: String,
    pub company_name: String,
    pub license_number: String,
    pub gst_number: String,
    pub address: String,
    pub city: String,
    pub state: String,
    pub postal_code: String,
    /// A URL or empty.
    pub website: String,
    pub experience_years: i32,
    /// Decimal (3,2) as a string, 0–5, e.g. `"4.50"`.
    pub rating: String,
    pub total_projects: i32,
    pub is_active: bool,
    /// ISO 8601 in the platform's time zone.
    pub created_at: String,
    pub updated_at: String,
}

impl From<&Contractor> for ContractorProfile {
    fn from(c: &Contractor) -> Self {
        ContractorProfile {
            id: c.id,
            user: c.user_id,
            user_phone: c.user_phone.clone(),
            phone: c.user_phone.clone(),
            user_name: c.user_name.clone(),
            company_name: c.company_name.clone(),
            license_number: c.license_number.clone(),
            gst_number: c.gst_number.clone(),
            address: c.address.clone(),
            city: c.city.clone(),
            state: c.state.clone(),
            postal_code: c.postal_code.clone(),
            website: c.website.clone(),
            experience_years: c.experience_years,
            rating: c.rating.clone(),
            total_projects: c.total_projects,
            is_active: c.is_active,
            created_at: hm_platform::time::render(c.created_at),
            updated_at: hm_platform::time::render(c.updated_at),
        }
    }
}

/// The contractor-profile dashboard (API §5.10).
#[derive(Debug, Serialize, Apiv2Schema)]
pub struct ContractorDashboard {
    /// The contractor's active kiosks.
    pub active_sites: i64,
    /// Distinct workers checked in at the contractor's kiosks today (UTC).
    pub workers_present_today: i64,
    /// The contractor's jobs that are `open` or `assigned`.
    pub pending_jobs: i64,
}

/// The writable fields as sent (`None` = not sent).
#[derive(Debug, Default, Apiv2Schema)]
pub struct ContractorBody {
    pub company_name: Option<String>,
    pub license_number: Option<String>,
    pub gst_number: Option<String>,
    pub address: Option<String>,
    pub city: Option<String>,
    pub state: Option<String>,
    pub postal_code: Option<String>,
    /// A URL or empty.
    pub website: Option<String>,
    pub experience_years: Option<i32>,
    pub is_active: Option<bool>,
}

impl FromInput for ContractorBody {
    fn from_input(input: &mut Input) -> Option<Self> {
        let website = input.url("website", Text::optional(200));
        Some(ContractorBody {
            company_name: input.text("company_name", Text::optional(200)),
            license_number: input.text("license_number", Text::optional(100)),
            gst_number: input.text("gst_number", Text::optional(15)),
            address: input.text("address", Text::optional(2_000)),
            city: input.text("city", Text::optional(100)),
            state: input.text("state", Text::optional(100)),
            postal_code: input.text("postal_code", Text::optional(10)),
            website,
            experience_years: input
                .int("experience_years", false, 0, 80)
                .map(|n| n as i32),
            is_active: input.boolean("is_active", false),
        })
    }
}

impl ContractorBody {
    fn apply(self, base: Editable) -> Editable {
        Editable {
            company_name: self.company_name.unwrap_or(base.company_name),
            license_number: self.license_number.unwrap_or(base.license_number),
            gst_number: self.gst_number.unwrap_or(base.gst_number),
            address: self.address.unwrap_or(base.address),
            city: self.city.unwrap_or(base.city),
            state: self.state.unwrap_or(base.state),
            postal_code: self.postal_code.unwrap_or(base.postal_code),
            website: self.website.unwrap_or(base.website),
            experience_years: self.experience_years.unwrap_or(base.experience_years),
            is_active: self.is_active.unwrap_or(base.is_active),
        }
    }
}

#[derive(Debug, Deserialize, Apiv2Schema)]
pub struct PageQuery {
    pub page: Option<String>,
}

/// Every contractor profile, newest first (P-DRF).
#[api_v2_operation(tags(Contractors))]
pub async fn list(
    req: HttpRequest,
    state: web::Data<AppState>,
    _auth: AuthUser,
    query: Query<PageQuery>,
) -> Result<Reply<LinkedPage<ContractorProfile>>> {
    let mut conn = state.db.get().await?;
    let (_, count) = contractors::page(&mut conn, 0, 0).await?;
    let page = drf_page(query.page.as_deref(), count)?;
    let (rows, count) =
        contractors::page(&mut conn, DRF_PAGE_SIZE, (page - 1) * DRF_PAGE_SIZE).await?;
    Ok(Reply::json(drf_body(
        &req,
        page,
        count,
        rows.iter().map(ContractorProfile::from).collect(),
    )))
}

/// The profile at path `id`, else 404.
async fn load(conn: &mut AsyncPgConnection, id: &str) -> Result<Contractor> {
    contractors::found(conn, path_id(id)?).await
}

/// The profile at path `id` if the caller may change it (owner or admin).
async fn editable(conn: &mut AsyncPgConnection, auth: &AuthUser, id: &str) -> Result<Contractor> {
    let current = load(conn, id).await?;
    auth.require_owner_or_admin(current.user_id)?;
    Ok(current)
}

/// Create the caller's contractor profile.
#[api_v2_operation(tags(Contractors))]
pub async fn create(
    req: HttpRequest,
    state: web::Data<AppState>,
    auth: AuthUser,
    body: Valid<ContractorBody>,
) -> Result<Reply<ContractorProfile, 201>> {
    let fields = body.0.apply(Editable::default());
    let (id, correlation) = (Uuid::new_v4(), RequestId::of(&req));
    let mut conn = state.db.get().await?;
    let created = contractors::create(&mut conn, id, auth.id, &fields, correlation).await?;
    Ok(Reply::json(ContractorProfile::from(&created)))
}

#[api_v2_operation(tags(Contractors))]
pub async fn get(
    state: web::Data<AppState>,
    _auth: AuthUser,
    id: web::Path<String>,
) -> Result<Reply<ContractorProfile>> {
    let mut conn = state.db.get().await?;
    Ok(Reply::json(ContractorProfile::from(
        &load(&mut conn, &id).await?,
    )))
}

async fn change(
    req: &HttpRequest,
    state: &AppState,
    auth: &AuthUser,
    id: &str,
    body: ContractorBody,
    full: bool,
) -> Result<Reply<ContractorProfile>> {
    let mut conn = state.db.get().await?;
    let current = editable(&mut conn, auth, id).await?;
    let base = if full {
        Editable::default()
    } else {
        Editable::of(&current)
    };
    let fields = body.apply(base);
    let correlation = RequestId::of(req);
    let changed =
        contractors::change(&mut conn, current.id, current.user_id, &fields, correlation).await?;
    Ok(Reply::json(ContractorProfile::from(&changed)))
}

#[api_v2_operation(tags(Contractors))]
pub async fn replace(
    req: HttpRequest,
    state: web::Data<AppState>,
    auth: AuthUser,
    id: web::Path<String>,
    body: Valid<ContractorBody>,
) -> Result<Reply<ContractorProfile>> {
    change(&req, &state, &auth, &id, body.0, true).await
}

#[api_v2_operation(tags(Contractors))]
pub async fn update(
    req: HttpRequest,
    state: web::Data<AppState>,
    auth: AuthUser,
    id: web::Path<String>,
    body: Valid<ContractorBody>,
) -> Result<Reply<ContractorProfile>> {
    change(&req, &state, &auth, &id, body.0, false).await
}

/// How long a contractor dashboard is served from the cache (API §1.8).
const DASHBOARD_TTL: std::time::Duration = std::time::Duration::from_secs(60);

/// The contractor-profile dashboard (API §5.10), for its owner or an admin; cached 60 s.
#[api_v2_operation(tags(Contractors))]
pub async fn dashboard(
    state: web::Data<AppState>,
    auth: AuthUser,
    id: web::Path<String>,
) -> Result<Reply<ContractorDashboard>> {
    let mut conn = state.db.get().await?;
    let contractor = editable(&mut conn, &auth, &id).await?;
    let key = format!("contractor_dashboard_{}", contractor.id);
    let body = match state.cache.get(&key).await {
        Some(cached) => cached,
        None => {
            let today = chrono::Utc::now().date_naive();
            let d = contractors::dashboard(&mut conn, contractor.id, today).await?;
            let body = serde_json::to_vec(&ContractorDashboard {
                active_sites: d.active_sites,
                workers_present_today: d.workers_present_today,
                pending_jobs: d.pending_jobs,
            })?;
            state.cache.put(&key, &body, DASHBOARD_TTL).await;
            body
        }
    };
    Ok(Reply::build(|res| {
        res.content_type("application/json").body(body)
    }))
}

/// Delete (owner or admin); identity learns it through `workforce.contractor.deleted`.
#[api_v2_operation(tags(Contractors))]
pub async fn delete(
    req: HttpRequest,
    state: web::Data<AppState>,
    auth: AuthUser,
    id: web::Path<String>,
) -> Result<Reply<NoBody, 204>> {
    let mut conn = state.db.get().await?;
    let current = editable(&mut conn, &auth, &id).await?;
    contractors::remove(&mut conn, current.id, current.user_id, RequestId::of(&req)).await?;
    Ok(Reply::empty())
}
