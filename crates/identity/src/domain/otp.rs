//! One-time codes: drawn from a CSPRNG, kept only as an HMAC-SHA-256 keyed with `SECRET_KEY`
//! (ARCHITECTURE §12.4), compared in constant time.

use hmac::{Hmac, Mac};
use rand::Rng;
use sha2::Sha256;
use subtle::ConstantTimeEq;

pub const FIXED_OTP: &str = "1234";

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
}
