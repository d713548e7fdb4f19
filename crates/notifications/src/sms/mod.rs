//! OTP text messages (issue #7): the `SmsSender` boundary with its two providers, and the delivery
//! policy around it (retry, expiry, the attempt log).

mod delivery;
mod twilio;

pub use delivery::OtpDelivery;
pub use twilio::{DeliveryReport, ReportError, TwilioSender, STATUSES as REPORTED_STATUSES};

use crate::config::{SmsConfig, SmsProvider};
use futures_util::future::BoxFuture;
use std::sync::Arc;

/// The text of an OTP message.
pub fn otp_text(otp: &str) -> String {
    format!("Your HunarMitra OTP is: {otp}")
}

/// What a provider answers when it took the message.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Accepted {
    /// The provider's id for later delivery reports (Twilio's message SID).
    pub provider_message_id: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SmsError {
    /// A network error, a timeout, 429 or 5xx: another attempt may succeed.
    #[error("transient: {0}")]
    Transient(String),
    /// Any other refusal (a 4xx such as an invalid number): the same message would be refused again.
    #[error("rejected: {0}")]
    Rejected(String),
}

/// Sends one text message. Implementations: Twilio, the dev logger, and the tests' recording sender.
pub trait SmsSender: Send + Sync + 'static {
    /// As `sms_log.provider` records it.
    fn provider(&self) -> &'static str;
    fn send<'a>(&'a self, to: &'a str, body: &'a str) -> BoxFuture<'a, Result<Accepted, SmsError>>;
}

/// `SMS_PROVIDER=dev`: the message goes to the log instead of a phone. It carries the code, so it is
/// logged at DEBUG only (`DEBUG=true`, as `make run` sets, shows it).
pub struct DevSender;

impl SmsSender for DevSender {
    fn provider(&self) -> &'static str {
        "dev"
    }

    fn send<'a>(&'a self, to: &'a str, body: &'a str) -> BoxFuture<'a, Result<Accepted, SmsError>> {
        Box::pin(async move {
            tracing::debug!(%to, %body, "SMS (dev provider: logged, not sent)");
            Ok(Accepted::default())
        })
    }
}

/// The sender `SMS_PROVIDER` names.
pub fn sender(config: &SmsConfig) -> Arc<dyn SmsSender> {
    match &config.provider {
        SmsProvider::Dev => Arc::new(DevSender),
        SmsProvider::Twilio(twilio) => Arc::new(TwilioSender::new(twilio, config.timeout)),
    }
}
