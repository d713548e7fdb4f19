//! The notifications binary: `serve` (default), `migrate` (hm_platform::cli), `announce-unread`.

use clap::Subcommand;
use hm_notifications::config::NotificationsConfig;
use hm_notifications::Notifications;
use hm_platform::cli::{self, CommandError, Commands};
use std::process::ExitCode;

#[derive(Debug, Subcommand)]
enum Command {
    /// Announce the unread count of every person with notifications
    /// (`notifications.unread_count.changed`), for services that started keeping them after the
    /// notifications were made (jobs' role dashboards). Safe to repeat.
    AnnounceUnread,
}

impl Commands<NotificationsConfig> for Command {
    async fn run(self, config: NotificationsConfig) -> Result<(), CommandError> {
        match self {
            Command::AnnounceUnread => {
                let mut conn = cli::connect(&config.common).await?;
                let people =
                    hm_notifications::store::notifications::announce_all_unread(&mut conn).await?;
                println!("notifications: announced the unread count of {people} people");
                Ok(())
            }
        }
    }
}

fn main() -> ExitCode {
    cli::main::<Notifications, Command>()
}
