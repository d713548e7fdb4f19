//! Hot reads from memory (issue #20): every public document the app boots from is answered from each
//! replica's memory with an ETag, and a write through one replica (or by the event consumer) is seen
//! on every replica within a second; with Redis cut, documents are built from the database.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::{redis_via, spawn_with, Api, Reply};
use hm_catalog::testing::Catalog;
use hm_contracts::events::{types, SkillRequested};
use hm_contracts::Event;
use hm_platform::testing::{ChaosProxy, Replica};
use reqwest::Method;
use serde_json::{json, Value};
use std::time::{Duration, Instant};
use uuid::Uuid;

/// How long a write may take to show on another replica (issue #20).
const REPLICAS_AGREE_WITHIN: Duration = Duration::from_secs(1);

/// Two replicas of catalog on one database, broker and Redis prefix; `a_config` changes the first's
/// settings (a chaos proxy in front of its Redis).
async fn two_replicas(
    a_config: impl FnOnce(&mut hm_catalog::config::CatalogConfig) + 'static,
) -> (Api, Replica) {
    let prefix = hm_platform::testing::redis_prefix("catalog");
    let shared = prefix.clone();
    let a = spawn_with(move |c| {
        c.common.redis_key_prefix = shared;
        a_config(c);
    })
    .await;
    let b = a
        .app
        .replica::<Catalog>(move |c| c.common.redis_key_prefix = prefix)
        .await;
    (a, b)
}

async fn get_at(t: &Api, base: &str, path: &str) -> Reply {
    t.send(t.http.get(format!("{base}{path}"))).await
}

/// Polls `path` on `base` until its 200 body satisfies `ok`; how long that took. Fails after 15 s.
async fn until_seen(t: &Api, base: &str, path: &str, ok: impl Fn(&Value) -> bool) -> Duration {
    let start = Instant::now();
    loop {
        let res = get_at(t, base, path).await;
        if res.status == 200 && ok(&res.body) {
            return start.elapsed();
        }
        assert!(
            start.elapsed() < Duration::from_secs(15),
            "{base}{path} never showed the change: {} {}",
            res.status,
            res.body
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

fn titles(list: &Value) -> Vec<String> {
    list.as_array()
        .unwrap()
        .iter()
        .map(|b| b["title"].as_str().unwrap().to_owned())
        .collect()
}

fn service<'a>(list: &'a Value, slug: &str) -> &'a Value {
    list.as_array()
        .unwrap()
        .iter()
        .find(|s| s["slug"] == slug)
        .unwrap_or(&Value::Null)
}

async fn service_id(t: &Api, slug: &str) -> String {
    let all = t
        .admin(Method::GET, "/api/v1/admin/catalog/services/", None)
        .await
        .body;
    service(&all, slug)["id"].as_str().unwrap().to_owned()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_admin_write_on_one_replica_is_seen_on_the_other_within_a_second() {
    let (a, b) = two_replicas(|_| {}).await;
    a.seed().await;
    let read = [
        "/api/v1/services/",
        "/api/v1/services/plumber/",
        "/api/v1/services/plumbing/",
        "/api/v1/flags/",
        "/api/v1/cms/banners/",
        "/api/v1/cms/banners/?slot=home_mid",
    ];
    for path in read {
        for base in [&a.base, &b.base] {
            assert_eq!(get_at(&a, base, path).await.status, 200, "{base}{path}");
        }
    }
    // B answers from its memory: a change behind the API's back is not seen.
    a.sql("UPDATE services SET description = 'changed in SQL' WHERE slug = 'plumber'")
        .await;
    let list = get_at(&a, &b.base, "/api/v1/services/").await.body;
    assert_ne!(service(&list, "plumber")["description"], "changed in SQL");

    // A service edited in the console through A.
    let id = service_id(&a, "plumber").await;
    let res = a
        .admin(
            Method::PATCH,
            &format!("/api/v1/admin/catalog/services/{id}/"),
            Some(json!({"title_en": "Pipe Fitter"})),
        )
        .await;
    assert_eq!(res.status, 200, "{}", res.body);
    let waited = until_seen(&a, &b.base, "/api/v1/services/", |l| {
        service(l, "plumber")["title_en"] == "Pipe Fitter"
    })
    .await;
    println!("services list on the other replica after {waited:?}");
    assert!(waited <= REPLICAS_AGREE_WITHIN, "{waited:?}");
    for path in ["/api/v1/services/plumber/", "/api/v1/services/plumbing/"] {
        let res = get_at(&a, &b.base, path).await;
        assert_eq!(res.body["title_en"], "Pipe Fitter", "{path}");
        assert_eq!(
            res.body["description"], "changed in SQL",
            "rebuilt from the database"
        );
    }
    let own = get_at(&a, &a.base, "/api/v1/services/plumber/").await;
    assert_eq!(own.body["title_en"], "Pipe Fitter", "at once on the writer");

    // A flag, once B holds the flags in memory again.
    assert_eq!(
        get_at(&a, &b.base, "/api/v1/flags/").await.body["FEATURE_CSR"],
        false
    );
    let res = a
        .admin(
            Method::PATCH,
            "/api/v1/admin/catalog/flags/FEATURE_CSR/",
            Some(json!({"enabled": true})),
        )
        .await;
    assert_eq!(res.status, 200, "{}", res.body);
    let waited = until_seen(&a, &b.base, "/api/v1/flags/", |f| f["FEATURE_CSR"] == true).await;
    println!("flags on the other replica after {waited:?}");
    assert!(waited <= REPLICAS_AGREE_WITHIN, "{waited:?}");

    // A promo banner, once B holds the listing in memory again.
    let listing = get_at(&a, &b.base, "/api/v1/cms/banners/?slot=home_mid").await;
    assert_ne!(titles(&listing.body)[0], "Monsoon");
    let res = a
        .admin(
            Method::POST,
            "/api/v1/admin/catalog/promo-banners/",
            Some(
                json!({"title": "Monsoon", "image_url": "https://example.com/m.jpg",
                        "slot": "home_mid", "priority": 1000}),
            ),
        )
        .await;
    assert_eq!(res.status, 201, "{}", res.body);
    let waited = until_seen(&a, &b.base, "/api/v1/cms/banners/?slot=home_mid", |l| {
        titles(l).first().map(String::as_str) == Some("Monsoon")
    })
    .await;
    println!("promo banners on the other replica after {waited:?}");
    assert!(waited <= REPLICAS_AGREE_WITHIN, "{waited:?}");
    assert_eq!(
        titles(&get_at(&a, &b.base, "/api/v1/cms/banners/").await.body)[0],
        "Monsoon"
    );
}

/// Asserts `path` carries a strong ETag and `Cache-Control`, answers 304 to it and 200 to another.
async fn answers_304(t: &Api, path: &str) -> Reply {
    let first = t.get(path).await;
    assert_eq!(first.status, 200, "{path}: {}", first.body);
    let etag = first
        .header("etag")
        .unwrap_or_else(|| panic!("{path}: ETag"));
    assert!(
        etag.starts_with('"') && etag.ends_with('"'),
        "{path}: {etag}"
    );
    // The documents of API §1.8 are kept by clients for their TTL; the lists admins edit any time
    // are revalidated on every use.
    let cache_control = first.header("cache-control").unwrap();
    let kept = ["/api/v1/app-config/", "/api/v1/config/", "/api/v1/flags/"]
        .iter()
        .any(|p| path.starts_with(p));
    match kept {
        true => assert!(
            cache_control.starts_with("public, max-age="),
            "{path}: {cache_control}"
        ),
        false => assert_eq!(cache_control, "no-cache", "{path}"),
    }
    assert_eq!(
        first.header("content-type").as_deref(),
        Some("application/json")
    );
    let again = t.get(path).await;
    assert_eq!(
        again.bytes, first.bytes,
        "{path}: the same bytes from memory"
    );
    assert_eq!(again.header("etag").as_deref(), Some(etag.as_str()));
    let not_modified = t
        .send(t.http.get(t.url(path)).header("if-none-match", &etag))
        .await;
    assert_eq!(not_modified.status, 304, "{path}");
    assert!(not_modified.bytes.is_empty(), "{path}");
    assert_eq!(not_modified.header("etag").as_deref(), Some(etag.as_str()));
    let other = t
        .send(t.http.get(t.url(path)).header("if-none-match", "\"other\""))
        .await;
    assert_eq!(other.status, 200, "{path}");
    assert_eq!(other.bytes, first.bytes);
    first
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_public_document_answers_304_to_its_etag() {
    let t = spawn_with(|_| {}).await;
    t.seed().await;
    let faqs = t.get("/api/v1/faqs/?lang=hi").await.body;
    let faq = format!("/api/v1/faqs/{}/", faqs[0]["id"].as_str().unwrap());
    for path in [
        "/api/v1/services/",
        "/api/v1/flags/",
        "/api/v1/config/i18n/?lang=hi",
        "/api/v1/cms/banners/",
        "/api/v1/cms/banners/?slot=home_top",
        "/api/v1/cms/banners/?slot=nowhere",
        "/api/v1/help/",
        "/api/v1/help/?lang=hi",
        "/api/v1/help/getting-started/",
        "/api/v1/faqs/",
        "/api/v1/faqs/?lang=en",
        faq.as_str(),
    ] {
        answers_304(&t, path).await;
    }
    let plumber = answers_304(&t, "/api/v1/services/plumber/").await;
    let plumbing = answers_304(&t, "/api/v1/services/plumbing/").await;
    assert_eq!(
        plumbing.bytes, plumber.bytes,
        "an alias is the same document"
    );
    assert_eq!(plumbing.header("etag"), plumber.header("etag"));
    assert_eq!(
        t.get("/api/v1/cms/banners/?slot=nowhere").await.body,
        json!([])
    );

    // The 404s are as before, and stay 404s from memory.
    for _ in 0..2 {
        let missing = t.get("/api/v1/services/no-such-thing/").await;
        assert_eq!(missing.status, 404);
        assert_eq!(
            missing.body,
            json!({"detail": "No Service matches the given query."})
        );
        assert_eq!(t.get("/api/v1/help/no-such-page/").await.status, 404);
        let faq = t.get(&format!("/api/v1/faqs/{}/", Uuid::new_v4())).await;
        assert_eq!(faq.status, 404);
        assert!(faq.header("etag").is_none());
    }

    // A write makes a new version: the old tag gets the whole document again.
    let before = t.get("/api/v1/help/getting-started/").await;
    let id = before.body["id"].as_str().unwrap().to_owned();
    let res = t
        .admin(
            Method::PATCH,
            &format!("/api/v1/admin/catalog/help-pages/{id}/"),
            Some(json!({"title": "Getting Started Quickly"})),
        )
        .await;
    assert_eq!(res.status, 200, "{}", res.body);
    let after = t
        .send(
            t.http
                .get(t.url("/api/v1/help/getting-started/"))
                .header("if-none-match", before.header("etag").unwrap()),
        )
        .await;
    assert_eq!(after.status, 200);
    assert_eq!(after.body["title"], "Getting Started Quickly");
    assert_ne!(after.header("etag"), before.header("etag"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn promo_banners_appear_and_go_when_their_window_opens_and_closes() {
    let t = spawn_with(|_| {}).await;
    let now = chrono::Utc::now();
    let starts = now + chrono::Duration::seconds(2);
    let ends = now + chrono::Duration::seconds(4);
    let res = t
        .admin(
            Method::POST,
            "/api/v1/admin/catalog/promo-banners/",
            Some(
                json!({"title": "Flash sale", "image_url": "https://example.com/f.jpg",
                        "slot": "home_top", "starts_at": starts.to_rfc3339(),
                        "ends_at": ends.to_rfc3339()}),
            ),
        )
        .await;
    assert_eq!(res.status, 201, "{}", res.body);
    let path = "/api/v1/cms/banners/";
    let before = t.get(path).await;
    assert_eq!(before.body, json!([]));
    assert_eq!(
        before.header("cache-control").as_deref(),
        Some("no-cache"),
        "clients ask again each time, so the window opens for them on time too"
    );

    until_seen(&t, &t.base, path, |l| titles(l) == ["Flash sale"]).await;
    let late = chrono::Utc::now() - starts;
    assert!(late >= chrono::Duration::zero(), "not before it starts");
    assert!(late < chrono::Duration::milliseconds(500), "{late:?} late");

    until_seen(&t, &t.base, path, |l| l == &json!([])).await;
    let late = chrono::Utc::now() - ends;
    assert!(late >= chrono::Duration::zero(), "not before it ends");
    assert!(late < chrono::Duration::milliseconds(500), "{late:?} late");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn with_redis_cut_documents_come_from_the_database_and_writes_show() {
    let proxy = ChaosProxy::start("127.0.0.1:6379").await;
    let (a, b) = two_replicas(redis_via(proxy.addr())).await;
    a.seed().await;
    let public = [
        "/api/v1/app-config/",
        "/api/v1/config/theme/",
        "/api/v1/config/i18n/",
        "/api/v1/services/",
        "/api/v1/services/plumber/",
        "/api/v1/flags/",
        "/api/v1/cms/banners/",
        "/api/v1/help/",
        "/api/v1/help/getting-started/",
        "/api/v1/faqs/",
    ];
    for path in public {
        for base in [&a.base, &b.base] {
            assert_eq!(get_at(&a, base, path).await.status, 200, "{base}{path}");
        }
    }

    proxy.cut();
    // Once the last read of the generation is older than a second, A no longer trusts its memory.
    tokio::time::sleep(Duration::from_millis(1300)).await;
    for path in public {
        let res = a.get(path).await;
        assert_eq!(res.status, 200, "{path} is served with Redis cut");
    }
    a.sql("UPDATE services SET description = 'changed in SQL' WHERE slug = 'plumber'")
        .await;
    assert_eq!(
        a.get("/api/v1/services/plumber/").await.body["description"],
        "changed in SQL",
        "built from the database"
    );

    // A write through A is refused nothing and shows at once on A.
    let id = service_id(&a, "plumber").await;
    let res = a
        .admin(
            Method::PATCH,
            &format!("/api/v1/admin/catalog/services/{id}/"),
            Some(json!({"title_en": "Pipe Fitter"})),
        )
        .await;
    assert_eq!(res.status, 200, "{}", res.body);
    let list = a.get("/api/v1/services/").await.body;
    assert_eq!(service(&list, "plumber")["title_en"], "Pipe Fitter");
    assert_eq!(
        a.get("/api/v1/app-config/").await.body["categories"][0]["slug"],
        "plumber"
    );

    // The invalidation Redis could not take is retried once it is back: B then sees the write.
    proxy.restore();
    let restored = Instant::now();
    until_seen(&a, &b.base, "/api/v1/services/", |l| {
        service(l, "plumber")["title_en"] == "Pipe Fitter"
    })
    .await;
    println!(
        "the other replica saw the write {:?} after Redis came back",
        restored.elapsed()
    );
    assert!(restored.elapsed() < Duration::from_secs(3));
    // And A trusts its memory again: a change behind the API's back is no longer seen.
    tokio::time::sleep(Duration::from_millis(500)).await;
    a.get("/api/v1/services/plumber/").await;
    a.sql("UPDATE services SET description = 'changed again' WHERE slug = 'plumber'")
        .await;
    assert_eq!(
        a.get("/api/v1/services/plumber/").await.body["description"],
        "changed in SQL"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_service_the_consumer_creates_is_seen_on_every_replica() {
    let (a, b) = two_replicas(|_| {}).await;
    a.seed().await;
    for base in [&a.base, &b.base] {
        assert_eq!(get_at(&a, base, "/api/v1/services/").await.status, 200);
        assert_eq!(
            get_at(&a, base, "/api/v1/services/tiler/").await.status,
            404
        );
    }
    let publisher = hm_platform::testing::publisher(&a.app.bus);
    let ask = Event::new(
        "workforce",
        types::SKILL_REQUESTED,
        None,
        SkillRequested {
            request_id: Uuid::new_v4(),
            worker_id: Uuid::new_v4(),
            user_id: Uuid::new_v4(),
            name: "Tiler".to_owned(),
        },
    )
    .into_json()
    .unwrap();
    publisher.publish(&ask, None).await.unwrap();
    let start = Instant::now();
    while a
        .count("SELECT count(*) FROM services WHERE slug = 'tiler'")
        .await
        == 0
    {
        assert!(start.elapsed() < Duration::from_secs(15), "never created");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let committed = Instant::now();
    for base in [&a.base, &b.base] {
        until_seen(&a, base, "/api/v1/services/", |l| {
            service(l, "tiler")["name"] == "Tiler"
        })
        .await;
        until_seen(&a, base, "/api/v1/services/tiler/", |s| {
            s["slug"] == "tiler"
        })
        .await;
    }
    println!(
        "the new service was listed on both replicas {:?} after it was committed",
        committed.elapsed()
    );
    // The consumer's write reaches the caches through its own event (relay, broker, consumer).
    assert!(committed.elapsed() < Duration::from_secs(5));
}
