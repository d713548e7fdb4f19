//! diesel-async queries, one module per aggregate.

pub mod backoffice;
pub mod contractors;
pub mod kiosks;
pub mod refs;
pub mod search;
pub mod sites;
pub mod workers;

pub use hm_platform::db::{unique_violation, Count};
