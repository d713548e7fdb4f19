//! diesel-async queries, one module per aggregate; every function takes the connection it runs on.

pub mod notifications;
