//! Catalog as tests start it (the platform's `TestApp`: in-process on a free port, against the real
//! Postgres, Redis and RabbitMQ, isolated per test), with media stored under a fresh temporary folder.

use crate::config::{CatalogConfig, StorageConfig};
use hm_platform::service::CommonConfig;
use hm_platform::testing::TestService;

/// Catalog as tests start it: `hm_platform::testing::TestApp::init::<Catalog>()`.
pub use crate::Catalog;

impl TestService for Catalog {
    /// Local media storage under a fresh temporary folder, uploads up to 10 MB.
    fn config(common: CommonConfig) -> CatalogConfig {
        CatalogConfig {
            common,
            storage: local_storage(),
            http_workers: 1,
            max_upload_bytes: 10 * 1024 * 1024,
        }
    }
}

/// Media stored as local files under a fresh temporary folder, served at `/media/`.
pub fn local_storage() -> StorageConfig {
    let root = std::env::temp_dir().join(format!(
        "hm-catalog-media-{}",
        uuid::Uuid::new_v4().simple()
    ));
    StorageConfig {
        use_s3: false,
        public_base: "http://localhost:8000/media/".into(),
        endpoint: "http://localhost:9000".into(),
        bucket: "hunarmitra".into(),
        access_key: String::new(),
        secret_key: String::new(),
        region: "us-east-1".into(),
        media_root: root,
    }
}
