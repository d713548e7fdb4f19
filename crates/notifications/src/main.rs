//! The notifications binary: `serve` (default), `migrate` (hm_platform::cli).

use hm_notifications::Notifications;
use hm_platform::cli::{self, NoCommands};
use std::process::ExitCode;

fn main() -> ExitCode {
    cli::main::<Notifications, NoCommands>()
}
