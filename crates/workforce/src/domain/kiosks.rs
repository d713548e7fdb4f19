//! Attendance kiosks (DOMAIN §3.6–3.8): device tokens (shown once, kept as their SHA-256), whose a new
//! kiosk is, and how far from its kiosk a check happened.

use super::geo::{self, Point};
use sha2::{Digest, Sha256};
use uuid::Uuid;

/// A new device token: 32 random bytes as 64 hex digits.
pub fn new_token() -> String {
    hex::encode(rand::random::<[u8; 32]>())
}

/// What is stored of a device token: its SHA-256 in hex.
pub fn token_hash(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

/// Whether a presented token is the one whose hash is stored, compared in equal time.
pub fn token_matches(presented: &str, stored_hash: &str) -> bool {
    let presented = token_hash(presented);
    let differs = presented
        .bytes()
        .zip(stored_hash.bytes())
        .fold(presented.len() ^ stored_hash.len(), |acc, (a, b)| {
            acc | usize::from(a ^ b)
        });
    differs == 0
}

/// Whose a kiosk being registered is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Owner {
    /// The contractor profile an admin named (to be found).
    Named(Uuid),
    /// The caller's own profile, if any (an admin may register a kiosk of nobody's).
    Own(Option<Uuid>),
}

/// Whose the kiosk is: an admin's choice, else the caller's own profile; `None` for a caller who is
/// neither an admin nor a contractor.
pub fn owner(admin: bool, named: Option<Uuid>, own: Option<Uuid>) -> Option<Owner> {
    match (admin, named, own) {
        (true, Some(id), _) => Some(Owner::Named(id)),
        (true, None, own) => Some(Owner::Own(own)),
        (false, _, Some(own)) => Some(Owner::Own(Some(own))),
        (false, _, None) => None,
    }
}

/// Whether a kiosk of `contractor` may stand at a site of `site_owner`: an admin's anywhere.
pub fn may_use_site(admin: bool, contractor: Option<Uuid>, site_owner: Uuid) -> bool {
    admin || contractor == Some(site_owner)
}

/// Metres between the kiosk and where the check happened, when both are known and on Earth.
pub fn distance_m(kiosk: Option<(f64, f64)>, at: Option<(f64, f64)>) -> Option<f64> {
    let (klat, klng) = kiosk?;
    let (lat, lng) = at?;
    let (a, b) = (Point::new(klat, klng)?, Point::new(lat, lng)?);
    Some(geo::haversine_km(a, b) * 1000.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_token_matches_its_hash_only() {
        let token = new_token();
        assert_eq!(token.len(), 64);
        let stored = token_hash(&token);
        assert!(token_matches(&token, &stored));
        assert!(!token_matches(&new_token(), &stored));
        assert!(!token_matches(&token, &stored[..63]));
    }

    #[test]
    fn admins_name_the_owner_contractors_own_it() {
        let (a, b) = (Uuid::new_v4(), Uuid::new_v4());
        assert_eq!(owner(true, Some(a), Some(b)), Some(Owner::Named(a)));
        assert_eq!(owner(true, None, None), Some(Owner::Own(None)));
        assert_eq!(owner(false, Some(a), Some(b)), Some(Owner::Own(Some(b))));
        assert_eq!(owner(false, Some(a), None), None);
        assert!(may_use_site(false, Some(a), a));
        assert!(!may_use_site(false, Some(a), b));
        assert!(may_use_site(true, None, b));
    }

    #[test]
    fn the_distance_needs_both_positions() {
        assert_eq!(distance_m(None, Some((26.85, 80.95))), None);
        assert_eq!(distance_m(Some((26.85, 80.95)), None), None);
        assert_eq!(distance_m(Some((91.0, 0.0)), Some((26.85, 80.95))), None);
        let d = distance_m(Some((26.85, 80.95)), Some((26.851, 80.95))).unwrap_or_default();
        assert!((d - 111.2).abs() < 1.0, "{d}");
    }
}
