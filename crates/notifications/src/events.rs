//! What notifications consumes (proto-docs/events.md): OTP requests become text messages; the events
//! that tell a person something become in-app notifications (and pushes); booking, job, payment,
//! attendance and emergency events enter the timeline; users and bookings are kept as projections. Once per event: the
//! platform's inbox drops redeliveries.

use crate::domain::{messages, timeline};
use crate::notifier::Notifier;
use crate::sms::OtpDelivery;
use crate::store::{refs, timeline as history};
use diesel_async::AsyncPgConnection;
use hm_contracts::events::{
    types, ApplicationChanged, AttendanceChecked, BookingChanged, BookingLocation,
    EmergencyChanged, PaymentChanged,
};
use hm_contracts::Event;
use hm_platform::events::{Handler, HandlerError, HandlerResult};

pub const CONSUMED: [&str; 17] = [
    types::OTP_REQUESTED,
    types::BOOKING_LOCATION_UPDATED,
    types::BOOKING_CREATED,
    types::BOOKING_ASSIGNED,
    types::BOOKING_STATUS_CHANGED,
    types::APPLICATION_CREATED,
    types::APPLICATION_ACCEPTED,
    types::APPLICATION_DECLINED,
    types::PAYMENT_SUCCEEDED,
    types::PAYMENT_FAILED,
    types::ATTENDANCE_CHECKED_IN,
    types::ATTENDANCE_CHECKED_OUT,
    types::EMERGENCY_CREATED,
    types::EMERGENCY_DISPATCHED,
    types::EMERGENCY_ACCEPTED,
    types::EMERGENCY_STATUS_CHANGED,
    types::EMERGENCY_ESCALATED,
];

pub struct Incoming {
    /// `ENABLE_NOTIFICATIONS`: with false, events still reach the timeline and projections, and OTPs
    /// are still sent, but no notification is created.
    pub enabled: bool,
    pub notifier: Notifier,
    pub otp: OtpDelivery,
}

impl Handler for Incoming {
    async fn handle(&self, conn: &mut AsyncPgConnection, event: &Event) -> HandlerResult {
        let at = event.occurred_at;
        let outgoing = match event.event_type.as_str() {
            types::OTP_REQUESTED => return self.otp.deliver(&event.payload()?).await,
            kind @ (types::BOOKING_CREATED
            | types::BOOKING_ASSIGNED
            | types::BOOKING_STATUS_CHANGED) => {
                let b: BookingChanged = event.payload()?;
                refs::upsert_booking(conn, b.booking_id, b.user_id, b.worker_user_id).await?;
                let assigned = kind == types::BOOKING_ASSIGNED;
                history::insert(conn, &timeline::booking(&b, assigned, at)).await?;
                // An assignment also changes the status, which is what people are told.
                if assigned {
                    Vec::new()
                } else {
                    messages::booking(&b)
                }
            }
            types::APPLICATION_CREATED
            | types::APPLICATION_ACCEPTED
            | types::APPLICATION_DECLINED => {
                let a: ApplicationChanged = event.payload()?;
                let poster = refs::user_name(conn, a.poster_id).await?;
                if let Some(entry) = timeline::application(&a, poster, at) {
                    history::insert(conn, &entry).await?;
                }
                messages::application(&a)
            }
            types::BOOKING_LOCATION_UPDATED => {
                let l: BookingLocation = event.payload()?;
                history::insert(conn, &timeline::location(&l, at)).await?;
                Vec::new()
            }
            types::PAYMENT_SUCCEEDED | types::PAYMENT_FAILED => {
                let p: PaymentChanged = event.payload()?;
                history::insert(conn, &timeline::payment(&p, at)).await?;
                messages::payment(&p)
            }
            types::ATTENDANCE_CHECKED_IN | types::ATTENDANCE_CHECKED_OUT => {
                let a: AttendanceChecked = event.payload()?;
                let worker = refs::user_name(conn, a.worker_user_id).await?;
                history::insert(conn, &timeline::attendance(&a, worker, at)).await?;
                messages::attendance(&a, hm_platform::time::zone())
            }
            kind @ (types::EMERGENCY_CREATED
            | types::EMERGENCY_DISPATCHED
            | types::EMERGENCY_ACCEPTED
            | types::EMERGENCY_STATUS_CHANGED
            | types::EMERGENCY_ESCALATED) => {
                let e: EmergencyChanged = event.payload()?;
                if let Some(entry) = timeline::emergency(kind, &e, at) {
                    history::insert(conn, &entry).await?;
                }
                let admins = match kind {
                    types::EMERGENCY_ESCALATED => refs::admins(conn).await?,
                    _ => Vec::new(),
                };
                messages::emergency(kind, &e, &admins)
            }
            other => {
                return Err(HandlerError::Permanent(format!(
                    "not an event notifications handles: {other}"
                )))
            }
        };
        if self.enabled {
            self.notifier.create_all(conn, &outgoing).await?;
        }
        Ok(())
    }
}
