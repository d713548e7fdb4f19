//! Role dashboards (API §11, DOMAIN §7): which dashboards exist and where their cached copies live, the
//! days they count, and the rules that turn counted rows into the metrics (badges, "last seen", the
//! attendance rate, earnings, the workers-online chart), free of I/O.
//!
//! "Today" is the UTC calendar day (DOMAIN §0 and §7, the day site attendance is dated by), for every
//! metric of every role dashboard; the workers-online chart is a staff chart of a day in the platform's
//! time zone (`TIME_ZONE`), as the back office's other numbers are.

use chrono::{DateTime, Datelike, Duration, NaiveDate, TimeZone, Utc};
use hm_contracts::EkycStatus;

/// The four role dashboards, as their paths and cache keys name them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    Worker,
    Employer,
    Contractor,
    Admin,
}

impl Role {
    pub const ALL: [Role; 4] = [Role::Worker, Role::Employer, Role::Contractor, Role::Admin];

    /// The names the cache-clear body accepts (API §11.5).
    pub const NAMES: [&'static str; 4] = ["worker", "employer", "contractor", "admin"];

    pub fn as_str(self) -> &'static str {
        match self {
            Role::Worker => "worker",
            Role::Employer => "employer",
            Role::Contractor => "contractor",
            Role::Admin => "admin",
        }
    }

    pub fn parse(name: &str) -> Option<Role> {
        Self::ALL.into_iter().find(|r| r.as_str() == name)
    }

    /// The cache key (under jobs' Redis prefix) of the dashboard of `user` (DOMAIN §7): the admin
    /// dashboard is one for everyone.
    pub fn key(self, user: uuid::Uuid) -> String {
        match self {
            Role::Admin => "dashboard:admin:global".to_owned(),
            other => format!("dashboard:{}:{user}", other.as_str()),
        }
    }
}

/// The suffix of a dashboard's stale copy: served when recomputing fails (API §1.8).
pub const STALE: &str = ":stale";

/// What the cache-clear endpoint (API §11.5) deletes, hot and stale copies alike: the recommended
/// clear-by-prefix.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Clearing {
    /// One user's dashboard of one role (the admin dashboard: the global one).
    One(Role, uuid::Uuid),
    /// Every user's dashboard of one role.
    Role(Role),
    /// Every role's dashboard of one user.
    User(uuid::Uuid),
    /// Every dashboard.
    All,
}

impl Clearing {
    /// What a body with `role` and `user_id` (each optional) clears.
    pub fn of(role: Option<Role>, user: Option<uuid::Uuid>) -> Clearing {
        match (role, user) {
            (Some(Role::Admin), _) => Clearing::One(Role::Admin, uuid::Uuid::nil()),
            (Some(role), Some(user)) => Clearing::One(role, user),
            (Some(role), None) => Clearing::Role(role),
            (None, Some(user)) => Clearing::User(user),
            (None, None) => Clearing::All,
        }
    }

    /// The exact keys (hot and stale) it deletes, when it names them; `None` when it goes by pattern.
    pub fn keys(&self) -> Option<Vec<String>> {
        let both = |key: String| [format!("{key}{STALE}"), key];
        match self {
            Clearing::One(role, user) => Some(both(role.key(*user)).to_vec()),
            Clearing::User(user) => Some(
                Role::ALL
                    .iter()
                    .filter(|r| **r != Role::Admin)
                    .flat_map(|r| both(r.key(*user)))
                    .collect(),
            ),
            Clearing::Role(_) | Clearing::All => None,
        }
    }

    /// The key pattern (a Redis glob, after jobs' prefix) it deletes by `SCAN`, when it goes by one.
    pub fn pattern(&self) -> Option<String> {
        match self {
            Clearing::Role(role) => Some(format!("dashboard:{}:*", role.as_str())),
            Clearing::All => Some("dashboard:*".to_owned()),
            Clearing::One(..) | Clearing::User(_) => None,
        }
    }
}

/// A Redis glob matching `literal` exactly (its `*`, `?`, `[`, `]` and `\` escaped): a key prefix as the
/// start of a `SCAN MATCH` pattern.
pub fn glob_literal(literal: &str) -> String {
    let mut escaped = String::with_capacity(literal.len());
    for c in literal.chars() {
        if matches!(c, '*' | '?' | '[' | ']' | '\\') {
            escaped.push('\\');
        }
        escaped.push(c);
    }
    escaped
}

/// The UTC day `now` falls in, as the half-open interval `[start, end)`.
pub fn utc_day(now: DateTime<Utc>) -> (DateTime<Utc>, DateTime<Utc>) {
    let start = Utc.from_utc_datetime(&now.date_naive().and_time(chrono::NaiveTime::MIN));
    (start, start + Duration::days(1))
}

/// The start of the UTC calendar month `now` falls in.
pub fn utc_month_start(now: DateTime<Utc>) -> DateTime<Utc> {
    let first = now.date_naive().with_day(1).unwrap_or(now.date_naive());
    Utc.from_utc_datetime(&first.and_time(chrono::NaiveTime::MIN))
}

/// The worker dashboard's badges (DOMAIN §7): `verify_profile` until the back office verifies the
/// profile, `complete_kyc` until the user's eKYC is `verified`.
pub fn badges(is_verified: bool, ekyc: EkycStatus) -> Vec<&'static str> {
    let mut badges = Vec::with_capacity(2);
    if !is_verified {
        badges.push("verify_profile");
    }
    if ekyc != EkycStatus::Verified {
        badges.push("complete_kyc");
    }
    badges
}

/// Whole minutes from `last_seen` to `now` (0 for a time in the future); `None` if never seen.
pub fn minutes_ago(last_seen: Option<DateTime<Utc>>, now: DateTime<Utc>) -> Option<i64> {
    last_seen.map(|seen| (now - seen).num_minutes().max(0))
}

/// `present / active assignments × 100`, rounded to 1 decimal (half away from zero), 0.0 without
/// assignments, at most 100 (attendance can be marked for workers not assigned: DOMAIN §3.5).
pub fn attendance_rate(present: i64, active_assignments: i64) -> f64 {
    if active_assignments <= 0 {
        return 0.0;
    }
    let percent = present.max(0) as f64 * 100.0 / active_assignments as f64;
    ((percent * 10.0).round() / 10.0).min(100.0)
}

/// Rupees as the worker dashboard shows them (a JSON number, 2 decimals).
pub fn rupees(amount: f64) -> f64 {
    (amount * 100.0).round() / 100.0
}

/// How long apart the workers-online chart's points are, and how many a day has.
pub const CHART_STEP_MINUTES: i64 = 15;
pub const CHART_POINTS: usize = 96;

/// The instants of the workers-online chart of `date` in `zone`: its local midnight and every 15
/// minutes after, 96 of them.
pub fn chart_points<Z: TimeZone>(date: NaiveDate, zone: &Z) -> Vec<DateTime<Utc>> {
    let midnight = date.and_time(chrono::NaiveTime::MIN);
    let start = zone
        .from_local_datetime(&midnight)
        .earliest()
        .map(|t| t.with_timezone(&Utc))
        // A zone whose clocks skip midnight that day: the chart starts at UTC midnight instead.
        .unwrap_or_else(|| Utc.from_utc_datetime(&midnight));
    (0..CHART_POINTS as i64)
        .map(|i| start + Duration::minutes(i * CHART_STEP_MINUTES))
        .collect()
}

/// The availability changes after the chart's first point go in buckets: bucket `j` (1..=95) holds the
/// changes in `(point j−1, point j]`, the last bucket (`CHART_POINTS`) those after the last point. A
/// change `steps` chart steps after the first point, rounded up (`ceil(seconds / 900)`), is in this
/// bucket.
pub fn chart_bucket(steps: i64) -> usize {
    usize::try_from(steps.max(1)).map_or(CHART_POINTS, |b| b.min(CHART_POINTS))
}

/// Workers online at each chart point, from the number online now and the net change (+1 went
/// online, −1 went offline) of each bucket of [`chart_bucket`]: online at point `i` = online now minus
/// every change after it.
pub fn online_series(online_now: i64, changes: &[(usize, i64)]) -> Vec<i64> {
    let mut after = vec![0i64; CHART_POINTS + 1];
    for &(bucket, delta) in changes {
        if let Some(slot) = after.get_mut(bucket) {
            *slot += delta;
        }
    }
    // Suffix sums: the changes after point i are those of buckets i+1..=CHART_POINTS.
    let mut series = vec![0i64; CHART_POINTS];
    let mut later = 0i64;
    for i in (0..CHART_POINTS).rev() {
        later += after[i + 1];
        series[i] = (online_now - later).max(0);
    }
    series
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s)
            .map(|t| t.with_timezone(&Utc))
            .unwrap_or_else(|e| panic!("{e}"))
    }

    #[test]
    fn keys_and_clearing_follow_the_spec() {
        let user = uuid::Uuid::from_u128(7);
        assert_eq!(Role::Worker.key(user), format!("dashboard:worker:{user}"));
        assert_eq!(Role::Admin.key(user), "dashboard:admin:global");
        assert_eq!(Role::parse("employer"), Some(Role::Employer));
        assert_eq!(Role::parse("staff"), None);
        let one = Clearing::of(Some(Role::Contractor), Some(user));
        assert_eq!(
            one.keys(),
            Some(vec![
                format!("dashboard:contractor:{user}:stale"),
                format!("dashboard:contractor:{user}")
            ])
        );
        assert_eq!(
            Clearing::of(Some(Role::Admin), None)
                .keys()
                .map(|k| k.len()),
            Some(2)
        );
        assert_eq!(
            Clearing::of(Some(Role::Worker), None).pattern().as_deref(),
            Some("dashboard:worker:*")
        );
        assert_eq!(
            Clearing::of(None, Some(user)).keys().map(|k| k.len()),
            Some(6)
        );
        assert_eq!(
            Clearing::of(None, None).pattern().as_deref(),
            Some("dashboard:*")
        );
        assert_eq!(glob_literal("a*b?[c]\\"), "a\\*b\\?\\[c\\]\\\\");
    }

    #[test]
    fn days_are_utc() {
        let (start, end) = utc_day(at("2026-01-03T23:59:59+05:30"));
        assert_eq!(start, at("2026-01-03T00:00:00Z"));
        assert_eq!(end, at("2026-01-04T00:00:00Z"));
        // 00:30 in India is still the previous UTC day.
        assert_eq!(
            utc_day(at("2026-01-04T00:30:00+05:30")).0,
            at("2026-01-03T00:00:00Z")
        );
        assert_eq!(
            utc_month_start(at("2026-02-17T10:00:00Z")),
            at("2026-02-01T00:00:00Z")
        );
    }

    #[test]
    fn badges_minutes_rates_and_rupees() {
        assert_eq!(
            badges(false, EkycStatus::None),
            ["verify_profile", "complete_kyc"]
        );
        assert_eq!(badges(true, EkycStatus::OcrScanned), ["complete_kyc"]);
        assert!(badges(true, EkycStatus::Verified).is_empty());
        let now = at("2026-01-03T10:00:00Z");
        assert_eq!(minutes_ago(None, now), None);
        assert_eq!(minutes_ago(Some(at("2026-01-03T09:54:59Z")), now), Some(5));
        assert_eq!(minutes_ago(Some(at("2026-01-03T10:00:30Z")), now), Some(0));
        assert_eq!(attendance_rate(0, 0), 0.0);
        assert_eq!(attendance_rate(2, 3), 66.7);
        assert_eq!(attendance_rate(1, 3), 33.3);
        assert_eq!(attendance_rate(173, 200), 86.5);
        assert_eq!(attendance_rate(5, 4), 100.0);
        assert_eq!(rupees(1234.5678), 1234.57);
    }

    #[test]
    fn the_chart_counts_back_from_now() {
        let points = chart_points(
            NaiveDate::from_ymd_opt(2026, 1, 3).unwrap_or_default(),
            &chrono_offset(),
        );
        assert_eq!(points.len(), 96);
        assert_eq!(points[0], at("2026-01-02T18:30:00Z"));
        assert_eq!(points[95], at("2026-01-03T18:15:00Z"));
        assert_eq!(chart_bucket(0), 1);
        assert_eq!(chart_bucket(1), 1, "(first point, second point]");
        assert_eq!(chart_bucket(2), 2);
        assert_eq!(chart_bucket(1_000_000), 96);
        // One worker online since before the day, one online from 00:20 to 01:00 (buckets 2 and 4),
        // and the first went offline after the day ended: nobody is online now.
        let series = online_series(0, &[(2, 1), (4, -1), (96, -1)]);
        assert_eq!(&series[..5], &[1, 1, 2, 2, 1]);
        assert_eq!(series[95], 1);
    }

    fn chrono_offset() -> chrono::FixedOffset {
        chrono::FixedOffset::east_opt(5 * 3600 + 1800).unwrap_or_else(|| panic!("offset"))
    }
}
