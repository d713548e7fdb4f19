//! The jobs binary: `serve` (default), `migrate` (hm_platform::cli), `seed`.

use clap::Subcommand;
use hm_jobs::config::JobsConfig;
use hm_platform::cli::{self, CommandError, ServiceBinary};
use hm_platform::server::{Application, StartError};
use hm_platform::service::ServiceInfo;
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
    const INFO: ServiceInfo = hm_jobs::INFO;

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
