//! FCM HTTP v1: `POST {endpoint}/v1/projects/{project}/messages:send` with an OAuth2 access token that
//! the service account's key obtains (a signed JWT exchanged at its `token_uri`) and that is reused
//! until shortly before it expires.

use super::{PushMessage, PushOutcome, PushSender};
use futures_util::future::BoxFuture;
use jsonwebtoken::{Algorithm, EncodingKey, Header};
use serde::{Deserialize, Serialize};
use serde_json::{json, Map, Value};
use std::time::{Duration, Instant};
use tokio::sync::Mutex;

const SCOPE: &str = "https://www.googleapis.com/auth/firebase.messaging";

/// The fields of a Google service account key file that FCM needs.
#[derive(Clone, Deserialize)]
pub struct ServiceAccount {
    pub client_email: String,
    pub private_key: String,
    pub token_uri: String,
}

/// Why FCM could not be set up, or an access token not be had.
#[derive(Debug, thiserror::Error)]
pub enum FcmError {
    #[error("{path}: {source}")]
    KeyFile {
        path: String,
        source: std::io::Error,
    },
    #[error("{path}: not a service account key: {source}")]
    NotAKey {
        path: String,
        source: serde_json::Error,
    },
    #[error("service account private_key: {0}")]
    PrivateKey(jsonwebtoken::errors::Error),
    #[error("http client: {0}")]
    Client(reqwest::Error),
    #[error("signing the token request: {0}")]
    Sign(jsonwebtoken::errors::Error),
    #[error("token request: {0}")]
    TokenRequest(reqwest::Error),
    #[error("token request: HTTP {0}")]
    TokenStatus(reqwest::StatusCode),
    #[error("token answer: {0}")]
    TokenAnswer(reqwest::Error),
}

impl ServiceAccount {
    /// The key file at `path` (`PUSH_SERVICE_ACCOUNT_FILE`).
    pub fn from_file(path: &str) -> Result<Self, FcmError> {
        let text = std::fs::read_to_string(path).map_err(|source| FcmError::KeyFile {
            path: path.to_owned(),
            source,
        })?;
        serde_json::from_str(&text).map_err(|source| FcmError::NotAKey {
            path: path.to_owned(),
            source,
        })
    }
}

pub struct FcmSender {
    http: reqwest::Client,
    send_url: String,
    account: ServiceAccount,
    key: EncodingKey,
    token: Mutex<Option<(String, Instant)>>,
}

#[derive(Serialize)]
struct Assertion<'a> {
    iss: &'a str,
    scope: &'a str,
    aud: &'a str,
    iat: i64,
    exp: i64,
}

#[derive(Deserialize)]
struct AccessToken {
    access_token: String,
    expires_in: u64,
}

impl FcmSender {
    pub fn new(
        endpoint: &str,
        project_id: &str,
        account: ServiceAccount,
    ) -> Result<Self, FcmError> {
        let key = EncodingKey::from_rsa_pem(account.private_key.as_bytes())
            .map_err(FcmError::PrivateKey)?;
        let http = reqwest::Client::builder()
            .timeout(Duration::from_secs(10))
            .build()
            .map_err(FcmError::Client)?;
        Ok(FcmSender {
            http,
            send_url: format!(
                "{}/v1/projects/{project_id}/messages:send",
                endpoint.trim_end_matches('/')
            ),
            account,
            key,
            token: Mutex::new(None),
        })
    }

    /// A valid access token, fetched when there is none or it is about to expire.
    async fn access_token(&self) -> Result<String, FcmError> {
        let mut cached = self.token.lock().await;
        if let Some((token, until)) = cached.as_ref() {
            if Instant::now() < *until {
                return Ok(token.clone());
            }
        }
        let now = chrono::Utc::now().timestamp();
        let assertion = jsonwebtoken::encode(
            &Header::new(Algorithm::RS256),
            &Assertion {
                iss: &self.account.client_email,
                scope: SCOPE,
                aud: &self.account.token_uri,
                iat: now,
                exp: now + 3600,
            },
            &self.key,
        )
        .map_err(FcmError::Sign)?;
        let answer = self
            .http
            .post(&self.account.token_uri)
            .form(&[
                ("grant_type", "urn:ietf:params:oauth:grant-type:jwt-bearer"),
                ("assertion", assertion.as_str()),
            ])
            .send()
            .await
            .map_err(FcmError::TokenRequest)?;
        if !answer.status().is_success() {
            return Err(FcmError::TokenStatus(answer.status()));
        }
        let token: AccessToken = answer.json().await.map_err(FcmError::TokenAnswer)?;
        let until = Instant::now() + Duration::from_secs(token.expires_in.saturating_sub(60));
        *cached = Some((token.access_token.clone(), until));
        Ok(token.access_token)
    }

    async fn deliver(&self, message: PushMessage<'_>) -> PushOutcome {
        let token = match self.access_token().await {
            Ok(token) => token,
            Err(e) => return PushOutcome::Retry(json!({"error": e.to_string()})),
        };
        let answer = self
            .http
            .post(&self.send_url)
            .bearer_auth(token)
            .json(&json!({"message": {
                "token": message.token,
                "notification": {"title": message.title, "body": message.body},
                "data": string_map(message.data),
            }}))
            .send()
            .await;
        let answer = match answer {
            Ok(answer) => answer,
            Err(e) => return PushOutcome::Retry(json!({"error": e.to_string()})),
        };
        let status = answer.status().as_u16();
        let text = answer.text().await.unwrap_or_default();
        let body = serde_json::from_str::<Value>(&text).unwrap_or_else(
            |_| json!({"raw_response": text.chars().take(500).collect::<String>()}),
        );
        match status {
            200..=299 => PushOutcome::Sent(body),
            // The cached token was refused: fetch a new one next time.
            401 => {
                *self.token.lock().await = None;
                PushOutcome::Retry(body)
            }
            400 | 404 if unregistered(&body) || status == 404 => PushOutcome::Unregistered(body),
            429 | 500..=599 => PushOutcome::Retry(body),
            _ => PushOutcome::Failed(body),
        }
    }
}

impl PushSender for FcmSender {
    fn send<'a>(&'a self, message: PushMessage<'a>) -> BoxFuture<'a, PushOutcome> {
        Box::pin(self.deliver(message))
    }
}

/// FCM's `data` holds strings only: strings as they are, anything else as its JSON text.
fn string_map(data: &Value) -> Map<String, Value> {
    match data {
        Value::Object(map) => map
            .iter()
            .map(|(k, v)| {
                let text = match v {
                    Value::String(s) => s.clone(),
                    other => other.to_string(),
                };
                (k.clone(), Value::String(text))
            })
            .collect(),
        _ => Map::new(),
    }
}

/// FCM's error details name a token that no longer (or never did) belong to an app instance.
fn unregistered(body: &Value) -> bool {
    let status = body["error"]["status"].as_str().unwrap_or_default();
    let codes = body["error"]["details"]
        .as_array()
        .map(|details| {
            details
                .iter()
                .filter_map(|d| d["errorCode"].as_str())
                .any(|c| c == "UNREGISTERED" || c == "INVALID_ARGUMENT")
        })
        .unwrap_or(false);
    codes || status == "NOT_FOUND"
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn data_values_become_strings() {
        let map = string_map(&json!({"booking_id": "b1", "count": 2, "ok": true}));
        assert_eq!(
            Value::Object(map),
            json!({"booking_id": "b1", "count": "2", "ok": "true"})
        );
    }

    #[test]
    fn unregistered_tokens_are_recognised() {
        let gone = json!({"error": {"code": 404, "status": "NOT_FOUND", "details": [
            {"@type": "type.googleapis.com/google.firebase.fcm.v1.FcmError", "errorCode": "UNREGISTERED"}]}});
        assert!(unregistered(&gone));
        let quota = json!({"error": {"code": 400, "status": "INVALID_ARGUMENT", "details": [
            {"errorCode": "QUOTA_EXCEEDED"}]}});
        assert!(!unregistered(&quota));
    }
}
