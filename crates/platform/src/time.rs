//! Times on the wire (API §1.3): stored UTC, rendered in India Standard Time.

use chrono::{DateTime, Datelike, NaiveDate, SecondsFormat, Utc};
use chrono_tz::Tz;
use once_cell::sync::Lazy;

/// The zone times are shown and read in (ARCHITECTURE §4): `TIME_ZONE`, an IANA name, default
/// `Asia/Kolkata`. Read once; a service refuses to start with one it does not know ([`check_zone`]).
static ZONE: Lazy<Tz> = Lazy::new(|| configured_zone().unwrap_or(chrono_tz::Asia::Kolkata));

fn configured_zone() -> Result<Tz, String> {
    match std::env::var("TIME_ZONE") {
        Ok(name) if !name.trim().is_empty() => name.trim().parse::<Tz>().map_err(|e| e.to_string()),
        _ => Ok(chrono_tz::Asia::Kolkata),
    }
}

/// `TIME_ZONE` names a zone (checked at start-up, so a typo is a one-line failure, not UTC forever).
pub fn check_zone() -> Result<(), crate::config::ConfigError> {
    configured_zone()
        .map(|_| ())
        .map_err(|reason| crate::config::ConfigError::Invalid {
            name: "TIME_ZONE",
            value: std::env::var("TIME_ZONE").unwrap_or_default(),
            reason,
        })
}

/// The configured zone.
pub fn zone() -> Tz {
    *ZONE
}

/// `at` in the configured zone (for clocks shown to people: `09:02 AM`).
pub fn local(at: DateTime<Utc>) -> DateTime<Tz> {
    at.with_timezone(&zone())
}

/// An entity's datetime on the wire (API §1.3): ISO-8601 in the configured zone, microseconds only when
/// not zero.
pub fn render(at: DateTime<Utc>) -> String {
    local(at).to_rfc3339_opts(SecondsFormat::AutoSi, false)
}

/// The years a date may have: Python's (and so the reference's) `date` range, inside PostgreSQL's.
const YEARS: std::ops::RangeInclusive<i32> = 1..=9999;

/// ISO-8601 input: with an offset or `Z`, or naive (then in the configured zone), or a bare date (its
/// midnight there);
/// years 1–9999 only.
pub fn parse_datetime(raw: &str) -> Option<DateTime<Utc>> {
    if !raw.starts_with(|c: char| c.is_ascii_digit()) {
        return None;
    }
    // The year is checked as written (midnight of 1 January of year 1 in India is still year 0 in UTC).
    if let Ok(t) = DateTime::parse_from_rfc3339(raw) {
        return YEARS.contains(&t.year()).then(|| t.with_timezone(&Utc));
    }
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
        .and_local_timezone(zone())
        .earliest()
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
