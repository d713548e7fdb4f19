//! What the bookings endpoints answer: "Booking write JSON" and "Booking detail JSON" (API §7).

use crate::store::bookings::Booking;
use hm_platform::time::render;
use paperclip::actix::Apiv2Schema;
use paperclip::v2::models::{DataType, DataTypeFormat, DefaultSchemaRaw};
use serde::Serialize;
use serde_json::Value;
use uuid::Uuid;

/// "Booking write JSON" (API §7): the answer to create and edit.
#[derive(Debug, Serialize, Apiv2Schema)]
pub struct BookingView {
    pub id: Uuid,
    /// The catalog service's id.
    pub service: Uuid,
    pub address: String,
    /// Decimal (9,6) as a string: `"19.076000"`.
    pub lat: Option<String>,
    pub lng: Option<String>,
    /// ISO 8601 in the platform's time zone: `2026-01-03T16:20:05+05:30`.
    pub preferred_time: Option<String>,
    pub notes: Option<String>,
    /// Rupees, decimal (10,2) as a string: `"450.00"`.
    pub estimated_price: Option<String>,
    /// One of the seven booking statuses (DOMAIN §4.3).
    pub status: String,
    /// `cash`, `online` or `none`.
    pub payment_method: String,
    /// `pending`, `paid`, `failed` or `n/a`.
    pub payment_status: String,
    /// Why the payment method differs from the one asked for (online payments off).
    pub payment_note: Option<String>,
    pub created_at: String,
}

impl From<&Booking> for BookingView {
    fn from(b: &Booking) -> Self {
        BookingView {
            id: b.id,
            service: b.service_id,
            address: b.address.clone(),
            lat: b.lat.clone(),
            lng: b.lng.clone(),
            preferred_time: b.preferred_time.map(render),
            notes: b.notes.clone(),
            estimated_price: b.estimated_price.clone(),
            status: b.status.as_str().to_owned(),
            payment_method: b.payment_method.as_str().into(),
            payment_status: b.payment_status.as_str().into(),
            payment_note: b.payment_note.clone(),
            created_at: render(b.created_at),
        }
    }
}

/// A booking's customer, as identity last announced them.
#[derive(Debug, Serialize, Apiv2Schema)]
pub struct BookingCustomer {
    pub id: Uuid,
    /// Blank when unknown.
    pub phone: String,
    /// `worker`, `contractor`, `employer` or `admin`; blank when unknown.
    pub role: String,
    pub first_name: String,
    pub last_name: String,
    /// Always null: jobs does not know it.
    pub email: Option<String>,
    /// Always blank.
    pub profile_picture: String,
    /// Always true (a customer signed in with their phone).
    pub is_phone_verified: bool,
    pub is_active: bool,
    /// ISO 8601 in the platform's time zone; null when unknown.
    pub date_joined: Option<String>,
}

/// A booking's worker: "WorkerProfile JSON" (API §5) as workforce last announced it, or, before it
/// announced one, what jobs knows of the profile.
#[derive(Debug, Serialize)]
#[serde(untagged)]
pub enum BookingWorker {
    /// The profile as workforce's last `workforce.worker.*` event carried it.
    Profile(Value),
    /// The profile's id, its user and their name (null when identity has not announced them).
    Known {
        id: Uuid,
        user: Option<Uuid>,
        user_name: Option<String>,
    },
}

impl paperclip::v2::schema::Apiv2Schema for BookingWorker {
    fn name() -> Option<String> {
        Some("BookingWorker".into())
    }

    fn description() -> &'static str {
        "A booking's worker: \"WorkerProfile JSON\" (API §5) as workforce last announced it, or, \
         before it announced one, the profile's `id`, `user` and `user_name` only."
    }

    /// An object with at least the three fields both forms have.
    fn raw_schema() -> DefaultSchemaRaw {
        let field = |format: Option<DataTypeFormat>, description: &str| {
            Box::new(DefaultSchemaRaw {
                data_type: Some(DataType::String),
                format,
                description: Some(description.to_owned()),
                ..Default::default()
            })
        };
        let mut schema = DefaultSchemaRaw {
            name: Self::name(),
            description: Some(Self::description().to_owned()),
            data_type: Some(DataType::Object),
            ..Default::default()
        };
        schema.properties.insert(
            "id".into(),
            field(Some(DataTypeFormat::Uuid), "The worker profile's id."),
        );
        schema.properties.insert(
            "user".into(),
            field(Some(DataTypeFormat::Uuid), "The worker's user id."),
        );
        schema.properties.insert(
            "user_name".into(),
            field(None, "The worker's full name, else phone."),
        );
        schema.required.insert("id".into());
        schema
    }
}

/// A booking's service, as catalog last announced it.
#[derive(Debug, Serialize, Apiv2Schema)]
pub struct BookingService {
    pub id: Uuid,
    pub slug: String,
    pub name: String,
    pub title_en: String,
    pub display_order: i32,
}

/// "Booking detail JSON" (API §7): with the customer, the worker's profile and the service.
#[derive(Debug, Serialize, Apiv2Schema)]
pub struct BookingDetail {
    pub id: Uuid,
    pub user: BookingCustomer,
    /// Null until a worker is assigned.
    pub worker: Option<BookingWorker>,
    pub service: BookingService,
    pub address: String,
    /// Decimal (9,6) as a string: `"19.076000"`.
    pub lat: Option<String>,
    pub lng: Option<String>,
    /// ISO 8601 in the platform's time zone: `2026-01-03T16:20:05+05:30`.
    pub preferred_time: Option<String>,
    pub notes: Option<String>,
    /// Rupees, decimal (10,2) as a string: `"450.00"`.
    pub estimated_price: Option<String>,
    /// One of the seven booking statuses (DOMAIN §4.3).
    pub status: String,
    /// Minutes until the worker arrives.
    pub eta_minutes: Option<i32>,
    pub tracking_url: Option<String>,
    /// `cash`, `online` or `none`.
    pub payment_method: String,
    /// `pending`, `paid`, `failed` or `n/a`.
    pub payment_status: String,
    /// Why the payment method differs from the one asked for (online payments off).
    pub payment_note: Option<String>,
    pub created_at: String,
    pub updated_at: String,
}

impl From<&Booking> for BookingDetail {
    fn from(b: &Booking) -> Self {
        let worker = match (b.worker_id, &b.worker_profile) {
            (None, _) => None,
            (Some(_), Some(profile)) => Some(BookingWorker::Profile(profile.clone())),
            (Some(id), None) => Some(BookingWorker::Known {
                id,
                user: b.worker_user_id,
                user_name: b.worker_name.clone(),
            }),
        };
        BookingDetail {
            id: b.id,
            user: BookingCustomer {
                id: b.user_id,
                phone: b.user_phone.clone(),
                role: b.user_role.clone(),
                first_name: b.user_first_name.clone(),
                last_name: b.user_last_name.clone(),
                email: None,
                profile_picture: String::new(),
                is_phone_verified: true,
                is_active: b.user_is_active,
                date_joined: b.user_joined.map(render),
            },
            worker,
            service: BookingService {
                id: b.service_id,
                slug: b.service_slug.clone(),
                name: b.service_name.clone(),
                title_en: b.service_title_en.clone(),
                display_order: b.service_display_order,
            },
            address: b.address.clone(),
            lat: b.lat.clone(),
            lng: b.lng.clone(),
            preferred_time: b.preferred_time.map(render),
            notes: b.notes.clone(),
            estimated_price: b.estimated_price.clone(),
            status: b.status.as_str().to_owned(),
            eta_minutes: b.eta_minutes,
            tracking_url: b.tracking_url.clone(),
            payment_method: b.payment_method.as_str().into(),
            payment_status: b.payment_status.as_str().into(),
            payment_note: b.payment_note.clone(),
            created_at: render(b.created_at),
            updated_at: render(b.updated_at),
        }
    }
}
