//! Catalog's settings (spec/CONFIG.md §2.4, ARCHITECTURE §8), read from the environment.

use hm_platform::config::{self, ConfigError};
use hm_platform::service::{CommonConfig, ServiceConfig};
use std::path::PathBuf;

#[derive(Debug, Clone)]
pub struct CatalogConfig {
    pub common: CommonConfig,
    pub storage: StorageConfig,
    pub http_workers: usize,
    /// Largest accepted upload (spec recommends 10 MB).
    pub max_upload_bytes: usize,
}

#[derive(Debug, Clone)]
pub struct StorageConfig {
    /// `USE_S3=true`: MinIO or S3; otherwise files under `media_root`, served at `/media/`.
    pub use_s3: bool,
    /// Public URL prefix of stored objects. S3: `{MINIO_ENDPOINT}/{MINIO_BUCKET}/` unless
    /// `MEDIA_PUBLIC_URL` says otherwise (a CDN); local: `MEDIA_URL` (`http://localhost:8000/media/`).
    pub public_base: String,
    pub endpoint: String,
    pub bucket: String,
    pub access_key: String,
    pub secret_key: String,
    pub region: String,
    pub media_root: PathBuf,
}

impl ServiceConfig for CatalogConfig {
    fn from_env() -> Result<Self, ConfigError> {
        let common = CommonConfig::from_env("catalog", 8102, "hm_catalog")?;
        let use_s3 = config::flag("USE_S3", false)?;
        let endpoint = config::string("MINIO_ENDPOINT", "http://localhost:9000")
            .trim_end_matches('/')
            .to_owned();
        if !(endpoint.starts_with("http://") || endpoint.starts_with("https://")) {
            return Err(ConfigError::Invalid {
                name: "MINIO_ENDPOINT",
                value: endpoint,
                reason: "must include the scheme, e.g. http://minio:9000".into(),
            });
        }
        let bucket = config::string("MINIO_BUCKET", "hunarmitra");
        let public_base = if use_s3 {
            config::optional("MEDIA_PUBLIC_URL").unwrap_or_else(|| format!("{endpoint}/{bucket}/"))
        } else {
            config::string("MEDIA_URL", "http://localhost:8000/media/")
        };
        Ok(CatalogConfig {
            common,
            storage: StorageConfig {
                use_s3,
                public_base: with_slash(public_base),
                endpoint,
                bucket,
                access_key: config::string("MINIO_ACCESS_KEY", ""),
                secret_key: config::string("MINIO_SECRET_KEY", ""),
                region: config::string("MINIO_REGION", "us-east-1"),
                media_root: PathBuf::from(config::string("MEDIA_ROOT", "var/media")),
            },
            http_workers: config::parse("HTTP_WORKERS", 2)?,
            max_upload_bytes: config::parse("MAX_UPLOAD_BYTES", 10 * 1024 * 1024)?,
        })
    }

    fn common(&self) -> &CommonConfig {
        &self.common
    }
}

pub fn with_slash(mut url: String) -> String {
    if !url.ends_with('/') {
        url.push('/');
    }
    url
}
