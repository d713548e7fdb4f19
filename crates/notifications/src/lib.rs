//! hm-notifications: OTP text messages (Twilio or the dev logger), in-app notifications made from the
//! other services' events with their pushes (FCM HTTP v1), device registrations, the booking timeline
//! (issue #7) and the realtime WebSockets of API §10 (issue #18).

pub mod config;
pub mod domain;
pub mod error;
pub mod events;
pub mod notifier;
pub mod push;
pub mod realtime;
mod routes;
pub mod schema;
pub mod sms;
pub mod store;
#[cfg(feature = "testing")]
pub mod testing;

use config::NotificationsConfig;
use hm_platform::auth::TokenVerifier;
use hm_platform::db::{self, DbPool};
use hm_platform::projections::Projection;
use hm_platform::server::{Application, Foundation, ServiceInfo};
use hm_platform::service::Service;
use notifier::Notifier;
use push::{FcmSender, PushSender, PushWorker, ServiceAccount};
use realtime::Realtime;
use sms::{OtpDelivery, SmsSender};
use std::sync::Arc;
use tokio::sync::Notify;

/// What handlers share.
#[derive(Clone)]
pub struct AppState {
    pub db: DbPool,
    /// `ENABLE_NOTIFICATIONS`.
    pub enabled: bool,
    pub notifier: Notifier,
    /// Checks the signature of Twilio's delivery reports; `None` refuses them.
    pub twilio_auth_token: Option<String>,
    /// This replica's WebSockets (API §10).
    pub realtime: Realtime,
}

pub use hm_platform::server::StartError;

/// The paid providers behind their traits: the configured ones in production, recording ones in tests.
pub struct Senders {
    pub sms: Arc<dyn SmsSender>,
    /// `None` while push delivery is off (`FCM_ENABLED=false`): no pushes are queued.
    pub push: Option<Arc<dyn PushSender>>,
}

impl Senders {
    /// The providers the settings name.
    pub fn from_config(config: &NotificationsConfig) -> Result<Senders, StartError> {
        let push: Option<Arc<dyn PushSender>> = match &config.push.service_account_file {
            Some(file) if config.push.enabled => {
                let account = ServiceAccount::from_file(file).map_err(StartError::service)?;
                let fcm = FcmSender::new(&config.push.endpoint, &config.push.project_id, account)
                    .map_err(StartError::service)?;
                Some(Arc::new(fcm))
            }
            _ => None,
        };
        Ok(Senders {
            sms: sms::sender(&config.sms),
            push,
        })
    }
}

/// The notifications service (`hm_platform::service::Service`): its description and how it starts.
pub struct Notifications;

impl Service for Notifications {
    type Config = NotificationsConfig;
    const INFO: ServiceInfo = ServiceInfo {
        name: "notifications",
        title: "HunarMitra notifications",
        description:
            "OTP text messages, in-app notifications and pushes, devices, the booking timeline and the realtime WebSockets.",
        constraints: store::CONSTRAINTS,
        migrations: &[db::embed_migrations!("migrations")],
        consumed: &events::CONSUMED,
        projections: &[Projection::Users],
        ..ServiceInfo::NONE
    };

    /// Migrates (unless disabled), connects, starts the outbox relay, the event consumer and the push
    /// worker, and binds the HTTP server.
    async fn build(config: NotificationsConfig) -> Result<Application, StartError> {
        let senders = Senders::from_config(&config)?;
        build_with(config, senders).await
    }
}

/// [`Notifications`]'s `build` with the given providers.
pub async fn build_with(
    config: NotificationsConfig,
    senders: Senders,
) -> Result<Application, StartError> {
    let mut base = Foundation::start(&config.common, Notifications::INFO).await?;
    let wake = Arc::new(Notify::new());
    let notifier = Notifier::new(senders.push.is_some(), wake.clone());
    // Attempts beyond the consumer's retries would leave the message (and its code) in the
    // dead-letter queue instead.
    let attempts = config
        .sms
        .max_attempts
        .min(config.common.events.max_retries + 1);
    base.consume(events::Incoming {
        enabled: config.enabled,
        notifier: notifier.clone(),
        otp: OtpDelivery::new(senders.sms, base.pool.clone(), attempts),
    })
    .await?;
    if let Some(sender) = senders.push {
        let worker = PushWorker {
            pool: base.pool.clone(),
            sender,
            max_retries: config.push.max_retries.max(1),
            batch_size: config.push.batch_size.max(1),
            wake,
        }
        .spawn();
        base.on_stop(Box::new(move || Box::pin(worker.shutdown())));
    }
    let realtime = Realtime::new(config.sockets.clone(), base.pool.clone());
    if config.enabled {
        let stop = realtime.forward(&config.common.events).await?;
        base.on_stop(stop);
    }
    let state = actix_web::web::Data::new(AppState {
        db: base.pool.clone(),
        enabled: config.enabled,
        notifier,
        twilio_auth_token: config.sms.webhook_auth_token.clone(),
        realtime,
    });
    let verifier = Arc::new(TokenVerifier::new(config.common.auth.clone()));
    base.serve(config.http_workers, verifier, move |cfg| {
        cfg.app_data(state.clone());
        routes::configure(cfg);
    })
}
