//! The workforce binary: `serve` (default), `migrate`, `seed`.

use clap::{Parser, Subcommand};
use hm_platform::config::load_dotenv;
use hm_workforce::config::WorkforceConfig;
use std::process::ExitCode;

#[derive(Parser)]
#[command(name = "hm-workforce", about = "HunarMitra workforce service")]
struct Cli {
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Subcommand)]
enum Command {
    /// Serve HTTP (the default).
    Serve,
    /// Create the database if needed, apply pending migrations (extensions cube, earthdistance and
    /// btree_gist need a role allowed to create them) and declare the event queue.
    Migrate,
    /// Load the demo data of spec/CONFIG.md §4.2 (idempotent). Waits for identity's demo users and
    /// catalog's services to reach workforce through their events.
    Seed {
        /// How long to wait for them, in seconds.
        #[arg(long, default_value_t = 60)]
        wait: u64,
    },
}

#[tokio::main]
async fn main() -> ExitCode {
    load_dotenv();
    let cli = Cli::parse();
    let config = match WorkforceConfig::from_env() {
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
    eprintln!("hm-workforce: {message}");
    ExitCode::FAILURE
}

async fn serve(config: WorkforceConfig) -> Result<(), String> {
    let app = hm_workforce::build(config)
        .await
        .map_err(|e| e.to_string())?;
    app.run_until_stopped().await.map_err(|e| e.to_string())
}

async fn migrate(config: &WorkforceConfig) -> Result<(), String> {
    hm_platform::server::migrate_command(
        &config.common,
        hm_workforce::MIGRATIONS,
        &hm_workforce::events::CONSUMED,
    )
    .await
}

async fn seed(config: &WorkforceConfig, wait: u64) -> Result<(), String> {
    use diesel_async::AsyncConnection;
    let mut conn = diesel_async::AsyncPgConnection::establish(&config.common.database_url)
        .await
        .map_err(|e| e.to_string())?;
    let done = hm_workforce::seed::run(&mut conn, std::time::Duration::from_secs(wait)).await?;
    println!("{done}");
    Ok(())
}
