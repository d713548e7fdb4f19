//! The FCM HTTP v1 sender against a local stub of Google's token and messaging endpoints: a signed
//! service-account assertion buys an access token that is reused, messages carry the notification and
//! string data, and FCM's answers map to sent / unregistered / retry; then the whole service configured
//! for FCM pushes a notification to the stub.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use actix_web::{web, App, HttpRequest, HttpResponse, HttpServer};
use hm_contracts::Role;
use hm_notifications::push::{FcmSender, PushMessage, PushOutcome, PushSender, ServiceAccount};
use hm_platform::testing::eventually;
use jsonwebtoken::{Algorithm, DecodingKey, Validation};
use reqwest::Method;
use serde_json::{json, Value};
use std::sync::{Arc, Mutex};
use std::time::Duration;

#[derive(Default)]
struct Seen {
    token_requests: Vec<String>,
    messages: Vec<(String, Value)>,
}

struct Stub {
    base: String,
    seen: Arc<Mutex<Seen>>,
}

async fn token(
    seen: web::Data<Mutex<Seen>>,
    form: web::Form<Vec<(String, String)>>,
) -> HttpResponse {
    let fields: std::collections::HashMap<_, _> = form.into_inner().into_iter().collect();
    if fields.get("grant_type").map(String::as_str)
        != Some("urn:ietf:params:oauth:grant-type:jwt-bearer")
    {
        return HttpResponse::BadRequest().json(json!({"error": "unsupported_grant_type"}));
    }
    seen.lock()
        .unwrap()
        .token_requests
        .push(fields["assertion"].clone());
    HttpResponse::Ok()
        .json(json!({"access_token": "ya29.stub", "expires_in": 3599, "token_type": "Bearer"}))
}

async fn send(
    seen: web::Data<Mutex<Seen>>,
    req: HttpRequest,
    body: web::Json<Value>,
) -> HttpResponse {
    let auth = req
        .headers()
        .get("authorization")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned();
    let token = body["message"]["token"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    seen.lock()
        .unwrap()
        .messages
        .push((auth.clone(), body.into_inner()));
    if auth != "Bearer ya29.stub" {
        return HttpResponse::Unauthorized().json(json!({"error": {"status": "UNAUTHENTICATED"}}));
    }
    match token.as_str() {
        "dead-token" => HttpResponse::NotFound().json(json!({"error": {"code": 404, "status": "NOT_FOUND",
            "details": [{"@type": "type.googleapis.com/google.firebase.fcm.v1.FcmError", "errorCode": "UNREGISTERED"}]}})),
        "busy-token" => HttpResponse::ServiceUnavailable().body("try later"),
        _ => HttpResponse::Ok().json(json!({"name": "projects/hm-test/messages/0:1"})),
    }
}

async fn stub() -> Stub {
    let seen = web::Data::new(Mutex::new(Seen::default()));
    let data = seen.clone();
    let server = HttpServer::new(move || {
        App::new()
            .app_data(data.clone())
            .route("/token", web::post().to(token))
            .route("/v1/projects/hm-test/messages:send", web::post().to(send))
    })
    .workers(1)
    .bind("127.0.0.1:0")
    .unwrap();
    let port = server.addrs()[0].port();
    tokio::spawn(server.run());
    Stub {
        base: format!("http://127.0.0.1:{port}"),
        seen: seen.into_inner(),
    }
}

/// A fresh RSA key as a service account key file holds it, and its public half.
fn rsa_key() -> (String, Vec<u8>) {
    let rsa = openssl::rsa::Rsa::generate(2048).unwrap();
    let key = openssl::pkey::PKey::from_rsa(rsa).unwrap();
    (
        String::from_utf8(key.private_key_to_pem_pkcs8().unwrap()).unwrap(),
        key.public_key_to_pem().unwrap(),
    )
}

fn account(stub: &Stub, private_key: String) -> ServiceAccount {
    ServiceAccount {
        client_email: "push@hm-test.iam.gserviceaccount.com".into(),
        private_key,
        token_uri: format!("{}/token", stub.base),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_fcm_sender_speaks_http_v1() {
    let stub = stub().await;
    let (private, public) = rsa_key();
    let fcm = FcmSender::new(&stub.base, "hm-test", account(&stub, private)).unwrap();
    let data = json!({"booking_id": "b-1", "attempt": 2});
    let message = |token| PushMessage {
        token,
        title: "Booking On The Way",
        body: "Your booking for Tap Repair is now on the way.",
        data: &data,
    };
    assert!(matches!(
        fcm.send(message("good-token")).await,
        PushOutcome::Sent(_)
    ));
    assert!(matches!(
        fcm.send(message("dead-token")).await,
        PushOutcome::Unregistered(_)
    ));
    assert!(matches!(
        fcm.send(message("busy-token")).await,
        PushOutcome::Retry(_)
    ));

    let seen = stub.seen.lock().unwrap();
    // One token for all three sends, obtained with an RS256 assertion for FCM's scope.
    assert_eq!(seen.token_requests.len(), 1);
    let mut validation = Validation::new(Algorithm::RS256);
    validation.set_audience(&[format!("{}/token", stub.base)]);
    let claims = jsonwebtoken::decode::<Value>(
        &seen.token_requests[0],
        &DecodingKey::from_rsa_pem(&public).unwrap(),
        &validation,
    )
    .unwrap()
    .claims;
    assert_eq!(claims["iss"], "push@hm-test.iam.gserviceaccount.com");
    assert_eq!(
        claims["scope"],
        "https://www.googleapis.com/auth/firebase.messaging"
    );
    let (auth, body) = &seen.messages[0];
    assert_eq!(auth, "Bearer ya29.stub");
    assert_eq!(
        body,
        &json!({"message": {"token": "good-token",
            "notification": {"title": "Booking On The Way", "body": "Your booking for Tap Repair is now on the way."},
            "data": {"booking_id": "b-1", "attempt": "2"}}})
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_service_configured_for_fcm_pushes_through_it() {
    let stub = stub().await;
    let (private, _) = rsa_key();
    let file = std::env::temp_dir().join(format!("hm-fcm-{}.json", uuid::Uuid::new_v4()));
    let key = json!({"type": "service_account", "project_id": "hm-test", "private_key": private,
                     "client_email": "push@hm-test.iam.gserviceaccount.com",
                     "token_uri": format!("{}/token", stub.base)});
    std::fs::write(&file, key.to_string()).unwrap();
    let path = file.to_string_lossy().into_owned();
    let endpoint = stub.base.clone();
    let api = common::Api::start_with(move |c| {
        c.push.enabled = true;
        c.push.project_id = "hm-test".into();
        c.push.service_account_file = Some(path);
        c.push.endpoint = endpoint;
    })
    .await;
    // The admin's test endpoint needs the recipient known: as identity would announce them.
    let (raju, token) = api.with_user("+919900000009", Role::Worker, "", "").await;
    let body = json!({"registration_token": "raju-pixel", "platform": "android"});
    assert_eq!(
        api.call(
            Method::POST,
            "/api/v1/devices/register/",
            Some(&token),
            Some(body)
        )
        .await
        .0,
        201
    );
    let (_, admin) = api.user(Role::Admin);
    let test = json!({"user_id": raju, "title": "Hello", "message": "From FCM", "channel": "both"});
    let (status, _) = api
        .call(
            Method::POST,
            "/api/v1/notifications/test/",
            Some(&admin),
            Some(test),
        )
        .await;
    assert_eq!(status, 201);
    let delivered = eventually(Duration::from_secs(10), || async {
        let seen = stub.seen.lock().unwrap();
        seen.messages.first().map(|(_, m)| m.clone())
    })
    .await
    .expect("the stub receives the push");
    assert_eq!(delivered["message"]["token"], "raju-pixel");
    assert_eq!(delivered["message"]["notification"]["body"], "From FCM");
    let sent = eventually(Duration::from_secs(10), || async {
        let n = api
            .app
            .db
            .count("SELECT count(*) FROM outgoing_pushes WHERE status = 'sent'")
            .await;
        (n == 1).then_some(())
    })
    .await;
    assert!(sent.is_some());
    let _ = std::fs::remove_file(file);
}
