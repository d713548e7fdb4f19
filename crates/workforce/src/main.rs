//! The workforce binary: `serve` (default), `migrate` (hm_platform::cli), `seed`.

use clap::Subcommand;
use hm_platform::cli::{self, CommandError, ServiceBinary};
use hm_platform::config::ConfigError;
use hm_platform::db::EmbeddedMigrations;
use hm_platform::server::{Application, StartError};
use hm_platform::service::CommonConfig;
use hm_workforce::config::WorkforceConfig;
use std::process::ExitCode;
use std::time::Duration;

struct Workforce;

#[derive(Debug, Subcommand)]
enum Command {
    /// Load the demo data of spec/CONFIG.md §4.2 (idempotent). Waits for identity's demo users and
    /// catalog's services to reach workforce through their events.
    Seed {
        /// How long to wait for them, in seconds.
        #[arg(long, default_value_t = 60)]
        wait: u64,
    },
}

impl ServiceBinary for Workforce {
    type Config = WorkforceConfig;
    type Command = Command;
    const NAME: &'static str = "hm-workforce";
    const ABOUT: &'static str = "HunarMitra workforce service";
    const MIGRATIONS: EmbeddedMigrations = hm_workforce::MIGRATIONS;
    const CONSUMED: &'static [&'static str] = &hm_workforce::events::CONSUMED;

    fn config() -> Result<WorkforceConfig, ConfigError> {
        WorkforceConfig::from_env()
    }

    fn common(config: &WorkforceConfig) -> &CommonConfig {
        &config.common
    }

    async fn build(config: WorkforceConfig) -> Result<Application, StartError> {
        hm_workforce::build(config).await
    }

    async fn run(command: Command, config: WorkforceConfig) -> Result<(), CommandError> {
        match command {
            Command::Seed { wait } => {
                let mut conn = cli::connect(&config.common).await?;
                let done = hm_workforce::seed::run(&mut conn, Duration::from_secs(wait)).await?;
                println!("{done}");
                Ok(())
            }
        }
    }
}

fn main() -> ExitCode {
    cli::main::<Workforce>()
}
