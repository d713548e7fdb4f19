//! Worker profiles (DOMAIN §3.1): the statuses and price types a profile holds, stored as their
//! snake_case names.

use bigdecimal::{BigDecimal, RoundingMode};
use std::str::FromStr;

/// A worker's availability status (kept apart from the online toggle, DOMAIN §3.1).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Availability {
    Available,
    Busy,
    #[default]
    Offline,
    Unavailable,
}

impl Availability {
    /// Every status as stored.
    pub const NAMES: [&'static str; 4] = ["available", "busy", "offline", "unavailable"];

    /// The stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            Availability::Available => "available",
            Availability::Busy => "busy",
            Availability::Offline => "offline",
            Availability::Unavailable => "unavailable",
        }
    }

    /// The status of a stored name.
    pub fn parse(name: &str) -> Option<Availability> {
        match name {
            "available" => Some(Availability::Available),
            "busy" => Some(Availability::Busy),
            "offline" => Some(Availability::Offline),
            "unavailable" => Some(Availability::Unavailable),
            _ => None,
        }
    }
}

/// What a worker's price is for.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum PriceType {
    PerHour,
    #[default]
    PerDay,
    PerJob,
}

impl PriceType {
    /// Every price type as stored.
    pub const NAMES: [&'static str; 3] = ["per_hour", "per_day", "per_job"];

    /// The stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            PriceType::PerHour => "per_hour",
            PriceType::PerDay => "per_day",
            PriceType::PerJob => "per_job",
        }
    }

    /// The price type of a stored name.
    pub fn parse(name: &str) -> Option<PriceType> {
        match name {
            "per_hour" => Some(PriceType::PerHour),
            "per_day" => Some(PriceType::PerDay),
            "per_job" => Some(PriceType::PerJob),
            _ => None,
        }
    }
}

/// A worker's rating after one more customer rating (DOMAIN §3.1): the running average of `count`
/// ratings averaging `average` and `rating` (1–5), rounded half up to the column's 2 decimals. The
/// rating is read as its shortest decimal form (`4.3`, not the binary 4.2999…); Postgres' own float8 to
/// numeric conversion, which the old SQL used, keeps 15 significant digits: the two agree for any rating
/// a client sends (at most 15 significant digits).
pub fn running_average(average: &BigDecimal, count: i32, rating: f64) -> BigDecimal {
    let rating = BigDecimal::from_str(&rating.to_string()).unwrap_or_default();
    let total = average * BigDecimal::from(count) + rating;
    (total / BigDecimal::from(count + 1)).with_scale_round(2, RoundingMode::HalfUp)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_rating_moves_the_average_by_its_share() {
        let avg = |s: &str| BigDecimal::from_str(s).unwrap_or_default();
        assert_eq!(running_average(&avg("0"), 0, 4.0), avg("4.00"));
        assert_eq!(running_average(&avg("4.00"), 1, 5.0), avg("4.50"));
        assert_eq!(running_average(&avg("4.50"), 2, 3.0), avg("4.00"));
        // 4.3 is 4.3, not 4.29999…: (4.00 × 2 + 4.3) / 3 = 4.1 exactly.
        assert_eq!(running_average(&avg("4.00"), 2, 4.3), avg("4.10"));
        // Half up at the second decimal: (4.00 + 4.01) / 2 = 4.005 → 4.01.
        assert_eq!(running_average(&avg("4.00"), 1, 4.01), avg("4.01"));
    }

    #[test]
    fn names_read_back_as_stored() {
        for name in Availability::NAMES {
            assert_eq!(
                Availability::parse(name).map(Availability::as_str),
                Some(name)
            );
        }
        for name in PriceType::NAMES {
            assert_eq!(PriceType::parse(name).map(PriceType::as_str), Some(name));
        }
        assert_eq!(Availability::parse("asleep"), None);
        assert_eq!(PriceType::parse("per_week"), None);
    }

    #[test]
    fn a_new_profile_is_offline_and_priced_per_day() {
        assert_eq!(Availability::default(), Availability::Offline);
        assert_eq!(PriceType::default(), PriceType::PerDay);
    }
}
