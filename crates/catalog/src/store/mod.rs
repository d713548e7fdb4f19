//! diesel-async queries, one module per aggregate; every function takes the connection it runs on.

pub mod banners;
pub mod content;
pub mod flags;
pub mod media;
pub mod services;
pub mod themes;

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
