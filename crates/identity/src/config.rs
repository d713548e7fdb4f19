//! Identity's settings (spec/CONFIG.md §2.3, ARCHITECTURE §5 and §12.4), read from the environment.

use hm_platform::auth::{AuthConfig, SigningKey};
use hm_platform::config::{self, ConfigError};
use hm_platform::service::{CommonConfig, ServiceConfig};
use std::time::Duration;

const DEV_SECRET_KEY: &str = "django-insecure-dev-key-change-in-production";

#[derive(Clone)]
pub struct IdentityConfig {
    pub common: CommonConfig,
    pub secret_key: String,
    pub otp: OtpSettings,
    pub tokens: TokenSettings,
    pub http_workers: usize,
}

#[derive(Debug, Clone)]
pub struct OtpSettings {
    pub ttl: Duration,
    pub length: usize,
    pub per_minute: u32,
    pub per_hour: u32,
    pub per_ip_hour: u32,
    pub max_verify_attempts: u32,
    /// Always `1234`; tests only, refused with `DEBUG=false`.
    pub use_fixed: bool,
}

#[derive(Clone)]
pub struct TokenSettings {
    pub auth: AuthConfig,
    pub signing_key: SigningKey,
    /// Keys retired by rotation: still published in the JWKS so tokens they signed stay verifiable.
    pub previous_keys: Vec<SigningKey>,
    pub access_lifetime: Duration,
    pub refresh_lifetime: Duration,
    pub reuse_grace: Duration,
}

fn invalid(name: &'static str, reason: &str) -> ConfigError {
    ConfigError::Invalid {
        name,
        value: String::new(),
        reason: reason.to_owned(),
    }
}

fn load_key(
    pem_var: &'static str,
    file_var: &'static str,
) -> Result<Option<SigningKey>, ConfigError> {
    let pem = match (config::optional(pem_var), config::optional(file_var)) {
        (Some(pem), _) => pem.replace("\\n", "\n"),
        (None, Some(path)) => std::fs::read_to_string(&path).map_err(|e| ConfigError::Invalid {
            name: file_var,
            value: path,
            reason: e.to_string(),
        })?,
        (None, None) => return Ok(None),
    };
    SigningKey::from_pem(&pem)
        .map(Some)
        .map_err(|e| invalid(pem_var, &e.to_string()))
}

impl ServiceConfig for IdentityConfig {
    fn from_env() -> Result<Self, ConfigError> {
        let common = CommonConfig::from_env("identity", 8101, "hm_identity")?;
        let secret_key = match config::optional("SECRET_KEY") {
            Some(key) => key,
            None if common.debug => DEV_SECRET_KEY.to_owned(),
            None => return Err(ConfigError::Missing("SECRET_KEY")),
        };
        let signing_key = match load_key("JWT_PRIVATE_KEY_PEM", "JWT_PRIVATE_KEY_FILE")? {
            Some(key) => key,
            None if common.debug => {
                tracing::warn!("no JWT_PRIVATE_KEY_PEM/FILE: using a throw-away key (tokens die with this process)");
                SigningKey::generate()
                    .map_err(|e| invalid("JWT_PRIVATE_KEY_PEM", &e.to_string()))?
            }
            None => return Err(ConfigError::Missing("JWT_PRIVATE_KEY_PEM")),
        };
        let previous_keys = load_key(
            "JWT_PREVIOUS_PRIVATE_KEY_PEM",
            "JWT_PREVIOUS_PRIVATE_KEY_FILE",
        )?
        .into_iter()
        .collect();
        let use_fixed = config::flag("USE_FIXED_OTP", false)?;
        if use_fixed && !common.debug {
            return Err(invalid("USE_FIXED_OTP", "only allowed with DEBUG=true"));
        }
        let length = config::parse("OTP_LENGTH", 4usize)?;
        if !(4..=6).contains(&length) {
            return Err(invalid("OTP_LENGTH", "must be between 4 and 6"));
        }
        let mut auth = common.auth.clone();
        auth.jwks_url = None;
        Ok(IdentityConfig {
            secret_key,
            otp: OtpSettings {
                ttl: Duration::from_secs(config::parse("OTP_TTL_SECONDS", 300)?),
                length,
                per_minute: config::parse("OTP_RATE_LIMIT_PER_MINUTE", 1)?,
                per_hour: config::parse("OTP_RATE_LIMIT_PER_HOUR", 5)?,
                per_ip_hour: config::parse("OTP_RATE_LIMIT_PER_IP_HOUR", 300)?,
                max_verify_attempts: config::parse("OTP_MAX_VERIFY_ATTEMPTS", 5)?,
                use_fixed,
            },
            tokens: TokenSettings {
                auth,
                signing_key,
                previous_keys,
                access_lifetime: Duration::from_secs(
                    60 * config::parse("JWT_ACCESS_TOKEN_LIFETIME_MINUTES", 60)?,
                ),
                refresh_lifetime: Duration::from_secs(
                    86_400 * config::parse("JWT_REFRESH_TOKEN_LIFETIME_DAYS", 7)?,
                ),
                reuse_grace: Duration::from_secs(config::parse(
                    "JWT_REFRESH_REUSE_GRACE_SECONDS",
                    10,
                )?),
            },
            http_workers: config::parse("HTTP_WORKERS", 2)?,
            common,
        })
    }

    fn common(&self) -> &CommonConfig {
        &self.common
    }
}
