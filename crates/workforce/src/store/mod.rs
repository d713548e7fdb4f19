//! diesel-async queries, one module per aggregate.

pub mod contractors;
pub mod kiosks;
pub mod refs;
pub mod search;
pub mod sites;
pub mod workers;

use diesel::result::{DatabaseErrorKind, Error};

/// The constraint a unique violation hit, if that is what `e` is.
pub fn unique_violation(e: &Error) -> Option<&str> {
    match e {
        Error::DatabaseError(DatabaseErrorKind::UniqueViolation, info) => {
            Some(info.constraint_name().unwrap_or(""))
        }
        _ => None,
    }
}
