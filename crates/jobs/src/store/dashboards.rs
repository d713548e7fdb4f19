//! The role dashboards' numbers (API §11, DOMAIN §7), each dashboard a few indexed counts: jobs' own
//! bookings, jobs, payments and emergencies, and the read model the other services' events keep
//! (`dispatch_workers`: toggle, verification, last activity; `user_refs`: users, eKYC; `unread_counts`;
//! `site_refs` with `site_day_stats` and `site_assignment_counts`). Nothing here asks another service.
//! Days are UTC days ([`crate::domain::dashboard`]).

use crate::domain::dashboard::{self, badges, minutes_ago, rupees, Role};
use crate::error::{JobsError, Result};
use crate::schema::{bookings as b, contractor_refs, unread_counts, worker_refs};
use chrono::{DateTime, Duration, NaiveDate, Utc};
use diesel::sql_types::{BigInt, Bool, Date, Double, Nullable, Text, Timestamptz, Uuid as SqlUuid};
use diesel::{ExpressionMethods, OptionalExtension, QueryDsl, QueryResult, QueryableByName};
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use paperclip::actix::Apiv2Schema;
use serde::Serialize;
use uuid::Uuid;

/// The feature switches that zero dashboard metrics (CONFIG §2.5).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Switches {
    /// `ENABLE_PAYMENTS`: the worker's earnings (0.0 when off).
    pub payments: bool,
    /// `FEATURE_CONTRACTOR_SITES`: the contractor's site metrics (0 when off).
    pub sites: bool,
    /// `FEATURE_EMERGENCY`: emergency counts (0 when off).
    pub emergency: bool,
}

/// Today's bookings of the worker by status (API §11.1).
#[derive(Debug, Clone, Serialize, Apiv2Schema)]
pub struct TodayJobs {
    /// Bookings of the worker made today (UTC) that are `confirmed`.
    pub assigned: i64,
    /// ... that are `on_the_way`.
    pub on_the_way: i64,
    /// ... that are `completed`.
    pub completed: i64,
}

/// The worker's online state.
#[derive(Debug, Clone, Serialize, Apiv2Schema)]
pub struct Availability {
    /// The online toggle (API §5.5).
    pub is_available: bool,
    /// Whole minutes since the worker was last active (toggle, position, own profile edit); null if
    /// never.
    pub last_seen_minutes_ago: Option<i64>,
}

/// What the worker earned, in rupees (JSON numbers, 2 decimals).
#[derive(Debug, Clone, Serialize, Apiv2Schema)]
pub struct Earnings {
    /// Completed payments of the worker's bookings made today (UTC); 0.0 unless `ENABLE_PAYMENTS`.
    pub today: f64,
    /// ... made this calendar month (UTC); 0.0 unless `ENABLE_PAYMENTS`.
    pub month_to_date: f64,
}

/// `GET /api/v1/dashboard/worker/` (API §11.1); under 1 KB.
#[derive(Debug, Clone, Serialize, Apiv2Schema)]
pub struct WorkerDashboard {
    /// The caller.
    pub user_id: Uuid,
    /// The caller's unread notifications.
    pub unread_notifications: i64,
    pub today_jobs: TodayJobs,
    pub availability: Availability,
    pub earnings: Earnings,
    /// `verify_profile` until the back office verifies the profile, `complete_kyc` until the eKYC is
    /// `verified`.
    pub badges: Vec<String>,
}

/// A recent booking of the employer.
#[derive(Debug, Clone, Serialize, Apiv2Schema)]
pub struct RecentBooking {
    pub id: Uuid,
    /// `confirmed`, `on_the_way` or `arrived`.
    pub status: String,
    /// The booking's own estimate, minutes; null when none was given.
    pub eta_minutes: Option<i32>,
}

/// `GET /api/v1/dashboard/employer/` (API §11.2).
#[derive(Debug, Clone, Serialize, Apiv2Schema)]
pub struct EmployerDashboard {
    /// The caller.
    pub user_id: Uuid,
    pub unread_notifications: i64,
    /// The caller's bookings that are `requested`, `confirmed` or `on_the_way`.
    pub active_requests: i64,
    /// The caller's bookings that are `requested`.
    pub pending_confirmations: i64,
    /// The caller's 5 newest bookings that are `confirmed`, `on_the_way` or `arrived`.
    pub recent_bookings: Vec<RecentBooking>,
    /// The caller's emergency requests that are `open` or `dispatched` (0 when `FEATURE_EMERGENCY` is
    /// off).
    pub emergency_alerts: i64,
}

/// `GET /api/v1/dashboard/contractor/` (API §11.3).
#[derive(Debug, Clone, Serialize, Apiv2Schema)]
pub struct ContractorDashboard {
    /// The caller's contractor profile.
    pub contractor_id: Uuid,
    pub unread_notifications: i64,
    /// The contractor's active sites (0 when `FEATURE_CONTRACTOR_SITES` is off).
    pub active_sites: i64,
    /// Workers marked present today (UTC) at the contractor's sites (0 when the sites feature is off).
    pub workers_present_today: i64,
    /// Jobs of the contractor that are `open` or `assigned`.
    pub pending_job_requests: i64,
    /// Present today / active assignments across the contractor's sites × 100, 1 decimal, 0–100 (0.0
    /// without assignments or with the sites feature off).
    pub attendance_rate_percent: f64,
}

/// Placeholders of the reference (DOMAIN §7).
#[derive(Debug, Clone, Serialize, Apiv2Schema)]
pub struct SystemHealth {
    /// Always 0.
    pub queue_length: i64,
    /// Always null.
    pub last_seed_run: Option<String>,
}

/// `GET /api/v1/dashboard/admin/` (API §11.4).
#[derive(Debug, Clone, Serialize, Apiv2Schema)]
pub struct AdminDashboard {
    /// Users identity has announced.
    pub total_users: i64,
    /// Workers available and active within the last 30 minutes.
    pub total_workers_online: i64,
    /// Emergency requests `open` or `dispatched` (0 when `FEATURE_EMERGENCY` is off).
    pub open_emergencies: i64,
    /// Bookings made today (UTC).
    pub today_bookings: i64,
    pub system_health: SystemHealth,
}

/// How long after their last activity available workers still count as online (CONFIG §2.6).
pub const ONLINE_WINDOW_MINUTES: i64 = 30;

/// The worker profile of `user`, else 400 `User is not a worker`.
async fn worker_profile(conn: &mut AsyncPgConnection, user: Uuid) -> Result<Uuid> {
    worker_refs::table
        .filter(worker_refs::user_id.eq(user))
        .select(worker_refs::id)
        .first(conn)
        .await
        .optional()?
        .ok_or(JobsError::NotAWorkerUser)
}

/// The contractor profile of `user`, else 400 `User is not a contractor`.
async fn contractor_profile(conn: &mut AsyncPgConnection, user: Uuid) -> Result<Uuid> {
    contractor_refs::table
        .filter(contractor_refs::user_id.eq(user))
        .select(contractor_refs::id)
        .first(conn)
        .await
        .optional()?
        .ok_or(JobsError::NotAContractorUser)
}

/// `user`'s unread notifications, as notifications last announced them (0 until it has).
async fn unread(conn: &mut AsyncPgConnection, user: Uuid) -> QueryResult<i64> {
    Ok(unread_counts::table
        .find(user)
        .select(unread_counts::unread)
        .first(conn)
        .await
        .optional()?
        .unwrap_or(0))
}

/// The worker's facts in one round trip.
#[derive(Debug, QueryableByName)]
struct WorkerFacts {
    #[diesel(sql_type = Bool)]
    is_available: bool,
    #[diesel(sql_type = Bool)]
    is_verified: bool,
    #[diesel(sql_type = Nullable<Timestamptz>)]
    last_seen: Option<DateTime<Utc>>,
    #[diesel(sql_type = Text)]
    ekyc_status: String,
    #[diesel(sql_type = BigInt)]
    assigned: i64,
    #[diesel(sql_type = BigInt)]
    on_the_way: i64,
    #[diesel(sql_type = BigInt)]
    completed: i64,
}

/// The worker's earnings in one round trip.
#[derive(Debug, QueryableByName)]
struct Earned {
    #[diesel(sql_type = Double)]
    today: f64,
    #[diesel(sql_type = Double)]
    month: f64,
}

/// The worker dashboard of `user` at `now`; 400 when they have no worker profile.
pub async fn worker(
    conn: &mut AsyncPgConnection,
    user: Uuid,
    switches: Switches,
    now: DateTime<Utc>,
) -> Result<WorkerDashboard> {
    let profile = worker_profile(conn, user).await?;
    let (day, next) = dashboard::utc_day(now);
    // Raw SQL: the toggle and eKYC beside three filtered counts of the day's bookings (the index on
    // (worker_id, created_at)).
    let facts: WorkerFacts = diesel::sql_query(
        "SELECT coalesce(d.is_available, false) AS is_available,
                coalesce(d.is_verified, false) AS is_verified, d.last_seen,
                coalesce((SELECT u.ekyc_status FROM user_refs u WHERE u.id = $2), 'none') AS ekyc_status,
                t.assigned, t.on_the_way, t.completed
         FROM (SELECT $1::uuid AS id) w
         LEFT JOIN dispatch_workers d ON d.profile_id = w.id
         CROSS JOIN LATERAL (
             SELECT count(*) FILTER (WHERE b.status = 'confirmed') AS assigned,
                    count(*) FILTER (WHERE b.status = 'on_the_way') AS on_the_way,
                    count(*) FILTER (WHERE b.status = 'completed') AS completed
             FROM bookings b WHERE b.worker_id = w.id AND b.created_at >= $3 AND b.created_at < $4) t",
    )
    .bind::<SqlUuid, _>(profile)
    .bind::<SqlUuid, _>(user)
    .bind::<Timestamptz, _>(day)
    .bind::<Timestamptz, _>(next)
    .get_result(conn)
    .await?;
    let earnings = if switches.payments {
        // Raw SQL: sums of numeric money as double, filtered by day within the month.
        let earned: Earned = diesel::sql_query(
            "SELECT coalesce(sum(p.amount) FILTER (WHERE p.created_at >= $2 AND p.created_at < $3), 0)::float8
                        AS today,
                    coalesce(sum(p.amount), 0)::float8 AS month
             FROM payments p JOIN bookings b ON b.id = p.booking_id
             WHERE b.worker_id = $1 AND p.status = 'completed' AND p.created_at >= $4
               AND p.created_at < $3",
        )
        .bind::<SqlUuid, _>(profile)
        .bind::<Timestamptz, _>(day)
        .bind::<Timestamptz, _>(next)
        .bind::<Timestamptz, _>(dashboard::utc_month_start(now))
        .get_result(conn)
        .await?;
        Earnings {
            today: rupees(earned.today),
            month_to_date: rupees(earned.month),
        }
    } else {
        Earnings {
            today: 0.0,
            month_to_date: 0.0,
        }
    };
    Ok(WorkerDashboard {
        user_id: user,
        unread_notifications: unread(conn, user).await?,
        today_jobs: TodayJobs {
            assigned: facts.assigned,
            on_the_way: facts.on_the_way,
            completed: facts.completed,
        },
        availability: Availability {
            is_available: facts.is_available,
            last_seen_minutes_ago: minutes_ago(facts.last_seen, now),
        },
        earnings,
        // An unknown name is no verification.
        badges: badges(
            facts.is_verified,
            facts.ekyc_status.parse().unwrap_or_default(),
        )
        .into_iter()
        .map(str::to_owned)
        .collect(),
    })
}

/// The employer's booking counts.
#[derive(Debug, QueryableByName)]
struct Requests {
    #[diesel(sql_type = BigInt)]
    active: i64,
    #[diesel(sql_type = BigInt)]
    pending: i64,
}

/// The statuses of a booking still under way for its customer.
const ACTIVE: [&str; 3] = ["requested", "confirmed", "on_the_way"];
/// The statuses of a booking whose worker is coming or there.
const UNDER_WAY: [&str; 3] = ["confirmed", "on_the_way", "arrived"];

/// The employer dashboard of `user` (any role).
pub async fn employer(
    conn: &mut AsyncPgConnection,
    user: Uuid,
    switches: Switches,
) -> Result<EmployerDashboard> {
    // Raw SQL: two filtered counts over the caller's bookings (the index on (user_id, created_at)).
    let requests: Requests = diesel::sql_query(
        "SELECT count(*) AS active, count(*) FILTER (WHERE status = 'requested') AS pending
         FROM bookings WHERE user_id = $1 AND status = ANY($2)",
    )
    .bind::<SqlUuid, _>(user)
    .bind::<diesel::sql_types::Array<Text>, _>(ACTIVE.to_vec())
    .get_result(conn)
    .await?;
    let recent: Vec<(Uuid, String, Option<i32>)> = b::table
        .filter(b::user_id.eq(user))
        .filter(b::status.eq_any(UNDER_WAY))
        .order((b::created_at.desc(), b::id))
        .limit(5)
        .select((b::id, b::status, b::eta_minutes))
        .load(conn)
        .await?;
    let emergency_alerts = if switches.emergency {
        use crate::schema::emergency_requests as e;
        e::table
            .filter(e::created_by.eq(user))
            .filter(e::status.eq_any(["open", "dispatched"]))
            .count()
            .get_result(conn)
            .await?
    } else {
        0
    };
    Ok(EmployerDashboard {
        user_id: user,
        unread_notifications: unread(conn, user).await?,
        active_requests: requests.active,
        pending_confirmations: requests.pending,
        recent_bookings: recent
            .into_iter()
            .map(|(id, status, eta_minutes)| RecentBooking {
                id,
                status,
                eta_minutes,
            })
            .collect(),
        emergency_alerts,
    })
}

/// The contractor's numbers in one round trip.
#[derive(Debug, QueryableByName)]
struct ContractorFacts {
    #[diesel(sql_type = BigInt)]
    active_sites: i64,
    #[diesel(sql_type = BigInt)]
    present: i64,
    #[diesel(sql_type = BigInt)]
    assignments: i64,
    #[diesel(sql_type = BigInt)]
    pending_jobs: i64,
}

/// The contractor dashboard of `user` at `now`; 400 when they have no contractor profile. Sites are the
/// ones workforce announced (a site's numbers count once its site is known, and no longer once it is
/// deleted).
pub async fn contractor(
    conn: &mut AsyncPgConnection,
    user: Uuid,
    switches: Switches,
    now: DateTime<Utc>,
) -> Result<ContractorDashboard> {
    let profile = contractor_profile(conn, user).await?;
    let today: NaiveDate = now.date_naive();
    // Raw SQL: four counts by the indexes on site_refs (contractor), site_day_stats (site, day),
    // site_assignment_counts (site) and jobs (contractor, status).
    let facts: ContractorFacts = diesel::sql_query(
        "SELECT (SELECT count(*) FROM site_refs s WHERE s.contractor_id = $1 AND s.is_active) AS active_sites,
                (SELECT coalesce(sum(d.present), 0) FROM site_refs s
                 JOIN site_day_stats d ON d.site_id = s.id AND d.day = $2
                 WHERE s.contractor_id = $1)::bigint AS present,
                (SELECT coalesce(sum(a.active_assignments), 0) FROM site_refs s
                 JOIN site_assignment_counts a ON a.site_id = s.id
                 WHERE s.contractor_id = $1)::bigint AS assignments,
                (SELECT count(*) FROM jobs j
                 WHERE j.contractor_id = $1 AND j.status IN ('open', 'assigned')) AS pending_jobs",
    )
    .bind::<SqlUuid, _>(profile)
    .bind::<Date, _>(today)
    .get_result(conn)
    .await?;
    let (active_sites, present, rate) = if switches.sites {
        (
            facts.active_sites,
            facts.present,
            dashboard::attendance_rate(facts.present, facts.assignments),
        )
    } else {
        (0, 0, 0.0)
    };
    Ok(ContractorDashboard {
        contractor_id: profile,
        unread_notifications: unread(conn, user).await?,
        active_sites,
        workers_present_today: present,
        pending_job_requests: facts.pending_jobs,
        attendance_rate_percent: rate,
    })
}

/// The admin's numbers in one round trip.
#[derive(Debug, QueryableByName)]
struct AdminFacts {
    #[diesel(sql_type = BigInt)]
    total_users: i64,
    #[diesel(sql_type = BigInt)]
    online: i64,
    #[diesel(sql_type = BigInt)]
    open_emergencies: i64,
    #[diesel(sql_type = BigInt)]
    today_bookings: i64,
}

/// The admin dashboard at `now` (one for every admin).
pub async fn admin(
    conn: &mut AsyncPgConnection,
    switches: Switches,
    now: DateTime<Utc>,
) -> Result<AdminDashboard> {
    let (day, next) = dashboard::utc_day(now);
    // Raw SQL: four counts, each by an index (dispatch_workers (last_seen) WHERE is_available,
    // emergency_requests (status, …), bookings (created_at)).
    let facts: AdminFacts = diesel::sql_query(
        "SELECT (SELECT count(*) FROM user_refs) AS total_users,
                (SELECT count(*) FROM dispatch_workers WHERE is_available AND last_seen >= $1) AS online,
                (SELECT count(*) FROM emergency_requests WHERE status IN ('open', 'dispatched'))
                    AS open_emergencies,
                (SELECT count(*) FROM bookings WHERE created_at >= $2 AND created_at < $3) AS today_bookings",
    )
    .bind::<Timestamptz, _>(now - Duration::minutes(ONLINE_WINDOW_MINUTES))
    .bind::<Timestamptz, _>(day)
    .bind::<Timestamptz, _>(next)
    .get_result(conn)
    .await?;
    Ok(AdminDashboard {
        total_users: facts.total_users,
        total_workers_online: facts.online,
        open_emergencies: if switches.emergency {
            facts.open_emergencies
        } else {
            0
        },
        today_bookings: facts.today_bookings,
        system_health: SystemHealth {
            queue_length: 0,
            last_seed_run: None,
        },
    })
}

/// One point of the workers-online chart.
#[derive(Debug, Clone, Serialize, Apiv2Schema)]
pub struct OnlinePoint {
    /// ISO 8601 in the platform's time zone.
    pub at: String,
    /// Workers whose last availability change at or before `at` made them available.
    pub online: i64,
}

/// `GET /api/admin/dashboard/workers-online/`: workers online over a day, every 15 minutes.
#[derive(Debug, Clone, Serialize, Apiv2Schema)]
pub struct WorkersOnline {
    /// `YYYY-MM-DD`, a day in the platform's time zone.
    pub date: String,
    /// Always 15.
    pub interval_minutes: i64,
    /// 96 points from the day's midnight; points after now show the number online now.
    pub points: Vec<OnlinePoint>,
}

/// Workers online over `date` (a day in the platform's time zone).
pub async fn workers_online(
    conn: &mut AsyncPgConnection,
    date: NaiveDate,
) -> Result<WorkersOnline> {
    let points = dashboard::chart_points(date, &hm_platform::time::zone());
    let online = super::availability::online_at(conn, &points).await?;
    Ok(WorkersOnline {
        date: date.to_string(),
        interval_minutes: dashboard::CHART_STEP_MINUTES,
        points: points
            .into_iter()
            .zip(online)
            .map(|(at, online)| OnlinePoint {
                at: hm_platform::time::render(at),
                online,
            })
            .collect(),
    })
}

/// Which dashboard a role names, computed for `user` at `now` as JSON bytes (what the cache keeps and
/// serves verbatim).
pub async fn compute(
    conn: &mut AsyncPgConnection,
    role: Role,
    user: Uuid,
    switches: Switches,
    now: DateTime<Utc>,
) -> Result<Vec<u8>> {
    let json = match role {
        Role::Worker => serde_json::to_vec(&worker(conn, user, switches, now).await?),
        Role::Employer => serde_json::to_vec(&employer(conn, user, switches).await?),
        Role::Contractor => serde_json::to_vec(&contractor(conn, user, switches, now).await?),
        Role::Admin => serde_json::to_vec(&admin(conn, switches, now).await?),
    };
    // Structs of numbers and strings always serialize.
    json.map_err(|_| JobsError::DashboardUnavailable)
}
