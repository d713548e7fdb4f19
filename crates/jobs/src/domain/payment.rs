//! Online payments (DOMAIN §4.4): gateways, the webhook-driven status machine and the webhook's
//! HMAC-SHA-256 signature.

use hmac::{Hmac, Mac};
use sha2::Sha256;

pub const GATEWAYS: [&str; 3] = ["razorpay", "stripe", "manual"];

/// The statuses a gateway reports through the webhook.
pub const REPORTED: [&str; 3] = ["pending", "completed", "failed"];

/// The header carrying the webhook's signature: hex HMAC-SHA-256 of the raw body with
/// `PAYMENT_WEBHOOK_SECRET` (an optional `sha256=` prefix is accepted).
pub const SIGNATURE_HEADER: &str = "x-payment-signature";

/// `created → pending → completed | failed`, or `created → completed | failed`; final outcomes stay.
pub fn may_move(from: &str, to: &str) -> bool {
    matches!(
        (from, to),
        ("created", "pending" | "completed" | "failed") | ("pending", "completed" | "failed")
    )
}

/// Whether `signature` (hex, optionally `sha256=`-prefixed) signs `body` with `secret`; compared in
/// constant time.
pub fn signature_valid(secret: &str, body: &[u8], signature: &str) -> bool {
    let hex_part = signature.trim().trim_start_matches("sha256=");
    let Ok(given) = hex::decode(hex_part) else {
        return false;
    };
    let Ok(mut mac) = Hmac::<Sha256>::new_from_slice(secret.as_bytes()) else {
        return false;
    };
    mac.update(body);
    mac.verify_slice(&given).is_ok()
}

/// The signature a gateway sends for `body` (tests and tools sign with it).
pub fn sign(secret: &str, body: &[u8]) -> String {
    match Hmac::<Sha256>::new_from_slice(secret.as_bytes()) {
        Ok(mut mac) => {
            mac.update(body);
            hex::encode(mac.finalize().into_bytes())
        }
        Err(_) => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_status_machine_only_moves_forward() {
        let all = ["created", "pending", "completed", "failed"];
        let allowed: Vec<(&str, &str)> = all
            .iter()
            .flat_map(|f| all.iter().map(move |t| (*f, *t)))
            .filter(|(f, t)| may_move(f, t))
            .collect();
        assert_eq!(
            allowed,
            [
                ("created", "pending"),
                ("created", "completed"),
                ("created", "failed"),
                ("pending", "completed"),
                ("pending", "failed"),
            ]
        );
    }

    #[test]
    fn signatures_are_checked_over_the_exact_body() {
        let body = br#"{"payment_id":"x","status":"completed"}"#;
        let good = sign("s3cret", body);
        assert_eq!(good.len(), 64);
        assert!(signature_valid("s3cret", body, &good));
        assert!(signature_valid("s3cret", body, &format!("sha256={good}")));
        assert!(!signature_valid("other", body, &good));
        assert!(!signature_valid("s3cret", b"{}", &good));
        assert!(!signature_valid("s3cret", body, "zz"));
        assert!(!signature_valid("s3cret", body, ""));
    }
}
