//! The response caches of API §1.8 in Redis. Every document is stored with the catalog generation it
//! was built at; a write bumps the generation after it commits, so the next read rebuilds, and a read
//! that raced a write can never put a stale document back (it carries the old generation). Each
//! replica also keeps the documents it served in memory, tagged with their generation, so a hit is one
//! `GET` of the generation over a multiplexed connection (no pool checkout, no payload) and touches no
//! database. Each document carries a strong ETag for conditional GETs.

use crate::error::Result;
use actix_web::http::header::{self, HeaderValue};
use actix_web::HttpRequest;
use bytes::Bytes;
use hm_platform::redis::{Keys, RedisPool};
use hm_platform::reply::Reply;
use redis::aio::{ConnectionManager, ConnectionManagerConfig};
use serde::Serialize;
use sha2::{Digest, Sha256};
use std::collections::HashMap;
use std::future::Future;
use std::sync::{Arc, RwLock};
use std::time::Duration;

/// The cached documents, their keys (API §1.8) and lifetimes.
#[derive(Debug, Clone, Copy)]
pub enum Document<'a> {
    AppConfig,
    ThemeConfig,
    FeatureFlags,
    Translations(&'a str),
}

impl Document<'_> {
    fn key(&self) -> String {
        match self {
            Document::AppConfig => "app_config_response".to_owned(),
            Document::ThemeConfig => "theme_config_active".to_owned(),
            Document::FeatureFlags => "feature_flags_map".to_owned(),
            Document::Translations(lang) => format!("i18n_translations_{lang}"),
        }
    }

    pub fn ttl_secs(&self) -> u64 {
        match self {
            Document::Translations(_) => 600,
            _ => 300,
        }
    }
}

/// A rendered document and its ETag.
#[derive(Debug, Clone)]
pub struct Doc {
    pub etag: String,
    pub body: Bytes,
}

impl Doc {
    fn new(body: Bytes) -> Doc {
        let digest = Sha256::digest(&body);
        Doc {
            etag: format!("\"{}\"", hex::encode(&digest[..16])),
            body,
        }
    }

    /// 200 with the body (the JSON of a `T`: the type the document was built as), or 304 when the
    /// client already has this version.
    pub fn respond<T>(&self, req: &HttpRequest, max_age: u64) -> Reply<T, 200, 304> {
        let cache_control = format!("public, max-age={max_age}");
        let fresh = req
            .headers()
            .get(header::IF_NONE_MATCH)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| {
                v.split(',')
                    .any(|tag| tag.trim() == self.etag || tag.trim() == "*")
            });
        let headers = |res: &mut actix_web::HttpResponseBuilder| {
            res.insert_header((header::ETAG, self.etag.as_str()))
                .insert_header((header::CACHE_CONTROL, cache_control.clone()));
        };
        if fresh {
            Reply::also_build(|res| {
                headers(res);
                res.finish()
            })
        } else {
            Reply::build(|res| {
                headers(res);
                res.insert_header((
                    header::CONTENT_TYPE,
                    HeaderValue::from_static("application/json"),
                ))
                .body(self.body.clone())
            })
        }
    }
}

#[derive(Clone)]
pub struct DocCache {
    redis: RedisPool,
    client: redis::Client,
    keys: Keys,
    /// The hot path's connection: multiplexed, reconnecting by itself, made on first use.
    fast: Arc<tokio::sync::OnceCell<ConnectionManager>>,
    /// Documents this replica served: key → (generation, document).
    local: Arc<RwLock<HashMap<String, (String, Doc)>>>,
}

const REDIS_TIMEOUT: Duration = Duration::from_millis(500);

impl DocCache {
    pub fn new(redis: RedisPool, client: redis::Client, keys: Keys) -> Self {
        DocCache {
            redis,
            client,
            keys,
            fast: Arc::new(tokio::sync::OnceCell::new()),
            local: Arc::new(RwLock::new(HashMap::new())),
        }
    }

    async fn fast_connection(&self) -> std::result::Result<ConnectionManager, String> {
        let client = self.client.clone();
        self.fast
            .get_or_try_init(|| {
                let config = ConnectionManagerConfig::new()
                    .set_connection_timeout(REDIS_TIMEOUT)
                    .set_response_timeout(REDIS_TIMEOUT)
                    .set_number_of_retries(1);
                ConnectionManager::new_with_config(client, config)
            })
            .await
            .cloned()
            .map_err(|e| e.to_string())
    }

    fn local_hit(&self, key: &str, generation: &str) -> Option<Doc> {
        let local = self.local.read().ok()?;
        local
            .get(key)
            .filter(|(g, _)| g == generation)
            .map(|(_, doc)| doc.clone())
    }

    fn remember(&self, key: String, generation: String, doc: &Doc) {
        if let Ok(mut local) = self.local.write() {
            local.insert(key, (generation, doc.clone()));
        }
    }

    fn generation_key(&self) -> String {
        self.keys.key("generation")
    }

    /// The cached document, or `build`'s (its compact JSON), stored for next time. Redis trouble only
    /// costs the cache: the document is built and served anyway.
    pub async fn get_or_build<T, F, Fut>(&self, doc: Document<'_>, build: F) -> Result<Doc>
    where
        T: Serialize,
        F: FnOnce() -> Fut,
        Fut: Future<Output = Result<T>>,
    {
        let key = self.keys.key(doc.key());
        let generation = match self.lookup(&key).await {
            Ok((_, Some(hit))) => return Ok(hit),
            Ok((generation, None)) => Some(generation),
            Err(e) => {
                tracing::warn!(error = %e, "cache unavailable; building from the database");
                None
            }
        };
        let value = build().await?;
        let body = serde_json::to_vec(&value)?;
        let built = Doc::new(Bytes::from(body));
        if let Some(generation) = generation {
            if let Err(e) = self.store(&key, &generation, &built, doc.ttl_secs()).await {
                tracing::warn!(error = %e, "could not cache a document");
            }
            self.remember(key, generation, &built);
        }
        Ok(built)
    }

    /// The current generation and, if it is still current, the document: from memory when this
    /// replica has it, else from Redis.
    async fn lookup(&self, key: &str) -> std::result::Result<(String, Option<Doc>), String> {
        let mut conn = self.fast_connection().await?;
        let generation: Option<String> = redis::cmd("GET")
            .arg(self.generation_key())
            .query_async(&mut conn)
            .await
            .map_err(|e| e.to_string())?;
        let generation = generation.unwrap_or_else(|| "0".to_owned());
        if let Some(doc) = self.local_hit(key, &generation) {
            return Ok((generation, Some(doc)));
        }
        let stored: Option<Vec<u8>> = redis::cmd("GET")
            .arg(key)
            .query_async(&mut conn)
            .await
            .map_err(|e| e.to_string())?;
        let hit = stored.and_then(|raw| decode(&raw, &generation));
        if let Some(doc) = &hit {
            self.remember(key.to_owned(), generation.clone(), doc);
        }
        Ok((generation, hit))
    }

    async fn store(
        &self,
        key: &str,
        generation: &str,
        doc: &Doc,
        ttl: u64,
    ) -> std::result::Result<(), String> {
        let mut raw = Vec::with_capacity(generation.len() + doc.etag.len() + doc.body.len() + 2);
        raw.extend_from_slice(generation.as_bytes());
        raw.push(b'\n');
        raw.extend_from_slice(doc.etag.as_bytes());
        raw.push(b'\n');
        raw.extend_from_slice(&doc.body);
        let mut conn = self.redis.get().await.map_err(|e| e.to_string())?;
        // Stored only if no write bumped the generation while the document was being built.
        redis::Script::new(
            "if (redis.call('GET', KEYS[1]) or '0') == ARGV[1] then \
               redis.call('SET', KEYS[2], ARGV[2], 'EX', ARGV[3]) end return 1",
        )
        .key(self.generation_key())
        .key(key)
        .arg(generation)
        .arg(raw)
        .arg(ttl)
        .invoke_async::<i64>(&mut conn)
        .await
        .map(|_| ())
        .map_err(|e| e.to_string())
    }

    /// After a committed write: every cached document is stale from now on.
    pub async fn invalidate(&self) {
        let result = async {
            let mut conn = self.redis.get().await.map_err(|e| e.to_string())?;
            redis::cmd("INCR")
                .arg(self.generation_key())
                .query_async::<i64>(&mut conn)
                .await
                .map_err(|e| e.to_string())
        }
        .await;
        if let Err(e) = result {
            // The documents then live out their TTL; say so loudly.
            tracing::error!(error = %e, "could not invalidate the catalog caches");
        }
    }
}

fn decode(raw: &[u8], generation: &str) -> Option<Doc> {
    let mut parts = raw.splitn(3, |b| *b == b'\n');
    let stored_generation = parts.next()?;
    let etag = parts.next()?;
    let body = parts.next()?;
    if stored_generation != generation.as_bytes() {
        return None;
    }
    Some(Doc {
        etag: String::from_utf8(etag.to_vec()).ok()?,
        body: Bytes::copy_from_slice(body),
    })
}
