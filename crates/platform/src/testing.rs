//! Test helpers shared by every service's integration tests (ARCHITECTURE §10): a fresh database cloned
//! from a migrated template, an isolated Redis prefix and broker names, minted tokens, and a chaos proxy
//! that cuts and restores a connection to real Postgres, Redis or RabbitMQ.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use crate::auth::{AuthConfig, Claims, Jwks, SigningKey, TokenType, TokenVerifier};
use crate::db::{self, split_database};
use crate::events::BusConfig;

use diesel::migration::MigrationSource;
use diesel_migrations::EmbeddedMigrations;
use hm_contracts::Role;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::watch;
use uuid::Uuid;

pub const POSTGRES_URL: &str = "postgres://postgres@127.0.0.1:5432";
pub const REDIS_URL: &str = "redis://127.0.0.1:6379/0";
pub const AMQP_URL: &str = "amqp://guest:guest@127.0.0.1:5672/%2f";

fn env_or(name: &str, default: &str) -> String {
    std::env::var(name).unwrap_or_else(|_| default.to_owned())
}

/// Base URL of the test Postgres server (`TEST_POSTGRES_URL`), without a database name.
pub fn postgres_url() -> String {
    env_or("TEST_POSTGRES_URL", POSTGRES_URL)
}

pub fn redis_url() -> String {
    env_or("TEST_REDIS_URL", REDIS_URL)
}

pub fn amqp_url() -> String {
    env_or("TEST_AMQP_URL", AMQP_URL)
}

/// A database of its own for one test, dropped when the test ends.
pub struct TestDb {
    pub name: String,
    pub url: String,
}

async fn admin_client() -> tokio_postgres::Client {
    let (client, connection) = tokio_postgres::connect(
        &format!("{}/postgres", postgres_url()),
        tokio_postgres::NoTls,
    )
    .await
    .expect("test Postgres reachable (run scripts/dev-infra.sh)");
    tokio::spawn(connection);
    client
}

fn template_name(service: &str, sets: &[&'static EmbeddedMigrations]) -> String {
    use std::hash::{Hash, Hasher};
    let mut hasher = std::collections::hash_map::DefaultHasher::new();
    for set in std::iter::once(&&db::PLATFORM_MIGRATIONS).chain(sets) {
        let list =
            MigrationSource::<diesel::pg::Pg>::migrations(*set).expect("embedded migrations");
        for m in list {
            m.name().to_string().hash(&mut hasher);
        }
    }
    format!("hmtpl_{service}_{:x}", hasher.finish())
}

impl TestDb {
    /// A database for service `service` made by the platform's migrations and then `sets` (a service's:
    /// [`crate::service::ServiceInfo::migration_sets`]): a clone of their migrated template (made once, under an
    /// advisory lock, by whichever test process gets there first).
    pub async fn new(service: &str, sets: Vec<&'static EmbeddedMigrations>) -> TestDb {
        let template = template_name(service, &sets);
        let client = admin_client().await;
        client
            .execute("SELECT pg_advisory_lock(7243901)", &[])
            .await
            .unwrap();
        let exists = client
            .query_opt("SELECT 1 FROM pg_database WHERE datname = $1", &[&template])
            .await
            .unwrap()
            .is_some();
        if !exists {
            let building = format!("{template}_build");
            client
                .batch_execute(&format!(
                    "DROP DATABASE IF EXISTS \"{building}\" WITH (FORCE)"
                ))
                .await
                .unwrap();
            client
                .batch_execute(&format!("CREATE DATABASE \"{building}\""))
                .await
                .unwrap();
            db::migrate(&format!("{}/{building}", postgres_url()), sets)
                .await
                .unwrap();
            client
                .batch_execute(&format!(
                    "ALTER DATABASE \"{building}\" RENAME TO \"{template}\""
                ))
                .await
                .unwrap();
        }
        client
            .execute("SELECT pg_advisory_unlock(7243901)", &[])
            .await
            .unwrap();
        let name = format!("hmtest_{service}_{}", Uuid::new_v4().simple());
        let mut attempt = 0;
        loop {
            match client
                .batch_execute(&format!(
                    "CREATE DATABASE \"{name}\" TEMPLATE \"{template}\""
                ))
                .await
            {
                Ok(()) => break,
                // "source database is being accessed by other users": another clone is in flight.
                Err(e) if attempt < 50 => {
                    attempt += 1;
                    tracing::debug!(error = %e, "template busy, retrying");
                    tokio::time::sleep(std::time::Duration::from_millis(100)).await;
                }
                Err(e) => panic!("cannot clone {template}: {e}"),
            }
        }
        let url = format!("{}/{name}", postgres_url());
        TestDb { name, url }
    }

    /// A plain connection to the test's database, for setting up and checking rows.
    pub async fn client(&self) -> tokio_postgres::Client {
        let (client, connection) = tokio_postgres::connect(&self.url, tokio_postgres::NoTls)
            .await
            .unwrap();
        tokio::spawn(connection);
        client
    }

    /// Runs statements (setup the API cannot express, such as history).
    pub async fn sql(&self, statements: &str) {
        self.client().await.batch_execute(statements).await.unwrap();
    }

    /// The one bigint a query returns, e.g. `SELECT count(*) …`.
    pub async fn count(&self, query: &str) -> i64 {
        self.client()
            .await
            .query_one(query, &[])
            .await
            .unwrap()
            .get(0)
    }
}

impl Drop for TestDb {
    fn drop(&mut self) {
        let name = self.name.clone();
        let Some((admin, _)) = split_database(&self.url) else {
            return;
        };
        // Drop runs inside or outside a runtime; a thread with its own runtime works in both cases.
        let _ = std::thread::spawn(move || {
            let rt = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .ok()?;
            rt.block_on(async move {
                let (client, connection) = tokio_postgres::connect(&admin, tokio_postgres::NoTls)
                    .await
                    .ok()?;
                tokio::spawn(connection);
                client
                    .batch_execute(&format!("DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)"))
                    .await
                    .ok()
            })
        })
        .join();
    }
}

/// A Redis key prefix no other test uses.
pub fn redis_prefix(service: &str) -> String {
    format!("test:{}:{service}:", Uuid::new_v4().simple())
}

/// Broker names no other test uses; the queues delete themselves a while after the test.
pub fn bus_config(service: &str) -> BusConfig {
    let id = Uuid::new_v4().simple().to_string();
    BusConfig {
        amqp_url: amqp_url(),
        exchange: format!("test.{id}.events"),
        queue: format!("test.{id}.{service}.events"),
        queue_expires_ms: Some(120_000),
        max_retries: 3,
        retry_base_ms: 50,
    }
}

/// A service's settings for an in-process test: port 0, the test's database, Redis prefix and broker
/// names, tokens checked with `auth`.
pub fn common_config(
    service: &'static str,
    database_url: &str,
    bus: &BusConfig,
    auth: AuthConfig,
) -> crate::service::CommonConfig {
    crate::service::CommonConfig {
        service_name: service,
        host: "127.0.0.1".into(),
        port: 0,
        debug: true,
        log_json: false,
        database_url: database_url.to_owned(),
        db_pool_size: 4,
        run_migrations: false,
        redis_url: redis_url(),
        redis_key_prefix: redis_prefix(service),
        events: bus.clone(),
        auth,
    }
}

/// Publishes on a test's own exchange, as another service would.
pub fn publisher(bus: &BusConfig) -> std::sync::Arc<crate::events::Broker> {
    crate::events::Broker::new(BusConfig {
        queue: "unused".into(),
        ..bus.clone()
    })
}

/// A signing key of the test's own, and tokens minted with it.
pub struct TestKeys {
    pub key: SigningKey,
    pub config: AuthConfig,
}

impl Default for TestKeys {
    fn default() -> Self {
        TestKeys {
            key: SigningKey::generate().unwrap(),
            config: AuthConfig {
                issuer: "hunarmitra-identity".into(),
                audience: "hunarmitra".into(),
                jwks_url: None,
            },
        }
    }
}

impl TestKeys {
    pub fn jwks(&self) -> Jwks {
        Jwks {
            keys: vec![self.key.jwk().clone()],
        }
    }

    pub fn verifier(&self) -> TokenVerifier {
        TokenVerifier::with_keys(self.config.clone(), &self.jwks())
    }

    pub fn claims(
        &self,
        user_id: Uuid,
        role: Role,
        token_type: TokenType,
        lifetime_secs: i64,
    ) -> Claims {
        let now = chrono::Utc::now().timestamp();
        Claims {
            token_type,
            user_id,
            role,
            jti: Some(Uuid::new_v4().simple().to_string()),
            iat: now,
            exp: now + lifetime_secs,
            iss: self.config.issuer.clone(),
            aud: self.config.audience.clone(),
        }
    }

    /// An access token for `user_id` valid for an hour.
    pub fn mint(&self, user_id: Uuid, role: Role) -> String {
        self.key
            .sign(&self.claims(user_id, role, TokenType::Access, 3600))
            .unwrap()
    }
}

/// A JWKS endpoint whose keys a test changes (rotation) or takes away (identity down: 503), for
/// services and the gateway that verify tokens minted with [`TestKeys`].
#[derive(Clone)]
pub struct JwksServer {
    pub url: String,
    keys: Arc<std::sync::Mutex<Option<Jwks>>>,
}

async fn serve_jwks(
    keys: actix_web::web::Data<std::sync::Mutex<Option<Jwks>>>,
) -> actix_web::HttpResponse {
    match keys.lock().ok().and_then(|k| k.clone()) {
        Some(jwks) => actix_web::HttpResponse::Ok().json(jwks),
        None => actix_web::HttpResponse::ServiceUnavailable().finish(),
    }
}

impl JwksServer {
    pub async fn start(jwks: Jwks) -> JwksServer {
        let keys = actix_web::web::Data::new(std::sync::Mutex::new(Some(jwks)));
        let data = keys.clone();
        let server = actix_web::HttpServer::new(move || {
            actix_web::App::new()
                .app_data(data.clone())
                .default_service(actix_web::web::to(serve_jwks))
        })
        .workers(1)
        .bind("127.0.0.1:0")
        .unwrap();
        let port = server.addrs()[0].port();
        tokio::spawn(server.run());
        JwksServer {
            url: format!("http://127.0.0.1:{port}/.well-known/jwks.json"),
            keys: keys.into_inner(),
        }
    }

    pub fn publish(&self, jwks: Option<Jwks>) {
        if let Ok(mut keys) = self.keys.lock() {
            *keys = jwks;
        }
    }
}

impl TestKeys {
    /// Serves these keys as a JWKS; the returned config points a verifier at it.
    pub async fn serve(&self) -> (JwksServer, AuthConfig) {
        let server = JwksServer::start(self.jwks()).await;
        let config = AuthConfig {
            jwks_url: Some(server.url.clone()),
            ..self.config.clone()
        };
        (server, config)
    }
}

/// A TCP proxy in front of a real server that a test can cut (every open connection is dropped and new
/// ones are refused) and restore, to simulate an outage without touching the shared server.
pub struct ChaosProxy {
    pub port: u16,
    cut: Arc<AtomicBool>,
    generation: watch::Sender<u64>,
    task: tokio::task::JoinHandle<()>,
}

impl ChaosProxy {
    pub async fn start(target: &str) -> ChaosProxy {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let port = listener.local_addr().unwrap().port();
        let cut = Arc::new(AtomicBool::new(false));
        let (generation, _) = watch::channel(0u64);
        let target = target.to_owned();
        let (flag, gen) = (cut.clone(), generation.clone());
        let task = tokio::spawn(async move {
            loop {
                let Ok((mut inbound, _)) = listener.accept().await else {
                    continue;
                };
                if flag.load(Ordering::SeqCst) {
                    drop(inbound);
                    continue;
                }
                let target = target.clone();
                let mut cut_signal = gen.subscribe();
                tokio::spawn(async move {
                    let Ok(mut outbound) = TcpStream::connect(&target).await else {
                        return;
                    };
                    tokio::select! {
                        _ = tokio::io::copy_bidirectional(&mut inbound, &mut outbound) => {}
                        _ = cut_signal.changed() => {}
                    }
                });
            }
        });
        ChaosProxy {
            port,
            cut,
            generation,
            task,
        }
    }

    /// Drops every connection through the proxy and refuses new ones.
    pub fn cut(&self) {
        self.cut.store(true, Ordering::SeqCst);
        self.generation.send_modify(|g| *g += 1);
    }

    pub fn restore(&self) {
        self.cut.store(false, Ordering::SeqCst);
    }

    pub fn addr(&self) -> String {
        format!("127.0.0.1:{}", self.port)
    }
}

impl Drop for ChaosProxy {
    fn drop(&mut self) {
        self.task.abort();
    }
}

/// Polls `check` until it returns `Some` or `timeout` passes.
pub async fn eventually<T, F, Fut>(timeout: std::time::Duration, mut check: F) -> Option<T>
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = Option<T>>,
{
    let deadline = tokio::time::Instant::now() + timeout;
    loop {
        if let Some(value) = check().await {
            return Some(value);
        }
        if tokio::time::Instant::now() >= deadline {
            return None;
        }
        tokio::time::sleep(std::time::Duration::from_millis(25)).await;
    }
}

/// A plain AMQP connection and channel to the test broker.
pub async fn amqp_channel() -> (lapin::Connection, lapin::Channel) {
    let conn = lapin::Connection::connect(&amqp_url(), crate::events::connection_properties())
        .await
        .unwrap();
    let channel = conn.create_channel().await.unwrap();
    (conn, channel)
}

/// What arrives in a consumer's dead-letter queue (`bus.dead_letter_queue()`), taken as it comes.
pub struct DeadLetters {
    _conn: lapin::Connection,
    messages: lapin::Consumer,
}

impl DeadLetters {
    pub async fn watch(bus: &BusConfig) -> DeadLetters {
        let (conn, channel) = amqp_channel().await;
        let options = lapin::options::BasicConsumeOptions {
            no_ack: true,
            ..Default::default()
        };
        let messages = channel
            .basic_consume(
                &bus.dead_letter_queue(),
                "dlq",
                options,
                lapin::types::FieldTable::default(),
            )
            .await
            .unwrap();
        DeadLetters {
            _conn: conn,
            messages,
        }
    }

    /// The next dead-lettered message; panics after 10 s without one.
    pub async fn next(&mut self) -> lapin::message::Delivery {
        use futures_util::StreamExt;
        tokio::time::timeout(std::time::Duration::from_secs(10), self.messages.next())
            .await
            .expect("dead-lettered")
            .unwrap()
            .unwrap()
    }
}

/// Records what is published on a test's exchange under a routing-key pattern.
pub struct EventTap {
    _conn: lapin::Connection,
    consumer: lapin::Consumer,
}

impl EventTap {
    pub async fn bind(bus: &BusConfig, key: &str) -> EventTap {
        use lapin::options::{
            BasicConsumeOptions, ExchangeDeclareOptions, QueueBindOptions, QueueDeclareOptions,
        };
        use lapin::types::FieldTable;
        let (conn, channel) = amqp_channel().await;
        let durable = ExchangeDeclareOptions {
            durable: true,
            ..Default::default()
        };
        channel
            .exchange_declare(
                &bus.exchange,
                lapin::ExchangeKind::Topic,
                durable,
                FieldTable::default(),
            )
            .await
            .unwrap();
        let private = QueueDeclareOptions {
            exclusive: true,
            auto_delete: true,
            ..Default::default()
        };
        let queue = channel
            .queue_declare("", private, FieldTable::default())
            .await
            .unwrap();
        let name = queue.name().as_str();
        channel
            .queue_bind(
                name,
                &bus.exchange,
                key,
                QueueBindOptions::default(),
                FieldTable::default(),
            )
            .await
            .unwrap();
        let no_ack = BasicConsumeOptions {
            no_ack: true,
            ..Default::default()
        };
        let consumer = channel
            .basic_consume(name, "tap", no_ack, FieldTable::default())
            .await
            .unwrap();
        EventTap {
            _conn: conn,
            consumer,
        }
    }

    /// The next message within `wait`: its envelope and its expiration property.
    pub async fn next(
        &mut self,
        wait: std::time::Duration,
    ) -> Option<(serde_json::Value, Option<String>)> {
        use futures_util::StreamExt;
        let delivery = tokio::time::timeout(wait, self.consumer.next())
            .await
            .ok()??
            .ok()?;
        let expiration = delivery
            .properties
            .expiration()
            .as_ref()
            .map(|e| e.to_string());
        Some((serde_json::from_slice(&delivery.data).ok()?, expiration))
    }

    /// The next `n` envelopes, each within `wait`, sorted by `type`: events that are in the outbox at
    /// once reach a consumer in any order, since the relay's loops publish concurrently (ARCHITECTURE
    /// §7). Panics, naming `what`, when fewer arrive.
    pub async fn next_by_type(
        &mut self,
        n: usize,
        wait: std::time::Duration,
        what: &str,
    ) -> Vec<serde_json::Value> {
        let mut events = Vec::with_capacity(n);
        for _ in 0..n {
            let (event, _) = self.next(wait).await.unwrap_or_else(|| panic!("{what}"));
            events.push(event);
        }
        events.sort_by_key(|event| event["type"].as_str().map(str::to_owned));
        events
    }
}

/// One JSON request to `url` with an optional bearer token and body: the status and the JSON answer
/// (`Null` when the answer is not JSON). The one way the services' tests and the end-to-end harness call.
pub async fn call_json(
    http: &reqwest::Client,
    method: reqwest::Method,
    url: &str,
    bearer: Option<&str>,
    body: Option<serde_json::Value>,
) -> (u16, serde_json::Value) {
    let mut request = http.request(method, url);
    if let Some(token) = bearer {
        request = request.bearer_auth(token);
    }
    if let Some(body) = body {
        request = request.json(&body);
    }
    let res = request
        .send()
        .await
        .unwrap_or_else(|e| panic!("{url}: {e}"));
    let status = res.status().as_u16();
    (status, res.json().await.unwrap_or(serde_json::Value::Null))
}

/// Checks the OpenAPI document a service serves (`served`, the body of its `/openapi.json`) against the
/// copy checked in as `proto-docs/openapi/<service>.json` (ARCHITECTURE §2), and that it documents every
/// operation ([`crate::openapi::undocumented`]; `bodiless` lists the writes that take no body). With
/// `UPDATE_OPENAPI=1` the copy is rewritten instead of compared: run the crate's tests so after changing
/// an operation, and review the diff.
pub fn assert_openapi_document(service: &str, served: &[u8], bodiless: &[&str]) {
    let doc: serde_json::Value = serde_json::from_slice(served).expect("/openapi.json is JSON");
    let gaps = crate::openapi::undocumented(&doc, bodiless);
    assert!(
        gaps.is_empty(),
        "{service}: operations not fully documented:\n{}",
        gaps.join("\n")
    );
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../proto-docs/openapi")
        .join(format!("{service}.json"));
    let mut text = serde_json::to_string_pretty(&doc).expect("a JSON value prints");
    text.push('\n');
    if std::env::var_os("UPDATE_OPENAPI").is_some_and(|v| v == "1") {
        std::fs::create_dir_all(path.parent().expect("a parent")).expect("proto-docs/openapi");
        std::fs::write(&path, text).expect("proto-docs/openapi/<service>.json written");
        return;
    }
    let checked_in = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        checked_in == text,
        "{service} serves an OpenAPI document other than proto-docs/openapi/{service}.json (rerun \
         this test with UPDATE_OPENAPI=1 and review the diff)"
    );
}

/// Checks a service's `src/schema.rs` (at `crate_dir`) against what `diesel print-schema` (diesel_cli,
/// installed by `scripts/dev-infra.sh`; `DIESEL` names another binary) prints for a database its
/// migrations made, with the crate's `diesel.toml` (the tables it leaves out: the platform's `outbox` and
/// `inbox`, tables without a primary key) and formatted by rustfmt (ARCHITECTURE §2: schema.rs is
/// generated, never edited). With `UPDATE_SCHEMA=1` the file is rewritten instead of compared.
pub async fn assert_schema_generated<S: crate::service::Service>(crate_dir: &str) {
    let sets = S::INFO.migration_sets();
    assert_print_schema(S::INFO.name, sets, crate_dir, "src/schema.rs").await
}

/// [`assert_schema_generated`] for a database made by `sets`, printed as the `diesel.toml` at
/// `crate_dir` says into `schema_file` (relative to `crate_dir`): the platform's own schema modules.
pub async fn assert_print_schema(
    service: &str,
    sets: Vec<&'static EmbeddedMigrations>,
    crate_dir: &str,
    schema_file: &str,
) {
    use std::io::Write;
    use std::process::{Command, Stdio};
    let db = TestDb::new(service, sets).await;
    let diesel = std::env::var("DIESEL").unwrap_or_else(|_| {
        let installed = std::path::Path::new(&env_or("HOME", "/root")).join(".cargo/bin/diesel");
        if installed.exists() {
            installed.display().to_string()
        } else {
            "diesel".into()
        }
    });
    let config = std::path::Path::new(crate_dir).join("diesel.toml");
    let output = Command::new(&diesel)
        .args(["print-schema", "--database-url", &db.url, "--config-file"])
        .arg(&config)
        .output()
        .unwrap_or_else(|e| {
            panic!("{diesel}: {e} (run scripts/dev-infra.sh, which installs diesel_cli)")
        });
    assert!(
        output.status.success(),
        "diesel print-schema failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    let mut rustfmt = Command::new("rustfmt")
        .args(["--edition", "2021", "--emit", "stdout"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .expect("rustfmt runs");
    rustfmt
        .stdin
        .take()
        .expect("rustfmt's stdin")
        .write_all(&output.stdout)
        .expect("print-schema's output reaches rustfmt");
    let formatted = rustfmt.wait_with_output().expect("rustfmt finishes");
    assert!(
        formatted.status.success(),
        "rustfmt failed on print-schema's output"
    );
    let printed = String::from_utf8(formatted.stdout).expect("rustfmt writes UTF-8");
    let path = std::path::Path::new(crate_dir).join(schema_file);
    if std::env::var_os("UPDATE_SCHEMA").is_some_and(|v| v == "1") {
        std::fs::write(&path, printed).expect("the schema file is written");
        return;
    }
    let checked_in = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        checked_in == printed,
        "{service}'s {schema_file} is not what its migrations make (rerun this test with \
         UPDATE_SCHEMA=1 and review the diff)"
    );
}

/// Every variant of a service's error enum is produced somewhere (ARCHITECTURE §4): `variants` (the
/// enum's `strum::VariantNames`, snake_case codes like `no_such_device`) each appear as
/// `<enum_name>::<Variant>` (`NoSuchDevice`) in a source file under `src_dir` other than `error.rs`, or
/// are listed in `converted` (made by `?` through a `From`, e.g. `query`).
pub fn assert_variants_reachable(
    enum_name: &str,
    variants: &[&str],
    converted: &[&str],
    src_dir: &str,
) {
    fn sources(dir: &std::path::Path, into: &mut String) {
        for entry in std::fs::read_dir(dir).expect("src/ is readable").flatten() {
            let path = entry.path();
            if path.is_dir() {
                sources(&path, into);
            } else if path.extension().is_some_and(|e| e == "rs")
                && path.file_name().is_some_and(|n| n != "error.rs")
            {
                into.push_str(&std::fs::read_to_string(&path).unwrap_or_default());
            }
        }
    }
    let mut code = String::new();
    sources(std::path::Path::new(src_dir), &mut code);
    // `no_such_device` (or `NoSuchDevice`) -> `NoSuchDevice`.
    let camel = |name: &str| -> String {
        name.split('_')
            .map(|part| {
                let mut chars = part.chars();
                chars
                    .next()
                    .map(|first| first.to_uppercase().chain(chars).collect::<String>())
                    .unwrap_or_default()
            })
            .collect()
    };
    let converted: Vec<String> = converted.iter().map(|c| camel(c)).collect();
    let unreachable: Vec<&&str> = variants
        .iter()
        .filter(|v| !converted.contains(&camel(v)))
        .filter(|v| {
            let used = format!("{enum_name}::{}", camel(v));
            !code.match_indices(&used).any(|(at, _)| {
                // `Error::Busy` must not count `Error::BusyDay`.
                !code[at + used.len()..]
                    .chars()
                    .next()
                    .is_some_and(|c| c.is_alphanumeric() || c == '_')
            })
        })
        .collect();
    assert!(
        unreachable.is_empty(),
        "{enum_name} variants no code produces: {unreachable:?}"
    );
}

/// A service as its tests start it (ARCHITECTURE §10): implemented once per service in its
/// `testing.rs` (on the service's type, or on a test double that replaces its providers), used by
/// [`TestApp`].
pub trait TestService: crate::service::Service {
    /// A test instance's settings on the test's own `common` ones (port 0, its database, …).
    fn config(common: crate::service::CommonConfig) -> Self::Config;
}

/// A service started in-process for one test (crates.io's `TestApp` is the model): its own database
/// cloned from the migrated template, Redis prefix and broker names, tokens from a key of its own
/// (served as a JWKS), and one way to call it. `TestApp::init::<S>().with_config(…).start().await`.
pub struct TestApp {
    /// `http://127.0.0.1:<port>`.
    pub base: String,
    pub db: TestDb,
    pub bus: BusConfig,
    pub keys: TestKeys,
    pub http: reqwest::Client,
    pub handle: actix_web::dev::ServerHandle,
    _jwks: JwksServer,
}

/// A change to a test instance's settings.
type ConfigChange<C> = Box<dyn FnOnce(&mut C)>;

/// How a [`TestApp`] will start: settings changed by [`TestAppBuilder::with_config`].
pub struct TestAppBuilder<S: TestService> {
    configure: Vec<ConfigChange<S::Config>>,
}

impl TestApp {
    /// A builder for service `S` with its test settings.
    pub fn init<S: TestService>() -> TestAppBuilder<S> {
        TestAppBuilder {
            configure: Vec::new(),
        }
    }

    /// One JSON request with an optional bearer token and body: status and JSON answer.
    pub async fn call(
        &self,
        method: reqwest::Method,
        path: &str,
        bearer: Option<&str>,
        body: Option<serde_json::Value>,
    ) -> (u16, serde_json::Value) {
        call_json(
            &self.http,
            method,
            &format!("{}{path}", self.base),
            bearer,
            body,
        )
        .await
    }

    /// A new user's id and an access token for them (no row anywhere: a token is all a service sees).
    pub fn token(&self, role: Role) -> (Uuid, String) {
        let id = Uuid::new_v4();
        (id, self.keys.mint(id, role))
    }

    /// A user as identity announced them, recorded in the service's user projection by the platform's
    /// own projection code, and an access token for them.
    pub async fn with_user(
        &self,
        phone: &str,
        role: Role,
        first: &str,
        last: &str,
    ) -> (Uuid, String) {
        use diesel_async::AsyncConnection;
        let id = Uuid::new_v4();
        let mut conn = diesel_async::AsyncPgConnection::establish(&self.db.url)
            .await
            .expect("the test database");
        crate::projections::upsert_user(
            &mut conn,
            &hm_contracts::events::UserUpdated {
                user_id: id,
                phone: phone.to_owned(),
                role,
                first_name: first.to_owned(),
                last_name: last.to_owned(),
                is_active: true,
                ekyc_status: hm_contracts::EkycStatus::None,
            },
        )
        .await
        .expect("the user is recorded");
        (id, self.keys.mint(id, role))
    }
}

/// A second instance of a [`TestApp`]'s service on the same database, broker and keys: a replica, as a
/// deployment runs several (its consumers compete with the first's; its broadcasts are its own).
pub struct Replica {
    /// `http://127.0.0.1:<port>`.
    pub base: String,
    pub handle: actix_web::dev::ServerHandle,
}

impl TestApp {
    /// Starts another replica of `S` (the service this app runs) sharing this app's database, broker
    /// and token keys, with the test's settings changed by `change`.
    pub async fn replica<S: TestService>(&self, change: impl FnOnce(&mut S::Config)) -> Replica {
        let auth = crate::auth::AuthConfig {
            jwks_url: Some(self._jwks.url.clone()),
            ..self.keys.config.clone()
        };
        let name = S::INFO.name;
        let mut config = S::config(common_config(name, &self.db.url, &self.bus, auth));
        change(&mut config);
        let app = S::build(config)
            .await
            .unwrap_or_else(|e| panic!("{name} replica starts: {e}"));
        let base = format!("http://127.0.0.1:{}", app.port());
        let handle = app.handle();
        tokio::spawn(app.run_until_stopped());
        Replica { base, handle }
    }
}

impl<S: TestService> TestAppBuilder<S> {
    /// Changes the test settings before the service starts (a feature switched off, a provider).
    pub fn with_config(mut self, change: impl FnOnce(&mut S::Config) + 'static) -> Self {
        self.configure.push(Box::new(change));
        self
    }

    /// Starts the service on a free port.
    pub async fn start(self) -> TestApp {
        let keys = TestKeys::default();
        let (jwks, auth) = keys.serve().await;
        let name = S::INFO.name;
        let db = TestDb::new(name, S::INFO.migration_sets()).await;
        let bus = bus_config(name);
        let mut config = S::config(common_config(name, &db.url, &bus, auth));
        for change in self.configure {
            change(&mut config);
        }
        let app = S::build(config)
            .await
            .unwrap_or_else(|e| panic!("{name} starts: {e}"));
        let base = format!("http://127.0.0.1:{}", app.port());
        let handle = app.handle();
        tokio::spawn(app.run_until_stopped());
        TestApp {
            base,
            db,
            bus,
            keys,
            http: reqwest::Client::new(),
            handle,
            _jwks: jwks,
        }
    }
}

/// A WebSocket client for realtime tests (API §10): connects with the token in the query or in the
/// `jwt` subprotocol, reads JSON messages (skipping control frames) and the close code.
pub mod ws {
    use futures_util::{SinkExt, StreamExt};
    use serde_json::Value;
    use std::time::Duration;
    use tokio_tungstenite::tungstenite::client::IntoClientRequest;
    use tokio_tungstenite::tungstenite::http::HeaderValue;
    use tokio_tungstenite::tungstenite::Message;
    use tokio_tungstenite::{MaybeTlsStream, WebSocketStream};

    /// How a client hands over its token.
    #[derive(Debug, Clone, Copy, PartialEq, Eq)]
    pub enum Via {
        /// `?token=…`
        Query,
        /// `Sec-WebSocket-Protocol: jwt, <token>`, as browsers send it.
        Protocol,
    }

    /// An open socket and the subprotocol the server selected.
    pub struct Socket {
        pub stream: WebSocketStream<MaybeTlsStream<tokio::net::TcpStream>>,
        pub protocol: Option<String>,
    }

    /// Opens `ws://…{path}` on `base` (`http://127.0.0.1:port`), with `token` handed over `via`.
    pub async fn connect(base: &str, path: &str, token: Option<&str>, via: Via) -> Socket {
        try_connect(base, path, token, via)
            .await
            .unwrap_or_else(|e| panic!("WebSocket handshake on {path}: {e}"))
    }

    /// [`connect`], or the handshake's error (an HTTP refusal, say).
    pub async fn try_connect(
        base: &str,
        path: &str,
        token: Option<&str>,
        via: Via,
    ) -> Result<Socket, tokio_tungstenite::tungstenite::Error> {
        let mut url = format!("{}{path}", base.replacen("http", "ws", 1));
        if let (Some(token), Via::Query) = (token, via) {
            url.push_str(&format!("?token={token}"));
        }
        let mut request = url.into_client_request()?;
        if let (Some(token), Via::Protocol) = (token, via) {
            if let Ok(v) = HeaderValue::from_str(&format!("jwt, {token}")) {
                request.headers_mut().insert("sec-websocket-protocol", v);
            }
        }
        let (stream, response) = tokio_tungstenite::connect_async(request).await?;
        let protocol = response
            .headers()
            .get("sec-websocket-protocol")
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned);
        Ok(Socket { stream, protocol })
    }

    /// What a socket read next.
    #[derive(Debug, Clone, PartialEq)]
    pub enum Received {
        Json(Value),
        /// The server closed with this code (1005 when it gave none).
        Closed(u16),
        /// Nothing within the wait, or the connection dropped without a close.
        Nothing,
    }

    impl Socket {
        /// The next text message as JSON, or the close, waiting at most `wait`.
        pub async fn receive(&mut self, wait: Duration) -> Received {
            let deadline = tokio::time::Instant::now() + wait;
            loop {
                let next = tokio::time::timeout_at(deadline, self.stream.next()).await;
                match next {
                    Ok(Some(Ok(Message::Text(text)))) => {
                        return Received::Json(serde_json::from_str(&text).unwrap_or(Value::Null))
                    }
                    Ok(Some(Ok(Message::Close(frame)))) => {
                        return Received::Closed(frame.map_or(1005, |f| u16::from(f.code)))
                    }
                    Ok(Some(Ok(_))) => continue,
                    Ok(Some(Err(_)) | None) | Err(_) => return Received::Nothing,
                }
            }
        }

        /// The next JSON message (panics on a close or a 10 s silence).
        pub async fn next_json(&mut self) -> Value {
            match self.receive(Duration::from_secs(10)).await {
                Received::Json(v) => v,
                other => panic!("expected a message, got {other:?}"),
            }
        }

        /// The next JSON message whose `type` is `kind`, skipping others (10 s at most).
        pub async fn next_of(&mut self, kind: &str) -> Value {
            let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
            loop {
                let left = deadline.saturating_duration_since(tokio::time::Instant::now());
                match self.receive(left).await {
                    Received::Json(v) if v["type"] == kind => return v,
                    Received::Json(_) => continue,
                    other => panic!("expected a {kind} message, got {other:?}"),
                }
            }
        }

        /// The close code the server sends next, skipping messages (waits at most `wait`).
        pub async fn close_code(&mut self, wait: Duration) -> Option<u16> {
            let deadline = tokio::time::Instant::now() + wait;
            loop {
                let left = deadline.saturating_duration_since(tokio::time::Instant::now());
                match self.receive(left).await {
                    Received::Json(_) => continue,
                    Received::Closed(code) => return Some(code),
                    Received::Nothing => return None,
                }
            }
        }

        /// Sends `message` as a text frame.
        pub async fn send_json(&mut self, message: &Value) {
            self.send_text(&message.to_string()).await;
        }

        /// Sends a text frame as is.
        pub async fn send_text(&mut self, text: &str) {
            self.stream
                .send(Message::Text(text.into()))
                .await
                .expect("socket open");
        }
    }
}
