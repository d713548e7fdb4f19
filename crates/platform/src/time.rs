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

#[cfg(test)]
mod tests {
    use chrono::TimeZone;

    #[test]
    fn renders_in_ist_without_zero_fractions() {
        let at = chrono::Utc.with_ymd_and_hms(2026, 1, 3, 10, 50, 5).single();
        assert_eq!(
            at.map(super::render).as_deref(),
            Some("2026-01-03T16:20:05+05:30")
        );
    }
}
