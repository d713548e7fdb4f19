//! The admin reports (API §12.2–12.5) and the console's events-per-day chart. Days are the platform's
//! time zone's (`TIME_ZONE`); `date` defaults to today.

use crate::domain::report::{
    day_bounds, day_of, export_header, push_export_row, DEFAULT_EXPORT_LIMIT, DEFAULT_TOP_SERVICES,
};
use crate::error::{AnalyticsError, Result};
use crate::store::reports::{self, ExportFilter};
use crate::AppState;
use chrono::{DateTime, Duration as Days, NaiveDate, Utc};
use futures_util::stream;
use hm_platform::auth::AdminUser;
use hm_platform::input::{whole_number, Query};
use hm_platform::reply::Reply;
use paperclip::actix::{api_v2_operation, web, Apiv2Schema};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use uuid::Uuid;

/// Rows read per query while exporting.
const EXPORT_PAGE: i64 = 1000;
/// Most rows one export may ask for.
const MAX_EXPORT_LIMIT: i64 = 10_000_000;
/// Most days of the events-per-day chart.
const MAX_CHART_DAYS: i64 = 90;

fn today() -> NaiveDate {
    day_of(Utc::now(), hm_platform::time::zone())
}

/// `raw` as a day: today when absent or blank, else `YYYY-MM-DD`.
fn day(raw: Option<&str>) -> Result<NaiveDate> {
    match raw.map(str::trim).filter(|s| !s.is_empty()) {
        None => Ok(today()),
        Some(s) => hm_platform::time::parse_date(s).ok_or(AnalyticsError::InvalidDate),
    }
}

#[derive(Debug, Deserialize, Apiv2Schema)]
pub struct DayQuery {
    /// `YYYY-MM-DD` (default today).
    pub date: Option<String>,
}

/// A day's events (API §12.2).
#[derive(Debug, Serialize, Apiv2Schema)]
pub struct DailySummary {
    /// `YYYY-MM-DD`.
    pub date: String,
    pub total_events: i64,
    /// Distinct signed-in users (from aggregate rows: the largest of one type and source).
    pub unique_users: i64,
    /// Distinct anonymous ids (likewise).
    pub unique_anonymous: i64,
    /// Object: event type → count, most frequent first.
    pub events_by_type: Value,
}

/// Counts per type as a JSON object, in the order given.
fn by_type(counts: Vec<(String, i64)>) -> Value {
    Value::Object(
        counts
            .into_iter()
            .map(|(t, n)| (t, Value::from(n)))
            .collect::<Map<String, Value>>(),
    )
}

/// A day's events
///
/// From the day's aggregate rows when it has some (a finished day, aggregated nightly), else counted from
/// the day's events. 400 `{"error":"Invalid date format. Use YYYY-MM-DD"}`.
#[api_v2_operation(tags(Analytics))]
pub async fn daily_summary(
    state: web::Data<AppState>,
    _admin: AdminUser,
    query: Query<DayQuery>,
) -> Result<Reply<DailySummary>> {
    let day = day(query.date.as_deref())?;
    let mut conn = state.db.get().await?;
    let s = reports::daily_summary(&mut conn, day, hm_platform::time::zone()).await?;
    Ok(Reply::json(DailySummary {
        date: day.to_string(),
        total_events: s.total_events,
        unique_users: s.unique_users,
        unique_anonymous: s.unique_anonymous,
        events_by_type: by_type(s.events_by_type),
    }))
}

#[derive(Debug, Deserialize, Apiv2Schema)]
pub struct TopServicesQuery {
    /// From this day (`YYYY-MM-DD`, its start) or instant (ISO-8601), inclusive.
    pub date_from: Option<String>,
    /// To this day (`YYYY-MM-DD`, its end) or instant (ISO-8601), inclusive.
    pub date_to: Option<String>,
    /// How many services (default 20, at most 1000).
    pub limit: Option<String>,
}

/// A searched service and how often.
#[derive(Debug, Serialize, Apiv2Schema)]
pub struct ServiceSearches {
    /// The `service_id` of the events' payloads as sent (string or number); null for events without one.
    #[serde(rename = "payload__service_id")]
    pub service_id: Value,
    pub count: i64,
}

#[derive(Debug, Serialize, Apiv2Schema)]
pub struct TopServices {
    pub top_services: Vec<ServiceSearches>,
}

/// A bound of the top-services range: a day is its start (`from`) or its end (`to`); an instant is
/// itself. Returned as the exclusive end for `to`.
fn bound(raw: Option<&str>, end: bool) -> Result<Option<DateTime<Utc>>> {
    let Some(s) = raw.map(str::trim).filter(|s| !s.is_empty()) else {
        return Ok(None);
    };
    let zone = hm_platform::time::zone();
    if let Some(d) = hm_platform::time::parse_date(s) {
        let (start, next) = day_bounds(d, zone);
        return Ok(Some(if end { next } else { start }));
    }
    let at = hm_platform::time::parse_datetime(s).ok_or(AnalyticsError::InvalidDate)?;
    Ok(Some(if end { at + Days::microseconds(1) } else { at }))
}

/// Most searched services
///
/// `service_search` events grouped by `payload.service_id`, most searched first (API §12.3).
/// 400 for a bad date or limit.
#[api_v2_operation(tags(Analytics))]
pub async fn top_services(
    state: web::Data<AppState>,
    _admin: AdminUser,
    query: Query<TopServicesQuery>,
) -> Result<Reply<TopServices>> {
    let from = bound(query.date_from.as_deref(), false)?;
    let to = bound(query.date_to.as_deref(), true)?;
    let limit = whole_number("limit", query.limit.as_deref(), DEFAULT_TOP_SERVICES, 1000)?;
    let mut conn = state.db.get().await?;
    let rows = reports::top_services(&mut conn, from, to, limit).await?;
    Ok(Reply::json(TopServices {
        top_services: rows
            .into_iter()
            .map(|(id, count)| ServiceSearches {
                service_id: id.unwrap_or(Value::Null),
                count,
            })
            .collect(),
    }))
}

/// A day's active people (API §12.4).
#[derive(Debug, Serialize, Apiv2Schema)]
pub struct ActiveUsers {
    /// `YYYY-MM-DD`.
    pub date: String,
    /// Distinct signed-in users with an event that day.
    pub daily_active_users: i64,
    /// Distinct anonymous ids.
    pub unique_anonymous: i64,
    /// The sum of the two.
    pub total_active: i64,
}

/// Active users of a day
///
/// 400 `{"error":"Invalid date format. Use YYYY-MM-DD"}`.
#[api_v2_operation(tags(Analytics))]
pub async fn active_users(
    state: web::Data<AppState>,
    _admin: AdminUser,
    query: Query<DayQuery>,
) -> Result<Reply<ActiveUsers>> {
    let day = day(query.date.as_deref())?;
    let mut conn = state.db.get().await?;
    let (users, anonymous) =
        reports::active_users(&mut conn, day, hm_platform::time::zone()).await?;
    Ok(Reply::json(ActiveUsers {
        date: day.to_string(),
        daily_active_users: users,
        unique_anonymous: anonymous,
        total_active: users + anonymous,
    }))
}

#[derive(Debug, Deserialize, Apiv2Schema)]
pub struct ExportQuery {
    /// `YYYY-MM-DD`: only that day's events (default: every day kept).
    pub date: Option<String>,
    /// Only events of this type.
    pub event_type: Option<String>,
    /// Most rows (default 10000).
    pub limit: Option<String>,
}

/// The export's body: CSV text (`text/csv; charset=utf-8`, CRLF line ends, minimal quoting) with the
/// header `id,created_at,event_type,user_id,anonymous_id,source,ip_address,payload`, oldest first.
#[derive(Debug)]
pub struct EventsCsv;

impl paperclip::v2::schema::Apiv2Schema for EventsCsv {
    fn raw_schema() -> paperclip::v2::models::DefaultSchemaRaw {
        paperclip::v2::models::DefaultSchemaRaw {
            data_type: Some(paperclip::v2::models::DataType::String),
            description: Some(
                "CSV: id, created_at, event_type, user_id, anonymous_id, source, ip_address, payload."
                    .into(),
            ),
            ..Default::default()
        }
    }
}

/// Where an export stream is.
struct Cursor {
    state: web::Data<AppState>,
    filter: ExportFilter,
    after: Option<(DateTime<Utc>, Uuid)>,
    remaining: i64,
    header: bool,
}

/// The next chunk of the export: the header, then a page of rows; `None` when done. A failure after
/// the first bytes cannot change the status any more: it ends the download early (and is logged).
async fn next_chunk(
    mut c: Cursor,
) -> Option<(std::result::Result<bytes::Bytes, std::io::Error>, Cursor)> {
    if c.header {
        c.header = false;
        return Some((Ok(export_header().into()), c));
    }
    if c.remaining <= 0 {
        return None;
    }
    let page = async {
        let mut conn = c.state.db.get().await.map_err(|e| e.to_string())?;
        reports::export_page(&mut conn, &c.filter, c.after, c.remaining.min(EXPORT_PAGE))
            .await
            .map_err(|e| e.to_string())
    }
    .await;
    match page {
        Ok(rows) if rows.is_empty() => None,
        Ok(rows) => {
            let mut out = String::with_capacity(rows.len() * 160);
            for row in &rows {
                push_export_row(&mut out, &row.row());
            }
            c.remaining -= rows.len() as i64;
            c.after = rows.last().map(|r| (r.created_at, r.id));
            if (rows.len() as i64) < EXPORT_PAGE {
                c.remaining = 0;
            }
            Some((Ok(out.into()), c))
        }
        Err(e) => {
            tracing::error!(error = %e, "analytics export failed part-way");
            c.remaining = 0;
            Some((Err(std::io::Error::other(e)), c))
        }
    }
}

/// Export events as CSV
///
/// Streamed page by page (never the whole result in memory), oldest first, at most `limit` rows;
/// `Content-Disposition: attachment; filename="events_{date or all}.csv"`. Cells a spreadsheet would run
/// as a formula are prefixed with `'`. 400 for a bad date or limit.
#[api_v2_operation(tags(Analytics), produces = "text/csv, application/json")]
pub async fn export(
    state: web::Data<AppState>,
    _admin: AdminUser,
    query: Query<ExportQuery>,
) -> Result<Reply<EventsCsv>> {
    let (filter, limit, filename) = query.read()?;
    let cursor = Cursor {
        state,
        filter,
        after: None,
        remaining: limit,
        header: true,
    };
    Ok(Reply::build(|res| {
        res.content_type("text/csv; charset=utf-8")
            .insert_header((
                "Content-Disposition",
                format!("attachment; filename=\"{filename}\""),
            ))
            .streaming(stream::unfold(cursor, next_chunk))
    }))
}

impl ExportQuery {
    /// What to export, how many rows at most, and the file's name (`events_{date or all}.csv`).
    fn read(&self) -> Result<(ExportFilter, i64, String)> {
        let date = match self
            .date
            .as_deref()
            .map(str::trim)
            .filter(|s| !s.is_empty())
        {
            None => None,
            Some(s) => Some(hm_platform::time::parse_date(s).ok_or(AnalyticsError::InvalidDate)?),
        };
        let limit = whole_number(
            "limit",
            self.limit.as_deref(),
            DEFAULT_EXPORT_LIMIT,
            MAX_EXPORT_LIMIT,
        )?;
        let filter = ExportFilter {
            span: date.map(|d| day_bounds(d, hm_platform::time::zone())),
            event_type: self
                .event_type
                .as_deref()
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(str::to_owned),
        };
        let filename = format!(
            "events_{}.csv",
            date.map(|d| d.to_string()).unwrap_or_else(|| "all".into())
        );
        Ok((filter, limit, filename))
    }
}

#[derive(Debug, Deserialize, Apiv2Schema)]
pub struct ChartQuery {
    /// How many days up to today (default 14, at most 90).
    pub days: Option<String>,
}

/// One day of the chart.
#[derive(Debug, Serialize, Apiv2Schema)]
pub struct DayCounts {
    /// `YYYY-MM-DD`.
    pub date: String,
    pub total: i64,
    /// Object: event type → count.
    pub events_by_type: Value,
}

#[derive(Debug, Serialize, Apiv2Schema)]
pub struct EventsPerDay {
    /// Oldest first, today last.
    pub days: Vec<DayCounts>,
}

/// Events per type per day
///
/// For the console's chart: days with aggregate rows from them, the others (today) counted live.
/// 400 for a bad `days`.
#[api_v2_operation(tags(Analytics))]
pub async fn events_per_day(
    state: web::Data<AppState>,
    _admin: AdminUser,
    query: Query<ChartQuery>,
) -> Result<Reply<EventsPerDay>> {
    let count = whole_number("days", query.days.as_deref(), 14, MAX_CHART_DAYS)?;
    let today = today();
    let days: Vec<NaiveDate> = (0..count).rev().map(|d| today - Days::days(d)).collect();
    let mut conn = state.db.get().await?;
    let rows = reports::events_per_day(&mut conn, &days, hm_platform::time::zone()).await?;
    Ok(Reply::json(EventsPerDay {
        days: rows
            .into_iter()
            .map(|(day, counts)| DayCounts {
                date: day.to_string(),
                total: counts.iter().map(|(_, n)| n).sum(),
                events_by_type: by_type(counts),
            })
            .collect(),
    }))
}
