//! Workers assigned to a site (API §5.12): by its contractor or an admin.

use super::sites::visible;
use crate::error::Result;
use crate::store::assignments::{self, Assignment};
use crate::AppState;
use actix_web::HttpRequest;
use hm_platform::auth::AuthUser;
use hm_platform::input::{FromInput, Input, Text, Valid};
use hm_platform::reply::Reply;
use hm_platform::telemetry::RequestId;
use paperclip::actix::{api_v2_operation, web, Apiv2Schema};
use serde::Serialize;
use uuid::Uuid;

/// A worker's assignment to a site (API §5.12).
#[derive(Debug, Serialize, Apiv2Schema)]
pub struct SiteAssignment {
    pub id: Uuid,
    pub site: Uuid,
    pub site_name: String,
    /// The worker profile's id.
    pub worker: Uuid,
    /// Full name, else phone.
    pub worker_name: String,
    pub worker_phone: String,
    /// The user who assigned the worker.
    pub assigned_by: Option<Uuid>,
    pub assigned_by_name: Option<String>,
    /// ISO 8601 in the platform's time zone.
    pub assigned_at: String,
    pub role_on_site: String,
    pub is_active: bool,
    pub created_at: String,
}

impl From<&Assignment> for SiteAssignment {
    fn from(a: &Assignment) -> Self {
        SiteAssignment {
            id: a.id,
            site: a.site_id,
            site_name: a.site_name.clone(),
            worker: a.worker_id,
            worker_name: a.worker_name.clone(),
            worker_phone: a.worker_phone.clone(),
            assigned_by: a.assigned_by,
            assigned_by_name: a.assigned_by_name.clone(),
            assigned_at: hm_platform::time::render(a.assigned_at),
            role_on_site: a.role_on_site.clone(),
            is_active: a.is_active,
            created_at: hm_platform::time::render(a.created_at),
        }
    }
}

/// `POST /api/v1/sites/{id}/assign/`
#[derive(Debug, Apiv2Schema)]
pub struct AssignBody {
    /// A worker profile id.
    pub worker_id: Uuid,
    pub role_on_site: String,
}

impl FromInput for AssignBody {
    fn from_input(input: &mut Input) -> Option<Self> {
        let worker_id = input.uuid("worker_id", true);
        let role = input
            .text("role_on_site", Text::optional(100))
            .unwrap_or_default();
        Some(AssignBody {
            worker_id: worker_id?,
            role_on_site: role,
        })
    }
}

/// Assign a worker to a site (or re-activate the assignment with a new role); 200 either way.
#[api_v2_operation(tags(Sites))]
pub async fn assign(
    req: HttpRequest,
    state: web::Data<AppState>,
    auth: AuthUser,
    id: web::Path<String>,
    body: Valid<AssignBody>,
) -> Result<Reply<SiteAssignment>> {
    let mut conn = state.db.get().await?;
    let site = visible(&mut conn, &auth, &id).await?;
    let assignment = assignments::assign_worker(
        &mut conn,
        site.id,
        body.worker_id,
        auth.id,
        &body.role_on_site,
        RequestId::of(&req),
    )
    .await?;
    Ok(Reply::json(SiteAssignment::from(&assignment)))
}

/// The site's assigned workers, newest first (a bare list).
#[api_v2_operation(tags(Sites))]
pub async fn site_workers(
    state: web::Data<AppState>,
    auth: AuthUser,
    id: web::Path<String>,
) -> Result<Reply<Vec<SiteAssignment>>> {
    let mut conn = state.db.get().await?;
    let site = visible(&mut conn, &auth, &id).await?;
    let list = assignments::assigned(&mut conn, site.id).await?;
    Ok(Reply::json(
        list.iter().map(SiteAssignment::from).collect::<Vec<_>>(),
    ))
}
