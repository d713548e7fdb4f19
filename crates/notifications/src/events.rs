//! What notifications consumes (proto-docs/events.md): the events that tell a person something become
//! in-app notifications, once per event (the platform's inbox drops redeliveries).

use crate::domain::messages;
use crate::store::notifications;
use diesel_async::AsyncPgConnection;
use hm_contracts::events::{types, ApplicationChanged, BookingChanged, PaymentChanged};
use hm_contracts::Event;
use hm_platform::events::{Handler, HandlerFuture};

pub const CONSUMED: [&str; 7] = [
    types::BOOKING_CREATED,
    types::BOOKING_STATUS_CHANGED,
    types::APPLICATION_CREATED,
    types::APPLICATION_ACCEPTED,
    types::APPLICATION_DECLINED,
    types::PAYMENT_SUCCEEDED,
    types::PAYMENT_FAILED,
];

/// Turns events into notifications; with `ENABLE_NOTIFICATIONS=false` it records the events and
/// creates nothing.
pub struct Incoming {
    pub enabled: bool,
}

impl Handler for Incoming {
    fn handle<'a>(
        &'a self,
        conn: &'a mut AsyncPgConnection,
        event: &'a Event,
    ) -> HandlerFuture<'a> {
        Box::pin(async move {
            if !self.enabled {
                return Ok(());
            }
            let outgoing = match event.event_type.as_str() {
                types::BOOKING_CREATED | types::BOOKING_STATUS_CHANGED => {
                    messages::booking(&event.payload::<BookingChanged>()?)
                }
                types::APPLICATION_CREATED
                | types::APPLICATION_ACCEPTED
                | types::APPLICATION_DECLINED => {
                    messages::application(&event.payload::<ApplicationChanged>()?)
                }
                types::PAYMENT_SUCCEEDED | types::PAYMENT_FAILED => {
                    messages::payment(&event.payload::<PaymentChanged>()?)
                }
                _ => Vec::new(),
            };
            for n in &outgoing {
                notifications::insert(conn, n).await?;
            }
            Ok(())
        })
    }
}
