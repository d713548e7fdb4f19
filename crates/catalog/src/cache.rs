//! The public documents the app boots from (API §4: app-config, theme, flags, translations, services,
//! promo banners, help pages, FAQs; the caches of API §1.8 and the rest) served from each replica's
//! memory as rendered bytes with a strong ETag (issue #20): a hit costs no Redis and no database round
//! trip.
//!
//! Freshness. Every write bumps the catalog *generation* in Redis (`{prefix}generation`, an integer
//! `INCR` makes) once it committed, and clears its own replica's memory at once. Every replica runs a
//! watcher that reads the generation every [`POLL_EVERY`] and drops its memory whenever the value
//! changes (a reset to missing after a Redis restart included), so a write is visible on every replica
//! within about a quarter of a second. While the watcher cannot read Redis (its last successful read is
//! older than [`TRUST_FOR`]) memory is not trusted and every document is built from the database, as if
//! there were no cache: no replica serves a document more than about a second older than a write it
//! could have heard of. Memory is dropped again when Redis answers after such a gap. An invalidation
//! that could not reach Redis is retried by the watcher until it does (other replicas see the write
//! then); every document also lives at most its TTL ([`Document::ttl_secs`]).
//!
//! Races. A document is remembered only if no invalidation happened while it was being built (an epoch
//! checked under the lock that clears), so a build that read the database before a write can never put
//! its stale document back.

use crate::domain::SlotFilter;
use crate::error::{CatalogError, Result};
use actix_web::http::header::{self, HeaderValue};
use actix_web::HttpRequest;
use bytes::Bytes;
use chrono::{DateTime, Utc};
use hm_platform::redis::{Keys, RedisPool};
use hm_platform::reply::Reply;
use hm_platform::server::Periodic;
use hm_platform::service::ServiceError;
use hm_platform::ApiError;
use serde::Serialize;
use sha2::{Digest, Sha256};
use std::any::Any;
use std::borrow::Borrow;
use std::collections::HashMap;
use std::future::Future;
use std::hash::Hash;
use std::sync::atomic::{AtomicBool, AtomicI64, AtomicU64, Ordering};
use std::sync::{Arc, PoisonError, RwLock};
use std::time::{Duration, Instant};

/// How often each replica reads the generation.
pub const POLL_EVERY: Duration = Duration::from_millis(200);
/// How long after the last successful read of the generation memory is still trusted.
pub const TRUST_FOR: Duration = Duration::from_millis(TRUST_MS);
const TRUST_MS: u64 = 1000;
/// How long one Redis command of the cache may take before it counts as failed.
const REDIS_TIMEOUT: Duration = Duration::from_millis(250);
/// The generation when Redis has none (never bumped, or lost in a restart); `INCR` starts at 1.
const MISSING: i64 = 0;
/// The generation before the first read.
const UNREAD: i64 = -1;

/// The cached documents (API §4), each a small key: a hit formats no string.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Document {
    /// `GET /api/v1/app-config/` (API §4.3).
    AppConfig,
    /// `GET /api/v1/config/theme/`, or its 404 when no theme is active (API §4.4).
    ThemeConfig,
    /// `GET /api/v1/flags/` (API §4.7).
    FeatureFlags,
    /// `GET /api/v1/config/i18n/?lang=`: `en` or `hi` (API §4.5).
    Translations(&'static str),
    /// `GET /api/v1/services/` (API §4.6).
    Services,
    /// `GET /api/v1/services/{slug}/`: every active service by slug and alias, an [`Index`].
    ServiceDetails,
    /// `GET /api/v1/cms/banners/?slot=` (API §4.8).
    PromoBanners(SlotFilter),
    /// `GET /api/v1/help/?lang=`: `None` for every language (API §4.9).
    HelpPages(Option<&'static str>),
    /// `GET /api/v1/help/{slug}/`: every active help page by slug, an [`Index`].
    HelpPageDetails,
    /// `GET /api/v1/faqs/?lang=`: `None` for every language (API §4.9).
    Faqs(Option<&'static str>),
    /// `GET /api/v1/faqs/{id}/`: every active FAQ by id, an [`Index`].
    FaqDetails,
}

impl Document {
    /// Seconds a document lives at most (in memory, and in clients' caches through `Cache-Control`):
    /// 600 for translations, 300 for the others (API §1.8).
    pub fn ttl_secs(&self) -> u64 {
        match self {
            Document::Translations(_) => 600,
            _ => 300,
        }
    }

    /// Whether clients may keep the document for its TTL (`public, max-age`): the documents of API
    /// §1.8's table, which the app re-reads on that schedule. The lists and pages admins edit any time
    /// (services, banners, help, FAQs) are `no-cache`: a client keeps them but asks again each time,
    /// and an unchanged one costs a 304 without a body, so an edit reaches apps at once.
    fn clients_keep(&self) -> bool {
        matches!(
            self,
            Document::AppConfig
                | Document::ThemeConfig
                | Document::FeatureFlags
                | Document::Translations(_)
        )
    }
}

/// A rendered document: its JSON bytes, strong ETag and `Cache-Control`, all made once when it is
/// built.
#[derive(Debug, Clone)]
pub struct Doc {
    /// `"<first 128 bits of the body's SHA-256, hex>"`.
    pub etag: HeaderValue,
    /// The compact JSON the handler would have sent (`HttpResponse::json`'s bytes).
    pub body: Bytes,
    /// `public, max-age=<seconds>`, or `no-cache` (`max_age` 0).
    cache_control: HeaderValue,
    max_age: u64,
    /// A moment before its TTL ends when the document stops being true by itself (a promo banner's
    /// window opens or closes): it is dropped then, and `max-age` counts down to it.
    until: Option<Instant>,
}

/// An internal error for what cannot happen with the values given (a header made of hex digits).
fn impossible(cause: impl std::fmt::Display) -> CatalogError {
    CatalogError::Platform(ServiceError::Api(ApiError::internal(cause)))
}

impl Doc {
    /// `value` as `document` renders it: its compact JSON, ETag and `Cache-Control` with the
    /// document's TTL.
    pub fn json<T: Serialize + ?Sized>(value: &T, document: Document) -> Result<Doc> {
        let body = Bytes::from(serde_json::to_vec(value)?);
        let digest = Sha256::digest(&body);
        let etag = HeaderValue::try_from(format!("\"{}\"", hex::encode(&digest[..16])))
            .map_err(impossible)?;
        let (max_age, cache_control) = match document.clients_keep() {
            true => {
                let max_age = document.ttl_secs();
                let value = format!("public, max-age={max_age}");
                (max_age, HeaderValue::try_from(value).map_err(impossible)?)
            }
            false => (0, HeaderValue::from_static("no-cache")),
        };
        Ok(Doc {
            etag,
            body,
            cache_control,
            max_age,
            until: None,
        })
    }

    /// The same document, true only until `at` (wall clock; `None`: until its TTL ends). A moment
    /// already past makes it expire at once.
    pub fn until(mut self, at: Option<DateTime<Utc>>) -> Doc {
        self.until = at.map(|at| {
            let left = (at - Utc::now()).to_std().unwrap_or(Duration::ZERO);
            // Timestamps are microseconds; a millisecond later the window has surely moved.
            Instant::now() + left + Duration::from_millis(1)
        });
        self
    }

    fn cache_control(&self) -> HeaderValue {
        let Some(until) = self.until.filter(|_| self.max_age > 0) else {
            return self.cache_control.clone();
        };
        let left = until.saturating_duration_since(Instant::now()).as_secs();
        if left >= self.max_age {
            return self.cache_control.clone();
        }
        HeaderValue::try_from(format!("public, max-age={left}"))
            .unwrap_or_else(|_| self.cache_control.clone())
    }

    /// Whether `If-None-Match` names this version (or `*`); weak tags compare by their opaque part.
    fn matches(&self, req: &HttpRequest) -> bool {
        req.headers()
            .get_all(header::IF_NONE_MATCH)
            .filter_map(|v| v.to_str().ok())
            .flat_map(|v| v.split(','))
            .map(|tag| tag.trim())
            .any(|tag| {
                tag == "*" || tag.trim_start_matches("W/").as_bytes() == self.etag.as_bytes()
            })
    }

    /// 200 with the body (the JSON of a `T`: the type the document was built as), or 304 without
    /// one when the client already has this version; `ETag` and `Cache-Control` on both.
    pub fn respond<T>(&self, req: &HttpRequest) -> Reply<T, 200, 304> {
        let cache_control = self.cache_control();
        if self.matches(req) {
            Reply::also_build(|res| {
                res.insert_header((header::ETAG, self.etag.clone()))
                    .insert_header((header::CACHE_CONTROL, cache_control))
                    .finish()
            })
        } else {
            Reply::build(|res| {
                res.insert_header((header::ETAG, self.etag.clone()))
                    .insert_header((header::CACHE_CONTROL, cache_control))
                    .insert_header((
                        header::CONTENT_TYPE,
                        HeaderValue::from_static("application/json"),
                    ))
                    .body(self.body.clone())
            })
        }
    }
}

/// Documents of one kind built together and found by key: a service by slug or alias, a help page by
/// slug, a FAQ by id. A key it does not hold names nothing active (the handler's 404).
#[derive(Debug)]
pub struct Index<K> {
    docs: HashMap<K, Doc>,
}

impl<K> Default for Index<K> {
    fn default() -> Self {
        Index {
            docs: HashMap::new(),
        }
    }
}

impl<K: Eq + Hash> Index<K> {
    /// Files `doc` under `key`, replacing what was there.
    pub fn insert(&mut self, key: K, doc: Doc) {
        self.docs.insert(key, doc);
    }

    /// The document filed under `key` (a `&str` for a `String` key: nothing is allocated).
    pub fn get<Q>(&self, key: &Q) -> Option<&Doc>
    where
        K: Borrow<Q>,
        Q: Eq + Hash + ?Sized,
    {
        self.docs.get(key)
    }
}

/// What memory holds: a [`Doc`] or an [`Index`], and when it stops being true by itself.
pub trait Cached: Send + Sync + 'static {
    /// A moment before the document's TTL when it must be rebuilt anyway.
    fn until(&self) -> Option<Instant> {
        None
    }
}

impl Cached for Doc {
    fn until(&self) -> Option<Instant> {
        self.until
    }
}

impl<K: Send + Sync + 'static> Cached for Index<K> {}

struct Entry {
    value: Arc<dyn Any + Send + Sync>,
    /// Milliseconds since the cache started.
    expires_ms: u64,
}

#[derive(Default)]
struct Memory {
    /// Bumped by every invalidation: a build that began under an older epoch is not remembered.
    epoch: u64,
    entries: HashMap<Document, Entry>,
}

struct Inner {
    redis: RedisPool,
    generation_key: String,
    memory: RwLock<Memory>,
    started: Instant,
    /// Milliseconds since `started` of the last successful read of the generation, plus one (0: none
    /// yet).
    last_read: AtomicU64,
    /// The last read failed (Redis out of reach): memory is not trusted until a read succeeds.
    failing: AtomicBool,
    /// The generation last read ([`MISSING`], [`UNREAD`]).
    generation: AtomicI64,
    /// An invalidation Redis has not taken yet; the watcher retries it.
    pending: AtomicBool,
    /// A request is reading the generation itself because the watcher is late.
    checking: AtomicBool,
}

/// Each replica's document cache (cheap to clone: one shared memory).
#[derive(Clone)]
pub struct DocCache {
    inner: Arc<Inner>,
}

impl DocCache {
    /// The cache of a serving replica: reads the generation once (so memory is trusted from the first
    /// request when Redis answers) and starts the watcher, which stops with the returned [`Periodic`].
    pub async fn start(redis: RedisPool, keys: &Keys) -> (DocCache, Periodic) {
        let cache = DocCache {
            inner: Arc::new(Inner {
                redis,
                generation_key: generation_key(keys),
                memory: RwLock::new(Memory::default()),
                started: Instant::now(),
                last_read: AtomicU64::new(0),
                failing: AtomicBool::new(false),
                generation: AtomicI64::new(UNREAD),
                pending: AtomicBool::new(false),
                checking: AtomicBool::new(false),
            }),
        };
        cache.inner.watch().await;
        let watcher = cache.inner.clone();
        let periodic = Periodic::spawn(POLL_EVERY, move || {
            let watcher = watcher.clone();
            async move { watcher.watch().await }
        });
        (cache, periodic)
    }

    /// `document` from memory, or `build`'s (remembered for next time unless a write came meanwhile).
    /// While memory is not trusted (Redis unreadable) every call builds from the database.
    pub async fn get_or_build<V, F, Fut>(&self, document: Document, build: F) -> Result<Arc<V>>
    where
        V: Cached,
        F: FnOnce() -> Fut,
        Fut: Future<Output = Result<V>>,
    {
        if !self.trusted().await {
            return build().await.map(Arc::new);
        }
        let now = self.inner.now_ms();
        let epoch = {
            let memory = self
                .inner
                .memory
                .read()
                .unwrap_or_else(PoisonError::into_inner);
            let hit = memory
                .entries
                .get(&document)
                .filter(|entry| entry.expires_ms > now)
                .and_then(|entry| entry.value.clone().downcast::<V>().ok());
            if let Some(hit) = hit {
                return Ok(hit);
            }
            memory.epoch
        };
        let built = Arc::new(build().await?);
        let ttl_end = now.saturating_add(document.ttl_secs() * 1000);
        let expires_ms = built
            .until()
            .map_or(ttl_end, |until| self.inner.ms(until).min(ttl_end));
        let mut memory = self
            .inner
            .memory
            .write()
            .unwrap_or_else(PoisonError::into_inner);
        if memory.epoch == epoch {
            memory.entries.insert(
                document,
                Entry {
                    value: built.clone(),
                    expires_ms,
                },
            );
        }
        Ok(built)
    }

    /// Whether memory may answer: the generation was read less than [`TRUST_FOR`] ago. When the
    /// watcher is merely late (its last read did not fail), one request reads the generation itself.
    async fn trusted(&self) -> bool {
        let inner = &self.inner;
        if inner.fresh(inner.now_ms()) {
            return true;
        }
        if inner.failing.load(Ordering::Acquire) || inner.checking.swap(true, Ordering::AcqRel) {
            return false;
        }
        inner.watch().await;
        inner.checking.store(false, Ordering::Release);
        inner.fresh(inner.now_ms())
    }

    /// After a committed write: this replica's memory is dropped at once and the generation bumped, so
    /// every other replica drops its own within [`POLL_EVERY`]. When Redis cannot take the bump, the
    /// watcher retries it until it does.
    pub async fn invalidate(&self) {
        self.inner.forget();
        if let Err(error) = bump_generation(&self.inner.redis, &self.inner.generation_key).await {
            self.inner.pending.store(true, Ordering::Release);
            tracing::error!(%error, "could not invalidate the other replicas' catalog caches; retrying");
        }
    }
}

impl Inner {
    fn now_ms(&self) -> u64 {
        self.ms(Instant::now())
    }

    fn ms(&self, at: Instant) -> u64 {
        u64::try_from(at.saturating_duration_since(self.started).as_millis()).unwrap_or(u64::MAX)
    }

    fn fresh(&self, now: u64) -> bool {
        match self.last_read.load(Ordering::Acquire) {
            0 => false,
            read => now.saturating_sub(read - 1) < TRUST_MS,
        }
    }

    fn forget(&self) {
        let mut memory = self.memory.write().unwrap_or_else(PoisonError::into_inner);
        memory.epoch += 1;
        memory.entries.clear();
    }

    /// One round of the watcher: a pending bump first, then the generation; memory is dropped when it
    /// changed or when the last read before this one is too old to vouch for it.
    async fn watch(&self) {
        if self.pending.load(Ordering::Acquire)
            && bump_generation(&self.redis, &self.generation_key)
                .await
                .is_ok()
        {
            self.pending.store(false, Ordering::Release);
            tracing::info!("catalog caches invalidated on every replica after Redis came back");
        }
        match read_generation(&self.redis, &self.generation_key).await {
            Ok(generation) => {
                let now = self.now_ms();
                let previous = self.generation.swap(generation, Ordering::AcqRel);
                if previous != generation || !self.fresh(now) {
                    self.forget();
                }
                self.last_read.store(now + 1, Ordering::Release);
                if self.failing.swap(false, Ordering::AcqRel) {
                    tracing::info!("catalog generation readable again; documents from memory");
                }
            }
            Err(error) => {
                if !self.failing.swap(true, Ordering::AcqRel) {
                    tracing::warn!(%error, "cannot read the catalog generation; documents built from the database until Redis answers");
                }
            }
        }
    }
}

fn generation_key(keys: &Keys) -> String {
    keys.key("generation")
}

async fn read_generation(redis: &RedisPool, key: &str) -> std::result::Result<i64, String> {
    let read = async {
        let mut conn = redis.get().await.map_err(|e| e.to_string())?;
        let generation: Option<i64> = redis::cmd("GET")
            .arg(key)
            .query_async(&mut conn)
            .await
            .map_err(|e| e.to_string())?;
        Ok(generation.unwrap_or(MISSING))
    };
    tokio::time::timeout(REDIS_TIMEOUT, read)
        .await
        .unwrap_or_else(|_| Err("timed out".to_owned()))
}

async fn bump_generation(redis: &RedisPool, key: &str) -> std::result::Result<i64, String> {
    let bump = async {
        let mut conn = redis.get().await.map_err(|e| e.to_string())?;
        redis::cmd("INCR")
            .arg(key)
            .query_async::<i64>(&mut conn)
            .await
            .map_err(|e| e.to_string())
    };
    tokio::time::timeout(REDIS_TIMEOUT, bump)
        .await
        .unwrap_or_else(|_| Err("timed out".to_owned()))
}

/// Makes every replica's cached documents stale (the `seed` command, after writing behind the API);
/// the error says why Redis did not take it.
pub async fn invalidate_everywhere(
    redis: &RedisPool,
    keys: &Keys,
) -> std::result::Result<(), String> {
    bump_generation(redis, &generation_key(keys))
        .await
        .map(|_| ())
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;
    use actix_web::test::TestRequest;

    fn doc(body: &str) -> Doc {
        Doc::json(&serde_json::json!({ "v": body }), Document::AppConfig).unwrap()
    }

    #[test]
    fn if_none_match_takes_lists_weak_tags_and_star() {
        let d = doc("a");
        let tag = d.etag.to_str().unwrap().to_owned();
        let status = |value: &str| {
            let req = TestRequest::default()
                .insert_header((header::IF_NONE_MATCH, value))
                .to_http_request();
            d.respond::<()>(&req).into_response().status().as_u16()
        };
        assert_eq!(status(&tag), 304);
        assert_eq!(status(&format!("\"x\", {tag}")), 304);
        assert_eq!(status(&format!("W/{tag}")), 304);
        assert_eq!(status("*"), 304);
        assert_eq!(status("\"x\""), 200);
        let res = d
            .respond::<()>(&TestRequest::default().to_http_request())
            .into_response();
        assert_eq!(res.status().as_u16(), 200);
        assert_eq!(
            res.headers().get(header::CACHE_CONTROL).unwrap(),
            "public, max-age=300"
        );
        assert_eq!(res.headers().get(header::ETAG).unwrap(), d.etag);
    }

    #[test]
    fn lists_admins_edit_are_revalidated_on_every_use() {
        let d = Doc::json(&serde_json::json!([]), Document::Services)
            .unwrap()
            .until(Some(Utc::now() + chrono::Duration::seconds(42)));
        let res = d
            .respond::<()>(&TestRequest::default().to_http_request())
            .into_response();
        assert_eq!(
            res.headers().get(header::CACHE_CONTROL).unwrap(),
            "no-cache"
        );
        assert_eq!(res.headers().get(header::ETAG).unwrap(), d.etag);
    }

    #[test]
    fn a_document_with_a_window_counts_its_max_age_down() {
        let d = doc("a").until(Some(Utc::now() + chrono::Duration::seconds(42)));
        let res = d
            .respond::<()>(&TestRequest::default().to_http_request())
            .into_response();
        let value = res
            .headers()
            .get(header::CACHE_CONTROL)
            .unwrap()
            .to_str()
            .unwrap();
        assert!(
            value == "public, max-age=42" || value == "public, max-age=41",
            "{value}"
        );
        let far = doc("a").until(Some(Utc::now() + chrono::Duration::days(1)));
        let res = far
            .respond::<()>(&TestRequest::default().to_http_request())
            .into_response();
        assert_eq!(
            res.headers().get(header::CACHE_CONTROL).unwrap(),
            "public, max-age=300"
        );
    }

    /// A cache whose memory is trusted without Redis (no watcher), for the memory's own rules.
    fn trusted_cache() -> DocCache {
        let redis = hm_platform::redis::pool("redis://127.0.0.1:1/0", 1).unwrap();
        let cache = DocCache {
            inner: Arc::new(Inner {
                redis,
                generation_key: "unused".into(),
                memory: RwLock::new(Memory::default()),
                started: Instant::now(),
                last_read: AtomicU64::new(0),
                failing: AtomicBool::new(false),
                generation: AtomicI64::new(UNREAD),
                pending: AtomicBool::new(false),
                checking: AtomicBool::new(false),
            }),
        };
        cache.inner.last_read.store(u64::MAX, Ordering::Release);
        cache
    }

    #[tokio::test]
    async fn a_build_that_raced_an_invalidation_is_not_remembered() {
        let cache = trusted_cache();
        let racing = cache.clone();
        let first = cache
            .get_or_build(Document::Services, || async move {
                // A write commits and invalidates while this build is reading.
                racing.inner.forget();
                Ok(doc("old"))
            })
            .await
            .unwrap();
        assert_eq!(
            &first.body[..],
            b"{\"v\":\"old\"}",
            "the caller still gets it"
        );
        let second = cache
            .get_or_build(Document::Services, || async { Ok(doc("new")) })
            .await
            .unwrap();
        assert_eq!(
            &second.body[..],
            b"{\"v\":\"new\"}",
            "rebuilt, not remembered"
        );
        let third = cache
            .get_or_build(Document::Services, || async {
                Err::<Doc, _>(CatalogError::NotFound)
            })
            .await
            .unwrap();
        assert_eq!(third.etag, second.etag, "a hit does not build");
    }

    #[tokio::test]
    async fn a_document_past_its_window_is_rebuilt() {
        let cache = trusted_cache();
        let document = Document::PromoBanners(SlotFilter::Every);
        cache
            .get_or_build(document, || async {
                Ok(doc("before").until(Some(Utc::now())))
            })
            .await
            .unwrap();
        tokio::time::sleep(Duration::from_millis(5)).await;
        let again = cache
            .get_or_build(document, || async { Ok(doc("after")) })
            .await
            .unwrap();
        assert_eq!(&again.body[..], b"{\"v\":\"after\"}");
    }

    #[tokio::test]
    async fn memory_is_not_trusted_while_the_generation_cannot_be_read() {
        let cache = trusted_cache();
        cache.inner.last_read.store(0, Ordering::Release);
        cache.inner.failing.store(true, Ordering::Release);
        for expected in ["one", "two"] {
            let got = cache
                .get_or_build(Document::FeatureFlags, || async move { Ok(doc(expected)) })
                .await
                .unwrap();
            assert_eq!(got.body, doc(expected).body, "built every time");
        }
    }
}
