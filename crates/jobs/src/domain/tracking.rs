//! Live tracking of a booking's worker (API §7.7, DOMAIN §4.3): the position a worker posts and who may
//! post it.

use chrono::{DateTime, Utc};
use std::time::Duration;

/// A live position: degrees (−90..90, −180..180) and when it was taken.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Position {
    pub lat: f64,
    pub lng: f64,
    pub timestamp: DateTime<Utc>,
}

/// At most one position per booking and user in this window (API §1.7's recommended limit); a second
/// one within it is 429.
pub const WINDOW: Duration = Duration::from_secs(2);

/// The message of a position taken later than now.
pub const FUTURE_TIMESTAMP: &str = "Timestamp cannot be in the future";

/// Whether a position taken at `timestamp` may be posted at `now`: never one from the future.
pub fn timestamp_allowed(timestamp: DateTime<Utc>, now: DateTime<Utc>) -> bool {
    timestamp <= now
}

/// The whole seconds a client waits for `left` (at least 1): `Retry-After` and the 429's text.
pub fn wait_secs(left: Duration) -> u64 {
    left.as_millis().div_ceil(1000).max(1) as u64
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_position_is_never_from_the_future() {
        let now = Utc::now();
        assert!(timestamp_allowed(now, now));
        assert!(timestamp_allowed(now - chrono::Duration::minutes(5), now));
        assert!(!timestamp_allowed(now + chrono::Duration::seconds(1), now));
    }

    #[test]
    fn waits_are_whole_seconds_rounded_up() {
        assert_eq!(wait_secs(Duration::from_millis(1)), 1);
        assert_eq!(wait_secs(Duration::from_millis(1000)), 1);
        assert_eq!(wait_secs(Duration::from_millis(1001)), 2);
        assert_eq!(wait_secs(WINDOW), 2);
    }
}
