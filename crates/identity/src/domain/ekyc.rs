//! eKYC's rules (API §3.5–3.6, DOMAIN §1.1, §1.5): what an upload must hold, who may see a user's eKYC,
//! how a stored value is shown, and where an upload leaves the status. No I/O here.

use super::user::User;
use hm_contracts::{EkycStatus, Role};
use serde_json::Value;
use std::fmt;
use uuid::Uuid;

/// The body field of an upload.
pub const FIELD: &str = "aadhaar_last4";

/// The message of a missing, null or empty `aadhaar_last4` (API §3.5: no full stop, a string not a list).
pub const REQUIRED_MESSAGE: &str = "This field is required";

/// The message of anything else that is not exactly four ASCII digits (API §3.5).
pub const FORMAT_MESSAGE: &str = "Must be exactly 4 digits (last 4 of Aadhaar only)";

/// What is shown for a stored value that cannot be opened (unknown key, changed bytes): DOMAIN §1.1.
pub const UNREADABLE_MASK: &str = "XXXX-****";

/// The last four digits of an Aadhaar number: exactly four ASCII digits. `Debug` hides them.
#[derive(Clone, PartialEq, Eq)]
pub struct Last4(String);

impl fmt::Debug for Last4 {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Last4(****)")
    }
}

/// Why an upload's `aadhaar_last4` was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Last4Error {
    /// Absent, `null` or `""`: [`REQUIRED_MESSAGE`].
    Required,
    /// Anything but a string of exactly four ASCII digits: [`FORMAT_MESSAGE`].
    Format,
}

impl Last4 {
    /// `s` when it is exactly four ASCII digits (`0`–`9`; no sign, no space, no other script's digits).
    pub fn parse_str(s: &str) -> Option<Last4> {
        (s.len() == 4 && s.bytes().all(|b| b.is_ascii_digit())).then(|| Last4(s.to_owned()))
    }

    /// The field as submitted (`None`: absent). Only a JSON string (a form field is one) of exactly four
    /// ASCII digits is taken, untrimmed: `1234` as a JSON number, `"१२३४"`, `"１２３４"`, `" 1234"`, `"12345"`
    /// and a full 12-digit Aadhaar number are [`Last4Error::Format`]; absent, `null` and `""` are
    /// [`Last4Error::Required`].
    pub fn from_field(value: Option<&Value>) -> Result<Last4, Last4Error> {
        match value {
            None | Some(Value::Null) => Err(Last4Error::Required),
            Some(Value::String(s)) if s.is_empty() => Err(Last4Error::Required),
            Some(Value::String(s)) => Last4::parse_str(s).ok_or(Last4Error::Format),
            Some(_) => Err(Last4Error::Format),
        }
    }

    /// The four digits. Only for sealing and for [`Last4::masked`]: never log or render them otherwise.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// `XXXX-dddd`.
    pub fn masked(&self) -> String {
        format!("XXXX-{}", self.0)
    }
}

/// What a user's row holds, as far as it could be read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Stored {
    /// No value stored.
    Nothing,
    /// A value that opened.
    Readable(Last4),
    /// A value that did not open: its key is unknown, or its bytes were changed.
    Unreadable,
}

impl Stored {
    /// `aadhaar_last4_masked` of DOMAIN §1.1: `None` when nothing is stored, `XXXX-dddd` when readable,
    /// [`UNREADABLE_MASK`] when not.
    pub fn masked(&self) -> Option<String> {
        match self {
            Stored::Nothing => None,
            Stored::Readable(digits) => Some(digits.masked()),
            Stored::Unreadable => Some(UNREADABLE_MASK.to_owned()),
        }
    }
}

/// Whether `caller` may upload or read the eKYC of user `owner`: the user themself, or staff (an admin
/// account, or one with `is_staff`).
pub fn may_access(caller: &User, owner: Uuid) -> bool {
    caller.id == owner || caller.is_staff || caller.role == Role::Admin
}

/// The status after a successful upload: always `ocr_scanned` (DOMAIN §1.5: "on every successful upload,
/// including re-uploads"). This includes a `verified` user: new digits were not the ones staff checked,
/// so they must be checked again.
pub fn after_upload(_before: EkycStatus) -> EkycStatus {
    EkycStatus::OcrScanned
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn only_a_string_of_four_ascii_digits_is_taken() {
        assert_eq!(
            Last4::from_field(Some(&json!("1234"))).unwrap().as_str(),
            "1234"
        );
        assert_eq!(
            Last4::from_field(Some(&json!("0000"))).unwrap().as_str(),
            "0000"
        );
        for required in [None, Some(json!(null)), Some(json!(""))] {
            assert_eq!(
                Last4::from_field(required.as_ref()),
                Err(Last4Error::Required),
                "{required:?}"
            );
        }
        for bad in [
            json!("12345"),
            json!("123"),
            json!("abcd"),
            json!("123456789012"),
            json!(1234),
            json!(12.34),
            json!(true),
            json!(["1234"]),
            json!({"d": "1234"}),
            json!("१२३४"),
            json!("١٢٣٤"),
            json!("１２３４"),
            json!(" 1234"),
            json!("1234 "),
            json!("12 34"),
            json!("    "),
            json!("+123"),
            json!("-123"),
            json!("12.3"),
        ] {
            assert_eq!(
                Last4::from_field(Some(&bad)),
                Err(Last4Error::Format),
                "{bad}"
            );
        }
    }

    #[test]
    fn k8_k9_the_masked_form() {
        assert_eq!(
            Stored::Readable(Last4::parse_str("2468").unwrap()).masked(),
            Some("XXXX-2468".to_owned())
        );
        assert_eq!(Stored::Nothing.masked(), None);
        assert_eq!(Stored::Unreadable.masked(), Some("XXXX-****".to_owned()));
    }

    #[test]
    fn the_digits_never_show_in_debug_output() {
        let digits = Last4::parse_str("9753").unwrap();
        let shown = format!("{digits:?} {:?}", Stored::Readable(digits.clone()));
        assert!(!shown.contains("9753"), "{shown}");
    }

    fn user(role: Role, is_staff: bool) -> User {
        User {
            id: Uuid::new_v4(),
            phone: Some("+919876543210".into()),
            role,
            first_name: String::new(),
            last_name: String::new(),
            email: None,
            language_preference: "en".into(),
            is_phone_verified: true,
            is_active: true,
            is_staff,
            has_worker_profile: false,
            has_contractor_profile: false,
            ekyc_status: EkycStatus::None,
            created_at: chrono::Utc::now(),
        }
    }

    #[test]
    fn only_the_user_and_staff_may_see_a_users_ekyc() {
        let owner = user(Role::Worker, false);
        assert!(may_access(&owner, owner.id));
        for stranger in [user(Role::Worker, false), user(Role::Employer, false)] {
            assert!(!may_access(&stranger, owner.id));
        }
        assert!(may_access(&user(Role::Admin, true), owner.id));
        assert!(may_access(&user(Role::Admin, false), owner.id));
        assert!(may_access(&user(Role::Contractor, true), owner.id));
    }

    #[test]
    fn every_upload_leaves_the_status_ocr_scanned() {
        for before in EkycStatus::ALL {
            assert_eq!(after_upload(before), EkycStatus::OcrScanned);
        }
    }
}
