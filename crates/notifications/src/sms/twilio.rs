//! Twilio through the `twilio` crate (twilio-rs): sending, and the signed delivery reports it calls back
//! with.

use super::{Accepted, SmsError, SmsSender};
use crate::config::TwilioConfig;
use futures_util::future::BoxFuture;
use hyper014 as hyper;
use std::collections::BTreeMap;
use std::time::Duration;
use twilio::{Client, OutboundMessage, TwilioError};

pub struct TwilioSender {
    client: Client,
    from: String,
    timeout: Duration,
}

impl TwilioSender {
    pub fn new(config: &TwilioConfig, timeout: Duration) -> Self {
        TwilioSender {
            client: Client::new(&config.account_sid, &config.auth_token),
            from: config.from_number.clone(),
            timeout,
        }
    }
}

impl SmsSender for TwilioSender {
    fn provider(&self) -> &'static str {
        "twilio"
    }

    fn send<'a>(&'a self, to: &'a str, body: &'a str) -> BoxFuture<'a, Result<Accepted, SmsError>> {
        Box::pin(async move {
            let sent = tokio::time::timeout(
                self.timeout,
                self.client
                    .send_message(OutboundMessage::new(&self.from, to, body)),
            )
            .await
            .map_err(|_| SmsError::Transient(format!("no answer within {:?}", self.timeout)))?;
            match sent {
                Ok(message) => Ok(Accepted {
                    provider_message_id: Some(message.sid),
                }),
                Err(e) => classify(e),
            }
        })
    }
}

/// Network trouble, 429 and 5xx are worth retrying; other statuses would be refused again.
fn classify(e: TwilioError) -> Result<Accepted, SmsError> {
    match e {
        TwilioError::NetworkError(e) => Err(SmsError::Transient(format!("network: {e}"))),
        TwilioError::HTTPError(status) if status.as_u16() == 429 || status.is_server_error() => {
            Err(SmsError::Transient(format!("HTTP {status}")))
        }
        TwilioError::HTTPError(status) => Err(SmsError::Rejected(format!("HTTP {status}"))),
        // Only after a 2xx: Twilio took the message; a retry would send it twice.
        TwilioError::ParsingError => Ok(Accepted::default()),
        other => Err(SmsError::Rejected(other.to_string())),
    }
}

/// A delivery report (`StatusCallback`): which message and how it fared.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeliveryReport {
    pub message_sid: String,
    pub status: String,
    pub error_code: Option<String>,
}

/// The statuses Twilio reports for an outbound message.
pub const STATUSES: [&str; 10] = [
    "queued",
    "accepted",
    "scheduled",
    "sending",
    "sent",
    "delivered",
    "undelivered",
    "failed",
    "read",
    "canceled",
];

impl twilio::FromMap for DeliveryReport {
    fn from_map(mut m: BTreeMap<String, String>) -> Result<Box<Self>, TwilioError> {
        // Signed, but still input: a NUL would reach the database as text (issue #15).
        if m.values().any(|v| v.contains('\0')) {
            return Err(TwilioError::ParsingError);
        }
        let message_sid = m
            .remove("MessageSid")
            .filter(|s| !s.is_empty() && s.len() <= 64)
            .ok_or(TwilioError::ParsingError)?;
        let status = m
            .remove("MessageStatus")
            .filter(|s| STATUSES.contains(&s.as_str()))
            .ok_or(TwilioError::ParsingError)?;
        let error_code = m
            .remove("ErrorCode")
            .filter(|c| !c.is_empty())
            .map(|c| c.chars().take(16).collect());
        Ok(Box::new(DeliveryReport {
            message_sid,
            status,
            error_code,
        }))
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ReportError {
    /// No signature, or not Twilio's for this URL and body.
    #[error("invalid or missing X-Twilio-Signature")]
    BadSignature,
    /// Signed, but not a message status report.
    #[error("not a message status report")]
    Malformed,
}

impl DeliveryReport {
    /// Checks `signature` with the crate's webhook validation (HMAC-SHA1 of `https://{host}{path}` and
    /// the sorted form fields, keyed with the auth token) and reads the report.
    pub async fn verify(
        auth_token: &str,
        host: &str,
        path: &str,
        signature: Option<&[u8]>,
        form: bytes::Bytes,
    ) -> Result<DeliveryReport, ReportError> {
        let mut request = hyper::Request::builder()
            .method(hyper::Method::POST)
            .uri(path)
            .header(hyper::header::HOST, host);
        if let Some(signature) = signature {
            request = request.header("X-Twilio-Signature", signature);
        }
        let request = request
            .body(hyper::Body::from(form))
            .map_err(|_| ReportError::Malformed)?;
        // Only the auth token signs; the account id is not part of the check.
        Client::new("", auth_token)
            .parse_request::<DeliveryReport>(request)
            .await
            .map(|report| *report)
            .map_err(|e| match e {
                TwilioError::ParsingError => ReportError::Malformed,
                _ => ReportError::BadSignature,
            })
    }
}
