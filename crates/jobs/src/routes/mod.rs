//! Jobs' HTTP surface: one module per resource, handlers and their bodies, no SQL.

mod applications;
mod backoffice;
mod bookings;
mod dashboards;
mod emergency;
mod jobs;
mod payments;
mod tracking;

use paperclip::actix::web;

pub use hm_platform::input::RawBody;

/// A job's or booking's `service` as sent: the service's id or, as clients also send, its slug, name or
/// alias (`plumbing`, `Plumber`): resolved by `store::refs::service_named`.
#[derive(Debug, Clone, PartialEq)]
pub struct ServiceRef(pub String);

impl paperclip::v2::schema::TypedData for ServiceRef {
    fn data_type() -> paperclip::v2::models::DataType {
        paperclip::v2::models::DataType::String
    }
}

impl ServiceRef {
    /// Reads `service` (`required` on create and PUT).
    fn read(input: &mut hm_platform::input::Input, required: bool) -> Option<ServiceRef> {
        let rule = if required {
            hm_platform::input::Text::required(120)
        } else {
            hm_platform::input::Text::optional(120)
        };
        input
            .text("service", rule)
            .filter(|s| !s.is_empty())
            .map(ServiceRef)
    }
}

/// Statuses travel as their names: in the document, a string (the field's doc lists the names).
macro_rules! typed_as_string {
    ($($status:ty),*) => {$(
        impl paperclip::v2::schema::TypedData for $status {
            fn data_type() -> paperclip::v2::models::DataType {
                paperclip::v2::models::DataType::String
            }
        }
    )*};
}

typed_as_string!(
    crate::domain::booking::BookingStatus,
    crate::domain::emergency::EmergencyStatus,
    crate::domain::job::JobStatus,
    crate::domain::payment::PaymentStatus
);

/// The service named, as sent.
fn named(service: &Option<ServiceRef>) -> Option<&str> {
    service.as_ref().map(|s| s.0.as_str())
}

/// Jobs' routes: the back office, jobs and their applications, bookings, emergencies, payments, role
/// dashboards.
pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(web::resource("/api/v1/admin/jobs/stats/").route(web::get().to(backoffice::stats)))
        .service(
            web::resource("/api/v1/admin/jobs/stats/bookings-per-day/")
                .route(web::get().to(backoffice::bookings_per_day)),
        )
        .service(web::resource("/api/v1/admin/jobs/jobs/").route(web::get().to(backoffice::jobs)))
        .service(
            web::resource("/api/v1/admin/jobs/bookings/")
                .route(web::get().to(backoffice::bookings)),
        )
        .service(
            web::resource("/api/v1/admin/jobs/payments/")
                .route(web::get().to(backoffice::payments)),
        )
        .service(
            web::resource("/api/v1/admin/jobs/emergencies/")
                .route(web::get().to(backoffice::emergencies)),
        );
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
    .service(web::resource("/api/v1/jobs/{id}/apply/").route(web::post().to(applications::apply)))
    .service(
        web::resource("/api/v1/jobs/{id}/applications/{application_id}/accept/")
            .route(web::post().to(applications::accept)),
    )
    .service(
        web::resource("/api/v1/jobs/{id}/applications/{application_id}/decline/")
            .route(web::post().to(applications::decline)),
    );
    cfg.service(
        web::resource("/api/v1/bookings/")
            .route(web::get().to(bookings::list))
            .route(web::post().to(bookings::create)),
    )
    .service(
        web::resource("/api/v1/bookings/{id}/")
            .route(web::get().to(bookings::get))
            .route(web::put().to(bookings::replace))
            .route(web::patch().to(bookings::update))
            .route(web::delete().to(bookings::delete)),
    )
    .service(
        web::resource("/api/v1/bookings/{id}/status/").route(web::patch().to(bookings::status)),
    )
    .service(web::resource("/api/v1/bookings/{id}/assign/").route(web::post().to(bookings::assign)))
    .service(web::resource("/api/v1/tracking/{booking_id}/").route(web::post().to(tracking::post)));
    cfg.service(
        web::resource("/api/v1/emergency/requests/")
            .route(web::get().to(emergency::list))
            .route(web::post().to(emergency::create)),
    )
    .service(
        web::resource("/api/v1/emergency/requests/{id}/")
            .route(web::get().to(emergency::get))
            .route(web::put().to(emergency::replace))
            .route(web::patch().to(emergency::update))
            .route(web::delete().to(emergency::delete)),
    )
    .service(
        web::resource("/api/v1/emergency/requests/{id}/accept/")
            .route(web::post().to(emergency::accept)),
    )
    .service(
        web::resource("/api/v1/emergency/requests/{id}/decline/")
            .route(web::post().to(emergency::decline)),
    )
    .service(
        web::resource("/api/v1/emergency/requests/{id}/status/")
            .route(web::patch().to(emergency::status)),
    )
    .service(
        web::resource("/api/v1/emergency/requests/{id}/escalate/")
            .route(web::post().to(emergency::escalate)),
    );
    // The role dashboards answer under both prefixes (API §1.1); the admin's chart and cache clearing
    // under `/api/admin/` only (API §11.5).
    for prefix in ["/api/v1/dashboard", "/api/admin/dashboard"] {
        cfg.service(
            web::resource(&format!("{prefix}/worker/")).route(web::get().to(dashboards::worker)),
        )
        .service(
            web::resource(&format!("{prefix}/employer/"))
                .route(web::get().to(dashboards::employer)),
        )
        .service(
            web::resource(&format!("{prefix}/contractor/"))
                .route(web::get().to(dashboards::contractor)),
        )
        .service(
            web::resource(&format!("{prefix}/admin/")).route(web::get().to(dashboards::admin)),
        );
    }
    cfg.service(
        web::resource("/api/admin/dashboard/workers-online/")
            .route(web::get().to(dashboards::workers_online)),
    )
    .service(
        web::resource("/api/admin/dashboard/cache/clear/")
            .route(web::post().to(dashboards::clear_cache)),
    );
    // `POST /api/v1/payments/` is the seed README's name for create.
    cfg.service(web::resource("/api/v1/payments/").route(web::post().to(payments::create)))
        .service(web::resource("/api/v1/payments/create/").route(web::post().to(payments::create)))
        .service(
            web::resource("/api/v1/payments/webhook/").route(web::post().to(payments::webhook)),
        );
}
