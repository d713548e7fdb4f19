//! `hm-gateway [serve]` runs the gateway; `hm-gateway check-routes` validates the route table the
//! environment selects and prints it.

use clap::{Parser, Subcommand};
use hm_gateway::config::{self, GatewayConfig};
use std::process::ExitCode;

#[derive(Parser)]
#[command(name = "hm-gateway", about = "HunarMitra API gateway")]
struct Cli {
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Subcommand)]
enum Command {
    /// Serve (the default).
    Serve,
    /// Validate the route table (GATEWAY_ROUTES_FILE or the built-in one) and print it.
    CheckRoutes,
}

#[tokio::main]
async fn main() -> ExitCode {
    hm_platform::config::load_dotenv();
    let cli = Cli::parse();
    match cli.command.unwrap_or(Command::Serve) {
        Command::CheckRoutes => check_routes(),
        Command::Serve => serve().await,
    }
}

fn check_routes() -> ExitCode {
    let max_body = hm_platform::config::parse("GATEWAY_MAX_BODY_BYTES", 1024 * 1024);
    match max_body.and_then(config::route_table) {
        Ok(table) => {
            for u in &table.upstreams {
                println!(
                    "upstream {:<14} {} (timeout {:?})",
                    u.name, u.url, u.timeout
                );
            }
            for r in table.routes() {
                println!(
                    "{:<42} {:<10} -> {:<14} {:?}{}",
                    r.prefix,
                    r.describe_methods(),
                    table.upstream_of(r).name,
                    r.policy,
                    if r.throttle { "" } else { " (not throttled)" }
                );
            }
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("{e}");
            ExitCode::FAILURE
        }
    }
}

async fn serve() -> ExitCode {
    let config = match GatewayConfig::from_env() {
        Ok(c) => c,
        Err(e) => {
            eprintln!("configuration: {e}");
            return ExitCode::FAILURE;
        }
    };
    hm_platform::server::init_logging(config.log_json, config.debug);
    let result = async {
        let app = hm_gateway::build(config).await?;
        app.run_until_stopped().await?;
        Ok::<_, Box<dyn std::error::Error>>(())
    }
    .await;
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            tracing::error!(error = %e, "gateway stopped");
            eprintln!("{e}");
            ExitCode::FAILURE
        }
    }
}
