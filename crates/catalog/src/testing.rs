//! Starts catalog in-process on a free port against the real Postgres, Redis and RabbitMQ, isolated per
//! test, for catalog's tests and other crates' (the gateway's, end-to-end).
#![allow(clippy::expect_used)]

use crate::config::{CatalogConfig, StorageConfig};
use hm_platform::auth::AuthConfig;
use hm_platform::events::BusConfig;
use hm_platform::testing::{self, TestDb};

pub struct Spawned {
    pub base: String,
    pub db: TestDb,
    pub bus: BusConfig,
    pub config: CatalogConfig,
    pub handle: actix_web::dev::ServerHandle,
}

pub struct Options {
    /// The storage to use; `None`: local files under a fresh temporary folder.
    pub storage: Option<StorageConfig>,
    /// Reach Postgres through this address (a chaos proxy) instead of directly.
    pub db_via: Option<String>,
    pub auth: AuthConfig,
    pub max_upload_bytes: usize,
}

impl Options {
    pub fn new(auth: AuthConfig) -> Self {
        Options {
            storage: None,
            db_via: None,
            auth,
            max_upload_bytes: 10 * 1024 * 1024,
        }
    }
}

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

pub async fn spawn(opts: Options) -> Spawned {
    let db = TestDb::new("catalog", crate::MIGRATIONS).await;
    let bus = testing::bus_config("catalog");
    let database_url = match &opts.db_via {
        Some(via) => db.url.replace("127.0.0.1:5432", via),
        None => db.url.clone(),
    };
    let config = CatalogConfig {
        common: testing::common_config("catalog", &database_url, &bus, opts.auth),
        storage: opts.storage.unwrap_or_else(local_storage),
        http_workers: 1,
        max_upload_bytes: opts.max_upload_bytes,
    };
    let app = crate::build(config.clone()).await.expect("catalog starts");
    let base = format!("http://127.0.0.1:{}", app.port());
    let handle = app.handle();
    tokio::spawn(app.run_until_stopped());
    Spawned {
        base,
        db,
        bus,
        config,
        handle,
    }
}
