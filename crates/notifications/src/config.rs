//! Notifications' settings, read from the environment.

use hm_platform::config::{self, ConfigError};
use hm_platform::service::{CommonConfig, ServiceConfig};
use std::time::Duration;

#[derive(Debug, Clone)]
pub struct NotificationsConfig {
    pub common: CommonConfig,
    pub http_workers: usize,
    /// `ENABLE_NOTIFICATIONS` (default true): with false, events create no notifications.
    pub enabled: bool,
    pub sms: SmsConfig,
    pub push: PushConfig,
    pub sockets: SocketConfig,
}

/// The WebSockets of API §10 (`WS_*`).
#[derive(Debug, Clone)]
pub struct SocketConfig {
    /// `WS_HEARTBEAT_SECS` (default 25): how often the server pings a socket.
    pub heartbeat: Duration,
    /// `WS_IDLE_TIMEOUT_SECS` (default 60): a socket that sent nothing (not even a pong) for this long
    /// is closed (1001), so dead connections are reaped.
    pub idle_timeout: Duration,
    /// `WS_QUEUE` (default 256): messages that may wait for one socket; a client that falls further
    /// behind is closed (1013) rather than slowing the others or growing without bound.
    pub queue: usize,
    /// `WS_MAX_PER_USER` (default 20): sockets one user may hold on one replica; one more is closed at
    /// once with 1008.
    pub max_per_user: usize,
    /// `WS_MAX_MESSAGES_PER_SEC` (default 20): messages a client may send in a second; a socket that
    /// sends more (each `mark_read` is a database write) is closed with 1008.
    pub max_messages_per_sec: u32,
}

/// Which provider sends SMS (`SMS_PROVIDER`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SmsProvider {
    /// Logs the message (at DEBUG: it carries the code) instead of sending it.
    Dev,
    Twilio(TwilioConfig),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TwilioConfig {
    pub account_sid: String,
    pub auth_token: String,
    pub from_number: String,
}

#[derive(Debug, Clone)]
pub struct SmsConfig {
    pub provider: SmsProvider,
    /// Sending attempts per OTP before giving up (`SMS_MAX_ATTEMPTS`, default 4); the back-off between
    /// them is the event consumer's (`EVENTS_RETRY_BASE_MS`, doubling).
    pub max_attempts: u32,
    /// One attempt's limit (`SMS_TIMEOUT_SECS`, default 10).
    pub timeout: Duration,
    /// Validates Twilio's delivery reports (`X-Twilio-Signature`); `None` refuses them all.
    pub webhook_auth_token: Option<String>,
}

/// Push delivery through FCM HTTP v1 (`FCM_*`).
#[derive(Debug, Clone)]
pub struct PushConfig {
    /// `FCM_ENABLED` (default false): with false, pushes stay queued and nothing is sent.
    pub enabled: bool,
    /// `FCM_PROJECT_ID`: the Firebase project messages are sent through.
    pub project_id: String,
    /// `FCM_SERVICE_ACCOUNT_FILE`: the service account's JSON key (client_email, private_key, token_uri).
    pub service_account_file: Option<String>,
    /// `FCM_ENDPOINT` (default `https://fcm.googleapis.com`): the API's base URL.
    pub endpoint: String,
    /// `FCM_MAX_RETRIES` (default 3): attempts before a push is `failed`.
    pub max_retries: i32,
    /// `FCM_BATCH_SIZE` (default 100): pushes taken per round.
    pub batch_size: i64,
}

impl ServiceConfig for NotificationsConfig {
    fn from_env() -> Result<Self, ConfigError> {
        Ok(NotificationsConfig {
            common: CommonConfig::from_env("notifications", 8105, "hm_notifications")?,
            http_workers: config::parse("HTTP_WORKERS", 2)?,
            enabled: config::flag("ENABLE_NOTIFICATIONS", true)?,
            sms: SmsConfig::from_env()?,
            push: PushConfig::from_env()?,
            sockets: SocketConfig::from_env()?,
        })
    }

    fn common(&self) -> &CommonConfig {
        &self.common
    }
}

impl SmsConfig {
    pub fn from_env() -> Result<Self, ConfigError> {
        let provider = match config::string("SMS_PROVIDER", "dev").trim() {
            "dev" => SmsProvider::Dev,
            // A missing credential fails start-up rather than every OTP later.
            "twilio" => SmsProvider::Twilio(TwilioConfig {
                account_sid: config::required("TWILIO_ACCOUNT_SID")?,
                auth_token: config::required("TWILIO_AUTH_TOKEN")?,
                from_number: config::required("TWILIO_FROM_NUMBER")?,
            }),
            other => {
                return Err(ConfigError::Invalid {
                    name: "SMS_PROVIDER",
                    value: other.to_owned(),
                    reason: "expected dev or twilio".into(),
                })
            }
        };
        let max_attempts: u32 = config::parse("SMS_MAX_ATTEMPTS", 4)?;
        if max_attempts == 0 {
            return Err(ConfigError::Invalid {
                name: "SMS_MAX_ATTEMPTS",
                value: "0".into(),
                reason: "at least one attempt".into(),
            });
        }
        Ok(SmsConfig {
            max_attempts,
            timeout: Duration::from_secs(config::parse("SMS_TIMEOUT_SECS", 10)?),
            webhook_auth_token: config::optional("TWILIO_AUTH_TOKEN"),
            provider,
        })
    }
}

impl SocketConfig {
    pub fn from_env() -> Result<Self, ConfigError> {
        let secs = |name, default| {
            config::parse::<u64>(name, default).map(|s| Duration::from_secs(s.max(1)))
        };
        Ok(SocketConfig {
            heartbeat: secs("WS_HEARTBEAT_SECS", 25)?,
            idle_timeout: secs("WS_IDLE_TIMEOUT_SECS", 60)?,
            queue: config::parse::<usize>("WS_QUEUE", 256)?.max(1),
            max_per_user: config::parse::<usize>("WS_MAX_PER_USER", 20)?.max(1),
            max_messages_per_sec: config::parse::<u32>("WS_MAX_MESSAGES_PER_SEC", 20)?.max(1),
        })
    }
}

impl PushConfig {
    pub fn from_env() -> Result<Self, ConfigError> {
        let enabled = config::flag("FCM_ENABLED", false)?;
        Ok(PushConfig {
            enabled,
            project_id: if enabled {
                config::required("FCM_PROJECT_ID")?
            } else {
                config::string("FCM_PROJECT_ID", "")
            },
            service_account_file: if enabled {
                Some(config::required("FCM_SERVICE_ACCOUNT_FILE")?)
            } else {
                config::optional("FCM_SERVICE_ACCOUNT_FILE")
            },
            endpoint: config::string("FCM_ENDPOINT", "https://fcm.googleapis.com"),
            max_retries: config::parse("FCM_MAX_RETRIES", 3)?,
            batch_size: config::parse("FCM_BATCH_SIZE", 100)?,
        })
    }
}
