//! diesel-async queries, one module per aggregate.

pub mod contractors;
pub mod refs;
pub mod search;
pub mod sites;
pub mod workers;
