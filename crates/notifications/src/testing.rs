//! Notifications as tests start it (the platform's `TestApp`: in-process on a free port, against the real
//! Postgres, Redis and RabbitMQ, isolated per test), and recording SMS and push senders that fail on
//! command.
#![allow(clippy::expect_used, clippy::unwrap_used)]

use crate::config::{NotificationsConfig, PushConfig, SmsConfig, SmsProvider, SocketConfig};
use crate::push::{PushMessage, PushOutcome, PushSender};
use crate::sms::{Accepted, SmsError, SmsSender};
use crate::Senders;
use futures_util::future::BoxFuture;
use hm_platform::server::{Application, StartError};
use hm_platform::service::{CommonConfig, Service, ServiceInfo};
use hm_platform::testing::TestService;
use std::collections::VecDeque;
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// Notifications as tests start it (`hm_platform::testing::TestApp::init::<Notifications>()`).
pub struct Notifications;

/// A test instance's settings, and the SMS and push providers it sends with (`None`: those the
/// settings name — the dev SMS logger, no push).
pub struct TestConfig {
    pub config: NotificationsConfig,
    pub senders: Option<Senders>,
}

/// The service with the test's SMS and push senders ([`TestConfig::senders`]) in place of those its
/// settings name.
impl Service for Notifications {
    type Config = TestConfig;
    const INFO: ServiceInfo = crate::Notifications::INFO;

    async fn build(test: TestConfig) -> Result<Application, StartError> {
        let senders = match test.senders {
            Some(senders) => senders,
            None => Senders::from_config(&test.config)?,
        };
        crate::build_with(test.config, senders).await
    }
}

impl TestService for Notifications {
    /// Dev SMS, push off, a Twilio token for delivery reports.
    fn config(common: CommonConfig) -> TestConfig {
        TestConfig {
            config: NotificationsConfig {
                common,
                http_workers: 1,
                enabled: true,
                sms: SmsConfig {
                    provider: SmsProvider::Dev,
                    max_attempts: 4,
                    timeout: Duration::from_secs(5),
                    webhook_auth_token: Some(TWILIO_TEST_TOKEN.into()),
                },
                push: PushConfig {
                    enabled: false,
                    project_id: "hunarmitra-test".into(),
                    service_account_file: None,
                    endpoint: String::new(),
                    max_retries: 3,
                    batch_size: 100,
                },
                sockets: SocketConfig {
                    heartbeat: Duration::from_secs(25),
                    idle_timeout: Duration::from_secs(60),
                    queue: 256,
                    max_per_user: 20,
                    max_messages_per_sec: 20,
                },
            },
            senders: None,
        }
    }
}

/// The auth token test instances check Twilio signatures with.
pub const TWILIO_TEST_TOKEN: &str = "twilio-test-auth-token";

/// An SMS sender that records what it is asked to send and answers from a script (then accepts).
#[derive(Default)]
pub struct RecordingSms {
    script: Mutex<VecDeque<Result<Accepted, SmsError>>>,
    sent: Mutex<Vec<(String, String)>>,
    calls: Mutex<usize>,
}

impl RecordingSms {
    /// Answers the next calls with `answers`, in order.
    pub fn failing(answers: Vec<Result<Accepted, SmsError>>) -> Arc<Self> {
        let sender = RecordingSms::default();
        *sender.script.lock().unwrap() = answers.into();
        Arc::new(sender)
    }

    /// The messages accepted, as (to, body).
    pub fn sent(&self) -> Vec<(String, String)> {
        self.sent.lock().unwrap().clone()
    }

    /// Every call, accepted or not.
    pub fn calls(&self) -> usize {
        *self.calls.lock().unwrap()
    }
}

impl SmsSender for RecordingSms {
    fn provider(&self) -> &'static str {
        "recording"
    }

    fn send<'a>(&'a self, to: &'a str, body: &'a str) -> BoxFuture<'a, Result<Accepted, SmsError>> {
        Box::pin(async move {
            *self.calls.lock().unwrap() += 1;
            let answer = self
                .script
                .lock()
                .unwrap()
                .pop_front()
                .unwrap_or(Ok(Accepted {
                    provider_message_id: Some(format!("SM{}", uuid::Uuid::new_v4().simple())),
                }));
            if answer.is_ok() {
                self.sent
                    .lock()
                    .unwrap()
                    .push((to.to_owned(), body.to_owned()));
            }
            answer
        })
    }
}

/// A push sender that records what it sends and answers from a script (then `Sent`).
#[derive(Default)]
pub struct RecordingPush {
    script: Mutex<VecDeque<PushOutcome>>,
    sent: Mutex<Vec<(String, String)>>,
}

impl RecordingPush {
    pub fn answering(answers: Vec<PushOutcome>) -> Arc<Self> {
        let sender = RecordingPush::default();
        *sender.script.lock().unwrap() = answers.into();
        Arc::new(sender)
    }

    /// Every push attempted, as (token, title).
    pub fn sent(&self) -> Vec<(String, String)> {
        self.sent.lock().unwrap().clone()
    }
}

impl PushSender for RecordingPush {
    fn send<'a>(&'a self, m: PushMessage<'a>) -> BoxFuture<'a, PushOutcome> {
        Box::pin(async move {
            self.sent
                .lock()
                .unwrap()
                .push((m.token.to_owned(), m.title.to_owned()));
            self.script
                .lock()
                .unwrap()
                .pop_front()
                .unwrap_or(PushOutcome::Sent(
                    serde_json::json!({"name": "projects/test/messages/1"}),
                ))
        })
    }
}
