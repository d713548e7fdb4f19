//! The OTP delivery policy: an expired code is dropped, a transient failure is retried (by the event
//! consumer's back-off) until the attempts run out, a refusal is not retried, and every attempt leaves
//! one `sms_log` row without the code.

use super::{otp_text, SmsError, SmsSender};
use crate::store::sms_log::{self, Attempt};
use chrono::Utc;
use hm_contracts::events::OtpRequested;
use hm_platform::db::DbPool;
use hm_platform::events::HandlerError;
use std::sync::Arc;

pub struct OtpDelivery {
    sender: Arc<dyn SmsSender>,
    // The log is written outside the event's transaction: a failed attempt rolls that back (so the
    // event is retried) but must still be on record.
    pool: DbPool,
    max_attempts: u32,
}

impl OtpDelivery {
    pub fn new(sender: Arc<dyn SmsSender>, pool: DbPool, max_attempts: u32) -> Self {
        OtpDelivery {
            sender,
            pool,
            max_attempts: max_attempts.max(1),
        }
    }

    /// Sends the OTP once; `Err(Retryable)` asks for another attempt later.
    pub async fn deliver(&self, otp: &OtpRequested) -> Result<(), HandlerError> {
        let mut conn = self
            .pool
            .get()
            .await
            .map_err(|e| HandlerError::Retryable(e.to_string()))?;
        let attempt = sms_log::attempts(&mut conn, otp.request_id).await? + 1;
        let mut row = Attempt {
            request_id: otp.request_id,
            phone: &otp.phone,
            provider: self.sender.provider(),
            attempt,
            status: "expired",
            error: None,
            provider_message_id: None,
        };
        if Utc::now() >= otp.expires_at {
            // Useless now; the user asks for a new code.
            sms_log::record(&mut conn, &row).await?;
            tracing::info!(request_id = %otp.request_id, "OTP past its lifetime, not sent");
            return Ok(());
        }
        let result = self.sender.send(&otp.phone, &otp_text(&otp.otp)).await;
        let retry = match &result {
            Ok(accepted) => {
                row.status = "sent";
                row.provider_message_id = accepted.provider_message_id.clone();
                false
            }
            Err(SmsError::Transient(e)) => {
                row.status = "failed";
                row.error = Some(e.clone());
                attempt < self.max_attempts
            }
            Err(SmsError::Rejected(e)) => {
                row.status = "rejected";
                row.error = Some(e.clone());
                false
            }
        };
        sms_log::record(&mut conn, &row).await?;
        match result {
            Ok(_) => {
                tracing::info!(request_id = %otp.request_id, provider = row.provider, attempt, "OTP sent");
                Ok(())
            }
            Err(e) if retry => Err(HandlerError::Retryable(e.to_string())),
            Err(e) => {
                tracing::warn!(request_id = %otp.request_id, provider = row.provider, attempt, error = %e, "OTP not sent; giving up");
                Ok(())
            }
        }
    }
}
