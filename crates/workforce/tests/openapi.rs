//! The OpenAPI document workforce serves (issue #17): every operation documents its 2xx body and its
//! request body, and the document is the one checked in as `proto-docs/openapi/workforce.json`; and the
//! back office's typed listings and stats read the rows Postgres builds; and `src/schema.rs` is what the
//! migrations make.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use hm_contracts::Role;
use reqwest::Method;
use serde_json::{json, Value};
use uuid::Uuid;

/// The writes that take no body: actions on the resource the path names.
const BODILESS: &[&str] = &["POST /api/v1/admin/workforce/kiosks/{id}/rotate-token/"];

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_openapi_document_documents_every_operation() {
    let api = common::Api::start().await;
    let served = reqwest::Client::new()
        .get(format!("{}/openapi.json", api.app.base))
        .send()
        .await
        .unwrap()
        .bytes()
        .await
        .unwrap();
    hm_platform::testing::assert_openapi_document("workforce", &served, BODILESS);
    let doc: Value = serde_json::from_slice(&served).unwrap();
    assert!(doc["openapi"].as_str().unwrap().starts_with("3."));
    let schemas = &doc["components"]["schemas"];
    for name in [
        "WorkerProfile",
        "ContractorProfile",
        "SiteView",
        "KioskView",
        "WorkerRowLinkedPage",
        "WorkforceStats",
    ] {
        assert!(schemas[name].is_object(), "{name} documented");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_back_office_listings_and_stats_read_into_their_rows() {
    let api = common::Api::start().await;
    let admin = api.keys.mint(Uuid::new_v4(), Role::Admin);
    let (_, worker) = api
        .with_user("+919900002222", Role::Worker, "Raju", "")
        .await;
    let (_, contractor) = api
        .with_user("+919900003333", Role::Contractor, "Vikram", "")
        .await;
    let post = |path: &'static str, bearer: String, body: Value| {
        let api = &api;
        async move {
            api.send(Method::POST, path, Some(&bearer), None, Some(body))
                .await
        }
    };
    let (status, body) = post(
        "/api/v1/workers/",
        worker.clone(),
        json!({"latitude": "26.8467", "longitude": "80.9462", "price_amount": "500.50", "bio": "Pipes"}),
    )
    .await;
    assert_eq!(status, 201, "{body}");
    let (status, body) = post(
        "/api/v1/contractors/",
        contractor.clone(),
        json!({"company_name": "VC Builders", "city": "Lucknow"}),
    )
    .await;
    assert_eq!(status, 201, "{body}");
    let (status, site) = post(
        "/api/v1/sites/",
        contractor.clone(),
        json!({"name": "Green Valley", "address": "Gomti Nagar", "lat": "26.85", "lng": "80.95",
               "start_date": "2026-01-05"}),
    )
    .await;
    assert_eq!(status, 201, "{site}");
    let (status, kiosk) = post(
        "/api/v1/kiosks/",
        contractor.clone(),
        json!({"device_uuid": "KIOSK_BO_1", "location_name": "Gate", "latitude": "26.85",
               "longitude": "80.95", "site_id": site["id"]}),
    )
    .await;
    assert_eq!(status, 201, "{kiosk}");

    for (path, search) in [
        ("/api/v1/admin/workforce/workers/", "Raju"),
        ("/api/v1/admin/workforce/contractors/", "VC"),
        ("/api/v1/admin/workforce/sites/", "Green"),
        ("/api/v1/admin/workforce/kiosks/", "Gate"),
    ] {
        let (status, page) = api
            .send(
                Method::GET,
                &format!("{path}?search={search}"),
                Some(&admin),
                None,
                None,
            )
            .await;
        assert_eq!(status, 200, "{path}: {page}");
        assert_eq!(page["count"], 1, "{path}: {page}");
        assert!(page["results"][0]["id"].is_string(), "{path}: {page}");
    }
    let (status, page) = api
        .send(
            Method::GET,
            "/api/v1/admin/workforce/workers/",
            Some(&admin),
            None,
            None,
        )
        .await;
    assert_eq!(status, 200);
    let row = &page["results"][0];
    assert_eq!(
        (&row["user_name"], &row["price_amount"], &row["rating"]),
        (&json!("Raju"), &json!(500.5), &json!(0.0))
    );
    let (status, stats) = api
        .send(
            Method::GET,
            "/api/v1/admin/workforce/stats/",
            Some(&admin),
            None,
            None,
        )
        .await;
    assert_eq!(status, 200, "{stats}");
    assert_eq!(
        stats,
        json!({"workers": 1, "workers_available_now": 0, "contractors": 1, "sites_active": 1,
               "kiosks_active": 1, "kiosk_check_ins_today": 0})
    );
    let (status, rotated) = api
        .send(
            Method::POST,
            &format!(
                "/api/v1/admin/workforce/kiosks/{}/rotate-token/",
                kiosk["id"].as_str().unwrap()
            ),
            Some(&admin),
            None,
            None,
        )
        .await;
    assert_eq!(status, 200, "{rotated}");
    assert_eq!(rotated["id"], kiosk["id"]);
    assert_eq!(rotated["device_token"].as_str().unwrap().len(), 64);
}

/// `src/schema.rs` is diesel's print-schema of the migrated database (ARCHITECTURE §2).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn schema_rs_is_what_the_migrations_make() {
    hm_platform::testing::assert_schema_generated::<hm_workforce::Workforce>(env!(
        "CARGO_MANIFEST_DIR"
    ))
    .await;
}
