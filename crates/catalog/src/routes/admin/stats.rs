//! The admin console dashboard's numbers.

use crate::error::Result;
use crate::store::{banners, flags, services, themes};
use crate::AppState;
use chrono::Utc;
use diesel_async::AsyncPgConnection;
use hm_platform::auth::AdminUser;
use hm_platform::reply::Reply;
use paperclip::actix::{api_v2_operation, web, Apiv2Schema};
use serde::Serialize;

/// Services in all and active.
#[derive(Debug, Serialize, Apiv2Schema)]
pub struct ServiceCounts {
    pub total: usize,
    pub active: usize,
}

/// Feature flags in all and enabled.
#[derive(Debug, Serialize, Apiv2Schema)]
pub struct FlagCounts {
    pub total: usize,
    pub enabled: usize,
}

/// The dashboard's numbers of the catalog.
#[derive(Debug, Serialize, Apiv2Schema)]
pub struct CatalogStats {
    pub services: ServiceCounts,
    /// The active theme's name; `null` when none is active.
    pub active_theme: Option<String>,
    pub app_banners_active: usize,
    /// Promo banners visible now.
    pub promo_banners_visible: usize,
    pub feature_flags: FlagCounts,
}

/// Counts for the admin console's dashboard.
#[api_v2_operation(tags(Admin))]
pub async fn stats(state: web::Data<AppState>, _admin: AdminUser) -> Result<Reply<CatalogStats>> {
    let mut conn = state.db.get().await?;
    Ok(Reply::json(count(&mut conn).await?))
}

/// The dashboard's numbers, read on one connection.
async fn count(conn: &mut AsyncPgConnection) -> Result<CatalogStats> {
    let all = services::all(conn).await?;
    let active_theme = themes::active(conn).await?;
    let app_banners = banners::active_app(conn).await?;
    let promos = banners::visible_promo(conn, None, Utc::now()).await?;
    let flag_list = flags::all(conn).await?;
    Ok(CatalogStats {
        services: ServiceCounts {
            total: all.len(),
            active: all.iter().filter(|s| s.is_active).count(),
        },
        active_theme: active_theme.map(|t| t.name),
        app_banners_active: app_banners.len(),
        promo_banners_visible: promos.len(),
        feature_flags: FlagCounts {
            total: flag_list.len(),
            enabled: flag_list.iter().filter(|f| f.enabled).count(),
        },
    })
}
