//! Catalog as the mobile app and the back office meet it, against the real Postgres, Redis and
//! RabbitMQ (and an S3-compatible server for the S3 path).
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::{db_via, spawn, spawn_with, S3};
use hm_contracts::Role;
use hm_platform::testing::{ChaosProxy, EventTap};
use reqwest::Method;
use serde_json::{json, Value};
use std::time::Duration;

fn names(list: &Value, field: &str) -> Vec<String> {
    list.as_array()
        .unwrap()
        .iter()
        .map(|v| v[field].as_str().unwrap().to_owned())
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn app_config_on_an_empty_database_uses_the_default_theme() {
    let t = spawn().await;
    let res = t.get("/api/v1/app-config/").await;
    assert_eq!(res.status, 200);
    let doc = &res.body;
    for key in ["app", "theme", "categories", "banners", "features", "meta"] {
        assert!(doc.get(key).is_some(), "{key} missing");
    }
    assert_eq!(doc["app"]["supported_locales"], json!(["en", "hi", "mr"]));
    assert_eq!(doc["theme"]["name"], "Default");
    assert_eq!(doc["theme"]["primary_color"], "#2563EB");
    assert_eq!(
        doc["theme"]["logo_url"],
        "http://localhost:8000/media/static/logo.png"
    );
    assert_eq!(doc["theme"]["fonts"][0]["family"], "Inter");
    assert_eq!(doc["categories"], json!([]));
    assert_eq!(doc["banners"], json!([]));
    assert_eq!(doc["features"]["attendance_kiosk"], true);
    assert_eq!(
        doc["meta"],
        json!({"config_version": "1.0", "cache_ttl_seconds": 300})
    );
    // No active theme: the theme document is a 404 in shape E.
    let res = t.get("/api/v1/config/theme/").await;
    assert_eq!(res.status, 404);
    assert_eq!(res.body, json!({"error": "No active theme configured"}));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn seeded_catalog_is_what_the_seed_readme_shows() {
    let t = spawn().await;
    t.seed().await;
    t.seed().await; // idempotent

    let doc = t.get("/api/v1/app-config/").await.body;
    assert_eq!(doc["theme"]["name"], "HunarMitra Default");
    assert_eq!(doc["theme"]["fonts"].as_array().unwrap().len(), 2);
    let categories = &doc["categories"];
    assert_eq!(categories.as_array().unwrap().len(), 7);
    assert_eq!(categories[0]["slug"], "plumber");
    assert_eq!(categories[0]["name"], "Plumber");
    assert!(uuid::Uuid::parse_str(categories[0]["id"].as_str().unwrap()).is_ok());
    assert_eq!(
        categories[0]["icon_url"],
        "http://localhost:8000/media/services/icons/plumber.png"
    );
    assert_eq!(
        names(&doc["banners"], "title"),
        ["Welcome to HunarMitra", "Special Offer!"]
    );
    assert_eq!(
        doc["banners"][0]["action"],
        json!({"type": "route", "value": "/services"})
    );

    // The reference's services (CONFIG §4.1); the seed README's `plumbing` is an alias of `plumber`.
    let plumber = t.get("/api/v1/services/plumber/").await;
    assert_eq!(plumber.status, 200);
    assert_eq!(plumber.body["title_hi"], "प्लंबर");
    assert_eq!(plumber.body["category"], "construction");
    let plumbing = t.get("/api/v1/services/plumbing/").await;
    assert_eq!(plumbing.status, 200);
    assert_eq!(plumbing.body["id"], plumber.body["id"]);
    assert_eq!(plumbing.body["slug"], "plumber");
    let list = t.get("/api/v1/services/").await.body;
    assert_eq!(
        names(&list, "slug"),
        [
            "plumber",
            "electrician",
            "mason",
            "carpenter",
            "tile-worker",
            "painter",
            "labour"
        ],
        "each service once"
    );

    let flags = t.get("/api/v1/flags/").await.body;
    assert_eq!(
        flags,
        json!({"FEATURE_ATTENDANCE": false, "FEATURE_CONTRACTOR": true, "FEATURE_CSR": false,
               "FEATURE_EKYC": false, "FEATURE_EMERGENCY": true})
    );
    let banners = t.get("/api/v1/cms/banners/").await.body;
    assert_eq!(
        names(&banners, "title"),
        [
            "[DEMO] New Year Sale - Premium Workers",
            "[DEMO] Featured Workers of the Month",
            "[DEMO] Download Our Mobile App",
            "[DEMO] Refer & Earn Program"
        ]
    );
    let help = t.get("/api/v1/help/?lang=hi").await.body;
    assert_eq!(
        names(&help, "slug"),
        [
            "shuruat-kaise-karen",
            "seva-book-kaise-karen",
            "bhugtan-jaankari"
        ]
    );
    assert_eq!(
        t.get("/api/v1/faqs/").await.body.as_array().unwrap().len(),
        6
    );
    assert_eq!(t.count("SELECT count(*) FROM promo_banners").await, 6);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn only_active_services_are_public_in_display_order() {
    let t = spawn().await;
    for (name, order, active) in [
        ("Electrical", 2, true),
        ("Plumbing", 1, true),
        ("Carpentry", 3, false),
    ] {
        let res = t
            .admin(Method::POST, "/api/v1/admin/catalog/services/",
                Some(json!({"name": name, "display_order": order, "is_active": active, "icon_s3_key": "/services/icons/x.png"})))
            .await;
        assert_eq!(res.status, 201, "{}", res.body);
    }
    let list = t.get("/api/v1/services/").await;
    assert_eq!(list.status, 200);
    assert!(list.body.is_array(), "a bare list");
    assert_eq!(names(&list.body, "name"), ["Plumbing", "Electrical"]);
    let first = &list.body[0];
    assert_eq!(first["slug"], "plumbing");
    assert_eq!(first["title_en"], "Plumbing");
    let icon = first["icon_url"].as_str().unwrap();
    assert!(
        icon.starts_with("http") && icon.contains("services/icons") && !icon.contains("//services"),
        "{icon}"
    );
    assert_eq!(t.get("/api/v1/services/carpentry/").await.status, 404);
    let missing = t.get("/api/v1/services/no-such-thing/").await;
    assert_eq!(
        missing.body,
        json!({"detail": "No Service matches the given query."})
    );
    // The admin list has them all.
    let all = t
        .admin(Method::GET, "/api/v1/admin/catalog/services/", None)
        .await;
    assert_eq!(all.body.as_array().unwrap().len(), 3);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_kind_of_write_is_visible_on_the_next_read() {
    let t = spawn().await;
    t.seed().await;
    let doc = t.get("/api/v1/app-config/").await.body;
    assert_eq!(doc["theme"]["name"], "HunarMitra Default");
    assert_eq!(t.get("/api/v1/flags/").await.body["FEATURE_CSR"], false);
    assert_eq!(t.get("/api/v1/config/i18n/").await.body, json!({}));

    // A change behind the API's back is not seen: the documents come from the cache.
    t.sql("UPDATE themes SET name = 'Renamed in SQL'").await;
    assert_eq!(
        t.get("/api/v1/app-config/").await.body["theme"]["name"],
        "HunarMitra Default"
    );

    // Theme write.
    let themes = t
        .admin(Method::GET, "/api/v1/admin/catalog/themes/", None)
        .await
        .body;
    let id = themes[0]["id"].as_str().unwrap().to_owned();
    let res = t
        .admin(
            Method::PATCH,
            &format!("/api/v1/admin/catalog/themes/{id}/"),
            Some(json!({"name": "Diwali", "primary_color": "#FF9933"})),
        )
        .await;
    assert_eq!(res.status, 200, "{}", res.body);
    let doc = t.get("/api/v1/app-config/").await.body;
    assert_eq!(doc["theme"]["name"], "Diwali");
    assert_eq!(doc["theme"]["primary_color"], "#FF9933");
    assert_eq!(t.get("/api/v1/config/theme/").await.body["name"], "Diwali");

    // Banner write.
    let res = t
        .admin(Method::POST, "/api/v1/admin/catalog/app-banners/",
            Some(json!({"title": "Monsoon offer", "image_s3_key": "static/banners/monsoon.png", "display_order": 0,
                         "action": {"type": "url", "value": "https://hunarmitra.com/monsoon"}})))
        .await;
    assert_eq!(res.status, 201, "{}", res.body);
    assert_eq!(
        t.get("/api/v1/app-config/").await.body["banners"][0]["title"],
        "Monsoon offer"
    );

    // Service write: deactivating hides it from categories at once.
    let services = t
        .admin(Method::GET, "/api/v1/admin/catalog/services/", None)
        .await
        .body;
    let plumbing = services
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["slug"] == "plumber")
        .unwrap();
    let res = t
        .admin(
            Method::DELETE,
            &format!(
                "/api/v1/admin/catalog/services/{}/",
                plumbing["id"].as_str().unwrap()
            ),
            None,
        )
        .await;
    assert_eq!(res.status, 200);
    assert_eq!(res.body["is_active"], false);
    let categories = t.get("/api/v1/app-config/").await.body["categories"].clone();
    assert!(!names(&categories, "slug").contains(&"plumber".to_owned()));

    // Flag write and delete.
    let res = t
        .admin(
            Method::PATCH,
            "/api/v1/admin/catalog/flags/FEATURE_CSR/",
            Some(json!({"enabled": true})),
        )
        .await;
    assert_eq!(res.status, 200, "{}", res.body);
    assert_eq!(t.get("/api/v1/flags/").await.body["FEATURE_CSR"], true);
    assert_eq!(
        t.admin(
            Method::DELETE,
            "/api/v1/admin/catalog/flags/FEATURE_CSR/",
            None
        )
        .await
        .status,
        204
    );
    assert!(t
        .get("/api/v1/flags/")
        .await
        .body
        .get("FEATURE_CSR")
        .is_none());

    // Translation write.
    let res = t
        .admin(
            Method::POST,
            "/api/v1/admin/catalog/translations/",
            Some(json!({"key": "apply_now", "lang": "en", "value": "Apply Now"})),
        )
        .await;
    assert_eq!(res.status, 200, "{}", res.body);
    assert_eq!(
        t.get("/api/v1/config/i18n/?lang=en").await.body,
        json!({"apply_now": "Apply Now"})
    );
    t.admin(
        Method::POST,
        "/api/v1/admin/catalog/translations/",
        Some(json!({"key": "apply_now", "lang": "en", "value": "Modified"})),
    )
    .await;
    assert_eq!(
        t.get("/api/v1/core/translations/").await.body["apply_now"],
        "Modified"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn documents_carry_etags_and_answer_304() {
    let t = spawn().await;
    t.seed().await;
    for path in ["/api/v1/app-config/", "/api/v1/config/theme/"] {
        let first = t.get(path).await;
        assert_eq!(first.status, 200);
        let etag = first.header("etag").unwrap();
        assert!(etag.starts_with('"') && etag.ends_with('"'), "{etag}");
        assert_eq!(
            first.header("cache-control").as_deref(),
            Some("public, max-age=300")
        );
        let again = t.get(path).await;
        assert_eq!(
            again.header("etag").as_deref(),
            Some(etag.as_str()),
            "stable while nothing changes"
        );

        let not_modified = t
            .send(t.http.get(t.url(path)).header("if-none-match", &etag))
            .await;
        assert_eq!(not_modified.status, 304, "{path}");
        assert!(not_modified.bytes.is_empty());
        assert_eq!(not_modified.header("etag").as_deref(), Some(etag.as_str()));
        let other = t
            .send(
                t.http
                    .get(t.url(path))
                    .header("if-none-match", "\"something-else\""),
            )
            .await;
        assert_eq!(other.status, 200);
    }
    let before = t.get("/api/v1/app-config/").await.header("etag").unwrap();
    let themes = t
        .admin(Method::GET, "/api/v1/admin/catalog/themes/", None)
        .await
        .body;
    let id = themes[0]["id"].as_str().unwrap().to_owned();
    t.admin(
        Method::PATCH,
        &format!("/api/v1/admin/catalog/themes/{id}/"),
        Some(json!({"accent_color": "#000000"})),
    )
    .await;
    let after = t
        .send(
            t.http
                .get(t.url("/api/v1/app-config/"))
                .header("if-none-match", &before),
        )
        .await;
    assert_eq!(after.status, 200, "a changed document is sent again");
    assert_ne!(after.header("etag").unwrap(), before);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cache_hits_touch_no_database() {
    let proxy = ChaosProxy::start("127.0.0.1:5432").await;
    let via = proxy.addr();
    let t = spawn_with(db_via(via)).await;
    t.seed().await;
    for path in [
        "/api/v1/app-config/",
        "/api/v1/flags/",
        "/api/v1/config/theme/",
        "/api/v1/config/i18n/?lang=hi",
    ] {
        assert_eq!(t.get(path).await.status, 200, "{path}");
    }
    proxy.cut();
    for path in [
        "/api/v1/app-config/",
        "/api/v1/flags/",
        "/api/v1/config/theme/",
        "/api/v1/config/i18n/?lang=hi",
    ] {
        let res = t.get(path).await;
        assert_eq!(
            res.status, 200,
            "{path} is served from Redis with the database gone"
        );
    }
    let uncached = t.get("/api/v1/services/").await;
    assert_eq!(uncached.status, 503);
    assert_eq!(uncached.body["code"], "database_unavailable");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn exactly_one_theme_is_active_even_under_concurrent_activations() {
    let t = spawn().await;
    let mut ids = Vec::new();
    for (i, name) in ["One", "Two", "Three"].iter().enumerate() {
        let res = t
            .admin(
                Method::POST,
                "/api/v1/admin/catalog/themes/",
                Some(json!({"name": name, "active": i == 0})),
            )
            .await;
        assert_eq!(res.status, 201, "{}", res.body);
        ids.push(res.body["id"].as_str().unwrap().to_owned());
    }
    // Creating a second active theme leaves only it active (C17).
    let res = t
        .admin(
            Method::POST,
            "/api/v1/admin/catalog/themes/",
            Some(json!({"name": "Four", "active": true})),
        )
        .await;
    ids.push(res.body["id"].as_str().unwrap().to_owned());
    assert_eq!(t.count("SELECT count(*) FROM themes WHERE active").await, 1);
    assert_eq!(t.get("/api/v1/config/theme/").await.body["name"], "Four");

    let paths: Vec<String> = ids
        .iter()
        .map(|id| format!("/api/v1/admin/catalog/themes/{id}/activate/"))
        .collect();
    for round in 0..10 {
        // Polled together, so the activations really overlap.
        let calls = paths.iter().map(|p| t.admin(Method::POST, p, None));
        for res in futures_util::future::join_all(calls).await {
            assert_eq!(res.status, 200, "round {round}: {}", res.body);
        }
        assert_eq!(
            t.count("SELECT count(*) FROM themes WHERE active").await,
            1,
            "round {round}"
        );
    }
    let active = t.get("/api/v1/config/theme/").await.body["name"].clone();
    assert!(
        ["One", "Two", "Three", "Four"].iter().any(|n| active == *n),
        "{active}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_admin_input_is_a_clear_4xx() {
    let t = spawn().await;
    let create = |body: Value| t.admin(Method::POST, "/api/v1/admin/catalog/services/", Some(body));
    assert_eq!(create(json!({"name": "Plumbing"})).await.status, 201);
    let dup = create(json!({"name": "Plumbing Two", "slug": "plumbing"})).await;
    assert_eq!(dup.status, 400);
    assert_eq!(
        dup.body,
        json!({"slug": ["service with this slug already exists."]})
    );
    let dup = create(json!({"name": "Plumbing"})).await;
    assert_eq!(dup.status, 400, "{}", dup.body);
    assert!(
        dup.body.get("slug").is_some() || dup.body.get("name").is_some(),
        "{}",
        dup.body
    );
    let res = create(json!({"slug": "Bad Slug", "display_order": "first"})).await;
    assert_eq!(res.status, 400);
    assert_eq!(res.body["name"], json!(["This field is required."]));
    assert!(res.body["slug"][0].as_str().unwrap().contains("slug"));
    assert_eq!(
        res.body["display_order"],
        json!(["A valid integer is required."])
    );

    let theme = |body: Value| t.admin(Method::POST, "/api/v1/admin/catalog/themes/", Some(body));
    let res = theme(json!({"name": "X", "primary_color": "blue", "fonts": [{"family": "Inter"}], "metadata": [1]})).await;
    assert_eq!(res.status, 400);
    assert_eq!(
        res.body["primary_color"],
        json!(["Enter a colour as #RRGGBB."])
    );
    assert!(
        res.body.get("fonts").is_some() && res.body.get("metadata").is_some(),
        "{}",
        res.body
    );
    let res = t
        .admin(Method::POST, "/api/v1/admin/catalog/promo-banners/",
            Some(json!({"title": "x", "image_url": "not a url", "slot": "sidebar", "starts_at": "2026-02-01T00:00:00Z", "ends_at": "2026-01-01T00:00:00Z"})))
        .await;
    assert_eq!(res.status, 400);
    for field in ["image_url", "slot", "ends_at"] {
        assert!(res.body.get(field).is_some(), "{field}: {}", res.body);
    }
    let res = t
        .admin(Method::POST, "/api/v1/admin/catalog/app-banners/", Some(json!({"title": "x", "image_s3_key": "../etc/passwd", "action": {"type": "url", "value": "javascript:alert(1)"}})))
        .await;
    assert_eq!(res.status, 400);
    assert!(
        res.body.get("image_s3_key").is_some() && res.body.get("action").is_some(),
        "{}",
        res.body
    );
    let res = t
        .admin(
            Method::POST,
            "/api/v1/admin/catalog/translations/",
            Some(json!({"key": "apply_now", "lang": "fr", "value": "x"})),
        )
        .await;
    assert_eq!(res.body, json!({"lang": ["\"fr\" is not a valid choice."]}));

    // Unknown and malformed ids.
    let unknown = uuid::Uuid::new_v4();
    let res = t
        .admin(
            Method::PATCH,
            &format!("/api/v1/admin/catalog/themes/{unknown}/"),
            Some(json!({"name": "y"})),
        )
        .await;
    assert_eq!(res.status, 404);
    assert_eq!(
        res.body,
        json!({"detail": "No Theme matches the given query."})
    );
    assert_eq!(
        t.admin(
            Method::POST,
            &format!("/api/v1/admin/catalog/themes/{unknown}/activate/"),
            None
        )
        .await
        .status,
        404
    );
    let res = t
        .admin(
            Method::DELETE,
            "/api/v1/admin/catalog/faqs/not-a-uuid/",
            None,
        )
        .await;
    assert_eq!(res.status, 404);
    assert_eq!(res.body, json!({"detail": "Not found."}));

    // Only admins.
    for role in [Role::Worker, Role::Contractor, Role::Employer] {
        let res = t
            .as_token(
                &t.token(role),
                Method::POST,
                "/api/v1/admin/catalog/flags/",
                Some(json!({"key": "FEATURE_X"})),
            )
            .await;
        assert_eq!(res.status, 403);
    }
    let res = t
        .send(t.http.get(t.url("/api/v1/admin/catalog/services/")))
        .await;
    assert_eq!(res.status, 401);
    assert_eq!(t.count("SELECT count(*) FROM feature_flags").await, 0);
    assert_eq!(
        t.count("SELECT count(*) FROM services").await,
        1,
        "nothing bad was stored"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn translations_fall_back_to_english_and_refuse_other_languages() {
    let t = spawn().await;
    for (key, lang, value) in [
        ("apply_now", "en", "Apply Now"),
        ("book_service", "en", "Book Service"),
        ("apply_now", "hi", "अभी आवेदन करें"),
    ] {
        let res = t
            .admin(
                Method::POST,
                "/api/v1/admin/catalog/translations/",
                Some(json!({"key": key, "lang": lang, "value": value})),
            )
            .await;
        assert_eq!(res.status, 200);
    }
    assert_eq!(
        t.get("/api/v1/config/i18n/?lang=hi").await.body,
        json!({"apply_now": "अभी आवेदन करें", "book_service": "Book Service"})
    );
    assert_eq!(
        t.get("/api/v1/config/i18n/").await.body["apply_now"],
        "Apply Now"
    );
    let res = t.get("/api/v1/config/i18n/?lang=fr").await;
    assert_eq!(res.status, 400);
    assert_eq!(
        res.body,
        json!({"error": "Invalid language. Supported: en, hi"})
    );
    assert_eq!(
        t.admin(
            Method::DELETE,
            "/api/v1/admin/catalog/translations/hi/apply_now/",
            None
        )
        .await
        .status,
        204
    );
    assert_eq!(
        t.get("/api/v1/config/i18n/?lang=hi").await.body["apply_now"],
        "Apply Now"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cms_banners_show_what_is_visible_now_by_priority() {
    let t = spawn().await;
    let now = chrono::Utc::now();
    let day = chrono::Duration::days(1);
    let rows = [
        ("Low", "home_top", 10, true, None, None),
        (
            "High",
            "home_top",
            100,
            true,
            Some(now - day * 5),
            Some(now + day * 5),
        ),
        ("Medium", "home_mid", 50, true, None, None),
        ("Inactive", "home_top", 500, false, None, None),
        (
            "Expired",
            "home_top",
            400,
            true,
            Some(now - day * 10),
            Some(now - day),
        ),
        ("Future", "home_top", 300, true, Some(now + day), None),
    ];
    for (title, slot, priority, active, starts, ends) in rows {
        let res = t
            .admin(Method::POST, "/api/v1/admin/catalog/promo-banners/",
                Some(json!({"title": title, "image_url": "https://example.com/test.jpg", "link": "https://example.com/link",
                            "slot": slot, "priority": priority, "active": active,
                            "starts_at": starts.map(|d: chrono::DateTime<chrono::Utc>| d.to_rfc3339()),
                            "ends_at": ends.map(|d: chrono::DateTime<chrono::Utc>| d.to_rfc3339())})))
            .await;
        assert_eq!(res.status, 201, "{}", res.body);
    }
    let all = t.get("/api/v1/cms/banners/").await.body;
    assert_eq!(names(&all, "title"), ["High", "Medium", "Low"]);
    let item = &all[0];
    let mut keys: Vec<_> = item.as_object().unwrap().keys().cloned().collect();
    keys.sort();
    assert_eq!(
        keys,
        ["id", "image_url", "link", "priority", "slot", "title"]
    );
    assert_eq!(item["link"], "https://example.com/link");
    let top = t.get("/api/v1/cms/banners/?slot=home_top").await.body;
    assert_eq!(names(&top, "title"), ["High", "Low"]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn help_pages_and_faqs_filter_by_language_and_hide_inactive_ones() {
    let t = spawn().await;
    t.seed().await;
    let en = t.get("/api/v1/help/?lang=en").await.body;
    assert!(en.as_array().unwrap().iter().all(|p| p["lang"] == "en"));
    assert_eq!(
        names(&en, "slug"),
        ["getting-started", "booking-service", "payment-info"]
    );
    assert_eq!(
        t.get("/api/v1/help/?lang=xx")
            .await
            .body
            .as_array()
            .unwrap()
            .len(),
        6,
        "other values are ignored"
    );
    let page = t.get("/api/v1/help/getting-started/").await;
    assert_eq!(page.body["title"], "Getting Started");
    let id = en[0]["id"].as_str().unwrap().to_owned();
    let res = t
        .admin(
            Method::PATCH,
            &format!("/api/v1/admin/catalog/help-pages/{id}/"),
            Some(json!({"is_active": false})),
        )
        .await;
    assert_eq!(res.status, 200, "{}", res.body);
    assert_eq!(t.get("/api/v1/help/getting-started/").await.status, 404);
    assert!(
        !names(&t.get("/api/v1/help/").await.body, "slug").contains(&"getting-started".to_owned())
    );

    let faqs = t.get("/api/v1/faqs/?lang=hi").await.body;
    assert_eq!(faqs.as_array().unwrap().len(), 3);
    let orders: Vec<i64> = faqs
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["order"].as_i64().unwrap())
        .collect();
    assert_eq!(orders, [1, 2, 3]);
    for key in ["question", "answer", "lang", "order"] {
        assert!(faqs[0].get(key).is_some());
    }
    let faq_id = faqs[0]["id"].as_str().unwrap();
    assert_eq!(t.get(&format!("/api/v1/faqs/{faq_id}/")).await.status, 200);
    assert_eq!(t.get("/api/v1/faqs/not-a-uuid/").await.status, 404);
    let res = t
        .admin(
            Method::POST,
            "/api/v1/admin/catalog/faqs/",
            Some(json!({"question": "Inactive question?", "answer": "x", "is_active": false})),
        )
        .await;
    assert_eq!(res.status, 201, "{}", res.body);
    assert!(!names(&t.get("/api/v1/faqs/").await.body, "question")
        .contains(&"Inactive question?".to_owned()));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tts_stub_and_the_legacy_theme() {
    let t = spawn().await;
    let en = t.get("/api/v1/tts/?text=Hello%20world").await;
    assert_eq!(en.status, 200);
    assert_eq!(en.body["lang"], "en");
    assert!(en.body["url"]
        .as_str()
        .unwrap()
        .ends_with("audio/tts_stub_en.mp3"));
    assert!(t.get("/api/v1/tts/?lang=HI").await.body["url"]
        .as_str()
        .unwrap()
        .contains("tts_stub_hi.mp3"));
    let fr = t.get("/api/v1/tts/?lang=fr").await;
    assert_eq!(fr.status, 400);
    assert_eq!(
        fr.body,
        json!({"error": "Invalid language. Supported: en, hi"})
    );
    let legacy = t.get("/api/v1/theme/").await.body;
    assert!(legacy["feature_flags"].is_object() && legacy["colors"].is_object());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn local_uploads_are_checked_stored_and_served() {
    let t = spawn_with(|c| c.max_upload_bytes = 64 * 1024).await;
    let token = t.token(Role::Worker);
    let mp3 = b"ID3\x03fake mp3 bytes".to_vec();

    let res = t
        .upload("/api/v1/media/audio/", None, "a.mp3", "audio/mpeg", &mp3)
        .await;
    assert_eq!(res.status, 401);
    let res = t
        .upload(
            "/api/v1/media/audio/",
            Some(&token),
            "notes.txt",
            "text/plain",
            b"hi",
        )
        .await;
    assert_eq!(res.status, 400);
    assert_eq!(
        res.body,
        json!({"error": "Invalid file type. Allowed: .mp3, .wav, .m4a", "provided": ".txt"})
    );
    let res = t
        .upload(
            "/api/v1/media/audio/",
            Some(&token),
            "a.mp3",
            "video/mp4",
            &mp3,
        )
        .await;
    assert_eq!(
        res.body,
        json!({"error": "Invalid audio mime type. Allowed: mp3, wav, m4a", "provided": "video/mp4"})
    );
    let res = t
        .send(
            t.http
                .post(t.url("/api/v1/media/audio/"))
                .bearer_auth(&token)
                .json(&json!({})),
        )
        .await;
    assert_eq!(res.status, 400);
    assert_eq!(
        res.body,
        json!({"error": "No file provided. Use 'file' field in multipart form."})
    );
    let res = t
        .upload(
            "/api/v1/media/upload/",
            Some(&token),
            "big.png",
            "image/png",
            &vec![0u8; 65 * 1024],
        )
        .await;
    assert_eq!(res.status, 413);
    assert_eq!(res.body, json!({"error": "File too large"}));

    let res = t
        .upload(
            "/api/v1/media/audio/",
            Some(&token),
            "Voice Note.MP3",
            "audio/mpeg",
            &mp3,
        )
        .await;
    assert_eq!(res.status, 201, "{}", res.body);
    assert_eq!(res.body["type"], "audio");
    let url = res.body["url"].as_str().unwrap();
    assert!(
        url.starts_with("http://localhost:8000/media/audio/uploads/") && url.ends_with(".mp3"),
        "{url}"
    );
    let path = url.trim_start_matches("http://localhost:8000");
    let served = t.get(path).await;
    assert_eq!(served.status, 200);
    assert_eq!(served.bytes, mp3);
    assert_eq!(served.header("content-type").as_deref(), Some("audio/mpeg"));

    let png = b"\x89PNG\r\n\x1a\nfake".to_vec();
    let res = t
        .upload(
            "/api/v1/media/upload/",
            Some(&token),
            "photo.png",
            "image/png",
            &png,
        )
        .await;
    assert_eq!(res.status, 201, "{}", res.body);
    assert_eq!(res.body["file_type"], "image/png");
    assert_eq!(res.body["file_size"], png.len());
    assert_eq!(t.count("SELECT count(*) FROM media_objects").await, 1);
    assert_eq!(t.get("/media/../secrets").await.status, 404);
    // Direct uploads need object storage.
    let res = t
        .send(
            t.http
                .post(t.url("/api/v1/media/presign/"))
                .bearer_auth(&token)
                .json(&json!({"kind": "image", "filename": "a.png", "content_type": "image/png"})),
        )
        .await;
    assert_eq!(res.status, 400);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn s3_uploads_are_served_from_their_resolved_url() {
    let s3 = S3::start().await;
    let storage = s3.storage();
    let t = spawn_with(move |c| c.storage = storage).await;
    let token = t.token(Role::Contractor);
    let png = b"\x89PNG\r\n\x1a\nan image stored in S3".to_vec();
    let res = t
        .upload(
            "/api/v1/media/upload/",
            Some(&token),
            "site.png",
            "image/png",
            &png,
        )
        .await;
    assert_eq!(res.status, 201, "{}", res.body);
    let url = res.body["url"].as_str().unwrap().to_owned();
    assert!(
        url.starts_with(&format!("{}/hunarmitra/media/images/", s3.public)),
        "{url}"
    );
    let fetched = reqwest::get(&url).await.unwrap();
    assert_eq!(fetched.status(), 200);
    assert_eq!(fetched.bytes().await.unwrap().to_vec(), png);

    // A presigned PUT goes straight to the bucket.
    let res = t
        .send(
            t.http
                .post(t.url("/api/v1/media/presign/"))
                .bearer_auth(&token)
                .json(
                    &json!({"kind": "audio", "filename": "note.m4a", "content_type": "audio/mp4"}),
                ),
        )
        .await;
    assert_eq!(res.status, 200, "{}", res.body);
    let upload_url = res.body["upload_url"].as_str().unwrap().to_owned();
    let put = t
        .http
        .put(&upload_url)
        .header("content-type", "audio/mp4")
        .body(b"m4a bytes".to_vec())
        .send()
        .await
        .unwrap();
    assert!(put.status().is_success(), "{}", put.text().await.unwrap());
    let public = res.body["url"].as_str().unwrap();
    let fetched = reqwest::get(public).await.unwrap();
    assert_eq!(fetched.bytes().await.unwrap().to_vec(), b"m4a bytes");
    // Bad requests are refused before anything is signed.
    let res = t
        .send(t.http.post(t.url("/api/v1/media/presign/")).bearer_auth(&token)
            .json(&json!({"kind": "image", "filename": "x.exe", "content_type": "application/octet-stream"})))
        .await;
    assert_eq!(res.status, 400);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn writes_publish_their_events_through_the_outbox() {
    let t = spawn().await;
    let mut services = EventTap::bind(&t.app.bus, "catalog.service.*").await;
    let mut config = EventTap::bind(&t.app.bus, "catalog.config.changed").await;
    let res = t
        .admin(
            Method::POST,
            "/api/v1/admin/catalog/services/",
            Some(json!({"name": "AC Repair", "title_hi": "एसी मरम्मत"})),
        )
        .await;
    assert_eq!(res.status, 201);
    let (event, _) = services
        .next(Duration::from_secs(10))
        .await
        .expect("service.created");
    assert_eq!(event["type"], "catalog.service.created");
    assert_eq!(event["data"]["slug"], "ac-repair");
    assert_eq!(event["data"]["is_active"], true);
    let id = res.body["id"].as_str().unwrap().to_owned();
    t.admin(
        Method::DELETE,
        &format!("/api/v1/admin/catalog/services/{id}/"),
        None,
    )
    .await;
    let (event, _) = services
        .next(Duration::from_secs(10))
        .await
        .expect("service.updated");
    assert_eq!(event["type"], "catalog.service.updated");
    assert_eq!(event["data"]["is_active"], false);

    t.admin(
        Method::POST,
        "/api/v1/admin/catalog/themes/",
        Some(json!({"name": "Holi", "active": true})),
    )
    .await;
    let (event, _) = config
        .next(Duration::from_secs(10))
        .await
        .expect("config.changed");
    assert_eq!(event["data"]["kind"], "theme");
    assert_eq!(event["data"]["change"], "created");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_openapi_document_documents_every_operation() {
    let t = spawn().await;
    let res = t.get("/openapi.json").await;
    assert_eq!(res.status, 200);
    hm_platform::testing::assert_openapi_document(
        "catalog",
        &res.bytes,
        &["POST /api/v1/admin/catalog/themes/{id}/activate/"],
    );
}

/// `src/schema.rs` is diesel's print-schema of the migrated database (ARCHITECTURE §2).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn schema_rs_is_what_the_migrations_make() {
    hm_platform::testing::assert_schema_generated::<hm_catalog::Catalog>(env!(
        "CARGO_MANIFEST_DIR"
    ))
    .await;
}
