//! The jobs binary: `serve` (default), `migrate` (hm_platform::cli), `seed`.

use clap::Subcommand;
use hm_jobs::config::JobsConfig;
use hm_platform::cli::{self, CommandError, ServiceBinary};
use hm_platform::config::ConfigError;
use hm_platform::db::EmbeddedMigrations;
use hm_platform::server::{Application, StartError};
use hm_platform::service::CommonConfig;
use std::process::ExitCode;
use std::time::Duration;

struct Jobs;

#[derive(Debug, Subcommand)]
enum Command {
    /// Load the demo jobs and bookings of spec/CONFIG.md §4.2 (idempotent). Waits for the demo users,
    /// service and profiles to reach jobs through their events.
    Seed {
        /// How long to wait for them, in seconds.
        #[arg(long, default_value_t = 90)]
        wait: u64,
    },
}

impl ServiceBinary for Jobs {
    type Config = JobsConfig;
    type Command = Command;
    const NAME: &'static str = "hm-jobs";
    const ABOUT: &'static str = "HunarMitra jobs service";
    const MIGRATIONS: EmbeddedMigrations = hm_jobs::MIGRATIONS;
    const CONSUMED: &'static [&'static str] = &hm_jobs::events::CONSUMED;

    fn config() -> Result<JobsConfig, ConfigError> {
        JobsConfig::from_env()
    }

    fn common(config: &JobsConfig) -> &CommonConfig {
        &config.common
    }

    async fn build(config: JobsConfig) -> Result<Application, StartError> {
        hm_jobs::build(config).await
    }

    async fn run(command: Command, config: JobsConfig) -> Result<(), CommandError> {
        match command {
            Command::Seed { wait } => {
                let mut conn = cli::connect(&config.common).await?;
                let done = hm_jobs::seed::run(&mut conn, Duration::from_secs(wait)).await?;
                println!("{done}");
                Ok(())
            }
        }
    }
}

fn main() -> ExitCode {
    cli::main::<Jobs>()
}
