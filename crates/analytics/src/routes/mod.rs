//! Analytics' HTTP surface: ingestion for the apps, reports for admins; handlers and their bodies, no SQL.

mod events;
mod reports;

use paperclip::actix::web;

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(web::resource("/api/v1/analytics/events/").route(web::post().to(events::ingest)))
        .service(
            web::resource("/api/admin/analytics/daily-summary/")
                .route(web::get().to(reports::daily_summary)),
        )
        .service(
            web::resource("/api/admin/analytics/top-services/")
                .route(web::get().to(reports::top_services)),
        )
        .service(
            web::resource("/api/admin/analytics/active-users/")
                .route(web::get().to(reports::active_users)),
        )
        .service(
            web::resource("/api/admin/analytics/export/").route(web::get().to(reports::export)),
        )
        .service(
            web::resource("/api/admin/analytics/events-per-day/")
                .route(web::get().to(reports::events_per_day)),
        );
}
