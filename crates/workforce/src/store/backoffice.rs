//! What the back office reads of workforce (issue #9): the admin listings and the dashboard's numbers.

use hm_platform::admin::{Filter, Listing, BOOL};

pub const WORKERS: Listing = Listing {
    select: "SELECT w.id, w.user_id, trim(coalesce(u.first_name, '') || ' ' || coalesce(u.last_name, '')) AS user_name,
             u.phone AS user_phone, w.availability_status, w.is_available, w.is_verified, w.rating,
             w.total_jobs_completed, w.experience_years, w.price_amount, w.price_type, w.latitude, w.longitude,
             w.last_seen, w.created_at
             FROM worker_profiles w LEFT JOIN user_refs u ON u.id = w.user_id",
    id: "w.id",
    search: &["u.phone", "u.first_name", "u.last_name", "w.bio"],
    filters: &[
        Filter { param: "availability_status", column: "w.availability_status",
                 choices: Some(&["available", "busy", "offline", "unavailable"]) },
        Filter { param: "is_available", column: "w.is_available", choices: BOOL },
        Filter { param: "is_verified", column: "w.is_verified", choices: BOOL },
    ],
    order: "w.created_at DESC, w.id",
};

pub const CONTRACTORS: Listing = Listing {
    select: "SELECT c.id, c.user_id, trim(coalesce(u.first_name, '') || ' ' || coalesce(u.last_name, '')) AS user_name,
             u.phone AS user_phone, c.company_name, c.license_number, c.gst_number, c.city, c.state,
             c.rating, c.total_projects, c.is_active, c.created_at
             FROM contractor_profiles c LEFT JOIN user_refs u ON u.id = c.user_id",
    id: "c.id",
    search: &["c.company_name", "c.city", "u.phone", "u.first_name", "u.last_name"],
    filters: &[Filter { param: "is_active", column: "c.is_active", choices: BOOL }],
    order: "c.created_at DESC, c.id",
};

pub const SITES: Listing = Listing {
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
};

pub const KIOSKS: Listing = Listing {
    select: "SELECT k.id, k.contractor_id, k.site_id, s.name AS site_name, k.device_uuid, k.location_name,
             k.address, k.latitude, k.longitude, k.geofence_radius_m, k.is_active, k.created_at, k.updated_at
             FROM kiosks k LEFT JOIN sites s ON s.id = k.site_id",
    id: "k.id",
    search: &["k.location_name", "k.device_uuid", "k.address", "s.name"],
    filters: &[Filter { param: "is_active", column: "k.is_active", choices: BOOL }],
    order: "k.created_at DESC, k.id",
};

/// The dashboard's numbers, one JSON document.
pub const STATS: &str = "SELECT jsonb_build_object(
             'workers', (SELECT count(*) FROM worker_profiles),
             'workers_available_now', (SELECT count(*) FROM worker_profiles WHERE is_available),
             'contractors', (SELECT count(*) FROM contractor_profiles),
             'sites_active', (SELECT count(*) FROM sites WHERE is_active),
             'kiosks_active', (SELECT count(*) FROM kiosks WHERE is_active),
             'kiosk_check_ins_today', (SELECT count(*) FROM attendance_logs
                 WHERE check_in >= date_trunc('day', now()))
         ) AS row";
