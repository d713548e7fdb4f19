//! Request bodies of worker profiles: the writable fields of "WorkerProfile JSON", each optional, with
//! decimals rounded to their column's scale (API §1.3: phones send long GPS fractions).

use crate::domain::workers::{Availability, PriceType};
use crate::store::workers::Editable;
use hm_platform::input::{Decimal, FromInput, Input, Text};
use paperclip::actix::Apiv2Schema;
use serde_json::Value;

/// The profile body of create, PUT and PATCH, as documented; read into [`WorkerBody`].
#[allow(dead_code)] // Only its schema is used.
#[derive(Debug, Default, Apiv2Schema)]
pub struct WorkerBodyDoc {
    /// Decimal (9,6), e.g. `26.8467`.
    pub latitude: Option<String>,
    pub longitude: Option<String>,
    /// `available`, `busy`, `offline`
    pub availability_status: Option<String>,
    /// Decimal (10,2).
    pub price_amount: Option<String>,
    pub price_currency: Option<String>,
    /// `per_hour`, `per_day`, `per_job`
    pub price_type: Option<String>,
    pub min_charge: Option<String>,
    pub bio: Option<String>,
    pub experience_years: Option<i32>,
    pub intro_audio_url: Option<String>,
    /// Skills by name, e.g. `["electrician", "plumber"]`: matched to catalog's services by name, slug,
    /// alias or title, case-insensitively; a name no service has becomes a new service (at most 5 new
    /// a day per user).
    pub skills: Option<Vec<String>>,
    /// Admins only (the back office's verification, DOMAIN §3.1); ignored when anyone else sends it.
    pub is_verified: Option<bool>,
}

/// What a profile body sent.
#[derive(Debug, Default)]
pub struct WorkerBody(pub Read);

impl paperclip::v2::schema::Apiv2Schema for WorkerBody {
    fn name() -> Option<String> {
        WorkerBodyDoc::name()
    }
    fn raw_schema() -> paperclip::v2::models::DefaultSchemaRaw {
        WorkerBodyDoc::raw_schema()
    }
}

/// What was sent, field by field (`None` = not sent).
#[derive(Debug, Default)]
pub struct Read {
    pub latitude: Option<Option<String>>,
    pub longitude: Option<Option<String>>,
    pub availability_status: Option<Availability>,
    pub price_amount: Option<Option<String>>,
    pub price_currency: Option<String>,
    pub price_type: Option<PriceType>,
    pub min_charge: Option<Option<String>>,
    pub bio: Option<String>,
    pub experience_years: Option<i32>,
    pub intro_audio_url: Option<Option<String>>,
    pub skills: Option<Vec<String>>,
    /// Applied only for an admin (`routes::workers`).
    pub is_verified: Option<bool>,
}

impl Read {
    /// `base` with what was sent applied; a full replacement (PUT) starts from the defaults.
    pub fn apply(&self, base: &Editable) -> Editable {
        let mut e = base.clone();
        if let Some(v) = &self.latitude {
            e.latitude = v.clone();
        }
        if let Some(v) = &self.longitude {
            e.longitude = v.clone();
        }
        if let Some(v) = self.availability_status {
            e.availability_status = v;
        }
        if let Some(v) = &self.price_amount {
            e.price_amount = v.clone();
        }
        if let Some(v) = &self.price_currency {
            e.price_currency = v.clone();
        }
        if let Some(v) = self.price_type {
            e.price_type = v;
        }
        if let Some(v) = &self.min_charge {
            e.min_charge = v.clone();
        }
        if let Some(v) = &self.bio {
            e.bio = v.clone();
        }
        if let Some(v) = self.experience_years {
            e.experience_years = v;
        }
        if let Some(v) = &self.intro_audio_url {
            e.intro_audio_url = v.clone();
        }
        e
    }
}

impl FromInput for WorkerBody {
    fn from_input(input: &mut Input) -> Option<Self> {
        let latitude = input.nullable_decimal("latitude", Decimal::LATITUDE);
        let longitude = input.nullable_decimal("longitude", Decimal::LONGITUDE);
        let availability_status = if input.has("availability_status") {
            input
                .choice("availability_status", &Availability::NAMES, None)
                .as_deref()
                .and_then(Availability::parse)
        } else {
            None
        };
        let price_type = if input.has("price_type") {
            input
                .choice("price_type", &PriceType::NAMES, None)
                .as_deref()
                .and_then(PriceType::parse)
        } else {
            None
        };
        let intro_audio_url = input.nullable_url("intro_audio_url", 500);
        let skills = skill_names(input);
        let is_verified = input.boolean("is_verified", false);
        let read = Read {
            latitude,
            longitude,
            availability_status,
            price_amount: input.nullable_decimal("price_amount", Decimal::AMOUNT),
            price_currency: input
                .text("price_currency", Text::optional(3))
                .filter(|c| !c.is_empty()),
            price_type,
            min_charge: input.nullable_decimal("min_charge", Decimal::AMOUNT),
            bio: input.text("bio", Text::optional(5_000)),
            experience_years: input
                .int("experience_years", false, 0, 80)
                .map(|n| n as i32),
            intro_audio_url,
            skills,
            is_verified,
        };
        if read.latitude.as_ref().map(Option::is_some)
            != read.longitude.as_ref().map(Option::is_some)
        {
            input.error("non_field_errors", "Send latitude and longitude together.");
        }
        Some(WorkerBody(read))
    }
}

/// The most skills one profile lists.
pub const MAX_SKILLS: usize = 20;

/// `skills`: a list of names (or, from a form, one comma-separated string), each read as any service
/// name is (1–100 characters once trimmed; NUL refused with every body).
fn skill_names(input: &mut Input) -> Option<Vec<String>> {
    let items: Vec<Value> = match input.json("skills", false)? {
        Value::Array(items) => items,
        Value::String(s) => s
            .split(',')
            .map(str::trim)
            .filter(|p| !p.is_empty())
            .map(|p| Value::String(p.to_owned()))
            .collect(),
        _ => {
            input.error("skills", "Expected a list of service names.");
            return None;
        }
    };
    if items.len() > MAX_SKILLS {
        input.error(
            "skills",
            format!("Ensure this field has no more than {MAX_SKILLS} elements."),
        );
        return None;
    }
    let mut names = Vec::with_capacity(items.len());
    for item in items {
        let Value::String(name) = item else {
            input.error("skills", "Expected a list of service names.");
            return None;
        };
        let name = name.split_whitespace().collect::<Vec<_>>().join(" ");
        if name.is_empty() {
            input.error("skills", "This field may not be blank.");
            return None;
        }
        if name.chars().count() > 100 {
            input.error(
                "skills",
                "Ensure this field has no more than 100 characters.",
            );
            return None;
        }
        names.push(name);
    }
    Some(names)
}

/// `POST /api/v1/workers/me/availability/`
#[derive(Debug, Apiv2Schema)]
pub struct AvailabilityBody {
    pub is_available: bool,
}

impl FromInput for AvailabilityBody {
    fn from_input(input: &mut Input) -> Option<Self> {
        let is_available = input.boolean("is_available", true);
        Some(AvailabilityBody {
            is_available: is_available?,
        })
    }
}

/// `POST /api/v1/workers/me/location/`
#[derive(Debug, Apiv2Schema)]
pub struct LocationBody {
    /// Decimal (9,6), e.g. `26.8467`; rounded to six places.
    pub lat: String,
    pub lng: String,
}

impl FromInput for LocationBody {
    fn from_input(input: &mut Input) -> Option<Self> {
        let lat = input.decimal("lat", Decimal::LATITUDE);
        let lng = input.decimal("lng", Decimal::LONGITUDE);
        Some(LocationBody {
            lat: lat?,
            lng: lng?,
        })
    }
}
