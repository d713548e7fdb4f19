//! Construction sites (DOMAIN §3.3): what a site's writable fields must hold, and who sees a site.

use chrono::NaiveDate;
use serde_json::Value;
use uuid::Uuid;

/// The writable fields of a site.
#[derive(Debug, Clone, Default)]
pub struct Editable {
    pub name: String,
    pub address: String,
    pub lat: Option<String>,
    pub lng: Option<String>,
    pub phone: String,
    pub is_active: bool,
    pub start_date: Option<NaiveDate>,
    pub end_date: Option<NaiveDate>,
    pub metadata: Value,
}

impl Editable {
    /// A new site's fields before the body applies: active, with empty metadata.
    pub fn new_site() -> Editable {
        Editable {
            is_active: true,
            metadata: Value::Object(serde_json::Map::new()),
            ..Editable::default()
        }
    }
}

/// Why a site's fields do not hold together.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Problem {
    NameRequired,
    AddressRequired,
    /// Only one of `lat`, `lng`.
    HalfAPosition,
    EndBeforeStart,
}

/// What is wrong with `e`, in field order (empty when nothing).
pub fn problems(e: &Editable) -> Vec<Problem> {
    let mut found = Vec::new();
    if e.name.is_empty() {
        found.push(Problem::NameRequired);
    }
    if e.address.is_empty() {
        found.push(Problem::AddressRequired);
    }
    if e.lat.is_some() != e.lng.is_some() {
        found.push(Problem::HalfAPosition);
    }
    if let (Some(s), Some(end)) = (e.start_date, e.end_date) {
        if s > end {
            found.push(Problem::EndBeforeStart);
        }
    }
    found
}

/// Whose sites a caller lists: an admin all (`None`), a contractor their own profile's.
pub fn list_scope(admin: bool, own: Option<Uuid>) -> Option<Uuid> {
    if admin {
        None
    } else {
        own
    }
}

/// Whether a caller sees a site of contractor `owner`: an admin sees all, a contractor their own.
pub fn may_see(admin: bool, caller: Option<Uuid>, owner: Uuid) -> bool {
    admin || caller == Some(owner)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_site_needs_a_name_an_address_and_a_whole_position() {
        assert_eq!(
            problems(&Editable::new_site()),
            [Problem::NameRequired, Problem::AddressRequired]
        );
        let e = Editable {
            name: "Green Valley".into(),
            address: "Lucknow".into(),
            lat: Some("26.85".into()),
            start_date: NaiveDate::from_ymd_opt(2026, 5, 2),
            end_date: NaiveDate::from_ymd_opt(2026, 5, 1),
            ..Editable::new_site()
        };
        assert_eq!(
            problems(&e),
            [Problem::HalfAPosition, Problem::EndBeforeStart]
        );
    }

    #[test]
    fn contractors_see_their_own_sites_and_admins_all() {
        let (own, other) = (Uuid::new_v4(), Uuid::new_v4());
        assert!(may_see(false, Some(own), own));
        assert!(!may_see(false, Some(other), own));
        assert!(!may_see(false, None, own));
        assert!(may_see(true, None, own));
        assert_eq!(list_scope(true, Some(own)), None);
        assert_eq!(list_scope(false, Some(own)), Some(own));
    }
}
