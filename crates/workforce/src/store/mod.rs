//! diesel-async queries, one module per aggregate.

pub mod refs;
pub mod search;
pub mod workers;
