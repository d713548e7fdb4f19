//! The end-to-end harness (issue #8): builds the binaries, gives one run its own databases, Redis key
//! prefixes, event exchange and queues, starts the five services and the gateway as real processes on
//! free ports, and talks to them only through the gateway, as a mobile client would. It can also break the
//! shared infrastructure (restart RabbitMQ or Redis, drop Postgres connections) and kill or restart a
//! service, so the fault journeys run against the real thing. Run alone: it restarts shared servers.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use reqwest::Method;
use serde_json::Value;
use std::collections::HashMap;
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

pub const SERVICES: [&str; 6] = [
    "identity",
    "catalog",
    "workforce",
    "jobs",
    "notifications",
    "analytics",
];
pub const ADMIN_EMAIL: &str = "ops@hunarmitra.test";
pub const ADMIN_PASSWORD: &str = "e2e-admin-password";

/// The workspace's root directory (scripts live under it).
pub fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .unwrap()
        .to_path_buf()
}

/// Where `cargo build` put the binaries: next to this test's own `deps` directory.
fn bin_dir() -> PathBuf {
    let exe = std::env::current_exe().unwrap();
    exe.parent().and_then(Path::parent).unwrap().to_path_buf()
}

/// Builds every binary (a no-op when they are fresh), so a stale binary is never tested.
fn build_binaries() {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let workspace = Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap();
    // The profile this harness was built with (`make bench-realtime` runs a release build).
    let profile: &[&str] = if cfg!(debug_assertions) {
        &[]
    } else {
        &["--release"]
    };
    let status = Command::new(cargo)
        .args(["build", "-q", "--bins"])
        .args(profile)
        .current_dir(workspace)
        .status()
        .expect("cargo runs");
    assert!(status.success(), "cargo build --bins failed");
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// One service process, restartable with the same settings.
struct Process {
    binary: PathBuf,
    env: Vec<(String, String)>,
    log: PathBuf,
    child: Option<Child>,
}

impl Process {
    fn start(&mut self) {
        let log = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(&self.log)
            .unwrap();
        let child = Command::new(&self.binary)
            .arg("serve")
            .env_clear()
            .envs(base_env())
            .envs(self.env.iter().map(|(k, v)| (k.as_str(), v.as_str())))
            .stdout(Stdio::from(log.try_clone().unwrap()))
            .stderr(Stdio::from(log))
            .spawn()
            .expect("service starts");
        self.child = Some(child);
    }

    fn kill(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

/// What every process inherits from the test's environment: only the basics.
fn base_env() -> Vec<(String, String)> {
    ["PATH", "HOME", "TMPDIR"]
        .iter()
        .filter_map(|k| std::env::var(k).ok().map(|v| ((*k).to_owned(), v)))
        .collect()
}

/// A whole platform, isolated by its run id.
pub struct Stack {
    pub run: String,
    pub gateway: String,
    pub dir: PathBuf,
    processes: HashMap<&'static str, Process>,
    ports: HashMap<&'static str, u16>,
    http: reqwest::Client,
}

/// How a stack differs from the journeys' one.
#[derive(Debug, Clone, Copy, Default)]
pub struct Options {
    /// No global throttles at the gateway (the fuzzer sends thousands of requests per client).
    pub unthrottled: bool,
    /// Online payments switched on (`ENABLE_PAYMENTS`), so their endpoints answer rather than 503.
    pub payments: bool,
    /// More settings: (service, name, value), e.g. `("jobs", "EMERGENCY_AUTO_ASSIGN", "true")`.
    pub env: &'static [(&'static str, &'static str, &'static str)],
}

impl Stack {
    /// Builds, migrates, seeds and starts everything; returns once the gateway and every service are ready.
    pub async fn start() -> Stack {
        Stack::start_with(Options::default()).await
    }

    /// [`Stack::start`] with `options`.
    pub async fn start_with(options: Options) -> Stack {
        build_binaries();
        let run = uuid::Uuid::new_v4().simple().to_string()[..10].to_owned();
        let dir = bin_dir().parent().unwrap().join("e2e").join(&run);
        std::fs::create_dir_all(&dir).unwrap();
        let bins = bin_dir();
        let key = dir.join("jwt.pem");
        let out = Command::new(bins.join("hm-identity"))
            .arg("gen-key")
            .output()
            .expect("gen-key runs");
        std::fs::write(&key, out.stdout).unwrap();
        // eKYC's key (identity answers 503 without one), made the way `make run` makes it.
        let ekyc_key = dir.join("encryption.key");
        let out = Command::new(bins.join("hm-identity"))
            .arg("gen-encryption-key")
            .output()
            .expect("gen-encryption-key runs");
        std::fs::write(&ekyc_key, out.stdout).unwrap();

        let mut ports: HashMap<&'static str, u16> =
            SERVICES.iter().map(|s| (*s, free_port())).collect();
        ports.insert("gateway", free_port());
        ports.insert("gateway_metrics", free_port());
        let jwks = format!(
            "http://127.0.0.1:{}/.well-known/jwks.json",
            ports["identity"]
        );
        let mut processes = HashMap::new();
        for svc in SERVICES {
            let env = vec![
                ("PORT".into(), ports[svc].to_string()),
                ("HOST".into(), "127.0.0.1".into()),
                (
                    "DATABASE_URL".into(),
                    format!("postgres://postgres@127.0.0.1:5432/hmtest_e2e_{run}_{svc}"),
                ),
                ("REDIS_KEY_PREFIX".into(), format!("e2e{run}:{svc}:")),
                ("EVENTS_EXCHANGE".into(), format!("hm.e2e.{run}")),
                ("EVENTS_QUEUE".into(), format!("e2e.{run}.{svc}.events")),
                ("JWKS_URL".into(), jwks.clone()),
                ("SECRET_KEY".into(), format!("e2e-secret-{run}")),
                (
                    "JWT_PRIVATE_KEY_FILE".into(),
                    key.to_string_lossy().into_owned(),
                ),
                (
                    "ENCRYPTION_KEY_FILE".into(),
                    ekyc_key.to_string_lossy().into_owned(),
                ),
                ("LOG_JSON".into(), "true".into()),
                // The dev SMS provider logs the code at DEBUG: the journeys read it from there.
                ("RUST_LOG".into(), "info,hm_notifications=debug".into()),
                ("SMS_PROVIDER".into(), "dev".into()),
                ("ENABLE_PAYMENTS".into(), options.payments.to_string()),
                ("USE_S3".into(), "false".into()),
                (
                    "MEDIA_ROOT".into(),
                    dir.join("media").to_string_lossy().into_owned(),
                ),
                ("HTTP_WORKERS".into(), "2".into()),
                ("DB_POOL_SIZE".into(), "8".into()),
            ]
            .into_iter()
            .chain(
                options
                    .env
                    .iter()
                    .filter(|(service, _, _)| *service == svc)
                    .map(|(_, k, v)| ((*k).to_owned(), (*v).to_owned())),
            )
            .collect();
            processes.insert(
                svc,
                Process {
                    binary: bins.join(format!("hm-{svc}")),
                    env,
                    log: dir.join(format!("{svc}.log")),
                    child: None,
                },
            );
        }
        let mut gateway_env = vec![
            ("PORT".into(), ports["gateway"].to_string()),
            (
                "GATEWAY_METRICS_PORT".into(),
                ports["gateway_metrics"].to_string(),
            ),
            ("HOST".into(), "127.0.0.1".into()),
            ("REDIS_KEY_PREFIX".into(), format!("e2e{run}:gw:")),
            ("JWKS_URL".into(), jwks.clone()),
            ("LOG_JSON".into(), "true".into()),
        ];
        let rate = if options.unthrottled {
            "none"
        } else {
            "10000/hour"
        };
        gateway_env.push(("THROTTLE_ANON".into(), rate.into()));
        gateway_env.push(("THROTTLE_USER".into(), rate.into()));
        for svc in SERVICES {
            gateway_env.push((
                format!("UPSTREAM_{}_URL", svc.to_uppercase()),
                format!("http://127.0.0.1:{}", ports[svc]),
            ));
        }
        processes.insert(
            "gateway",
            Process {
                binary: bins.join("hm-gateway"),
                env: gateway_env,
                log: dir.join("gateway.log"),
                child: None,
            },
        );
        let stack = Stack {
            gateway: format!("http://127.0.0.1:{}", ports["gateway"]),
            run,
            dir,
            processes,
            ports,
            http: reqwest::Client::builder()
                .timeout(Duration::from_secs(20))
                .build()
                .unwrap(),
        };
        let mut stack = stack;
        // Every database and queue exists before anything publishes; then the seed data.
        for svc in SERVICES {
            stack.command(svc, &["migrate"]);
        }
        stack.command("identity", &["seed"]);
        stack.command("catalog", &["seed"]);
        stack.command(
            "identity",
            &[
                "create-admin",
                "--email",
                ADMIN_EMAIL,
                "--password",
                ADMIN_PASSWORD,
            ],
        );
        for name in SERVICES.iter().copied().chain(["gateway"]) {
            stack.processes.get_mut(name).unwrap().start();
        }
        for name in SERVICES.iter().copied().chain(["gateway"]) {
            stack.wait_ready(name, Duration::from_secs(60)).await;
        }
        stack
    }

    /// Runs a one-off command of a service's binary with its settings (`migrate`, `seed`, ...).
    fn command(&self, svc: &str, args: &[&str]) {
        let p = &self.processes[svc];
        let out = Command::new(&p.binary)
            .args(args)
            .env_clear()
            .envs(base_env())
            .envs(p.env.iter().map(|(k, v)| (k.as_str(), v.as_str())))
            .output()
            .expect("command runs");
        assert!(
            out.status.success(),
            "hm-{svc} {args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }

    async fn wait_ready(&self, name: &str, limit: Duration) {
        let url = format!("http://127.0.0.1:{}/readyz", self.ports[name]);
        let start = Instant::now();
        while start.elapsed() < limit {
            if let Ok(res) = self.http.get(&url).send().await {
                if res.status().is_success() {
                    return;
                }
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        panic!(
            "{name} not ready within {limit:?}; log: {}",
            self.dir.join(format!("{name}.log")).display()
        );
    }

    /// One call through the gateway: status and JSON body (`Null` when the body is not JSON).
    pub async fn call(
        &self,
        method: Method,
        path: &str,
        token: Option<&str>,
        body: Option<Value>,
    ) -> (u16, Value) {
        self.request(&self.gateway, method, path, token, body).await
    }

    /// One call to a service directly, past the gateway (as a compromised pod inside the cluster could).
    pub async fn call_service(
        &self,
        service: &str,
        method: Method,
        path: &str,
        token: Option<&str>,
        body: Option<Value>,
    ) -> (u16, Value) {
        let base = format!("http://127.0.0.1:{}", self.ports[service]);
        self.request(&base, method, path, token, body).await
    }

    async fn request(
        &self,
        base: &str,
        method: Method,
        path: &str,
        token: Option<&str>,
        body: Option<Value>,
    ) -> (u16, Value) {
        hm_platform::testing::call_json(&self.http, method, &format!("{base}{path}"), token, body)
            .await
    }

    /// Retries `call` until `ok` holds for its answer (events travel between services), or panics.
    pub async fn until(
        &self,
        what: &str,
        method: Method,
        path: &str,
        token: Option<&str>,
        body: Option<Value>,
        ok: impl Fn(u16, &Value) -> bool,
    ) -> Value {
        let start = Instant::now();
        loop {
            let (status, answer) = self.call(method.clone(), path, token, body.clone()).await;
            if ok(status, &answer) {
                return answer;
            }
            if start.elapsed() > Duration::from_secs(30) {
                panic!("{what}: still {status} {answer} after 30 s");
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    /// The OTP the dev SMS provider "sent" to `phone`: read from notifications' log, as a phone would
    /// receive it. The newest one.
    pub async fn sms_code(&self, phone: &str) -> String {
        let log = self.dir.join("notifications.log");
        let start = Instant::now();
        while start.elapsed() < Duration::from_secs(15) {
            let text = std::fs::read_to_string(&log).unwrap_or_default();
            let code = text
                .lines()
                .rev()
                .filter_map(|l| serde_json::from_str::<Value>(l).ok())
                .filter(|l| l["to"] == phone)
                .filter_map(|l| {
                    l["body"]
                        .as_str()
                        .and_then(|b| b.strip_prefix("Your HunarMitra OTP is: "))
                        .map(str::to_owned)
                })
                .next();
            if let Some(code) = code {
                return code;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        panic!("no SMS to {phone} within 15 s");
    }

    /// Phone-OTP login through the gateway with the code from the SMS: (access token, user id).
    pub async fn login(&self, phone: &str, role: &str) -> (String, String) {
        let (status, otp) = self
            .call(
                Method::POST,
                "/api/v1/auth/request-otp/",
                None,
                Some(serde_json::json!({"phone": phone, "role": role})),
            )
            .await;
        assert_eq!(status, 200, "request-otp {phone}: {otp}");
        let code = self.sms_code(phone).await;
        let (status, tokens) = self
            .call(
                Method::POST,
                "/api/v1/auth/verify-otp/",
                None,
                Some(serde_json::json!({"request_id": otp["request_id"], "otp": code})),
            )
            .await;
        assert_eq!(status, 200, "verify-otp {phone}: {tokens}");
        (
            tokens["access"].as_str().unwrap().to_owned(),
            tokens["user"]["id"].as_str().unwrap().to_owned(),
        )
    }

    /// Logs in by OTP as a deactivated user would try: the SMS arrives, the code is refused.
    pub async fn assert_login_refused(&self, phone: &str) {
        let (status, otp) = self
            .call(
                Method::POST,
                "/api/v1/auth/request-otp/",
                None,
                Some(serde_json::json!({"phone": phone})),
            )
            .await;
        assert_eq!(status, 200, "request-otp {phone}: {otp}");
        let code = self.sms_code(phone).await;
        let (status, refused) = self
            .call(
                Method::POST,
                "/api/v1/auth/verify-otp/",
                None,
                Some(serde_json::json!({"request_id": otp["request_id"], "otp": code})),
            )
            .await;
        assert_eq!(
            (status, refused),
            (403, serde_json::json!({"error": "Account is disabled."})),
            "{phone}"
        );
    }

    /// The id of catalog's service `slug`, once the catalog lists it.
    pub async fn service_id(&self, slug: &str) -> String {
        let services = self
            .until(
                "services",
                Method::GET,
                "/api/v1/services/",
                None,
                None,
                |s, b| s == 200 && b.to_string().contains(&format!("\"{slug}\"")),
            )
            .await;
        let list = services
            .as_array()
            .cloned()
            .or_else(|| services["results"].as_array().cloned())
            .unwrap_or_default();
        list.iter()
            .find(|s| s["slug"] == slug)
            .and_then(|s| s["id"].as_str())
            .unwrap()
            .to_owned()
    }

    pub async fn admin_login(&self) -> String {
        let (status, tokens) = self
            .call(
                Method::POST,
                "/api/v1/auth/admin/login/",
                None,
                Some(serde_json::json!({"email": ADMIN_EMAIL, "password": ADMIN_PASSWORD})),
            )
            .await;
        assert_eq!(status, 200, "admin login: {tokens}");
        tokens["access"].as_str().unwrap().to_owned()
    }

    /// The first column of the first row of `sql` in `service`'s own database, as a number: what the
    /// requests left behind (a count of rows, usually).
    pub async fn count(&self, service: &str, sql: &str) -> i64 {
        let (client, conn) = tokio_postgres::connect(
            &format!(
                "host=127.0.0.1 user=postgres dbname=hmtest_e2e_{}_{service}",
                self.run
            ),
            tokio_postgres::NoTls,
        )
        .await
        .unwrap();
        tokio::spawn(conn);
        client.query_one(sql, &[]).await.unwrap().get(0)
    }

    /// The gateway's URL for `path`, and the client, for requests [`Stack::call`] does not make
    /// (HEAD, multipart bodies, raw headers).
    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.gateway)
    }

    pub fn http(&self) -> &reqwest::Client {
        &self.http
    }

    /// `/metrics` on the gateway's internal listener (not the clients' port).
    pub fn gateway_metrics_url(&self) -> String {
        format!("http://127.0.0.1:{}/metrics", self.ports["gateway_metrics"])
    }

    /// Kills a service (SIGKILL: no goodbye).
    pub fn kill(&mut self, name: &str) {
        self.processes.get_mut(name).unwrap().kill();
    }

    /// Starts a killed service again, with the same port and settings, and waits until it is ready.
    pub async fn restart(&mut self, name: &str) {
        self.processes.get_mut(name).unwrap().start();
        self.wait_ready(name, Duration::from_secs(60)).await;
    }

    /// Starts one more gateway (a replica, as a deployment runs several) with the first one's settings on
    /// new ports; returns its base URL.
    pub async fn add_gateway(&mut self, name: &'static str) -> String {
        let (port, metrics) = (free_port(), free_port());
        let mut env = self.processes["gateway"].env.clone();
        for (k, v) in env.iter_mut() {
            match k.as_str() {
                "PORT" => *v = port.to_string(),
                "GATEWAY_METRICS_PORT" => *v = metrics.to_string(),
                _ => {}
            }
        }
        let mut process = Process {
            binary: self.processes["gateway"].binary.clone(),
            env,
            log: self.dir.join(format!("{name}.log")),
            child: None,
        };
        process.start();
        self.processes.insert(name, process);
        self.ports.insert(name, port);
        self.wait_ready(name, Duration::from_secs(60)).await;
        format!("http://127.0.0.1:{port}")
    }

    /// The process id of a running service or gateway.
    pub fn pid(&self, name: &str) -> Option<u32> {
        self.processes[name].child.as_ref().map(Child::id)
    }

    /// Tokens as identity signs them (its key file), for clients the benchmark invents.
    pub fn keys(&self) -> hm_platform::testing::TestKeys {
        let pem = std::fs::read_to_string(self.dir.join("jwt.pem")).unwrap();
        hm_platform::testing::TestKeys {
            key: hm_platform::auth::SigningKey::from_pem(&pem).unwrap(),
            config: hm_platform::auth::AuthConfig {
                issuer: "hunarmitra-identity".into(),
                audience: "hunarmitra".into(),
                jwks_url: None,
            },
        }
    }

    /// This run's event exchange, to publish on as a service would.
    pub fn bus(&self) -> hm_platform::events::BusConfig {
        hm_platform::events::BusConfig {
            amqp_url: hm_platform::testing::amqp_url(),
            exchange: format!("hm.e2e.{}", self.run),
            queue: format!("e2e.{}.bench", self.run),
            queue_expires_ms: Some(60_000),
            max_retries: 0,
            retry_base_ms: 100,
        }
    }

    /// Cuts every Postgres connection of this run's services (their pools must notice and reconnect).
    pub async fn drop_db_connections(&self) -> i64 {
        let client = admin_db().await;
        let row = client
            .query_one(
                "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE datname LIKE $1",
                &[&format!("hmtest_e2e_{}_%", self.run)],
            )
            .await
            .unwrap();
        row.get(0)
    }
}

impl Drop for Stack {
    fn drop(&mut self) {
        for p in self.processes.values_mut() {
            p.kill();
        }
        // Databases and queues of this run; the logs stay under target/e2e for a look after a failure.
        let run = self.run.clone();
        let cleanup = async move {
            let client = admin_db().await;
            for svc in SERVICES {
                let _ = client
                    .execute(
                        &format!("DROP DATABASE IF EXISTS hmtest_e2e_{run}_{svc} WITH (FORCE)"),
                        &[],
                    )
                    .await;
            }
            let (conn, channel) = hm_platform::testing::amqp_channel().await;
            for svc in SERVICES {
                for suffix in ["", ".retry", ".dlq"] {
                    let _ = channel
                        .queue_delete(
                            &format!("e2e.{run}.{svc}.events{suffix}"),
                            lapin::options::QueueDeleteOptions::default(),
                        )
                        .await;
                }
            }
            let _ = channel
                .exchange_delete(
                    &format!("hm.e2e.{run}"),
                    lapin::options::ExchangeDeleteOptions::default(),
                )
                .await;
            let _ = conn.close(200, "e2e done").await;
        };
        // Drop cannot await: a small runtime of its own on another thread.
        let _ = std::thread::spawn(move || {
            if let Ok(rt) = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
            {
                rt.block_on(cleanup);
            }
        })
        .join();
    }
}

async fn admin_db() -> tokio_postgres::Client {
    let (client, conn) = tokio_postgres::connect(
        "host=127.0.0.1 user=postgres dbname=postgres",
        tokio_postgres::NoTls,
    )
    .await
    .unwrap();
    tokio::spawn(conn);
    client
}

/// The shared servers the fault journeys break, with the commands `scripts/dev-infra.sh` uses.
pub mod infra {
    use std::process::Command;
    use std::time::{Duration, Instant};

    fn run(program: &str, args: &[&str]) {
        let status = Command::new(program)
            .args(args)
            .stdout(std::process::Stdio::null())
            .status()
            .unwrap_or_else(|e| panic!("{program}: {e}"));
        assert!(status.success(), "{program} {args:?} failed");
    }

    fn port_open(port: u16) -> bool {
        std::net::TcpStream::connect(("127.0.0.1", port)).is_ok()
    }

    fn wait(port: u16, open: bool) {
        let start = Instant::now();
        while port_open(port) != open {
            assert!(
                start.elapsed() < Duration::from_secs(120),
                "port {port} never became {open}"
            );
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    /// Stops the RabbitMQ application (connections drop, durable queues and messages stay).
    pub fn rabbitmq_stop() {
        run("rabbitmqctl", &["stop_app"]);
        wait(5672, false);
    }

    pub fn rabbitmq_start() {
        run("rabbitmqctl", &["start_app"]);
        run("rabbitmqctl", &["await_startup"]);
        wait(5672, true);
    }

    /// Stops Redis (it keeps nothing on disk here: every key is gone after the restart).
    pub fn redis_stop() {
        run("redis-cli", &["-p", "6379", "shutdown", "nosave"]);
        wait(6379, false);
    }

    pub fn redis_start() {
        run(
            "redis-server",
            &[
                "--daemonize",
                "yes",
                "--bind",
                "127.0.0.1",
                "--port",
                "6379",
                "--save",
                "",
                "--appendonly",
                "no",
            ],
        );
        wait(6379, true);
    }
}

/// How long a step took, printed as the journeys go.
pub struct Timer {
    name: String,
    start: Instant,
}

impl Timer {
    pub fn start(name: &str) -> Timer {
        Timer {
            name: name.to_owned(),
            start: Instant::now(),
        }
    }
}

impl Drop for Timer {
    fn drop(&mut self) {
        println!(
            "e2e: {:<48} {:>7.2} s",
            self.name,
            self.start.elapsed().as_secs_f64()
        );
    }
}
