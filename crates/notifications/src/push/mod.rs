//! Push delivery (DOMAIN §5.4): a notification for `push` or `both` queues one push per active device of
//! its recipient (every active device for a broadcast); the worker sends them through a `PushSender`.

mod fcm;
mod worker;

pub use fcm::{FcmSender, ServiceAccount};
pub use worker::PushWorker;

use futures_util::future::BoxFuture;
use serde_json::Value;

/// One push to one device.
#[derive(Debug, Clone, Copy)]
pub struct PushMessage<'a> {
    pub token: &'a str,
    pub title: &'a str,
    pub body: &'a str,
    pub data: &'a Value,
}

/// How a send went, with what the provider answered (kept in `provider_response`).
#[derive(Debug, Clone, PartialEq)]
pub enum PushOutcome {
    Sent(Value),
    /// The token is unknown or invalid: the device is deactivated.
    Unregistered(Value),
    /// A network error, 429 or 5xx: tried again later, up to `FCM_MAX_RETRIES` attempts.
    Retry(Value),
    /// Refused for another reason; not retried.
    Failed(Value),
}

pub trait PushSender: Send + Sync + 'static {
    fn send<'a>(&'a self, message: PushMessage<'a>) -> BoxFuture<'a, PushOutcome>;
}
