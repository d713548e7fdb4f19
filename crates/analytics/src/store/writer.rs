//! Group commit for ingestion (issue #19: analytics is the platform's fastest-growing table). A request
//! hands its validated events to the writer and waits; writer tasks take every request waiting (up to
//! `batch` events) and store them with one statement and one commit, then answer each. Under load one
//! commit serves hundreds of requests; idle, a request waits only for its own. A request is answered
//! 201 only once its events are committed, so nothing acknowledged is lost.
//!
//! A batch that fails on its data (a bug of ours: input is validated) is retried request by request,
//! so one bad request fails alone; a database outage fails every waiting request with 503.

use super::events::{self, NewEvent};
use chrono_tz::Tz;
use hm_platform::db::DbPool;
use std::sync::Arc;
use tokio::sync::{mpsc, oneshot, watch, Mutex};
use tokio::task::JoinHandle;

/// Why events were not stored.
#[derive(Debug, thiserror::Error)]
pub enum WriteError {
    #[error("database unavailable: {0}")]
    Unavailable(String),
    #[error("database: {0}")]
    Query(#[from] diesel::result::Error),
    /// The writer has stopped (the service is shutting down).
    #[error("the event writer has stopped")]
    Stopped,
}

/// One request's events and where its answer goes.
struct Job {
    events: Vec<NewEvent>,
    done: oneshot::Sender<Result<(), WriteError>>,
}

/// The handle requests write through (cheap to clone).
#[derive(Clone)]
pub struct Writer {
    jobs: mpsc::Sender<Job>,
}

/// The running writer tasks.
pub struct WriterHandle {
    stop: watch::Sender<bool>,
    tasks: Vec<JoinHandle<()>>,
}

impl WriterHandle {
    /// Stops the writers once the requests already handed over are written (the HTTP server has
    /// stopped taking new ones by then).
    pub async fn shutdown(self) {
        let _ = self.stop.send(true);
        for task in self.tasks {
            let _ = task.await;
        }
    }
}

/// How the writer runs.
#[derive(Debug, Clone, Copy)]
pub struct WriterSettings {
    /// Writer tasks (concurrent batches).
    pub tasks: usize,
    /// Most events in one statement.
    pub batch: usize,
    /// Requests that may wait to be taken; a request beyond them waits to hand over its events.
    pub queue: usize,
}

impl Writer {
    /// Starts `settings.tasks` writers on `pool`; days are partitioned in `zone`.
    pub fn spawn(pool: DbPool, zone: Tz, settings: WriterSettings) -> (Writer, WriterHandle) {
        let (jobs, queue) = mpsc::channel(settings.queue.max(1));
        let queue = Arc::new(Mutex::new(queue));
        let (stop, stopped) = watch::channel(false);
        let tasks = (0..settings.tasks.max(1))
            .map(|_| {
                let task = Task {
                    pool: pool.clone(),
                    zone,
                    batch: settings.batch.max(1),
                    queue: queue.clone(),
                    stopped: stopped.clone(),
                };
                tokio::spawn(task.run())
            })
            .collect();
        (Writer { jobs }, WriterHandle { stop, tasks })
    }

    /// Stores `events` (all or none) and returns once they are committed.
    pub async fn write(&self, events: Vec<NewEvent>) -> Result<(), WriteError> {
        let (done, answer) = oneshot::channel();
        self.jobs
            .send(Job { events, done })
            .await
            .map_err(|_| WriteError::Stopped)?;
        answer.await.map_err(|_| WriteError::Stopped)?
    }
}

struct Task {
    pool: DbPool,
    zone: Tz,
    batch: usize,
    queue: Arc<Mutex<mpsc::Receiver<Job>>>,
    stopped: watch::Receiver<bool>,
}

impl Task {
    async fn run(mut self) {
        loop {
            let Some(jobs) = self.take().await else {
                break;
            };
            self.write(jobs).await;
        }
    }

    /// The next batch: the first job waited for, then every job already queued up to `batch` events.
    /// `None` once stopped with nothing left.
    async fn take(&mut self) -> Option<Vec<Job>> {
        let mut queue = self.queue.lock().await;
        let first = loop {
            if let Ok(job) = queue.try_recv() {
                break job;
            }
            if *self.stopped.borrow() {
                return None;
            }
            tokio::select! {
                job = queue.recv() => break job?,
                changed = self.stopped.changed() => {
                    if changed.is_err() {
                        return None;
                    }
                }
            }
        };
        let mut size = first.events.len();
        let mut jobs = vec![first];
        while size < self.batch {
            match queue.try_recv() {
                Ok(job) => {
                    size += job.events.len();
                    jobs.push(job);
                }
                Err(_) => break,
            }
        }
        Some(jobs)
    }

    async fn write(&self, jobs: Vec<Job>) {
        let mut conn = match self.pool.get().await {
            Ok(conn) => conn,
            Err(e) => {
                let cause = e.to_string();
                for job in jobs {
                    let _ = job.done.send(Err(WriteError::Unavailable(cause.clone())));
                }
                return;
            }
        };
        let all: Vec<&NewEvent> = jobs.iter().flat_map(|j| j.events.iter()).collect();
        match events::insert(&mut conn, &all, self.zone).await {
            Ok(()) => {
                for job in jobs {
                    let _ = job.done.send(Ok(()));
                }
            }
            // The connection failed: every request waiting gets the outage (503), none is retried on it.
            Err(e) if is_outage(&e) => {
                let cause = e.to_string();
                for job in jobs {
                    let _ = job.done.send(Err(WriteError::Unavailable(cause.clone())));
                }
            }
            Err(e) if jobs.len() > 1 && matches!(e, diesel::result::Error::DatabaseError(..)) => {
                tracing::warn!(error = %e, requests = jobs.len(), "a batch of events failed; writing its requests one by one");
                for job in jobs {
                    let own: Vec<&NewEvent> = job.events.iter().collect();
                    let result = events::insert(&mut conn, &own, self.zone).await;
                    let _ = job.done.send(result.map_err(WriteError::from));
                }
            }
            Err(e) if jobs.len() == 1 => {
                if let Some(job) = jobs.into_iter().next() {
                    let _ = job.done.send(Err(WriteError::from(e)));
                }
            }
            // Anything else that is not the data's: every request waiting gets it.
            Err(e) => {
                let cause = e.to_string();
                for job in jobs {
                    let _ = job.done.send(Err(WriteError::Unavailable(cause.clone())));
                }
            }
        }
    }
}

/// Whether `e` is the database going away (a lost or refused connection, the server shutting down)
/// rather than something wrong with the rows.
fn is_outage(e: &diesel::result::Error) -> bool {
    use diesel::result::{DatabaseErrorKind, Error};
    match e {
        Error::DatabaseError(
            DatabaseErrorKind::UnableToSendCommand | DatabaseErrorKind::ClosedConnection,
            _,
        ) => true,
        // The server shutting down (SQLSTATE 57P01-57P03) has no kind of its own.
        Error::DatabaseError(_, info) => info.message().starts_with("terminating connection"),
        _ => false,
    }
}
