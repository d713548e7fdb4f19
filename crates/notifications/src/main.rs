//! The notifications binary: `serve` (default), `migrate` (hm_platform::cli).

use hm_notifications::config::NotificationsConfig;
use hm_platform::cli::{self, CommandError, NoCommands, ServiceBinary};
use hm_platform::config::ConfigError;
use hm_platform::db::EmbeddedMigrations;
use hm_platform::server::{Application, StartError};
use hm_platform::service::CommonConfig;
use std::process::ExitCode;

struct Notifications;

impl ServiceBinary for Notifications {
    type Config = NotificationsConfig;
    type Command = NoCommands;
    const NAME: &'static str = "hm-notifications";
    const ABOUT: &'static str = "HunarMitra notifications service";
    const MIGRATIONS: EmbeddedMigrations = hm_notifications::MIGRATIONS;
    const CONSUMED: &'static [&'static str] = &hm_notifications::events::CONSUMED;

    fn config() -> Result<NotificationsConfig, ConfigError> {
        NotificationsConfig::from_env()
    }

    fn common(config: &NotificationsConfig) -> &CommonConfig {
        &config.common
    }

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
