//! A site's attendance (API §5.14–5.16): the day's status of a worker, what a mark defaults to, the
//! export's span and the day's numbers of the site dashboard.

use chrono::{DateTime, Days, Duration, NaiveDate, Utc};

/// A worker's status at a site on one day, stored as its snake_case name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Status {
    Present,
    Absent,
    HalfDay,
    OnLeave,
}

impl Status {
    /// Every status as stored, in the API's order.
    pub const NAMES: [&'static str; 4] = ["present", "absent", "half_day", "on_leave"];

    /// The stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Present => "present",
            Status::Absent => "absent",
            Status::HalfDay => "half_day",
            Status::OnLeave => "on_leave",
        }
    }

    /// The status of a stored name.
    pub fn parse(name: &str) -> Option<Status> {
        match name {
            "present" => Some(Status::Present),
            "absent" => Some(Status::Absent),
            "half_day" => Some(Status::HalfDay),
            "on_leave" => Some(Status::OnLeave),
            _ => None,
        }
    }
}

/// The check-in a mark records: the one sent (even `null`), else now for a worker marked present.
pub fn checkin(
    sent: Option<Option<DateTime<Utc>>>,
    status: Status,
    now: DateTime<Utc>,
) -> Option<DateTime<Utc>> {
    match sent {
        Some(given) => given,
        None if status == Status::Present => Some(now),
        None => None,
    }
}

/// The longest span one export covers.
pub const MAX_EXPORT_DAYS: i64 = 366;

/// The days an export covers: `from` (default 30 days before `to`) to `to`, or `None` when `from` is
/// after `to` or the span reaches [`MAX_EXPORT_DAYS`].
pub fn export_span(from: Option<NaiveDate>, to: NaiveDate) -> Option<(NaiveDate, NaiveDate)> {
    let from = from.unwrap_or_else(|| to.checked_sub_days(Days::new(30)).unwrap_or(to));
    (from <= to && (to - from).num_days() < MAX_EXPORT_DAYS).then_some((from, to))
}

/// One mark of the day, as the dashboard counts it.
#[derive(Debug, Clone, Copy)]
pub struct DayMark {
    pub status: Option<Status>,
    pub checkin: Option<DateTime<Utc>>,
    pub checkout: Option<DateTime<Utc>>,
}

/// The day's numbers of a site (API §5.16).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct DayCounts {
    pub present: usize,
    pub absent: usize,
    pub half_day: usize,
    pub on_leave: usize,
    /// Percent present of `assigned`, two decimals (0 without assignments).
    pub rate: f64,
    /// Present, checked in within 12 hours and not checked out.
    pub on_site: usize,
}

/// Counts the day's marks of a site with `assigned` workers, as of `now`.
pub fn day_counts(marks: &[DayMark], assigned: i64, now: DateTime<Utc>) -> DayCounts {
    let count = |status: Status| marks.iter().filter(|m| m.status == Some(status)).count();
    let present = count(Status::Present);
    let rate = if assigned == 0 {
        0.0
    } else {
        (present as f64 / assigned as f64 * 10_000.0).round() / 100.0
    };
    let since = now - Duration::hours(12);
    let on_site = marks
        .iter()
        .filter(|m| {
            m.status == Some(Status::Present)
                && m.checkout.is_none()
                && m.checkin.is_some_and(|t| t >= since)
        })
        .count();
    DayCounts {
        present,
        absent: count(Status::Absent),
        half_day: count(Status::HalfDay),
        on_leave: count(Status::OnLeave),
        rate,
        on_site,
    }
}

/// What a mark reads as on the dashboard's timeline.
pub fn timeline_event(status: Option<Status>) -> &'static str {
    if status == Some(Status::Present) {
        "worker_checked_in"
    } else {
        "worker_attendance_marked"
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(h: i64) -> DateTime<Utc> {
        DateTime::<Utc>::UNIX_EPOCH + Duration::hours(h)
    }

    #[test]
    fn statuses_read_back_as_stored() {
        for name in Status::NAMES {
            assert_eq!(Status::parse(name).map(Status::as_str), Some(name));
        }
        assert_eq!(Status::parse("late"), None);
    }

    #[test]
    fn a_present_mark_without_checkin_is_checked_in_now() {
        assert_eq!(checkin(None, Status::Present, at(5)), Some(at(5)));
        assert_eq!(checkin(None, Status::Absent, at(5)), None);
        assert_eq!(checkin(Some(None), Status::Present, at(5)), None);
        assert_eq!(
            checkin(Some(Some(at(1))), Status::Absent, at(5)),
            Some(at(1))
        );
    }

    #[test]
    fn an_export_spans_a_month_by_default_and_at_most_a_year() {
        let d = |s: &str| NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap_or_default();
        assert_eq!(
            export_span(None, d("2026-03-31")),
            Some((d("2026-03-01"), d("2026-03-31")))
        );
        assert_eq!(export_span(Some(d("2026-04-01")), d("2026-03-31")), None);
        assert!(export_span(Some(d("2025-03-31")), d("2026-03-30")).is_some());
        assert_eq!(export_span(Some(d("2025-03-30")), d("2026-03-31")), None);
    }

    #[test]
    fn the_day_counts_rate_and_who_is_on_site() {
        let mark = |status, checkin, checkout| DayMark {
            status: Some(status),
            checkin,
            checkout,
        };
        let marks = [
            mark(Status::Present, Some(at(20)), None),
            mark(Status::Present, Some(at(1)), None),
            mark(Status::Present, Some(at(20)), Some(at(21))),
            mark(Status::Absent, None, None),
            mark(Status::OnLeave, None, None),
        ];
        let counts = day_counts(&marks, 7, at(24));
        assert_eq!(
            counts,
            DayCounts {
                present: 3,
                absent: 1,
                half_day: 0,
                on_leave: 1,
                rate: 42.86,
                on_site: 1,
            }
        );
        assert_eq!(day_counts(&marks, 0, at(24)).rate, 0.0);
        assert_eq!(timeline_event(Some(Status::Present)), "worker_checked_in");
        assert_eq!(
            timeline_event(Some(Status::Absent)),
            "worker_attendance_marked"
        );
    }
}
