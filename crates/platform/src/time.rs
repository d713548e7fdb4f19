//! Times on the wire (API §1.3): stored UTC, rendered in India Standard Time.

use chrono::{DateTime, Datelike, FixedOffset, NaiveDate, SecondsFormat, Utc};

/// Asia/Kolkata: UTC+05:30 all year (no daylight saving).
const IST_SECONDS: i32 = 5 * 3600 + 30 * 60;

pub fn render(at: DateTime<Utc>) -> String {
    match FixedOffset::east_opt(IST_SECONDS) {
        Some(ist) => at
            .with_timezone(&ist)
            .to_rfc3339_opts(SecondsFormat::AutoSi, false),
        None => at.to_rfc3339_opts(SecondsFormat::AutoSi, false),
    }
}

/// The years a date may have: Python's (and so the reference's) `date` range, inside PostgreSQL's.
const YEARS: std::ops::RangeInclusive<i32> = 1..=9999;

/// ISO-8601 input: with an offset or `Z`, or naive (then Asia/Kolkata), or a bare date (midnight IST);
/// years 1–9999 only.
pub fn parse_datetime(raw: &str) -> Option<DateTime<Utc>> {
    if !raw.starts_with(|c: char| c.is_ascii_digit()) {
        return None;
    }
    // The year is checked as written (midnight of 1 January of year 1 in India is still year 0 in UTC).
    if let Ok(t) = DateTime::parse_from_rfc3339(raw) {
        return YEARS.contains(&t.year()).then(|| t.with_timezone(&Utc));
    }
    let ist = FixedOffset::east_opt(IST_SECONDS)?;
    let naive = [
        "%Y-%m-%dT%H:%M:%S%.f",
        "%Y-%m-%dT%H:%M",
        "%Y-%m-%d %H:%M:%S%.f",
        "%Y-%m-%d %H:%M",
    ]
    .iter()
    .find_map(|f| chrono::NaiveDateTime::parse_from_str(raw, f).ok())
    .or_else(|| parse_date(raw).and_then(|d| d.and_hms_opt(0, 0, 0)))?;
    if !YEARS.contains(&naive.year()) {
        return None;
    }
    naive
        .and_local_timezone(ist)
        .single()
        .map(|t| t.with_timezone(&Utc))
}

/// A `YYYY-MM-DD` date (API §1.3), years 1–9999: four ASCII digits, no sign.
pub fn parse_date(raw: &str) -> Option<NaiveDate> {
    let b = raw.as_bytes();
    if b.len() != 10 || !b[..4].iter().all(u8::is_ascii_digit) {
        return None;
    }
    NaiveDate::parse_from_str(raw, "%Y-%m-%d")
        .ok()
        .filter(|d| YEARS.contains(&d.year()))
}

#[cfg(test)]
mod tests {
    use chrono::TimeZone;

    #[test]
    fn parses_offsets_and_naive_ist() {
        let utc = chrono::Utc.with_ymd_and_hms(2026, 1, 3, 10, 50, 5).single();
        assert_eq!(super::parse_datetime("2026-01-03T10:50:05Z"), utc);
        assert_eq!(super::parse_datetime("2026-01-03T16:20:05+05:30"), utc);
        assert_eq!(super::parse_datetime("2026-01-03T16:20:05"), utc);
        assert_eq!(super::parse_datetime("yesterday"), None);
        assert_eq!(super::parse_datetime("0000-01-01T00:00:00Z"), None);
        assert_eq!(super::parse_datetime("-5000-01-01T00:00:00"), None);
        assert_eq!(super::parse_datetime("+100000-01-01 00:00"), None);
        assert!(super::parse_datetime("9999-12-31").is_some());
        assert!(super::parse_datetime("0001-01-01").is_some());
    }

    #[test]
    fn dates_are_four_digit_years_from_one() {
        assert!(super::parse_date("2026-11-30").is_some());
        for bad in [
            "0000-01-01",
            "-001-01-01",
            "+2026-01-01",
            "२०२६-११-३०",
            "2026-1-30",
            "2026-02-30",
        ] {
            assert_eq!(super::parse_date(bad), None, "{bad}");
        }
    }

    #[test]
    fn renders_in_ist_without_zero_fractions() {
        let at = chrono::Utc.with_ymd_and_hms(2026, 1, 3, 10, 50, 5).single();
        assert_eq!(
            at.map(super::render).as_deref(),
            Some("2026-01-03T16:20:05+05:30")
        );
    }
}
