//! How a process becomes a running HTTP server (a service or the gateway): binding, the running
//! application and the background tasks that stop with it. What a service adds on top (its database,
//! broker, consumers and the shared middleware) is `crate::service`, re-exported here.

#[cfg(feature = "service")]
pub use crate::service::{http_server, Foundation, ServiceInfo, Shared, StartError};
use crate::telemetry;
use actix_web::dev::{Server, ServerHandle};
use std::net::TcpListener;

/// Stops a background task (and waits for it) when the application stops.
pub type Stop = Box<dyn FnOnce() -> futures_util::future::BoxFuture<'static, ()> + Send>;

/// A service's own background task that runs a round every `every` (the first one `every` after
/// start) until it is stopped: jobs' emergency sweep, analytics' maintenance. A round under way finishes
/// before [`Periodic::stop`] returns; a failing round logs and the next one tries again.
pub struct Periodic {
    stop: tokio::sync::watch::Sender<bool>,
    task: tokio::task::JoinHandle<()>,
}

impl Periodic {
    /// Starts calling `round` every `every`.
    pub fn spawn<F, Fut>(every: std::time::Duration, mut round: F) -> Periodic
    where
        F: FnMut() -> Fut + Send + 'static,
        Fut: std::future::Future<Output = ()> + Send,
    {
        let (stop, mut stopped) = tokio::sync::watch::channel(false);
        let task = tokio::spawn(async move {
            loop {
                tokio::select! {
                    _ = tokio::time::sleep(every) => {}
                    changed = stopped.changed() => {
                        // Told to stop, or the handle is gone: either way, no more rounds.
                        if changed.is_err() || *stopped.borrow() {
                            break;
                        }
                    }
                }
                round().await;
            }
        });
        Periodic { stop, task }
    }

    /// Stops the rounds (one under way finishes first) and waits for the task.
    pub async fn stop(self) {
        let _ = self.stop.send(true);
        let _ = self.task.await;
    }

    /// How the application stops it ([`Stop`]).
    pub fn on_stop(self) -> Stop {
        Box::new(move || Box::pin(self.stop()))
    }
}

/// Binds `host:port` (port 0 picks a free one, as tests do).
pub fn bind(host: &str, port: u16) -> std::io::Result<TcpListener> {
    TcpListener::bind((host, port))
}

/// A running service: its port, its HTTP server and the background tasks that stop with it.
pub struct Application {
    port: u16,
    metrics_port: Option<u16>,
    server: Server,
    stops: Vec<Stop>,
}

impl Application {
    pub fn new(port: u16, server: Server) -> Self {
        Application {
            port,
            metrics_port: None,
            server,
            stops: Vec::new(),
        }
    }

    /// What to stop, in this order, once the server has stopped (consumers, the service's own tasks,
    /// the outbox relay last).
    pub fn with_stops(mut self, stops: Vec<Stop>) -> Self {
        self.stops = stops;
        self
    }

    pub fn port(&self) -> u16 {
        self.port
    }

    /// Serves `/metrics` on a listener of its own (the gateway: clients never reach it).
    pub fn with_metrics_port(mut self, port: u16) -> Self {
        self.metrics_port = Some(port);
        self
    }

    /// The port that serves `/metrics`: the service's own, unless it has a metrics listener.
    pub fn metrics_port(&self) -> u16 {
        self.metrics_port.unwrap_or(self.port)
    }

    pub fn handle(&self) -> ServerHandle {
        self.server.handle()
    }

    /// Serves until SIGTERM/Ctrl-C (or `handle().stop()`), finishes in-flight requests, then stops the
    /// background tasks (ARCHITECTURE §9: a service's consumers, then its relay flushes the outbox).
    pub async fn run_until_stopped(self) -> std::io::Result<()> {
        let result = self.server.await;
        for stop in self.stops {
            stop().await;
        }
        telemetry::flush_sentry(std::time::Duration::from_secs(2));
        tracing::info!("stopped");
        result
    }
}

/// Log set-up for binaries.
pub fn init_logging(json: bool, debug: bool) {
    telemetry::init(json, debug);
}
