//! The jobs binary: `serve` (default), `migrate`, `seed`.

use clap::{Parser, Subcommand};
use hm_jobs::config::JobsConfig;
use hm_platform::config::load_dotenv;
use std::process::ExitCode;

#[derive(Parser)]
#[command(name = "hm-jobs", about = "HunarMitra jobs service")]
struct Cli {
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Subcommand)]
enum Command {
    /// Serve HTTP (the default).
    Serve,
    /// Create the database if needed, apply pending migrations and declare the event queue.
    Migrate,
    /// Load the demo jobs and bookings of spec/CONFIG.md §4.2 (idempotent). Waits for the demo users,
    /// service and profiles to reach jobs through their events.
    Seed {
        /// How long to wait for them, in seconds.
        #[arg(long, default_value_t = 90)]
        wait: u64,
    },
}

#[tokio::main]
async fn main() -> ExitCode {
    load_dotenv();
    let cli = Cli::parse();
    let config = match JobsConfig::from_env() {
        Ok(config) => config,
        Err(e) => return fail(&format!("configuration: {e}")),
    };
    hm_platform::server::init_logging(config.common.log_json, config.common.debug);
    let result = match cli.command.unwrap_or(Command::Serve) {
        Command::Serve => serve(config).await,
        Command::Migrate => migrate(&config).await,
        Command::Seed { wait } => seed(&config, wait).await,
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => fail(&e),
    }
}

fn fail(message: &str) -> ExitCode {
    eprintln!("hm-jobs: {message}");
    ExitCode::FAILURE
}

async fn serve(config: JobsConfig) -> Result<(), String> {
    let app = hm_jobs::build(config).await.map_err(|e| e.to_string())?;
    app.run_until_stopped().await.map_err(|e| e.to_string())
}

async fn migrate(config: &JobsConfig) -> Result<(), String> {
    hm_platform::server::migrate_command(
        &config.common,
        hm_jobs::MIGRATIONS,
        &hm_jobs::events::CONSUMED,
    )
    .await
}

async fn seed(config: &JobsConfig, wait: u64) -> Result<(), String> {
    use diesel_async::AsyncConnection;
    let mut conn = diesel_async::AsyncPgConnection::establish(&config.common.database_url)
        .await
        .map_err(|e| e.to_string())?;
    let done = hm_jobs::seed::run(&mut conn, std::time::Duration::from_secs(wait)).await?;
    println!("{done}");
    Ok(())
}
