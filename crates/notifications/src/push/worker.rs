//! Drains the push queue: takes due pushes with a lease (so several replicas never send one twice),
//! sends them, and records the outcome; retries back off `2^attempts` seconds up to `FCM_MAX_RETRIES`.

use super::{PushMessage, PushOutcome, PushSender};
use crate::store::pushes::{self, Due, Outcome};
use futures_util::StreamExt;
use hm_platform::db::DbPool;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::{watch, Notify};
use tokio::task::JoinHandle;

/// How often the queue is looked at when nobody wakes the worker.
const POLL: Duration = Duration::from_secs(1);
/// Pushes sent at the same time.
const CONCURRENCY: usize = 8;

pub struct PushWorker {
    pub pool: DbPool,
    pub sender: Arc<dyn PushSender>,
    pub max_retries: i32,
    pub batch_size: i64,
    pub wake: Arc<Notify>,
}

pub struct PushWorkerHandle {
    stop: watch::Sender<bool>,
    task: JoinHandle<()>,
}

impl PushWorkerHandle {
    pub async fn shutdown(self) {
        let _ = self.stop.send(true);
        let _ = self.task.await;
    }
}

impl PushWorker {
    pub fn spawn(self) -> PushWorkerHandle {
        let (stop, mut stopped) = watch::channel(false);
        let task = tokio::spawn(async move {
            while !*stopped.borrow() {
                let busy = match self.round().await {
                    Ok(n) => n as i64 == self.batch_size,
                    Err(e) => {
                        tracing::warn!(error = %e, "push round failed");
                        false
                    }
                };
                if busy {
                    continue;
                }
                tokio::select! {
                    _ = tokio::time::sleep(POLL) => {}
                    _ = self.wake.notified() => {}
                    _ = stopped.changed() => {}
                }
            }
        });
        PushWorkerHandle { stop, task }
    }

    /// Sends one batch of due pushes; how many it took.
    async fn round(&self) -> Result<usize, crate::error::NotificationsError> {
        let mut conn = self.pool.get().await?;
        let due = pushes::take_due(&mut conn, self.batch_size).await?;
        drop(conn);
        let n = due.len();
        futures_util::stream::iter(due)
            .for_each_concurrent(CONCURRENCY, |push| async move {
                let outcome = self.send(&push).await;
                match self.pool.get().await {
                    Ok(mut conn) => {
                        if let Err(e) = pushes::record(&mut conn, &push, &outcome).await {
                            // The lease runs out and the push is taken again.
                            tracing::warn!(push = %push.id, error = %e, "push outcome not recorded");
                        }
                    }
                    Err(e) => tracing::warn!(push = %push.id, error = %e, "push outcome not recorded"),
                }
            })
            .await;
        Ok(n)
    }

    async fn send(&self, push: &Due) -> Outcome {
        if !push.device_active {
            return Outcome::Failed(serde_json::json!({"error": "Device inactive"}));
        }
        let message = PushMessage {
            token: &push.token,
            title: push.payload["title"].as_str().unwrap_or_default(),
            body: push.payload["message"].as_str().unwrap_or_default(),
            data: &push.payload["data"],
        };
        match self.sender.send(message).await {
            PushOutcome::Sent(r) => Outcome::Sent(r),
            PushOutcome::Unregistered(r) => Outcome::Unregistered(r),
            PushOutcome::Failed(r) => Outcome::Failed(r),
            PushOutcome::Retry(r) if push.attempts + 1 < self.max_retries => {
                Outcome::RetryIn(r, Duration::from_secs(1 << (push.attempts + 1).min(10)))
            }
            PushOutcome::Retry(r) => Outcome::Failed(r),
        }
    }
}
