//! The catalog binary: `serve` (default), `migrate`, `seed`.

use clap::{Parser, Subcommand};
use diesel_async::AsyncConnection;
use hm_catalog::config::CatalogConfig;
use hm_platform::config::load_dotenv;
use hm_platform::redis::Keys;
use std::process::ExitCode;

#[derive(Parser)]
#[command(name = "hm-catalog", about = "HunarMitra catalog service")]
struct Cli {
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Subcommand)]
enum Command {
    /// Serve HTTP (the default).
    Serve,
    /// Create the database if needed and apply pending migrations.
    Migrate,
    /// Load the seed data of spec/CONFIG.md §4 (idempotent) and refresh the caches.
    Seed,
}

#[tokio::main]
async fn main() -> ExitCode {
    load_dotenv();
    let cli = Cli::parse();
    let config = match CatalogConfig::from_env() {
        Ok(config) => config,
        Err(e) => return fail(&format!("configuration: {e}")),
    };
    hm_platform::server::init_logging(config.common.log_json, config.common.debug);
    let result = match cli.command.unwrap_or(Command::Serve) {
        Command::Serve => serve(config).await,
        Command::Migrate => migrate(&config).await,
        Command::Seed => seed(&config).await,
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => fail(&e),
    }
}

fn fail(message: &str) -> ExitCode {
    eprintln!("hm-catalog: {message}");
    ExitCode::FAILURE
}

async fn serve(config: CatalogConfig) -> Result<(), String> {
    let app = hm_catalog::build(config).await.map_err(|e| e.to_string())?;
    app.run_until_stopped().await.map_err(|e| e.to_string())
}

async fn migrate(config: &CatalogConfig) -> Result<(), String> {
    hm_platform::server::migrate_command(
        &config.common,
        hm_catalog::MIGRATIONS,
        &hm_catalog::events::CONSUMED,
    )
    .await
}

async fn seed(config: &CatalogConfig) -> Result<(), String> {
    let mut conn = diesel_async::AsyncPgConnection::establish(&config.common.database_url)
        .await
        .map_err(|e| e.to_string())?;
    hm_catalog::seed::run(&mut conn)
        .await
        .map_err(|e| e.to_string())?;
    let redis = hm_platform::redis::pool(&config.common.redis_url, 1).map_err(|e| e.to_string())?;
    let client =
        redis::Client::open(config.common.redis_url.as_str()).map_err(|e| e.to_string())?;
    hm_catalog::cache::DocCache::new(
        redis,
        client,
        Keys::new(config.common.redis_key_prefix.clone()),
    )
    .invalidate()
    .await;
    println!("catalog: seed data loaded");
    Ok(())
}
