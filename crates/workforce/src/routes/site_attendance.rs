//! A site's attendance (API §5.14, §14): marks by its contractor or an admin, the day's list and the
//! CSV export.

use super::sites::visible;
use crate::domain::attendance::{self, Status};
use crate::domain::export;
use crate::error::{Result, WorkforceError};
use crate::store::site_attendance::{self, Mark, Marking};
use crate::AppState;
use actix_web::HttpRequest;
use chrono::NaiveDate;
use hm_platform::auth::AuthUser;
use hm_platform::input::Query;
use hm_platform::input::{FromInput, Input, Text, Valid};
use hm_platform::reply::Reply;
use hm_platform::telemetry::RequestId;
use paperclip::actix::{api_v2_operation, web, Apiv2Schema};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

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

impl From<&Mark> for SiteAttendance {
    fn from(m: &Mark) -> Self {
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
    status: Status,
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
        let status = input.choice("status", &Status::NAMES, Some("present"));
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
            status: status.as_deref().and_then(Status::parse)?,
            checkin,
            checkout,
            notes,
            date,
        })
    }
}

/// Today (UTC).
fn today() -> NaiveDate {
    chrono::Utc::now().date_naive()
}

/// Mark a worker's attendance at the site for a day; 201 when new, 200 when changed.
#[api_v2_operation(tags(Sites))]
pub async fn mark(
    req: HttpRequest,
    state: web::Data<AppState>,
    auth: AuthUser,
    id: web::Path<String>,
    body: Valid<MarkFields>,
) -> Result<Reply<SiteAttendance, 201, 200>> {
    let mut conn = state.db.get().await?;
    let site = visible(&mut conn, &auth, &id).await?;
    let Valid(f) = body;
    let marking = Marking {
        worker: f.worker_id,
        date: f.date.unwrap_or_else(today),
        status: f.status,
        checkin_time: attendance::checkin(f.checkin, f.status, chrono::Utc::now()),
        checkout_time: f.checkout.flatten(),
        notes: f.notes,
        marked_by: auth.id,
    };
    let (mark, created) =
        site_attendance::mark_worker(&mut conn, site.id, &marking, RequestId::of(&req)).await?;
    Ok(Reply::json_when(created, SiteAttendance::from(&mark)))
}

#[derive(Debug, Deserialize, Apiv2Schema)]
pub struct DayQuery {
    /// `YYYY-MM-DD`, default today.
    pub date: Option<String>,
}

impl DayQuery {
    /// The day asked for, default today.
    pub(super) fn day(&self) -> Result<NaiveDate> {
        Ok(date(self.date.as_deref())?.unwrap_or_else(today))
    }
}

/// A `YYYY-MM-DD` query value; `None` when absent or blank.
fn date(raw: Option<&str>) -> Result<Option<NaiveDate>> {
    match raw.map(str::trim).filter(|d| !d.is_empty()) {
        None => Ok(None),
        Some(d) => hm_platform::time::parse_date(d)
            .map(Some)
            .ok_or(WorkforceError::InvalidDate),
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

impl RangeQuery {
    /// The days asked for: to `date_to` (default today) from `date_from` (default 30 days before).
    fn span(&self) -> Result<(NaiveDate, NaiveDate)> {
        let to = date(self.date_to.as_deref())?.unwrap_or_else(today);
        let from = date(self.date_from.as_deref())?;
        attendance::export_span(from, to).ok_or(WorkforceError::InvalidExportRange)
    }
}

/// The marks as the export's CSV.
fn csv(marks: &[Mark]) -> String {
    export::csv(
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
    )
}

/// The site's attendance as CSV (the back office's export, API §14), for its contractor or an admin.
#[api_v2_operation(tags(Sites), produces = "text/csv, application/json")]
pub async fn export(
    state: web::Data<AppState>,
    auth: AuthUser,
    id: web::Path<String>,
    query: Query<RangeQuery>,
) -> Result<Reply<AttendanceCsv>> {
    let mut conn = state.db.get().await?;
    let site = visible(&mut conn, &auth, &id).await?;
    let (from, to) = query.span()?;
    let body = csv(&site_attendance::range(&mut conn, site.id, from, to).await?);
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
    let mut conn = state.db.get().await?;
    let site = visible(&mut conn, &auth, &id).await?;
    let marks = site_attendance::day(&mut conn, site.id, query.day()?).await?;
    Ok(Reply::json(
        marks.iter().map(SiteAttendance::from).collect::<Vec<_>>(),
    ))
}
