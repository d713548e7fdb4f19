//! diesel-async queries, one module per aggregate; every function takes the connection it runs on.

pub mod applications;
pub mod backoffice;
pub mod bookings;
pub mod jobs;
pub mod payments;
pub mod refs;

pub use hm_platform::db::{unique_violation, Count};
