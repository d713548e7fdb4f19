//! The back office's jobs (issue #9, admins only): jobs, bookings, payments and emergency requests with
//! search and filters, and the numbers of the dashboard. Status changes go through the bookings', jobs'
//! and emergencies' own endpoints, which admins may use on any.

use crate::error::Result;
use crate::store::backoffice::{self, BookingRow, EmergencyRow, JobRow, JobsStats, PaymentRow};
use crate::AppState;
use hm_platform::admin;
use hm_platform::auth::AdminUser;
use hm_platform::reply::Reply;
use paperclip::actix::{api_v2_operation, web};

hm_platform::admin_lists! {
    /// Jobs: `search` (title, location, poster phone, service), `status`.
    jobs => JobRow, backoffice::JOBS;
    /// Bookings: `search` (address, customer phone and name, service), `status`, `payment_method`,
    /// `payment_status`; each with its `payment_note`.
    bookings => BookingRow, backoffice::BOOKINGS;
    /// Payments: `search` (gateway reference, booking), `status`, `gateway`.
    payments => PaymentRow, backoffice::PAYMENTS;
    /// Emergency requests: `search` (contact phone, address, service), `status`, `urgency_level`; each
    /// with the workers notified and whether it needs escalating.
    emergencies => EmergencyRow, backoffice::EMERGENCIES;
}

/// Bookings by status today and this week (India time), open jobs, completed payments today.
#[api_v2_operation(tags(Admin))]
pub async fn stats(state: web::Data<AppState>, _admin: AdminUser) -> Result<Reply<JobsStats>> {
    let mut conn = state.db.get().await?;
    let doc: JobsStats = admin::document(&mut conn, backoffice::STATS).await?;
    Ok(Reply::json(doc))
}
