//! Construction sites (API §5.11–5.13): contractors manage their own (others' are 404), admins all;
//! workers are assigned to them (`assignments`), marked present (`site_attendance`) and counted
//! (`site_dashboard`).

use super::{caller, path_id};
use crate::domain::sites::{list_scope, problems, Editable};
use crate::error::{Result, WorkforceError};
use crate::store::sites::{self, Site};
use crate::AppState;
use actix_web::HttpRequest;
use chrono::NaiveDate;
use diesel_async::AsyncPgConnection;
use hm_platform::auth::AuthUser;
use hm_platform::input::Query;
use hm_platform::input::{Decimal, FromInput, Input, Text, Valid};
use hm_platform::paging::{NumberedPage, Paging};
use hm_platform::reply::NoBody;
use hm_platform::reply::Reply;
use hm_platform::telemetry::RequestId;
use paperclip::actix::{api_v2_operation, web, Apiv2Schema};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use uuid::Uuid;

/// A construction site as the API shows it (API §5.11).
#[derive(Debug, Serialize, Apiv2Schema)]
pub struct SiteView {
    pub id: Uuid,
    /// The contractor profile the site belongs to.
    pub contractor: Uuid,
    /// The contractor's company name.
    pub contractor_name: String,
    pub name: String,
    pub address: String,
    /// Decimal (9,6) as a string.
    pub lat: Option<String>,
    pub lng: Option<String>,
    pub phone: String,
    pub is_active: bool,
    /// `YYYY-MM-DD`
    pub start_date: Option<NaiveDate>,
    pub end_date: Option<NaiveDate>,
    /// Free-form JSON object given by the contractor.
    pub metadata: Value,
    /// Active assignments.
    pub assigned_workers_count: i64,
    /// ISO 8601 in the platform's time zone.
    pub created_at: String,
    pub updated_at: String,
}

impl From<&Site> for SiteView {
    fn from(s: &Site) -> Self {
        SiteView {
            id: s.id,
            contractor: s.contractor_id,
            contractor_name: s.contractor_name.clone(),
            name: s.name.clone(),
            address: s.address.clone(),
            lat: s.lat.clone(),
            lng: s.lng.clone(),
            phone: s.phone.clone(),
            is_active: s.is_active,
            start_date: s.start_date,
            end_date: s.end_date,
            metadata: s.metadata.clone(),
            assigned_workers_count: s.assigned_workers_count,
            created_at: hm_platform::time::render(s.created_at),
            updated_at: hm_platform::time::render(s.updated_at),
        }
    }
}

/// The site at path `id`, if the caller sees it: their own, or any for an admin; otherwise it does not
/// exist for them. Callers who are neither contractors nor admins are refused first.
pub(super) async fn visible(
    conn: &mut AsyncPgConnection,
    auth: &AuthUser,
    id: &str,
) -> Result<Site> {
    let own = sites::own_contractor(conn, caller(auth)).await?;
    sites::visible(conn, caller(auth), own, path_id(id)?).await
}

#[derive(Debug, Default)]
pub struct SiteFields {
    pub name: Option<String>,
    pub address: Option<String>,
    pub lat: Option<Option<String>>,
    pub lng: Option<Option<String>>,
    pub phone: Option<String>,
    pub is_active: Option<bool>,
    pub start_date: Option<Option<NaiveDate>>,
    pub end_date: Option<Option<NaiveDate>>,
    pub metadata: Option<Value>,
    pub contractor: Option<Uuid>,
}

/// The site body as documented; read into [`SiteFields`].
#[allow(dead_code)] // Only its schema is used.
#[derive(Debug, Apiv2Schema)]
pub struct SiteBody {
    pub name: Option<String>,
    pub address: Option<String>,
    /// Decimal (9,6).
    pub lat: Option<String>,
    pub lng: Option<String>,
    pub phone: Option<String>,
    pub is_active: Option<bool>,
    /// `YYYY-MM-DD`
    pub start_date: Option<String>,
    pub end_date: Option<String>,
    pub metadata: Option<Value>,
    /// Admins only: the contractor profile the site belongs to.
    pub contractor: Option<String>,
}

impl paperclip::v2::schema::Apiv2Schema for SiteFields {
    fn name() -> Option<String> {
        SiteBody::name()
    }
    fn raw_schema() -> paperclip::v2::models::DefaultSchemaRaw {
        SiteBody::raw_schema()
    }
}

impl FromInput for SiteFields {
    fn from_input(input: &mut Input) -> Option<Self> {
        let metadata = input.json("metadata", false);
        if metadata.as_ref().is_some_and(|m| !m.is_object()) {
            input.error("metadata", "Expected a JSON object.");
        }
        let fields = SiteFields {
            name: input.text("name", Text::optional(255)),
            address: input.text("address", Text::optional(2_000)),
            lat: input.nullable_decimal("lat", Decimal::LATITUDE),
            lng: input.nullable_decimal("lng", Decimal::LONGITUDE),
            phone: input.text("phone", Text::optional(20)),
            is_active: input.boolean("is_active", false),
            start_date: input.date("start_date"),
            end_date: input.date("end_date"),
            metadata,
            contractor: input.uuid("contractor", false),
        };
        if let (Some(Some(s)), Some(Some(e))) = (fields.start_date, fields.end_date) {
            if s > e {
                input.error("end_date", "Must not be before start_date.");
            }
        }
        Some(fields)
    }
}

impl SiteFields {
    /// The fields over `base`; `name` and `address` must end up non-empty.
    fn apply(self, base: Editable) -> Result<Editable> {
        let e = Editable {
            name: self.name.unwrap_or(base.name),
            address: self.address.unwrap_or(base.address),
            lat: self.lat.unwrap_or(base.lat),
            lng: self.lng.unwrap_or(base.lng),
            phone: self.phone.unwrap_or(base.phone),
            is_active: self.is_active.unwrap_or(base.is_active),
            start_date: self.start_date.unwrap_or(base.start_date),
            end_date: self.end_date.unwrap_or(base.end_date),
            metadata: self.metadata.unwrap_or(base.metadata),
        };
        let found = problems(&e);
        if found.is_empty() {
            Ok(e)
        } else {
            Err(WorkforceError::InvalidSite(found))
        }
    }
}

#[derive(Debug, Deserialize, Apiv2Schema)]
pub struct PageParams {
    pub page: Option<String>,
    pub per_page: Option<String>,
}

/// The caller's sites (all, for an admin), newest first (P-STD).
#[api_v2_operation(tags(Sites))]
pub async fn list(
    state: web::Data<AppState>,
    auth: AuthUser,
    query: Query<PageParams>,
) -> Result<Reply<NumberedPage<SiteView>>> {
    let mut conn = state.db.get().await?;
    let own = sites::own_contractor(&mut conn, caller(&auth)).await?;
    let scope = list_scope(auth.is_admin(), own);
    let paging = Paging::parse(query.page.as_deref(), query.per_page.as_deref())?;
    let (page, count, rows) = sites::list_page(&mut conn, scope, paging).await?;
    Ok(Reply::json(paging.body(
        page,
        count,
        rows.iter().map(SiteView::from).collect(),
    )))
}

/// A new site of the caller's (an admin names the contractor).
#[api_v2_operation(tags(Sites))]
pub async fn create(
    req: HttpRequest,
    state: web::Data<AppState>,
    auth: AuthUser,
    body: Valid<SiteFields>,
) -> Result<Reply<SiteView, 201>> {
    let Valid(fields) = body;
    let mut conn = state.db.get().await?;
    let own = sites::own_contractor(&mut conn, caller(&auth)).await?;
    let contractor =
        sites::new_site_owner(&mut conn, caller(&auth), fields.contractor, own).await?;
    let site = fields.apply(Editable::new_site())?;
    let correlation = RequestId::of(&req);
    let created = sites::create(&mut conn, contractor, &site, correlation).await?;
    Ok(Reply::json(SiteView::from(&created)))
}

#[api_v2_operation(tags(Sites))]
pub async fn get(
    state: web::Data<AppState>,
    auth: AuthUser,
    id: web::Path<String>,
) -> Result<Reply<SiteView>> {
    let mut conn = state.db.get().await?;
    let site = visible(&mut conn, &auth, &id).await?;
    Ok(Reply::json(SiteView::from(&site)))
}

async fn change(
    req: &HttpRequest,
    state: &AppState,
    auth: &AuthUser,
    id: &str,
    fields: SiteFields,
    full: bool,
) -> Result<Reply<SiteView>> {
    let mut conn = state.db.get().await?;
    let site = visible(&mut conn, auth, id).await?;
    let base = if full {
        Editable::new_site()
    } else {
        Editable::of(&site)
    };
    let edited = fields.apply(base)?;
    let updated = sites::change(&mut conn, site.id, &edited, RequestId::of(req)).await?;
    Ok(Reply::json(SiteView::from(&updated)))
}

#[api_v2_operation(tags(Sites))]
pub async fn replace(
    req: HttpRequest,
    state: web::Data<AppState>,
    auth: AuthUser,
    id: web::Path<String>,
    body: Valid<SiteFields>,
) -> Result<Reply<SiteView>> {
    change(&req, &state, &auth, &id, body.0, true).await
}

#[api_v2_operation(tags(Sites))]
pub async fn update(
    req: HttpRequest,
    state: web::Data<AppState>,
    auth: AuthUser,
    id: web::Path<String>,
    body: Valid<SiteFields>,
) -> Result<Reply<SiteView>> {
    change(&req, &state, &auth, &id, body.0, false).await
}

#[api_v2_operation(tags(Sites))]
pub async fn delete(
    req: HttpRequest,
    state: web::Data<AppState>,
    auth: AuthUser,
    id: web::Path<String>,
) -> Result<Reply<NoBody, 204>> {
    let mut conn = state.db.get().await?;
    let site = visible(&mut conn, &auth, &id).await?;
    sites::delete(&mut conn, &site, RequestId::of(&req)).await?;
    Ok(Reply::empty())
}
