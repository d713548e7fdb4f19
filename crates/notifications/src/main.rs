//! The notifications binary: `serve` (default), `migrate` (hm_platform::cli).

use hm_notifications::config::NotificationsConfig;
use hm_platform::cli::{self, CommandError, NoCommands, ServiceBinary};
use hm_platform::server::{Application, StartError};
use hm_platform::service::ServiceInfo;
use std::process::ExitCode;

struct Notifications;

impl ServiceBinary for Notifications {
    type Config = NotificationsConfig;
    type Command = NoCommands;
    const INFO: ServiceInfo = hm_notifications::INFO;

    async fn build(config: NotificationsConfig) -> Result<Application, StartError> {
        hm_notifications::build(config).await
    }

    async fn run(command: NoCommands, _: NotificationsConfig) -> Result<(), CommandError> {
        match command {}
    }
}

fn main() -> ExitCode {
    cli::main::<Notifications>()
}
