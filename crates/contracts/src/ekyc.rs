//! The eKYC state of a user (DOMAIN §1.1 `ekyc_status`, §1.5), as identity stores it and announces it on
//! `identity.user.updated`.

use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

/// How far a user's eKYC has gone: `none` → `ocr_scanned` (every successful upload of the last four
/// Aadhaar digits, API §3.5) → `verified` (set by the back office only). Wire form: the snake_case name.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EkycStatus {
    /// Nothing uploaded (the default of every user, and of payloads written before the field existed).
    #[default]
    None,
    /// The last four digits were uploaded; nobody has checked them yet.
    OcrScanned,
    /// Staff checked the user's identity (back office).
    Verified,
}

impl EkycStatus {
    /// Every status, in the order a user moves through them.
    pub const ALL: [EkycStatus; 3] = [
        EkycStatus::None,
        EkycStatus::OcrScanned,
        EkycStatus::Verified,
    ];

    /// The names as stored and sent: `none`, `ocr_scanned`, `verified`.
    pub const NAMES: [&'static str; 3] = ["none", "ocr_scanned", "verified"];

    /// The wire and database name.
    pub fn as_str(self) -> &'static str {
        match self {
            EkycStatus::None => "none",
            EkycStatus::OcrScanned => "ocr_scanned",
            EkycStatus::Verified => "verified",
        }
    }
}

impl fmt::Display for EkycStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for EkycStatus {
    type Err = ();

    /// One of [`EkycStatus::NAMES`], exactly (no trimming, no other case).
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        EkycStatus::ALL
            .into_iter()
            .find(|status| status.as_str() == s)
            .ok_or(())
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip_on_the_wire_and_in_text() {
        for (status, name) in EkycStatus::ALL.into_iter().zip(EkycStatus::NAMES) {
            assert_eq!(status.as_str(), name);
            assert_eq!(name.parse::<EkycStatus>(), Ok(status));
            assert_eq!(serde_json::to_value(status).unwrap(), name);
        }
        assert_eq!("Verified".parse::<EkycStatus>(), Err(()));
        assert_eq!(EkycStatus::default(), EkycStatus::None);
    }
}
