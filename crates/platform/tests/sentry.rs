//! Error tracking (ARCHITECTURE §4, issue #17): without `SENTRY_DSN` nothing is sent; with it, a 500's
//! cause reaches Sentry with the request id, and a client error or a request's credentials never do.
//! Sentry is a local stub that records the envelopes the real `sentry` client posts to it.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use actix_web::middleware::from_fn;
use actix_web::{test, web, App, HttpResponse};
use hm_platform::telemetry;
use hm_platform::ApiError;
use std::sync::{Arc, Mutex};
use std::time::Duration;

type Received = Arc<Mutex<Vec<String>>>;

/// A Sentry ingestion endpoint (`POST /api/<project>/envelope/`) that keeps every envelope it gets.
fn stub_sentry() -> (String, Received) {
    let received: Received = Arc::default();
    let kept = received.clone();
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let server = actix_web::HttpServer::new(move || {
        let kept = kept.clone();
        App::new().route(
            "/api/{project}/envelope/",
            web::post().to(move |body: web::Bytes| {
                let kept = kept.clone();
                async move {
                    kept.lock()
                        .unwrap()
                        .push(String::from_utf8_lossy(&body).into_owned());
                    HttpResponse::Ok().json(serde_json::json!({"id": "0"}))
                }
            }),
        )
    })
    .workers(1)
    .listen(listener)
    .unwrap()
    .run();
    tokio::spawn(server);
    (format!("http://public@127.0.0.1:{port}/1"), received)
}

async fn fails(kind: web::Path<String>) -> Result<HttpResponse, ApiError> {
    match kind.as_str() {
        "internal" => Err(ApiError::internal("the disk is on fire")),
        _ => Err(ApiError::not_found()),
    }
}

/// The error events the stub holds after the client has flushed (a sampled request's transaction,
/// `SENTRY_TRACES_SAMPLE_RATE`, is another kind of envelope).
fn envelopes(received: &Received) -> Vec<String> {
    telemetry::flush_sentry(Duration::from_secs(5));
    received
        .lock()
        .unwrap()
        .iter()
        .filter(|envelope| envelope.contains(r#"{"type":"event""#))
        .cloned()
        .collect()
}

#[actix_web::test]
async fn a_500_reaches_sentry_with_its_cause_and_request_id_and_nothing_else_does() {
    let (dsn, received) = stub_sentry();
    // The middleware stack of `service::http_server`, in its order (Sentry outermost).
    let app = || {
        App::new()
            .wrap(from_fn(telemetry::request_id))
            .wrap(telemetry::sentry_middleware())
            .route("/fail/{kind}/", web::get().to(fails))
    };

    // No DSN: no client, nothing sent.
    std::env::remove_var("SENTRY_DSN");
    telemetry::init(false, false);
    let service = test::init_service(app()).await;
    let res = test::call_service(
        &service,
        test::TestRequest::get().uri("/fail/internal/").to_request(),
    )
    .await;
    assert_eq!(res.status(), 500);
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert!(envelopes(&received).is_empty(), "sent without a DSN");

    // A DSN: the 500's cause and request id are reported; credentials are not.
    std::env::set_var("SENTRY_DSN", &dsn);
    telemetry::init(false, false);
    let service = test::init_service(app()).await;
    let res = test::call_service(
        &service,
        test::TestRequest::get()
            .uri("/fail/internal/")
            .insert_header(("X-Request-Id", "req-sentry-1"))
            .insert_header(("Authorization", "Bearer secret-token-123"))
            .to_request(),
    )
    .await;
    assert_eq!(res.status(), 500);
    let body = test::read_body(res).await;
    assert_eq!(&body[..], br#"{"detail":"Internal server error."}"#);
    let sent = envelopes(&received);
    assert_eq!(sent.len(), 1, "one report for one 500: {sent:?}");
    assert!(sent[0].contains("the disk is on fire"), "{}", sent[0]);
    assert!(
        sent[0].contains(r#""request_id":"req-sentry-1""#),
        "tagged: {}",
        sent[0]
    );
    assert!(!sent[0].contains("secret-token-123"), "{}", sent[0]);

    // A client error is not an incident.
    let res = test::call_service(
        &service,
        test::TestRequest::get().uri("/fail/missing/").to_request(),
    )
    .await;
    assert_eq!(res.status(), 404);
    assert_eq!(envelopes(&received).len(), 1);
}
