//! What the back office reads of workforce (issue #9): the admin listings and the dashboard's numbers.

use crate::domain::workers::Availability;
use hm_platform::admin::{Filter, Listing, BOOL};
use paperclip::actix::Apiv2Schema;
use serde::{Deserialize, Serialize};
use std::marker::PhantomData;
use uuid::Uuid;

/// A worker profile as the back office lists it (`WORKERS`).
#[derive(Debug, Deserialize, Serialize, Apiv2Schema)]
#[serde(deny_unknown_fields)]
pub struct WorkerRow {
    pub id: Uuid,
    pub user_id: Uuid,
    /// First and last name (empty when unknown).
    pub user_name: String,
    /// `null` until identity's user reaches workforce.
    pub user_phone: Option<String>,
    /// `available`, `busy`, `offline` or `unavailable`.
    pub availability_status: String,
    pub is_available: bool,
    pub is_verified: bool,
    /// 0–5.
    pub rating: f64,
    pub total_jobs_completed: i64,
    pub experience_years: i64,
    pub price_amount: Option<f64>,
    /// `per_hour`, `per_day` or `per_job`.
    pub price_type: String,
    pub latitude: Option<f64>,
    pub longitude: Option<f64>,
    /// ISO 8601 with offset, as Postgres writes it.
    pub last_seen: Option<String>,
    pub created_at: String,
}

/// The admin listing of worker profiles.
pub const WORKERS: Listing<WorkerRow> = Listing {
    select: "SELECT w.id, w.user_id, trim(coalesce(u.first_name, '') || ' ' || coalesce(u.last_name, '')) AS user_name,
             u.phone AS user_phone, w.availability_status, w.is_available, w.is_verified, w.rating,
             w.total_jobs_completed, w.experience_years, w.price_amount, w.price_type, w.latitude, w.longitude,
             w.last_seen, w.created_at
             FROM worker_profiles w LEFT JOIN user_refs u ON u.id = w.user_id",
    id: "w.id",
    search: &["u.phone", "u.first_name", "u.last_name", "w.bio"],
    filters: &[
        Filter { param: "availability_status", column: "w.availability_status",
                 choices: Some(&Availability::NAMES) },
        Filter { param: "is_available", column: "w.is_available", choices: BOOL },
        Filter { param: "is_verified", column: "w.is_verified", choices: BOOL },
    ],
    order: "w.created_at DESC, w.id",
    row: PhantomData,
};

/// A contractor profile as the back office lists it (`CONTRACTORS`).
#[derive(Debug, Deserialize, Serialize, Apiv2Schema)]
#[serde(deny_unknown_fields)]
pub struct ContractorRow {
    pub id: Uuid,
    pub user_id: Uuid,
    /// First and last name (empty when unknown).
    pub user_name: String,
    /// `null` until identity's user reaches workforce.
    pub user_phone: Option<String>,
    pub company_name: String,
    pub license_number: String,
    pub gst_number: String,
    pub city: String,
    pub state: String,
    /// 0–5.
    pub rating: f64,
    pub total_projects: i64,
    pub is_active: bool,
    /// ISO 8601 with offset, as Postgres writes it.
    pub created_at: String,
}

/// The admin listing of contractor profiles.
pub const CONTRACTORS: Listing<ContractorRow> = Listing {
    select: "SELECT c.id, c.user_id, trim(coalesce(u.first_name, '') || ' ' || coalesce(u.last_name, '')) AS user_name,
             u.phone AS user_phone, c.company_name, c.license_number, c.gst_number, c.city, c.state,
             c.rating, c.total_projects, c.is_active, c.created_at
             FROM contractor_profiles c LEFT JOIN user_refs u ON u.id = c.user_id",
    id: "c.id",
    search: &["c.company_name", "c.city", "u.phone", "u.first_name", "u.last_name"],
    filters: &[Filter { param: "is_active", column: "c.is_active", choices: BOOL }],
    order: "c.created_at DESC, c.id",
    row: PhantomData,
};

/// A site as the back office lists it (`SITES`).
#[derive(Debug, Deserialize, Serialize, Apiv2Schema)]
#[serde(deny_unknown_fields)]
pub struct SiteRow {
    pub id: Uuid,
    pub contractor_id: Uuid,
    /// The contractor's company name.
    pub company_name: Option<String>,
    pub name: String,
    pub address: String,
    pub lat: Option<f64>,
    pub lng: Option<f64>,
    pub phone: String,
    pub is_active: bool,
    /// `YYYY-MM-DD`
    pub start_date: Option<String>,
    pub end_date: Option<String>,
    /// ISO 8601 with offset, as Postgres writes it.
    pub created_at: String,
}

/// The admin listing of sites.
pub const SITES: Listing<SiteRow> = Listing {
    select:
        "SELECT s.id, s.contractor_id, c.company_name, s.name, s.address, s.lat, s.lng, s.phone,
             s.is_active, s.start_date, s.end_date, s.created_at
             FROM sites s LEFT JOIN contractor_profiles c ON c.id = s.contractor_id",
    id: "s.id",
    search: &["s.name", "s.address", "c.company_name"],
    filters: &[
        Filter {
            param: "is_active",
            column: "s.is_active",
            choices: BOOL,
        },
        Filter {
            param: "contractor",
            column: "s.contractor_id",
            choices: None,
        },
    ],
    order: "s.created_at DESC, s.id",
    row: PhantomData,
};

/// A kiosk as the back office lists it (`KIOSKS`; never its token).
#[derive(Debug, Deserialize, Serialize, Apiv2Schema)]
#[serde(deny_unknown_fields)]
pub struct KioskRow {
    pub id: Uuid,
    pub contractor_id: Option<Uuid>,
    pub site_id: Option<Uuid>,
    pub site_name: Option<String>,
    pub device_uuid: String,
    pub location_name: String,
    pub address: String,
    pub latitude: Option<f64>,
    pub longitude: Option<f64>,
    /// Metres.
    pub geofence_radius_m: i64,
    pub is_active: bool,
    /// ISO 8601 with offset, as Postgres writes it.
    pub created_at: String,
    pub updated_at: String,
}

/// The admin listing of kiosks.
pub const KIOSKS: Listing<KioskRow> = Listing {
    select: "SELECT k.id, k.contractor_id, k.site_id, s.name AS site_name, k.device_uuid, k.location_name,
             k.address, k.latitude, k.longitude, k.geofence_radius_m, k.is_active, k.created_at, k.updated_at
             FROM kiosks k LEFT JOIN sites s ON s.id = k.site_id",
    id: "k.id",
    search: &["k.location_name", "k.device_uuid", "k.address", "s.name"],
    filters: &[Filter { param: "is_active", column: "k.is_active", choices: BOOL }],
    order: "k.created_at DESC, k.id",
    row: PhantomData,
};

/// The dashboard's numbers of workforce (`STATS`).
#[derive(Debug, Deserialize, Serialize, Apiv2Schema)]
#[serde(deny_unknown_fields)]
pub struct WorkforceStats {
    pub workers: i64,
    /// Workers with the online toggle on.
    pub workers_available_now: i64,
    pub contractors: i64,
    pub sites_active: i64,
    pub kiosks_active: i64,
    /// Kiosk check-ins since the start of today in the platform's time zone.
    pub kiosk_check_ins_today: i64,
}

/// The dashboard's numbers, one JSON document (a [`WorkforceStats`]).
pub const STATS: &str = "SELECT jsonb_build_object(
             'workers', (SELECT count(*) FROM worker_profiles),
             'workers_available_now', (SELECT count(*) FROM worker_profiles WHERE is_available),
             'contractors', (SELECT count(*) FROM contractor_profiles),
             'sites_active', (SELECT count(*) FROM sites WHERE is_active),
             'kiosks_active', (SELECT count(*) FROM kiosks WHERE is_active),
             'kiosk_check_ins_today', (SELECT count(*) FROM attendance_logs
                 WHERE check_in >= date_trunc('day', now()))
         ) AS row";
