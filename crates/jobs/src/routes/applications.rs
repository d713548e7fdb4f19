//! Job applications (API §6.4): workers apply, and the applicant, the poster or an admin accepts or
//! declines. Every change publishes its events through the outbox (`store::applications`).

use crate::domain::application::Decision;
use crate::error::Result;
use crate::store::applications::{self, Application};
use crate::AppState;
use actix_web::HttpRequest;
use hm_platform::auth::AuthUser;
use hm_platform::reply::Reply;
use hm_platform::telemetry::RequestId;
use hm_platform::time::render;
use paperclip::actix::{api_v2_operation, web, Apiv2Schema};
use serde::Serialize;
use uuid::Uuid;

/// A job application (API §6.4).
#[derive(Debug, Serialize, Apiv2Schema)]
pub struct ApplicationView {
    pub id: Uuid,
    /// The job's id.
    pub job: Uuid,
    pub job_title: String,
    /// The applicant's worker profile id.
    pub worker: Uuid,
    /// The applicant's full name, else phone.
    pub worker_name: String,
    /// `applied`, `accepted` or `declined`.
    pub status: String,
    /// ISO 8601 in the platform's time zone.
    pub applied_at: String,
    pub created_at: String,
    pub updated_at: String,
}

impl From<&Application> for ApplicationView {
    fn from(a: &Application) -> Self {
        ApplicationView {
            id: a.id,
            job: a.job_id,
            job_title: a.job_title.clone(),
            worker: a.worker_id,
            worker_name: a.worker_name.clone(),
            status: a.status.as_str().to_owned(),
            applied_at: render(a.applied_at),
            created_at: render(a.created_at),
            updated_at: render(a.updated_at),
        }
    }
}

/// Apply to an open job as a worker (one application per worker and job).
#[api_v2_operation(tags(Jobs))]
pub async fn apply(
    req: HttpRequest,
    state: web::Data<AppState>,
    auth: AuthUser,
    id: web::Path<String>,
) -> Result<Reply<ApplicationView, 201>> {
    let mut conn = state.db.get().await?;
    let application = applications::apply(&mut conn, &auth, &id, RequestId::of(&req)).await?;
    Ok(Reply::json(ApplicationView::from(&application)))
}

async fn decide(
    req: &HttpRequest,
    state: &AppState,
    auth: &AuthUser,
    path: &(String, String),
    decision: Decision,
) -> Result<Reply<ApplicationView>> {
    let mut conn = state.db.get().await?;
    let ids = (path.0.as_str(), path.1.as_str());
    let correlation = RequestId::of(req);
    let decided = applications::decide(&mut conn, auth, ids, decision, correlation).await?;
    Ok(Reply::json(ApplicationView::from(&decided)))
}

/// Accept an application: the job is assigned to the applicant and the other applications closed.
#[api_v2_operation(tags(Jobs))]
pub async fn accept(
    req: HttpRequest,
    state: web::Data<AppState>,
    auth: AuthUser,
    path: web::Path<(String, String)>,
) -> Result<Reply<ApplicationView>> {
    decide(&req, &state, &auth, &path, Decision::Accept).await
}

/// Decline an application; the job stays as it is.
#[api_v2_operation(tags(Jobs))]
pub async fn decline(
    req: HttpRequest,
    state: web::Data<AppState>,
    auth: AuthUser,
    path: web::Path<(String, String)>,
) -> Result<Reply<ApplicationView>> {
    decide(&req, &state, &auth, &path, Decision::Decline).await
}
