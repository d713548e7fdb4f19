//! diesel-async queries, one module per aggregate; every function takes the connection it runs on.
//! A function that changes something owns its transaction and appends its events to the outbox in it.

pub mod applications;
pub mod availability;
pub mod backoffice;
pub mod bookings;
pub mod dashboards;
pub mod dispatch;
pub mod emergency;
pub mod jobs;
pub mod outbox;
pub mod payments;
pub mod refs;
pub mod tallies;

use crate::domain::application::ApplicationStatus;
use crate::domain::booking::{BookingPayment, BookingStatus, PaymentMethod};
use crate::domain::emergency::{EmergencyStatus, LogStatus};
use crate::domain::job::JobStatus;
use crate::domain::payment::PaymentStatus;
use crate::error::{JobsError, Result};
use bigdecimal::BigDecimal;
use diesel::deserialize::{self, FromSql, Queryable};
use diesel::pg::{Pg, PgValue};
use diesel::sql_types::Text;
use hm_platform::constraints::Constraint;
pub use hm_platform::db::Count;
use uuid::Uuid;

/// The answers to jobs' constraint violations (issue #15).
pub const CONSTRAINTS: &[Constraint] = &[Constraint::error(
    "payments_gateway_reference_key",
    "gateway_reference is already used by another payment",
)];

/// A decimal in its text form (`Input::decimal`'s, or a `numeric::text` read back) as a `numeric`
/// value; the column rounds it to its scale on assignment, as it did the text before.
pub fn numeric(text: &str) -> diesel::QueryResult<BigDecimal> {
    text.parse()
        .map_err(|e| diesel::result::Error::SerializationError(Box::new(e)))
}

/// [`numeric`] of a value that may be absent.
pub fn nullable_numeric(text: Option<&str>) -> diesel::QueryResult<Option<BigDecimal>> {
    text.map(numeric).transpose()
}

/// The id in a path: one that is not a UUID names nothing (404 "Not found.").
pub fn path_id(raw: &str) -> Result<Uuid> {
    Uuid::parse_str(raw).map_err(|_| JobsError::MalformedId)
}

/// Statuses are stored as their names (`varchar`); a name the domain does not know is a broken row.
macro_rules! stored_by_name {
    ($($status:ty),*) => {$(
        impl FromSql<Text, Pg> for $status {
            fn from_sql(bytes: PgValue<'_>) -> deserialize::Result<Self> {
                let name = <String as FromSql<Text, Pg>>::from_sql(bytes)?;
                <$status>::parse(&name)
                    .ok_or_else(|| format!("unknown {}: {name}", stringify!($status)).into())
            }
        }

        impl Queryable<Text, Pg> for $status {
            type Row = Self;

            fn build(row: Self) -> deserialize::Result<Self> {
                Ok(row)
            }
        }
    )*};
}

stored_by_name!(
    BookingStatus,
    PaymentMethod,
    BookingPayment,
    JobStatus,
    ApplicationStatus,
    PaymentStatus,
    EmergencyStatus,
    LogStatus
);
