//! What the admin reports cover (API §12.2–12.5): days of the platform's time zone as UTC instants
//! (a day is also a partition: `store::partitions`), the export's rows as CSV.

use chrono::{DateTime, Duration, NaiveDate, Utc};
use chrono_tz::Tz;
use hm_contracts::csv::{push_row, CRLF};
use std::fmt::Write;
use uuid::Uuid;

/// The `date` refusal of the reports (API §12.2).
pub const INVALID_DATE: &str = "Invalid date format. Use YYYY-MM-DD";

/// Default rows of the export (CONFIG: analytics CSV export default limit).
pub const DEFAULT_EXPORT_LIMIT: i64 = 10_000;
/// Default services of the top-services report.
pub const DEFAULT_TOP_SERVICES: i64 = 20;

/// The event type the top-services report counts.
pub const SERVICE_SEARCH: &str = "service_search";

/// `[start, end)` of `day` in `zone`, as UTC instants: local midnight to the next local midnight (a
/// zone's day may be 23 or 25 hours long; a midnight that does not exist starts at the first instant
/// after it).
pub fn day_bounds(day: NaiveDate, zone: Tz) -> (DateTime<Utc>, DateTime<Utc>) {
    (midnight(day, zone), midnight(day + Duration::days(1), zone))
}

fn midnight(day: NaiveDate, zone: Tz) -> DateTime<Utc> {
    let naive = day.and_time(chrono::NaiveTime::MIN);
    naive
        .and_local_timezone(zone)
        .earliest()
        .or_else(|| {
            (naive + Duration::hours(1))
                .and_local_timezone(zone)
                .earliest()
        })
        .map(|t| t.with_timezone(&Utc))
        .unwrap_or_else(|| naive.and_utc())
}

/// The local day `at` falls on in `zone`.
pub fn day_of(at: DateTime<Utc>, zone: Tz) -> NaiveDate {
    at.with_timezone(&zone).date_naive()
}

/// The export's header row (API §12.5).
pub const EXPORT_HEADER: [&str; 8] = [
    "id",
    "created_at",
    "event_type",
    "user_id",
    "anonymous_id",
    "source",
    "ip_address",
    "payload",
];

/// One stored event as the export writes it.
pub struct ExportRow<'a> {
    pub id: Uuid,
    pub created_at: DateTime<Utc>,
    pub event_type: &'a str,
    pub user_id: Option<Uuid>,
    pub anonymous_id: Option<&'a str>,
    pub source: &'a str,
    pub ip_address: Option<String>,
    /// The payload as JSON text.
    pub payload: &'a str,
}

/// The header line, CRLF-terminated.
pub fn export_header() -> String {
    let mut out = EXPORT_HEADER.join(",");
    out.push_str(CRLF);
    out
}

/// Appends `row` (API §12.5): `created_at` ISO-8601 in UTC (`2026-01-04T05:00:00+00:00`), empty cells for nulls, the payload as JSON
/// text; what a client typed (type, anonymous id, payload) defused where a spreadsheet would run it.
pub fn push_export_row(out: &mut String, row: &ExportRow<'_>) {
    let mut id = String::with_capacity(36);
    let _ = write!(id, "{}", row.id);
    // Python's `isoformat()` of an aware UTC time, as the reference writes it: `+00:00`, microseconds
    // only when there are some.
    let precision = if row.created_at.timestamp_subsec_micros() == 0 {
        chrono::SecondsFormat::Secs
    } else {
        chrono::SecondsFormat::Micros
    };
    let created = row.created_at.to_rfc3339_opts(precision, false);
    let user = row.user_id.map(|u| u.to_string()).unwrap_or_default();
    let ip = row.ip_address.as_deref().unwrap_or("");
    push_row(
        out,
        [
            (id.as_str(), false),
            (created.as_str(), false),
            (row.event_type, true),
            (user.as_str(), false),
            (row.anonymous_id.unwrap_or(""), true),
            (row.source, false),
            (ip, false),
            (row.payload, true),
        ],
    );
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_indian_day_starts_at_18_30_utc_the_day_before() {
        let day = NaiveDate::from_ymd_opt(2026, 1, 4).unwrap_or_default();
        let (start, end) = day_bounds(day, chrono_tz::Asia::Kolkata);
        assert_eq!(start.to_rfc3339(), "2026-01-03T18:30:00+00:00");
        assert_eq!(end.to_rfc3339(), "2026-01-04T18:30:00+00:00");
        assert_eq!(day_of(start, chrono_tz::Asia::Kolkata), day);
        assert_eq!(
            day_of(end - Duration::microseconds(1), chrono_tz::Asia::Kolkata),
            day
        );
    }

    #[test]
    fn a_day_with_a_clock_change_is_23_hours_long() {
        let day = NaiveDate::from_ymd_opt(2026, 3, 29).unwrap_or_default();
        let (start, end) = day_bounds(day, chrono_tz::Europe::London);
        assert_eq!(end - start, Duration::hours(23));
    }

    #[test]
    fn rows_keep_nulls_empty_and_defuse_formulas() {
        let mut out = export_header();
        push_export_row(
            &mut out,
            &ExportRow {
                id: Uuid::nil(),
                created_at: DateTime::parse_from_rfc3339("2026-01-04T10:00:00Z")
                    .map(|t| t.with_timezone(&Utc))
                    .unwrap_or_default(),
                event_type: "=cmd",
                user_id: None,
                anonymous_id: None,
                source: "web",
                ip_address: None,
                payload: r#"{"q": "a,b"}"#,
            },
        );
        assert_eq!(
            out,
            "id,created_at,event_type,user_id,anonymous_id,source,ip_address,payload\r\n\
             00000000-0000-0000-0000-000000000000,2026-01-04T10:00:00+00:00,'=cmd,,,web,,\"{\"\"q\"\": \"\"a,b\"\"}\"\r\n"
        );
    }
}
