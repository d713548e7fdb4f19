//! Notifications' HTTP surface: one module per resource, handlers and their bodies, no SQL.

mod notifications;

use paperclip::actix::web;

pub fn configure(cfg: &mut web::ServiceConfig) {
    // The named actions before `{id}`.
    cfg.service(web::resource("/api/v1/notifications/").route(web::get().to(notifications::list)))
        .service(
            web::resource("/api/v1/notifications/mark_all_read/")
                .route(web::patch().to(notifications::mark_all_read)),
        )
        .service(
            web::resource("/api/v1/notifications/unread_count/")
                .route(web::get().to(notifications::unread_count)),
        )
        .service(
            web::resource("/api/v1/notifications/{id}/").route(web::get().to(notifications::get)),
        )
        .service(
            web::resource("/api/v1/notifications/{id}/mark_read/")
                .route(web::patch().to(notifications::mark_read)),
        );
}
