//! The back office's workforce (issue #9, admins only): workers, contractors, sites and kiosks with search
//! and filters, a kiosk's token rotation, and the numbers of the dashboard. Edits of profiles and sites go
//! through their own endpoints, which admins may use on anyone's.

use crate::error::Result;
use crate::routes::kiosks::token_hash;
use crate::AppState;
use actix_web::{HttpRequest, HttpResponse};
use diesel::sql_types::{Text, Uuid as SqlUuid};
use diesel_async::RunQueryDsl;
use hm_platform::admin::{self, Filter, Listing, BOOL};
use hm_platform::auth::AdminUser;
use hm_platform::ApiError;
use paperclip::actix::{api_v2_operation, web};
use serde_json::json;
use uuid::Uuid;

const WORKERS: Listing = Listing {
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

const CONTRACTORS: Listing = Listing {
    select: "SELECT c.id, c.user_id, trim(coalesce(u.first_name, '') || ' ' || coalesce(u.last_name, '')) AS user_name,
             u.phone AS user_phone, c.company_name, c.license_number, c.gst_number, c.city, c.state,
             c.rating, c.total_projects, c.is_active, c.created_at
             FROM contractor_profiles c LEFT JOIN user_refs u ON u.id = c.user_id",
    id: "c.id",
    search: &["c.company_name", "c.city", "u.phone", "u.first_name", "u.last_name"],
    filters: &[Filter { param: "is_active", column: "c.is_active", choices: BOOL }],
    order: "c.created_at DESC, c.id",
};

const SITES: Listing = Listing {
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

const KIOSKS: Listing = Listing {
    select: "SELECT k.id, k.contractor_id, k.site_id, s.name AS site_name, k.device_uuid, k.location_name,
             k.address, k.latitude, k.longitude, k.geofence_radius_m, k.is_active, k.created_at, k.updated_at
             FROM kiosks k LEFT JOIN sites s ON s.id = k.site_id",
    id: "k.id",
    search: &["k.location_name", "k.device_uuid", "k.address", "s.name"],
    filters: &[Filter { param: "is_active", column: "k.is_active", choices: BOOL }],
    order: "k.created_at DESC, k.id",
};

/// Workers: `search` (phone, names, bio), `availability_status`, `is_available`, `is_verified`.
#[api_v2_operation(tags(Admin))]
pub async fn workers(
    req: HttpRequest,
    state: web::Data<AppState>,
    _admin: AdminUser,
) -> Result<HttpResponse> {
    admin::list_answer(&state.db, &req, &WORKERS).await
}

/// Contractors: `search` (company, city, phone, names), `is_active`.
#[api_v2_operation(tags(Admin))]
pub async fn contractors(
    req: HttpRequest,
    state: web::Data<AppState>,
    _admin: AdminUser,
) -> Result<HttpResponse> {
    admin::list_answer(&state.db, &req, &CONTRACTORS).await
}

/// Sites: `search` (name, address, company), `is_active`, `contractor`.
#[api_v2_operation(tags(Admin))]
pub async fn sites(
    req: HttpRequest,
    state: web::Data<AppState>,
    _admin: AdminUser,
) -> Result<HttpResponse> {
    admin::list_answer(&state.db, &req, &SITES).await
}

/// Kiosks (never their token): `search` (location, device, address, site), `is_active`.
#[api_v2_operation(tags(Admin))]
pub async fn kiosks(
    req: HttpRequest,
    state: web::Data<AppState>,
    _admin: AdminUser,
) -> Result<HttpResponse> {
    admin::list_answer(&state.db, &req, &KIOSKS).await
}

/// Gives a kiosk a new device token (the old one stops working at once); the answer shows it this once.
#[api_v2_operation(tags(Admin))]
pub async fn rotate_kiosk_token(
    state: web::Data<AppState>,
    _admin: AdminUser,
    id: web::Path<String>,
) -> Result<HttpResponse> {
    let id = Uuid::parse_str(&id).map_err(|_| ApiError::no_match("Kiosk"))?;
    let token = hex::encode(rand::random::<[u8; 32]>());
    let mut conn = state.db.get().await?;
    let n =
        diesel::sql_query("UPDATE kiosks SET token_hash = $2, updated_at = now() WHERE id = $1")
            .bind::<SqlUuid, _>(id)
            .bind::<Text, _>(token_hash(&token))
            .execute(&mut conn)
            .await?;
    if n == 0 {
        return Err(ApiError::no_match("Kiosk").into());
    }
    Ok(HttpResponse::Ok().json(json!({"id": id, "device_token": token})))
}

/// Workers in all and available now, contractors, active sites and kiosks, today's check-ins.
#[api_v2_operation(tags(Admin))]
pub async fn stats(state: web::Data<AppState>, _admin: AdminUser) -> Result<HttpResponse> {
    let mut conn = state.db.get().await?;
    let doc = admin::document(
        &mut conn,
        "SELECT jsonb_build_object(
             'workers', (SELECT count(*) FROM worker_profiles),
             'workers_available_now', (SELECT count(*) FROM worker_profiles WHERE is_available),
             'contractors', (SELECT count(*) FROM contractor_profiles),
             'sites_active', (SELECT count(*) FROM sites WHERE is_active),
             'kiosks_active', (SELECT count(*) FROM kiosks WHERE is_active),
             'kiosk_check_ins_today', (SELECT count(*) FROM attendance_logs
                 WHERE check_in >= (date_trunc('day', now() AT TIME ZONE 'Asia/Kolkata') AT TIME ZONE 'Asia/Kolkata'))
         ) AS row",
    )
    .await?;
    Ok(HttpResponse::Ok().json(doc))
}
