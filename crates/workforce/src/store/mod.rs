//! diesel-async queries, one module per aggregate.

pub mod contractors;
pub mod kiosks;
pub mod refs;
pub mod search;
pub mod sites;
pub mod workers;

use diesel::result::{DatabaseErrorKind, Error};
use diesel::sql_types::BigInt;

/// `SELECT count(*) AS n …`
#[derive(diesel::QueryableByName)]
pub(crate) struct Count {
    #[diesel(sql_type = BigInt)]
    pub n: i64,
}

/// The constraint a unique violation hit, if that is what `e` is.
pub fn unique_violation(e: &Error) -> Option<&str> {
    match e {
        Error::DatabaseError(DatabaseErrorKind::UniqueViolation, info) => {
            Some(info.constraint_name().unwrap_or(""))
        }
        _ => None,
    }
}
