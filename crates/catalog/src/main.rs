//! The catalog binary: `serve` (default), `migrate` (hm_platform::cli), `seed`.

use clap::Subcommand;
use hm_catalog::config::CatalogConfig;
use hm_catalog::Catalog;
use hm_platform::cli::{self, CommandError, Commands};
use hm_platform::redis::Keys;
use std::process::ExitCode;

#[derive(Debug, Subcommand)]
enum Command {
    /// Load the seed data of spec/CONFIG.md §4 (idempotent) and refresh the caches.
    Seed,
}

impl Commands<CatalogConfig> for Command {
    async fn run(self, config: CatalogConfig) -> Result<(), CommandError> {
        match self {
            Command::Seed => seed(&config).await,
        }
    }
}

fn main() -> ExitCode {
    cli::main::<Catalog, Command>()
}

async fn seed(config: &CatalogConfig) -> Result<(), CommandError> {
    let mut conn = cli::connect(&config.common).await?;
    hm_catalog::seed::run(&mut conn).await?;
    let redis = hm_platform::redis::pool(&config.common.redis_url, 1)?;
    let keys = Keys::new(config.common.redis_key_prefix.clone());
    if let Err(error) = hm_catalog::cache::invalidate_everywhere(&redis, &keys).await {
        // The replicas then serve their documents until their TTL ends; say so loudly.
        tracing::error!(%error, "could not invalidate the catalog caches");
    }
    println!("catalog: seed data loaded");
    Ok(())
}
