//! Jobs' HTTP surface: one module per resource, handlers and their bodies, no SQL.

mod jobs;

use paperclip::actix::web;

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(
        web::resource("/api/v1/jobs/")
            .route(web::get().to(jobs::list))
            .route(web::post().to(jobs::create)),
    )
    .service(
        web::resource("/api/v1/jobs/{id}/")
            .route(web::get().to(jobs::get))
            .route(web::put().to(jobs::replace))
            .route(web::patch().to(jobs::update))
            .route(web::delete().to(jobs::delete)),
    )
    .service(web::resource("/api/v1/jobs/{id}/apply/").route(web::post().to(jobs::apply)))
    .service(
        web::resource("/api/v1/jobs/{id}/applications/{application_id}/accept/")
            .route(web::post().to(jobs::accept)),
    )
    .service(
        web::resource("/api/v1/jobs/{id}/applications/{application_id}/decline/")
            .route(web::post().to(jobs::decline)),
    );
}
