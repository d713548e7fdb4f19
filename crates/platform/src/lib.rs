//! hm-platform: the runtime kit every HunarMitra service is built from, so that a reader who knows one
//! service knows all of them. Each module holds one concern; services compose them in their `lib.rs`.

/// Every HunarMitra binary (and test) allocates with mimalloc (issue #20): a request makes many small,
/// short-lived allocations on several worker threads, where glibc's malloc took a fifth of the
/// gateway's CPU under load.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[cfg(feature = "service")]
pub mod admin;
pub mod auth;
#[cfg(feature = "service")]
pub mod cli;
pub mod config;
#[cfg(feature = "service")]
pub mod constraints;
#[cfg(feature = "service")]
pub mod db;
pub mod error;
#[cfg(feature = "service")]
pub mod events;
pub mod health;
pub mod http;
pub mod input;
pub mod metrics;
pub mod openapi;
pub mod paging;
#[cfg(feature = "service")]
pub mod projections;
pub mod redis;
pub mod reply;
pub mod server;
#[cfg(feature = "service")]
pub mod service;
pub mod telemetry;
#[cfg(feature = "testing")]
pub mod testing;
pub mod time;

pub use error::ApiError;
