//! diesel-async queries, one module per aggregate; every function takes the connection it runs on.

pub mod banners;
pub mod content;
pub mod flags;
pub mod media;
pub mod services;
pub mod themes;

pub use hm_platform::db::unique_violation;
