//! Settings come only from the environment (ARCHITECTURE §9). A `.env` file is honoured in development
//! and never overrides a variable that is already set.

use std::str::FromStr;

#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("{0} is required but not set")]
    Missing(&'static str),
    #[error("{name} has an invalid value {value:?}: {reason}")]
    Invalid {
        name: &'static str,
        value: String,
        reason: String,
    },
}

/// Loads `.env` from the working directory if present; variables already set win.
pub fn load_dotenv() {
    // A missing .env is the normal case in production.
    let _ = dotenvy::dotenv();
}

pub fn optional(name: &'static str) -> Option<String> {
    std::env::var(name).ok().filter(|v| !v.trim().is_empty())
}

pub fn string(name: &'static str, default: &str) -> String {
    optional(name).unwrap_or_else(|| default.to_owned())
}

pub fn required(name: &'static str) -> Result<String, ConfigError> {
    optional(name).ok_or(ConfigError::Missing(name))
}

pub fn parse<T>(name: &'static str, default: T) -> Result<T, ConfigError>
where
    T: FromStr,
    T::Err: std::fmt::Display,
{
    match optional(name) {
        None => Ok(default),
        Some(value) => value
            .trim()
            .parse()
            .map_err(|e: T::Err| ConfigError::Invalid {
                name,
                reason: e.to_string(),
                value,
            }),
    }
}

/// Booleans as people write them in `.env` files: true/false, 1/0, yes/no, on/off.
pub fn flag(name: &'static str, default: bool) -> Result<bool, ConfigError> {
    match optional(name) {
        None => Ok(default),
        Some(value) => match value.trim().to_ascii_lowercase().as_str() {
            "1" | "true" | "yes" | "on" | "t" | "y" => Ok(true),
            "0" | "false" | "no" | "off" | "f" | "n" => Ok(false),
            _ => Err(ConfigError::Invalid {
                name,
                value,
                reason: "expected true or false".into(),
            }),
        },
    }
}

/// What every service reads the same way: where it listens and the infrastructure it talks to.
#[cfg(feature = "service")]
#[derive(Debug, Clone)]
pub struct CommonConfig {
    /// `source` of published events and the prefix of its Redis keys and queue names.
    pub service_name: &'static str,
    pub host: String,
    pub port: u16,
    pub debug: bool,
    pub log_json: bool,
    pub database_url: String,
    pub db_pool_size: usize,
    pub run_migrations: bool,
    pub redis_url: String,
    pub redis_key_prefix: String,
    pub events: crate::events::BusConfig,
    pub auth: crate::auth::AuthConfig,
}

#[cfg(feature = "service")]
impl CommonConfig {
    /// `default_port` and `default_db` are the service's own (ARCHITECTURE §3).
    pub fn from_env(
        service_name: &'static str,
        default_port: u16,
        default_db: &str,
    ) -> Result<Self, ConfigError> {
        let debug = flag("DEBUG", false)?;
        crate::time::check_zone()?;
        Ok(CommonConfig {
            service_name,
            host: string("HOST", "0.0.0.0"),
            port: parse("PORT", default_port)?,
            debug,
            log_json: flag("LOG_JSON", !debug)?,
            database_url: string(
                "DATABASE_URL",
                &format!("postgres://postgres@127.0.0.1:5432/{default_db}"),
            ),
            db_pool_size: parse("DB_POOL_SIZE", 16)?,
            run_migrations: flag("RUN_MIGRATIONS", true)?,
            redis_url: string("REDIS_URL", "redis://127.0.0.1:6379/0"),
            redis_key_prefix: string("REDIS_KEY_PREFIX", &format!("{service_name}:")),
            events: crate::events::BusConfig::from_env(service_name)?,
            auth: crate::auth::AuthConfig::from_env()?,
        })
    }
}
