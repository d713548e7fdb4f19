//! The back office's workforce (issue #9, admins only): workers, contractors, sites and kiosks with search
//! and filters, a kiosk's token rotation, and the numbers of the dashboard. Edits of profiles and sites go
//! through their own endpoints, which admins may use on anyone's.

use crate::error::{Result, WorkforceError};
use crate::store::backoffice::{self, ContractorRow, KioskRow, SiteRow, WorkerRow, WorkforceStats};
use crate::store::kiosks;
use crate::AppState;
use hm_platform::admin;
use hm_platform::auth::AdminUser;
use hm_platform::reply::Reply;
use paperclip::actix::{api_v2_operation, web, Apiv2Schema};
use serde::Serialize;
use uuid::Uuid;

hm_platform::admin_lists! {
    /// Workers: `search` (phone, names, bio), `availability_status`, `is_available`, `is_verified`.
    workers => WorkerRow, backoffice::WORKERS;
    /// Contractors: `search` (company, city, phone, names), `is_active`.
    contractors => ContractorRow, backoffice::CONTRACTORS;
    /// Sites: `search` (name, address, company), `is_active`, `contractor`.
    sites => SiteRow, backoffice::SITES;
    /// Kiosks (never their token): `search` (location, device, address, site), `is_active`.
    kiosks => KioskRow, backoffice::KIOSKS;
}

/// A kiosk's new device token.
#[derive(Debug, Serialize, Apiv2Schema)]
pub struct KioskToken {
    /// The kiosk.
    pub id: Uuid,
    /// The secret the kiosk presents as `X-Kiosk-Token`: 64 hex digits, shown this once.
    pub device_token: String,
}

/// Gives a kiosk a new device token (the old one stops working at once); the answer shows it this once.
#[api_v2_operation(tags(Admin))]
pub async fn rotate_kiosk_token(
    state: web::Data<AppState>,
    _admin: AdminUser,
    id: web::Path<String>,
) -> Result<Reply<KioskToken>> {
    let id = Uuid::parse_str(&id).map_err(|_| WorkforceError::KioskNotFound)?;
    let mut conn = state.db.get().await?;
    let token = kiosks::rotate_token(&mut conn, id).await?;
    Ok(Reply::json(KioskToken {
        id,
        device_token: token,
    }))
}

/// Workers in all and available now, contractors, active sites and kiosks, today's check-ins.
#[api_v2_operation(tags(Admin))]
pub async fn stats(state: web::Data<AppState>, _admin: AdminUser) -> Result<Reply<WorkforceStats>> {
    let mut conn = state.db.get().await?;
    let doc: WorkforceStats = admin::document(&mut conn, backoffice::STATS).await?;
    Ok(Reply::json(doc))
}
