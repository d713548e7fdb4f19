//! The gateway in front of a real identity (its own database, Redis prefix and exchange) and a
//! recording upstream that remembers every request it gets.
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)]

use actix_web::{web, App, HttpRequest, HttpResponse, HttpServer};
use bytes::Bytes;
use hm_contracts::Role;
use hm_gateway::config::{CorsConfig, GatewayConfig};
use hm_gateway::routing::RouteTable;
use hm_identity::testing::{self as identity, Spawned};
use hm_platform::auth::{AuthConfig, TokenType};
use hm_platform::testing::{self, TestKeys};
use serde_json::{json, Value};
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use uuid::Uuid;

/// What the recording upstream saw.
#[derive(Debug, Clone)]
pub struct Recorded {
    pub method: String,
    pub uri: String,
    pub headers: HashMap<String, String>,
    pub body: Bytes,
}

#[derive(Clone, Default)]
pub struct Recorder {
    pub base: String,
    seen: Arc<Mutex<Vec<Recorded>>>,
}

pub const BIG_BODY_BYTES: usize = 4 * 1024 * 1024;

async fn record(
    req: HttpRequest,
    body: Bytes,
    seen: web::Data<Mutex<Vec<Recorded>>>,
) -> HttpResponse {
    let path = req.path().to_owned();
    seen.lock().unwrap().push(Recorded {
        method: req.method().to_string(),
        uri: req.uri().to_string(),
        headers: req
            .headers()
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_str().unwrap_or("").to_owned()))
            .collect(),
        body: body.clone(),
    });
    if path.contains("/slow/") {
        tokio::time::sleep(Duration::from_secs(3)).await;
    }
    if path.contains("/big/") {
        // Streamed in 64 KiB chunks without a length: the gateway must pass it on as it comes.
        let chunks = (0..BIG_BODY_BYTES / 65536)
            .map(|i| Ok::<_, actix_web::Error>(Bytes::from(vec![(i % 251) as u8; 65536])));
        return HttpResponse::Ok()
            .content_type("application/octet-stream")
            .streaming(futures_util::stream::iter(chunks));
    }
    HttpResponse::Ok()
        .insert_header(("x-upstream", "recorder"))
        .json(json!({"method": req.method().as_str(), "path": path, "body_bytes": body.len()}))
}

impl Recorder {
    pub async fn start() -> Recorder {
        let seen = web::Data::new(Mutex::new(Vec::new()));
        let data = seen.clone();
        let server = HttpServer::new(move || {
            App::new()
                .app_data(data.clone())
                .app_data(web::PayloadConfig::new(64 * 1024 * 1024))
                .default_service(web::to(record))
        })
        .workers(1)
        .bind("127.0.0.1:0")
        .unwrap();
        let port = server.addrs()[0].port();
        tokio::spawn(server.run());
        Recorder {
            base: format!("http://127.0.0.1:{port}"),
            seen: seen.into_inner(),
        }
    }

    pub fn requests(&self) -> Vec<Recorded> {
        self.seen.lock().unwrap().clone()
    }

    pub fn last(&self) -> Recorded {
        self.requests()
            .last()
            .cloned()
            .expect("the upstream got a request")
    }
}

/// A port nothing listens on.
pub fn closed_port() -> u16 {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    listener.local_addr().unwrap().port()
}

/// Accepts connections and drops the first `drops` of them at once (a replica restarting); the rest
/// are relayed to `target`.
pub async fn flaky_upstream(target: &str, drops: usize) -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let target = target.trim_start_matches("http://").to_owned();
    tokio::spawn(async move {
        let mut accepted = 0;
        loop {
            let Ok((mut inbound, _)) = listener.accept().await else {
                continue;
            };
            accepted += 1;
            if accepted <= drops {
                drop(inbound);
                continue;
            }
            let target = target.clone();
            tokio::spawn(async move {
                if let Ok(mut outbound) = tokio::net::TcpStream::connect(&target).await {
                    let _ = tokio::io::copy_bidirectional(&mut inbound, &mut outbound).await;
                }
            });
        }
    });
    format!("http://127.0.0.1:{port}")
}

pub struct Setup {
    pub anon: Option<&'static str>,
    pub user: Option<&'static str>,
    /// Redis for the throttle (`None`: the shared test server); a chaos proxy address in outage tests.
    pub redis_addr: Option<String>,
    /// Shared by gateways that must share one limit.
    pub redis_prefix: Option<String>,
    /// The route table; `None` uses the built-in one with identity's URL.
    pub table: Option<String>,
    /// Where the gateway fetches signing keys; `None`: identity's JWKS.
    pub jwks_url: Option<String>,
}

impl Default for Setup {
    fn default() -> Self {
        Setup {
            anon: Some("100/hour"),
            user: Some("1000/hour"),
            redis_addr: None,
            redis_prefix: None,
            table: None,
            jwks_url: None,
        }
    }
}

pub struct Gateway {
    pub base: String,
    /// `/metrics` on the gateway's internal listener.
    pub metrics: String,
    pub http: reqwest::Client,
    pub handle: actix_web::dev::ServerHandle,
}

pub struct Stack {
    pub identity: Spawned,
    pub recorder: Recorder,
    pub keys: TestKeys,
}

impl Stack {
    pub async fn start() -> Stack {
        let identity = identity::spawn(identity::Options {
            per_minute: 100,
            per_hour: 100,
            ..Default::default()
        })
        .await;
        let keys = TestKeys {
            key: identity.config.tokens.signing_key.clone(),
            config: identity.config.tokens.auth.clone(),
        };
        Stack {
            identity,
            recorder: Recorder::start().await,
            keys,
        }
    }

    /// A route table with identity, the recorder (public reads, authenticated writes, an admin area,
    /// a small body limit, a short timeout, an unthrottled webhook), a dead upstream and a flaky one.
    pub async fn test_table(&self) -> String {
        let flaky = flaky_upstream(&self.recorder.base, 1).await;
        format!(
            r#"
[upstreams.identity]
url = "{identity}"
[upstreams.recorder]
url = "{recorder}"
[upstreams.slow]
url = "{recorder}"
timeout_secs = 1
[upstreams.down]
url = "http://127.0.0.1:{closed}"
[upstreams.flaky]
url = "{flaky}"

[[routes]]
prefix = "/api/v1/auth/"
upstream = "identity"
policy = "public"
[[routes]]
prefix = "/api/v1/auth/me/"
upstream = "identity"
policy = "authenticated"
[[routes]]
prefix = "/api/v1/rec/"
methods = ["GET", "HEAD"]
upstream = "recorder"
policy = "public"
[[routes]]
prefix = "/api/v1/rec/"
upstream = "recorder"
policy = "authenticated"
[[routes]]
prefix = "/api/v1/rec/admin/"
upstream = "recorder"
policy = "role"
roles = ["admin"]
[[routes]]
prefix = "/api/v1/rec/small/"
upstream = "recorder"
policy = "public"
max_body_bytes = 1024
[[routes]]
prefix = "/api/v1/rec/webhook/"
upstream = "recorder"
policy = "public"
throttle = false
[[routes]]
prefix = "/api/v1/rec/items/*/notes/"
upstream = "slow"
policy = "public"
[[routes]]
prefix = "/api/v1/slow/"
upstream = "slow"
policy = "public"
[[routes]]
prefix = "/api/v1/down/"
upstream = "down"
policy = "public"
[[routes]]
prefix = "/api/v1/flaky/"
upstream = "flaky"
policy = "public"
"#,
            identity = self.identity.base,
            recorder = self.recorder.base,
            closed = closed_port(),
        )
    }

    pub async fn gateway(&self, setup: Setup) -> Gateway {
        let table = match &setup.table {
            Some(text) => RouteTable::parse(text, |_| None, 1024 * 1024).unwrap(),
            None => {
                let identity = self.identity.base.clone();
                RouteTable::parse(
                    hm_gateway::routing::DEFAULT_TABLE,
                    |name| (name == "identity").then(|| identity.clone()),
                    1024 * 1024,
                )
                .unwrap()
            }
        };
        let redis_url = match &setup.redis_addr {
            Some(addr) => format!("redis://{addr}/0"),
            None => testing::redis_url(),
        };
        let config =
            GatewayConfig {
                host: "127.0.0.1".into(),
                port: 0,
                metrics_port: 0,
                debug: true,
                log_json: false,
                http_workers: 1,
                redis_url: Some(redis_url),
                redis_key_prefix: setup
                    .redis_prefix
                    .clone()
                    .unwrap_or_else(|| testing::redis_prefix("gw")),
                auth: AuthConfig {
                    jwks_url: Some(setup.jwks_url.clone().unwrap_or_else(|| {
                        format!("{}/.well-known/jwks.json", self.identity.base)
                    })),
                    ..self.identity.config.tokens.auth.clone()
                },
                throttle_anon: setup.anon.map(|r| r.parse().unwrap()),
                throttle_user: setup.user.map(|r| r.parse().unwrap()),
                trusted_proxy_hops: 0,
                cors: CorsConfig {
                    allow_all: false,
                    origins: vec!["http://localhost:3000".into()],
                },
                table,
                connect_timeout: Duration::from_secs(1),
                docs_ttl: Duration::from_secs(60),
            };
        let app = hm_gateway::build(config).await.expect("gateway starts");
        let base = format!("http://127.0.0.1:{}", app.port());
        let metrics = format!("http://127.0.0.1:{}/metrics", app.metrics_port());
        let handle = app.handle();
        tokio::spawn(app.run_until_stopped());
        Gateway {
            base,
            metrics,
            http: reqwest::Client::new(),
            handle,
        }
    }

    pub fn token(&self, role: Role) -> String {
        self.keys.mint(Uuid::new_v4(), role)
    }

    pub fn token_for(&self, user: Uuid, role: Role) -> String {
        self.keys.mint(user, role)
    }

    pub fn expired_token(&self) -> String {
        let claims = self
            .keys
            .claims(Uuid::new_v4(), Role::Worker, TokenType::Access, -60);
        self.keys.key.sign(&claims).unwrap()
    }

    pub fn refresh_token(&self) -> String {
        let claims = self
            .keys
            .claims(Uuid::new_v4(), Role::Worker, TokenType::Refresh, 3600);
        self.keys.key.sign(&claims).unwrap()
    }
}

pub struct Reply {
    pub status: u16,
    pub headers: reqwest::header::HeaderMap,
    pub text: String,
}

impl Reply {
    pub fn json(&self) -> Value {
        serde_json::from_str(&self.text).unwrap_or(Value::Null)
    }

    pub fn header(&self, name: &str) -> Option<String> {
        self.headers
            .get(name)
            .map(|v| v.to_str().unwrap().to_owned())
    }
}

impl Gateway {
    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.base, path)
    }

    pub async fn send(&self, request: reqwest::RequestBuilder) -> Reply {
        let res = request.send().await.unwrap();
        Reply {
            status: res.status().as_u16(),
            headers: res.headers().clone(),
            text: res.text().await.unwrap(),
        }
    }

    pub async fn get(&self, path: &str) -> Reply {
        self.send(self.http.get(self.url(path))).await
    }

    pub async fn get_with(&self, path: &str, header: &str, value: &str) -> Reply {
        self.send(self.http.get(self.url(path)).header(header, value))
            .await
    }

    pub async fn get_as(&self, path: &str, token: &str) -> Reply {
        self.send(self.http.get(self.url(path)).bearer_auth(token))
            .await
    }

    pub async fn post(&self, path: &str, body: Value) -> Reply {
        self.send(self.http.post(self.url(path)).json(&body)).await
    }

    pub async fn post_as(&self, path: &str, token: &str, body: Value) -> Reply {
        self.send(
            self.http
                .post(self.url(path))
                .bearer_auth(token)
                .json(&body),
        )
        .await
    }

    /// Sends bytes exactly as given (for framing reqwest would not produce) and returns the raw reply.
    pub async fn raw(&self, request: &[u8]) -> String {
        let addr = self.base.trim_start_matches("http://");
        let mut stream = tokio::net::TcpStream::connect(addr).await.unwrap();
        stream.write_all(request).await.unwrap();
        let mut out = Vec::new();
        let _ = tokio::time::timeout(Duration::from_secs(5), stream.read_to_end(&mut out)).await;
        String::from_utf8_lossy(&out).into_owned()
    }
}

#[allow(unused_imports)]
pub use hm_platform::testing::JwksServer;
