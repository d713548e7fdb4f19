//! A site's day at a glance (API §5.16): the day's numbers and its latest marks as a timeline.

use super::site_attendance::DayQuery;
use super::sites::visible;
use crate::domain::attendance::{self, DayMark, Status};
use crate::error::Result;
use crate::store::site_attendance::{self, Mark};
use crate::store::sites::Site;
use crate::AppState;
use chrono::{DateTime, NaiveDate, Utc};
use hm_platform::auth::AuthUser;
use hm_platform::input::Query;
use hm_platform::reply::Reply;
use paperclip::actix::{api_v2_operation, web, Apiv2Schema};
use serde::Serialize;
use uuid::Uuid;

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

impl TimelineEntry {
    /// A mark of `site` as a timeline entry.
    fn of(site: &Site, m: &Mark) -> TimelineEntry {
        TimelineEntry {
            event_type: "custom".into(),
            actor: m.marked_by_name.clone(),
            timestamp: m
                .updated_at
                .to_rfc3339_opts(chrono::SecondsFormat::AutoSi, false),
            details: TimelineDetails {
                event: attendance::timeline_event(Status::parse(&m.status)).into(),
                site_id: site.id,
                site_name: site.name.clone(),
                worker: m.worker_name.clone(),
                status: m.status.clone(),
                checkin_time: m.checkin_time.map(hm_platform::time::render),
            },
        }
    }
}

impl SiteDashboard {
    /// The dashboard of `site` on `date` from its marks that day and its latest ones, as of `now`.
    fn of(
        site: &Site,
        date: NaiveDate,
        marks: &[Mark],
        recent: &[Mark],
        now: DateTime<Utc>,
    ) -> Self {
        let day: Vec<DayMark> = marks
            .iter()
            .map(|m| DayMark {
                status: Status::parse(&m.status),
                checkin: m.checkin_time,
                checkout: m.checkout_time,
            })
            .collect();
        let counts = attendance::day_counts(&day, site.assigned_workers_count, now);
        SiteDashboard {
            date,
            total_assigned: site.assigned_workers_count,
            present_count: counts.present,
            absent_count: counts.absent,
            half_day_count: counts.half_day,
            on_leave_count: counts.on_leave,
            attendance_rate: counts.rate,
            on_site_now_count: counts.on_site,
            // Bookings have no site link (API §5.16).
            pending_jobs_count: 0,
            recent_timeline: recent.iter().map(|m| TimelineEntry::of(site, m)).collect(),
        }
    }
}

/// The site's day at a glance (API §5.16).
#[api_v2_operation(tags(Sites))]
pub async fn dashboard(
    state: web::Data<AppState>,
    auth: AuthUser,
    id: web::Path<String>,
    query: Query<DayQuery>,
) -> Result<Reply<SiteDashboard>> {
    let mut conn = state.db.get().await?;
    let site = visible(&mut conn, &auth, &id).await?;
    let date = query.day()?;
    let (marks, recent) = site_attendance::dashboard(&mut conn, site.id, date).await?;
    let now = Utc::now();
    Ok(Reply::json(SiteDashboard::of(
        &site, date, &marks, &recent, now,
    )))
}
