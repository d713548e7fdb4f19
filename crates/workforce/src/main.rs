//! The workforce binary: `serve` (default), `migrate` (hm_platform::cli), `seed`, `announce-all`.

use clap::Subcommand;
use hm_platform::cli::{self, CommandError, Commands};
use hm_workforce::config::WorkforceConfig;
use hm_workforce::Workforce;
use std::process::ExitCode;
use std::time::Duration;

#[derive(Debug, Subcommand)]
enum Command {
    /// Load the demo data of spec/CONFIG.md §4.2 (idempotent). Waits for identity's demo users and
    /// catalog's services to reach workforce through their events.
    Seed {
        /// How long to wait for them, in seconds.
        #[arg(long, default_value_t = 60)]
        wait: u64,
    },
    /// Announce every worker profile (`workforce.worker.updated`, with its verification and last
    /// activity) and every site's numbers today (`workforce.site.stats_changed`), for services that
    /// started keeping them after they were made (jobs' role dashboards). Safe to repeat.
    AnnounceAll,
}

impl Commands<WorkforceConfig> for Command {
    async fn run(self, config: WorkforceConfig) -> Result<(), CommandError> {
        match self {
            Command::Seed { wait } => {
                let mut conn = cli::connect(&config.common).await?;
                let done = hm_workforce::seed::run(&mut conn, Duration::from_secs(wait)).await?;
                println!("{done}");
                Ok(())
            }
            Command::AnnounceAll => {
                let mut conn = cli::connect(&config.common).await?;
                let workers = hm_workforce::store::workers::announce_all(
                    &mut conn,
                    hm_workforce::views::worker_json,
                )
                .await?;
                let sites = hm_workforce::store::site_stats::announce_all(&mut conn).await?;
                println!("workforce: announced {workers} worker profiles and the numbers of {sites} sites");
                Ok(())
            }
        }
    }
}

fn main() -> ExitCode {
    cli::main::<Workforce, Command>()
}
