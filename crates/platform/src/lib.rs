//! hm-platform: the runtime kit every HunarMitra service is built from, so that a reader who knows one
//! service knows all of them. Each module holds one concern; services compose them in their `lib.rs`.

pub mod admin;
pub mod auth;
pub mod config;
pub mod constraints;
pub mod db;
pub mod error;
pub mod events;
pub mod health;
pub mod http;
pub mod input;
pub mod metrics;
pub mod paging;
pub mod projections;
pub mod redis;
pub mod reply;
pub mod server;
pub mod telemetry;
#[cfg(feature = "testing")]
pub mod testing;
pub mod time;

pub use error::ApiError;
