//! Object storage (ARCHITECTURE §8): MinIO or S3 through aws-sdk-s3 (`USE_S3=true`, path-style so
//! MinIO works), or files under `MEDIA_ROOT` served at `/media/`. Either way public URLs come from
//! [`crate::domain::public_url`] with the configured base.

use crate::config::StorageConfig;
use crate::domain;
use aws_sdk_s3::config::{Credentials, Region};
use aws_sdk_s3::presigning::PresigningConfig;
use aws_sdk_s3::primitives::ByteStream;
use bytes::Bytes;
use std::path::{Path, PathBuf};
use std::time::Duration;

#[derive(Debug, thiserror::Error)]
pub enum StorageError {
    #[error("{0}")]
    Failed(String),
    #[error("not an object key: {0}")]
    BadKey(String),
}

#[derive(Clone)]
enum Backend {
    Local {
        root: PathBuf,
    },
    S3 {
        client: aws_sdk_s3::Client,
        bucket: String,
    },
}

#[derive(Clone)]
pub struct Storage {
    backend: Backend,
    public_base: String,
}

/// Objects are public and immutable under their key (spec/CONFIG.md §2.4).
const CACHE_CONTROL: &str = "max-age=86400";

impl Storage {
    pub fn new(config: &StorageConfig) -> Storage {
        let backend = if config.use_s3 {
            let credentials = Credentials::new(
                config.access_key.clone(),
                config.secret_key.clone(),
                None,
                None,
                "catalog-config",
            );
            let s3_config = aws_sdk_s3::Config::builder()
                .behavior_version(aws_sdk_s3::config::BehaviorVersion::latest())
                .endpoint_url(&config.endpoint)
                .region(Region::new(config.region.clone()))
                .credentials_provider(credentials)
                .force_path_style(true)
                .build();
            Backend::S3 {
                client: aws_sdk_s3::Client::from_conf(s3_config),
                bucket: config.bucket.clone(),
            }
        } else {
            Backend::Local {
                root: config.media_root.clone(),
            }
        };
        Storage {
            backend,
            public_base: config.public_base.clone(),
        }
    }

    pub fn public_url(&self, key: &str) -> Option<String> {
        domain::public_url(&self.public_base, key)
    }

    pub fn is_s3(&self) -> bool {
        matches!(self.backend, Backend::S3 { .. })
    }

    pub async fn put(
        &self,
        key: &str,
        body: Bytes,
        content_type: &str,
    ) -> Result<(), StorageError> {
        if !domain::is_object_key(key) {
            return Err(StorageError::BadKey(key.to_owned()));
        }
        match &self.backend {
            Backend::S3 { client, bucket } => client
                .put_object()
                .bucket(bucket)
                .key(key)
                .body(ByteStream::from(body))
                .content_type(content_type)
                .cache_control(CACHE_CONTROL)
                .send()
                .await
                .map(|_| ())
                .map_err(|e| {
                    StorageError::Failed(format!("{}", aws_sdk_s3::error::DisplayErrorContext(e)))
                }),
            Backend::Local { root } => {
                let path = root.join(key);
                if let Some(dir) = path.parent() {
                    tokio::fs::create_dir_all(dir)
                        .await
                        .map_err(|e| StorageError::Failed(e.to_string()))?;
                }
                // Written aside and renamed, so a reader never sees half a file.
                let partial = path.with_extension("partial");
                tokio::fs::write(&partial, &body)
                    .await
                    .map_err(|e| StorageError::Failed(e.to_string()))?;
                tokio::fs::rename(&partial, &path)
                    .await
                    .map_err(|e| StorageError::Failed(e.to_string()))
            }
        }
    }

    /// A URL the client PUTs the object to directly (S3 only), valid for `expires`.
    pub async fn presign_put(
        &self,
        key: &str,
        content_type: &str,
        expires: Duration,
    ) -> Result<Option<String>, StorageError> {
        let Backend::S3 { client, bucket } = &self.backend else {
            return Ok(None);
        };
        let config = PresigningConfig::expires_in(expires)
            .map_err(|e| StorageError::Failed(e.to_string()))?;
        let request = client
            .put_object()
            .bucket(bucket)
            .key(key)
            // Only the content type is signed: it is the one header the client is told to send.
            .content_type(content_type)
            .presigned(config)
            .await
            .map_err(|e| {
                StorageError::Failed(format!("{}", aws_sdk_s3::error::DisplayErrorContext(e)))
            })?;
        Ok(Some(request.uri().to_owned()))
    }

    /// A locally stored file for `/media/{key}`; `None` when storage is S3 or the key is unknown.
    pub fn local_path(&self, key: &str) -> Option<PathBuf> {
        match &self.backend {
            Backend::Local { root } if domain::is_object_key(key) => {
                Some(root.join(Path::new(key)))
            }
            _ => None,
        }
    }
}
