//! The emergency timeout sweep as a background task (DOMAIN §4.7, CONFIG: every
//! `EMERGENCY_SWEEP_INTERVAL_SECONDS`): each round escalates the dispatched requests nobody accepted
//! within `EMERGENCY_RESPONSE_TIMEOUT_SECONDS` (`store::emergency::sweep`). Every replica runs one; the
//! store's conditional update escalates each request once. Stopped with the service
//! (`Foundation::on_stop`).

use crate::store::emergency;
use hm_platform::db::DbPool;
use hm_platform::server::Periodic;
use std::time::Duration;

/// The sweep's settings.
pub struct Sweeper {
    pub pool: DbPool,
    /// A dispatched request older than this is escalated.
    pub timeout: Duration,
    /// Time between rounds.
    pub every: Duration,
}

impl Sweeper {
    /// Starts sweeping: a round every `every`, the first one `every` after start.
    pub fn spawn(self) -> Periodic {
        let sweeper = std::sync::Arc::new(self);
        Periodic::spawn(sweeper.every, move || {
            let sweeper = sweeper.clone();
            async move { sweeper.round().await }
        })
    }

    /// One round; a failure is logged and the next round tries again.
    async fn round(&self) {
        let mut conn = match self.pool.get().await {
            Ok(conn) => conn,
            Err(e) => {
                tracing::warn!(error = %e, "emergency sweep skipped: no database connection");
                return;
            }
        };
        match emergency::sweep(&mut conn, self.timeout).await {
            Ok(escalated) if !escalated.is_empty() => {
                tracing::info!(
                    count = escalated.len(),
                    "emergencies escalated after the timeout"
                );
            }
            Ok(_) => {}
            Err(e) => tracing::warn!(error = %e, "emergency sweep failed"),
        }
    }
}
