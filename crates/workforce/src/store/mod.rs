//! diesel-async queries, one module per aggregate.

pub mod search;
