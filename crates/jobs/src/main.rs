//! The jobs binary: `serve` (default), `migrate` (hm_platform::cli), `seed`.

use clap::Subcommand;
use hm_jobs::config::JobsConfig;
use hm_jobs::Jobs;
use hm_platform::cli::{self, CommandError, Commands};
use std::process::ExitCode;
use std::time::Duration;

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

impl Commands<JobsConfig> for Command {
    async fn run(self, config: JobsConfig) -> Result<(), CommandError> {
        match self {
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
    cli::main::<Jobs, Command>()
}
