//! Workforce's HTTP surface: one module per resource, handlers and their bodies, no SQL.

mod assignments;
mod backoffice;
mod contractors;
mod fields;
mod kiosks;
mod nearby;
mod site_attendance;
mod site_dashboard;
mod sites;
mod workers;

use crate::domain::Caller;
use crate::error::WorkforceError;
use hm_platform::auth::AuthUser;
use paperclip::actix::web;
use uuid::Uuid;

/// Who the token says is asking.
fn caller(auth: &AuthUser) -> Caller {
    Caller {
        user: auth.id,
        admin: auth.is_admin(),
    }
}

/// A path id: a UUID, else 404 `Not found.`
fn path_id(raw: &str) -> Result<Uuid, WorkforceError> {
    Uuid::parse_str(raw).map_err(|_| WorkforceError::NotFound)
}

/// Registers workforce's routes.
pub fn configure(cfg: &mut web::ServiceConfig) {
    // `me` and its actions before `{id}` (API §5.3).
    cfg.service(
        web::resource("/api/v1/workers/")
            .route(web::get().to(nearby::list))
            .route(web::post().to(workers::create)),
    )
    .service(web::resource("/api/v1/workers/me/").route(web::get().to(workers::me)))
    .service(web::resource("/api/v1/workers/nearby/").route(web::get().to(nearby::nearby)))
    .service(web::resource("/api/v1/workers/search/nearby/").route(web::get().to(nearby::search)))
    .service(
        web::resource("/api/v1/workers/me/availability/")
            .route(web::post().to(workers::availability)),
    )
    .service(web::resource("/api/v1/workers/me/location/").route(web::post().to(workers::location)))
    .service(
        web::resource("/api/v1/workers/{id}/")
            .route(web::get().to(workers::get))
            .route(web::put().to(workers::replace))
            .route(web::patch().to(workers::update))
            .route(web::delete().to(workers::delete)),
    );
    cfg.service(
        web::resource("/api/v1/kiosks/")
            .route(web::get().to(kiosks::list))
            .route(web::post().to(kiosks::register)),
    )
    .service(web::resource("/api/v1/attendance/kiosk/").route(web::post().to(kiosks::mark)))
    .service(
        web::resource("/api/v1/attendance/kiosk/check-in/").route(web::post().to(kiosks::check_in)),
    )
    .service(
        web::resource("/api/v1/attendance/kiosk/check-out/")
            .route(web::post().to(kiosks::check_out)),
    )
    .service(
        web::resource("/api/v1/attendance/site/{kiosk_id}/").route(web::get().to(kiosks::day)),
    );
    // Sites answer under both prefixes (API §1.1).
    for prefix in ["/api/v1/sites", "/api/v1/contractors/sites"] {
        cfg.service(
            web::resource(&format!("{prefix}/"))
                .route(web::get().to(sites::list))
                .route(web::post().to(sites::create)),
        )
        .service(
            web::resource(&format!("{prefix}/{{id}}/"))
                .route(web::get().to(sites::get))
                .route(web::put().to(sites::replace))
                .route(web::patch().to(sites::update))
                .route(web::delete().to(sites::delete)),
        )
        .service(
            web::resource(&format!("{prefix}/{{id}}/assign/"))
                .route(web::post().to(assignments::assign)),
        )
        .service(
            web::resource(&format!("{prefix}/{{id}}/workers/"))
                .route(web::get().to(assignments::site_workers)),
        )
        .service(
            web::resource(&format!("{prefix}/{{id}}/attendance/"))
                .route(web::get().to(site_attendance::attendance))
                .route(web::post().to(site_attendance::mark)),
        )
        .service(
            web::resource(&format!("{prefix}/{{id}}/attendance/export/"))
                .route(web::get().to(site_attendance::export)),
        )
        .service(
            web::resource(&format!("{prefix}/{{id}}/dashboard/"))
                .route(web::get().to(site_dashboard::dashboard)),
        );
    }
    // After the sites' alias, so `/api/v1/contractors/sites/` is not taken for a contractor's id.
    cfg.service(
        web::resource("/api/v1/contractors/")
            .route(web::get().to(contractors::list))
            .route(web::post().to(contractors::create)),
    )
    .service(
        web::resource("/api/v1/contractors/{id}/dashboard/")
            .route(web::get().to(contractors::dashboard)),
    )
    .service(
        web::resource("/api/v1/contractors/{id}/")
            .route(web::get().to(contractors::get))
            .route(web::put().to(contractors::replace))
            .route(web::patch().to(contractors::update))
            .route(web::delete().to(contractors::delete)),
    );
    cfg.service(
        web::resource("/api/v1/admin/workforce/stats/").route(web::get().to(backoffice::stats)),
    )
    .service(
        web::resource("/api/v1/admin/workforce/workers/").route(web::get().to(backoffice::workers)),
    )
    .service(
        web::resource("/api/v1/admin/workforce/contractors/")
            .route(web::get().to(backoffice::contractors)),
    )
    .service(
        web::resource("/api/v1/admin/workforce/sites/").route(web::get().to(backoffice::sites)),
    )
    .service(
        web::resource("/api/v1/admin/workforce/kiosks/").route(web::get().to(backoffice::kiosks)),
    )
    .service(
        web::resource("/api/v1/admin/workforce/kiosks/{id}/rotate-token/")
            .route(web::post().to(backoffice::rotate_kiosk_token)),
    );
}
