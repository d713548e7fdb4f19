//! Identity's settings (spec/CONFIG.md §2.3, ARCHITECTURE §5 and §12.4), read from the environment.

use crate::ekyc::{EncryptionKey, Keyring};
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
    /// The eKYC keys (`ENCRYPTION_KEY` or `ENCRYPTION_KEY_FILE`, `ENCRYPTION_KEYS_RETIRED`); `None` when
    /// no key is set: the eKYC endpoints then answer 503 `{"error":"eKYC is not configured"}`.
    pub encryption: Option<Keyring>,
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

/// One key of `name`; the message names the variable and what is wrong, never the value.
fn encryption_key(name: &'static str, text: &str) -> Result<EncryptionKey, ConfigError> {
    EncryptionKey::parse(text).map_err(|e| invalid(name, &e.to_string()))
}

/// `ENCRYPTION_KEY` (the key that seals; or the file `ENCRYPTION_KEY_FILE` names, as Compose hands it
/// over) and `ENCRYPTION_KEYS_RETIRED` (comma-separated keys that still open what they sealed) from the
/// environment: [`keyring_from`].
pub fn load_keyring() -> Result<Option<Keyring>, ConfigError> {
    let current = match (
        config::optional("ENCRYPTION_KEY"),
        config::optional("ENCRYPTION_KEY_FILE"),
    ) {
        (Some(key), _) => Some(key),
        (None, Some(path)) => {
            Some(
                std::fs::read_to_string(&path).map_err(|e| ConfigError::Invalid {
                    name: "ENCRYPTION_KEY_FILE",
                    value: path,
                    reason: e.to_string(),
                })?,
            )
        }
        (None, None) => None,
    };
    keyring_from(
        current.as_deref(),
        config::optional("ENCRYPTION_KEYS_RETIRED").as_deref(),
    )
}

/// The eKYC keys from the values of `ENCRYPTION_KEY` (`current`) and `ENCRYPTION_KEYS_RETIRED`
/// (`retired`, comma-separated), both in Fernet format (`crate::ekyc`). No current key and no retired
/// one: `None` (eKYC answers 503). A malformed key, or retired keys without a current one, is a
/// [`ConfigError`] naming the variable, never the key.
pub fn keyring_from(
    current: Option<&str>,
    retired: Option<&str>,
) -> Result<Option<Keyring>, ConfigError> {
    let retired = retired
        .unwrap_or_default()
        .split(',')
        .map(str::trim)
        .filter(|k| !k.is_empty())
        .map(|k| encryption_key("ENCRYPTION_KEYS_RETIRED", k))
        .collect::<Result<Vec<_>, _>>()?;
    match current.map(str::trim).filter(|k| !k.is_empty()) {
        Some(current) => Ok(Some(Keyring::new(
            encryption_key("ENCRYPTION_KEY", current)?,
            retired,
        ))),
        None if retired.is_empty() => Ok(None),
        None => Err(invalid(
            "ENCRYPTION_KEYS_RETIRED",
            "is set without ENCRYPTION_KEY (the current key)",
        )),
    }
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
            encryption: load_keyring()?,
            http_workers: config::parse("HTTP_WORKERS", 2)?,
            common,
        })
    }

    fn common(&self) -> &CommonConfig {
        &self.common
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use crate::ekyc::generate_key;

    #[test]
    fn the_ekyc_keys_are_optional_and_a_bad_one_is_named_but_never_shown() {
        assert!(keyring_from(None, None).unwrap().is_none());
        assert!(keyring_from(Some("  "), Some(" , ")).unwrap().is_none());
        let (current, old) = (generate_key().unwrap(), generate_key().unwrap());
        let retired = format!("{old}, {current}");
        let ring = keyring_from(Some(&current), Some(&retired))
            .unwrap()
            .unwrap();
        assert_eq!(
            ring.retired_ids().count(),
            1,
            "the current key is not also retired"
        );
        assert_ne!(ring.retired_ids().next(), Some(ring.current_id()));

        let close = &current[..current.len() - 4];
        let error = keyring_from(Some(close), None).err().unwrap().to_string();
        assert!(
            error.starts_with("ENCRYPTION_KEY has an invalid value"),
            "{error}"
        );
        assert!(!error.contains(close) && !error.contains('\n'), "{error}");
        let error = keyring_from(Some(&current), Some(&format!("{old},oops")))
            .err()
            .unwrap()
            .to_string();
        assert!(error.starts_with("ENCRYPTION_KEYS_RETIRED"), "{error}");
        assert!(
            !error.contains(&old) && !error.contains(&current),
            "{error}"
        );
        let error = keyring_from(None, Some(&old)).err().unwrap().to_string();
        assert!(error.contains("without ENCRYPTION_KEY"), "{error}");
    }
}
