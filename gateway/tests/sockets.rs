//! WebSockets through the gateway (API §10, issue #18): a `websocket = true` route relays the upgrade to
//! its upstream with the path, the query and the offered subprotocols, frames flow both ways, the
//! upstream's close code reaches the client, and origins are held to the CORS list.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use actix_web::{web, App, HttpRequest, HttpResponse, HttpServer};
use actix_ws::{CloseCode, CloseReason, Message};
use common::{closed_port, Setup, Stack};
use hm_platform::testing::ws::{self, Via};
use serde_json::json;
use std::time::Duration;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;

/// An upstream socket that greets with what it received, echoes text as `{"echo": …}` and closes with
/// 4003 when told `close-4003`.
async fn echo(req: HttpRequest, body: web::Payload) -> actix_web::Result<HttpResponse> {
    let (response, mut session, mut stream) =
        actix_ws::handle_with_protocols(&req, body, &["jwt"])?;
    let header = |name: &str| {
        req.headers()
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned)
    };
    let hello = json!({
        "type": "hello", "path": req.path(), "query": req.query_string(),
        "protocols": header("sec-websocket-protocol"), "forwarded_for": header("x-forwarded-for"),
        "request_id": header("x-request-id"),
    });
    actix_web::rt::spawn(async move {
        let _ = session.text(hello.to_string()).await;
        while let Some(Ok(message)) = stream.recv().await {
            match message {
                Message::Text(text) if &*text == "close-4003" => {
                    let reason = CloseReason {
                        code: CloseCode::Other(4003),
                        description: Some("Not yours".into()),
                    };
                    let _ = session.close(Some(reason)).await;
                    return;
                }
                Message::Text(text) => {
                    let _ = session.text(json!({"echo": &*text}).to_string()).await;
                }
                Message::Close(_) => return,
                _ => {}
            }
        }
    });
    Ok(response)
}

async fn echo_upstream() -> String {
    let server = HttpServer::new(|| App::new().default_service(web::to(echo)))
        .workers(1)
        .bind("127.0.0.1:0")
        .unwrap();
    let port = server.addrs()[0].port();
    tokio::spawn(server.run());
    format!("http://127.0.0.1:{port}")
}

async fn gateway_to(stack: &Stack, upstream: &str) -> common::Gateway {
    let table = format!(
        r#"
[upstreams.sockets]
url = "{upstream}"
[upstreams.down]
url = "http://127.0.0.1:{closed}"

[[routes]]
prefix = "/ws/bookings/*/"
exact = true
methods = ["GET"]
upstream = "sockets"
policy = "public"
websocket = true
[[routes]]
prefix = "/ws/down/"
upstream = "down"
policy = "public"
websocket = true
"#,
        closed = closed_port()
    );
    stack
        .gateway(Setup {
            table: Some(table),
            ..Setup::default()
        })
        .await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_socket_is_relayed_both_ways_with_its_token_and_subprotocol() {
    let stack = Stack::start().await;
    let gw = gateway_to(&stack, &echo_upstream().await).await;

    let mut browser = ws::connect(&gw.base, "/ws/bookings/b1/", Some("tok"), Via::Protocol).await;
    assert_eq!(browser.protocol.as_deref(), Some("jwt"));
    let hello = browser.next_json().await;
    assert_eq!(hello["path"], "/ws/bookings/b1/");
    let offered: Vec<&str> = hello["protocols"]
        .as_str()
        .unwrap()
        .split(',')
        .map(str::trim)
        .collect();
    assert_eq!(offered, ["jwt", "tok"]);
    assert_eq!(hello["forwarded_for"], "127.0.0.1");
    assert!(hello["request_id"]
        .as_str()
        .is_some_and(|id| !id.is_empty()));
    browser.send_json(&json!({"type": "ping"})).await;
    assert_eq!(
        browser.next_json().await,
        json!({"echo": r#"{"type":"ping"}"#})
    );

    let mut app = ws::connect(&gw.base, "/ws/bookings/b2/", Some("tok2"), Via::Query).await;
    let hello = app.next_json().await;
    assert_eq!(hello["query"], "token=tok2");
    assert_eq!(hello["protocols"], serde_json::Value::Null);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_upstreams_close_code_reaches_the_client() {
    let stack = Stack::start().await;
    let gw = gateway_to(&stack, &echo_upstream().await).await;
    let mut socket = ws::connect(&gw.base, "/ws/bookings/b1/", None, Via::Query).await;
    socket.next_json().await;
    socket.send_text("close-4003").await;
    assert_eq!(socket.close_code(Duration::from_secs(5)).await, Some(4003));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_foreign_origin_and_a_dead_upstream_are_refused_before_the_upgrade() {
    let stack = Stack::start().await;
    let gw = gateway_to(&stack, &echo_upstream().await).await;
    let url = format!("{}/ws/bookings/b1/", gw.base.replacen("http", "ws", 1));
    let handshake = |origin: &'static str| {
        let mut request = url.clone().into_client_request().unwrap();
        request
            .headers_mut()
            .insert("origin", origin.parse().unwrap());
        tokio_tungstenite::connect_async(request)
    };
    match handshake("https://evil.example").await {
        Err(tokio_tungstenite::tungstenite::Error::Http(response)) => {
            assert_eq!(response.status(), 403);
        }
        other => panic!("expected a 403, got {:?}", other.map(|_| ())),
    }
    assert!(handshake("http://localhost:3000").await.is_ok());
    // The gateway's own pages (the admin console) may connect.
    let own: &'static str = Box::leak(gw.base.clone().into_boxed_str());
    assert!(handshake(own).await.is_ok());

    match ws::try_connect(&gw.base, "/ws/down/", None, Via::Query).await {
        Err(tokio_tungstenite::tungstenite::Error::Http(response)) => {
            assert_eq!(response.status(), 503);
        }
        other => panic!("expected a 503, got {:?}", other.map(|_| ())),
    }
}
