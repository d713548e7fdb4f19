//! The catalog binary: `serve` (default), `migrate` (hm_platform::cli), `seed`.

use clap::Subcommand;
use hm_catalog::config::CatalogConfig;
use hm_platform::cli::{self, CommandError, ServiceBinary};
use hm_platform::config::ConfigError;
use hm_platform::db::EmbeddedMigrations;
use hm_platform::redis::Keys;
use hm_platform::server::{Application, StartError};
use hm_platform::service::CommonConfig;
use std::process::ExitCode;

struct Catalog;

#[derive(Debug, Subcommand)]
enum Command {
    /// Load the seed data of spec/CONFIG.md §4 (idempotent) and refresh the caches.
    Seed,
}

impl ServiceBinary for Catalog {
    type Config = CatalogConfig;
    type Command = Command;
    const NAME: &'static str = "hm-catalog";
    const ABOUT: &'static str = "HunarMitra catalog service";
    const MIGRATIONS: EmbeddedMigrations = hm_catalog::MIGRATIONS;
    const CONSUMED: &'static [&'static str] = &hm_catalog::events::CONSUMED;

    fn config() -> Result<CatalogConfig, ConfigError> {
        CatalogConfig::from_env()
    }

    fn common(config: &CatalogConfig) -> &CommonConfig {
        &config.common
    }

    async fn build(config: CatalogConfig) -> Result<Application, StartError> {
        hm_catalog::build(config).await
    }

    async fn run(command: Command, config: CatalogConfig) -> Result<(), CommandError> {
        match command {
            Command::Seed => seed(&config).await,
        }
    }
}

fn main() -> ExitCode {
    cli::main::<Catalog>()
}

async fn seed(config: &CatalogConfig) -> Result<(), CommandError> {
    let mut conn = cli::connect(&config.common).await?;
    hm_catalog::seed::run(&mut conn).await?;
    let redis = hm_platform::redis::pool(&config.common.redis_url, 1)?;
    let client =
        redis::Client::open(config.common.redis_url.as_str()).map_err(CommandError::service)?;
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
