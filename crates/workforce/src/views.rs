//! How a worker profile is shown: "WorkerProfile JSON" (API §5), the answer of the profile routes and
//! the snapshot `workforce.worker.*` events carry (proto-docs/events.md).

use crate::store::workers::Worker;
use serde_json::{json, Value};

/// "WorkerProfile JSON" (API §5).
pub fn worker_json(w: &Worker) -> Value {
    json!({
        "id": w.id,
        "user": w.user_id,
        "user_phone": w.user_phone,
        "user_name": w.user_name,
        "latitude": w.latitude,
        "longitude": w.longitude,
        "availability_status": w.availability_status,
        "is_available": w.is_available,
        "rating": w.rating,
        "total_jobs_completed": w.total_jobs_completed,
        "services_list": w.services_list,
        "price_amount": w.price_amount,
        "price_currency": w.price_currency,
        "price_type": w.price_type,
        "min_charge": w.min_charge,
        "bio": w.bio,
        "experience_years": w.experience_years,
        "intro_audio_url": w.intro_audio_url,
        "gallery": [],
        "is_verified": w.is_verified,
        "created_at": hm_platform::time::render(w.created_at),
        "updated_at": hm_platform::time::render(w.updated_at),
    })
}
