//! OTP text messages from real `identity.otp.requested` messages on a real broker, through a recording
//! sender that fails on command: the number and text, retries on transient failures only, expired codes
//! dropped, one log row per attempt without the code, poison to the dead-letter queue; and Twilio's
//! signed delivery reports.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use base64::Engine;
use chrono::{Duration as Span, Utc};
use hm_contracts::events::{types, OtpRequested};
use hm_contracts::Event;
use hm_notifications::sms::{Accepted, SmsError};
use hm_notifications::testing::{RecordingSms, TWILIO_TEST_TOKEN};
use hm_notifications::Senders;
use hm_platform::testing::{self, eventually, publisher};
use hmac::{Hmac, Mac};
use std::sync::Arc;
use std::time::Duration;
use uuid::Uuid;

async fn with_sender(sms: Arc<RecordingSms>) -> common::Api {
    common::Api::start_with_senders(Some(Senders { sms, push: None }), |_| {}).await
}

fn otp(phone: &str, code: &str, expires_in: Span) -> (Uuid, Event) {
    let request_id = Uuid::new_v4();
    let event = Event::new(
        "identity",
        types::OTP_REQUESTED,
        None,
        OtpRequested {
            request_id,
            phone: phone.into(),
            otp: code.into(),
            expires_at: Utc::now() + expires_in,
        },
    )
    .into_json()
    .unwrap();
    (request_id, event)
}

/// The attempts logged for a request: (attempt, status, error), in order.
async fn log_of(api: &common::Api, request: Uuid) -> Vec<(i32, String, Option<String>)> {
    api.app
        .db
        .client()
        .await
        .query(
            "SELECT attempt, status, error FROM sms_log WHERE request_id = $1 ORDER BY attempt",
            &[&request],
        )
        .await
        .unwrap()
        .iter()
        .map(|r| (r.get(0), r.get(1), r.get(2)))
        .collect()
}

async fn logged(
    api: &common::Api,
    request: Uuid,
    rows: usize,
) -> Vec<(i32, String, Option<String>)> {
    eventually(Duration::from_secs(15), || async {
        let log = log_of(api, request).await;
        (log.len() >= rows).then_some(log)
    })
    .await
    .expect("the attempts are logged")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_otp_request_reaches_the_sender_with_the_number_and_text() {
    let sms = RecordingSms::failing(vec![]);
    let api = with_sender(sms.clone()).await;
    let (request, event) = otp("+919900000001", "482913", Span::minutes(5));
    publisher(&api.app.bus)
        .publish(&event, Some(Duration::from_secs(300)))
        .await
        .unwrap();
    let log = logged(&api, request, 1).await;
    assert_eq!(log, vec![(1, "sent".to_owned(), None)]);
    assert_eq!(
        sms.sent(),
        vec![(
            "+919900000001".to_owned(),
            "Your HunarMitra OTP is: 482913".to_owned()
        )]
    );
    // The code is nowhere in the log.
    let leaks = api
        .app
        .db
        .count("SELECT count(*) FROM sms_log WHERE row_to_json(sms_log)::text LIKE '%482913%'")
        .await;
    assert_eq!(leaks, 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_server_errors_then_success_deliver_exactly_one_sms() {
    let sms = RecordingSms::failing(vec![
        Err(SmsError::Transient("HTTP 503 Service Unavailable".into())),
        Err(SmsError::Transient("HTTP 500 Internal Server Error".into())),
    ]);
    let api = with_sender(sms.clone()).await;
    let (request, event) = otp("+919900000002", "111222", Span::minutes(5));
    publisher(&api.app.bus).publish(&event, None).await.unwrap();
    let log = logged(&api, request, 3).await;
    let statuses: Vec<_> = log.iter().map(|(n, s, _)| (*n, s.as_str())).collect();
    assert_eq!(statuses, vec![(1, "failed"), (2, "failed"), (3, "sent")]);
    assert!(log[0].2.as_deref().unwrap().contains("503"));
    assert_eq!(sms.sent().len(), 1);
    // And no further attempt follows the success.
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert_eq!(sms.calls(), 3);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_refusal_is_logged_and_not_retried() {
    let sms = RecordingSms::failing(vec![Err(SmsError::Rejected("HTTP 400 Bad Request".into()))]);
    let api = with_sender(sms.clone()).await;
    let (request, event) = otp("+919900000003", "333444", Span::minutes(5));
    publisher(&api.app.bus).publish(&event, None).await.unwrap();
    let log = logged(&api, request, 1).await;
    assert_eq!(log[0].1, "rejected");
    assert!(log[0].2.as_deref().unwrap().contains("400"));
    // Retries here come after 50 ms, 100 ms, ...: none may come.
    tokio::time::sleep(Duration::from_millis(800)).await;
    assert_eq!(sms.calls(), 1);
    assert_eq!(log_of(&api, request).await.len(), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn persistent_failures_stop_after_the_attempt_limit() {
    let failing = (0..10)
        .map(|_| Err(SmsError::Transient("network: connection refused".into())))
        .collect();
    let sms = RecordingSms::failing(failing);
    let api = with_sender(sms.clone()).await;
    let (request, event) = otp("+919900000004", "555666", Span::minutes(5));
    publisher(&api.app.bus).publish(&event, None).await.unwrap();
    let log = logged(&api, request, 4).await;
    assert!(log.iter().all(|(_, s, _)| s == "failed"));
    tokio::time::sleep(Duration::from_millis(1000)).await;
    assert_eq!(sms.calls(), 4, "SMS_MAX_ATTEMPTS is 4 in tests");
    assert!(sms.sent().is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_otp_past_its_lifetime_is_not_sent() {
    let sms = RecordingSms::failing(vec![]);
    let api = with_sender(sms.clone()).await;
    let (request, event) = otp("+919900000005", "777888", Span::seconds(-1));
    publisher(&api.app.bus).publish(&event, None).await.unwrap();
    let log = logged(&api, request, 1).await;
    assert_eq!(log, vec![(1, "expired".to_owned(), None)]);
    assert_eq!(sms.calls(), 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_poison_otp_message_ends_in_the_dead_letter_queue() {
    let sms = RecordingSms::failing(vec![]);
    let api = with_sender(sms.clone()).await;
    let poison = Event::new(
        "identity",
        types::OTP_REQUESTED,
        None,
        serde_json::json!({"phone": "+919900000006"}),
    )
    .into_json()
    .unwrap();
    let mut dlq = testing::DeadLetters::watch(&api.app.bus).await;
    publisher(&api.app.bus)
        .publish(&poison, None)
        .await
        .unwrap();
    let message = dlq.next().await;
    let parked: serde_json::Value = serde_json::from_slice(&message.data).unwrap();
    assert_eq!(parked["id"], poison.id.to_string());
    assert_eq!(sms.calls(), 0);
}

/// Twilio's signature: base64 HMAC-SHA1 of `https://{host}{path}` followed by the sorted fields.
fn sign(token: &str, url: &str, fields: &[(&str, &str)]) -> String {
    let mut sorted = fields.to_vec();
    sorted.sort();
    let mut data = url.to_owned();
    for (k, v) in sorted {
        data.push_str(k);
        data.push_str(v);
    }
    let mut mac = Hmac::<sha1::Sha1>::new_from_slice(token.as_bytes()).unwrap();
    mac.update(data.as_bytes());
    base64::engine::general_purpose::STANDARD.encode(mac.finalize().into_bytes())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn delivery_reports_need_twilios_signature() {
    let sms = RecordingSms::failing(vec![Ok(Accepted {
        provider_message_id: Some("SM0123456789abcdef".into()),
    })]);
    let api = with_sender(sms.clone()).await;
    let (request, event) = otp("+919900000007", "246810", Span::minutes(5));
    publisher(&api.app.bus).publish(&event, None).await.unwrap();
    logged(&api, request, 1).await;

    let path = "/api/v1/notifications/sms/status/";
    let fields = [
        ("MessageSid", "SM0123456789abcdef"),
        ("MessageStatus", "delivered"),
        ("To", "+919900000007"),
        ("AccountSid", "AC123"),
    ];
    let host = "api.hunarmitra.test";
    let post = |signature: Option<String>, fields: Vec<(&'static str, &'static str)>| {
        let mut request = api
            .http()
            .post(format!("{}{path}", api.app.base))
            .header("X-Forwarded-Host", host)
            .form(&fields);
        if let Some(s) = signature {
            request = request.header("X-Twilio-Signature", s);
        }
        async move { request.send().await.unwrap().status().as_u16() }
    };
    let delivery_status = || async {
        api.app
            .db
            .client()
            .await
            .query_one(
                "SELECT delivery_status FROM sms_log WHERE request_id = $1",
                &[&request],
            )
            .await
            .unwrap()
            .get::<_, Option<String>>(0)
    };

    // Signed with another key, unsigned, or signed for other fields: refused, nothing recorded.
    let wrong = sign("not-the-token", &format!("https://{host}{path}"), &fields);
    assert_eq!(post(Some(wrong), fields.to_vec()).await, 403);
    assert_eq!(post(None, fields.to_vec()).await, 403);
    let tampered = sign(TWILIO_TEST_TOKEN, &format!("https://{host}{path}"), &fields);
    let mut changed = fields.to_vec();
    changed[1] = ("MessageStatus", "failed");
    assert_eq!(post(Some(tampered), changed).await, 403);
    assert_eq!(delivery_status().await, None);

    let good = sign(TWILIO_TEST_TOKEN, &format!("https://{host}{path}"), &fields);
    assert_eq!(post(Some(good), fields.to_vec()).await, 204);
    assert_eq!(delivery_status().await.as_deref(), Some("delivered"));

    // Correctly signed but not a status report: 400.
    let odd = [
        ("MessageSid", "SM0123456789abcdef"),
        ("MessageStatus", "exploded"),
    ];
    let signed = sign(TWILIO_TEST_TOKEN, &format!("https://{host}{path}"), &odd);
    assert_eq!(post(Some(signed), odd.to_vec()).await, 400);
    // Signed, but holding a NUL: refused before it reaches the database (issue #15).
    let nul = [("MessageSid", "SM\u{0}1"), ("MessageStatus", "delivered")];
    let signed = sign(TWILIO_TEST_TOKEN, &format!("https://{host}{path}"), &nul);
    assert_eq!(post(Some(signed), nul.to_vec()).await, 400);
}
