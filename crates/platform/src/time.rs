//! Times on the wire (API §1.3): stored UTC, rendered in India Standard Time.

use chrono::{DateTime, FixedOffset, SecondsFormat, Utc};

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

/// ISO-8601 input: with an offset or `Z`, or naive (then Asia/Kolkata), or a bare date (midnight IST).
pub fn parse_datetime(raw: &str) -> Option<DateTime<Utc>> {
    if let Ok(t) = DateTime::parse_from_rfc3339(raw) {
        return Some(t.with_timezone(&Utc));
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
    .or_else(|| {
        chrono::NaiveDate::parse_from_str(raw, "%Y-%m-%d")
            .ok()
            .and_then(|d| d.and_hms_opt(0, 0, 0))
    })?;
    naive
        .and_local_timezone(ist)
        .single()
        .map(|t| t.with_timezone(&Utc))
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
