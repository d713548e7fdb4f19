//! The command line of every service binary (ARCHITECTURE §2, issue #17): `serve` (the default) and
//! `migrate` are the platform's; `seed` and a service's own commands (identity's `create-admin`) are the
//! service's [`Commands`]. A binary's `main` is one line:
//!
//! ```ignore
//! fn main() -> std::process::ExitCode { hm_platform::cli::main::<hm_catalog::Catalog, Command>() }
//! ```
//!
//! The order is the same everywhere: `.env`, arguments, settings (an invalid one fails with exit code 1
//! and the variable named), logging (and Sentry), then the command. Every failure is a typed
//! [`CommandError`] printed as `hm-<service>: <why>`.

use crate::config::{load_dotenv, ConfigError};
use crate::db::DbError;
use crate::events::BusError;
use crate::service::{CommonConfig, Service, ServiceConfig, ServiceInfo, StartError};
use clap::{Parser, Subcommand};
use std::future::Future;
use std::process::ExitCode;

/// Why a command failed.
#[derive(Debug, thiserror::Error)]
pub enum CommandError {
    #[error("configuration: {0}")]
    Config(#[from] ConfigError),
    #[error(transparent)]
    Start(#[from] StartError),
    #[error(transparent)]
    Db(#[from] DbError),
    #[error("database: {0}")]
    Connect(#[from] diesel::ConnectionError),
    #[error("database: {0}")]
    Query(#[from] diesel::result::Error),
    #[error("event queue: {0}")]
    Bus(#[from] BusError),
    #[error("redis: {0}")]
    Redis(#[from] crate::redis::RedisSetupError),
    #[error(transparent)]
    Io(#[from] std::io::Error),
    #[error(transparent)]
    Seed(#[from] SeedError),
    /// An argument the command cannot use (`--email must be an email address`).
    #[error("{0}")]
    Usage(String),
    /// A service's own step failed (its error type says why).
    #[error(transparent)]
    Service(Box<dyn std::error::Error + Send + Sync>),
}

impl CommandError {
    /// A service's own failure.
    pub fn service(e: impl std::error::Error + Send + Sync + 'static) -> Self {
        CommandError::Service(Box::new(e))
    }
}

/// Why `seed` could not load the demo data.
#[derive(Debug, thiserror::Error)]
pub enum SeedError {
    #[error("database: {0}")]
    Db(#[from] diesel::result::Error),
    /// What the demo data refers to (users, services, profiles: `missing`) has not reached `service`
    /// through its events yet; `hint` says what to run.
    #[error("{service} does not know {} yet: {hint}", .missing.join(", "))]
    NotYetKnown {
        service: &'static str,
        missing: Vec<String>,
        hint: &'static str,
    },
    /// A service's own step failed (its error type says why).
    #[error(transparent)]
    Step(Box<dyn std::error::Error + Send + Sync>),
}

/// A service binary's own commands (`seed`, identity's `create-admin`): a clap `Subcommand` enum run
/// with the service's settings `Config` ([`NoCommands`] when it has none).
pub trait Commands<Config>: Subcommand + Send {
    /// A command that runs without the service's settings (identity's `gen-key` makes the key they
    /// need); `None` for every other command.
    fn without_config(&self) -> Option<Result<(), CommandError>> {
        None
    }
    /// Runs the command.
    fn run(self, config: Config) -> impl Future<Output = Result<(), CommandError>>;
}

/// The service has no commands of its own.
#[derive(Debug, Subcommand)]
pub enum NoCommands {}

impl<Config> Commands<Config> for NoCommands {
    async fn run(self, _: Config) -> Result<(), CommandError> {
        match self {}
    }
}

#[derive(Debug, Subcommand)]
enum Command<Own: Subcommand> {
    /// Serve HTTP (the default).
    Serve,
    /// Create the database if needed, apply pending migrations and declare the event queue.
    Migrate,
    #[command(flatten)]
    Own(Own),
}

#[derive(Debug, Parser)]
struct Cli<Own: Subcommand> {
    #[command(subcommand)]
    command: Option<Command<Own>>,
}

/// The whole `main` of a service binary: parses the command line, reads the settings, starts logging
/// and runs the command on a Tokio runtime; exit code 1 with `hm-<service>: <why>` on failure.
/// `S` is the service, `C` its own commands:
///
/// ```ignore
/// fn main() -> std::process::ExitCode { hm_platform::cli::main::<hm_jobs::Jobs, Command>() }
/// ```
pub fn main<S, C>() -> ExitCode
where
    S: Service<Config: ServiceConfig>,
    C: Commands<S::Config>,
{
    load_dotenv();
    let cli = <Cli<C> as clap::FromArgMatches>::from_arg_matches(
        &<Cli<C> as clap::CommandFactory>::command()
            .name(binary_name::<S>())
            .about(format!("{} service", S::INFO.title))
            .get_matches(),
    );
    let cli = match cli {
        Ok(cli) => cli,
        Err(e) => e.exit(),
    };
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(e) => return fail::<S>(&CommandError::Io(e)),
    };
    match runtime.block_on(run::<S, C>(cli.command.unwrap_or(Command::Serve))) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => fail::<S>(&e),
    }
}

async fn run<S, C>(command: Command<C>) -> Result<(), CommandError>
where
    S: Service<Config: ServiceConfig>,
    C: Commands<S::Config>,
{
    if let Command::Own(own) = &command {
        if let Some(done) = own.without_config() {
            return done;
        }
    }
    let config = S::Config::from_env()?;
    let common = config.common();
    crate::telemetry::init(common.log_json, common.debug);
    match command {
        Command::Serve => Ok(S::build(config).await?.run_until_stopped().await?),
        Command::Migrate => migrate(config.common(), &S::INFO).await,
        Command::Own(own) => own.run(config).await,
    }
}

fn fail<S: Service>(error: &CommandError) -> ExitCode {
    eprintln!("{}: {error}", binary_name::<S>());
    ExitCode::FAILURE
}

/// `hm-<service>`: the binary's name in `--help` and in its error messages.
fn binary_name<S: Service>() -> String {
    format!("hm-{}", S::INFO.name)
}

/// `migrate`: creates the database if needed, applies pending migrations and declares the service's
/// event queue with its bindings, so nothing it consumes is missed on a first start (seed events
/// published before it serves wait in the queue).
pub async fn migrate(common: &CommonConfig, info: &ServiceInfo) -> Result<(), CommandError> {
    let name = common.service_name;
    crate::db::ensure_database(&common.database_url).await?;
    let applied = crate::db::migrate(&common.database_url, info.migration_sets()).await?;
    println!("{name}: {applied} migration(s) applied");
    let bindings = info.bindings();
    if !bindings.is_empty() {
        crate::events::prepare_queue(&common.events, &bindings).await?;
        println!("{name}: event queue ready");
    }
    Ok(())
}

/// A connection to the service's database, for a command.
pub async fn connect(
    common: &CommonConfig,
) -> Result<diesel_async::AsyncPgConnection, CommandError> {
    use diesel_async::AsyncConnection;
    Ok(diesel_async::AsyncPgConnection::establish(&common.database_url).await?)
}

/// What a `seed` waits for, looked up once: the demo data's references, or the names of those still
/// missing.
pub type Lookup<'a, K> =
    futures_util::future::BoxFuture<'a, diesel::QueryResult<Result<K, Vec<String>>>>;

/// Looks up what a `seed` refers to (`lookup`), every 500 ms, until it is all there or `wait` has
/// passed: then [`SeedError::NotYetKnown`] names what `service` still lacks and `hint` what to run.
pub async fn await_known<K>(
    conn: &mut diesel_async::AsyncPgConnection,
    wait: std::time::Duration,
    service: &'static str,
    hint: &'static str,
    mut lookup: impl for<'c> FnMut(&'c mut diesel_async::AsyncPgConnection) -> Lookup<'c, K>,
) -> Result<K, SeedError> {
    let deadline = std::time::Instant::now() + wait;
    loop {
        match lookup(conn).await? {
            Ok(known) => return Ok(known),
            Err(missing) if std::time::Instant::now() >= deadline => {
                return Err(SeedError::NotYetKnown {
                    service,
                    missing,
                    hint,
                })
            }
            Err(_) => tokio::time::sleep(std::time::Duration::from_millis(500)).await,
        }
    }
}
