//! The attendance CSV of the back office (API §14): columns Site, Worker, Phone, Date, Status, Check-in,
//! Check-out, Notes; times as `HH:MM` in India Standard Time; CRLF line ends, minimal quoting.

use chrono::{DateTime, NaiveDate, Utc};
use chrono_tz::Tz;
use hm_contracts::csv::{push_field as field, CRLF};
use std::fmt::Write;

/// The CSV's header row.
pub const HEADER: [&str; 8] = [
    "Site",
    "Worker",
    "Phone",
    "Date",
    "Status",
    "Check-in",
    "Check-out",
    "Notes",
];

/// One attendance mark as the export shows it.
pub struct Row<'a> {
    pub site: &'a str,
    pub worker: &'a str,
    pub phone: &'a str,
    pub date: NaiveDate,
    pub status: &'a str,
    pub checkin: Option<DateTime<Utc>>,
    pub checkout: Option<DateTime<Utc>>,
    pub notes: &'a str,
}

/// How a status reads in the export.
pub fn status_label(status: &str) -> &str {
    match status {
        "present" => "Present",
        "absent" => "Absent",
        "half_day" => "Half Day",
        "on_leave" => "On Leave",
        other => other,
    }
}

fn hh_mm(at: Option<DateTime<Utc>>, zone: Tz) -> String {
    at.map(|at| at.with_timezone(&zone).format("%H:%M").to_string())
        .unwrap_or_default()
}

/// The marks as CSV text, times in `zone`.
pub fn csv<'a>(rows: impl IntoIterator<Item = Row<'a>>, zone: Tz) -> String {
    let mut out = HEADER.join(",");
    out.push_str(CRLF);
    for r in rows {
        let date = r.date.to_string();
        let cells = [
            (r.site, true),
            (r.worker, true),
            (r.phone, false),
            (date.as_str(), false),
            (status_label(r.status), false),
        ];
        for (value, free_text) in cells {
            field(&mut out, value, free_text);
            out.push(',');
        }
        let _ = write!(
            out,
            "{},{},",
            hh_mm(r.checkin, zone),
            hh_mm(r.checkout, zone)
        );
        field(&mut out, r.notes, true);
        out.push_str(CRLF);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rows_are_quoted_only_when_needed_and_times_are_ist() {
        let date = NaiveDate::from_ymd_opt(2026, 1, 3).unwrap_or_default();
        let nine_ist = DateTime::parse_from_rfc3339("2026-01-03T03:30:00Z")
            .map(|t| t.with_timezone(&Utc))
            .ok();
        let text = csv(
            [
                Row {
                    site: "Green Valley, Phase 2",
                    worker: "Raju Kumar",
                    phone: "+919876543210",
                    date,
                    status: "half_day",
                    checkin: nine_ist,
                    checkout: None,
                    notes: "said \"late\"\nagain",
                },
                Row {
                    site: "=HYPERLINK(\"x\")",
                    worker: "-Sunil",
                    phone: "+919876543212",
                    date,
                    status: "absent",
                    checkin: None,
                    checkout: None,
                    notes: "",
                },
            ],
            chrono_tz::Asia::Kolkata,
        );
        let lines: Vec<&str> = text.split("\r\n").collect();
        assert_eq!(
            lines[0],
            "Site,Worker,Phone,Date,Status,Check-in,Check-out,Notes"
        );
        assert_eq!(
            lines[1],
            "\"Green Valley, Phase 2\",Raju Kumar,+919876543210,2026-01-03,Half Day,09:00,,\"said \"\"late\"\"\nagain\""
        );
        assert!(text
            .contains("\"'=HYPERLINK(\"\"x\"\")\",'-Sunil,+919876543212,2026-01-03,Absent,,,\r\n"));
        assert!(text.ends_with("\r\n"));
        // Another TIME_ZONE, another clock.
        let utc = csv(
            [Row {
                site: "S",
                worker: "W",
                phone: "",
                date,
                status: "present",
                checkin: nine_ist,
                checkout: None,
                notes: "",
            }],
            chrono_tz::UTC,
        );
        assert!(utc.contains(",03:30,"), "{utc}");
    }
}
