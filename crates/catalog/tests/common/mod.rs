//! Catalog as its tests start it: the platform's `TestApp` (its own database, Redis prefix, queues and
//! signing key), an admin's token, replies with their headers and bytes, and a local S3.
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)]

use hm_catalog::config::{CatalogConfig, StorageConfig};
use hm_catalog::testing::Catalog;
use hm_contracts::Role;
use hm_platform::testing::TestApp;
use serde_json::Value;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::Duration;
use uuid::Uuid;

pub struct Api {
    pub app: TestApp,
    /// An admin's token.
    pub admin: String,
}

impl std::ops::Deref for Api {
    type Target = TestApp;

    fn deref(&self) -> &TestApp {
        &self.app
    }
}

pub struct Reply {
    pub status: u16,
    pub headers: reqwest::header::HeaderMap,
    pub body: Value,
    pub bytes: Vec<u8>,
}

impl Reply {
    pub fn header(&self, name: &str) -> Option<String> {
        self.headers
            .get(name)
            .map(|v| v.to_str().unwrap().to_owned())
    }
}

pub async fn spawn() -> Api {
    spawn_with(|_| {}).await
}

/// With the test settings changed by `configure`.
pub async fn spawn_with(configure: impl FnOnce(&mut CatalogConfig) + 'static) -> Api {
    let app = TestApp::init::<Catalog>()
        .with_config(configure)
        .start()
        .await;
    let (_, admin) = app.token(Role::Admin);
    Api { app, admin }
}

/// A settings change: reach Postgres through `via` (a chaos proxy) instead of directly.
pub fn db_via(via: String) -> impl FnOnce(&mut CatalogConfig) + 'static {
    move |config| {
        config.common.database_url = config.common.database_url.replace("127.0.0.1:5432", &via);
    }
}

/// A settings change: reach Redis through `via` (a chaos proxy) instead of directly.
pub fn redis_via(via: String) -> impl FnOnce(&mut CatalogConfig) + 'static {
    move |config| {
        config.common.redis_url = config.common.redis_url.replace("127.0.0.1:6379", &via);
    }
}

impl Api {
    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.app.base, path)
    }

    pub async fn send(&self, request: reqwest::RequestBuilder) -> Reply {
        let res = request.send().await.unwrap();
        let status = res.status().as_u16();
        let headers = res.headers().clone();
        let bytes = res.bytes().await.unwrap().to_vec();
        Reply {
            status,
            headers,
            body: serde_json::from_slice(&bytes).unwrap_or(Value::Null),
            bytes,
        }
    }

    pub async fn get(&self, path: &str) -> Reply {
        self.send(self.http.get(self.url(path))).await
    }

    /// An admin call: `method` on `path` with a JSON body (or none).
    pub async fn admin(&self, method: reqwest::Method, path: &str, body: Option<Value>) -> Reply {
        self.as_token(&self.admin, method, path, body).await
    }

    pub async fn as_token(
        &self,
        token: &str,
        method: reqwest::Method,
        path: &str,
        body: Option<Value>,
    ) -> Reply {
        let mut request = self.http.request(method, self.url(path)).bearer_auth(token);
        if let Some(body) = body {
            request = request.json(&body);
        }
        self.send(request).await
    }

    /// A token for a new user of `role`.
    pub fn token(&self, role: Role) -> String {
        self.app.token(role).1
    }

    pub async fn sql(&self, statement: &str) {
        self.db.sql(statement).await
    }

    pub async fn count(&self, query: &str) -> i64 {
        self.db.count(query).await
    }

    /// A connection to the test's database, for writing fixtures with the service's own store code.
    pub async fn conn(&self) -> diesel_async::AsyncPgConnection {
        use diesel_async::AsyncConnection;
        diesel_async::AsyncPgConnection::establish(&self.db.url)
            .await
            .unwrap()
    }

    pub async fn seed(&self) {
        hm_catalog::seed::run(&mut self.conn().await).await.unwrap();
    }

    /// Uploads `bytes` as the `file` part of a multipart form.
    pub async fn upload(
        &self,
        path: &str,
        token: Option<&str>,
        filename: &str,
        content_type: &str,
        bytes: &[u8],
    ) -> Reply {
        let boundary = "hm-test-boundary-7d1f";
        let mut body = Vec::new();
        body.extend_from_slice(
            format!(
                "--{boundary}\r\nContent-Disposition: form-data; name=\"note\"\r\n\r\nhello\r\n"
            )
            .as_bytes(),
        );
        body.extend_from_slice(
            format!("--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{filename}\"\r\nContent-Type: {content_type}\r\n\r\n")
                .as_bytes(),
        );
        body.extend_from_slice(bytes);
        body.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
        let mut request = self
            .http
            .post(self.url(path))
            .header(
                "content-type",
                format!("multipart/form-data; boundary={boundary}"),
            )
            .body(body);
        if let Some(token) = token {
            request = request.bearer_auth(token);
        }
        self.send(request).await
    }
}

/// An S3-compatible server on loopback (s3s-fs from crates.io; `make infra` installs it): one endpoint
/// that checks signatures, for the SDK, and one that serves the same files anonymously, as a public
/// bucket or CDN does for the resolved URLs.
pub struct S3 {
    pub signed: String,
    pub public: String,
    pub root: PathBuf,
    children: Vec<Child>,
}

pub const S3_ACCESS_KEY: &str = "hm-test-access";
pub const S3_SECRET_KEY: &str = "hm-test-secret-key";
pub const S3_BUCKET: &str = "hunarmitra";

fn s3s_fs() -> PathBuf {
    if let Ok(bin) = std::env::var("S3S_FS_BIN") {
        return PathBuf::from(bin);
    }
    let home = std::env::var("HOME").unwrap_or_default();
    let installed = PathBuf::from(home).join(".cargo/bin/s3s-fs");
    if installed.exists() {
        installed
    } else {
        PathBuf::from("s3s-fs")
    }
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

impl S3 {
    pub async fn start() -> S3 {
        let root = std::env::temp_dir().join(format!("hm-s3-{}", Uuid::new_v4().simple()));
        std::fs::create_dir_all(root.join(S3_BUCKET)).unwrap();
        let (signed_port, public_port) = (free_port(), free_port());
        let spawn = |port: u16, auth: bool| {
            let mut cmd = Command::new(s3s_fs());
            cmd.args(["--host", "127.0.0.1", "--port", &port.to_string()]);
            if auth {
                cmd.args(["--access-key", S3_ACCESS_KEY, "--secret-key", S3_SECRET_KEY]);
            }
            cmd.arg(&root)
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .spawn()
                .expect("s3s-fs runs (make infra installs it: cargo install s3s-fs --version 0.14.1 --features binary)")
        };
        let children = vec![spawn(signed_port, true), spawn(public_port, false)];
        for port in [signed_port, public_port] {
            let ready = hm_platform::testing::eventually(Duration::from_secs(10), || async move {
                tokio::net::TcpStream::connect(("127.0.0.1", port))
                    .await
                    .ok()
                    .map(|_| ())
            })
            .await;
            assert!(ready.is_some(), "s3s-fs did not start on {port}");
        }
        S3 {
            signed: format!("http://127.0.0.1:{signed_port}"),
            public: format!("http://127.0.0.1:{public_port}"),
            root,
            children,
        }
    }

    pub fn storage(&self) -> StorageConfig {
        StorageConfig {
            use_s3: true,
            public_base: format!("{}/{S3_BUCKET}/", self.public),
            endpoint: self.signed.clone(),
            bucket: S3_BUCKET.into(),
            access_key: S3_ACCESS_KEY.into(),
            secret_key: S3_SECRET_KEY.into(),
            region: "us-east-1".into(),
            media_root: self.root.clone(),
        }
    }
}

impl Drop for S3 {
    fn drop(&mut self) {
        for child in &mut self.children {
            let _ = child.kill();
            let _ = child.wait();
        }
        let _ = std::fs::remove_dir_all(&self.root);
    }
}
