//! Redis through deadpool-redis. Every key a service writes starts with its owner prefix
//! (ARCHITECTURE §8), which tests replace with a unique one for isolation.

use deadpool_redis::{Config, Pool, Runtime, Timeouts};
use std::time::Duration;

pub use deadpool_redis::redis;
pub type RedisPool = Pool;
pub type RedisConn = deadpool_redis::Connection;

#[derive(Debug, thiserror::Error)]
#[error("redis pool: {0}")]
pub struct RedisSetupError(String);

pub fn pool(url: &str, max_size: usize) -> Result<RedisPool, RedisSetupError> {
    let mut config = Config::from_url(url);
    let mut pool_config = deadpool_redis::PoolConfig::new(max_size);
    pool_config.timeouts = Timeouts {
        wait: Some(Duration::from_secs(2)),
        create: Some(Duration::from_secs(2)),
        recycle: Some(Duration::from_secs(2)),
    };
    config.pool = Some(pool_config);
    config
        .create_pool(Some(Runtime::Tokio1))
        .map_err(|e| RedisSetupError(e.to_string()))
}

/// Builds the service's keys under its prefix.
#[derive(Debug, Clone)]
pub struct Keys {
    prefix: String,
}

impl Keys {
    pub fn new(prefix: impl Into<String>) -> Self {
        Keys {
            prefix: prefix.into(),
        }
    }

    pub fn key(&self, suffix: impl std::fmt::Display) -> String {
        format!("{}{}", self.prefix, suffix)
    }

    pub fn prefix(&self) -> &str {
        &self.prefix
    }
}
