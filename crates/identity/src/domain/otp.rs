//! One-time codes: drawn from a CSPRNG, kept only as an HMAC-SHA-256 keyed with `SECRET_KEY`
//! (ARCHITECTURE §12.4), compared in constant time.

use hmac::{Hmac, Mac};
use rand::Rng;
use sha2::Sha256;
use subtle::ConstantTimeEq;

pub const FIXED_OTP: &str = "1234";

/// Which request-otp limit a request ran into.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Limited {
    /// 1 a minute per phone.
    Minute,
    /// 5 an hour per phone.
    Hour,
    /// The per-IP hourly limit.
    Ip,
}

/// What a wrong code did to its challenge.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Failure {
    /// The challenge no longer exists (expired, used or burned meanwhile).
    Gone,
    /// One more failed attempt counted.
    Counted,
    /// The last allowed attempt failed: the challenge is burned.
    Burned,
}

/// An OTP audit row's `action` (stored as the same strings).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OtpAction {
    /// A code was sent.
    Request,
    /// A code was accepted.
    VerifySuccess,
    /// A wrong code was presented.
    VerifyFail,
}

impl OtpAction {
    /// The stored spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            OtpAction::Request => "request",
            OtpAction::VerifySuccess => "verify_success",
            OtpAction::VerifyFail => "verify_fail",
        }
    }
}

/// The code to send: the fixed one in tests (`USE_FIXED_OTP`), else `length` random digits.
pub fn new_code(use_fixed: bool, length: usize) -> String {
    if use_fixed {
        FIXED_OTP.to_owned()
    } else {
        generate(length)
    }
}

/// request-otp's `message`: returning users are welcomed back.
pub fn sent_message(phone: &str, is_existing_user: bool) -> String {
    if is_existing_user {
        format!("Welcome back! OTP sent to {phone}")
    } else {
        format!("OTP sent to {phone}")
    }
}

/// `length` decimal digits, each uniform, leading zeros allowed.
pub fn generate(length: usize) -> String {
    let mut rng = rand::rngs::OsRng;
    (0..length)
        .map(|_| char::from(b'0' + rng.gen_range(0..10u8)))
        .collect()
}

/// Binds the code to the phone it was sent to, so a code cannot be replayed for another number.
pub fn hash(otp: &str, phone: &str, secret_key: &str) -> String {
    let mut mac = match Hmac::<Sha256>::new_from_slice(secret_key.as_bytes()) {
        Ok(mac) => mac,
        // HMAC takes keys of any length; this arm is unreachable in practice.
        Err(_) => return String::new(),
    };
    mac.update(otp.as_bytes());
    mac.update(b":");
    mac.update(phone.as_bytes());
    hex::encode(mac.finalize().into_bytes())
}

/// Whether `otp` is the code whose [`hash`] was stored for `phone`, compared in constant time.
pub fn matches(otp: &str, phone: &str, secret_key: &str, stored_hash: &str) -> bool {
    let computed = hash(otp, phone, secret_key);
    !stored_hash.is_empty() && bool::from(computed.as_bytes().ct_eq(stored_hash.as_bytes()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_have_the_requested_length_and_digits_only() {
        for len in 4..=6 {
            let code = generate(len);
            assert_eq!(code.len(), len);
            assert!(code.bytes().all(|b| b.is_ascii_digit()));
        }
    }

    #[test]
    fn hash_binds_code_phone_and_key() {
        let h = hash("1234", "+919876543210", "k");
        assert!(matches("1234", "+919876543210", "k", &h));
        assert!(!matches("1235", "+919876543210", "k", &h));
        assert!(!matches("1234", "+919876543211", "k", &h));
        assert!(!matches("1234", "+919876543210", "other", &h));
        assert!(!matches("1234", "+919876543210", "k", ""));
        assert!(!h.contains("1234"));
    }

    #[test]
    fn the_fixed_code_only_when_asked_for() {
        assert_eq!(new_code(true, 6), FIXED_OTP);
        assert_eq!(new_code(false, 6).len(), 6);
    }

    #[test]
    fn returning_users_are_welcomed_back() {
        assert_eq!(sent_message("+911", true), "Welcome back! OTP sent to +911");
        assert_eq!(sent_message("+911", false), "OTP sent to +911");
    }

    #[test]
    fn audit_actions_keep_their_stored_spelling() {
        assert_eq!(OtpAction::Request.as_str(), "request");
        assert_eq!(OtpAction::VerifySuccess.as_str(), "verify_success");
        assert_eq!(OtpAction::VerifyFail.as_str(), "verify_fail");
    }
}
