//! Construction sites (API §5.11–5.13): contractors manage their own (others' are 404), admins all;
//! workers are assigned to them.

use crate::domain::export;
use crate::error::{Result, WorkforceError};
use crate::store::contractors::{self, Contractor};
use crate::store::sites::{self, Assignment, Editable, Site};
use crate::store::workers;
use crate::AppState;
use actix_web::http::StatusCode;
use chrono::NaiveDate;
use hm_platform::auth::AuthUser;
use hm_platform::input::Query;
use hm_platform::input::{Decimal, FromInput, Input, Text, Valid};
use hm_platform::paging::{NumberedPage, Paging};
use hm_platform::reply::NoBody;
use hm_platform::reply::Reply;
use hm_platform::ApiError;
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

/// A worker's assignment to a site (API §5.12).
#[derive(Debug, Serialize, Apiv2Schema)]
pub struct SiteAssignment {
    pub id: Uuid,
    pub site: Uuid,
    pub site_name: String,
    /// The worker profile's id.
    pub worker: Uuid,
    /// Full name, else phone.
    pub worker_name: String,
    pub worker_phone: String,
    /// The user who assigned the worker.
    pub assigned_by: Option<Uuid>,
    pub assigned_by_name: Option<String>,
    /// ISO 8601 in the platform's time zone.
    pub assigned_at: String,
    pub role_on_site: String,
    pub is_active: bool,
    pub created_at: String,
}

impl From<&Assignment> for SiteAssignment {
    fn from(a: &Assignment) -> Self {
        SiteAssignment {
            id: a.id,
            site: a.site_id,
            site_name: a.site_name.clone(),
            worker: a.worker_id,
            worker_name: a.worker_name.clone(),
            worker_phone: a.worker_phone.clone(),
            assigned_by: a.assigned_by,
            assigned_by_name: a.assigned_by_name.clone(),
            assigned_at: hm_platform::time::render(a.assigned_at),
            role_on_site: a.role_on_site.clone(),
            is_active: a.is_active,
            created_at: hm_platform::time::render(a.created_at),
        }
    }
}

/// Who may use the sites API: admins, and contractors (with their profile); others 403.
async fn caller(state: &AppState, auth: &AuthUser) -> Result<Option<Contractor>> {
    let mut conn = state.db.get().await?;
    let profile = contractors::by_user(&mut conn, auth.id).await?;
    if profile.is_none() && !auth.is_admin() {
        return Err(ApiError::forbidden().into());
    }
    Ok(profile)
}

/// A site the caller may see: their own, or any for an admin; otherwise it does not exist for them.
async fn visible(
    state: &AppState,
    auth: &AuthUser,
    id: &str,
) -> Result<(Site, Option<Contractor>)> {
    let profile = caller(state, auth).await?;
    let id = Uuid::parse_str(id).map_err(|_| ApiError::not_found())?;
    let mut conn = state.db.get().await?;
    let site = sites::by_id(&mut conn, id)
        .await?
        .filter(|s| auth.is_admin() || profile.as_ref().is_some_and(|p| p.id == s.contractor_id))
        .ok_or_else(|| ApiError::no_match("Site"))?;
    Ok((site, profile))
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
    fn apply(self, base: Editable) -> std::result::Result<Editable, ApiError> {
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
        let mut errors = hm_platform::error::FieldErrors::default();
        if e.name.is_empty() {
            errors.add("name", "This field is required.");
        }
        if e.address.is_empty() {
            errors.add("address", "This field is required.");
        }
        if e.lat.is_some() != e.lng.is_some() {
            errors.add("non_field_errors", "Send lat and lng together.");
        }
        if let (Some(s), Some(end)) = (e.start_date, e.end_date) {
            if s > end {
                errors.add("end_date", "Must not be before start_date.");
            }
        }
        if errors.is_empty() {
            Ok(e)
        } else {
            Err(ApiError::fields(errors))
        }
    }
}

fn new_site() -> Editable {
    Editable {
        is_active: true,
        metadata: Value::Object(serde_json::Map::new()),
        ..Editable::default()
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
    let profile = caller(&state, &auth).await?;
    let scope = if auth.is_admin() {
        None
    } else {
        profile.map(|p| p.id)
    };
    let paging = Paging::parse(query.page.as_deref(), query.per_page.as_deref())?;
    let mut conn = state.db.get().await?;
    let (_, count) = sites::page(&mut conn, scope, 0, 0).await?;
    let page = paging.resolve(count)?;
    let (rows, count) = sites::page(
        &mut conn,
        scope,
        paging.per_page,
        (page - 1) * paging.per_page,
    )
    .await?;
    Ok(Reply::json(paging.body(
        page,
        count,
        rows.iter().map(SiteView::from).collect(),
    )))
}

/// A new site of the caller's (an admin names the contractor).
#[api_v2_operation(tags(Sites))]
pub async fn create(
    state: web::Data<AppState>,
    auth: AuthUser,
    body: Valid<SiteFields>,
) -> Result<Reply<SiteView, 201>> {
    let profile = caller(&state, &auth).await?;
    let Valid(fields) = body;
    let mut conn = state.db.get().await?;
    let contractor = match (auth.is_admin(), fields.contractor, profile) {
        (true, Some(id), _) => contractors::by_id(&mut conn, id)
            .await?
            .map(|c| c.id)
            .ok_or_else(|| ApiError::invalid_pk("contractor", id))?,
        (_, _, Some(own)) => own.id,
        (_, _, None) => {
            return Err(ApiError::fields(hm_platform::error::FieldErrors::single(
                "contractor",
                "This field is required.",
            ))
            .into())
        }
    };
    let site = fields.apply(new_site())?;
    let id = Uuid::new_v4();
    sites::insert(&mut conn, id, contractor, &site).await?;
    let created = sites::by_id(&mut conn, id)
        .await?
        .ok_or_else(|| ApiError::no_match("Site"))?;
    Ok(Reply::json(SiteView::from(&created)))
}

#[api_v2_operation(tags(Sites))]
pub async fn get(
    state: web::Data<AppState>,
    auth: AuthUser,
    id: web::Path<String>,
) -> Result<Reply<SiteView>> {
    let (site, _) = visible(&state, &auth, &id).await?;
    Ok(Reply::json(SiteView::from(&site)))
}

async fn change(
    state: &AppState,
    auth: &AuthUser,
    id: &str,
    fields: SiteFields,
    full: bool,
) -> Result<Reply<SiteView>> {
    let (site, _) = visible(state, auth, id).await?;
    let base = if full {
        new_site()
    } else {
        Editable::of(&site)
    };
    let edited = fields.apply(base)?;
    let mut conn = state.db.get().await?;
    sites::update(&mut conn, site.id, &edited).await?;
    let updated = sites::by_id(&mut conn, site.id)
        .await?
        .ok_or_else(|| ApiError::no_match("Site"))?;
    Ok(Reply::json(SiteView::from(&updated)))
}

#[api_v2_operation(tags(Sites))]
pub async fn replace(
    state: web::Data<AppState>,
    auth: AuthUser,
    id: web::Path<String>,
    body: Valid<SiteFields>,
) -> Result<Reply<SiteView>> {
    change(&state, &auth, &id, body.0, true).await
}

#[api_v2_operation(tags(Sites))]
pub async fn update(
    state: web::Data<AppState>,
    auth: AuthUser,
    id: web::Path<String>,
    body: Valid<SiteFields>,
) -> Result<Reply<SiteView>> {
    change(&state, &auth, &id, body.0, false).await
}

#[api_v2_operation(tags(Sites))]
pub async fn delete(
    state: web::Data<AppState>,
    auth: AuthUser,
    id: web::Path<String>,
) -> Result<Reply<NoBody, 204>> {
    let (site, _) = visible(&state, &auth, &id).await?;
    let mut conn = state.db.get().await?;
    sites::delete(&mut conn, site.id).await?;
    Ok(Reply::empty())
}

/// `POST /api/v1/sites/{id}/assign/`
#[derive(Debug, Apiv2Schema)]
pub struct AssignBody {
    /// A worker profile id.
    pub worker_id: Uuid,
    pub role_on_site: String,
}

impl FromInput for AssignBody {
    fn from_input(input: &mut Input) -> Option<Self> {
        let worker_id = input.uuid("worker_id", true);
        let role = input
            .text("role_on_site", Text::optional(100))
            .unwrap_or_default();
        Some(AssignBody {
            worker_id: worker_id?,
            role_on_site: role,
        })
    }
}

/// Assign a worker to a site (or re-activate the assignment with a new role); 200 either way.
#[api_v2_operation(tags(Sites))]
pub async fn assign(
    state: web::Data<AppState>,
    auth: AuthUser,
    id: web::Path<String>,
    body: Valid<AssignBody>,
) -> Result<Reply<SiteAssignment>> {
    let (site, _) = visible(&state, &auth, &id).await?;
    let mut conn = state.db.get().await?;
    if workers::by_id(&mut conn, body.worker_id).await?.is_none() {
        return Err(WorkforceError::from(ApiError::error(
            StatusCode::NOT_FOUND,
            "Worker not found",
        )));
    }
    let assignment = sites::assign(
        &mut conn,
        site.id,
        body.worker_id,
        auth.id,
        &body.role_on_site,
    )
    .await?;
    Ok(Reply::json(SiteAssignment::from(&assignment)))
}

/// The site's assigned workers, newest first (a bare list).
#[api_v2_operation(tags(Sites))]
pub async fn site_workers(
    state: web::Data<AppState>,
    auth: AuthUser,
    id: web::Path<String>,
) -> Result<Reply<Vec<SiteAssignment>>> {
    let (site, _) = visible(&state, &auth, &id).await?;
    let mut conn = state.db.get().await?;
    let list = sites::assigned(&mut conn, site.id).await?;
    Ok(Reply::json(
        list.iter().map(SiteAssignment::from).collect::<Vec<_>>(),
    ))
}

/// A worker's attendance at a site on one day (API §5.14).
#[derive(Debug, Serialize, Apiv2Schema)]
pub struct SiteAttendance {
    pub id: Uuid,
    pub site: Uuid,
    pub site_name: String,
    /// The worker profile's id.
    pub worker: Uuid,
    /// Full name, else phone.
    pub worker_name: String,
    pub worker_phone: String,
    /// `YYYY-MM-DD`
    pub attendance_date: NaiveDate,
    /// `present`, `absent`, `half_day` or `on_leave`.
    pub status: String,
    /// ISO 8601 in the platform's time zone.
    pub checkin_time: Option<String>,
    pub checkout_time: Option<String>,
    /// The user who marked it.
    pub marked_by: Option<Uuid>,
    pub marked_by_name: Option<String>,
    pub notes: String,
    pub created_at: String,
    pub updated_at: String,
}

impl From<&sites::Mark> for SiteAttendance {
    fn from(m: &sites::Mark) -> Self {
        SiteAttendance {
            id: m.id,
            site: m.site_id,
            site_name: m.site_name.clone(),
            worker: m.worker_id,
            worker_name: m.worker_name.clone(),
            worker_phone: m.worker_phone.clone(),
            attendance_date: m.attendance_date,
            status: m.status.clone(),
            checkin_time: m.checkin_time.map(hm_platform::time::render),
            checkout_time: m.checkout_time.map(hm_platform::time::render),
            marked_by: m.marked_by,
            marked_by_name: m.marked_by_name.clone(),
            notes: m.notes.clone(),
            created_at: hm_platform::time::render(m.created_at),
            updated_at: hm_platform::time::render(m.updated_at),
        }
    }
}

const STATUSES: [&str; 4] = ["present", "absent", "half_day", "on_leave"];

/// `POST /api/v1/sites/{id}/attendance/`, as documented; read into [`MarkFields`].
#[allow(dead_code)] // Only its schema is used.
#[derive(Debug, Apiv2Schema)]
pub struct MarkBody {
    /// A worker profile id.
    pub worker_id: Uuid,
    /// `present` (default), `absent`, `half_day`, `on_leave`
    pub status: String,
    /// ISO-8601 (naive = Asia/Kolkata); default now when present.
    pub checkin_time: Option<String>,
    pub checkout_time: Option<String>,
    pub notes: String,
    /// `YYYY-MM-DD`, default today (UTC).
    pub date: Option<String>,
}

/// What a mark body carries once read.
#[derive(Debug)]
pub struct MarkFields {
    worker_id: Uuid,
    status: String,
    checkin: Option<Option<chrono::DateTime<chrono::Utc>>>,
    checkout: Option<Option<chrono::DateTime<chrono::Utc>>>,
    notes: String,
    date: Option<NaiveDate>,
}

impl paperclip::v2::schema::Apiv2Schema for MarkFields {
    fn name() -> Option<String> {
        MarkBody::name()
    }
    fn raw_schema() -> paperclip::v2::models::DefaultSchemaRaw {
        MarkBody::raw_schema()
    }
}

impl FromInput for MarkFields {
    fn from_input(input: &mut Input) -> Option<Self> {
        let worker_id = input.uuid("worker_id", true);
        let status = input.choice("status", &STATUSES, Some("present"));
        let checkin = input.datetime("checkin_time");
        let checkout = input.datetime("checkout_time");
        let notes = input
            .text("notes", Text::optional(2_000))
            .unwrap_or_default();
        let date = input.date("date").flatten();
        if let (Some(Some(i)), Some(Some(o))) = (checkin, checkout) {
            if o < i {
                input.error("checkout_time", "Must not be before checkin_time.");
            }
        }
        Some(MarkFields {
            worker_id: worker_id?,
            status: status?,
            checkin,
            checkout,
            notes,
            date,
        })
    }
}

fn today() -> NaiveDate {
    chrono::Utc::now().date_naive()
}

/// Mark a worker's attendance at the site for a day; 201 when new, 200 when changed.
#[api_v2_operation(tags(Sites))]
pub async fn mark(
    state: web::Data<AppState>,
    auth: AuthUser,
    id: web::Path<String>,
    body: Valid<MarkFields>,
) -> Result<Reply<SiteAttendance, 201, 200>> {
    let (site, _) = visible(&state, &auth, &id).await?;
    let Valid(f) = body;
    let mut conn = state.db.get().await?;
    if workers::by_id(&mut conn, f.worker_id).await?.is_none() {
        return Err(WorkforceError::from(ApiError::error(
            StatusCode::NOT_FOUND,
            "Worker not found",
        )));
    }
    let checkin = match f.checkin {
        Some(given) => given,
        None if f.status == "present" => Some(chrono::Utc::now()),
        None => None,
    };
    let marking = sites::Marking {
        worker: f.worker_id,
        date: f.date.unwrap_or_else(today),
        status: f.status,
        checkin_time: checkin,
        checkout_time: f.checkout.flatten(),
        notes: f.notes,
        marked_by: auth.id,
    };
    let (mark, created) = sites::mark(&mut conn, site.id, &marking).await?;
    Ok(Reply::json_when(created, SiteAttendance::from(&mark)))
}

#[derive(Debug, Deserialize, Apiv2Schema)]
pub struct DayQuery {
    /// `YYYY-MM-DD`, default today.
    pub date: Option<String>,
}

fn day(query: &DayQuery) -> std::result::Result<NaiveDate, ApiError> {
    date_or(query.date.as_deref(), today())
}

/// A `YYYY-MM-DD` query value, `default` when absent or blank.
fn date_or(raw: Option<&str>, default: NaiveDate) -> std::result::Result<NaiveDate, ApiError> {
    match raw.map(str::trim).filter(|d| !d.is_empty()) {
        None => Ok(default),
        Some(d) => hm_platform::time::parse_date(d).ok_or_else(|| {
            ApiError::error(
                StatusCode::BAD_REQUEST,
                "Invalid date format. Use YYYY-MM-DD",
            )
        }),
    }
}

#[derive(Debug, Deserialize, Apiv2Schema)]
pub struct RangeQuery {
    /// `YYYY-MM-DD`, default 30 days before `date_to`.
    pub date_from: Option<String>,
    /// `YYYY-MM-DD`, default today.
    pub date_to: Option<String>,
}

/// The body of the attendance export: CSV text (`text/csv; charset=utf-8`, CRLF line ends) with the
/// header `Site,Worker,Phone,Date,Status,Check-in,Check-out,Notes`, times as `HH:MM` in India Standard
/// Time.
#[derive(Debug)]
pub struct AttendanceCsv;

impl paperclip::v2::schema::Apiv2Schema for AttendanceCsv {
    fn raw_schema() -> paperclip::v2::models::DefaultSchemaRaw {
        paperclip::v2::models::DefaultSchemaRaw {
            data_type: Some(paperclip::v2::models::DataType::String),
            description: Some(
                "CSV: Site, Worker, Phone, Date, Status, Check-in, Check-out, Notes.".into(),
            ),
            ..Default::default()
        }
    }
}

/// The longest span one export covers.
const MAX_EXPORT_DAYS: i64 = 366;

/// The site's attendance as CSV (the back office's export, API §14), for its contractor or an admin.
#[api_v2_operation(tags(Sites), produces = "text/csv, application/json")]
pub async fn export(
    state: web::Data<AppState>,
    auth: AuthUser,
    id: web::Path<String>,
    query: Query<RangeQuery>,
) -> Result<Reply<AttendanceCsv>> {
    let (site, _) = visible(&state, &auth, &id).await?;
    let to = date_or(query.date_to.as_deref(), today())?;
    let month_before = to.checked_sub_days(chrono::Days::new(30)).unwrap_or(to);
    let from = date_or(query.date_from.as_deref(), month_before)?;
    if from > to || (to - from).num_days() >= MAX_EXPORT_DAYS {
        return Err(ApiError::error(
            StatusCode::BAD_REQUEST,
            "date_from must be on or before date_to, at most 366 days apart",
        )
        .into());
    }
    let mut conn = state.db.get().await?;
    let marks = sites::range(&mut conn, site.id, from, to).await?;
    let body = export::csv(
        marks.iter().map(|m| export::Row {
            site: &m.site_name,
            worker: &m.worker_name,
            phone: &m.worker_phone,
            date: m.attendance_date,
            status: &m.status,
            checkin: m.checkin_time,
            checkout: m.checkout_time,
            notes: &m.notes,
        }),
        hm_platform::time::zone(),
    );
    Ok(Reply::build(|res| {
        res.content_type("text/csv; charset=utf-8")
            .insert_header((
                "Content-Disposition",
                "attachment; filename=\"attendance_export.csv\"",
            ))
            .body(body)
    }))
}

/// The site's attendance on a day (a bare list).
#[api_v2_operation(tags(Sites))]
pub async fn attendance(
    state: web::Data<AppState>,
    auth: AuthUser,
    id: web::Path<String>,
    query: Query<DayQuery>,
) -> Result<Reply<Vec<SiteAttendance>>> {
    let (site, _) = visible(&state, &auth, &id).await?;
    let date = day(&query)?;
    let mut conn = state.db.get().await?;
    let marks = sites::day(&mut conn, site.id, date).await?;
    Ok(Reply::json(
        marks.iter().map(SiteAttendance::from).collect::<Vec<_>>(),
    ))
}

/// What a timeline entry of the site dashboard is about.
#[derive(Debug, Serialize, Apiv2Schema)]
pub struct TimelineDetails {
    /// `worker_checked_in` (marked present) or `worker_attendance_marked`.
    pub event: String,
    pub site_id: Uuid,
    pub site_name: String,
    /// The worker's name (else phone).
    pub worker: String,
    /// `present`, `absent`, `half_day` or `on_leave`.
    pub status: String,
    /// ISO 8601 in the platform's time zone.
    pub checkin_time: Option<String>,
}

/// One of the site's latest attendance marks, as a timeline entry.
#[derive(Debug, Serialize, Apiv2Schema)]
pub struct TimelineEntry {
    /// Always `custom`.
    pub event_type: String,
    /// Who marked it (name, else phone).
    pub actor: Option<String>,
    /// When the mark last changed, ISO 8601 in UTC.
    pub timestamp: String,
    pub details: TimelineDetails,
}

/// The site's day at a glance (API §5.16).
#[derive(Debug, Serialize, Apiv2Schema)]
pub struct SiteDashboard {
    /// `YYYY-MM-DD`
    pub date: NaiveDate,
    /// Workers assigned (active assignments).
    pub total_assigned: i64,
    pub present_count: usize,
    pub absent_count: usize,
    pub half_day_count: usize,
    pub on_leave_count: usize,
    /// Percent present of assigned, two decimals (0 without assignments).
    pub attendance_rate: f64,
    /// Present, checked in within 12 hours and not checked out.
    pub on_site_now_count: usize,
    /// Always 0: bookings have no site link.
    pub pending_jobs_count: i64,
    /// The latest ten marks, newest first.
    pub recent_timeline: Vec<TimelineEntry>,
}

/// The site's day at a glance (API §5.16).
#[api_v2_operation(tags(Sites))]
pub async fn dashboard(
    state: web::Data<AppState>,
    auth: AuthUser,
    id: web::Path<String>,
    query: Query<DayQuery>,
) -> Result<Reply<SiteDashboard>> {
    let (site, _) = visible(&state, &auth, &id).await?;
    let date = day(&query)?;
    let mut conn = state.db.get().await?;
    let marks = sites::day(&mut conn, site.id, date).await?;
    let count = |status: &str| marks.iter().filter(|m| m.status == status).count();
    let total = site.assigned_workers_count;
    let present = count("present");
    let rate = if total == 0 {
        0.0
    } else {
        (present as f64 / total as f64 * 10_000.0).round() / 100.0
    };
    let since = chrono::Utc::now() - chrono::Duration::hours(12);
    let on_site = marks
        .iter()
        .filter(|m| {
            m.status == "present"
                && m.checkout_time.is_none()
                && m.checkin_time.is_some_and(|t| t >= since)
        })
        .count();
    let recent = sites::recent_marks(&mut conn, site.id, 10).await?;
    let timeline: Vec<TimelineEntry> = recent
        .iter()
        .map(|m| TimelineEntry {
            event_type: "custom".into(),
            actor: m.marked_by_name.clone(),
            timestamp: m
                .updated_at
                .to_rfc3339_opts(chrono::SecondsFormat::AutoSi, false),
            details: TimelineDetails {
                event: if m.status == "present" {
                    "worker_checked_in"
                } else {
                    "worker_attendance_marked"
                }
                .into(),
                site_id: site.id,
                site_name: site.name.clone(),
                worker: m.worker_name.clone(),
                status: m.status.clone(),
                checkin_time: m.checkin_time.map(hm_platform::time::render),
            },
        })
        .collect();
    Ok(Reply::json(SiteDashboard {
        date,
        total_assigned: total,
        present_count: present,
        absent_count: count("absent"),
        half_day_count: count("half_day"),
        on_leave_count: count("on_leave"),
        attendance_rate: rate,
        on_site_now_count: on_site,
        // Bookings have no site link (API §5.16).
        pending_jobs_count: 0,
        recent_timeline: timeline,
    }))
}
