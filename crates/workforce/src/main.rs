//! The workforce binary: `serve` (default), `migrate` (hm_platform::cli), `seed`.

use clap::Subcommand;
use hm_platform::cli::{self, CommandError, ServiceBinary};
use hm_platform::server::{Application, StartError};
use hm_platform::service::ServiceInfo;
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
    const INFO: ServiceInfo = hm_workforce::INFO;

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
