//! Notifications' HTTP surface: one module per resource, handlers and their bodies, no SQL.

mod backoffice;
mod devices;
mod notifications;
mod sms;
mod sockets;
mod timeline;

use paperclip::actix::web;

pub fn configure(cfg: &mut web::ServiceConfig) {
    // WebSockets (API §10): not HTTP operations, so not in the OpenAPI document (README describes them).
    cfg.service(web::resource("/ws/notifications/").route(web::get().to(sockets::notifications)))
        .service(
            web::resource("/ws/bookings/{booking_id}/").route(web::get().to(sockets::booking)),
        );
    // The named actions before `{id}` (API §9.3: the test route must not be taken for a detail).
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
            web::resource("/api/v1/notifications/test/")
                .route(web::post().to(notifications::send_test)),
        )
        .service(
            web::resource("/api/v1/notifications/sms/status/").route(web::post().to(sms::status)),
        )
        .service(
            web::resource("/api/v1/notifications/{id}/").route(web::get().to(notifications::get)),
        )
        .service(
            web::resource("/api/v1/notifications/{id}/mark_read/")
                .route(web::patch().to(notifications::mark_read)),
        )
        .service(
            web::resource("/api/v1/bookings/{booking_id}/timeline/")
                .route(web::get().to(timeline::booking)),
        );
    cfg.service(
        web::resource("/api/v1/admin/notifications/stats/").route(web::get().to(backoffice::stats)),
    )
    .service(
        web::resource("/api/v1/admin/notifications/notifications/")
            .route(web::get().to(backoffice::notifications)),
    )
    .service(
        web::resource("/api/v1/admin/notifications/sms-log/")
            .route(web::get().to(backoffice::sms_log)),
    );
    for prefix in ["/api/v1/devices", "/api/notifications/devices"] {
        cfg.service(
            web::resource(&format!("{prefix}/register/")).route(web::post().to(devices::register)),
        )
        .service(
            web::resource(&format!("{prefix}/unregister/"))
                .route(web::post().to(devices::unregister)),
        )
        .service(
            web::resource(&format!("{prefix}/"))
                .route(web::get().to(devices::list))
                .route(web::post().to(devices::create)),
        )
        .service(
            web::resource(&format!("{prefix}/{{id}}/"))
                .route(web::get().to(devices::get))
                .route(web::put().to(devices::replace))
                .route(web::patch().to(devices::patch))
                .route(web::delete().to(devices::delete)),
        );
    }
}
