//! How a worker profile is shown: "WorkerProfile JSON" (API §5), the answer of the profile routes and
//! the snapshot `workforce.worker.*` events carry (proto-docs/events.md).

use crate::store::workers::Worker;
use paperclip::actix::Apiv2Schema;
use serde::Serialize;
use serde_json::Value;
use uuid::Uuid;

/// "WorkerProfile JSON" (API §5).
#[derive(Debug, Clone, Serialize, Apiv2Schema)]
pub struct WorkerProfile {
    pub id: Uuid,
    /// The profile's user (identity's id).
    pub user: Uuid,
    pub user_phone: String,
    pub user_name: String,
    /// Decimal (9,6) as a string, e.g. `"26.846700"`.
    pub latitude: Option<String>,
    pub longitude: Option<String>,
    /// `available`, `busy`, `offline` or `unavailable`.
    pub availability_status: String,
    /// The online toggle (API §5.5).
    pub is_available: bool,
    /// Decimal (3,2) as a string, 0–5, e.g. `"4.50"`.
    pub rating: String,
    pub total_jobs_completed: i32,
    /// The profile's services (skills) as shown, in the order they were given.
    pub services_list: Vec<String>,
    /// Decimal (10,2) as a string.
    pub price_amount: Option<String>,
    /// ISO 4217, e.g. `INR`.
    pub price_currency: String,
    /// `per_hour`, `per_day` or `per_job`.
    pub price_type: String,
    /// Decimal (10,2) as a string.
    pub min_charge: Option<String>,
    pub bio: String,
    pub experience_years: i32,
    pub intro_audio_url: Option<String>,
    /// Image URLs; always empty for now.
    pub gallery: Vec<String>,
    pub is_verified: bool,
    /// ISO 8601 in the platform's time zone.
    pub created_at: String,
    pub updated_at: String,
}

impl From<&Worker> for WorkerProfile {
    fn from(w: &Worker) -> Self {
        WorkerProfile {
            id: w.id,
            user: w.user_id,
            user_phone: w.user_phone.clone(),
            user_name: w.user_name.clone(),
            latitude: w.latitude.clone(),
            longitude: w.longitude.clone(),
            availability_status: w.availability_status.clone(),
            is_available: w.is_available,
            rating: w.rating.clone(),
            total_jobs_completed: w.total_jobs_completed,
            services_list: w.services_list.clone(),
            price_amount: w.price_amount.clone(),
            price_currency: w.price_currency.clone(),
            price_type: w.price_type.clone(),
            min_charge: w.min_charge.clone(),
            bio: w.bio.clone(),
            experience_years: w.experience_years,
            intro_audio_url: w.intro_audio_url.clone(),
            gallery: Vec::new(),
            is_verified: w.is_verified,
            created_at: hm_platform::time::render(w.created_at),
            updated_at: hm_platform::time::render(w.updated_at),
        }
    }
}

/// "WorkerProfile JSON" (API §5) as a JSON value, the snapshot events carry.
pub fn worker_json(w: &Worker) -> Value {
    // A struct of strings, numbers and lists always serializes.
    serde_json::to_value(WorkerProfile::from(w)).unwrap_or_default()
}
