//! Online payments (DOMAIN §4.4): gateways, the webhook-driven status machine and the webhook's
//! HMAC-SHA-256 signature.

use super::booking::BookingPayment;
use hmac::{Hmac, Mac};
use sha2::Sha256;
use std::fmt;

/// The gateways a payment may go through.
pub const GATEWAYS: [&str; 3] = ["razorpay", "stripe", "manual"];

/// The statuses a gateway reports through the webhook.
pub const REPORTED: [&str; 3] = ["pending", "completed", "failed"];

/// The header carrying the webhook's signature: hex HMAC-SHA-256 of the raw body with
/// `PAYMENT_WEBHOOK_SECRET` (an optional `sha256=` prefix is accepted).
pub const SIGNATURE_HEADER: &str = "x-payment-signature";

/// A payment's status, stored as its snake_case name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PaymentStatus {
    Created,
    Pending,
    Completed,
    Failed,
}

impl PaymentStatus {
    /// The status as stored and shown.
    pub fn as_str(self) -> &'static str {
        match self {
            PaymentStatus::Created => "created",
            PaymentStatus::Pending => "pending",
            PaymentStatus::Completed => "completed",
            PaymentStatus::Failed => "failed",
        }
    }

    /// The status this name is, if any.
    pub fn parse(s: &str) -> Option<PaymentStatus> {
        [
            PaymentStatus::Created,
            PaymentStatus::Pending,
            PaymentStatus::Completed,
            PaymentStatus::Failed,
        ]
        .into_iter()
        .find(|status| status.as_str() == s)
    }

    /// A final outcome (completed or failed): announced, and followed by the booking's
    /// `payment_status` (`paid` / `failed`).
    pub fn booking_payment_status(self) -> Option<BookingPayment> {
        match self {
            PaymentStatus::Completed => Some(BookingPayment::Paid),
            PaymentStatus::Failed => Some(BookingPayment::Failed),
            PaymentStatus::Created | PaymentStatus::Pending => None,
        }
    }
}

impl fmt::Display for PaymentStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// `created → pending → completed | failed`, or `created → completed | failed`; final outcomes stay.
pub fn may_move(from: PaymentStatus, to: PaymentStatus) -> bool {
    use PaymentStatus::*;
    matches!(
        (from, to),
        (Created, Pending | Completed | Failed) | (Pending, Completed | Failed)
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
            .filter(
                |(f, t)| match (PaymentStatus::parse(f), PaymentStatus::parse(t)) {
                    (Some(f), Some(t)) => may_move(f, t),
                    _ => false,
                },
            )
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
    fn only_final_outcomes_reach_the_booking() {
        let all = ["created", "pending", "completed", "failed"];
        let followed: Vec<(&str, Option<&str>)> = all
            .iter()
            .filter_map(|s| PaymentStatus::parse(s))
            .map(|s| {
                (
                    s.as_str(),
                    s.booking_payment_status().map(BookingPayment::as_str),
                )
            })
            .collect();
        assert_eq!(
            followed,
            [
                ("created", None),
                ("pending", None),
                ("completed", Some("paid")),
                ("failed", Some("failed")),
            ]
        );
        assert_eq!(PaymentStatus::Pending.to_string(), "pending");
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
