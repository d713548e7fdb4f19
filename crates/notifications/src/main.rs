//! The notifications binary: `serve` (default), `migrate`.

use clap::{Parser, Subcommand};
use hm_notifications::config::NotificationsConfig;
use hm_platform::config::load_dotenv;
use std::process::ExitCode;

#[derive(Parser)]
#[command(name = "hm-notifications", about = "HunarMitra notifications service")]
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
}

#[tokio::main]
async fn main() -> ExitCode {
    load_dotenv();
    let cli = Cli::parse();
    let config = match NotificationsConfig::from_env() {
        Ok(config) => config,
        Err(e) => return fail(&format!("configuration: {e}")),
    };
    hm_platform::server::init_logging(config.common.log_json, config.common.debug);
    let result = match cli.command.unwrap_or(Command::Serve) {
        Command::Serve => serve(config).await,
        Command::Migrate => migrate(&config).await,
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => fail(&e),
    }
}

fn fail(message: &str) -> ExitCode {
    eprintln!("hm-notifications: {message}");
    ExitCode::FAILURE
}

async fn serve(config: NotificationsConfig) -> Result<(), String> {
    let app = hm_notifications::build(config)
        .await
        .map_err(|e| e.to_string())?;
    app.run_until_stopped().await.map_err(|e| e.to_string())
}

async fn migrate(config: &NotificationsConfig) -> Result<(), String> {
    hm_platform::server::migrate_command(
        &config.common,
        hm_notifications::MIGRATIONS,
        &hm_notifications::events::CONSUMED,
    )
    .await
}
